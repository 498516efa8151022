from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models may only be imported once the registry is ready.
        from associations.references import use_tenant_page_form
        from associations.tenancy_declarations import declare

        declare()  # pages, media, collections and the association record (associations/tenancy.py)
        use_tenant_page_form()  # every page form checks that its references belong to the association

        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from associations.domains import site_saved_or_deleted

        # a Site edited in Settings › Sites: every process serves (or stops serving) it at once
        post_save.connect(site_saved_or_deleted, sender=Site, dispatch_uid="kollektif_site_saved")
        post_delete.connect(site_saved_or_deleted, sender=Site, dispatch_uid="kollektif_site_deleted")

        from associations.edge_purge import purge_edge
        from kernel.page_cache import pages_purged

        # stale pages leave the front proxy or CDN too, on every host that serves them
        pages_purged.connect(purge_edge, dispatch_uid="kollektif_edge_purge")
