"""/sante/: what a load balancer and an operator poll — database, cache, task queue.

Answers 200 when every check passes, 503 otherwise, with one line per check and no
personal data. The queue check counts tasks waiting for more than QUEUE_STALE_MINUTES: a
growing number means no worker is running.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

QUEUE_STALE_MINUTES = 10


def _check_databases() -> dict:
    results = {}
    for alias in settings.DATABASES:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        results[alias] = "ok"
    return results


def _check_cache() -> str:
    key, value = f"sante-{secrets.token_hex(4)}", secrets.token_hex(8)
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("le cache ne rend pas ce qu'on y met")
    cache.delete(key)
    return "ok"


def _check_queue() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return {"backend": backend.rsplit(".", 1)[-1]}
    from django_tasks_db.models import DBTaskResult

    stale_before = timezone.now() - timedelta(minutes=QUEUE_STALE_MINUTES)
    waiting = DBTaskResult.objects.filter(status="READY").count()
    stale = DBTaskResult.objects.filter(status="READY", enqueued_at__lt=stale_before).count()
    if stale:
        raise RuntimeError(f"{stale} tâche(s) en attente depuis plus de {QUEUE_STALE_MINUTES} minutes")
    return {"backend": "base de données", "en_attente": waiting}


CHECKS = {"base_de_donnees": _check_databases, "cache": _check_cache, "file_de_taches": _check_queue}


@never_cache
def health(request):
    started = time.perf_counter()
    checks, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 — any failure is a failed check, reported, never a 500
            healthy = False
            checks[name] = {"erreur": type(exc).__name__, "detail": str(exc)[:200]}
    body = {
        "statut": "ok" if healthy else "en panne",
        "verifications": checks,
        "duree_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
