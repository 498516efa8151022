"""The one module that talks to Stripe (or to localstripe, which speaks the same API).

Integration that works unchanged on both: the browser confirms a SetupIntent with Stripe.js
(3-D Secure included), then the server creates the PaymentIntent with ``confirm=true`` and
the saved payment method, or a Subscription for a monthly gift. Every creating call carries
an idempotency key derived from the payment, so a retried request never charges twice.
With Connect enabled, calls are made on the association's own account (direct charges).
"""

from __future__ import annotations

import json
import re

import stripe
from django.conf import settings
from django.utils.translation import gettext as _


class GatewayError(Exception):
    """Stripe could not be reached or refused the call; the message is safe to show."""


class CardDeclined(GatewayError):
    """The bank refused the card; the message is the bank's reason in French (``decline_message``)."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


# The bank's reasons, as Stripe names them (``decline_code`` first, then ``code``), in French.
# Stripe's own ``user_message`` is in English whatever the locale: never shown as such.
DECLINE_MESSAGES = {
    "insufficient_funds": _("Carte refusée : provision insuffisante."),
    "expired_card": _("Carte refusée : elle a expiré."),
    "incorrect_cvc": _("Carte refusée : le cryptogramme (CVC) est incorrect."),
    "invalid_cvc": _("Carte refusée : le cryptogramme (CVC) est incorrect."),
    "incorrect_number": _("Carte refusée : le numéro de carte est incorrect."),
    "invalid_number": _("Carte refusée : le numéro de carte est incorrect."),
    "invalid_expiry_month": _("Carte refusée : le mois d'expiration est incorrect."),
    "invalid_expiry_year": _("Carte refusée : l'année d'expiration est incorrecte."),
    "processing_error": _("Carte refusée : erreur de traitement chez la banque. Réessayez dans un instant."),
    "authentication_required": _("Carte refusée : votre banque demande une authentification (3-D Secure)."),
    "setup_intent_authentication_failure": _("Carte refusée : l'authentification 3-D Secure a échoué."),
    "payment_intent_authentication_failure": _("Carte refusée : l'authentification 3-D Secure a échoué."),
    "lost_card": _("Carte refusée par la banque."),
    "stolen_card": _("Carte refusée par la banque."),
    "fraudulent": _("Carte refusée par la banque."),
    "do_not_honor": _("Carte refusée par la banque : contactez-la pour en savoir plus."),
    "generic_decline": _("Carte refusée par la banque."),
    "card_velocity_exceeded": _("Carte refusée : plafond de la carte atteint."),
    "withdrawal_count_limit_exceeded": _("Carte refusée : plafond de la carte atteint."),
    "card_not_supported": _("Carte refusée : ce type d'achat n'est pas accepté par cette carte."),
    "currency_not_supported": _("Carte refusée : la carte n'accepte pas les paiements en euros."),
    "card_declined": _("Carte refusée par la banque."),
}


def decline_message(*, code: str = "", decline_code: str = "") -> str:
    """The bank's reason for a refusal, in French (a generic refusal when Stripe gives none we know)."""
    for key in (decline_code, code):
        if key and key in DECLINE_MESSAGES:
            return str(DECLINE_MESSAGES[key])
    return str(DECLINE_MESSAGES["card_declined"])


def decline_of(error) -> str:
    """The French reason of a Stripe ``last_payment_error`` / ``last_setup_error`` (or "")."""
    if not error:
        return ""
    code = error["code"] if "code" in error else ""
    decline_code = error["decline_code"] if "decline_code" in error else ""
    return decline_message(code=code or "", decline_code=decline_code or "")


class NotFound(GatewayError):
    """Stripe does not know this object (on this account): retrying will not change that."""


class MalformedEvent(ValueError):
    """A correctly signed body that is not a Stripe event we can read: answered 400."""


# Tests replay recorded Stripe responses for what localstripe lacks (Connect) through this seam.
http_client_override = None


def client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    kwargs = {"base_addresses": {"api": base}} if base else {}
    if http_client_override is not None:
        kwargs["http_client"] = http_client_override
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=1, **kwargs)


def _options(*, account: str = "", idempotency_key: str = "") -> dict:
    options: dict = {}
    if account and settings.STRIPE_CONNECT_ENABLED:
        options["stripe_account"] = account
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        error = exc.error
        code = (getattr(error, "code", None) or exc.code or "") if error else (exc.code or "")
        decline_code = (getattr(error, "decline_code", None) or "") if error else ""
        raise CardDeclined(decline_message(code=code, decline_code=decline_code), code=decline_code or code) from exc
    except stripe.APIConnectionError as exc:
        raise GatewayError(
            _("Le service de paiement ne répond pas. Rien n'a été débité : réessayez dans un instant.")
        ) from exc
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            raise NotFound(_("Le service de paiement ne connaît pas cet objet : rien n’a été changé.")) from exc
        raise GatewayError(_("Le service de paiement a refusé la demande.")) from exc
    except stripe.StripeError as exc:
        raise GatewayError(_("Le service de paiement a refusé la demande.")) from exc


def create_customer(*, email: str, name: str, account: str, key: str):
    return _call(
        client().v1.customers.create,
        params={"email": email, "name": name},
        options=_options(account=account, idempotency_key=f"cus-{key}"),
    )


def create_setup_intent(*, customer: str, account: str, key: str, metadata: dict):
    return _call(
        client().v1.setup_intents.create,
        params={"customer": customer, "payment_method_types": ["card"], "usage": "off_session", "metadata": metadata},
        options=_options(account=account, idempotency_key=f"seti-{key}"),
    )


def retrieve_setup_intent(setup_intent_id: str, *, account: str):
    return _call(client().v1.setup_intents.retrieve, setup_intent_id, options=_options(account=account))


def charge(*, amount_cents: int, customer: str, payment_method: str, account: str, key: str, metadata: dict):
    return _call(
        client().v1.payment_intents.create,
        params={
            "amount": amount_cents,
            "currency": "eur",
            "customer": customer,
            "payment_method": payment_method,
            "confirm": True,
            "off_session": True,
            "metadata": metadata,
        },
        options=_options(account=account, idempotency_key=f"pi-{key}"),
    )


def retrieve_payment_intent(payment_intent_id: str, *, account: str):
    return _call(client().v1.payment_intents.retrieve, payment_intent_id, options=_options(account=account))


def cancel_payment_intent(payment_intent_id: str, *, account: str):
    """An abandoned attempt: Stripe will not charge it any more (not even after a late 3-D Secure)."""
    return _call(client().v1.payment_intents.cancel, payment_intent_id, options=_options(account=account))


def retrieve_charge(charge_id: str, *, account: str):
    return _call(client().v1.charges.retrieve, charge_id, options=_options(account=account))


def refund(*, payment_intent: str, amount_cents: int, account: str, key: str):
    return _call(
        client().v1.refunds.create,
        params={"payment_intent": payment_intent, "amount": amount_cents},
        options=_options(account=account, idempotency_key=f"re-{key}"),
    )


STRIPE_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def _check_event_shape(data) -> None:
    """What the webhook reads of an event, checked before anything reads it: a signed body
    from a misconfigured sender (or a replayed test fixture) must be a 400, never a 500."""
    if not isinstance(data, dict):
        raise MalformedEvent("not an object")
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str) or not data["type"]:
        raise MalformedEvent("id and type must be strings")
    if data.get("account") is not None and not isinstance(data["account"], str):
        raise MalformedEvent("account must be a string")
    inner = data.get("data")
    if not isinstance(inner, dict) or not isinstance(inner.get("object"), dict):
        raise MalformedEvent("data.object must be an object")
    if not isinstance(inner["object"].get("id"), str) or not STRIPE_ID.match(inner["object"]["id"]):
        raise MalformedEvent("data.object.id must be a Stripe id")


def construct_event(payload: bytes, signature: str):
    """Verify the signature on the raw body, then the event's shape (Stripe's own
    ``construct_event`` verifies the signature only). Raises SignatureVerificationError, or
    ValueError (``MalformedEvent`` included) for a body that is not a readable event."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEvent("not JSON") from exc
    _check_event_shape(data)
    return stripe.Webhook.construct_event(payload, signature, secret)


def charge_id_of(intent) -> str:
    """The charge of a PaymentIntent: ``latest_charge`` today, ``charges`` on older API versions."""
    data = intent.to_dict() if hasattr(intent, "to_dict") else dict(intent)
    latest = data.get("latest_charge")
    if latest:
        return latest if isinstance(latest, str) else latest.get("id", "")
    charges = data.get("charges") or {}
    if isinstance(charges, dict) and charges.get("object") == "charge":
        return charges.get("id", "")
    if isinstance(charges, dict) and charges.get("data"):
        return charges["data"][0]["id"]
    return ""


def set_default_payment_method(*, customer: str, payment_method: str, account: str):
    options = _options(account=account)
    try:
        client().v1.payment_methods.attach(payment_method, params={"customer": customer}, options=options)
    except stripe.InvalidRequestError:
        pass  # already attached by the SetupIntent
    return _call(
        client().v1.customers.update,
        customer,
        params={"invoice_settings": {"default_payment_method": payment_method}},
        options=options,
    )


def monthly_plan(*, amount_cents: int, account: str) -> str:
    """One plan per monthly amount (Plans work on Stripe and on localstripe, inline prices do not)."""
    plan_id = f"kollektif-don-mensuel-{amount_cents}-eur"
    options = _options(account=account)
    try:
        return client().v1.plans.retrieve(plan_id, options=options).id
    except stripe.InvalidRequestError:
        euros = f"{amount_cents / 100:.2f}".replace(".", ",")
        return _call(
            client().v1.plans.create,
            params={
                "id": plan_id,
                "amount": amount_cents,
                "currency": "eur",
                "interval": "month",
                "product": {"name": _("Don mensuel de %(euros)s €") % {"euros": euros}},
            },
            options=_options(account=account, idempotency_key=f"plan-{plan_id}"),
        ).id


def create_subscription(*, customer: str, plan: str, account: str, key: str, metadata: dict):
    return _call(
        client().v1.subscriptions.create,
        params={"customer": customer, "items": [{"plan": plan}], "metadata": metadata},
        options=_options(account=account, idempotency_key=f"sub-{key}"),
    )


def cancel_subscription(subscription_id: str, *, account: str):
    """Stop a monthly gift at once: Stripe bills nothing more (``DELETE /v1/subscriptions/…``)."""
    return _call(client().v1.subscriptions.cancel, subscription_id, options=_options(account=account))


def retrieve_subscription(subscription_id: str, *, account: str):
    return _call(client().v1.subscriptions.retrieve, subscription_id, options=_options(account=account))


def create_card_setup_intent(*, customer: str, account: str, metadata: dict):
    """A new card for a monthly gift (its donor's page): no idempotency key, each visit its own."""
    return _call(
        client().v1.setup_intents.create,
        params={"customer": customer, "payment_method_types": ["card"], "usage": "off_session", "metadata": metadata},
        options=_options(account=account),
    )


def pay_invoice(invoice_id: str, *, account: str):
    """Try an unpaid month again with the customer's (new) default card."""
    return _call(client().v1.invoices.pay, invoice_id, options=_options(account=account))


def list_open_invoices(*, customer: str, subscription: str, account: str) -> list:
    invoices = _call(
        client().v1.invoices.list,
        params={"customer": customer, "subscription": subscription, "limit": 10},
        options=_options(account=account),
    )
    return [invoice for invoice in invoices.data if invoice["status"] == "open"]


def retrieve_invoice(invoice_id: str, *, account: str):
    return _call(client().v1.invoices.retrieve, invoice_id, options=_options(account=account))


def object_id(value) -> str:
    """An expandable field: the id whether Stripe sent the id or the whole object."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return value["id"] if "id" in value else ""


# --- Connect (Standard accounts, onboarding through Account Links) -------------------------


def create_connect_account(*, email: str, association_id: int):
    return _call(
        client().v1.accounts.create,
        params={"type": "standard", "country": "FR", "email": email, "metadata": {"association": str(association_id)}},
        options=_options(idempotency_key=f"acct-association-{association_id}"),
    )


def create_account_link(*, account: str, refresh_url: str, return_url: str):
    return _call(
        client().v1.account_links.create,
        params={"account": account, "refresh_url": refresh_url, "return_url": return_url, "type": "account_onboarding"},
    )


def retrieve_account(account: str):
    """The account as Stripe has it now (``account.updated`` payloads may be old)."""
    return _call(client().v1.accounts.retrieve, account)


def change_subscription_plan(subscription_id: str, *, plan: str, account: str):
    """Bill the next months on ``plan``: no proration, nothing charged now (the month already paid
    stays as it was). Stripe takes ``proration_behavior=none``; localstripe (tests, dev) only knows
    the older ``prorate`` and still books an "unused time" credit, removed here so that the next
    invoice is the new plan's amount, as on Stripe."""
    options = _options(account=account)
    subscription = _call(client().v1.subscriptions.retrieve, subscription_id, options=options)
    item_id = subscription["items"].data[0].id
    params: dict = {"items": [{"id": item_id, "plan": plan}]}
    if settings.STRIPE_API_BASE:
        params["prorate"] = False  # localstripe's dialect
    else:
        params["proration_behavior"] = "none"
    updated = _call(client().v1.subscriptions.update, subscription_id, params=params, options=options)
    customer = object_id(subscription["customer"])
    pending = _call(client().v1.invoice_items.list, params={"customer": customer}, options=options)
    for item in pending.data:
        field = lambda name, item=item: item[name] if name in item else None  # noqa: E731
        if field("proration") and not field("invoice") and object_id(field("subscription")) == subscription_id:
            _call(client().v1.invoice_items.delete, item.id, options=options)
    return updated


# --- Payouts and balance transactions (read-only: the treasurer's bank reconciliation) ------

PAGE_SIZE = 100  # Stripe's largest page


def list_payouts(*, account: str, created_gte: int | None = None, starting_after: str = ""):
    """One page of the account's payouts, newest first (``GET /v1/payouts``)."""
    params: dict = {"limit": PAGE_SIZE}
    if created_gte is not None:
        params["created"] = {"gte": created_gte}
    if starting_after:
        params["starting_after"] = starting_after
    return _call(client().v1.payouts.list, params=params, options=_options(account=account))


def retrieve_payout(payout_id: str, *, account: str):
    return _call(client().v1.payouts.retrieve, payout_id, options=_options(account=account))


def list_balance_transactions(
    *, account: str, payout: str = "", created_gte: int | None = None, starting_after: str = ""
):
    """One page of balance transactions (``GET /v1/balance_transactions``), each with its source
    expanded: a charge names its PaymentIntent, a refund its charge, which find the payment.
    ``payout``: only those that payout carried to the bank (automatic payouts only)."""
    params: dict = {"limit": PAGE_SIZE, "expand": ["data.source"]}
    if payout:
        params["payout"] = payout
    if created_gte is not None:
        params["created"] = {"gte": created_gte}
    if starting_after:
        params["starting_after"] = starting_after
    return _call(client().v1.balance_transactions.list, params=params, options=_options(account=account))
