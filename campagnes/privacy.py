"""Erasing a payer's personal data without touching what the law requires to keep.

Payments lose the payer's name, address, phone and e-mail; receipts keep their snapshot
(donor name and address are mandatory mentions, kept 6 years — LPF art. L102 B) and stay
retrievable by the donor through "Mes reçus" (their e-mail stays on the receipt only).
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from campagnes.models import Payment, PaymentLog


@transaction.atomic
def payer_data_erase(*, email: str) -> int:
    email = email.strip().lower()
    placeholder = f"efface-{hashlib.sha256(email.encode()).hexdigest()[:12]}@anonyme.invalid"
    payments = list(Payment.objects.select_for_update().filter(email__iexact=email))
    for payment in payments:
        payment.first_name, payment.last_name = "", "Anonymisé"
        payment.email, payment.phone = placeholder, ""
        payment.street_address = payment.postal_code = payment.city = ""
        payment.save(update_fields=["first_name", "last_name", "email", "phone", "street_address", "postal_code",
                                    "city", "updated_at"])
        PaymentLog.objects.create(payment=payment, action="payer_erased", source="effacement")
    return len(payments)
