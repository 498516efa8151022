from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnuaireConfig(AppConfig):
    name = "annuaire"
    verbose_name = _("Annuaire et réseau")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models may only be imported once the registry is ready.
        from annuaire import receivers, tenancy

        receivers.connect()  # the actor follows the association (associations/events.py)
        tenancy.register()  # the directory's admin areas: animators and staff only
