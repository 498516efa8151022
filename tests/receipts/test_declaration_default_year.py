"""The 222 bis page opens on the association's last closed accounting year (issue #12, item 6).

A treasurer whose "exercice" runs from 1 September opens the page in November 2026: the year to
declare closed on 31 August 2026 (due by 30 November 2026), not calendar 2025.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.receipts.services import last_closed_accounting_year
from tests.receipts.conftest import pay
from tests.receipts.test_declaration_and_dates import plain

pytestmark = pytest.mark.django_db
NOVEMBER_2026 = datetime.date(2026, 11, 15)


@pytest.fixture
def treasurer_a(eligible_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def in_november_2026(monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return NOVEMBER_2026 if value is None else real(value, timezone)

    monkeypatch.setattr(timezone, "localdate", localdate)


def test_the_last_closed_year_follows_the_exercice(eligible_a):
    assert last_closed_accounting_year(association=eligible_a, today=NOVEMBER_2026) == 2025  # calendar year
    assert last_closed_accounting_year(association=eligible_a, today=datetime.date(2026, 12, 31)) == 2025
    assert last_closed_accounting_year(association=eligible_a, today=datetime.date(2027, 1, 1)) == 2026
    eligible_a.accounting_year_start_month = 9
    assert last_closed_accounting_year(association=eligible_a, today=NOVEMBER_2026) == 2026  # closed 31/08/2026
    assert last_closed_accounting_year(association=eligible_a, today=datetime.date(2026, 8, 31)) == 2025
    assert last_closed_accounting_year(association=eligible_a, today=datetime.date(2026, 9, 1)) == 2026


def test_the_page_opens_on_the_exercice_closed_on_31_august(treasurer_a, eligible_a, donation_page_a, in_november_2026):
    eligible_a.accounting_year_start_month = 9
    eligible_a.save(update_fields=["accounting_year_start_month"])
    tz = timezone.get_current_timezone()
    pay(donation_page_a, amount_cents=3000, paid_at=datetime.datetime(2026, 3, 10, 12, tzinfo=tz))  # 2025-2026
    pay(donation_page_a, amount_cents=5000, paid_at=datetime.datetime(2026, 10, 10, 12, tzinfo=tz))  # 2026-2027
    response = treasurer_a.get(f"/admin/recus/declaration/?association={eligible_a.pk}")
    assert response.status_code == 200
    page = plain(response.content.decode())
    assert "l'exercice du 1er septembre 2025 au 31 août 2026" in page
    assert "30 novembre 2026" in page
    assert 'data-testid="declaration-count">1<' in page
    assert 'data-testid="declaration-total">30,00 €<' in page


def test_a_calendar_year_association_still_opens_on_last_year(treasurer_a, eligible_a, in_november_2026):
    response = treasurer_a.get(f"/admin/recus/declaration/?association={eligible_a.pk}")
    assert response.status_code == 200
    page = plain(response.content.decode())
    assert "Dons reçus du 1er janvier 2025 au 31 décembre 2025." in page
