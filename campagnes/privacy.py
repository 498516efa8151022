"""Erasing a payer's personal data without touching what the law requires to keep.

Payments lose the payer's name, address, phone and e-mail; receipts keep their snapshot
(donor name and address are mandatory mentions, kept 6 years — LPF art. L102 B) and stay
retrievable by the donor through "Mes reçus" (their e-mail stays on the receipt only).
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from campagnes.models import Payment, PaymentLog, Receipt
from kernel.formats.french import french_datetime


@transaction.atomic
def payer_data_erase(*, email: str) -> int:
    email = email.strip().lower()
    placeholder = f"efface-{hashlib.sha256(email.encode()).hexdigest()[:12]}@anonyme.invalid"
    payments = list(Payment.objects.select_for_update().filter(email__iexact=email))
    for payment in payments:
        payment.first_name, payment.last_name = "", "Anonymisé"
        payment.email, payment.phone = placeholder, ""
        payment.street_address = payment.postal_code = payment.city = ""
        payment.public_supporter = False  # gone from the campaign's public list of supporters too
        payment.contact_consent = False  # and from the association's mailings
        payment.save(
            update_fields=[
                "first_name",
                "last_name",
                "email",
                "phone",
                "street_address",
                "postal_code",
                "city",
                "public_supporter",
                "contact_consent",
                "updated_at",
            ]
        )
        PaymentLog.objects.create(payment=payment, action="payer_erased", source="effacement")
    return len(payments)


PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "country",
    "company_name",
    "company_siren",
    "company_legal_form",
)


def payer_data_export(*, email: str) -> dict:
    """Everything the platform holds about a payer (RGPD art. 15 and 20), as plain JSON data."""
    payments = Payment.objects.filter(email__iexact=email.strip()).select_related("association", "campaign")
    receipts = Receipt.objects.filter(donor_email=email.strip().lower()).select_related("association")
    return {
        "adresse": email.strip().lower(),
        "paiements": [
            {
                "association": payment.association.name,
                "campagne": payment.campaign.title,
                "type": payment.get_kind_display(),
                "statut": payment.get_status_display(),
                "montant_centimes": payment.total_cents,
                "rembourse_centimes": payment.refunded_cents,
                "date": french_datetime(payment.paid_at or payment.created_at),
                **{field: getattr(payment, field) for field in PERSONAL_FIELDS},
            }
            for payment in payments.order_by("created_at")
        ],
        "recus": [
            {
                "association": receipt.association.name,
                "numero": receipt.number,
                "type": receipt.get_kind_display(),
                "statut": receipt.get_status_display(),
                "montant_centimes": receipt.amount_cents,
                "emis_le": french_datetime(receipt.issued_at),
                "donateur": receipt.document["donor"],
            }
            for receipt in receipts.order_by("issued_at")
        ],
        "conservation": "Les reçus sont conservés 6 ans (article L102 B du livre des procédures fiscales), "
        "même après l'effacement de vos autres données.",
    }
