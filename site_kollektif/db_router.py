"""Public reads on the read replica, everything else on the primary.

A replica lags a little behind: an anonymous GET of a public page can read slightly old data
without harm, but a payer, an editor or a webhook must read what it just wrote. The
middleware marks the requests that may use the replica; the router only reads that mark.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_public_read: ContextVar[bool] = ContextVar("kollektif_public_read", default=False)
PRIVATE_PREFIXES = ("/admin/", "/comptes/", "/espace/", "/paiement/", "/stripe/", "/mes-recus/", "/sante/")


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _public_read.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same objects

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PublicReadMiddleware:
    """Anonymous GET/HEAD outside private areas may read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(PRIVATE_PREFIXES)
            and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        )
        token = _public_read.set(public)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)
