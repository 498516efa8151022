"""Which financial year ("exercice") a date belongs to, for every report that reads one.

An explicitly declared ``FinancialYear`` wins; otherwise the association's usual period
(``accounting_year_start_day/month``, 1 January by default) gives the year. The 222 bis
declaration (``campagnes.receipts.services.accounting_period``), the accounting exports and the
general assembly figures all ask here, so they agree on the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from campagnes.models import FinancialYear


@dataclass(frozen=True)
class Period:
    """A financial year: first and last day (both included) and how the treasurer names it."""

    start: date
    end: date
    label: str
    declared: bool = False  # an explicit FinancialYear, not the association's usual period

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def _usual_period(association: Association, day: date) -> Period:
    month, first = association.accounting_year_start_month or 1, association.accounting_year_start_day or 1
    start = date(day.year, month, first)
    if start > day:
        start = date(day.year - 1, month, first)
    end = date(start.year + 1, month, first) - timedelta(days=1)
    if (month, first) == (1, 1):
        label = _("Exercice %(year)s") % {"year": start.year}
    else:
        label = _("Exercice %(start)s-%(end)s") % {"start": start.year, "end": end.year}
    return Period(start=start, end=end, label=label)


def period_containing(association: Association, day: date | None = None) -> Period:
    """The financial year that contains ``day`` (today by default)."""
    day = day or timezone.localdate()
    declared = FinancialYear.objects.filter(association=association, start__lte=day, end__gte=day).first()
    if declared is not None:
        return Period(start=declared.start, end=declared.end, label=declared.label, declared=True)
    usual = _usual_period(association, day)
    # A declared year that overlaps the usual one cuts it short, so periods never overlap.
    for other in FinancialYear.objects.filter(association=association, start__lte=usual.end, end__gte=usual.start):
        if other.end < day:
            usual = Period(start=other.end + timedelta(days=1), end=usual.end, label=usual.label)
        elif other.start > day:
            usual = Period(start=usual.start, end=other.start - timedelta(days=1), label=usual.label)
    return usual


def recent_periods(association: Association, count: int = 4, today: date | None = None) -> list[Period]:
    """The current financial year and the ``count - 1`` before it, newest first (the year pickers)."""
    today = today or timezone.localdate()
    periods: list[Period] = []
    day = today
    for _i in range(count):
        period = period_containing(association, day)
        periods.append(period)
        day = period.start - timedelta(days=1)
    return periods


def period_from_slug(association: Association, slug: str) -> Period | None:
    """The period a URL names (``20260101-20261231``), if it is one of the association's years."""
    try:
        start_text, end_text = slug.split("-")
        start = date(int(start_text[:4]), int(start_text[4:6]), int(start_text[6:8]))
        end = date(int(end_text[:4]), int(end_text[4:6]), int(end_text[6:8]))
    except (ValueError, IndexError):
        return None
    period = period_containing(association, start)
    return period if (period.start, period.end) == (start, end) else None
