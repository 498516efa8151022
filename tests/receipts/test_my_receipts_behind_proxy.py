""" "Mes reçus" is limited per visitor, not per proxy (issue #10, item 1)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _ask(remote_addr: str, forwarded: str, email: str):
    client = Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post("/mes-recus/", {"email": email})


def test_visitors_behind_the_proxy_each_have_their_own_limit():
    statuses = [_ask("127.0.0.1", f"203.0.113.{n}", f"donateur{n}@exemple.org").status_code for n in range(12)]
    assert statuses == [200] * 12


def test_a_spoofed_header_from_an_untrusted_peer_changes_nothing():
    statuses = [_ask("198.51.100.7", f"203.0.113.{n}", f"donateur{n}@exemple.org").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    response = _ask("198.51.100.7", "203.0.113.99", "autre@exemple.org")
    assert response.status_code == 429 and "Trop de demandes" in response.content.decode()
