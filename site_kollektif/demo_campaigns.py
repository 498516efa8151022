"""One campaign of each kind for "Ma super asso démo", with plausible payments, members and tickets.

A visitor of the demo sees every feature working: a don (one-off and monthly) with what each
suggested amount funds, an adhésion with two formulas and its members, a billetterie with two
ticket types and sold tickets, a collecte at about 60 % of its goal with counterparts, and the
supporters' list. Payments are recorded as already paid by card (no e-mail, no Stripe call: the
demo's console stays quiet at start). Idempotent: a campaign that exists is left as it is.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campagnes.models import (
    Counterpart,
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    Membership,
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentKind,
    PaymentLog,
    PaymentOffer,
    PaymentStatus,
    SuggestedAmountNote,
    Ticket,
    TicketingCampaignPage,
    TicketType,
)

# Invented first names and family names (no real person): (first, last, public in the list?)
PEOPLE = [
    ("Jeanne", "Lemaire", True),
    ("Karim", "Benali", True),
    ("Sophie", "Vasseur", False),
    ("Lucas", "Delattre", True),
    ("Inès", "Caron", False),
    ("Thomas", "Duhamel", True),
    ("Amandine", "Leroy", True),
    ("Mehdi", "Boucher", False),
    ("Chloé", "Wattiez", True),
    ("Julien", "Dupuis", True),
    ("Nadia", "Hamidi", False),
    ("Pierre", "Lefrançois", True),
]

COLLECTE_GOAL_EUROS = 2500
COLLECTE_GIFTS_CENTS = [20000, 15000, 10000, 10000, 20000, 12000, 8000, 15000, 12000, 8000, 10000, 10000]  # 1 500 €


def _person(index: int) -> tuple[str, str, bool]:
    return PEOPLE[index % len(PEOPLE)]


def _payer(index: int, association) -> dict:
    first, last, public = _person(index)
    slug = f"{first}.{last}".lower().replace("é", "e").replace("è", "e").replace("ç", "c").replace("ï", "i")
    return {
        "first_name": first,
        "last_name": last,
        "email": f"{slug}@donateurs.kollektif.demo",
        "street_address": f"{index * 3 + 2} rue Jean Jaurès",
        "postal_code": association.postal_code,
        "city": association.commune.name if association.commune_id else "",
        "public_supporter": public,
    }


def _paid(*, association, campaign, kind, amount_cents, index, days_ago, offer=None, fee_cents=0) -> Payment:
    paid_at = timezone.now() - datetime.timedelta(days=days_ago, hours=index % 7)
    payment = Payment.objects.create(
        association=association,
        campaign_id=campaign.pk,
        kind=kind,
        amount_cents=amount_cents,
        fee_cents=fee_cents,
        status=PaymentStatus.SUCCEEDED,
        offer=(offer or PaymentOffer()).to_dict(),
        created_at=paid_at,
        paid_at=paid_at,
        stripe_charge=f"ch_demo_{campaign.pk}_{index}",
        **_payer(index, association),
    )
    PaymentLog.objects.create(
        payment=payment,
        at=paid_at,
        action="succeeded",
        from_status=PaymentStatus.PENDING,
        to_status=payment.status,
        source="démo",
    )
    return payment


def _publish(support, page):
    support.add_child(instance=page)
    page.save_revision().publish()
    return page


def _exists(support, slug: str) -> bool:
    return support.get_children().filter(slug=slug).exists()


@transaction.atomic
def load_demo_campaigns(association) -> None:
    """Add what is missing under the association's "Nous aider" page."""
    support = association.home_page.get_children().get(slug="nous-aider").specific
    now = timezone.now()
    _donation(association, support)
    _monthly_donation(association, support)
    _membership(association, support, now)
    _ticketing(association, support, now)
    _crowdfunding(association, support, now)


def _donation(association, support) -> None:
    """The don ponctuel: the campaign every association has (created by onboarding in the demo)."""
    campaign = support.get_children().filter(slug="soutenir-le-projet").specific().first()
    if campaign is None:
        campaign = _publish(
            support,
            DonationCampaignPage(
                title=f"Soutenir {association.name}",
                slug="soutenir-le-projet",
                goal=Decimal("3000"),
                suggested_amounts="10, 20, 50, 100",
                min_amount=Decimal("5"),
                max_amount=Decimal("5000"),
                allow_monthly=False,
            ),
        )
    if not campaign.amount_notes.exists():
        for amount, text in [
            ("20", "Une séance d'atelier pour un enfant"),
            ("50", "Le matériel d'une sortie nature"),
            ("100", "Une journée de formation d'un bénévole"),
        ]:
            campaign.amount_notes.add(SuggestedAmountNote(amount=Decimal(amount), description=text))
        campaign.save_revision().publish()
    if not Payment.objects.filter(campaign_id=campaign.pk).exists():
        for index, amount in enumerate([2000, 5000, 10000, 2000, 5000, 3500]):
            _paid(
                association=association,
                campaign=campaign,
                kind=PaymentKind.DONATION,
                amount_cents=amount,
                index=index,
                days_ago=40 - index * 6,
                offer=PaymentOffer(frequency="once"),
            )


def _monthly_donation(association, support) -> None:
    if _exists(support, "don-mensuel"):
        return
    campaign = _publish(
        support,
        DonationCampaignPage(
            title="Devenir donateur mensuel",
            slug="don-mensuel",
            introduction="<p>Un petit don chaque mois nous permet de prévoir l'année. Vous l'arrêtez quand vous voulez.</p>",
            suggested_amounts="5, 10, 15, 30",
            min_amount=Decimal("2"),
            max_amount=Decimal("500"),
            allow_monthly=True,
        ),
    )
    for amount, text in [("10", "Le goûter d'un atelier chaque mois"), ("30", "Un abonnement au local de répétition")]:
        campaign.amount_notes.add(SuggestedAmountNote(amount=Decimal(amount), description=text))
    campaign.save_revision().publish()
    for index, amount in enumerate([1000, 1500, 500, 3000]):
        payment = _paid(
            association=association,
            campaign=campaign,
            kind=PaymentKind.MONTHLY_DONATION,
            amount_cents=amount,
            index=index + 3,
            days_ago=20 - index * 4,
            offer=PaymentOffer(frequency="monthly"),
        )
        Payment.objects.filter(pk=payment.pk).update(stripe_subscription=f"sub_demo_{payment.pk}")


def _membership(association, support, now) -> None:
    if _exists(support, "adhesion"):
        return
    campaign = MembershipCampaignPage(
        title=f"Adhérer à {association.name} pour {now.year}",
        slug="adhesion",
        introduction="<p>L'adhésion vous permet de voter à l'assemblée générale et de participer à tous nos ateliers.</p>",
    )
    campaign.tiers.add(MembershipTier(name="Individuelle", description="Une personne", price=Decimal("15")))
    campaign.tiers.add(
        MembershipTier(name="Famille", description="Tout le foyer, prix libre", price=Decimal("25"), free_price=True)
    )
    _publish(support, campaign)
    tiers = list(campaign.tiers.all())
    for index in range(7):
        tier = tiers[index % 2]
        amount = 1500 if tier.name == "Individuelle" else [2500, 3000, 4000][index % 3]
        payment = _paid(
            association=association,
            campaign=campaign,
            kind=PaymentKind.MEMBERSHIP,
            amount_cents=amount,
            index=index + 1,
            days_ago=90 - index * 11,
            offer=PaymentOffer(tier_id=tier.pk, tier_name=tier.name),
        )
        year = timezone.localdate(payment.paid_at).year
        Membership.objects.create(
            payment=payment,
            association=association,
            tier_name=tier.name,
            valid_from=datetime.date(year, 1, 1),
            valid_until=datetime.date(year, 12, 31),
        )


def _ticketing(association, support, now) -> None:
    if _exists(support, "concert-de-printemps"):
        return
    event = timezone.localtime(now + datetime.timedelta(days=24)).replace(hour=20, minute=30, second=0, microsecond=0)
    campaign = TicketingCampaignPage(
        title="Concert de printemps",
        slug="concert-de-printemps",
        introduction="<p>La chorale et l'orchestre des ateliers, à la salle des fêtes. Buvette sur place.</p>",
        event_starts_at=event,
        place="Salle des fêtes, Arras",
        closes_at=event - datetime.timedelta(hours=2),
    )
    campaign.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("12"), quota=120))
    campaign.ticket_types.add(
        TicketType(name="Tarif réduit (étudiants, demandeurs d'emploi)", price=Decimal("6"), quota=40)
    )
    _publish(support, campaign)
    full, reduced = campaign.ticket_types.order_by("sort_order", "pk")
    for index, (n_full, n_reduced) in enumerate([(2, 0), (1, 1), (2, 2), (1, 0), (0, 1), (3, 1)]):
        lines = {ticket_type.pk: n for ticket_type, n in ((full, n_full), (reduced, n_reduced)) if n}
        payment = _paid(
            association=association,
            campaign=campaign,
            kind=PaymentKind.TICKETS,
            amount_cents=n_full * 1200 + n_reduced * 600,
            index=index + 5,
            days_ago=12 - index * 2,
            offer=PaymentOffer(tickets=lines),
        )
        for type_id, quantity in lines.items():
            Ticket.objects.bulk_create(
                Ticket(payment=payment, association=association, ticket_type_id=type_id) for _ in range(quantity)
            )
            TicketType.objects.filter(pk=type_id).update(sold=F("sold") + quantity)


def _crowdfunding(association, support, now) -> None:
    if _exists(support, "collecte-local"):
        return
    campaign = CrowdfundingCampaignPage(
        title="Un local pour nos ateliers",
        slug="collecte-local",
        introduction="<p>Aidez-nous à aménager un local ouvert à tous : peinture, chauffage, mobilier.</p>",
        goal=Decimal(COLLECTE_GOAL_EUROS),
        closes_at=now + datetime.timedelta(days=21),
    )
    campaign.counterparts.add(
        Counterpart(name="Un grand merci sur notre mur", min_amount=Decimal("10"), value=Decimal("0"))
    )
    campaign.counterparts.add(
        Counterpart(name="Le tote bag de l'asso", min_amount=Decimal("30"), value=Decimal("5"), stock=40)
    )
    campaign.counterparts.add(
        Counterpart(name="Une invitation à l'inauguration", min_amount=Decimal("100"), value=Decimal("15"), stock=20)
    )
    _publish(support, campaign)
    counterparts = list(campaign.counterparts.order_by("sort_order", "pk"))
    for index, amount in enumerate(COLLECTE_GIFTS_CENTS):
        eligible = [c for c in counterparts if int(c.min_amount * 100) <= amount]
        chosen = eligible[-1] if index % 3 else None  # some give without a counterpart
        offer = PaymentOffer()
        if chosen is not None:
            offer = PaymentOffer(
                counterpart_id=chosen.pk, counterpart_name=chosen.name, counterpart_value_cents=int(chosen.value * 100)
            )
            Counterpart.objects.filter(pk=chosen.pk).update(taken=F("taken") + 1)
        _paid(
            association=association,
            campaign=campaign,
            kind=PaymentKind.CROWDFUNDING,
            amount_cents=amount,
            index=index,
            days_ago=30 - index * 2,
            offer=offer,
        )
