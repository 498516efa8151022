"""The demo: embedded SQLite, console e-mails, debug pages."""

from site_kollektif.env import env_list, env_str
from site_kollektif.hosts import AllowedHosts

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "demo-only-not-secret-kollektif")
ALLOWED_HOSTS = AllowedHosts(env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "*"]))

WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)

# E-mails and other tasks go through the database queue; `python3 dev.py demo` starts a worker.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# A readable console (site_kollektif/demo_console.py): each e-mail as a summary (recipient, subject,
# links, attachments by name), and the worker's task runs not listed one by one.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "site_kollektif.demo_console.SummaryEmailBackend")
LOGGING = {
    **LOGGING,  # noqa: F405
    "filters": {"quiet_task_runs": {"()": "site_kollektif.demo_console.QuietTaskRuns"}},
    "handlers": {
        name: {**handler, "filters": ["quiet_task_runs"]}
        for name, handler in LOGGING["handlers"].items()  # noqa: F405
    },
}

KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP = True  # a host page on http://127.0.0.1 may frame a campaign
