"""The treasurers' "Reçus" area: the register, one receipt, a year's ZIP, the declaration
figures, manual gifts (typed or imported) and the annual summaries.

Receipts are read-only records: they change only through ``campagnes.receipts.services``
(cancel, correct, summarise). Who sees what follows the payments' rule: the association's
Trésoriers (the money permission, behind 2FA), and platform staff; never its Éditeurs.
"""

from __future__ import annotations

import io
import zipfile

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets.button import HeaderButton

from associations.models import Association
from associations.selectors import associations_with_money_of, user_is_platform_staff
from campagnes import exports
from campagnes.admin.forms import CancelForm, ImportForm
from campagnes.admin.listing import (
    AssociationFilterSet,
    AssociationListingMixin,
    ReadOnlyRecordViewSet,
    association_filter,
)
from campagnes.models import Receipt, ReceiptKind, ReceiptStatus
from campagnes.money import format_eur
from campagnes.permissions import ReceiptPermissionPolicy
from campagnes.receipts import services
from campagnes.receipts.delivery import pdf_bytes
from campagnes.receipts.manual_gifts import (
    ImportFileError,
    ManualGiftForm,
    VolunteerExpensesForm,
    manual_gift_record,
    manual_gifts_import,
    volunteer_expenses_record,
)
from campagnes.receipts.non_cash import expense_lines
from campagnes.receipts.pdf.statement import renunciation_statement_pdf
from campagnes.receipts.views import pdf_response
from campagnes.selectors import visible_receipts
from kernel.formats.french import french_date
from kernel.params import int_param

RECEIPTS_NAMESPACE = "recus"


policy = ReceiptPermissionPolicy(Receipt)


def _year_choices():
    return [(year, str(year)) for year in services.year_choices()]


class ReceiptFilterSet(AssociationFilterSet):
    gift_year = django_filters.ChoiceFilter(
        label=gettext_lazy("Année des dons"), choices=_year_choices, empty_label=gettext_lazy("Toutes")
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Type"), choices=ReceiptKind.choices, empty_label=gettext_lazy("Tous")
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Statut"), choices=ReceiptStatus.choices, empty_label=gettext_lazy("Tous")
    )
    association = association_filter(Receipt)

    class Meta:
        model = Receipt
        fields = ["gift_year", "kind", "status", "association"]


class ReceiptIndexView(AssociationListingMixin, IndexView):
    export_name = "registre-des-recus"
    export_title = gettext_lazy("Registre des reçus")
    page_title = gettext_lazy("Reçus")
    search_fields = ["number", "donor_name", "donor_email"]
    search_backend_name = None
    default_ordering = "-issued_at"
    show_export_buttons = True
    any_permission_required = ["view"]

    def export_table(self, queryset):
        return exports.register_table(queryset)

    def get_base_queryset(self):
        return visible_receipts(self.request.user).select_related("association")

    @cached_property
    def header_buttons(self):
        name = RECEIPTS_NAMESPACE
        return [
            HeaderButton(_("Enregistrer un don reçu"), url=reverse(f"{name}:manual_gift"), icon_name="plus"),
            HeaderButton(_("Importer des dons"), url=reverse(f"{name}:import"), icon_name="upload"),
            HeaderButton(
                _("Abandon de frais d'un bénévole"), url=reverse(f"{name}:volunteer_expenses"), icon_name="plus"
            ),
            HeaderButton(_("Déclaration annuelle et ZIP"), url=reverse(f"{name}:declaration"), icon_name="doc-full"),
        ]

    @cached_property
    def columns(self):
        columns = [
            TitleColumn("number", label=_("N°"), get_url=self.get_inspect_url, sort_key="number"),
            Column("issued_at", label=_("Émis le"), accessor=lambda r: french_date(r.issued_at), sort_key="issued_at"),
            Column("kind", label=_("Type"), accessor="get_kind_display", sort_key="kind"),
            Column("donor_name", label=_("Donateur"), sort_key="donor_name"),
            Column(
                "amount", label=_("Montant"), accessor=lambda r: format_eur(r.amount_cents), sort_key="amount_cents"
            ),
            Column(
                "deductible",
                label=_("Déductible"),
                accessor=lambda r: format_eur(r.deductible_cents) if r.is_tax_receipt else "—",
                sort_key="deductible_cents",
            ),
            StatusTagColumn(
                "status",
                label=_("Statut"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda r: not r.is_cancelled,
            ),
        ]
        if self.shows_association:
            columns.insert(
                3,
                Column(
                    "association", label=_("Association"), accessor="association.name", sort_key="association__name"
                ),
            )
        return columns


# --- one receipt -----------------------------------------------------------------------------


class ReceiptDetailView(InspectView):
    template_name = "campagnes/admin/receipt_detail.html"
    page_title = gettext_lazy("Reçu")
    any_permission_required = ["view"]

    def get_fields(self):
        return []

    def get_object(self, queryset=None):
        queryset = visible_receipts(self.request.user).select_related("association", "replaces")
        return get_object_or_404(queryset, pk=self.pk)

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        receipt = self.object
        context.update(
            {
                "receipt": receipt,
                "document": receipt.document,
                "items": receipt.items.select_related("payment"),
                "corrections": receipt.corrections.all(),
                "pdf_url": reverse(f"{RECEIPTS_NAMESPACE}:pdf", args=[receipt.pk]),
                "cancel_form": kwargs.get("cancel_form") or CancelForm(),
                "can_cancel": not receipt.is_cancelled
                and policy.user_has_permission_for_instance(self.request.user, "cancel", receipt),
                "issued_at": french_date(receipt.issued_at),
                "cancelled_at": french_date(receipt.cancelled_at),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not policy.user_has_permission_for_instance(request.user, "cancel", self.object):
            raise PermissionDenied
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(cancel_form=form), status=400)
        services.receipt_cancel(
            receipt=self.object, reason=form.cleaned_data["reason"], source=f"admin {request.user.pk}"
        )
        messages.success(request, _("Reçu n° %(number)s annulé.") % {"number": self.object.number})
        return redirect(request.path)


def receipt_pdf(request, pk: int):
    receipt = get_object_or_404(visible_receipts(request.user), pk=pk)
    return pdf_response(receipt, inline=request.GET.get("voir") == "1")


# --- association-level views -------------------------------------------------------------------


def _association_for(request) -> Association:
    """The association the page is about: asked for when the user sees several."""
    allowed = (
        Association.objects.all() if user_is_platform_staff(request.user) else associations_with_money_of(request.user)
    )
    chosen = int_param(request, "association", minimum=1)
    if chosen is not None:
        return get_object_or_404(allowed, pk=chosen)
    if allowed.count() == 1:
        return allowed.get()
    raise Http404(_("Choisissez une association."))


def _require(request, action: str) -> None:
    if not policy.user_has_permission(request.user, action):
        raise PermissionDenied


def _associations_menu(request) -> list[Association]:
    if user_is_platform_staff(request.user):
        return list(Association.objects.order_by("name").only("pk", "name"))
    return list(associations_with_money_of(request.user).order_by("name").only("pk", "name"))


def _needs_choice(request) -> bool:
    return int_param(request, "association", minimum=1) is None and len(_associations_menu(request)) != 1


def _choose(request, title: str):
    return TemplateResponse(
        request,
        "campagnes/admin/receipts_choose_association.html",
        {"title": title, "associations": _associations_menu(request)},
    )


def _year(request) -> int:
    year = int_param(request, "annee", minimum=2000, maximum=2100)
    return year if year is not None else timezone.localdate().year - 1


def declaration(request):
    _require(request, "view")
    if _needs_choice(request):
        return _choose(request, _("Déclaration annuelle"))
    association = _association_for(request)
    year = int_param(request, "annee", minimum=2000, maximum=2100)
    if year is None:  # the last accounting year closed, as the association's "exercice" runs
        year = services.last_closed_accounting_year(association=association)
    figures = services.declaration_figures(association=association, year=year)
    return TemplateResponse(
        request,
        "campagnes/admin/receipts_declaration.html",
        {
            "association": association,
            "year": year,
            "figures": figures,
            "years": services.year_choices(association),
            "zip_url": reverse(f"{RECEIPTS_NAMESPACE}:zip") + f"?association={association.pk}&annee={year}",
            "summary_url": reverse(f"{RECEIPTS_NAMESPACE}:annual_summaries"),
            "summaries_due": association.monthly_annual_summary and association.issues_tax_receipts,
            "pending_summaries": services.summary_donor_count(association=association, year=year)
            if association.monthly_annual_summary
            else 0,
        },
    )


def year_zip(request):
    _require(request, "view")
    association = _association_for(request)
    year = _year(request)
    receipts = Receipt.objects.filter(association=association, gift_year=year).order_by("year", "series", "sequence")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for receipt in receipts.iterator(chunk_size=200):
            archive.writestr(receipt.filename, pdf_bytes(receipt))
        headers, rows = exports.register_table(receipts)
        archive.writestr(f"registre-{year}.csv", exports.render_csv(headers, rows))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="recus-{association.slug}-{year}.zip"'
    return response


def annual_summaries(request):
    _require(request, "add")
    if request.method != "POST":
        return redirect(f"{RECEIPTS_NAMESPACE}:declaration")
    association = _association_for(request)
    year = _year(request)
    issued = services.receipts_issue_annual_summaries(association=association, year=year)
    messages.success(request, _("%(n)s reçu(s) annuel(s) %(year)s émis.") % {"n": issued, "year": year})
    return redirect(reverse(f"{RECEIPTS_NAMESPACE}:declaration") + f"?association={association.pk}&annee={year}")


def manual_gift(request):
    _require(request, "add")
    if _needs_choice(request):
        return _choose(request, _("Enregistrer un don reçu"))
    association = _association_for(request)
    form = ManualGiftForm(request.POST or None, association=association)
    if request.method == "POST":
        if form.is_valid():
            payment = manual_gift_record(association=association, data=form.cleaned_data, by=request.user)
            receipt = services.active_receipt_for(payment)
            messages.success(
                request,
                _("Don enregistré ; reçu n° %(number)s émis et envoyé à %(email)s.")
                % {"number": receipt.number if receipt else "—", "email": payment.email},
            )
            if receipt is not None:
                return redirect(f"{RECEIPTS_NAMESPACE}:inspect", receipt.pk)
            return redirect(f"{RECEIPTS_NAMESPACE}:index")
        status = 400
    else:
        status = 200
    return TemplateResponse(
        request, "campagnes/admin/receipts_manual_gift.html", {"form": form, "association": association}, status=status
    )


def _statement_response(association: Association, form: VolunteerExpensesForm) -> HttpResponse:
    """The pre-filled statement for the volunteer to sign, as a PDF download."""
    data = form.cleaned_data
    commune = association.commune.name if association.commune_id else ""
    content = renunciation_statement_pdf(
        association_name=association.name,
        association_address=", ".join(
            part for part in (association.street_address, f"{association.postal_code} {commune}".strip()) if part
        ),
        volunteer_name=f"{data['first_name']} {data['last_name']}".strip(),
        volunteer_address=f"{data['street_address']}, {data['postal_code']} {data['city']}",
        expense_lines=expense_lines(form.gift()),
        amount_cents=form.amount_cents(),
        signed_on=None,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="declaration-abandon-de-frais.pdf"'
    return response


def volunteer_expenses(request):
    """A volunteer's expenses given up: the statement to sign, then the receipt once it is signed."""
    _require(request, "add")
    if _needs_choice(request):
        return _choose(request, _("Abandon de frais d'un bénévole"))
    association = _association_for(request)
    form = VolunteerExpensesForm(request.POST or None, request.FILES or None, association=association)
    context = {"form": form, "association": association}
    template = "campagnes/admin/receipts_volunteer_expenses.html"
    if request.method != "POST":
        return TemplateResponse(request, template, context)
    if not form.is_valid():
        return TemplateResponse(request, template, context, status=400)
    if "declaration" in request.POST:
        return _statement_response(association, form)
    try:
        payment = volunteer_expenses_record(association=association, form=form, by=request.user)
    except services.ReceiptRefused as exc:
        form.add_error("statement", str(exc))
        return TemplateResponse(request, template, context, status=400)
    receipt = services.active_receipt_for(payment)
    messages.success(
        request,
        _("Abandon de frais enregistré ; reçu n° %(number)s émis et envoyé à %(email)s.")
        % {"number": receipt.number if receipt else "—", "email": payment.email},
    )
    if receipt is not None:
        return redirect(f"{RECEIPTS_NAMESPACE}:inspect", receipt.pk)
    return redirect(f"{RECEIPTS_NAMESPACE}:index")


MAX_IMPORT_BYTES = 5 * 1024 * 1024


def import_gifts(request):
    _require(request, "add")
    if _needs_choice(request):
        return _choose(request, _("Importer des dons"))
    association = _association_for(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "association": association}
    if request.method != "POST":
        return TemplateResponse(request, "campagnes/admin/receipts_import.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "campagnes/admin/receipts_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_IMPORT_BYTES:
        form.add_error("file", _("Fichier trop lourd (5 Mo au plus)."))
        return TemplateResponse(request, "campagnes/admin/receipts_import.html", context, status=400)
    try:
        report = manual_gifts_import(
            association=association,
            filename=upload.name,
            content=upload.read(),
            by=request.user,
            dry_run=not form.cleaned_data["confirm"],
        )
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return TemplateResponse(request, "campagnes/admin/receipts_import.html", context, status=400)
    context["report"] = report
    if report.imported:
        messages.success(request, _("%(n)s dons importés, reçus émis.") % {"n": report.imported})
        return redirect(f"{RECEIPTS_NAMESPACE}:index")
    return TemplateResponse(
        request, "campagnes/admin/receipts_import.html", context, status=400 if report.errors else 200
    )


class ReceiptViewSet(ReadOnlyRecordViewSet):
    record_policy = policy

    model = Receipt
    name = RECEIPTS_NAMESPACE
    icon = "doc-full"
    menu_label = gettext_lazy("Reçus")
    menu_name = "recus"
    menu_order = 163
    index_view_class = ReceiptIndexView
    inspect_view_class = ReceiptDetailView
    filterset_class = ReceiptFilterSet
    ordering = "-issued_at"

    def extra_urlpatterns(self) -> list:
        return [
            path("declaration/", declaration, name="declaration"),
            path("zip/", year_zip, name="zip"),
            path("recus-annuels/", annual_summaries, name="annual_summaries"),
            path("don-recu/", manual_gift, name="manual_gift"),
            path("import/", import_gifts, name="import"),
            path("abandon-de-frais/", volunteer_expenses, name="volunteer_expenses"),
            path("<int:pk>/pdf/", receipt_pdf, name="pdf"),
        ]


receipt_viewset = ReceiptViewSet()
