"""Production: every secret comes from the environment, with no default."""

from site_kollektif.env import env_bool, env_int, env_list, env_required, env_str
from site_kollektif.hosts import AllowedHosts

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
# the platform's hosts, plus the domains of active associations (site_kollektif/hosts.py)
ALLOWED_HOSTS = AllowedHosts(env_list("ALLOWED_HOSTS"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
if not S3_BUCKET:  # noqa: F405  (object storage, when configured, is set in base.py)
    STORAGES["private"] = {  # noqa: F405
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("KOLLEKTIF_PRIVATE_ROOT") or str(BASE_DIR / "var" / "private"),  # noqa: F405
            "base_url": None,
        },
    }

# Stripe: real keys, no default; the API base and Stripe.js are Stripe's own.
STRIPE_SECRET_KEY = env_required("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_required("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_required("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")
STRIPE_JS_URL = env_str("STRIPE_JS_URL", "https://js.stripe.com/v3/")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
LOGGING["handlers"]["console"]["formatter"] = env_str("KOLLEKTIF_LOG_FORMAT", "json")  # noqa: F405
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
KOLLEKTIF_PAGE_CACHE_SECONDS = env_int("KOLLEKTIF_PAGE_CACHE_SECONDS", 300)
KOLLEKTIF_EDGE_CACHE_SECONDS = env_int("KOLLEKTIF_EDGE_CACHE_SECONDS", 300)
KOLLEKTIF_REQUIRE_MFA = env_bool("KOLLEKTIF_REQUIRE_MFA", True)
