"""The general assembly figures of a crafted year: every figure a treasurer reads out, computed right."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campagnes.assembly_figures import assembly_figures
from campagnes.financial_years import period_containing
from campagnes.models import BalanceTransaction
from campagnes.receipts.services import declaration_figures
from tests.assembly.conftest import at, person
from tests.receipts.conftest import pay

pytestmark = pytest.mark.django_db


def test_money_by_kind_campaign_method_and_month(association_a, year_2025):
    figures = assembly_figures(association=association_a, period=year_2025)
    # 52 + 100 + 15 + 25 (gifts) + 3 × 30 (memberships) + 30 + 10 (tickets); not the 2026 gift, not B's
    assert figures.count == 9
    assert figures.received_cents == 32200
    assert figures.refunded_cents == 3000 + 3000 + 1000
    assert {line.key: (line.count, line.received_cents, line.refunded_cents) for line in figures.by_kind} == {
        "don": (4, 19200, 3000),
        "adhesion": (3, 9000, 3000),
        "billetterie": (2, 4000, 1000),
    }
    assert [line.label for line in figures.by_kind] == ["Don", "Adhésion", "Billetterie"]
    campaigns = {line.label: line.net_cents for line in figures.by_campaign}
    assert campaigns == {
        "Une machine à coudre": 16200,
        "Adhésion": 6000,
        "Concert de La Note bleue": 2000,
        "Défilé upcyclé": 1000,
    }
    methods = {line.label: line.received_cents for line in figures.by_method}
    assert methods == {"Carte bancaire": 29700, "Chèque": 2500}
    # the gift in kind is apart
    assert (figures.non_cash.count, figures.non_cash.received_cents) == (1, 8000)
    # twelve months, in Paris time
    assert [line.month for line in figures.months] == [datetime.date(2025, m, 1) for m in range(1, 13)]
    assert [line.received_cents for line in figures.months] == [
        1500,
        3000,
        15200,
        3000,
        3000,
        2500,
        0,
        0,
        4000,
        0,
        0,
        0,
    ]
    assert figures.busiest_month.month == datetime.date(2025, 3, 1)


def test_fees_are_stripes_and_the_net_deducts_them(association_a, year_2025):
    figures = assembly_figures(association=association_a, period=year_2025)
    assert figures.fees.available and figures.fees.cents == 98 + 165
    assert figures.fees.covered_by_payers_cents == 200  # Léa covered 2 €: part of what was received
    assert figures.fees.card_payments_without_movement == 6  # 8 card payments, two synchronised
    assert figures.net_cents == 32200 - 7000 - 263


def test_fees_not_available_without_any_synchronised_movement(association_a, year_2025):
    BalanceTransaction.objects.filter(association=association_a).delete()
    figures = assembly_figures(association=association_a, period=year_2025)
    assert not figures.fees.available
    assert figures.net_cents == 32200 - 7000  # nothing invented


def test_members_at_start_and_end_new_and_renewed(association_a, year_2025):
    members = assembly_figures(association=association_a, period=year_2025).members
    # start: Inès and Anaïs; end: Anaïs and Zoé; Anaïs renewed (typed her e-mail in capitals), Zoé is new;
    # Noël's membership was refunded in full: counted nowhere
    assert (members.at_start, members.at_end, members.new, members.renewed) == (2, 2, 1, 1)
    previous = period_containing(association_a, datetime.date(2024, 6, 1))
    before = assembly_figures(association=association_a, period=previous).members
    assert (before.new, before.renewed, before.at_end) == (2, 0, 2)


def test_tickets_per_event_without_the_refunded_one(association_a, year_2025):
    tickets = assembly_figures(association=association_a, period=year_2025).tickets
    assert [(t.title, t.sold, t.refunded, t.checked_in) for t in tickets] == [
        ("Concert de La Note bleue", 2, 1, 1),
        ("Défilé upcyclé", 1, 0, 0),
    ]


def test_tax_receipts_are_the_222_bis_figures(association_a, year_2025):
    receipts = assembly_figures(association=association_a, period=year_2025).receipts
    declared = declaration_figures(association=association_a, year=2025)
    assert (receipts.receipts, receipts.total_cents, receipts.cancelled) == (
        declared.receipts,
        declared.total_cents,
        declared.cancelled,
    )
    # Léa, Jérôme (corrected once after his refund), the 1 January gift and Zoé's cheque
    assert receipts.receipts == 4 and receipts.cancelled == 1


def test_another_association_sees_nothing_of_a(association_b, year_2025):
    figures = assembly_figures(
        association=association_b, period=period_containing(association_b, datetime.date(2025, 6, 1))
    )
    assert figures.received_cents == 99900 and figures.fees.cents == 1500
    assert figures.members.at_end == 0 and figures.tickets == []


def test_a_september_year_has_its_own_months(association_a, year_2025):
    association_a.accounting_year_start_month = 9
    association_a.save(update_fields=["accounting_year_start_month"])
    period = period_containing(association_a, datetime.date(2025, 1, 15))  # 1 Sept 2024 - 31 Aug 2025
    figures = assembly_figures(association=association_a, period=period)
    assert figures.months[0].month == datetime.date(2024, 9, 1) and len(figures.months) == 12
    assert figures.received_cents == 32200 - 4000  # the September tickets belong to the next year


def test_query_count_does_not_grow_with_data(association_a, year_2025, pages_a):
    with CaptureQueriesContext(connection) as before:
        assembly_figures(association=association_a, period=year_2025)
    for month in range(1, 13):
        for n in range(3):
            pay(
                pages_a["donation"],
                amount_cents=1000 + n,
                paid_at=at(2025, month, 5 + n),
                payer=person("Chloé", f"chloe{month}-{n}@exemple.org"),
            )
    with CaptureQueriesContext(connection) as after:
        figures = assembly_figures(association=association_a, period=year_2025)
    assert figures.count == 9 + 36
    assert len(after.captured_queries) == len(before.captured_queries) <= 6
