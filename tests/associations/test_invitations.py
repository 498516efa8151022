"""An editor invites a co-editor by e-mail; the invitation is single use and personal."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from associations.factories import UserFactory
from associations.models import Invitation

pytestmark = pytest.mark.django_db


def _invite(client, association, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            f"/admin/snippets/associations/association/inviter/{association.pk}/", {"email": email, "role": "editeur"}
        )


def test_an_editor_invites_a_coeditor_who_joins(client_a, association_a, django_capture_on_commit_callbacks):
    response = _invite(client_a, association_a, "Nouvelle@Exemple.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["nouvelle@exemple.org"]
    token_path = re.search(r"(/espace/invitation/[\w-]+/)", message.body).group(1)

    newcomer = UserFactory(email="nouvelle@exemple.org")
    client = Client()
    client.force_login(newcomer)
    assert "Popeline" in client.get(token_path).content.decode()
    assert token_path in client.get("/espace/").content.decode()  # listed in "Mon espace"
    response = client.post(token_path)
    assert response.status_code == 302
    assert newcomer.groups.filter(pk=association_a.editors_group_id).exists()
    assert client.get(f"/admin/pages/{association_a.home_page_id}/edit/").status_code == 200
    # single use
    assert client.post(token_path).status_code == 400


def test_invitation_for_someone_else_is_refused(client_a, association_a, django_capture_on_commit_callbacks):
    _invite(client_a, association_a, "invitee@exemple.org", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    intruder = UserFactory(email="intrus@exemple.org")
    client = Client()
    client.force_login(intruder)
    response = client.post(f"/espace/invitation/{invitation.token}/")
    assert response.status_code == 400
    assert "invitee@exemple.org" in response.content.decode()
    assert not intruder.groups.exists()


def test_an_invalid_email_gets_a_french_message_and_nothing_is_sent(
    client_a, association_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    response = _invite(client_a, association_a, "pas-une-adresse", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert (
        "adresse e-mail n&#x27;est pas valide" in response.content.decode()
        or "adresse e-mail n'est pas valide" in response.content.decode()
    )
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_editor_cannot_invite_into_another_association(client_a, association_b, django_capture_on_commit_callbacks):
    response = _invite(client_a, association_b, "x@exemple.org", django_capture_on_commit_callbacks)
    assert response.status_code in (403, 404)
    assert not Invitation.objects.exists()


def test_an_unknown_token_is_a_404():
    assert Client().get("/espace/invitation/nimporte-quoi/").status_code == 404


def test_an_unverified_address_cannot_accept_an_invitation(client_a, association_a, django_capture_on_commit_callbacks):
    """Whoever created an account with the invited address but never proved they read its mail
    (an account created with someone else's address) gains nothing."""
    from allauth.account.models import EmailAddress

    _invite(client_a, association_a, "tresoriere@exemple.org", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    squatter = UserFactory(email="tresoriere@exemple.org")
    EmailAddress.objects.filter(user=squatter).update(verified=False)
    client = Client()
    client.force_login(squatter)
    assert invitation.token not in client.get("/espace/").content.decode()  # not even listed
    response = client.post(f"/espace/invitation/{invitation.token}/")
    assert response.status_code == 400
    assert "Confirmez d&#x27;abord votre adresse" in response.content.decode()
    assert not squatter.groups.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_address_known_only_on_the_account_record_is_not_enough(
    client_a, association_a, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    _invite(client_a, association_a, "tresoriere@exemple.org", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    squatter = UserFactory(email="tresoriere@exemple.org")
    EmailAddress.objects.filter(user=squatter).delete()  # e.g. an account created outside allauth
    client = Client()
    client.force_login(squatter)
    response = client.post(f"/espace/invitation/{invitation.token}/")
    assert response.status_code == 400 and not squatter.groups.exists()
