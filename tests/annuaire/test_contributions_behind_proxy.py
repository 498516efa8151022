"""Contributions are limited per visitor, not per proxy (issue #10, item 1)."""

from __future__ import annotations

import pytest
from django.test import Client

from annuaire.models import Proposal
from tests.annuaire.test_contributions import GOOD_ACTOR

pytestmark = pytest.mark.django_db


def _propose(remote_addr: str, forwarded: str):
    client = Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post("/annuaire/proposer/", GOOD_ACTOR)


def test_visitors_behind_the_proxy_each_have_their_own_limit(settings):
    settings.KOLLEKTIF_CONTRIBUTION_RATE = "2/h"
    statuses = [_propose("127.0.0.1", f"203.0.113.{n}").status_code for n in range(6)]
    assert statuses == [302] * 6
    assert _propose("127.0.0.1", "203.0.113.1").status_code == 302
    assert _propose("127.0.0.1", "203.0.113.1").status_code == 429
    assert Proposal.objects.count() == 7


def test_a_spoofed_header_from_an_untrusted_peer_changes_nothing(settings):
    settings.KOLLEKTIF_CONTRIBUTION_RATE = "2/h"
    statuses = [_propose("198.51.100.7", f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert "Trop de propositions" in _propose("198.51.100.7", "203.0.113.99").content.decode()
    assert Proposal.objects.count() == 2
