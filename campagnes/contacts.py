"""The people a treasurer can reach: her members and donors, one row per person.

A person is an e-mail address (lower case) within one association: the member who paid three
times, or the donor who gives every month, is one row, named as on their latest payment.

Lists ("audiences"), as a treasurer and her accountant name them:

- members: **à jour** (the latest membership still runs today or starts later), **à relancer**
  (it ends within 30 days or ended less than 90 days ago: the renewal call), **expirés** (it ended
  and none followed);
- donors: **ponctuels** (a one-off gift or a crowdfunding contribution), **mensuels** (a monthly gift
  still running), **de cette année** and **de l'année dernière** (any gift paid in that calendar year).

Whether a person may be written to is their own choice, recorded at payment: the **latest** choice
they made on a payment form of the association wins (RGPD art. 7.3: consent is withdrawn as
easily as given), and an unsubscription or a bouncing address (``ContactOptOut``) overrides it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Max, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campagnes.memberships import held_memberships
from campagnes.models import ContactOptOut, Payment, PaymentKind, PaymentStatus
from campagnes.selectors import EXPIRING_WITHIN_DAYS
from kernel.formats.french import french_date

RECENTLY_EXPIRED_DAYS = 90  # an ended membership still worth a renewal call
GIFT_KINDS = (PaymentKind.DONATION, PaymentKind.MONTHLY_DONATION, PaymentKind.CROWDFUNDING)


class Audience(models.TextChoices):
    MEMBERS_VALID = "adherents-a-jour", _("Adhérents à jour")
    MEMBERS_TO_RENEW = "adherents-a-relancer", _("Adhérents à relancer (fin dans 30 jours ou depuis moins de 90 jours)")
    MEMBERS_LAPSED = "adherents-expires", _("Anciens adhérents (adhésion expirée, non renouvelée)")
    DONORS_ONE_OFF = "donateurs-ponctuels", _("Donateurs ponctuels (dons et collectes)")
    DONORS_MONTHLY = "donateurs-mensuels", _("Donateurs mensuels (don en cours)")
    DONORS_THIS_YEAR = "donateurs-cette-annee", _("Donateurs de cette année")
    DONORS_LAST_YEAR = "donateurs-annee-derniere", _("Donateurs de l'année dernière")

    @classmethod
    def label_for(cls, value: str, *, today: datetime.date | None = None) -> str:
        """The list's name with its year, as it stays on a mailing ("Donateurs de 2026")."""
        year = (today or timezone.localdate()).year
        if value == cls.DONORS_THIS_YEAR:
            return str(_("Donateurs de %(year)s")) % {"year": year}
        if value == cls.DONORS_LAST_YEAR:
            return str(_("Donateurs de %(year)s")) % {"year": year - 1}
        return str(cls(value).label)


class ContactStatus(models.TextChoices):
    """What the treasurer reads in the "Contact" column."""

    CONSENTED = "accord", _("Accepte d'être contacté")
    NO_CONSENT = "sans-accord", _("Sans accord")
    UNSUBSCRIBED = "desabonne", _("Désabonné")
    BOUNCED = "rebond", _("Adresse en erreur")


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    return start, timezone.make_aware(datetime.datetime(year + 1, 1, 1))


def members_whose_latest_ends(associations: QuerySet, **until) -> QuerySet:
    """The (lower-case) addresses whose latest held membership ends as ``until`` says
    (``last_until__gte=…``): one GROUP BY, no correlated subquery per membership."""
    return (
        held_memberships()
        .filter(association__in=associations)
        .values("association_id", "email_key")
        .annotate(last_until=Max("valid_until"))
        .filter(**until)
        .values("email_key")
    )


def audience_payments(
    associations: QuerySet, audience: str, *, today: datetime.date | None = None
) -> QuerySet[Payment]:
    """The payments that put a person in ``audience`` (several per person, deduplicated later)."""
    today = today or timezone.localdate()
    payments = Payment.objects.filter(association__in=associations)
    if audience in (Audience.MEMBERS_VALID, Audience.MEMBERS_TO_RENEW, Audience.MEMBERS_LAPSED):
        if audience == Audience.MEMBERS_VALID:
            emails = members_whose_latest_ends(associations, last_until__gte=today)
        elif audience == Audience.MEMBERS_TO_RENEW:
            emails = members_whose_latest_ends(
                associations,
                last_until__gte=today - datetime.timedelta(days=RECENTLY_EXPIRED_DAYS),
                last_until__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
            )
        else:
            emails = members_whose_latest_ends(associations, last_until__lt=today)
        # every held membership of these people: the listing names each by their latest payment
        held = held_memberships().filter(association__in=associations, email_key__in=emails)
        return payments.filter(pk__in=held.values("payment_id"))
    gifts = payments.filter(status__in=PaymentStatus.SETTLED, kind__in=GIFT_KINDS)
    if audience == Audience.DONORS_ONE_OFF:
        return gifts.filter(kind__in=(PaymentKind.DONATION, PaymentKind.CROWDFUNDING))
    if audience == Audience.DONORS_MONTHLY:
        return gifts.filter(kind=PaymentKind.MONTHLY_DONATION, subscription_stopped_at__isnull=True)
    if audience in (Audience.DONORS_THIS_YEAR, Audience.DONORS_LAST_YEAR):
        year = today.year if audience == Audience.DONORS_THIS_YEAR else today.year - 1
        start, end = _year_bounds(year)
        return gifts.filter(paid_at__gte=start, paid_at__lt=end)
    raise ValueError(f"unknown audience {audience!r}")


def people_keys(payments: QuerySet[Payment]) -> QuerySet:
    """One row per person: ``association_id``, ``email_key`` and ``last_pk`` (their latest payment
    in the list), sorted by address; what a listing paginates."""
    return (
        payments.annotate(email_key=Lower("email"))
        .values("association_id", "email_key")
        .annotate(last_pk=Max("pk"))
        .order_by("email_key", "association_id")
    )


@dataclass(frozen=True)
class Person:
    payment: Payment  # their latest payment in the list: name, address, phone as they typed them
    email: str
    status: str  # a ContactStatus value
    consent_at: datetime.datetime | None
    opted_out_at: datetime.datetime | None

    @property
    def reachable(self) -> bool:
        return self.status == ContactStatus.CONSENTED

    @property
    def status_label(self) -> str:
        return str(ContactStatus(self.status).label)

    @property
    def detail(self) -> str:
        """For a member: until when; for a donor: what they gave."""
        membership = getattr(self.payment, "membership", None) if self.payment.kind == PaymentKind.MEMBERSHIP else None
        if membership is not None:
            return str(_("%(tier)s, jusqu'au %(date)s")) % {
                "tier": membership.tier_name,
                "date": french_date(membership.valid_until),
            }
        return self.payment.get_kind_display()


def choices_of(
    keys: Iterable[tuple[int, str]], emails: QuerySet | None = None
) -> dict[tuple[int, str], tuple[bool, datetime.datetime | None]]:
    """``{(association_id, email_key): (consented, consented_at)}``: each person's latest choice.

    ``emails``: the same addresses as a subquery (a whole list: no thousands of literals)."""
    keys = list(keys)
    if not keys:
        return {}
    associations = {association_id for association_id, _email in keys}
    emails = emails if emails is not None else {email for _association, email in keys}
    rows = (
        Payment.objects.filter(association_id__in=associations)
        .annotate(email_key=Lower("email"))
        .filter(email_key__in=emails)
        .order_by("created_at", "pk")
        .values_list("association_id", "email_key", "contact_consent", "contact_consent_at")
    )
    choices: dict[tuple[int, str], tuple[bool, datetime.datetime | None]] = {}
    for association_id, email, consent, consent_at in rows.iterator():
        choices[(association_id, email)] = (consent, consent_at)
    return choices


def opt_outs_of(
    keys: Iterable[tuple[int, str]], emails: QuerySet | None = None
) -> dict[tuple[int, str], ContactOptOut]:
    keys = list(keys)
    if not keys:
        return {}
    emails = emails if emails is not None else {e for _a, e in keys}
    rows = ContactOptOut.objects.filter(association_id__in={a for a, _e in keys}, email__in=emails)
    return {(row.association_id, row.email): row for row in rows}


def people_from_keys(rows: list[dict], emails: QuerySet | None = None) -> list[Person]:
    """``people_keys`` rows as ``Person``s, in four queries whatever their number."""
    keys = [(row["association_id"], row["email_key"]) for row in rows]
    payments = Payment.objects.select_related("association", "campaign", "membership").in_bulk(
        [row["last_pk"] for row in rows]
    )
    choices = choices_of(keys, emails)
    opt_outs = opt_outs_of(keys, emails)
    people = []
    for row, key in zip(rows, keys, strict=True):
        consent, consent_at = choices.get(key, (False, None))
        opt_out = opt_outs.get(key)
        if opt_out is not None:
            status = ContactStatus.BOUNCED if opt_out.reason == "rebond" else ContactStatus.UNSUBSCRIBED
        else:
            status = ContactStatus.CONSENTED if consent else ContactStatus.NO_CONSENT
        people.append(
            Person(
                payment=payments[row["last_pk"]],
                email=row["email_key"],
                status=status,
                consent_at=consent_at if consent else None,
                opted_out_at=opt_out.at if opt_out else None,
            )
        )
    return people


def audience_people(associations: QuerySet, audience: str, *, today: datetime.date | None = None) -> list[Person]:
    """Everyone in the list (an export, a mailing)."""
    payments = audience_payments(associations, audience, today=today)
    emails = payments.annotate(email_key=Lower("email")).values("email_key")
    return people_from_keys(list(people_keys(payments)), emails)
