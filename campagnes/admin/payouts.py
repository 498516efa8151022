"""The treasurers' "Virements": each Stripe payout as the bank statement shows it, the payments,
refunds and fees it is made of, what is still waiting at Stripe, and a CSV per payout to tick
the bank statement off.

Who sees it: the association's Trésoriers (the money permission) and platform staff, as for the
payments (``AssociationRecordPermissionPolicy``); a payout of another association is a 404
(``associations.admin_guard`` through ``campagnes/tenancy.py``, and every query is scoped).
The figures are read by ``campagnes.payouts_selectors``; "Actualiser" runs
``campagnes.services.payouts.payouts_sync``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from associations.models import Association
from associations.selectors import associations_with_money_of, user_is_platform_staff
from campagnes import exports
from campagnes import stripe_gateway as gateway
from campagnes.models import StripePayout
from campagnes.money import to_euros
from campagnes.payouts_selectors import (
    Line,
    Totals,
    payout_lines,
    payout_matches,
    payout_totals,
    payouts_with_totals,
    pending_lines,
    pending_summary,
    visible_payouts,
)
from campagnes.permissions import AssociationRecordPermissionPolicy
from campagnes.services.payouts import payouts_sync
from kernel.formats.french import french_date, french_datetime
from kernel.pagination import paginate
from kernel.params import int_param

PAYOUTS_NAMESPACE = "virements"
PER_PAGE = 25

policy = AssociationRecordPermissionPolicy(StripePayout)


def _require(request: HttpRequest) -> None:
    if not policy.user_has_permission(request.user, "view"):
        raise PermissionDenied


def _associations(request: HttpRequest):
    if user_is_platform_staff(request.user):
        return Association.objects.exclude(stripe_account_id="").order_by("name")
    return associations_with_money_of(request.user).order_by("name")


def _association_for(request: HttpRequest) -> Association | None:
    """The association the page is about; None when the user must choose among several."""
    allowed = (
        Association.objects.all() if user_is_platform_staff(request.user) else associations_with_money_of(request.user)
    )
    chosen = int_param(request, "association", minimum=1)
    if chosen is not None:
        return get_object_or_404(allowed, pk=chosen)
    if not user_is_platform_staff(request.user) and allowed.count() == 1:
        return allowed.get()
    return None


def _choose(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(
        request,
        "campagnes/admin/receipts_choose_association.html",
        {"title": _("Virements"), "associations": list(_associations(request).only("pk", "name"))},
    )


def index(request: HttpRequest) -> HttpResponse:
    """The payouts, newest first, with what is still waiting at Stripe."""
    _require(request)
    association = _association_for(request)
    if association is None:
        return _choose(request)
    payouts = payouts_with_totals(StripePayout.objects.filter(association=association))
    paginator, page = paginate(request, payouts, PER_PAGE)
    rows = [{"payout": payout, "totals": Totals.of(payout)} for payout in page.object_list]
    return TemplateResponse(
        request,
        "campagnes/admin/payouts_index.html",
        {
            "association": association,
            "rows": rows,
            "page": page,
            "paginator": paginator,
            "summary": pending_summary(association),
            "connected": bool(association.stripe_account_id),
            "refresh_url": reverse(f"{PAYOUTS_NAMESPACE}:refresh"),
            "pending_url": reverse(f"{PAYOUTS_NAMESPACE}:pending") + f"?association={association.pk}",
            "several": _associations(request).count() > 1,
        },
    )


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """ "Actualiser": read the payouts from Stripe now (a webhook usually did already)."""
    _require(request)
    association = _association_for(request)
    if association is None:
        raise Http404(_("Choisissez une association."))
    back = reverse(f"{PAYOUTS_NAMESPACE}:index") + f"?association={association.pk}"
    try:
        report = payouts_sync(association=association)
    except gateway.GatewayError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    message = ngettext(
        "Virements à jour : %(count)s virement lu chez Stripe.",
        "Virements à jour : %(count)s virements lus chez Stripe.",
        report.payouts,
    ) % {"count": report.payouts}
    messages.success(request, message)
    if report.unmatched:
        messages.warning(
            request,
            ngettext(
                "%(count)s mouvement Stripe ne correspond à aucun paiement de l'association.",
                "%(count)s mouvements Stripe ne correspondent à aucun paiement de l'association.",
                report.unmatched,
            )
            % {"count": report.unmatched},
        )
    return redirect(back)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One payout: its lines, their totals, and whether they add up to the bank's amount."""
    _require(request)
    payout = get_object_or_404(visible_payouts(request.user).select_related("association"), pk=pk)
    totals = payout_totals(payout)
    return TemplateResponse(
        request,
        "campagnes/admin/payout_detail.html",
        {
            "association": payout.association,
            "payout": payout,
            "totals": totals,
            "matches": payout_matches(payout, totals),
            "lines": payout_lines(payout),
            "csv_url": reverse(f"{PAYOUTS_NAMESPACE}:csv", args=[payout.pk]),
            "index_url": reverse(f"{PAYOUTS_NAMESPACE}:index") + f"?association={payout.association_id}",
            "refresh_url": reverse(f"{PAYOUTS_NAMESPACE}:refresh"),
        },
    )


def pending(request: HttpRequest) -> HttpResponse:
    """The movements still on the Stripe balance: they will go out with the next payouts."""
    _require(request)
    association = _association_for(request)
    if association is None:
        return _choose(request)
    summary = pending_summary(association)
    if request.GET.get("format") == "csv":
        filename = f"en-attente-{association.slug}"
        return _csv_response(filename, _table(pending_lines(association)))
    return TemplateResponse(
        request,
        "campagnes/admin/payout_detail.html",
        {
            "association": association,
            "payout": None,
            "totals": summary.totals,
            "summary": summary,
            "lines": pending_lines(association),
            "csv_url": reverse(f"{PAYOUTS_NAMESPACE}:pending") + f"?association={association.pk}&format=csv",
            "index_url": reverse(f"{PAYOUTS_NAMESPACE}:index") + f"?association={association.pk}",
        },
    )


def detail_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The payout's lines for the bank reconciliation (and the accountant's spreadsheet)."""
    _require(request)
    payout = get_object_or_404(visible_payouts(request.user), pk=pk)
    filename = f"virement-{payout.arrival_date:%Y-%m-%d}-{payout.stripe_id}"
    return _csv_response(filename, _table(payout_lines(payout), payout=payout))


def _table(lines: list[Line], *, payout: StripePayout | None = None) -> tuple[list[str], list[list]]:
    headers = [
        _("Virement Stripe"),
        _("Date sur le relevé"),
        _("Montant du virement (€)"),
        _("Date"),
        _("Type"),
        _("Payeur"),
        _("Campagne"),
        _("N° de reçu"),
        _("N° de paiement"),
        _("Référence Stripe"),
        _("Brut (€)"),
        _("Frais Stripe (€)"),
        _("Net (€)"),
        _("Disponible le"),
        _("Libellé Stripe"),
    ]
    rows = [
        [
            payout.stripe_id if payout else "",
            french_date(payout.arrival_date) if payout else "",
            to_euros(payout.amount_cents) if payout else "",
            french_datetime(line.created_at),
            line.label,
            line.payer_name,
            line.campaign,
            line.receipt_number,
            line.payment_id or "",
            line.source_id or line.stripe_id,
            to_euros(line.amount_cents),
            to_euros(line.fee_cents),
            to_euros(line.net_cents),
            french_date(line.available_on),
            line.description,
        ]
        for line in lines
    ]
    return headers, rows


def _csv_response(filename: str, table: tuple[list[str], list[list]]) -> HttpResponse:
    response = HttpResponse(exports.render_csv(*table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def urls():
    patterns = [
        path("", index, name="index"),
        path("actualiser/", refresh, name="refresh"),
        path("en-attente/", pending, name="pending"),
        path("<int:pk>/", detail, name="inspect"),
        path("<int:pk>/csv/", detail_csv, name="csv"),
    ]
    return [path("virements/", include((patterns, PAYOUTS_NAMESPACE), namespace=PAYOUTS_NAMESPACE))]


class PayoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.user_has_permission(request.user, "view")


def payouts_menu_item() -> PayoutsMenuItem:
    """Next to "Paiements" and "Reçus", for the same people."""
    return PayoutsMenuItem(
        gettext_lazy("Virements"),
        reverse_lazy(f"{PAYOUTS_NAMESPACE}:index"),
        name="virements",
        icon_name="resubmit",
        order=164,
    )
