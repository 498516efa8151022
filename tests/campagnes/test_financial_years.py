"""Financial years: one period per date, explicit years win, overlaps refused in French."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from campagnes.financial_years import period_containing, period_from_slug, recent_periods
from campagnes.models import FinancialYear


def test_calendar_year_by_default(association_a):
    period = period_containing(association_a, date(2026, 11, 28))
    assert (period.start, period.end, period.label) == (date(2026, 1, 1), date(2026, 12, 31), "Exercice 2026")


def test_september_year(association_a):
    association_a.accounting_year_start_month = 9
    period = period_containing(association_a, date(2026, 11, 28))
    assert (period.start, period.end) == (date(2026, 9, 1), date(2027, 8, 31))
    assert period.label == "Exercice 2026-2027"
    assert period_containing(association_a, date(2026, 8, 31)).start == date(2025, 9, 1)


def test_declared_long_first_year_then_usual_years(association_a):
    FinancialYear.objects.create(
        association=association_a, label="Premier exercice", start=date(2025, 6, 1), end=date(2026, 12, 31)
    )
    assert period_containing(association_a, date(2026, 3, 1)).label == "Premier exercice"
    periods = recent_periods(association_a, count=3, today=date(2027, 2, 1))
    assert [(p.start, p.end) for p in periods] == [
        (date(2027, 1, 1), date(2027, 12, 31)),
        (date(2025, 6, 1), date(2026, 12, 31)),
        (date(2025, 1, 1), date(2025, 5, 31)),
    ]
    assert period_from_slug(association_a, periods[1].slug).label == "Premier exercice"
    assert period_from_slug(association_a, "20250101-20251231") is None
    assert period_from_slug(association_a, "n'importe quoi") is None


def test_overlap_refused_in_french(association_a):
    FinancialYear.objects.create(
        association=association_a, label="Exercice 2026", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    other = FinancialYear(association=association_a, label="Autre", start=date(2026, 9, 1), end=date(2027, 8, 31))
    with pytest.raises(ValidationError, match="chevauche « Exercice 2026 » \\(du 01/01/2026 au 31/12/2026\\)"):
        other.full_clean()
