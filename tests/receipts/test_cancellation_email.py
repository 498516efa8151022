"""The donor is told when a receipt is cancelled, with the corrected receipt attached when one replaces it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import Receipt, ReceiptStatus
from kernel.models import OutgoingEmail
from tests.receipts.conftest import pay, pdf_text, refund

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
TODAY = timezone.localdate().strftime("%d/%m/%Y")


def norm(text: str) -> str:
    return " ".join(text.split())


def test_a_partial_refund_sends_the_notice_with_the_corrected_receipt_once(
    eligible_a, donation_page_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(donation_page_a, amount_cents=10000)
    original = Receipt.objects.get(items__payment=payment)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund(payment, 2500)
    original.refresh_from_db()
    corrected = Receipt.objects.get(replaces=original)
    assert original.status == ReceiptStatus.CANCELLED

    assert len(mail.outbox) == 1  # the notice carries the corrected receipt: no second e-mail
    message = mail.outbox[0]
    assert message.to == ["lea@exemple.org"]
    assert f"reçu fiscal (particulier) n° {original.number} est annulé" in message.subject
    assert "Popeline" in message.subject
    body = norm(message.body)
    assert f"Popeline a annulé votre reçu fiscal (particulier) n° {original.number} le {TODAY}." in body
    assert "Motif : Remboursement partiel : montant corrigé" in body
    assert "Ce reçu ne peut plus justifier de réduction d'impôt" in body
    assert f"Il est remplacé par le reçu corrigé n° {corrected.number}, joint à ce message" in body
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and corrected.number in filename
    text = norm(pdf_text(content))
    assert f"annule et remplace le reçu n° {original.number}" in text
    assert "Somme en toutes lettres : soixante-quinze euros" in text
    corrected.refresh_from_db()
    assert corrected.emailed_at is not None
    # the outbox shows it on the cancelled receipt, and a rerun sends nothing more
    assert OutgoingEmail.objects.filter(template="receipt_cancelled", object_id=str(original.pk)).count() == 1


def test_a_full_refund_sends_the_notice_without_attachment(
    eligible_a, donation_page_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(donation_page_a, amount_cents=3000, payer={"email": "paul@exemple.org"})
    receipt = Receipt.objects.get(items__payment=payment)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund(payment, 3000)
    [message] = mail.outbox
    assert message.to == ["paul@exemple.org"] and not message.attachments
    body = norm(message.body)
    assert f"n° {receipt.number} le {TODAY}" in body and "Motif : Remboursement total" in body
    assert "Aucun reçu ne le remplace." in body


def test_a_cancellation_by_the_treasurer_is_told_to_the_donor(
    eligible_a, donation_page_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(donation_page_a, amount_cents=5000)
    receipt = Receipt.objects.get(items__payment=payment)
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/recus/{receipt.pk}/", {"reason": "Don saisi deux fois"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    [message] = mail.outbox
    assert "Motif : Don saisi deux fois" in norm(message.body)
    assert f"n° {receipt.number}" in message.subject
