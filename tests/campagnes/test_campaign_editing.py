"""Volunteers create campaigns under "Nous aider" in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.test import Client

from campagnes.models import DonationCampaignPage

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "title": "Aidez-nous à acheter une surjeteuse",
        "slug": "surjeteuse",
        "body-count": "0",
        "opens_at": "01/11/2026 09:00",
        "closes_at": "",
        "goal": "800",
        "suggested_amounts": "10, 20, 50",
        "min_amount": "5",
        "max_amount": "1000",
        "allow_monthly": "on",
        "amount_notes-TOTAL_FORMS": "1",
        "amount_notes-INITIAL_FORMS": "0",
        "amount_notes-MIN_NUM_FORMS": "0",
        "amount_notes-MAX_NUM_FORMS": "1000",
        "amount_notes-0-amount": "20",
        "amount_notes-0-description": "Une bobine de fil",
        "amount_notes-0-ORDER": "1",
        "amount_notes-0-DELETE": "",
        "amount_notes-0-id": "",
        "action-publish": "publish",
    }
    data.update(overrides)
    return data


def test_an_editor_creates_a_donation_campaign_that_appears_on_nous_aider(client_a, association_a):
    support = association_a.home_page.get_children().get(slug="nous-aider")
    response = client_a.post(f"/admin/pages/add/campagnes/donationcampaignpage/{support.pk}/", _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = DonationCampaignPage.objects.get(slug="surjeteuse")
    assert campaign.live and campaign.goal == 800
    assert "surjeteuse" in Client().get("/association/popeline/nous-aider/").content.decode()
    # what the 20 € funds, under the amount, on the donation form
    assert "Une bobine de fil" in Client().get(campaign.url).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"suggested_amounts": "10, vingt"}, "séparés par des virgules"),
        ({"min_amount": "50", "max_amount": "10"}, "maximum doit dépasser"),
        ({"suggested_amounts": "2000"}, "respecter le minimum"),
        ({"closes_at": "01/10/2026 09:00"}, "La clôture doit suivre"),
    ],
)
def test_bad_campaign_settings_are_refused_in_french(client_a, association_a, overrides, message):
    support = association_a.home_page.get_children().get(slug="nous-aider")
    response = client_a.post(f"/admin/pages/add/campagnes/donationcampaignpage/{support.pk}/", _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DonationCampaignPage.objects.exists()


def test_an_editor_cannot_add_a_campaign_to_another_association(client_a, association_b):
    support = association_b.home_page.get_children().get(slug="nous-aider")
    response = client_a.post(f"/admin/pages/add/campagnes/donationcampaignpage/{support.pk}/", _form())
    assert response.status_code == 404
    assert not DonationCampaignPage.objects.exists()
