"""A treasurer ticks off her bank statement on a phone and on a computer: the "Virements" pages."""

from __future__ import annotations

import os

import pytest

from associations.factories import DEFAULT_PASSWORD
from campagnes.services.payouts import payouts_sync
from tests.campagnes.test_payouts import connected_a, payments, recorded, treasurer_a  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("KOLLEKTIF_SCREENSHOTS", "")  # a folder: screenshots of each step, to look at


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"pay-{name}.png"), full_page=True)


def _log_in(page, user) -> None:
    page.goto("/comptes/login/?next=/admin/virements/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/virements/")


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.usefixtures("recorded", "payments")
def test_treasurer_reads_a_payout_line_by_line(browser, live_server, request, width):
    association = request.getfixturevalue("connected_a")
    treasurer = request.getfixturevalue("treasurer_a")
    payouts_sync(association=association)
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": 900}, is_mobile=width < 600, base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _log_in(page, treasurer)
        assert "En attente : 112,62" in page.get_by_test_id("pending-total").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"index-{width}")

        page.get_by_role("link", name="20/11/2026").click()
        page.wait_for_url("**/admin/virements/*/")
        assert "90,89" in page.get_by_test_id("payout-amount").inner_text()
        assert "égal au montant viré" in page.get_by_test_id("payout-check").inner_text()
        assert page.get_by_test_id("payout-line").count() == 5
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"detail-{width}")

        page.get_by_role("link", name="← Tous les virements").click()
        page.get_by_role("button", name="Actualiser").click()
        assert "Virements à jour" in page.locator(".messages").inner_text()
        _shot(page, f"refreshed-{width}")
    finally:
        context.close()
