from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteKollektifConfig(AppConfig):
    """The project: settings, URLs, the platform's own pages (home, index, content pages)."""

    name = "site_kollektif"
    verbose_name = _("Plateforme Kollektif")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models may only be imported once the registry is ready.
        from associations import selectors, tenancy

        # The outbox lists every association's recipients: platform staff only.
        tenancy.register_restricted_area(selectors.user_is_platform_staff, namespaces=("emails",))

        from django.db.models.signals import post_migrate

        from site_kollektif.hosts import sync_default_site

        # every `migrate` (deploy, `dev.py demo`) gives the default Site KOLLEKTIF_BASE_URL's host
        post_migrate.connect(sync_default_site, sender=self, dispatch_uid="kollektif_sync_default_site")
