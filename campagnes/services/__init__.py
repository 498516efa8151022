"""Payments as named operations (the writes of campagnes): start, charge, close, refund,
apply what Stripe says, handle a webhook, let a ticket in.

Each operation is one transaction, locks the row it changes, checks its current state before
changing it and writes a PaymentLog line. Stripe is never called while a row is locked: it is
read first, then the row is locked and the answer applied. The webhook only *triggers*
operations: it re-reads the object from Stripe and the operations are idempotent, so events
arriving twice, late or in any order end in the same state.

- ``ledger``: state changes without Stripe (succeeded, closed, refunded; reservations).
- ``stripe_sync``: apply a PaymentIntent or an invoice already read from Stripe.
- ``payments``: the browser's and the admin's operations (start, charge, verify, refund).
- ``webhooks``: Stripe's events, exactly once.
- ``checkin``: a ticket at the door.
"""

from campagnes.services.expiry import expire_abandoned_payments, payments_expire_stale
from campagnes.services.ledger import (
    SoldOut,
    apply_refunds,
    mark_succeeded,
    payment_close_pending,
)
from campagnes.services.payments import (
    estimated_fee_cents,
    payment_charge,
    payment_record_decline,
    payment_refund,
    payment_resume,
    payment_start,
    payment_verify,
)
from campagnes.services.stripe_sync import apply_invoice, apply_payment_intent, payment_link_intent
from campagnes.services.webhooks import webhook_handle

__all__ = [
    "SoldOut",
    "apply_invoice",
    "apply_payment_intent",
    "apply_refunds",
    "estimated_fee_cents",
    "expire_abandoned_payments",
    "mark_succeeded",
    "payment_charge",
    "payment_close_pending",
    "payment_link_intent",
    "payment_record_decline",
    "payment_refund",
    "payment_resume",
    "payment_start",
    "payment_verify",
    "payments_expire_stale",
    "webhook_handle",
]
