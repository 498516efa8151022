"""Staff and treasurers need a second factor (allauth MFA) before the admin, when it is required."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from associations.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.KOLLEKTIF_REQUIRE_MFA = True


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_treasurer_without_an_authenticator_is_sent_to_set_one_up(association_a):
    from associations.factories import DEFAULT_PASSWORD

    treasurer = UserFactory(email="tresoriere@popeline.fr")
    treasurer.groups.add(association_a.treasurers_group)
    client = Client()
    assert client.post("/comptes/login/", {"login": treasurer.email, "password": DEFAULT_PASSWORD}).status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/comptes/2fa/totp/activate/"
    setup = client.get(response["Location"], follow=True)  # allauth asks for the password again first
    assert "/comptes/reauthenticate/" in setup.redirect_chain[-1][0]
    client.post("/comptes/reauthenticate/", {"password": DEFAULT_PASSWORD})
    setup = client.get(response["Location"])
    assert setup.status_code == 200 and 'name="code"' in setup.content.decode()
    TOTP.activate(treasurer, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


def test_staff_too_but_not_an_editor(staff_user, client_a):
    assert _client(staff_user).get("/admin/").status_code == 302
    assert client_a.get("/admin/").status_code == 200  # pages and images only: no payer data


def test_login_asks_for_the_code_once_an_authenticator_is_set(association_a):
    from associations.factories import DEFAULT_PASSWORD

    treasurer = UserFactory(email="tresorier@popeline.fr")
    treasurer.groups.add(association_a.treasurers_group)
    TOTP.activate(treasurer, generate_totp_secret())
    response = Client().post("/comptes/login/", {"login": treasurer.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate/" in response["Location"]
