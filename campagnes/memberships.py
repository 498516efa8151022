"""Membership validity: the period a membership covers, from the campaign's rule and the member.

Three rules (``MembershipValidity``):

- calendar year: 1 January–31 December of the year of payment;
- season: the yearly season whose pattern the campaign gives (e.g. 1 September–31 August),
  never one before the campaign's first season (a pre-sale in August counts for September);
- rolling: twelve months from the payment.

Two things move the start:

- a **renewal** starts the day after the member's current membership ends (a member who renews
  in December after the reminder is a member for the next year, not the same one again);
- a **switch date** on the campaign (e.g. 1 September): from that day, a calendar-year or
  season membership taken by a new member counts for the next year or season, valid at once
  ("adhésion 2027 valable dès maintenant").

The period is computed before paying (the form and the card page show it), stored in the
payment's offer when it starts (``PaymentOffer.valid_from/valid_until``) and copied to the
``Membership`` when it is paid: the member gets the period they were shown.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from django.core import signing
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from campagnes.models import Membership, MembershipValidity, PaymentStatus
from kernel.formats.french import french_long_date

RENEWAL_SALT = "kollektif.membership-renewal"


def long_french_date(value: date, *, with_year: bool = True) -> str:
    """1er janvier 2026, or "1er septembre" without the year (kernel.formats.french writes it)."""
    text = french_long_date(value)
    return text if with_year else text.rsplit(" ", 1)[0]


def held_memberships() -> QuerySet[Membership]:
    """Memberships that hold (payment not refunded in full), with ``email_key`` (lower-case e-mail)."""
    return Membership.objects.filter(payment__status__in=PaymentStatus.SETTLED).annotate(
        email_key=Lower("payment__email")
    )


def later_membership_exists() -> Exists:
    """For a row of ``held_memberships()``: the same person holds a later membership of the same association."""
    return Exists(
        held_memberships().filter(
            association=OuterRef("association"),
            email_key=OuterRef("email_key"),
            valid_until__gt=OuterRef("valid_until"),
        )
    )


class MembershipPeriod(NamedTuple):
    valid_from: date
    valid_until: date

    @property
    def label(self) -> str:
        """ "Valable du 1er janvier au 31 décembre 2026"."""
        same_year = self.valid_from.year == self.valid_until.year
        return _("Valable du %(start)s au %(end)s") % {
            "start": long_french_date(self.valid_from, with_year=not same_year),
            "end": long_french_date(self.valid_until),
        }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _on(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February of a common year
        return date(year, month, 28)


def _season_of(campaign: Any, day: date) -> tuple[date, date]:
    """The season (first day, last day) that contains ``day``, or the next one if it falls between two."""
    pattern_start, pattern_end = campaign.season_start, campaign.season_end
    year_offset = pattern_end.year - pattern_start.year
    start = _on(day.year, pattern_start.month, pattern_start.day)
    if start > day:
        start = _on(day.year - 1, pattern_start.month, pattern_start.day)
    first = pattern_start
    if start < first:  # never a season before the campaign's first one
        start = first
    end = _on(start.year + year_offset, pattern_end.month, pattern_end.day)
    if end < day:  # between two seasons (e.g. September–June bought in July): the next one
        start = _on(start.year + 1, pattern_start.month, pattern_start.day)
        end = _on(start.year + year_offset, pattern_end.month, pattern_end.day)
    return start, end


def _switch_date(campaign: Any, period_start: date) -> date | None:
    """The first day, within the period starting ``period_start``, from which new members count for the next."""
    month, day = getattr(campaign, "switch_month", None), getattr(campaign, "switch_day", None)
    if not (month and day):
        return None
    switch = _on(period_start.year, month, day)
    if switch <= period_start:
        switch = _on(period_start.year + 1, month, day)
    return switch


def _period_containing(campaign: Any, day: date) -> tuple[date, date]:
    if campaign.validity == MembershipValidity.CALENDAR_YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if campaign.validity == MembershipValidity.SEASON and campaign.season_start and campaign.season_end:
        return _season_of(campaign, day)
    return day, _add_years(day, 1) - timedelta(days=1)


def membership_period(*, campaign: Any, paid_on: date, current_until: date | None = None) -> MembershipPeriod:
    """The period of a membership of ``campaign`` paid on ``paid_on``.

    ``current_until``: the last day of the member's current membership of the association, if it
    still holds on ``paid_on``; the new one then starts the next day (a renewal).
    """
    if current_until is not None and current_until >= paid_on:
        starts = current_until + timedelta(days=1)
        first, last = _period_containing(campaign, starts)
        return MembershipPeriod(max(first, starts), last)
    first, last = _period_containing(campaign, paid_on)
    if campaign.validity != MembershipValidity.ROLLING_YEAR:
        switch = _switch_date(campaign, first)
        if switch is not None and paid_on >= switch and switch <= last:
            # from the switch date a new member counts for the next year or season, valid at once
            _next_first, next_last = _period_containing(campaign, last + timedelta(days=1))
            return MembershipPeriod(paid_on, next_last)
    return MembershipPeriod(first, last)


def current_membership(*, association: Any, email: str, on: date) -> Membership | None:
    """The member's membership of the association that holds on ``on`` and ends last (none if expired)."""
    if not email:
        return None
    return (
        held_memberships()
        .filter(association=association, email_key=email.strip().lower(), valid_until__gte=on)
        .order_by("-valid_until", "-pk")
        .first()
    )


def period_for_member(*, campaign: Any, email: str, on: date, renewing: Membership | None = None) -> MembershipPeriod:
    """The period a member with this e-mail gets today: a renewal if they hold a current membership."""
    current = current_membership(association=campaign.association, email=email, on=on)
    candidates = [m.valid_until for m in (current, renewing) if m is not None and m.valid_until >= on]
    return membership_period(campaign=campaign, paid_on=on, current_until=max(candidates, default=None))


def period_for_payment(payment: Any, *, paid_on: date) -> MembershipPeriod:
    """What a paid membership covers: the period shown before paying, else computed now (older rows)."""
    offer = payment.offer_details
    if offer.valid_from and offer.valid_until:
        return MembershipPeriod(offer.valid_from, offer.valid_until)
    current = (
        held_memberships()
        .filter(association=payment.association_id, email_key=payment.email.lower(), valid_until__gte=paid_on)
        .exclude(payment=payment)
        .order_by("-valid_until")
        .first()
    )
    return membership_period(
        campaign=payment.campaign.specific,
        paid_on=paid_on,
        current_until=current.valid_until if current else None,
    )


# --- the renewal link of the reminder e-mail ------------------------------------------------


def renewal_token(membership: Membership) -> str:
    """Signed, so a link names only the membership it was sent for."""
    return signing.dumps({"m": membership.pk}, salt=RENEWAL_SALT, compress=True)


class NothingToRenew(Exception):
    """The renewal link names no membership of this association that holds: the message is French."""


def membership_to_renew(*, token: str, association: Any) -> Membership:
    """The membership a renewal link names, if it belongs to ``association`` and still holds."""
    try:
        data = signing.loads(token, salt=RENEWAL_SALT)
        membership_id = int(data["m"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise NothingToRenew(_("Ce lien de renouvellement n'est pas valable. Vous pouvez adhérer ci-dessous.")) from exc
    membership = (
        held_memberships()
        .filter(pk=membership_id, association=association)
        .select_related("payment", "association")
        .first()
    )
    if membership is None:
        raise NothingToRenew(
            _(
                "Ce lien de renouvellement ne correspond à aucune adhésion à renouveler auprès de %(name)s. "
                "Vous pouvez adhérer ci-dessous."
            )
            % {"name": association.name}
        )
    return membership
