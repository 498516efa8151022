"""French formats of dates, years and money, in one place: every page, export, e-mail and
receipt writes them through here (templates through the ``money_tags`` filters).

Django's own formats for French are in ``fr/formats.py`` (``USE_THOUSAND_SEPARATOR`` is on so
that 1 234,50 € reads well); a year is a name, not a quantity, and must never get that
separator ("2026", not "2 026"): ``french_year`` and the ``as_year`` filter say so.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel.numbers import format_currency
from django.utils import timezone

CENT = Decimal("0.01")


def _local(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def french_date(value: datetime.date | datetime.datetime | None) -> str:
    """23/11/2026 (a datetime is shown in local time); "" for no date."""
    if value is None or value == "":
        return ""
    return _local(value).strftime("%d/%m/%Y")


def french_datetime(value: datetime.datetime | None) -> str:
    """23/11/2026 14:05 in local time; "" for no date."""
    if value is None:
        return ""
    return _local(value).strftime("%d/%m/%Y %H:%M")


FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_long_date(value: datetime.date | datetime.datetime | None) -> str:
    """ "28 novembre 2026", "1er mai 2027" (local time for a datetime); "" for no date.

    Written by hand rather than through ``date_format``: the same text whatever the active
    language and the thousands-separator setting (a year is never "2 026").
    """
    if value is None or value == "":
        return ""
    value = _local(value)
    day = "1er" if value.day == 1 else f"{value.day:d}"
    return f"{day} {FRENCH_MONTHS[value.month - 1]} {value.year:d}"


def french_year(value: int | str | datetime.date | None) -> str:
    """2026, never "2 026": a year is written without a thousands separator."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return f"{value.year:d}"
    return f"{int(value):d}"


def format_eur(cents: int) -> str:
    """12345 → '123,45 €' (with the French narrow no-break space between thousands)."""
    return format_currency((Decimal(cents) / 100).quantize(CENT), "EUR", locale="fr_FR")
