""" "Mes reçus" does the same work for an address with receipts and one without (issue #10, 10d).

Looking the address up in the request made a known address answer about 1 ms slower: enough to
learn, over many tries, who gave. The request now only enqueues one task, the same for any
address; the worker looks the address up and sends the link.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks import default_task_backend

from campagnes.models import ReceiptAccessToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_donor(eligible_a, donation_page_a):
    from tests.receipts.conftest import pay

    pay(donation_page_a, amount_cents=3000, payer={"email": "lea@exemple.org"})
    mail.outbox.clear()
    return "lea@exemple.org"


def _ask(email: str, django_capture_on_commit_callbacks):
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/mes-recus/", {"email": email})
    return response, [re.sub(r'"s\d+_x\d+"', "SAVEPOINT-ID", query["sql"]) for query in queries.captured_queries]


def test_a_known_and_an_unknown_address_cost_the_request_the_same(
    known_donor, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    Client().get("/mes-recus/")  # steady state: the Site rows are in the shared cache (kernel/serving.py)
    known, known_sql = _ask(known_donor, django_capture_on_commit_callbacks)
    unknown, unknown_sql = _ask("inconnu@exemple.org", django_capture_on_commit_callbacks)

    assert known.status_code == unknown.status_code == 200
    page = known.content.decode().replace(known_donor, "ADRESSE")
    assert page == unknown.content.decode().replace("inconnu@exemple.org", "ADRESSE")
    assert known_sql == unknown_sql  # same statements, in the same order (none reads receipts)
    enqueued = [(result.task.name, sorted(result.kwargs)) for result in default_task_backend.results]
    assert enqueued == [("send_access_link", ["email"])] * 2
    assert mail.outbox == [] and not ReceiptAccessToken.objects.exists()  # the worker does the rest


def test_the_worker_sends_the_link_only_to_an_address_with_receipts(known_donor, django_capture_on_commit_callbacks):
    _ask("inconnu@exemple.org", django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not ReceiptAccessToken.objects.exists()
    _ask(known_donor, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [[known_donor]]
    assert "/mes-recus/" in mail.outbox[0].body and ReceiptAccessToken.objects.count() == 1
