"""E-mails are never lost in silence (issue #10, item 5).

A line break in an association's name made every invitation, payment confirmation and receipt
e-mail fail with BadHeaderError inside the task while the admin said "Invitation envoyée".
"""

from __future__ import annotations

from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from associations.factories import UserFactory
from associations.models import Association
from campagnes.models import Payment
from tests.associations.test_signup_and_moderation import _form_data
from tests.receipts.conftest import pay

pytestmark = pytest.mark.django_db
FAILING_BACKEND = "tests.receipts.test_email_failures.FailingBackend"
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that answers "try again later" to everything."""

    def send_messages(self, email_messages):
        raise SMTPException("421 4.3.2 Service indisponible")


def _invite_url(association) -> str:
    return f"/admin/snippets/associations/association/inviter/{association.pk}/"


# --- control characters never reach a header ------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Les Jardins\nd'Isbergues",
        "Les Jardins\r\nBcc: x@exemple.org",
        "Les Jardins\u2028d'Isbergues",
        "Les\x1bJardins",
        "Les\x85Jardins",
    ],
)
def test_a_name_with_a_control_character_is_refused_in_french(name):
    client = Client()
    client.force_login(UserFactory(email="quelquun@exemple.org"))
    response = client.post("/espace/creer-mon-site/", _form_data(name=name))
    assert response.status_code == 400
    assert "doit tenir sur une ligne" in response.content.decode()
    assert not Association.objects.exists()


def test_the_record_form_refuses_it_too(client_a, association_a):
    from tests.associations.test_admin_association_record import _record_form

    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    response = client_a.post(url, _record_form(association_a, name="Popeline\nBcc: tous@exemple.org"))
    assert response.status_code == 400 and "doit tenir sur une ligne" in response.content.decode()
    association_a.refresh_from_db()
    assert association_a.name == "Popeline"


def test_a_legacy_name_with_a_line_break_still_sends_every_email(
    client_a, eligible_a, donation_page_a, django_capture_on_commit_callbacks
):
    """A name stored before validation: the subject is cleaned at the one place headers are built."""
    Association.objects.filter(pk=eligible_a.pk).update(name="Pope\nline\u2028Béthune")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(_invite_url(eligible_a), {"email": "nouvelle@exemple.org", "role": "editeur"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        pay(donation_page_a, amount_cents=6000)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "Pope line Béthune vous invite" in subjects["nouvelle@exemple.org"]
    donor_subjects = [m.subject for m in mail.outbox if m.to == ["lea@exemple.org"]]
    assert any("Merci pour votre soutien à Pope line Béthune" in s for s in donor_subjects)  # confirmation
    assert any("Reçu" in s or "reçu" in s for s in donor_subjects)  # the receipt
    assert all("\n" not in m.subject and "\u2028" not in m.subject for m in mail.outbox)


# --- a failure is recorded, shown and retried -------------------------------------------------


def test_a_failed_invitation_is_shown_on_the_invitations_list_and_retried(
    client_a, association_a, staff_client, settings, django_capture_on_commit_callbacks
):
    from kernel.models import EmailStatus, OutgoingEmail

    settings.EMAIL_BACKEND = FAILING_BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            _invite_url(association_a), {"email": "nouvelle@exemple.org", "role": "editeur"}, follow=True
        )
    body = response.content.decode()
    assert response.status_code == 200 and "Invitation envoyée" not in body
    page = client_a.get(_invite_url(association_a)).content.decode()
    assert "nouvelle@exemple.org" in page and "Échec, nouvel essai prévu" in page and "Service indisponible" in page
    email = OutgoingEmail.objects.get(to=["nouvelle@exemple.org"])
    assert email.status == EmailStatus.RETRYING and email.attempts == 1
    # staff see it in "E-mails", and send it again once the server is back
    listing = staff_client.get("/admin/emails/?status=a-reessayer").content.decode()
    assert "vous invite" in listing and "nouvelle@exemple.org" in listing
    settings.EMAIL_BACKEND = LOCMEM_BACKEND
    mail.outbox.clear()
    response = staff_client.post(f"/admin/emails/{email.pk}/renvoyer/", follow=True)
    assert response.status_code == 200 and "envoyé" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["nouvelle@exemple.org"]]
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.text == ""  # the body is dropped once sent
    assert "Envoyé" in client_a.get(_invite_url(association_a)).content.decode()


def test_editors_do_not_see_the_outbox(client_a):
    assert client_a.get("/admin/emails/").status_code in (302, 403, 404)


def test_a_failed_payment_confirmation_is_shown_to_the_treasurer_and_retried_by_cron(
    eligible_a, donation_page_a, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from kernel.models import EmailStatus, OutgoingEmail

    settings.EMAIL_BACKEND = FAILING_BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(donation_page_a, amount_cents=6000)
    confirmation = OutgoingEmail.objects.get(template="payment_confirmation")
    assert confirmation.status == EmailStatus.RETRYING and confirmation.object_id == str(payment.pk)
    treasurer = UserFactory(email="tresoriere@popeline.fr")
    treasurer.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(treasurer)
    detail = client.get(f"/admin/paiements/{payment.pk}/").content.decode()
    assert "Merci pour votre soutien" in detail and "Échec, nouvel essai prévu" in detail
    settings.EMAIL_BACKEND = LOCMEM_BACKEND
    mail.outbox.clear()
    call_command("renvoyer_emails")
    assert any(m.to == ["lea@exemple.org"] and "Merci pour votre soutien" in m.subject for m in mail.outbox)
    confirmation.refresh_from_db()
    assert confirmation.status == EmailStatus.SENT and confirmation.attempts == 2
    assert Payment.objects.get(pk=payment.pk).status == "reussi"  # the payment never depended on the mail


def test_after_the_last_attempt_it_is_given_up_and_still_shown(
    association_a, settings, django_capture_on_commit_callbacks
):
    from kernel.mail import resend_unsent, send_templated_email
    from kernel.models import EmailStatus

    settings.EMAIL_BACKEND = FAILING_BACKEND
    settings.KOLLEKTIF_EMAIL_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        email = send_templated_email(
            to=["x@exemple.org"],
            subject="Essai",
            template="invitation",
            context={"association": association_a, "invitation": None, "invited_by": None},
        )
    assert resend_unsent() == 0
    email.refresh_from_db()
    assert email.status == EmailStatus.ABANDONED and email.attempts == 2
    assert resend_unsent() == 0  # given up: only staff's "Renvoyer" tries again
    email.refresh_from_db()
    assert email.attempts == 2
