"""Receipt numbers: per association, series and year, sequential, without gap or duplicate.

The counter row is locked (SELECT … FOR UPDATE) in the caller's transaction: two webhooks
issuing receipts at the same moment wait for each other, and a rolled-back issue gives its
number back with the rest of the transaction, so no gap appears. A cancelled receipt keeps
its number: numbers are never reused.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from campagnes.models import ReceiptCounter

# Tax receipts carry the plain "2026-000042" the Cerfa asks for; other documents have their own series.
SERIES_PREFIX = {"": "", "ADH": "ADH-", "CP": "CP-"}


def format_number(series: str, year: int, sequence: int) -> str:
    return f"{SERIES_PREFIX[series]}{year}-{sequence:06d}"


def allocate_number(*, association_id: int, series: str, year: int) -> tuple[str, int]:
    """Next (number, sequence) of the series. Must run inside the issuing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number must run inside the transaction that creates the receipt")
    counter = _locked_counter(association_id=association_id, series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_number(series, year, counter.last), counter.last


def allocate_lock(*, association_id: int, series: str, year: int) -> None:
    """Lock the series' counter row without taking a number (rules that must run one at a time)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_lock must run inside the transaction that creates the receipt")
    _locked_counter(association_id=association_id, series=series, year=year)


def _locked_counter(*, association_id: int, series: str, year: int) -> ReceiptCounter:
    lookup = {"association_id": association_id, "series": series, "year": year}
    counter = ReceiptCounter.objects.select_for_update().filter(**lookup).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():  # savepoint: a concurrent first receipt of the year may win the insert
            ReceiptCounter.objects.create(**lookup)
    except IntegrityError:
        pass
    return ReceiptCounter.objects.select_for_update().get(**lookup)
