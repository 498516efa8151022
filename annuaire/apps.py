from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnuaireConfig(AppConfig):
    name = "annuaire"
    verbose_name = _("Annuaire et réseau")
    default_auto_field = "django.db.models.BigAutoField"
