from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteKollektifConfig(AppConfig):
    name = "site_kollektif"
    verbose_name = _("Plateforme Kollektif")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction

        from site_kollektif.page_cache import purge_after_view_restriction_change

        for signal in (post_save, post_delete):
            signal.connect(purge_after_view_restriction_change, sender=PageViewRestriction,
                           dispatch_uid=f"kollektif-page-cache-privacy-{signal is post_save}")
