"""The public site runs under its Content-Security-Policy: no violation on the pages with scripts."""

from __future__ import annotations

import pytest

from tests.browser.test_annuaire import directory  # noqa: F401  (fixture)
from tests.browser.test_donation_journey import campaign  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def _violations(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console", lambda message: messages.append(message.text) if "Content Security Policy" in message.text else None
    )
    return messages


def test_map_network_and_card_form_run_without_csp_violation(page, directory, campaign):  # noqa: F811
    violations = _violations(page)
    response = page.goto("/annuaire/?vue=carte")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page.locator(".marker-cluster").first.wait_for()
    page.goto("/reseau/")
    page.locator("#reseau-graphe canvas, [data-network] canvas").first.wait_for()
    page.goto(campaign.url)
    page.get_by_label("Autre montant", exact=True).check()  # its field shows only when chosen
    for name, value in [("amount", "20"), ("first_name", "Léa"), ("last_name", "Dupont"), ("email", "lea@exemple.org")]:
        page.locator(f"input[name={name}]").fill(value)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.wait_for_selector("#card-element input")  # Stripe.js (localstripe) loaded and mounted
    assert violations == []
    assert response.headers["permissions-policy"].startswith("accelerometer=()")
