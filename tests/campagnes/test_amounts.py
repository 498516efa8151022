"""One amount parser for every form: what a French person types is read, the rest is refused in French.

`1e30`, `1e309` or `1e999999` used to reach `Decimal` arithmetic and answer 500
(`decimal.InvalidOperation`); a free-price membership accepted 999 999 999 999 €.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import (
    CrowdfundingCampaignPage,
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentKind,
    PaymentStatus,
    Receipt,
)
from campagnes.money import STRIPE_MAX_CENTS, parse_amount_cents

pytestmark = pytest.mark.django_db

PAYER = {
    "first_name": "Jean",
    "last_name": "Lefebvre",
    "email": "jean@exemple.org",
    "street_address": "8 rue Basly",
    "postal_code": "62300",
    "city": "Lens",
    "consent": "on",
}
EXPONENTS = ["1e30", "1e309", "1e999999", "1E2", "NaN", "inf", "Infinity", "0x10", "١٠", "²"]
TODAY = timezone.localdate().strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("10", 1000),
        ("10,50", 1050),
        ("10.5", 1050),
        (" 1 000 ", 100000),
        ("1\u00a0000,50", 100050),
        ("1\u202f000,50", 100050),
        ("10 €", 1000),
        ("10€", 1000),
        ("0,01", 1),
        ("999 999,99", STRIPE_MAX_CENTS),
        ("007", 700),
    ],
)
def test_what_a_french_person_types_is_read(typed, cents):
    assert parse_amount_cents(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        *[(value, "montant en euros") for value in EXPONENTS],
        ("12,345", "Deux chiffres au plus"),
        ("-5", "positif"),
        ("1 000 000", "999 999,99 € au plus"),
        ("1" * 30, "trop long"),
        ("1.000,50", "montant en euros"),
        ("10 00", "montant en euros"),
        ("", "montant en euros"),
        ("1,", "montant en euros"),
        (",5", "montant en euros"),
    ],
)
def test_the_rest_is_refused_in_french(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_amount_cents(typed)
    assert message in " ".join(error.value.messages)


def _support(association):
    return association.home_page.get_children().get(slug="nous-aider").specific


@pytest.fixture
def membership(association_a):
    page = MembershipCampaignPage(title="Adhésion 2026", slug="adhesion-2026", validity="annee-civile")
    page.tiers.add(MembershipTier(name="Soutien", price=Decimal("30"), free_price=True))
    _support(association_a).add_child(instance=page)
    return page


@pytest.fixture
def crowdfunding(association_a):
    page = CrowdfundingCampaignPage(
        title="Un local", slug="local", goal=Decimal("5000"), closes_at=timezone.now() + timedelta(days=40)
    )
    _support(association_a).add_child(instance=page)
    return page


@pytest.mark.parametrize("amount", ["1e30", "1e309", "1e999999", "12,345", "999 999 999 999"])
def test_public_forms_refuse_huge_or_odd_amounts_in_french(donation_campaign, membership, crowdfunding, amount):
    tier = membership.tiers.get()
    for campaign, extra in (
        (donation_campaign, {"frequency": "once"}),
        (membership, {"tier": tier.pk}),
        (crowdfunding, {}),
    ):
        response = Client().post(campaign.url, {**PAYER, **extra, "amount": amount})
        body = response.content.decode()
        assert response.status_code == 400, (campaign, amount, response.status_code)
        assert any(
            text in body for text in ("montant en euros", "Deux chiffres", "999 999,99", "contactez", "maximum est de")
        ), (campaign, amount)
    assert not Payment.objects.exists()


def test_a_free_price_membership_has_a_maximum(membership):
    tier = membership.tiers.get()
    response = Client().post(membership.url, {**PAYER, "tier": tier.pk, "amount": "100 000,01"})
    assert response.status_code == 400 and "contactez l&#x27;association" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_ticket_order_has_a_maximum(association_a):
    from campagnes.models import TicketingCampaignPage, TicketType

    page = TicketingCampaignPage(
        title="Gala", slug="gala", event_starts_at=timezone.now() + timedelta(days=9), place="Arras"
    )
    for n in range(2):
        page.ticket_types.add(TicketType(name=f"Loge {n}", price=Decimal("999999.99"), quota=50))
    _support(association_a).add_child(instance=page)
    data = {**PAYER, **{f"billets_{t.pk}": "10" for t in page.ticket_types.all()}}
    response = Client(raise_request_exception=False).post(page.url, data)
    assert response.status_code == 400 and "contactez l&#x27;association" in response.content.decode()
    assert not Payment.objects.exists()


def test_the_database_refuses_a_payment_above_stripes_limit(association_a, donation_campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            association=association_a,
            campaign=donation_campaign,
            kind=PaymentKind.DONATION,
            amount_cents=STRIPE_MAX_CENTS + 1,
            email="x@exemple.org",
        )


def test_an_editor_cannot_set_an_amount_stripe_would_refuse(donation_campaign):
    donation_campaign.max_amount = Decimal("1000000")
    with pytest.raises(ValidationError) as error:
        donation_campaign.full_clean()
    assert "max_amount" in error.value.message_dict


@pytest.fixture
def treasurer(association_a):
    user = UserFactory(email="tresoriere@exemple.org")
    user.groups.add(association_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("amount", ["1e30", "1e309", "1e999999", "12,345"])
def test_the_refund_form_refuses_them_and_refunds_nothing(association_a, donation_campaign, treasurer, amount):
    payment = Payment.objects.create(
        association=association_a,
        campaign=donation_campaign,
        kind=PaymentKind.DONATION,
        status=PaymentStatus.SUCCEEDED,
        amount_cents=2500,
        email="lea@exemple.org",
        paid_at=timezone.now(),
    )
    response = treasurer.post(f"/admin/paiements/{payment.pk}/", {"amount": amount})
    assert response.status_code == 400
    assert "montant en euros" in response.content.decode() or "Deux chiffres" in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_cents == 0 and not payment.logs.filter(action="refunded").exists()


@pytest.mark.parametrize("amount", ["1e30", "1e309", "1e999999"])
def test_the_manual_gift_form_refuses_them(association_a, treasurer, amount):
    response = treasurer.post(
        "/admin/recus/don-recu/",
        {
            "association": association_a.pk,
            "last_name": "Curie",
            "email": "marie@exemple.org",
            "street_address": "1 place d'Armes",
            "postal_code": "62000",
            "city": "Arras",
            "amount": amount,
            "method": "cheque",
            "received_on": TODAY,
        },
    )
    assert response.status_code == 400 and "montant en euros" in response.content.decode()
    assert not Payment.objects.exists() and not Receipt.objects.exists()


def test_the_gift_import_reports_them_and_imports_nothing(association_a, treasurer):
    rows = "\n".join(
        f"Marie;Curie;marie@exemple.org;1 place d'Armes;62000;Arras;{amount};virement;{TODAY}"
        for amount in ("20", "1e30", "1e309", "1e999999", "1 000,50")
    )
    upload = io.BytesIO(("prénom;nom;email;adresse;code postal;ville;montant;moyen;date\n" + rows).encode())
    upload.name = "dons.csv"
    response = treasurer.post(
        "/admin/recus/import/", {"association": association_a.pk, "file": upload, "confirm": "on"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert all(f"<td>{line}</td><td>montant</td>" in body for line in (3, 4, 5)), body
    assert "<td>6</td><td>montant</td>" not in body
    assert not Payment.objects.exists() and not Receipt.objects.exists()
