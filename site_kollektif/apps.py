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
