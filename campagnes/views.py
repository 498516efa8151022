"""Public payment views: start (campaign page POST), card confirmation, thanks; the webhook."""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from stripe import SignatureVerificationError

from campagnes import memberships, services
from campagnes import stripe_gateway as gateway
from campagnes.forms import MonthlyAmountForm, payment_form_for
from campagnes.models import Payment, PaymentStatus
from campagnes.monthly import monthly_context, monthly_holder_from_token, monthly_next_charge
from campagnes.services import monthly as monthly_services
from kernel.client_ip import client_ip

logger = logging.getLogger("kollektif.payments")

IP_RATE = "20/h"
ATTEMPTS_SESSION_KEY = "kollektif_payment_attempts"
MAX_REMEMBERED_ATTEMPTS = 10
PAYER_FIELDS = (
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
EMAIL_RATE = "8/h"


def _too_many_attempts(request: HttpRequest, email: str) -> bool:
    """Card testing protection: a few attempts per IP and per e-mail address and hour."""
    by_ip = is_ratelimited(request, group="payment-ip", key="ip", rate=IP_RATE, increment=True)
    by_email = is_ratelimited(
        request, group="payment-email", key=lambda _g, _r: email.lower(), rate=EMAIL_RATE, increment=True
    )
    return by_ip or by_email


EMBED_CAMPAIGN_TEMPLATE = "campagnes/embed/campaign.html"
EMBED_LAYOUT = "campagnes/embed/base.html"


def _render_campaign(request, campaign, form, *, status: int, error: str = "", embed: dict | None = None):
    context = campaign.get_context(request)
    context.update(form=form, payment_error=error)
    if embed is not None:
        context.update(embed)
        return TemplateResponse(request, EMBED_CAMPAIGN_TEMPLATE, context, status=status)
    return TemplateResponse(request, campaign.get_template(request), context, status=status)


def start_payment(request: HttpRequest, campaign, *, embed: dict | None = None) -> HttpResponse:
    """Validate the campaign form and start the payment. ``embed``: the form was sent from the
    embedded view (campagnes/embed.py), whose pages render in its frame layout and which keeps
    no session (no cookie reaches a third-party iframe)."""
    form = payment_form_for(campaign, request.POST)
    if form is None:
        return HttpResponseBadRequest(_("Cette campagne ne prend pas encore de paiement en ligne."))
    if settings.STRIPE_CONNECT_ENABLED and not campaign.association.stripe_charges_enabled:
        return _render_campaign(
            request,
            campaign,
            form,
            status=400,
            error=_("L'association n'a pas encore activé le paiement en ligne."),
            embed=embed,
        )
    if not campaign.is_open:
        return _render_campaign(
            request,
            campaign,
            form,
            status=400,
            error=_("Cette campagne n'est pas ouverte : aucun paiement n'est possible."),
            embed=embed,
        )
    if not form.is_valid():
        return _render_campaign(request, campaign, form, status=400, embed=embed)
    data = form.cleaned_data
    kind, amount_cents, offer = form.payment_request()
    payer = {key: data.get(key, "") for key in PAYER_FIELDS}
    payer["public_supporter"] = bool(data.get("public_supporter"))
    payer["contact_consent"] = bool(data.get("contact_consent"))
    fingerprint = _attempt_fingerprint(campaign, kind, amount_cents, offer, payer, data.get("cover_fees", False))
    if _too_many_attempts(request, data["email"]):
        return _render_campaign(
            request,
            campaign,
            form,
            status=429,
            error=_("Trop de tentatives de paiement : réessayez dans une heure."),
            embed=embed,
        )
    resumed = _resume_attempt(request, fingerprint) if embed is None else None
    if resumed is not None:
        payment, client_secret = resumed
        return _pay_page(request, campaign, payment, client_secret)
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
        return _render_campaign(
            request, campaign, payment_form_for(campaign, request.POST), status=409, error=str(exc), embed=embed
        )
    except gateway.GatewayError as exc:
        return _render_campaign(request, campaign, form, status=503, error=str(exc), embed=embed)
    if embed is None:
        attempts = request.session.get(ATTEMPTS_SESSION_KEY, {})
        attempts = dict(list(attempts.items())[-(MAX_REMEMBERED_ATTEMPTS - 1) :])
        attempts[fingerprint] = payment.public_token
        request.session[ATTEMPTS_SESSION_KEY] = attempts
    return _pay_page(request, campaign, payment, client_secret, embed=embed)


def payment_urls(payment: Payment, *, embed: bool = False) -> dict[str, str]:
    """Where each step of a payment posts or leads: the normal pages, or the embed flow's."""
    token = payment.public_token
    if embed:
        return {
            "confirm": reverse("campagnes:embed_confirm", args=[token]),
            "decline": reverse("campagnes:embed_declined", args=[token]),
            "verify": reverse("campagnes:embed_verify", args=[token]),
            "thanks": reverse("campagnes:embed_thanks", args=[token]),
            "retry": reverse("campagnes:embed", args=[payment.campaign_id]),
        }
    return {
        "confirm": reverse("campagnes:confirm_card", args=[token]),
        "decline": reverse("campagnes:card_declined", args=[token]),
        "verify": reverse("campagnes:verify", args=[token]),
        "thanks": reverse("campagnes:thanks", args=[token]),
    }


def _layout(embed: dict | None) -> dict:
    return {**embed, "layout": EMBED_LAYOUT} if embed is not None else {}


def _pay_page(
    request: HttpRequest, campaign, payment: Payment, client_secret: str, *, embed: dict | None = None
) -> TemplateResponse:
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
            "urls": payment_urls(payment, embed=embed is not None),
            **_site_context(campaign),
            **_layout(embed),
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


def _attempt_fingerprint(campaign, kind, amount_cents, offer, payer, cover_fees) -> str:
    """The same form, sent again from the same browser, names the same attempt."""
    offer_data = offer.to_dict() if hasattr(offer, "to_dict") else dict(offer or {})
    body = json.dumps([campaign.pk, kind, amount_cents, offer_data, payer, bool(cover_fees)], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def _resume_attempt(request: HttpRequest, fingerprint: str) -> tuple[Payment, str] | None:
    token = request.session.get(ATTEMPTS_SESSION_KEY, {}).get(fingerprint)
    payment = Payment.objects.filter(public_token=token).first() if token else None
    if payment is None:
        return None
    client_secret = services.payment_resume(payment=payment)
    return (payment, client_secret) if client_secret else None


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
    return confirm_card_step(request, payment)


def confirm_card_step(request: HttpRequest, payment: Payment, *, embed: dict | None = None) -> HttpResponse:
    """The card is set up: charge it; the bank may ask for 3-D Secure, else the thank-you page."""
    try:
        payment = services.payment_charge(payment=payment)
    except gateway.GatewayError as exc:
        return TemplateResponse(
            request, "campagnes/thanks.html", _thanks_context(payment, str(exc), embed=embed), status=400
        )
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
                "urls": payment_urls(payment, embed=embed is not None),
                **_site_context(campaign),
                **_layout(embed),
            },
        )
    return redirect(payment_urls(payment, embed=embed is not None)["thanks"])


@require_POST
def card_declined(request: HttpRequest, token: str) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("association"), public_token=token)
    return card_declined_step(payment)


def card_declined_step(payment: Payment, *, embed: bool = False) -> HttpResponse:
    """Stripe.js says the card was refused: the server reads the reason from Stripe, records it
    and answers the French message (and where to go when this attempt cannot be retried)."""
    try:
        payment, message = services.payment_record_decline(payment=payment)
    except gateway.GatewayError as exc:
        return JsonResponse({"message": str(exc)}, status=503)
    body = {"message": message or _("La carte n'a pas pu être enregistrée. Vérifiez-la et réessayez.")}
    if payment.status == PaymentStatus.FAILED:
        body["next"] = payment_urls(payment, embed=embed)["thanks"]
    return JsonResponse(body)


@require_POST
def verify_payment(request: HttpRequest, token: str) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("association"), public_token=token)
    return verify_payment_step(request, payment)


def verify_payment_step(request: HttpRequest, payment: Payment, *, embed: dict | None = None) -> HttpResponse:
    """After 3-D Secure: read the payment's new state from Stripe, then the thank-you page."""
    try:
        services.payment_verify(payment=payment)
    except gateway.GatewayError as exc:
        return TemplateResponse(
            request, "campagnes/thanks.html", _thanks_context(payment, str(exc), embed=embed), status=400
        )
    return redirect(payment_urls(payment, embed=embed is not None)["thanks"])


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("association"), public_token=token)
    return thanks_step(request, payment)


def thanks_step(request: HttpRequest, payment: Payment, *, embed: dict | None = None) -> HttpResponse:
    status = 200 if payment.status != PaymentStatus.FAILED else 402
    return TemplateResponse(request, "campagnes/thanks.html", _thanks_context(payment, "", embed=embed), status=status)


def _thanks_context(payment: Payment, error: str, *, embed: dict | None = None) -> dict:
    campaign = payment.campaign.specific
    return {
        "payment": payment,
        "page": campaign,
        "association": payment.association,
        "error": error,
        "urls": payment_urls(payment, embed=embed is not None),
        **monthly_context(payment),
        **_site_context(campaign),
        **_layout(embed),
    }


# --- a monthly gift: the donor's page (signed link from the e-mails and "Mes reçus") ----------


def _monthly_response(request: HttpRequest, holder: Payment, *, status: int = 200, **extra) -> TemplateResponse:
    campaign = holder.campaign.specific
    context = {
        "holder": holder,
        "payment": holder,
        "page": campaign,
        "association": holder.association,
        "token": request.resolver_match.kwargs["token"],
        "next_charge": monthly_next_charge(holder),
        **_site_context(campaign),
        **extra,
    }
    context.setdefault("amount_form", MonthlyAmountForm(campaign=campaign))
    return TemplateResponse(request, "campagnes/monthly_manage.html", context, status=status)


def _unknown_gift(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "campagnes/monthly_unknown.html", {}, status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def monthly_manage(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the gift and a button; only the POST stops it (a link opened by a mail
    scanner changes nothing). Used twice: "déjà arrêté", 410 on the POST, nothing charged."""
    holder = monthly_holder_from_token(token)
    if holder is None:
        return _unknown_gift(request)
    if request.method == "GET":
        return _monthly_response(request, holder)
    if holder.subscription_stopped_at:
        return _monthly_response(request, holder, status=410, already_stopped=True)
    if request.POST.get("action") == "amount":
        return _monthly_change_amount(request, holder)
    try:
        holder = monthly_services.monthly_gift_stop(payment=holder, source="donateur")
    except monthly_services.AlreadyStopped:
        holder.refresh_from_db()
        return _monthly_response(request, holder, status=410, already_stopped=True)
    except gateway.GatewayError as exc:
        return _monthly_response(request, holder, status=503, error=str(exc))
    return _monthly_response(request, holder, just_stopped=True)


def _monthly_change_amount(request: HttpRequest, holder: Payment) -> TemplateResponse:
    """The "Modifier le montant" form of the donor's page: the next months at the new amount."""
    form = MonthlyAmountForm(request.POST, campaign=holder.campaign.specific)
    if not form.is_valid():
        return _monthly_response(request, holder, status=400, amount_form=form)
    try:
        holder = monthly_services.monthly_gift_change_amount(
            holder=holder, amount_cents=form.cleaned_data["amount"], source="donateur"
        )
    except monthly_services.AlreadyStopped:
        holder.refresh_from_db()
        return _monthly_response(request, holder, status=410, already_stopped=True)
    except gateway.GatewayError as exc:
        return _monthly_response(request, holder, status=503, error=str(exc), amount_form=form)
    return _monthly_response(request, holder, just_changed=True)


@never_cache
@require_http_methods(["GET", "POST"])
def monthly_card(request: HttpRequest, token: str) -> HttpResponse:
    """A new card for a monthly gift (after a refused month, or a card that expires)."""
    holder = monthly_holder_from_token(token)
    if holder is None:
        return _unknown_gift(request)
    campaign = holder.campaign.specific
    context = {
        "holder": holder,
        "payment": holder,
        "page": campaign,
        "association": holder.association,
        "token": token,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_js_url": settings.STRIPE_JS_URL,
        **_site_context(campaign),
    }
    if holder.subscription_stopped_at:
        return TemplateResponse(request, "campagnes/monthly_card.html", {**context, "stopped": True}, status=410)
    if request.method == "POST":
        setup_intent_id = request.POST.get("setup_intent", "")
        try:
            if not gateway.STRIPE_ID.match(setup_intent_id):
                raise gateway.GatewayError(_("La carte n'a pas été confirmée."))
            retried = monthly_services.monthly_card_apply(holder=holder, setup_intent_id=setup_intent_id)
        except gateway.GatewayError as exc:
            return TemplateResponse(request, "campagnes/monthly_card.html", {**context, "error": str(exc)}, status=400)
        return TemplateResponse(request, "campagnes/monthly_card.html", {**context, "done": True, "retried": retried})
    try:
        client_secret = monthly_services.monthly_card_setup(holder=holder)
    except gateway.GatewayError as exc:
        return TemplateResponse(request, "campagnes/monthly_card.html", {**context, "error": str(exc)}, status=503)
    return TemplateResponse(request, "campagnes/monthly_card.html", {**context, "client_secret": client_secret})


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
