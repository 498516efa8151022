"""The treasurer's "Comptabilité" page in Chromium: totals, the FEC download, a phone's width."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campagnes.models import DonationCampaignPage, MembershipCampaignPage

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, treasurer):
    from associations.factories import DEFAULT_PASSWORD

    page.goto("/comptes/login/?next=/admin/comptabilite/")
    page.fill("input[name=login]", treasurer.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/comptabilite/**")


@pytest.fixture
def paid_year(association_a):
    from tests.receipts.conftest import pay, refund

    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    gifts = DonationCampaignPage(title="Une machine à coudre", slug="machine", goal="1500", min_amount="5")
    support.add_child(instance=gifts)
    members = MembershipCampaignPage(title="Adhésion", slug="adhesion")
    support.add_child(instance=members)
    today = timezone.localdate()
    at = datetime.datetime.combine(today, datetime.time(0, 5), tzinfo=timezone.get_current_timezone())
    gift = pay(gifts, amount_cents=5000, fee_cents=150, paid_at=at)
    pay(members, kind="adhesion", amount_cents=2000, paid_at=at)
    refund(gift, 1000)
    return association_a


def test_the_treasurer_sees_her_year_and_downloads_the_fec(page, phone_page, paid_year):
    from associations.factories import UserFactory

    treasurer = UserFactory(email="tresoriere@popeline.exemple.org")
    treasurer.groups.add(paid_year.treasurers_group)
    _login(page, treasurer)
    totals = page.get_by_test_id("accounting-totals")
    assert "Adhésion" in totals.inner_text() and "756" in totals.inner_text()
    assert "61,50" in page.get_by_test_id("accounting-net").inner_text()  # 51,50 + 20 − 10
    page.screenshot(path="/tmp/acc-comptabilite-1280.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le FEC").click()
    assert "FEC" in download.value.suggested_filename and download.value.suggested_filename.endswith(".txt")

    _login(phone_page, treasurer)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376  # nothing pushes the page sideways at 375 px
    phone_page.screenshot(path="/tmp/acc-comptabilite-375.png", full_page=True)
    phone_page.get_by_role("link", name="Modifier les comptes").click()
    phone_page.get_by_label("Services bancaires et assimilés").fill("706")
    phone_page.get_by_role("button", name="Enregistrer").click()
    expect(phone_page.locator("main")).to_contain_text("doit commencer par 62")  # waits for the answer
    phone_page.screenshot(path="/tmp/acc-comptes-375.png", full_page=True)
