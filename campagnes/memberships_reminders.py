"""Renewal reminders: one e-mail to each member whose membership ends soon, never twice.

A member is known by the e-mail of their payment snapshot, within one association. A member
who already holds a later membership of the same association has renewed: no reminder. A
fully refunded membership is no membership: it is neither listed nor reminded. The reminder
is claimed with a conditional UPDATE (``reminder_sent_at IS NULL``) in the same transaction
that queues the e-mail, so two runs at the same time never send the same reminder twice.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from associations.models.pages import subtree_filter
from campagnes.memberships import (
    MembershipPeriod,
    held_memberships,
    later_membership_exists,
    membership_period,
    renewal_token,
)
from campagnes.models import CampaignState, Membership, MembershipCampaignPage
from kernel.formats.french import french_date
from kernel.mail import send_templated_email

DEFAULT_DAYS_BEFORE = 30


def memberships_due_for_reminder(*, today: datetime.date, days_before: int) -> QuerySet[Membership]:
    """Memberships ending between today and ``today + days_before``, not reminded, not renewed."""
    return (
        held_memberships()
        .filter(
            reminder_sent_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days_before),
        )
        .exclude(later_membership_exists())
        .select_related("payment", "payment__campaign", "association", "association__home_page")
        .order_by("association_id", "email_key", "pk")
    )


def open_membership_campaign(association, *, preferred_id: int | None = None) -> MembershipCampaignPage | None:
    """The association's membership campaign open right now (the member's own one first)."""
    if not association.is_public or not association.home_page_id:
        return None

    campaigns = (
        MembershipCampaignPage.objects.live()
        .filter(subtree_filter(association.home_page, levels=2))
        .order_by("-opens_at", "-pk")
    )
    now = timezone.now()
    opened = [campaign for campaign in campaigns if campaign.state(now) == CampaignState.OPEN]
    return next((c for c in opened if c.pk == preferred_id), None) or (opened[0] if opened else None)


def _public_url(page) -> str:
    url = page.get_url() or page.url or ""
    if url.startswith("/"):
        url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    return url


def _renewal_period(membership: Membership, campaign: MembershipCampaignPage | None) -> MembershipPeriod | None:
    """What renewing now gives: it starts the day after this membership ends."""
    if campaign is None:
        return None
    return membership_period(
        campaign=campaign, paid_on=timezone.localdate(), current_until=max(membership.valid_until, timezone.localdate())
    )


def _send_reminder(membership: Membership, *, campaign: MembershipCampaignPage | None) -> None:
    payment = membership.payment
    association = membership.association
    with translation.override(settings.LANGUAGE_CODE):
        send_templated_email(
            to=[payment.email],
            subject=_("Votre adhésion à %(name)s expire le %(date)s")
            % {
                "name": association.name,
                "date": french_date(membership.valid_until),
            },
            template="membership_reminder",
            context={
                "membership": membership,
                "payment": payment,
                "association": association,
                "campaign": campaign,
                "renew_url": f"{_public_url(campaign)}?renouveler={renewal_token(membership)}" if campaign else "",
                "renewal_period": _renewal_period(membership, campaign),
            },
            reply_to=[association.email] if association.email else None,
        )


def membership_reminders_send(*, today: datetime.date | None = None, days_before: int = DEFAULT_DAYS_BEFORE) -> int:
    """E-mail each member whose membership expires within ``days_before`` days. Returns e-mails sent.

    One e-mail per member and association, even when they hold several memberships ending
    the same day; each of those memberships is marked reminded.
    """
    if days_before < 0:
        raise ValueError("days_before must be positive")
    today = today or timezone.localdate()
    due = memberships_due_for_reminder(today=today, days_before=days_before)
    campaigns: dict[tuple[int, int], MembershipCampaignPage | None] = {}
    sent = 0
    # a list, not an iterator: the loop writes to the rows the query reads
    for _key, group in groupby(list(due), key=lambda m: (m.association_id, m.email_key)):
        memberships = list(group)
        first = memberships[0]
        campaign_key = (first.association_id, first.payment.campaign_id)
        if campaign_key not in campaigns:
            campaigns[campaign_key] = open_membership_campaign(
                first.association, preferred_id=first.payment.campaign_id
            )
        with transaction.atomic():
            claimed = Membership.objects.filter(
                pk__in=[m.pk for m in memberships], reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue  # another run reminded them meanwhile
            _send_reminder(first, campaign=campaigns[campaign_key])
        sent += 1
    return sent
