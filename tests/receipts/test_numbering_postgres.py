"""Gapless numbering when 50 webhooks issue receipts at the same moment (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from campagnes import services
from campagnes.models import Payment, Receipt

YEAR = timezone.localdate().year


@pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL seulement")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_issues_get_fifty_numbers_without_gap_or_duplicate(eligible_a, donation_page_a):
    payments = [
        Payment.objects.create(
            association=eligible_a,
            campaign=donation_page_a,
            kind="don",
            amount_cents=1000 + n,
            first_name="Donateur",
            last_name=str(n),
            email=f"d{n}@exemple.org",
            street_address="1 rue Haute",
            postal_code="62000",
            city="Arras",
        )
        for n in range(50)
    ]
    barrier = threading.Barrier(10)
    errors = []

    def succeed(chunk):
        try:
            barrier.wait(timeout=30)
            for payment in chunk:
                with transaction.atomic():
                    locked = Payment.objects.select_for_update().get(pk=payment.pk)
                    services.mark_succeeded(locked, charge_id="", source="concurrence")
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=succeed, args=(payments[n::10],)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = sorted(Receipt.objects.filter(association=eligible_a, series="").values_list("sequence", flat=True))
    assert sequences == list(range(1, 51))
    numbers = set(Receipt.objects.values_list("number", flat=True))
    assert len(numbers) == 50 and f"{YEAR}-000050" in numbers
    assert Receipt.objects.filter(items__payment__in=payments).distinct().count() == 50
