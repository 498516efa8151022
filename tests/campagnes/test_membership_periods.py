"""Memberships for the right period: calendar year, season, rolling year, renewals and the switch date.

The rule (campagnes.memberships) is checked on its own first, then as the member lives it: the
form says the period before paying, the card page, the thank-you page and the e-mail repeat it,
and the membership holds it (the attestation reads ``Membership.valid_from/valid_until``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from campagnes.memberships import (
    long_french_date,
    membership_period,
    membership_to_renew,
    renewal_token,
)
from campagnes.memberships_reminders import membership_reminders_send
from campagnes.models import Membership, MembershipCampaignPage, MembershipTier, Payment, PaymentKind, PaymentStatus
from kernel.models import OutgoingEmail
from tests.campagnes.conftest import confirm_card_in_browser

pytestmark = pytest.mark.django_db


def _campaign(association, *, slug="adhesion", validity="annee-civile", **fields) -> MembershipCampaignPage:
    support = association.home_page.get_children().get(slug="nous-aider").specific
    page = MembershipCampaignPage(
        title="Adhésion à l'association",
        slug=slug,
        validity=validity,
        opens_at=timezone.now() - timedelta(days=400),
        **fields,
    )
    page.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    support.add_child(instance=page)
    return page


def _held(association, campaign, *, email, valid_from, valid_until, first_name="Marc") -> Membership:
    payment = Payment.objects.create(
        association=association,
        campaign=campaign,
        kind=PaymentKind.MEMBERSHIP,
        status=PaymentStatus.SUCCEEDED,
        amount_cents=1500,
        first_name=first_name,
        last_name="Leroy",
        email=email,
        street_address="3 rue des Écoles",
        postal_code="62700",
        city="Bruay-la-Buissière",
        paid_at=timezone.now(),
    )
    return Membership.objects.create(
        payment=payment,
        association=association,
        tier_name="Individuelle",
        valid_from=valid_from,
        valid_until=valid_until,
    )


class Rule:
    """Stands for a campaign in the pure rule."""

    def __init__(self, validity, season_start=None, season_end=None, switch_day=None, switch_month=None):
        self.validity = validity
        self.season_start, self.season_end = season_start, season_end
        self.switch_day, self.switch_month = switch_day, switch_month


# --- the rule -------------------------------------------------------------------------------


def test_a_calendar_year_membership_bought_in_november_covers_the_whole_year():
    period = membership_period(campaign=Rule("annee-civile"), paid_on=date(2026, 11, 20))
    assert period == (date(2026, 1, 1), date(2026, 12, 31))
    assert period.label == "Valable du 1er janvier au 31 décembre 2026"


def test_a_renewal_starts_when_the_current_membership_ends():
    rule = Rule("annee-civile")
    renewal = membership_period(campaign=rule, paid_on=date(2026, 12, 5), current_until=date(2026, 12, 31))
    assert renewal == (date(2027, 1, 1), date(2027, 12, 31))
    # an expired membership renews nothing: the year of payment
    late = membership_period(campaign=rule, paid_on=date(2027, 2, 1), current_until=date(2026, 12, 31))
    assert late == (date(2027, 1, 1), date(2027, 12, 31))
    rolling = membership_period(campaign=Rule("douze-mois"), paid_on=date(2026, 11, 20), current_until=date(2027, 1, 9))
    assert rolling == (date(2027, 1, 10), date(2028, 1, 9))


def test_a_december_membership_without_switch_date_is_for_the_current_year():
    assert membership_period(campaign=Rule("annee-civile"), paid_on=date(2026, 12, 28)) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )


def test_from_the_switch_date_a_calendar_year_membership_counts_for_next_year_at_once():
    rule = Rule("annee-civile", switch_day=1, switch_month=9)
    assert membership_period(campaign=rule, paid_on=date(2026, 8, 31)) == (date(2026, 1, 1), date(2026, 12, 31))
    period = membership_period(campaign=rule, paid_on=date(2026, 9, 1))
    assert period == (date(2026, 9, 1), date(2027, 12, 31))
    assert period.label == "Valable du 1er septembre 2026 au 31 décembre 2027"
    december = membership_period(campaign=rule, paid_on=date(2026, 12, 15))
    assert december == (date(2026, 12, 15), date(2027, 12, 31))


def test_a_season_repeats_every_year_with_its_switch_date():
    rule = Rule("saison", season_start=date(2026, 9, 1), season_end=date(2027, 8, 31), switch_day=1, switch_month=6)
    # a pre-sale in August counts for the first season, never an earlier one
    assert membership_period(campaign=rule, paid_on=date(2026, 8, 20)) == (date(2026, 9, 1), date(2027, 8, 31))
    assert membership_period(campaign=rule, paid_on=date(2027, 3, 1)) == (date(2026, 9, 1), date(2027, 8, 31))
    # from 1 June, the next season, valid at once
    assert membership_period(campaign=rule, paid_on=date(2027, 6, 15)) == (date(2027, 6, 15), date(2028, 8, 31))
    # the season comes back the next year
    assert membership_period(campaign=rule, paid_on=date(2027, 10, 2)) == (date(2027, 9, 1), date(2028, 8, 31))
    # a renewal of the season starts with the next one
    renewal = membership_period(campaign=rule, paid_on=date(2027, 8, 10), current_until=date(2027, 8, 31))
    assert renewal == (date(2027, 9, 1), date(2028, 8, 31))


def test_french_long_dates():
    assert long_french_date(date(2026, 1, 1)) == "1er janvier 2026"
    assert long_french_date(date(2026, 8, 31)) == "31 août 2026"


def test_the_switch_date_must_exist(association_a):
    from django.core.exceptions import ValidationError

    page = MembershipCampaignPage(title="x", validity="annee-civile", switch_day=31, switch_month=2)
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "Ce jour n'existe pas dans ce mois." in str(error.value)
    page = MembershipCampaignPage(title="x", validity="annee-civile", switch_day=1)
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "Indiquez le jour et le mois de bascule" in str(error.value)


# --- as the member lives it -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


PAYER = {
    "first_name": "Léa",
    "last_name": "Martin",
    "email": "lea.martin@exemple.org",
    "street_address": "8 rue Basly",
    "postal_code": "62300",
    "city": "Lens",
    "consent": "on",
}


def _pay(member: Client, campaign, stripe_client, data: dict):
    """Submit the form, check the card page, pay, and return the page the member lands on."""
    response = member.post(campaign.url, {"tier": campaign.tiers.get().pk, **data})
    assert response.status_code == 200, response.content.decode()[:3000]
    card_page = response.content.decode()
    secret = re.search(r'data-client-secret="([^"]+)"', card_page).group(1)
    confirm_card_in_browser(stripe_client, secret)
    payment = Payment.objects.order_by("-pk").first()
    thanks = member.post(f"/paiement/{payment.public_token}/confirmer/", follow=True)
    return card_page, thanks, payment


@freeze_time("2026-11-20 10:00:00", tick=True)
def test_a_member_joining_in_november_is_a_member_for_2026_and_is_told_so(association_a, stripe_client):
    campaign = _campaign(association_a)
    member = Client()
    form = member.get(campaign.url)
    assert form.status_code == 200
    assert "Valable du 1er janvier au 31 décembre 2026" in form.content.decode()

    card_page, thanks, payment = _pay(member, campaign, stripe_client, PAYER)
    assert "valable du 1er janvier au 31 décembre 2026" in card_page
    assert thanks.status_code == 200
    body = thanks.content.decode()
    assert "Merci !" in body and "valable du 1er janvier au 31 décembre 2026" in body
    membership = Membership.objects.get(payment=payment)
    assert (membership.valid_from, membership.valid_until) == (date(2026, 1, 1), date(2026, 12, 31))
    email = OutgoingEmail.objects.filter(to=["lea.martin@exemple.org"], template="payment_confirmation").get()
    assert "valable du 1er janvier au 31 décembre 2026" in email.text
    assert "valable du 1er janvier au 31 décembre 2026" in email.html


def test_a_member_renewing_after_the_reminder_gets_the_next_year(
    association_a, stripe_client, django_capture_on_commit_callbacks
):
    with freeze_time("2026-03-02 09:00:00", tick=True):
        campaign = _campaign(association_a)
    current = _held(
        association_a, campaign, email="marc@exemple.org", valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)
    )
    with freeze_time("2026-12-05 09:00:00", tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            assert membership_reminders_send() == 1
        (reminder,) = mail.outbox
        assert "valable du 1er janvier au 31 décembre 2027" in reminder.body
        link = re.search(r"https?://[^/\s]+(/\S+\?renouveler=\S+)", reminder.body).group(1)

        member = Client()
        response = member.get(link)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Renouvellement de l&#x27;adhésion de Marc Leroy." in body or "Renouvellement de l'adhésion" in body
        assert "Valable du 1er janvier au 31 décembre 2027" in body
        assert 'value="marc@exemple.org"' in body  # filled in for the member

        token = re.search(r'name="renouveler" value="([^"]+)"', body).group(1)
        data = {**PAYER, "first_name": "Marc", "last_name": "Leroy", "email": "marc@exemple.org", "renouveler": token}
        card_page, thanks, payment = _pay(member, campaign, stripe_client, data)
    assert "valable du 1er janvier au 31 décembre 2027" in card_page
    assert thanks.status_code == 200 and "valable du 1er janvier au 31 décembre 2027" in thanks.content.decode()
    renewal = Membership.objects.get(payment=payment)
    assert (renewal.valid_from, renewal.valid_until) == (date(2027, 1, 1), date(2027, 12, 31))
    assert current.valid_until == date(2026, 12, 31)


@freeze_time("2026-11-28 10:00:00", tick=True)
def test_the_switch_date_is_shown_before_paying(association_a):
    campaign = _campaign(association_a, switch_day=1, switch_month=9)
    body = Client().get(campaign.url).content.decode()
    assert "Valable du 28 novembre 2026 au 31 décembre 2027" in body
    assert "Depuis le 1er septembre, une nouvelle adhésion compte pour la période suivante." in body


# --- bad input: a renewal with nothing to renew ---------------------------------------------


@freeze_time("2026-12-05 09:00:00", tick=True)
def test_a_renewal_link_naming_no_membership_is_refused_in_french(association_a, association_b):
    campaign = _campaign(association_a)
    campaign_b = _campaign(association_b, slug="adhesion-b")
    other = _held(
        association_b,
        campaign_b,
        email="secret-b@exemple.org",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    client = Client()
    for token in ("n-importe-quoi", renewal_token(other)):
        response = client.get(f"{campaign.url}?renouveler={token}")
        assert response.status_code == 404
        body = response.content.decode()
        assert "lien de renouvellement" in body and "Vous pouvez adhérer ci-dessous" in body
        assert "secret-b@exemple.org" not in body
    # a refunded membership is none to renew either
    mine = _held(
        association_a, campaign, email="marc@exemple.org", valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)
    )
    Payment.objects.filter(pk=mine.payment_id).update(status=PaymentStatus.REFUNDED)
    response = client.get(f"{campaign.url}?renouveler={renewal_token(mine)}")
    assert response.status_code == 404
    # posting a forged token: the form says so, nothing is started
    before = Payment.objects.count()
    response = client.post(campaign.url, {"tier": campaign.tiers.get().pk, **PAYER, "renouveler": "faux"})
    assert response.status_code == 400
    assert "Ce lien de renouvellement n&#x27;est pas valable" in response.content.decode()
    assert Payment.objects.count() == before
    with pytest.raises(Exception, match="aucune adhésion à renouveler"):
        membership_to_renew(token=renewal_token(other), association=association_a)
