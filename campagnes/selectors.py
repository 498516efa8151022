"""Reads about campaigns and payments, always scoped by association."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Count, F, QuerySet, Sum, Value, When, prefetch_related_objects
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy
from wagtail.models import Page
from wagtail.query import PageQuerySet

from associations.models import Association
from associations.models.pages import subtree_filter
from associations.selectors import (
    associations_with_money_of,
    pages_checking_in_of,
    pages_with_money_of,
    user_is_platform_staff,
)
from campagnes.memberships import held_memberships, later_membership_exists
from campagnes.models import (
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    Membership,
    MembershipCampaignPage,
    Payment,
    PaymentStatus,
    Receipt,
    Ticket,
    TicketingCampaignPage,
)
from campagnes.permissions import (
    AssociationRecordPermissionPolicy,
    PaymentPermissionPolicy,
    ReceiptPermissionPolicy,
    TicketPermissionPolicy,
)

# The part of a refund that comes out of the gift itself (covered fees are refunded too).
GIFT_REFUNDED = Least(F("refunded_cents"), F("amount_cents"))
CAMPAIGN_MODELS = (DonationCampaignPage, MembershipCampaignPage, TicketingCampaignPage, CrowdfundingCampaignPage)
EXPIRING_WITHIN_DAYS = 30  # a membership ending within these days "expire bientôt"
STAFF_EVENTS_SINCE_DAYS = 7  # staff check in the events of the last days and to come
WEEKS_IN_CHART = 12


@dataclass(frozen=True)
class Progress:
    collected_cents: int
    contributors: int
    goal_cents: int | None

    @property
    def percent(self) -> int | None:
        if not self.goal_cents:
            return None
        return min(100, round(self.collected_cents * 100 / self.goal_cents))


def campaign_progress(*, campaign: Any) -> Progress:
    """Net of refunds; fees a payer chose to cover are not part of the gift."""
    totals = (
        Payment.objects.filter(campaign_id=campaign.pk)
        .counted()
        .aggregate(paid=Sum("amount_cents"), refunded=Sum(GIFT_REFUNDED), people=Count("email", distinct=True))
    )
    goal = int(campaign.goal * 100) if campaign.goal else None
    return Progress(
        collected_cents=(totals["paid"] or 0) - (totals["refunded"] or 0),
        contributors=totals["people"] or 0,
        goal_cents=goal,
    )


@dataclass(frozen=True)
class Supporter:
    name: str  # the first name when the donor ticked the box, otherwise "anonyme"
    paid_at: datetime.datetime | None


SUPPORTERS_SHOWN = 30


def campaign_supporters(*, campaign: Any, limit: int = SUPPORTERS_SHOWN) -> list[Supporter]:
    """The campaign's public list: latest settled gifts first, a first name only if the donor chose it."""
    rows = (
        Payment.objects.filter(campaign_id=campaign.pk)
        .counted()
        .order_by("-paid_at", "-pk")
        .values_list("first_name", "public_supporter", "paid_at")[:limit]
    )
    anonymous = str(gettext_lazy("Anonyme"))
    return [Supporter(name=(first if public and first else anonymous), paid_at=paid) for first, public, paid in rows]


def payments_for_association(association: Association) -> QuerySet[Payment]:
    return Payment.objects.for_association(association)


def campaigns_with_progress(*, support_page: Page, only_open: bool = False) -> list[tuple[Any, Progress]]:
    """The campaigns under a "Nous aider" page with their progress and what their cards show.

    Queries do not grow with the campaigns: one for the pages, one per campaign type present
    (with its image), then one each for ticket types, image renditions and the totals.
    The children are read through an indexed path range: ``child_of`` compiles to
    ``path LIKE 'prefix%'``, which SQLite cannot serve from the index (every page scanned).
    """
    children = Page.objects.filter(subtree_filter(support_page, levels=1)).live().order_by("path")
    rows = list(children.values_list("pk", "content_type_id"))
    ids_by_model = defaultdict(list)
    for pk, content_type_id in rows:
        ids_by_model[ContentType.objects.get_for_id(content_type_id).model_class()].append(pk)
    by_pk: dict[int, Any] = {}
    for model, ids in ids_by_model.items():  # what .specific() does, with what the cards show
        if model is None or not issubclass(model, CAMPAIGN_MODELS):
            continue
        pages = model.objects.filter(pk__in=ids).select_related("image")
        if issubclass(model, TicketingCampaignPage):
            pages = pages.prefetch_related("ticket_types")  # is_full()
        by_pk.update((page.pk, page) for page in pages)
    campaigns = [by_pk[pk] for pk, _type in rows if pk in by_pk]
    if only_open:
        campaigns = [campaign for campaign in campaigns if campaign.is_open]
    prefetch_related_objects([campaign.image for campaign in campaigns if campaign.image], "renditions")
    totals = {
        row["campaign_id"]: row
        for row in Payment.objects.filter(campaign_id__in=[c.pk for c in campaigns])
        .counted()
        .values("campaign_id")
        .annotate(paid=Sum("amount_cents"), refunded=Sum(GIFT_REFUNDED), people=Count("email", distinct=True))
    }
    result = []
    for campaign in campaigns:
        row = totals.get(campaign.pk, {})
        result.append(
            (
                campaign,
                Progress(
                    collected_cents=(row.get("paid") or 0) - (row.get("refunded") or 0),
                    contributors=row.get("people") or 0,
                    goal_cents=int(campaign.goal * 100) if campaign.goal else None,
                ),
            )
        )
    return result


# --- the treasurers' records, scoped by the permission policies ------------------------------


def visible_payments(user: Any) -> QuerySet[Payment]:
    """The payments the user may see: their associations' (the money permission), all for staff."""
    return PaymentPermissionPolicy(Payment).scope(Payment.objects.all(), user, ["view"])


def visible_tickets(user: Any, *, action: str = "view") -> QuerySet[Ticket]:
    return TicketPermissionPolicy(Ticket).scope(Ticket.objects.all(), user, [action])


def visible_receipts(user: Any) -> QuerySet[Receipt]:
    return ReceiptPermissionPolicy(Receipt).scope(Receipt.objects.all(), user, ["view"])


def campaigns_of(records: QuerySet, campaign_field: str) -> QuerySet[Page]:
    """The campaigns (pages) of these records, by title: a listing's "Campagne" filter."""
    return Page.objects.filter(pk__in=records.values(campaign_field)).order_by("title")


def payment_refundable_cents(payment: Payment) -> int:
    """What is left to refund of a payment (0 once refunded in full)."""
    return max(payment.total_cents - payment.refunded_cents, 0)


def payment_net_cents(payment: Payment) -> int:
    """What the association kept: paid minus refunded, 0 for a payment never paid."""
    if payment.status not in PaymentStatus.PAID_OR_REFUNDED:
        return 0
    return payment.total_cents - payment.refunded_cents


# --- members ------------------------------------------------------------------------------


class MemberState(models.TextChoices):
    CURRENT = "a-jour", gettext_lazy("À jour")
    EXPIRING = "expire-bientot", gettext_lazy("Expire bientôt")
    EXPIRED = "expiree", gettext_lazy("Expirée")
    RENEWED = "renouvelee", gettext_lazy("Renouvelée")


def with_member_state(queryset: QuerySet[Membership], *, today: datetime.date | None = None) -> QuerySet[Membership]:
    """Annotate ``member_state`` (a MemberState value) on rows of ``held_memberships()``.

    Computed by the database, so that it can be filtered and sorted: "à jour" (ends in more than
    30 days), "expire bientôt" (within 30 days), "expirée", and "renouvelée" for an ending or
    ended membership whose member already holds a later one.
    """
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    return queryset.annotate(renewed=later_membership_exists()).annotate(
        member_state=Case(
            When(valid_until__gt=soon, then=Value(MemberState.CURRENT.value)),
            When(renewed=True, then=Value(MemberState.RENEWED.value)),
            When(valid_until__lt=today, then=Value(MemberState.EXPIRED.value)),
            default=Value(MemberState.EXPIRING.value),
            output_field=models.CharField(),
        )
    )


def visible_memberships(user: Any) -> QuerySet[Membership]:
    """Memberships that hold, of the user's associations (all for staff), with their state."""
    policy = AssociationRecordPermissionPolicy(Membership)
    return with_member_state(policy.scope(held_memberships(), user, ["view"]))


# --- tickets ------------------------------------------------------------------------------


def ticketing_campaigns_for(user: Any) -> QuerySet[TicketingCampaignPage]:
    """The ticketing campaigns whose tickets this user may check in, next events first."""
    campaigns = TicketingCampaignPage.objects.all()
    if user_is_platform_staff(user):
        # every association's events would make an endless list: only those of the last days and to come
        campaigns = campaigns.filter(
            event_starts_at__gte=timezone.now() - datetime.timedelta(days=STAFF_EVENTS_SINCE_DAYS)
        )
    else:
        campaigns = campaigns.filter(pk__in=pages_checking_in_of(user).values("pk"))
    return campaigns.order_by("-event_starts_at", "title")


# --- the treasurers' dashboard --------------------------------------------------------------


@dataclass(frozen=True)
class CampaignTotal:
    campaign: Page
    association: Association | None
    net_cents: int
    count: int


@dataclass(frozen=True)
class WeekBar:
    start: datetime.date
    count: int
    net_cents: int


def campaign_totals(user: Any) -> list[CampaignTotal]:
    """Per campaign of the user's associations: net collected (after refunds), payments counted."""
    associations = {a.pk: a for a in associations_with_money_of(user).select_related("home_page")}
    pages: PageQuerySet = pages_with_money_of(user)  # type: ignore[assignment]  # Page.objects is a PageQuerySet
    campaigns = list(pages.type(*CAMPAIGN_MODELS).order_by("path"))
    rows = {
        row["campaign_id"]: row
        for row in Payment.objects.filter(association_id__in=associations.keys(), campaign__in=campaigns)
        .counted()
        .values("campaign_id", "association_id")
        .annotate(net=Sum(F("amount_cents") + F("fee_cents") - F("refunded_cents")), count=Count("pk"))
    }
    home_paths = sorted(
        ((a.home_page.path, a) for a in associations.values() if a.home_page is not None),
        key=lambda item: -len(item[0]),
    )
    result = []
    for campaign in campaigns:
        association = next((a for path, a in home_paths if campaign.path.startswith(path)), None)
        row = rows.get(campaign.pk, {})
        result.append(CampaignTotal(campaign, association, row.get("net") or 0, row.get("count") or 0))
    return result


def weekly_payments(user: Any, *, weeks: int = WEEKS_IN_CHART, today: datetime.date | None = None) -> list[WeekBar]:
    """Payments received per week (Monday to Sunday, local time) over the last ``weeks`` weeks."""
    today = today or timezone.localdate()
    first_monday = today - datetime.timedelta(days=today.weekday(), weeks=weeks - 1)
    start = timezone.make_aware(datetime.datetime.combine(first_monday, datetime.time.min))
    buckets = {first_monday + datetime.timedelta(weeks=i): [0, 0] for i in range(weeks)}
    payments = Payment.objects.filter(
        association__in=associations_with_money_of(user).values("pk"),
        created_at__gte=start,
        status__in=PaymentStatus.PAID_OR_REFUNDED,
    ).values_list("created_at", "amount_cents", "fee_cents", "refunded_cents")
    for created_at, amount, fee, refunded in payments.iterator():
        day = timezone.localtime(created_at).date()
        monday = day - datetime.timedelta(days=day.weekday())
        if monday in buckets:
            buckets[monday][0] += 1
            buckets[monday][1] += amount + fee - refunded
    return [WeekBar(monday, count, net) for monday, (count, net) in sorted(buckets.items())]
