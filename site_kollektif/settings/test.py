"""Tests: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os
import tempfile

from .base import *  # noqa: F403

if not KOLLEKTIF_CACHE_URL:  # noqa: F405
    # the shared file cache of base.py, one directory per test process (parallel runs stay apart)
    CACHES["default"]["LOCATION"] = os.path.join(tempfile.gettempdir(), f"kollektif-tests-cache-{os.getpid()}")  # noqa: F405

DEBUG = False
SECRET_KEY = "tests-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # receipts and signatures: outside MEDIA_ROOT, never served by URL (see kernel/storage.py)
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "var" / "private", "base_url": None},  # noqa: F405
    },
}
# Embeds are never fetched in tests: a page must render offline.
WAGTAILEMBEDS_FINDERS = [{"class": "site_kollektif.embeds.OfflineFinder"}]
ACCOUNT_RATE_LIMITS = False
WAGTAIL_EDITING_SESSION_PING_INTERVAL = 3_600_000  # no background pings against the test database

WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)

KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP = True  # a host page on http://127.0.0.1 may frame a campaign
