"""Card-testing limits count per visitor, not per proxy (issue #10, item 1)."""

from __future__ import annotations

import pytest
from django.test import Client

from campagnes.models import Payment
from tests.campagnes.test_donation import DONOR

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # Caddy, trusted by default


def _donate(campaign, number: int, remote_addr: str, forwarded: str):
    client = Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post(campaign.url, {**DONOR, "email": f"donateur{number}@exemple.org"})


def test_25_donors_behind_the_proxy_all_reach_the_card_form(donation_campaign):
    statuses = [_donate(donation_campaign, n, PROXY, f"203.0.113.{n}").status_code for n in range(25)]
    assert statuses == [200] * 25
    assert Payment.objects.count() == 25


def test_one_visitor_behind_the_proxy_is_still_limited(donation_campaign, monkeypatch):
    monkeypatch.setattr("campagnes.views.IP_RATE", "3/h")
    statuses = [_donate(donation_campaign, n, PROXY, "203.0.113.50").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert _donate(donation_campaign, 9, PROXY, "203.0.113.51").status_code == 200  # the next donor


def test_a_spoofed_header_from_an_untrusted_peer_changes_nothing(donation_campaign, monkeypatch):
    monkeypatch.setattr("campagnes.views.IP_RATE", "3/h")
    statuses = [_donate(donation_campaign, n, "198.51.100.7", f"203.0.113.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Trop de tentatives de paiement" in _donate(donation_campaign, 9, "198.51.100.7", "1.2.3.4").content.decode()
    assert Payment.objects.count() == 3
