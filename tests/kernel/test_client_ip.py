"""The visitor's address behind the proxy: one rule, used by every rate limit (issue #10, item 1)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from associations.factories import DEFAULT_PASSWORD, UserFactory
from kernel.client_ip import client_ip

PROXY = "127.0.0.1"  # Caddy on the same machine, the default trusted proxy
STRANGER = "198.51.100.7"  # an untrusted peer that reaches gunicorn directly


def _ip(remote_addr: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra))


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),  # Caddy alone
        (PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote is left of what Caddy saw
        (PROXY, "203.0.113.9, 10.0.0.2", "203.0.113.9"),  # a trusted load balancer before Caddy
        (PROXY, "[2001:db8::1]:4711", "2001:db8::1"),  # port and brackets, parsed by python-ipware
        (PROXY, "not an ip", PROXY),  # a malformed header is not believed
        (PROXY, None, PROXY),
        (STRANGER, "203.0.113.9", STRANGER),  # a spoofed header from an untrusted peer changes nothing
        ("", "203.0.113.9", "0.0.0.0"),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(settings, remote_addr, forwarded, expected):
    settings.KOLLEKTIF_TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    assert _ip(remote_addr, forwarded) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KOLLEKTIF_TRUSTED_PROXIES = []
    assert _ip(PROXY, "203.0.113.9") == PROXY


def test_a_bad_trusted_proxy_entry_stops_the_start(monkeypatch):
    from site_kollektif.env import env_networks

    monkeypatch.setenv("KOLLEKTIF_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/33")
    with pytest.raises(RuntimeError, match="10.0.0.0/33"):
        env_networks("KOLLEKTIF_TRUSTED_PROXIES", [])


# --- allauth: failed logins are counted per visitor ---------------------------------------------


@pytest.fixture
def login_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}


def _login(email: str, password: str, remote_addr: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return Client(REMOTE_ADDR=remote_addr, **extra).post("/comptes/login/", {"login": email, "password": password})


def _locked_out(response) -> bool:
    """allauth answers the form again with its French message, and signs nobody in."""
    return (
        response.status_code == 200
        and "Trop de tentatives de connexion" in response.content.decode()
        and "_auth_user_id" not in response.wsgi_request.session
    )


@pytest.mark.django_db
def test_failed_logins_of_one_visitor_do_not_lock_out_another(login_limits):
    volunteer = UserFactory(email="benevole@popeline.fr")
    for attempt in range(6):
        _login(f"inconnu{attempt}@exemple.org", "mauvais", PROXY, "203.0.113.66")
    response = _login(volunteer.email, DEFAULT_PASSWORD, PROXY, "203.0.113.10")
    assert response.status_code == 302  # signed in, not "Trop de tentatives"
    blocked = _login(volunteer.email, DEFAULT_PASSWORD, PROXY, "203.0.113.66")
    assert _locked_out(blocked)  # the one who failed is still held back


@pytest.mark.django_db
def test_a_spoofed_header_does_not_escape_the_login_limit(login_limits):
    volunteer = UserFactory(email="benevole@popeline.fr")
    for attempt in range(6):
        _login(f"inconnu{attempt}@exemple.org", "mauvais", STRANGER, f"203.0.113.{attempt}")
    response = _login(volunteer.email, DEFAULT_PASSWORD, STRANGER, "203.0.113.200")
    assert _locked_out(response)
