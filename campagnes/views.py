"""Public payment views: start (campaign page POST), card confirmation, thanks; the webhook."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from stripe import SignatureVerificationError

from campagnes import memberships, services
from campagnes import stripe_gateway as gateway
from campagnes.forms import payment_form_for
from campagnes.models import Payment, PaymentStatus
from kernel.client_ip import client_ip

logger = logging.getLogger("kollektif.payments")

IP_RATE = "20/h"
EMAIL_RATE = "8/h"


def _too_many_attempts(request: HttpRequest, email: str) -> bool:
    """Card testing protection: a few attempts per IP and per e-mail address and hour."""
    by_ip = is_ratelimited(request, group="payment-ip", key="ip", rate=IP_RATE, increment=True)
    by_email = is_ratelimited(
        request, group="payment-email", key=lambda _g, _r: email.lower(), rate=EMAIL_RATE, increment=True
    )
    return by_ip or by_email


def _render_campaign(request, campaign, form, *, status: int, error: str = ""):
    context = campaign.get_context(request)
    context.update(form=form, payment_error=error)
    return TemplateResponse(request, campaign.get_template(request), context, status=status)


def start_payment(request: HttpRequest, campaign) -> HttpResponse:
    form = payment_form_for(campaign, request.POST)
    if form is None:
        return HttpResponseBadRequest(_("Cette campagne ne prend pas encore de paiement en ligne."))
    if settings.STRIPE_CONNECT_ENABLED and not campaign.association.stripe_charges_enabled:
        return _render_campaign(
            request, campaign, form, status=400, error=_("L'association n'a pas encore activé le paiement en ligne.")
        )
    if not campaign.is_open:
        return _render_campaign(
            request,
            campaign,
            form,
            status=400,
            error=_("Cette campagne n'est pas ouverte : aucun paiement n'est possible."),
        )
    if not form.is_valid():
        return _render_campaign(request, campaign, form, status=400)
    data = form.cleaned_data
    if _too_many_attempts(request, data["email"]):
        return _render_campaign(
            request, campaign, form, status=429, error=_("Trop de tentatives de paiement : réessayez dans une heure.")
        )
    payer = {
        key: data.get(key, "")
        for key in (
            "first_name",
            "last_name",
            "email",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "company_name",
            "company_siren",
            "company_legal_form",
        )
    }
    payer["public_supporter"] = bool(data.get("public_supporter"))
    kind, amount_cents, offer = form.payment_request()
    try:
        payment, client_secret = services.payment_start(
            campaign=campaign,
            association=campaign.association,
            kind=kind,
            amount_cents=amount_cents,
            payer=payer,
            cover_fees=data.get("cover_fees", False),
            offer=offer,
        )
    except services.SoldOut as exc:
        return _render_campaign(request, campaign, payment_form_for(campaign, request.POST), status=409, error=str(exc))
    except gateway.GatewayError as exc:
        return _render_campaign(request, campaign, form, status=503, error=str(exc))
    return TemplateResponse(
        request,
        "campagnes/pay.html",
        {
            "page": campaign,
            "association": campaign.association,
            "payment": payment,
            "client_secret": client_secret,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
            **_site_context(campaign),
        },
    )


def membership_renewal(request: HttpRequest, campaign) -> HttpResponse:
    """The renewal link of the reminder e-mail: the form filled in for the member, with the period
    the renewal gives. A link that names no membership of this association to renew: a French
    message on the page (where one can still join), 404."""
    token = request.GET.get("renouveler", "")
    try:
        membership = memberships.membership_to_renew(token=token, association=campaign.association)
    except memberships.NothingToRenew as exc:
        return _render_campaign(request, campaign, payment_form_for(campaign), status=404, error=str(exc))
    payment = membership.payment
    initial = {
        key: getattr(payment, key)
        for key in ("first_name", "last_name", "email", "street_address", "postal_code", "city", "phone")
    }
    initial["renouveler"] = token
    form = payment_form_for(campaign)
    form.initial = initial
    form.renewing = membership
    context = campaign.get_context(request)
    context.update(form=form, renewing=membership)
    return TemplateResponse(request, campaign.get_template(request), context)


def _site_context(campaign) -> dict:
    association = campaign.association
    home = association.home_page
    return {
        "association_home": home,
        "menu_pages": [home, *home.get_children().live().in_menu().specific(defer=True)],
        "theme": association.theme_colours,
    }


@require_POST
def confirm_card(request: HttpRequest, token: str) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("association"), public_token=token)
    try:
        payment = services.payment_charge(payment=payment)
    except gateway.GatewayError as exc:
        return TemplateResponse(request, "campagnes/thanks.html", _thanks_context(payment, str(exc)), status=400)
    secret = getattr(payment, "next_action_secret", "")
    if secret:
        campaign = payment.campaign.specific
        return TemplateResponse(
            request,
            "campagnes/authenticate.html",
            {
                "payment": payment,
                "page": campaign,
                "association": payment.association,
                "client_secret": secret,
                "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "stripe_js_url": settings.STRIPE_JS_URL,
                **_site_context(campaign),
            },
        )
    return redirect("campagnes:thanks", token=payment.public_token)


@require_POST
def verify_payment(request: HttpRequest, token: str) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("association"), public_token=token)
    try:
        services.payment_verify(payment=payment)
    except gateway.GatewayError as exc:
        return TemplateResponse(request, "campagnes/thanks.html", _thanks_context(payment, str(exc)), status=400)
    return redirect("campagnes:thanks", token=payment.public_token)


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("association"), public_token=token)
    status = 200 if payment.status != PaymentStatus.FAILED else 402
    return TemplateResponse(request, "campagnes/thanks.html", _thanks_context(payment, ""), status=status)


def _thanks_context(payment: Payment, error: str) -> dict:
    campaign = payment.campaign.specific
    return {
        "payment": payment,
        "page": campaign,
        "association": payment.association,
        "error": error,
        **_site_context(campaign),
    }


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = gateway.construct_event(request.body, signature)
    except gateway.MalformedEvent as exc:
        # signed, so from Stripe or whoever holds the secret, but not an event we can read:
        # a 400 (Stripe shows it in the dashboard), never a 500
        logger.warning("webhook refused: signed but malformed event (%s)", exc)
        return HttpResponseBadRequest("événement invalide")
    except (ValueError, SignatureVerificationError):
        logger.warning("webhook refused: bad signature or payload from %s", client_ip(request))
        return HttpResponseBadRequest("signature invalide")
    try:
        outcome = services.webhook_handle(event)
    except (DatabaseError, gateway.GatewayError) as exc:
        # nothing was recorded (one transaction): answering 503 makes Stripe deliver it again later
        logger.error("webhook %s %s not processed, Stripe will retry: %s", event.id, event.type, exc)
        return HttpResponse("indisponible, réessayez", status=503)
    logger.info("webhook %s %s: %s", event.id, event.type, outcome)
    return HttpResponse(outcome)
