from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    """The shared kernel: code every app uses (blocks, mail, formats, palette, storage, page cache…).

    It imports no app of the project (checked by import-linter, see pyproject.toml). Its one model,
    the e-mail outbox, keeps the app label ``site_kollektif`` (kernel/models.py says why).
    """

    name = "kernel"
    verbose_name = _("Noyau commun")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's rule: models are imported once the registry is ready, hence here.
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction, Site

        from kernel.page_cache import purge_after_view_restriction_change
        from kernel.serving import forget_sites_on_change

        for signal in (post_save, post_delete):
            signal.connect(
                purge_after_view_restriction_change,
                sender=PageViewRestriction,
                dispatch_uid=f"kollektif-page-cache-privacy-{signal is post_save}",
            )
            # the Site rows kept in the shared cache for the router (kernel/serving.py)
            signal.connect(forget_sites_on_change, sender=Site, dispatch_uid=f"kollektif-sites-{signal is post_save}")
