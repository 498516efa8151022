"""The role split: editors edit the site, treasurers see the money, behind 2FA when required.

An editor without a second factor could open the payments, download the receipts CSV and the
year's ZIP of every donor's PDF, and start a refund (issue #10, item 4).
"""

from __future__ import annotations

import importlib

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import Receipt
from tests.receipts.conftest import pay

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
MFA_SETUP = "/comptes/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.KOLLEKTIF_REQUIRE_MFA = True


@pytest.fixture
def gift(eligible_a, donation_page_a):
    return pay(donation_page_a, amount_cents=6000)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _money_urls(association, payment) -> dict[str, str]:
    receipt = Receipt.objects.get(items__payment=payment)
    return {
        "payments": "/admin/paiements/",
        "payment": f"/admin/paiements/{payment.pk}/",
        "payments_csv": "/admin/paiements/?export=csv",
        "members": "/admin/adherents/",
        "tickets": "/admin/billets/",
        "check_in": "/admin/billets/controle/",
        "receipts": "/admin/recus/",
        "receipts_csv": "/admin/recus/?export=csv",
        "zip": f"/admin/recus/zip/?association={association.pk}&annee={YEAR}",
        "receipt": f"/admin/recus/{receipt.pk}/",
        "receipt_pdf": f"/admin/recus/{receipt.pk}/pdf/",
        "stripe": reverse("kollektif_stripe:status", args=[association.pk]),
    }


def test_an_editor_without_2fa_sees_no_money(client_a, editor_a, eligible_a, gift):
    for name, url in _money_urls(eligible_a, gift).items():
        response = client_a.get(url)
        assert response.status_code in (302, 403, 404), name
        if response.status_code == 302:  # Wagtail's "no permission" goes back to the dashboard
            assert response["Location"] in ("/admin/",), name
        assert b"Dupont" not in response.content, name
    refund = client_a.post(f"/admin/paiements/{gift.pk}/", {"amount": "60,00"})
    assert refund.status_code in (403, 404)
    gift.refresh_from_db()
    assert gift.refunded_cents == 0 and gift.status == "reussi"
    from associations.selectors import user_handles_money

    assert not user_handles_money(editor_a)
    dashboard = client_a.get("/admin/")
    assert dashboard.status_code == 200  # the editor still works on the site without 2FA
    assert 'href="/admin/paiements/"' not in dashboard.content.decode()
    assert 'href="/admin/recus/"' not in dashboard.content.decode()


def test_a_treasurer_without_2fa_is_sent_to_set_it_up(eligible_a, gift):
    treasurer = UserFactory(email="tresoriere@popeline.fr")
    treasurer.groups.add(eligible_a.treasurers_group)
    client = _logged_in(treasurer)
    for name, url in _money_urls(eligible_a, gift).items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == MFA_SETUP, name
    refund = client.post(f"/admin/paiements/{gift.pk}/", {"amount": "60,00"})
    assert refund.status_code == 302 and refund["Location"] == MFA_SETUP
    gift.refresh_from_db()
    assert gift.refunded_cents == 0


def test_a_treasurer_with_2fa_sees_the_money(eligible_a, gift):
    treasurer = UserFactory(email="tresoriere@popeline.fr")
    treasurer.groups.add(eligible_a.treasurers_group)
    TOTP.activate(treasurer, generate_totp_secret())
    client = _logged_in(treasurer)
    listing = client.get("/admin/paiements/")
    assert (
        listing.status_code == 200 and "Dupont" in listing.content.decode() and "Paiements" in listing.content.decode()
    )
    detail = client.get(f"/admin/paiements/{gift.pk}/")
    assert detail.status_code == 200 and "Rembourser" in detail.content.decode()
    csv = client.get("/admin/recus/?export=csv")
    assert csv.status_code == 200 and "Dupont" in csv.content.decode("utf-8-sig")
    archive = client.get(f"/admin/recus/zip/?association={eligible_a.pk}&annee={YEAR}")
    assert archive.status_code == 200 and archive.content[:2] == b"PK"
    # the refund form is reached (a too large amount is refused in French, nothing refunded)
    refund = client.post(f"/admin/paiements/{gift.pk}/", {"amount": "999,00"})
    assert refund.status_code == 400 and "rembourser" in refund.content.decode()
    gift.refresh_from_db()
    assert gift.refunded_cents == 0


def test_editing_one_association_and_keeping_the_books_of_another(association_b, eligible_a, gift, donation_page_b):
    """Money follows the treasurers group, association by association."""
    volunteer = UserFactory(email="benevole@exemple.org")
    volunteer.groups.add(eligible_a.editors_group, association_b.treasurers_group)
    TOTP.activate(volunteer, generate_totp_secret())
    gift_b = pay(donation_page_b, amount_cents=2500, payer={"email": "b@exemple.org", "last_name": "Martin"})
    client = _logged_in(volunteer)
    listing = client.get("/admin/paiements/").content.decode()
    assert "Martin" in listing and "Dupont" not in listing
    assert client.get(f"/admin/paiements/{gift.pk}/").status_code == 404
    assert client.get(f"/admin/paiements/{gift_b.pk}/").status_code == 200


def test_onboarding_gives_the_money_to_treasurers_only(association_a):
    money = Permission.objects.get(content_type__app_label="associations", codename="handle_money")
    assert money in association_a.treasurers_group.permissions.all()
    assert money not in association_a.editors_group.permissions.all()


def test_the_migration_moves_the_money_from_editors_to_treasurers(association_a):
    """Groups created before the role split: treasurers get the permission, editors lose it."""
    from django.apps import apps

    money = Permission.objects.get(content_type__app_label="associations", codename="handle_money")
    association_a.treasurers_group.permissions.remove(money)
    association_a.editors_group.permissions.add(money)
    migration = importlib.import_module("associations.migrations.0007_money_permission")
    migration.split_roles(apps, None)
    assert money in association_a.treasurers_group.permissions.all()
    assert money not in association_a.editors_group.permissions.all()


def test_an_editor_cannot_make_herself_a_treasurer_by_invitation(client_a, association_a):
    """Otherwise an editor would invite a second address of hers as treasurer and see every payer."""
    from associations.models import Invitation

    url = f"/admin/snippets/associations/association/inviter/{association_a.pk}/"
    response = client_a.post(url, {"email": "mon-autre-adresse@exemple.org", "role": "tresorier"})
    assert response.status_code == 400
    assert "Seul un trésorier de l&#x27;association" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_treasurer_invites_a_treasurer(association_a, django_capture_on_commit_callbacks):
    from associations.models import Invitation

    treasurer = UserFactory(email="tresoriere@popeline.fr")
    treasurer.groups.add(association_a.editors_group, association_a.treasurers_group)
    TOTP.activate(treasurer, generate_totp_secret())
    url = f"/admin/snippets/associations/association/inviter/{association_a.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = _logged_in(treasurer).post(url, {"email": "second@exemple.org", "role": "tresorier"})
    assert response.status_code == 302 and Invitation.objects.get().role == "tresorier"
