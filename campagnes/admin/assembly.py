"""The treasurer's "Chiffres pour l'assemblée générale": one printable page and its PDF per financial year.

Who sees it: the association's treasurers (the money permission, behind 2FA) and platform staff,
as for payments; an Éditeur without the money permission is refused; another association's
treasurer gets 404 (its existence is not confirmed). The year is one of the association's
financial years (``campagnes.financial_years``), named in the URL by its slug; any other
value gets a French 404 page with the year picker.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

from associations.models import Association
from associations.selectors import associations_with_money_of, user_is_platform_staff
from campagnes.assembly_chart import long_month_label, svg_chart
from campagnes.assembly_figures import assembly_figures
from campagnes.assembly_pdf import assembly_pdf, definitions
from campagnes.financial_years import Period, period_from_slug, recent_periods
from campagnes.models import Payment
from campagnes.permissions import PaymentPermissionPolicy
from kernel.params import int_param

ASSEMBLY_NAMESPACE = "assemblee_generale"
PICKER_YEARS = 6

policy = PaymentPermissionPolicy(Payment)


def _require(request: HttpRequest) -> None:
    if not policy.user_has_permission(request.user, "view"):
        raise PermissionDenied


def _allowed(request: HttpRequest):
    if user_is_platform_staff(request.user):
        return Association.objects.all()
    return associations_with_money_of(request.user)


def _association_for(request: HttpRequest) -> Association | None:
    """The association named by ``?association=``, the only one the user has, or None (to choose)."""
    allowed = _allowed(request)
    chosen = int_param(request, "association", minimum=1)
    if chosen is not None:
        return get_object_or_404(allowed, pk=chosen)
    only = list(allowed[:2])
    return only[0] if len(only) == 1 else None


def _default_period(association: Association) -> Period:
    """The last closed year (the one a general assembly approves), or the current one for an
    association that did not exist yet during the last one."""
    current, last_closed = recent_periods(association, count=2)
    if timezone.localdate(association.created_at) <= last_closed.end:
        return last_closed
    return current


def _urls(association: Association, period: Period) -> dict:
    query = urlencode({"association": association.pk, "exercice": period.slug})
    return {
        "page_url": f"{reverse(f'{ASSEMBLY_NAMESPACE}:index')}?{query}",
        "pdf_url": f"{reverse(f'{ASSEMBLY_NAMESPACE}:pdf')}?{query}",
    }


def _choose(request: HttpRequest) -> TemplateResponse:
    associations = list(_allowed(request).order_by("name").only("pk", "name"))
    return TemplateResponse(
        request,
        "campagnes/admin/receipts_choose_association.html",
        {"title": _("Chiffres pour l'assemblée générale"), "associations": associations},
    )


def _period_or_404_page(request: HttpRequest, association: Association) -> Period | TemplateResponse:
    periods = recent_periods(association, count=PICKER_YEARS)
    slug = (request.GET.get("exercice") or "").strip()
    if not slug:
        return _default_period(association)
    period = period_from_slug(association, slug)
    if period is not None:
        return period
    return TemplateResponse(
        request,
        "campagnes/admin/assembly_unknown_year.html",
        {
            "association": association,
            "periods": periods,
            "index_url": reverse(f"{ASSEMBLY_NAMESPACE}:index"),
        },
        status=404,
    )


def assembly_page(request: HttpRequest):
    _require(request)
    association = _association_for(request)
    if association is None:
        return _choose(request)
    period = _period_or_404_page(request, association)
    if isinstance(period, TemplateResponse):
        return period
    figures = assembly_figures(association=association, period=period)
    periods = recent_periods(association, count=PICKER_YEARS)
    if period not in periods:
        periods.append(period)
    chart = svg_chart(figures.months)
    return TemplateResponse(
        request,
        "campagnes/admin/assembly.html",
        {
            "page_title": _("Chiffres pour l'assemblée générale"),
            "page_subtitle": association.name,
            "header_icon": "table",
            "association": association,
            "period": period,
            "periods": periods,
            "current": periods[0],
            "figures": figures,
            "chart": chart,
            "months": [(line, long_month_label(line)) for line in figures.months],
            "busiest_label": long_month_label(figures.busiest_month) if figures.busiest_month else "",
            "definitions": definitions(),
            "index_url": reverse(f"{ASSEMBLY_NAMESPACE}:index"),
            "several": user_is_platform_staff(request.user) or _allowed(request).count() > 1,
            **_urls(association, period),
        },
    )


def assembly_pdf_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    association = _association_for(request)
    if association is None:
        raise Http404(_("Choisissez une association."))
    period = _period_or_404_page(request, association)
    if isinstance(period, TemplateResponse):
        return period
    figures = assembly_figures(association=association, period=period)
    response = HttpResponse(assembly_pdf(figures), content_type="application/pdf")
    disposition = "inline" if request.GET.get("voir") == "1" else "attachment"
    filename = f"chiffres-ag-{association.slug}-{period.slug}.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def urlpatterns() -> list:
    return [
        path(
            "assemblee-generale/",
            include(
                (
                    [
                        path("", assembly_page, name="index"),
                        path("pdf/", assembly_pdf_view, name="pdf"),
                    ],
                    ASSEMBLY_NAMESPACE,
                ),
                namespace=ASSEMBLY_NAMESPACE,
            ),
        )
    ]


class AssemblyMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return policy.user_has_permission(request.user, "view")


def assembly_menu_item() -> AssemblyMenuItem:
    return AssemblyMenuItem(
        gettext_lazy("Assemblée générale"),
        reverse_lazy(f"{ASSEMBLY_NAMESPACE}:index"),
        name="assemblee-generale",
        icon_name="table",
        order=164,
    )
