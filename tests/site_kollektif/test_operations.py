"""Operations: the health endpoint, production settings, the replica router, structured logs."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "site_kollektif.settings.production",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-the-deploy-checks-0123456789",
    "ALLOWED_HOSTS": "kollektif.org",
    "CSRF_TRUSTED_ORIGINS": "https://kollektif.org",
    "STRIPE_SECRET_KEY": "sk_live_abcdef",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_abcdef",
    "STRIPE_WEBHOOK_SECRET": "whsec_abcdef",
}


def _manage(*args, env: dict) -> subprocess.CompletedProcess:
    # a production process's environment: none of the test run's own switches (the browser tests
    # set DJANGO_ALLOW_ASYNC_UNSAFE, the PostgreSQL run DATABASE_URL and REDIS_URL)
    inherited = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV and key not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} est obligatoire en production" in result.stderr


@pytest.mark.django_db
def test_health_reports_database_cache_and_queue():
    response = Client().get("/sante/")
    assert response.status_code == 200
    body = response.json()
    assert body["statut"] == "ok" and body["verifications"]["base_de_donnees"] == {"default": "ok"}
    assert body["verifications"]["cache"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_fails_when_the_queue_has_no_worker(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from kernel.mail import deliver_email

    result = deliver_email.using(backend="default").enqueue(subject="s", to=["a@b.fr"], text="t", html="h")
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=30))
    response = Client().get("/sante/")
    assert response.status_code == 503
    body = response.json()
    assert body["statut"] == "en panne" and "en attente depuis plus de 10 minutes" in json.dumps(
        body["verifications"]["file_de_taches"], ensure_ascii=False
    )


@pytest.mark.django_db
def test_health_fails_when_the_cache_loses_what_it_stores(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = Client().get("/sante/")
    assert response.status_code == 503 and "erreur" in response.json()["verifications"]["cache"]


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis absent sur 127.0.0.1:6379 (le CI le fournit)")
@pytest.mark.django_db
def test_cache_and_sessions_work_on_redis(settings, editor_a):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": "kollektif-tests",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    assert Client().get("/sante/").json()["verifications"]["cache"] == "ok"
    client = Client()
    client.force_login(editor_a)
    assert client.get("/espace/").status_code == 200


def test_public_anonymous_reads_go_to_the_replica(settings, monkeypatch):
    from site_kollektif.db_router import PublicReadMiddleware, ReplicaRouter

    monkeypatch.setitem(settings.DATABASES, "replica", dict(settings.DATABASES["default"]))
    router, seen = ReplicaRouter(), []
    middleware = PublicReadMiddleware(lambda request: seen.append(router.db_for_read(None)) or None)
    factory = RequestFactory()
    middleware(factory.get("/association/popeline/"))
    middleware(factory.post("/association/popeline/nous-aider/don/"))
    middleware(factory.get("/admin/"))
    with_session = factory.get("/association/popeline/")
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    middleware(with_session)
    assert seen == ["replica", "default", "default", "default"]
    assert router.db_for_write(None) == "default" and router.db_for_read(None) == "default"


def test_json_logs_mask_secrets():
    from site_kollektif.logs import JsonFormatter

    record = logging.makeLogRecord(
        {
            "name": "kollektif.payments",
            "levelname": "WARNING",
            "levelno": 30,
            "msg": "appel Stripe avec sk_live_51Habcdefghijkl et whsec_abcdef123456",
            "payment": 42,
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["payment"] == 42 and line["logger"] == "kollektif.payments"
    assert "abcdefghijkl" not in line["message"] and "sk_***" in line["message"] and "whsec_***" in line["message"]


def test_object_storage_signs_private_urls_and_not_public_ones():
    env = {
        **PRODUCTION_ENV,
        "KOLLEKTIF_S3_BUCKET": "kollektif-medias",
        "KOLLEKTIF_S3_PRIVATE_BUCKET": "kollektif-prive",
        "AWS_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
        "AWS_S3_REGION_NAME": "fr-par",
        "AWS_ACCESS_KEY_ID": "AKIAEXEMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret-exemple",
    }
    script = (
        "from django.core.files.storage import storages; "
        "print(storages['default'].url('images/logo.png')); print(storages['private'].url('recus/1/2026/a.pdf'))"
    )
    result = _manage("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    public, private = result.stdout.strip().splitlines()[-2:]
    assert public == "https://s3.fr-par.scw.cloud/kollektif-medias/images/logo.png"
    assert private.startswith("https://s3.fr-par.scw.cloud/kollektif-prive/prive/recus/1/2026/a.pdf?")
    assert "X-Amz-Signature=" in private and "X-Amz-Expires=300" in private


def test_collectstatic_works_with_the_production_storage(tmp_path):
    """The manifest storage follows every reference (CSS url(), JS source maps): none may be missing."""
    result = _manage("collectstatic", "--noinput", env={**PRODUCTION_ENV, "KOLLEKTIF_STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "site_kollektif/vendor/leaflet/leaflet.js" in manifest and "campagnes/js/payment.js" in manifest


def test_the_runtime_lock_holds_no_test_tool():
    """Production installs requirements.lock: no test runner, browser driver or linter in it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    runtime = {line.split("==")[0] for line in (root / "requirements.lock").read_text().splitlines() if "==" in line}
    dev = {line.split("==")[0] for line in (root / "requirements-dev.lock").read_text().splitlines() if "==" in line}
    assert not runtime & {"pytest", "pytest-django", "playwright", "hypothesis", "ruff", "factory-boy", "pypdf"}
    assert runtime < dev and {"pytest", "playwright"} <= dev


@pytest.mark.django_db
def test_the_admin_fetches_no_avatar_from_gravatar(client_a):
    """No CDN: the admin's avatars come from the site, never from gravatar.com."""
    response = client_a.get("/admin/")
    assert response.status_code == 200
    assert "gravatar.com" not in response.content.decode()
