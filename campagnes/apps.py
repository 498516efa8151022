from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampagnesConfig(AppConfig):
    name = "campagnes"
    verbose_name = _("Campagnes et paiements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models may only be imported once the registry is ready.
        from campagnes import (
            connect_views,  # noqa: F401  (admin URLs of the Stripe Connect screens)
            page_views,
            tenancy,
        )
        from campagnes.models.campaigns import CampaignPage, Counterpart
        from campagnes.receipts.counterparts import counterpart_verdict

        CampaignPage.public_views = page_views
        Counterpart.tolerance_verdict = staticmethod(counterpart_verdict)
        tenancy.register()  # payments, members, tickets, receipts: their association's treasurers
