"""The Redis task queue (django-tasks-rq): a receipt e-mailed by an RQ worker, once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from tests.site_kollektif.test_operations import _redis_up


@pytest.mark.skipif(not _redis_up(), reason="Redis absent sur 127.0.0.1:6379 (le CI le fournit)")
@pytest.mark.django_db(transaction=True)
def test_receipts_go_through_the_redis_queue(settings, eligible_a, donation_page_a):
    import django_rq

    from campagnes.models import Receipt
    from tests.receipts.conftest import pay

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    pay(donation_page_a, amount_cents=3500)
    receipt = Receipt.objects.get()
    # the thank-you e-mail and the receipt are queued, not sent
    assert queue.count == 2 and not any(receipt.number in m.subject for m in mail.outbox)
    call_command(
        "rqworker",
        "default",
        burst=True,
        worker_class="rq.worker.SimpleWorker",
        job_class="django_tasks_rq.Job",
        verbosity=0,
    )
    sent = [m for m in mail.outbox if receipt.number in m.subject]
    assert len(sent) == 1 and sent[0].attachments[0][2] == "application/pdf"
    receipt.refresh_from_db()
    assert receipt.emailed_at is not None and queue.count == 0
