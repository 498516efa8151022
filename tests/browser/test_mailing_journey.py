"""The treasurer's journey: her members' list, a convocation written and sent, on a computer
and on a phone; the member's unsubscribe page on a phone."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from associations.factories import DEFAULT_PASSWORD, UserFactory
from campagnes.models import (
    Mailing,
    MailingRecipient,
    Membership,
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentKind,
    PaymentStatus,
)

SHOTS = os.environ.get("KOLLEKTIF_SCREENSHOTS", "")  # a folder: the journey's screenshots are saved there


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"mbr-{name}.png"), full_page=True)


@pytest.fixture
def treasurer(association_a):
    user = UserFactory(email="tresoriere@exemple.org")
    user.groups.add(association_a.treasurers_group)
    page = MembershipCampaignPage(
        title="Adhésion 2026", slug="adhesion", validity="douze-mois", opens_at=timezone.now()
    )
    page.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    association_a.home_page.get_children().get(slug="nous-aider").add_child(instance=page)
    for n, (first, last, consent) in enumerate(
        [("Léa", "Dupont", True), ("Jérôme", "Lefèvre", True), ("Anaïs", "Benaïssa-Wiśniewski", False)]
    ):
        payment = Payment.objects.create(
            association=association_a,
            campaign=page,
            kind=PaymentKind.MEMBERSHIP,
            status=PaymentStatus.SUCCEEDED,
            amount_cents=1500,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{n}@exemple.org",
            contact_consent=consent,
            contact_consent_at=timezone.now() if consent else None,
            paid_at=timezone.now(),
        )
        today = timezone.localdate()
        Membership.objects.create(
            payment=payment,
            association=association_a,
            tier_name="Individuelle",
            valid_from=today,
            valid_until=today + timedelta(days=200),
        )
    return user


def _log_in(page, user, next_url: str) -> None:
    page.goto(f"/comptes/login/?next={next_url}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_treasurer_lists_her_members_and_sends_the_convocation(browser, live_server, treasurer, width):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": 900}, base_url=live_server.url, is_mobile=width < 500
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    _log_in(page, treasurer, "/admin/contacts/")
    assert "Adhérents à jour : 3 personnes" in page.locator("[data-testid=contacts-count]").inner_text()
    assert page.get_by_text("Sans accord").count() == 1
    assert _no_horizontal_scroll(page)
    _shot(page, f"contacts-{width}")

    page.get_by_role("link", name="Écrire à cette liste").click()
    assert "ce message partira à 2 personnes" in page.locator("[data-testid=mailing-count]").inner_text()
    page.get_by_label("Objet").fill("Convocation à l'assemblée générale")
    page.get_by_label("Message").fill("Bonjour,\n\nL'assemblée générale aura lieu le 12 mars à 18 h.\n\nLa trésorière")
    assert _no_horizontal_scroll(page)
    _shot(page, f"compose-{width}")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_url("**/admin/envois/*/")
    assert "Votre message part à 2 personne(s)" in page.content()
    assert page.locator("[data-testid=mailing-sent]").inner_text() == "2"
    assert page.locator("[data-testid=mailing-status]").inner_text() == "Envoyé"
    assert _no_horizontal_scroll(page)
    _shot(page, f"mailing-{width}")
    context.close()


def test_a_member_unsubscribes_on_her_phone(phone_page, association_a):
    mailing = Mailing.objects.create(association=association_a, subject="AG", body="…", audience="adherents-a-jour")
    recipient = MailingRecipient.objects.create(mailing=mailing, email="lea@exemple.org", status="envoye")
    phone_page.goto(f"/desabonnement/{recipient.token}/")
    assert phone_page.get_by_role("heading", level=1).inner_text() == "Se désabonner"
    _shot(phone_page, "unsubscribe-375")
    phone_page.get_by_role("button", name="Me désabonner").click()
    assert phone_page.get_by_role("heading", level=1).inner_text() == "Vous êtes désabonné"
    assert _no_horizontal_scroll(phone_page)
    _shot(phone_page, "unsubscribed-375")
