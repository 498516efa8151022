"""Membership validity: calendar year, 12 rolling months, or a season with fixed dates."""

from __future__ import annotations

from datetime import date, timedelta

from campagnes.models import MembershipValidity


def membership_period(*, campaign, paid_on: date) -> tuple[date, date]:
    if campaign.validity == MembershipValidity.CALENDAR_YEAR:
        return date(paid_on.year, 1, 1), date(paid_on.year, 12, 31)
    if campaign.validity == MembershipValidity.SEASON and campaign.season_start and campaign.season_end:
        return campaign.season_start, campaign.season_end
    try:
        anniversary = paid_on.replace(year=paid_on.year + 1)
    except ValueError:  # 29 February
        anniversary = paid_on.replace(year=paid_on.year + 1, day=28)
    return paid_on, anniversary - timedelta(days=1)
