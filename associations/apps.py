from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from associations.references import use_tenant_page_form

        use_tenant_page_form()  # every page form checks that its references belong to the association
