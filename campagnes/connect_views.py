"""Admin screens to connect an association's Stripe account (Trésoriers, staff).

Where the money goes is the treasurers' business: an editor who could connect another Stripe
account would divert every donation, so this follows the money permission, not page editing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages

from associations import selectors
from associations.models import Association
from campagnes import connect
from campagnes import stripe_gateway as gateway


def _association(request, pk: int) -> Association:
    association = get_object_or_404(Association, pk=pk)
    if not (
        selectors.user_is_platform_staff(request.user)
        or selectors.associations_with_money_of(request.user).filter(pk=pk).exists()
    ):
        raise PermissionDenied
    return association


def stripe_status(request, pk: int):
    association = _association(request, pk)
    if request.method == "POST":
        refresh_url = request.build_absolute_uri(reverse("kollektif_stripe:status", args=[pk]))
        return_url = request.build_absolute_uri(reverse("kollektif_stripe:return", args=[pk]))
        try:
            url = connect.stripe_onboarding_link(
                association=association, refresh_url=refresh_url, return_url=return_url
            )
        except gateway.GatewayError as exc:
            messages.error(request, str(exc))
            return TemplateResponse(
                request,
                "campagnes/admin/stripe_status.html",
                {"association": association, "page_title": _("Paiements en ligne")},
                status=503,
            )
        return redirect(url)
    return TemplateResponse(
        request,
        "campagnes/admin/stripe_status.html",
        {"association": association, "page_title": _("Paiements en ligne")},
    )


def stripe_return(request, pk: int):
    association = _association(request, pk)
    try:
        association = connect.stripe_account_refresh(association=association)
    except gateway.GatewayError as exc:
        messages.error(request, str(exc))
    else:
        if association.stripe_charges_enabled:
            messages.success(
                request,
                _("Le compte Stripe de %(name)s est prêt : les paiements par carte sont ouverts.")
                % {"name": association.name},
            )
        else:
            messages.warning(request, _("Stripe n'a pas encore validé le compte : terminez les étapes demandées."))
    return redirect("kollektif_stripe:status", pk=pk)


@hooks.register("register_admin_urls")
def register_stripe_urls():
    from django.urls import include

    return [
        path(
            "stripe/",
            include(
                (
                    [
                        path("<int:pk>/", stripe_status, name="status"),
                        path("<int:pk>/retour/", stripe_return, name="return"),
                    ],
                    "kollektif_stripe",
                ),
                namespace="kollektif_stripe",
            ),
        ),
    ]
