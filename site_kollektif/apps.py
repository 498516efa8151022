from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteKollektifConfig(AppConfig):
    """The project: settings, URLs, the platform's own pages (home, index, content pages)."""

    name = "site_kollektif"
    verbose_name = _("Plateforme Kollektif")
    default_auto_field = "django.db.models.BigAutoField"
