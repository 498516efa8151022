"""Settings shared by every environment. Values that vary come from ``site_kollektif.env``."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from site_kollektif.env import BASE_DIR, env_int, env_list, env_networks, env_str

PROJECT_DIR = BASE_DIR / "site_kollektif"

INSTALLED_APPS = [
    "site_kollektif",
    "kernel",
    "associations",
    "campagnes",
    "annuaire",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailgeowidget",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "site_kollektif.hosts.CustomDomainMiddleware",  # Caddy's TLS ask (any host, http); HSTS on custom domains
    "django.middleware.security.SecurityMiddleware",
    "site_kollektif.security.KollektifCSPMiddleware",
    "site_kollektif.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kernel.page_cache.PublicPageCacheMiddleware",  # outside sessions and CSRF: sees their cookies
    "kernel.serving.CachedSiteMiddleware",  # the Wagtail Site from the shared cache (not on a cache hit)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "site_kollektif.security.MFARequiredMiddleware",
    "site_kollektif.admin_input.AdminInputMiddleware",  # before the tenant guard: it reads ids too
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "associations.admin_guard.TenantAdminGuardMiddleware",
    "site_kollektif.middleware.InvalidAdminFormStatusMiddleware",
]

ROOT_URLCONF = "site_kollektif.urls"

# The reverse proxies in front of the app (addresses or CIDR networks): X-Forwarded-For is read
# only from them, right to left (kernel/client_ip.py). Default: Caddy on the same machine
# (docs/deploy.md). Every rate limit (payments, "Mes reçus", contributions, logins) uses it.
KOLLEKTIF_TRUSTED_PROXIES = env_networks("KOLLEKTIF_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
RATELIMIT_IP_META_KEY = "kernel.client_ip.client_ip"

# Content-Security-Policy (django-csp; Stripe and tile origins added per request by
# site_kollektif/security.py): no inline script anywhere on the public site. The Wagtail
# admin still has inline scripts of its own: there the same policy is sent report-only.
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],  # style attributes (association colours), never scripts
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": [
        "'self'",
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com",
        "https://player.vimeo.com",
        "https://www.dailymotion.com",
        "https://peertube.fr",
    ],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Campaigns embedded on an association's other sites (campagnes/embed.py): only the /integrer/
# views are framable, by the origins each association lists; a loopback http:// origin is
# refused in production (a payment form belongs in an https page) and accepted by the demo and tests.
KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP = False
CONTENT_SECURITY_POLICY = {"EXCLUDE_URL_PREFIXES": ["/admin/"], "DIRECTIVES": _CSP_DIRECTIVES}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {"EXCLUDE_URL_PREFIXES": [], "DIRECTIVES": _CSP_DIRECTIVES}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "site_kollektif.hosts.platform_links",  # platform_url: platform links on a custom domain
            ],
        },
    },
]

WSGI_APPLICATION = "site_kollektif.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (server, worker) share the demo database: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# French first: every string goes through gettext, so another language can come later.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français")]

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = Path(env_str("KOLLEKTIF_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # receipts and signatures: outside MEDIA_ROOT, never served by URL (see kernel/storage.py)
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "var" / "private", "base_url": None},  # noqa: F405
    },
}

WAGTAIL_SITE_NAME = "Kollektif"
# No CDN: user avatars are never fetched from gravatar.com (only Stripe.js and map tiles leave the site).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = env_str("KOLLEKTIF_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents are downloads, never opened inline on the platform's domain (a PDF may carry
# JavaScript), and always pass through the app, which adds a sandboxing CSP
# (site_kollektif/downloads.py) — also with object storage, whose URL would open them inline.
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "ods", "odp", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# Every image upload is fully decoded once under this budget (associations/validators.py): a
# 48-megapixel phone photo fits, a decompression bomb does not. Wagtail counts GIF frames too.
KOLLEKTIF_IMAGE_MAX_PIXELS = 50_000_000
WAGTAILIMAGES_MAX_IMAGE_PIXELS = KOLLEKTIF_IMAGE_MAX_PIXELS
WAGTAILIMAGES_IMAGE_FORM_BASE = "associations.forms.ImageUploadForm"
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_WORKFLOW_ENABLED = False  # no tree-wide moderation: each association publishes its own pages
WAGTAIL_MODERATION_ENABLED = False
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAILEMBEDS_RESPONSIVE_HTML = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Uploads of association logos and covers (public signup form)
KOLLEKTIF_LOGO_MAX_BYTES = 5 * 1024 * 1024

# Accounts: e-mail is the login, and must be verified before an association can be created.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kollektif] "
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key", "signup": "20/h/ip"}
ACCOUNT_ADAPTER = "site_kollektif.account_adapter.AccountAdapter"  # rate limits per real client
# Two-factor authentication (allauth MFA): an authenticator app and recovery codes. Staff and
# treasurers (who see payers and receipts) must have one to enter the admin when
# KOLLEKTIF_REQUIRE_MFA is on (the default in production).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kollektif"
KOLLEKTIF_REQUIRE_MFA = env_str("KOLLEKTIF_REQUIRE_MFA", "0") == "1"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "associations:mon_espace"
WAGTAILADMIN_LOGIN_URL = "account_login"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kollektif <ne-pas-repondre@kollektif.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
KOLLEKTIF_STAFF_EMAILS = env_list("KOLLEKTIF_STAFF_EMAILS", ["equipe@kollektif.org"])
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# The operator of the platform, named on the legal pages (/mentions-legales/, /confidentialite/):
# LCEN art. 6 III (publisher, publication director, host) and GDPR art. 13 (controller, DPO
# contact). The defaults describe the demo; a real deployment sets every one of them.
KOLLEKTIF_OPERATOR_NAME = env_str(
    "KOLLEKTIF_OPERATOR_NAME", "Indelab (SCIC SAS), pour le réseau de l'ESS du Pas-de-Calais"
)
KOLLEKTIF_OPERATOR_LEGAL_FORM = env_str("KOLLEKTIF_OPERATOR_LEGAL_FORM", "Société coopérative d'intérêt collectif")
KOLLEKTIF_OPERATOR_ADDRESS = env_str("KOLLEKTIF_OPERATOR_ADDRESS", "Adresse de démonstration, 62000 Arras")
KOLLEKTIF_OPERATOR_SIREN = env_str("KOLLEKTIF_OPERATOR_SIREN", "000 000 000 (démonstration)")
KOLLEKTIF_OPERATOR_EMAIL = env_str("KOLLEKTIF_OPERATOR_EMAIL", "contact@kollektif.org")
KOLLEKTIF_OPERATOR_PHONE = env_str("KOLLEKTIF_OPERATOR_PHONE", "03 21 00 00 00")
KOLLEKTIF_OPERATOR_DIRECTOR = env_str("KOLLEKTIF_OPERATOR_DIRECTOR", "La présidence d'Indelab (démonstration)")
KOLLEKTIF_OPERATOR_DPO_EMAIL = env_str("KOLLEKTIF_OPERATOR_DPO_EMAIL", "donnees-personnelles@kollektif.org")
KOLLEKTIF_HOST_NAME = env_str("KOLLEKTIF_HOST_NAME", "OVH SAS")
KOLLEKTIF_HOST_ADDRESS = env_str("KOLLEKTIF_HOST_ADDRESS", "2 rue Kellermann, 59100 Roubaix, France")
KOLLEKTIF_HOST_PHONE = env_str("KOLLEKTIF_HOST_PHONE", "1007")

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}

# Maps: tiles are configurable; Leaflet itself is always served from our static files.
GEO_WIDGET_DEFAULT_LOCATION = {"lat": 50.49, "lng": 2.55}
GEO_WIDGET_ZOOM = 9
GEO_WIDGET_LEAFLET_TILE_LAYER = env_str("KOLLEKTIF_TILE_URL", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
GEO_WIDGET_LEAFLET_TILE_LAYER_OPTIONS = {
    "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
}
# Directory (annuaire): tile attribution shown on the public map, months of silence before an
# ambassador shows in the "réseau de veille", contributions allowed per IP and per hour.
KOLLEKTIF_TILE_ATTRIBUTION = env_str(
    "KOLLEKTIF_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
# Optional address geocoder (e.g. https://api-adresse.data.gouv.fr/search/); empty: actors are
# placed at their commune's centre, marked approximate (associations/geocoding.py).
KOLLEKTIF_GEOCODER_URL = env_str("KOLLEKTIF_GEOCODER_URL", "")
KOLLEKTIF_WATCH_MONTHS = env_int("KOLLEKTIF_WATCH_MONTHS", 6)
KOLLEKTIF_CONTRIBUTION_RATE = env_str("KOLLEKTIF_CONTRIBUTION_RATE", "5/h")

FORMAT_MODULE_PATH = ["kernel.formats"]

SITE_TAGLINE = _("Un site gratuit pour chaque association du Pas-de-Calais")

WAGTAILEMBEDS_FINDERS = [{"class": "site_kollektif.embeds.ResilientOEmbedFinder"}]

# Stripe: the platform's keys come from the environment. Without them the project talks to
# the embedded Stripe-compatible server (localstripe) started by the demo and the tests.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
# The mail provider's bounce notifications (campagnes/mailing_views.py): a shared secret sent as
# "Authorization: Bearer <token>"; empty: the endpoint answers 404.
KOLLEKTIF_BOUNCE_WEBHOOK_TOKEN = env_str("KOLLEKTIF_BOUNCE_WEBHOOK_TOKEN", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "whsec_localstripe")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "http://127.0.0.1:8420")  # empty for real Stripe
STRIPE_JS_URL = env_str("STRIPE_JS_URL", "http://127.0.0.1:8420/js.stripe.com/v3/")
# Direct charges on each association's Standard account; localstripe has no Connect.
STRIPE_CONNECT_ENABLED = env_str("STRIPE_CONNECT_ENABLED", "0") == "1"
# Estimated card fee shown to a payer who chooses to cover it (European cards).
KOLLEKTIF_CARD_FEE_PERCENT = "1.5"
KOLLEKTIF_CARD_FEE_FIXED_CENTS = 25
# A payment attempt left unpaid this long (card form abandoned or refused) is closed by the
# task worker on its own, and its places go back on sale (campagnes/services/expiry.py).
KOLLEKTIF_PAYMENT_EXPIRY_MINUTES = env_int("KOLLEKTIF_PAYMENT_EXPIRY_MINUTES", 120)

# Receipts (issue #4).
# Tolerance for counterparts (BOI-IR-RICI-250-20, III-D "Contreparties prenant la forme d'un bien
# ou d'une prestation de services"; see docs/receipts.md): a gift keeps its tax receipt, for its
# whole amount, when the counterparts' value is at most a quarter of the payment and, summed per
# donor, association and calendar year, at most a yearly cap. The cap is the "cadeaux de faible
# valeur" figure of CGI ann. IV art. 23 N / 28-00 A, revised every five years with consumer prices
# (arrêté BUDF0500039A of 12 Oct 2005, art. 3): 65 € (2011), 69 € (arrêté of 10 June 2016),
# 73 € since 1 January 2021 (BOFiP update of 17 May 2021, BOI-IR-RICI-390 § 220; Admical,
# "Réévaluation de 69 € à 73 €", 2021). Checked 28 Nov 2026: no newer figure found, so 73 € is
# kept for 2026; the five-yearly revision fell due on 1 January 2026 — check the BOFiP and set
# KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS as soon as a new figure is published.
KOLLEKTIF_COUNTERPART_TOLERANCE_PERCENT = 25
KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS = env_int("KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS", 7300)
# Receipts and their data are kept 6 years (livre des procédures fiscales, art. L102 B).
KOLLEKTIF_RECEIPT_RETENTION_YEARS = 6
# "Mes reçus": a one-time link valid this many minutes, then a session this many minutes.
KOLLEKTIF_RECEIPT_LINK_MINUTES = 60
KOLLEKTIF_RECEIPT_SESSION_MINUTES = 60
KOLLEKTIF_RECEIPT_EMAIL_ATTEMPTS = 5
# Volunteers' car expenses given up (abandon de frais): since the revenues of 2022 the specific
# volunteers' scale is gone and volunteers use the salaried workers' "barème forfaitaire" of
# CGI annexe IV art. 6 B (BOI-BAREME-000001; loi n° 2022-1157 du 16 août 2022, art. 21 — the
# 0,335 €/km style single rate no longer exists). Rates set by the arrêté du 27 mars 2023, kept
# unchanged for the revenues of 2023, 2024 and 2025 (brochure pratique IR 2025 and 2026, checked
# 28 November 2026). Per fiscal horsepower (7 = 7 CV and more), for the distance d of the year:
# d <= 5 000 km: d × rate1; 5 001 to 20 000 km: d × rate2 + constant; beyond: d × rate3. Rates in
# thousandths of a euro per km, constant in euros. Update this when the administration publishes a new scale.
KOLLEKTIF_VOLUNTEER_MILEAGE_SCALE_YEAR = 2025
KOLLEKTIF_VOLUNTEER_MILEAGE_SCALE = {
    3: (529, 316, 1065, 370),
    4: (606, 340, 1330, 407),
    5: (636, 357, 1395, 427),
    6: (665, 374, 1457, 447),
    7: (697, 394, 1515, 470),
}
# Every other e-mail (invitations, payment confirmations…) is kept in an outbox until it leaves:
# a failure is recorded, retried this many times, and shown in the admin (kernel.mail).
KOLLEKTIF_EMAIL_ATTEMPTS = 5
# Sent e-mails are kept this many days (subject, recipient, status; the body is dropped once sent).
KOLLEKTIF_EMAIL_RETENTION_DAYS = 90

# --- Scale-out (issue #6): each integration switches on through its own variable ----------

# Public pages kept in the cache this many seconds (0: off), purged on publish (page_cache.py).
KOLLEKTIF_PAGE_CACHE_SECONDS = env_int("KOLLEKTIF_PAGE_CACHE_SECONDS", 0)

# The same pages in the front proxy or CDN (kernel/page_cache.py, docs/deploy.md): answered
# `Cache-Control: public, max-age=<browser>, s-maxage=<edge>, stale-while-revalidate=<stale>`
# (0: off, every page `private` as before), purged on the same events through Wagtail's
# frontend_cache (associations/edge_purge.py). Browsers keep a page briefly: no purge reaches them.
KOLLEKTIF_EDGE_CACHE_SECONDS = env_int("KOLLEKTIF_EDGE_CACHE_SECONDS", 0)
KOLLEKTIF_BROWSER_CACHE_SECONDS = env_int("KOLLEKTIF_BROWSER_CACHE_SECONDS", 60)
KOLLEKTIF_EDGE_STALE_SECONDS = env_int("KOLLEKTIF_EDGE_STALE_SECONDS", 30)
# Campaign progress, fetched by the cached pages: this many seconds old at most (campagnes/progress_feed.py).
KOLLEKTIF_PROGRESS_FEED_SECONDS = env_int("KOLLEKTIF_PROGRESS_FEED_SECONDS", 5)

# Where purges go (wagtail.contrib.frontend_cache), each backend switched on by its variables:
# a Varnish or nginx that accepts PURGE (the HTTP backend), Cloudflare, CloudFront.
WAGTAILFRONTENDCACHE: dict[str, dict[str, str]] = {}
if env_str("KOLLEKTIF_PURGE_URL"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env_str("KOLLEKTIF_PURGE_URL"),  # e.g. http://127.0.0.1:6081 (Varnish)
    }
if env_str("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": env_str("CLOUDFLARE_ZONE_ID"),
        "BEARER_TOKEN": env_str("CLOUDFLARE_API_TOKEN", ""),  # a token allowed "Zone › Cache Purge"
    }
if env_str("CLOUDFRONT_DISTRIBUTION_ID"):
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": env_str("CLOUDFRONT_DISTRIBUTION_ID"),  # credentials: boto3's usual AWS_* variables
    }
if WAGTAILFRONTENDCACHE:
    # Wagtail's own purge of a published or unpublished page (its canonical URL). Only with a
    # backend: installed without one, it would still queue a task at every publication for nothing.
    # associations/edge_purge.py purges every host of the association's pages in any case.
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")

# The cache is shared by every process (server workers, task workers): rate limits, cached pages,
# and the Wagtail site root paths and served domains, so a custom domain set in the admin is
# served at once by every process (associations/domains.py). Redis when REDIS_URL (or
# KOLLEKTIF_CACHE_URL) is set; otherwise files on this machine (the demo, a single server).
REDIS_URL = env_str("REDIS_URL")
KOLLEKTIF_CACHE_URL = env_str("KOLLEKTIF_CACHE_URL", REDIS_URL)
if KOLLEKTIF_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KOLLEKTIF_CACHE_URL,
            "KEY_PREFIX": "kollektif",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("KOLLEKTIF_CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "KEY_PREFIX": "kollektif",
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Tasks at scale: TASKS_BACKEND=django_tasks_rq.RQBackend puts e-mails and receipts on a Redis
# queue (workers: `manage.py rqworker default --job-class django_tasks_rq.Job`); the database
# queue stays the default.
RQ_QUEUES = {
    "default": {"URL": env_str("KOLLEKTIF_RQ_URL", REDIS_URL or "redis://127.0.0.1:6379/6"), "DEFAULT_TIMEOUT": 300}
}

# A read replica for anonymous public reads (site_kollektif/db_router.py).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["site_kollektif.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(0, "site_kollektif.db_router.PublicReadMiddleware")

# S3-compatible object storage (django-storages): public media, and private files (receipts,
# signatures) in their own bucket, downloaded through the app or short-lived signed URLs.
S3_BUCKET = env_str("KOLLEKTIF_S3_BUCKET")
if S3_BUCKET:
    _s3 = {
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
        "region_name": env_str("AWS_S3_REGION_NAME"),
        "access_key": env_str("AWS_ACCESS_KEY_ID"),
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
    }
    _s3 = {key: value for key, value in _s3.items() if value}
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": S3_BUCKET,
            "querystring_auth": False,
            "file_overwrite": False,
            "custom_domain": env_str("KOLLEKTIF_S3_PUBLIC_DOMAIN"),
        },
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": env_str("KOLLEKTIF_S3_PRIVATE_BUCKET", S3_BUCKET),
            "location": "prive",
            "querystring_auth": True,
            "querystring_expire": 300,
            "default_acl": "private",
            "file_overwrite": False,
        },
    }

# Search: PostgreSQL full text through Wagtail's database backend; OpenSearch/Elasticsearch when
# configured (install the `elasticsearch>=8,<9` client on those servers).
SEARCH_URL = env_str("KOLLEKTIF_SEARCH_URL")
if SEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [SEARCH_URL],
            "INDEX": env_str("KOLLEKTIF_SEARCH_INDEX", "kollektif"),
            "TIMEOUT": 5,
        }
    }

# Logs: JSON lines on stderr (site_kollektif/logs.py), secrets masked.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "site_kollektif.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env_str("KOLLEKTIF_LOG_FORMAT", "plain")}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "kollektif": {"handlers": ["console"], "level": env_str("KOLLEKTIF_LOG_LEVEL", "INFO"), "propagate": False}
    },
}
