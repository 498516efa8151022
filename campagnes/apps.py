from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampagnesConfig(AppConfig):
    name = "campagnes"
    verbose_name = _("Campagnes et paiements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # admin URLs of the Stripe Connect screens (hooks registered at import)
        from campagnes import connect_views  # noqa: F401
