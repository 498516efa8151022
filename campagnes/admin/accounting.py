"""The treasurer's "Comptabilité": a financial year's entries, their totals, the FEC and the CSV
for Paheko; the accounts the entries use; the financial years the association declares.

Who: the association's treasurers (the money permission, behind 2FA) and platform staff, as for
payments and receipts; another association's records answer 404, an editor without the money
permission 403. Everything is read from the payments at each request (``campagnes.accounting``).
"""

from __future__ import annotations

import datetime
import itertools

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from associations.models import Association
from associations.selectors import associations_with_money_of, user_handles_money, user_is_platform_staff
from campagnes.accounting.entries import PRODUCT_ROLE, period_entries, period_totals
from campagnes.accounting.writers import fec_bytes, fec_filename, paheko_bytes
from campagnes.financial_years import Period, period_containing, period_from_slug, recent_periods
from campagnes.models import AccountingSettings, FinancialYear, PaymentKind
from campagnes.models.accounting import ACCOUNT_ROLES
from kernel.formats.french import french_date
from kernel.params import int_param

NAMESPACE = "comptabilite"
OTHER = "autre"
MAX_RANGE_DAYS = 731  # a financial year lasts 24 months at most (a first or changed year)


# --- who and which association ------------------------------------------------------------------


def _require_money(request: HttpRequest) -> None:
    if not user_handles_money(request.user):
        raise PermissionDenied


def _allowed(request: HttpRequest):
    if user_is_platform_staff(request.user):
        return Association.objects.all()
    return associations_with_money_of(request.user)


def _association_or_none(request: HttpRequest) -> Association | None:
    """The association the page is about; None when the user must choose among several."""
    allowed = _allowed(request)
    chosen = int_param(request, "association", minimum=1)
    if chosen is not None:
        return get_object_or_404(allowed, pk=chosen)
    if allowed.count() == 1:
        return allowed.get()
    if not allowed.exists():
        raise Http404(_("Aucune association."))
    return None


def _choose(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(
        request,
        "campagnes/admin/receipts_choose_association.html",
        {"title": _("Comptabilité"), "associations": list(_allowed(request).order_by("name").only("pk", "name"))},
    )


# --- forms -------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """A financial year of the association, or any range of dates (both days included)."""

    periode = forms.ChoiceField(label=gettext_lazy("Exercice"), required=False)
    du = forms.DateField(label=gettext_lazy("Du"), required=False, widget=DateInput())
    au = forms.DateField(label=gettext_lazy("Au (inclus)"), required=False, widget=DateInput())

    def __init__(self, data, *, association: Association):
        super().__init__(data)
        self.association = association
        self.periods = recent_periods(association)
        self.fields["periode"].choices = [
            (period.slug, f"{period.label} ({french_date(period.start)} – {french_date(period.end)})")
            for period in self.periods
        ] + [(OTHER, _("Autres dates…"))]

    def clean(self):
        data = super().clean()
        chosen = data.get("periode") or ""
        if chosen and chosen != OTHER:
            period = period_from_slug(self.association, chosen)
            if period is None:
                raise forms.ValidationError(_("Cet exercice n'existe pas ou plus : choisissez-en un dans la liste."))
            data["start"], data["end"], data["label"] = period.start, period.end, period.label
            return data
        start, end = data.get("du"), data.get("au")
        if self.errors:
            return data
        if start is None or end is None:
            raise forms.ValidationError(_("Indiquez le premier et le dernier jour de la période."))
        if end < start:
            raise forms.ValidationError(_("Le dernier jour de la période précède le premier."))
        if (end - start).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Une période tient en 24 mois au plus, comme un exercice."))
        data["start"], data["end"] = start, end
        data["label"] = _("Du %(start)s au %(end)s") % {"start": french_date(start), "end": french_date(end)}
        return data


def _period_form(request: HttpRequest, association: Association) -> PeriodForm:
    data = request.GET.copy()
    if not any(data.get(name) for name in ("periode", "du", "au")):
        data["periode"] = period_containing(association).slug  # the current year by default
    return PeriodForm(data, association=association)


class AccountingSettingsForm(forms.ModelForm):
    class Meta:
        model = AccountingSettings
        exclude = ["association"]


class FinancialYearForm(forms.ModelForm):
    class Meta:
        model = FinancialYear
        fields = ["label", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}


# --- views ---------------------------------------------------------------------------------------------


def _settings_rows(settings: AccountingSettings) -> list[dict]:
    return [{"label": spec["label"], "number": getattr(settings, role)} for role, spec in ACCOUNT_ROLES.items()]


def _page(
    request: HttpRequest,
    association: Association,
    *,
    form: PeriodForm,
    year_form: FinancialYearForm | None = None,
    empty: bool = False,
    status: int = 200,
) -> TemplateResponse:
    settings = AccountingSettings.for_association(association)
    context = {
        "association": association,
        "form": form,
        "year_form": year_form or FinancialYearForm(),
        "declared_years": FinancialYear.objects.filter(association=association).order_by("-start"),
        "accounts": _settings_rows(settings),
        "journals": (settings.processor_journal, settings.bank_journal),
        "settings_url": reverse(f"{NAMESPACE}:settings") + f"?association={association.pk}",
        "year_url": reverse(f"{NAMESPACE}:year") + f"?association={association.pk}",
        "missing_siren": not association.siren,
        "empty": empty,
    }
    if form.is_valid() and not empty:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        totals = period_totals(association, start, end)
        query = request.GET.copy()
        query["association"] = str(association.pk)
        query.pop("format", None)
        by_kind = []
        for kind, name in PaymentKind.choices:
            received, refunded = totals.received_by_kind.get(kind, 0), totals.refunded_by_kind.get(kind, 0)
            if received or refunded:
                by_kind.append(
                    {
                        "name": name,
                        "account": getattr(settings, PRODUCT_ROLE[kind]),
                        "received": received,
                        "refunded": refunded,
                        "net": received - refunded,
                    }
                )
        context.update(
            {
                "period_label": form.cleaned_data["label"],
                "start": start,
                "end": end,
                "totals": totals,
                "by_kind": by_kind,
                "empty": totals.entries == 0,
                "fec_url": reverse(f"{NAMESPACE}:export") + "?" + _with(query, "format", "fec"),
                "paheko_url": reverse(f"{NAMESPACE}:export") + "?" + _with(query, "format", "paheko"),
                "fec_name": _fec_name(association, end),
            }
        )
        asked = any(request.GET.get(name) for name in ("periode", "du", "au"))
        if totals.entries == 0 and status == 200 and asked:
            status = 404  # the dates asked for hold nothing; the landing page itself stays a 200
    return TemplateResponse(request, "campagnes/admin/accounting.html", context, status=status)


def _with(query, name: str, value: str) -> str:
    query = query.copy()
    query[name] = value
    return query.urlencode()


def _fec_name(association: Association, end: datetime.date) -> str:
    fallback = association.rna or "".join(ch for ch in association.slug.upper() if ch.isalnum())[:20] or "ASSO"
    return fec_filename(siren=association.siren, end=end, fallback=fallback)


def accounting_index(request: HttpRequest) -> HttpResponse:
    _require_money(request)
    association = _association_or_none(request)
    if association is None:
        return _choose(request)
    form = _period_form(request, association)
    return _page(request, association, form=form, status=200 if form.is_valid() else 400)


def accounting_export(request: HttpRequest) -> HttpResponse:
    """The FEC or the Paheko CSV of a period, streamed; 404 with a French message when empty."""
    _require_money(request)
    association = _association_or_none(request)
    if association is None:
        return _choose(request)
    form = _period_form(request, association)
    kind = request.GET.get("format")
    if kind not in ("fec", "paheko"):
        messages.error(request, _("Choisissez le FEC ou le fichier pour Paheko."))
        return _page(request, association, form=form, status=400)
    if not form.is_valid():
        return _page(request, association, form=form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    entries = period_entries(association, start, end)
    first = next(entries, None)
    if first is None:  # nothing to export: say so, never an empty file
        entries.close()
        return _page(request, association, form=form, empty=True, status=404)
    entries = itertools.chain([first], entries)
    if kind == "fec":
        response = StreamingHttpResponse(fec_bytes(entries), content_type="text/plain; charset=iso-8859-15")
        filename = _fec_name(association, end)
    else:
        response = StreamingHttpResponse(paheko_bytes(entries), content_type="text/csv; charset=utf-8")
        filename = f"paheko-ecritures-{association.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def accounting_settings(request: HttpRequest) -> HttpResponse:
    _require_money(request)
    association = _association_or_none(request)
    if association is None:
        return _choose(request)
    instance = AccountingSettings.for_association(association)
    form = AccountingSettingsForm(request.POST or None, instance=instance)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Comptes enregistrés : les prochains exports les utilisent."))
            return redirect(reverse(f"{NAMESPACE}:index") + f"?association={association.pk}")
        status = 400
    return TemplateResponse(
        request,
        "campagnes/admin/accounting_settings.html",
        {
            "association": association,
            "form": form,
            "back_url": reverse(f"{NAMESPACE}:index") + f"?association={association.pk}",
        },
        status=status,
    )


def declare_financial_year(request: HttpRequest) -> HttpResponse:
    _require_money(request)
    association = _association_or_none(request)
    if association is None:
        return _choose(request)
    if request.method != "POST":
        return redirect(reverse(f"{NAMESPACE}:index") + f"?association={association.pk}")
    year_form = FinancialYearForm(request.POST, instance=FinancialYear(association=association))
    if not year_form.is_valid():
        form = PeriodForm({"periode": period_containing(association).slug}, association=association)
        return _page(request, association, form=form, year_form=year_form, status=400)
    with transaction.atomic():
        year = year_form.save()
    messages.success(request, _("Exercice « %(label)s » enregistré.") % {"label": year.label})
    slug = Period(start=year.start, end=year.end, label=year.label).slug
    return redirect(reverse(f"{NAMESPACE}:index") + f"?association={association.pk}&periode={slug}")


urlpatterns = [
    path("", accounting_index, name="index"),
    path("export/", accounting_export, name="export"),
    path("comptes/", accounting_settings, name="settings"),
    path("exercice/", declare_financial_year, name="year"),
]


def admin_urls() -> list:
    return [path("comptabilite/", include((urlpatterns, NAMESPACE), namespace=NAMESPACE))]


class AccountingMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return user_handles_money(request.user)


def accounting_menu_item() -> AccountingMenuItem:
    return AccountingMenuItem(
        gettext_lazy("Comptabilité"),
        reverse_lazy("comptabilite:index"),
        name="comptabilite",
        icon_name="table",
        order=164,
    )
