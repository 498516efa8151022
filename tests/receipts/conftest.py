"""Receipts: payments that succeed through the same service as a Stripe webhook, no mock."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from associations.factories import make_eligible
from campagnes.models import (
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    MembershipCampaignPage,
    Payment,
    PaymentStatus,
)


@pytest.fixture
def eligible_a(association_a):
    return make_eligible(association_a)


def support_page(association):
    return association.home_page.get_children().get(slug="nous-aider").specific


@pytest.fixture
def donation_page_a(association_a):
    page = DonationCampaignPage(
        title="Une machine à coudre",
        slug="machine",
        goal="1500",
        min_amount="5",
        max_amount="2000",
        suggested_amounts="10, 20, 50",
        allow_monthly=True,
    )
    support_page(association_a).add_child(instance=page)
    return page


@pytest.fixture
def donation_page_b(association_b):
    page = DonationCampaignPage(
        title="Des livres pour tous", slug="livres", goal="500", min_amount="5", max_amount="2000"
    )
    support_page(association_b).add_child(instance=page)
    return page


@pytest.fixture
def membership_page_a(association_a):
    page = MembershipCampaignPage(title="Adhésion 2026", slug="adhesion")
    support_page(association_a).add_child(instance=page)
    return page


@pytest.fixture
def crowdfunding_page_a(association_a):
    page = CrowdfundingCampaignPage(
        title="Un atelier mobile", slug="atelier", goal="3000", closes_at=timezone.now() + datetime.timedelta(days=30)
    )
    support_page(association_a).add_child(instance=page)
    return page


DONOR = {
    "first_name": "Léa",
    "last_name": "Dupont",
    "email": "lea@exemple.org",
    "street_address": "3 rue des Lilas",
    "postal_code": "62400",
    "city": "Béthune",
}


def pay(campaign, *, kind: str = "don", amount_cents: int = 5000, paid_at=None, **fields) -> Payment:
    """A payment that succeeds exactly as the webhook makes it succeed (campagnes.services)."""
    from campagnes import services

    payer = {**DONOR, **fields.pop("payer", {})}
    payment = Payment.objects.create(
        association=campaign.association, campaign=campaign, kind=kind, amount_cents=amount_cents, **payer, **fields
    )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if paid_at is not None:
            payment.paid_at = paid_at
        services.mark_succeeded(payment, charge_id="", source="test")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    return payment


def refund(payment: Payment, cents: int) -> Payment:
    from campagnes.services import apply_refunds

    return apply_refunds(payment=payment, refunded_cents=payment.refunded_cents + cents, source="test")


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)
