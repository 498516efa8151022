"""A crafted year for the general assembly figures of Popeline (association A), 2025.

Every payment goes through the same service as a Stripe webhook (``tests.receipts.conftest.pay``):
memberships, tickets and tax receipts are produced as in production.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from associations.factories import UserFactory, make_eligible
from campagnes.financial_years import period_containing
from campagnes.models import (
    BalanceTransaction,
    DonationCampaignPage,
    MembershipCampaignPage,
    Payment,
    PaymentMethod,
    PaymentOffer,
    PaymentStatus,
    TicketingCampaignPage,
    TicketType,
)
from campagnes.services.tickets import tickets_cancel
from tests.receipts.conftest import pay, refund, support_page

PARIS = ZoneInfo("Europe/Paris")
YEAR = 2025


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def person(first: str, email: str) -> dict:
    return {"first_name": first, "email": email}


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(association_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def treasurer_b(association_b):
    user = UserFactory(email="tresorier@bookkafe.fr")
    user.groups.add(association_b.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pages_a(association_a):
    make_eligible(association_a)
    support = support_page(association_a)
    donation = DonationCampaignPage(title="Une machine à coudre", slug="machine", min_amount="5", max_amount="2000")
    support.add_child(instance=donation)
    membership = MembershipCampaignPage(title="Adhésion", slug="adhesion")
    support.add_child(instance=membership)
    concert = TicketingCampaignPage(
        title="Concert de La Note bleue", slug="concert", event_starts_at=at(2025, 10, 10, 20), place="Lens"
    )
    concert.ticket_types.add(TicketType(name="Plein tarif", price="10", quota=100))
    support.add_child(instance=concert)
    defile = TicketingCampaignPage(
        title="Défilé upcyclé", slug="defile", event_starts_at=at(2025, 11, 20, 18), place="Béthune"
    )
    defile.ticket_types.add(TicketType(name="Entrée", price="10", quota=100))
    support.add_child(instance=defile)
    return {"donation": donation, "membership": membership, "concert": concert, "defile": defile}


def member(
    page, first: str, email: str, paid: datetime.datetime, valid: tuple[datetime.date, datetime.date]
) -> Payment:
    offer = PaymentOffer(tier_name="Adhésion", valid_from=valid[0], valid_until=valid[1]).to_dict()
    return pay(page, kind="adhesion", amount_cents=3000, paid_at=paid, offer=offer, payer=person(first, email))


@pytest.fixture
def year_2025(pages_a, association_a, association_b):
    """The year, and what must stay out of it. Expected figures are in the tests."""
    donation, membership = pages_a["donation"], pages_a["membership"]
    concert, defile = pages_a["concert"], pages_a["defile"]
    lea = pay(
        donation, amount_cents=5000, fee_cents=200, paid_at=at(2025, 3, 10), payer=person("Léa", "lea@exemple.org")
    )
    jerome = pay(donation, amount_cents=10000, paid_at=at(2025, 3, 20), payer=person("Jérôme", "jerome@exemple.org"))
    refund(jerome, 3000)
    # 00:30 in Paris on 1 January is still 31 December in UTC: it belongs to January 2025
    pay(donation, amount_cents=1500, paid_at=at(2025, 1, 1, 0, 30), payer=person("Anaïs", "anais@exemple.org"))
    # ... and this one to 2026
    pay(donation, amount_cents=2000, paid_at=at(2026, 1, 1, 0, 30), payer=person("Anaïs", "anais@exemple.org"))
    pay(
        donation,
        amount_cents=2500,
        paid_at=at(2025, 6, 15),
        method=PaymentMethod.CHEQUE,
        payer=person("Zoé", "zoe@exemple.org"),
    )
    # a gift in kind brings no money
    Payment.objects.create(
        association=association_a,
        campaign=donation,
        kind="don",
        status=PaymentStatus.SUCCEEDED,
        method=PaymentMethod.OTHER,
        amount_cents=8000,
        paid_at=at(2025, 7, 1),
        first_name="Maël",
        last_name="Caron",
        email="mael@exemple.org",
    )
    # never paid: not counted
    Payment.objects.create(
        association=association_a,
        campaign=donation,
        kind="don",
        status=PaymentStatus.FAILED,
        amount_cents=9900,
        created_at=at(2025, 4, 4),
        first_name="X",
        last_name="Y",
        email="x@exemple.org",
    )
    Payment.objects.create(
        association=association_a,
        campaign=donation,
        kind="don",
        status=PaymentStatus.PENDING,
        amount_cents=9900,
        created_at=at(2025, 4, 4),
        first_name="X",
        last_name="Y",
        email="x@exemple.org",
    )
    # members: Inès (at the start only), Anaïs (renews), Zoé (new), Noël (refunded: nowhere)
    member(
        membership, "Inès", "ines@exemple.org", at(2024, 6, 1), (datetime.date(2024, 6, 1), datetime.date(2025, 5, 31))
    )
    member(
        membership,
        "Anaïs",
        "anais@exemple.org",
        at(2024, 3, 1),
        (datetime.date(2024, 3, 1), datetime.date(2025, 2, 28)),
    )
    member(
        membership,
        "Anaïs",
        "ANAIS@exemple.org",
        at(2025, 2, 20),
        (datetime.date(2025, 3, 1), datetime.date(2026, 2, 28)),
    )
    member(membership, "Zoé", "zoe@exemple.org", at(2025, 5, 2), (datetime.date(2025, 5, 2), datetime.date(2026, 5, 1)))
    noel = member(
        membership, "Noël", "noel@exemple.org", at(2025, 4, 1), (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    )
    refund(noel, 3000)
    # tickets: 3 for the concert (one refunded, one checked in), 1 for the défilé
    concert_type = concert.ticket_types.get()
    three = pay(
        concert,
        kind="billetterie",
        amount_cents=3000,
        paid_at=at(2025, 9, 1),
        offer=PaymentOffer(tickets={concert_type.pk: 3}).to_dict(),
        payer=person("Inès", "ines@exemple.org"),
    )
    first, second, _third = list(three.tickets.order_by("pk"))
    tickets_cancel(payment=three, tickets=[first], source="test")
    refund(three, 1000)
    second.checked_in_at = at(2025, 10, 10, 20, 5)
    second.save(update_fields=["checked_in_at"])
    defile_type = defile.ticket_types.get()
    pay(
        defile,
        kind="billetterie",
        amount_cents=1000,
        paid_at=at(2025, 9, 15),
        offer=PaymentOffer(tickets={defile_type.pk: 1}).to_dict(),
        payer=person("Léa", "lea@exemple.org"),
    )
    # Stripe's fees, as synchronised
    for number, (payment, fee) in enumerate([(lea, 98), (jerome, 165)]):
        BalanceTransaction.objects.create(
            association=association_a,
            stripe_id=f"txn_a{number}",
            type="charge",
            amount_cents=payment.total_cents,
            fee_cents=fee,
            net_cents=payment.total_cents - fee,
            created_at=payment.paid_at,
            available_on=payment.paid_at.date(),
            payment=payment,
        )
    # association B's money never shows
    make_eligible(association_b)
    b_page = DonationCampaignPage(title="Des livres pour tous", slug="livres", min_amount="5", max_amount="2000")
    support_page(association_b).add_child(instance=b_page)
    secret = pay(b_page, amount_cents=99900, paid_at=at(2025, 5, 5), payer=person("Secret", "secret@exemple.org"))
    BalanceTransaction.objects.create(
        association=association_b,
        stripe_id="txn_b",
        type="charge",
        amount_cents=99900,
        fee_cents=1500,
        net_cents=98400,
        created_at=secret.paid_at,
        available_on=secret.paid_at.date(),
        payment=secret,
    )
    return period_containing(association_a, datetime.date(2025, 6, 1))
