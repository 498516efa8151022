"""Admin integration for campaigns: the treasurers' areas (``campagnes.admin``), their
permission policies (``campagnes.permissions``) and the dashboard panel."""

from __future__ import annotations

from django.contrib import messages
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.permissions import register_permission_policy

from associations import selectors
from campagnes.admin.accounting import accounting_menu_item
from campagnes.admin.accounting import admin_urls as accounting_urls
from campagnes.admin.assembly import assembly_menu_item
from campagnes.admin.assembly import urlpatterns as assembly_urlpatterns
from campagnes.admin.contacts import admin_urls as contacts_admin_urls
from campagnes.admin.contacts import contacts_menu_item
from campagnes.admin.embed import embed_admin_view
from campagnes.admin.members import member_viewset
from campagnes.admin.payments import PaymentsDashboardPanel, payment_viewset
from campagnes.admin.payouts import payouts_menu_item
from campagnes.admin.payouts import urls as payout_urls
from campagnes.admin.receipts import policy as receipt_policy
from campagnes.admin.receipts import receipt_viewset
from campagnes.admin.tickets import CheckInDashboardPanel, check_in_menu_item, ticket_viewset
from campagnes.models import CampaignPage, Membership, Payment, Receipt, Ticket
from campagnes.permissions import AssociationRecordPermissionPolicy, PaymentPermissionPolicy, TicketPermissionPolicy
from campagnes.receipts.counterparts import counterparts_over_tolerance

register_permission_policy(Payment, PaymentPermissionPolicy(Payment))
register_permission_policy(Membership, AssociationRecordPermissionPolicy(Membership))
register_permission_policy(Ticket, TicketPermissionPolicy(Ticket))
register_permission_policy(Receipt, receipt_policy)


@hooks.register("register_admin_viewset")
def register_payment_viewset():
    return payment_viewset


@hooks.register("register_admin_viewset")
def register_member_and_ticket_viewsets():
    # "Adhérents" (namespace "adherents"), "Billets" (namespace "billets", check-in page included),
    # "Reçus" (namespace "recus": register, declaration, ZIP, manual gifts and import)
    return [member_viewset, ticket_viewset, receipt_viewset]


@hooks.register("register_admin_urls")
def register_contacts_urls():
    # "Contacts et envois": members and donors by list, exports, mailings (namespaces "contacts", "envois")
    return contacts_admin_urls()


@hooks.register("register_admin_menu_item")
def register_contacts_menu_item():
    return contacts_menu_item()


@hooks.register("register_admin_urls")
def register_accounting_urls():
    return accounting_urls()  # "Comptabilité": entries, FEC, Paheko CSV, accounts, financial years


@hooks.register("register_admin_menu_item")
def register_accounting_menu_item():
    return accounting_menu_item()


@hooks.register("register_admin_menu_item")
def register_check_in_menu_item():
    return check_in_menu_item()


@hooks.register("register_admin_menu_item")
def register_payouts_menu_item():
    return payouts_menu_item()


@hooks.register("register_admin_urls")
def register_payout_urls():
    # "Virements" (namespace "virements"): payouts, their lines, the pending balance, CSV
    return payout_urls()


@hooks.register("register_admin_urls")
def register_assembly_urls():
    # "Chiffres pour l'assemblée générale" (namespace "assemblee_generale": the page and its PDF)
    return assembly_urlpatterns()


@hooks.register("register_admin_menu_item")
def register_assembly_menu_item():
    return assembly_menu_item()


@hooks.register("construct_homepage_panels")
def add_check_in_panel(request, panels):
    """A volunteer at the door (no money) lands on the admin's dashboard: the events to check."""
    user = request.user
    if selectors.user_is_platform_staff(user) or selectors.associations_with_money_of(user).exists():
        return  # treasurers reach the check-in page from "Billets" and the menu
    if selectors.associations_checking_in_of(user).exists():
        panels.insert(0, CheckInDashboardPanel(request))


@hooks.register("construct_homepage_panels")
def add_payments_panel(request, panels):
    if selectors.associations_with_money_of(request.user).exists():  # the treasurers' own campaigns
        panels.append(PaymentsDashboardPanel(request, index_url=reverse(payment_viewset.get_url_name("index"))))


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_generous_counterparts(request, page):
    """The campaign form warns (without refusing) when a counterpart exceeds the tax tolerance."""
    for warning in counterparts_over_tolerance(page.specific):
        messages.warning(request, warning)


class EmbedMenuItem(PageMenuItem):
    """« Intégrer sur votre site », in a campaign's header menu and its row's "more" menu."""

    label = gettext_lazy("Intégrer sur votre site")
    icon_name = "code"
    url_name = "kollektif_embed:snippet"
    priority = 35

    def is_shown(self, user) -> bool:
        return self.page.specific_deferred.permissions_for_user(user).can_edit()


def _is_campaign(page) -> bool:
    return issubclass(page.specific_class or type(page), CampaignPage)


@hooks.register("register_page_header_buttons")
def campaign_embed_header_button(page, user, view_name, next_url=None):
    if _is_campaign(page):
        yield EmbedMenuItem(page=page)


@hooks.register("register_page_listing_more_buttons")
def campaign_embed_listing_button(page, user, next_url=None):
    if _is_campaign(page):
        yield EmbedMenuItem(page=page)


@hooks.register("register_admin_urls")
def register_embed_urls():
    return [
        path(
            "campagnes/",
            include(
                ([path("integrer/<int:page_id>/", embed_admin_view, name="snippet")], "kollektif_embed"),
                namespace="kollektif_embed",
            ),
        )
    ]
