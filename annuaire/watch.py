"""The watch network takes news by itself ("réseau de veille").

Every week each animator gets a digest of the ambassadors nobody has heard from for N months
(``KOLLEKTIF_WATCH_MONTHS``, 6 by default), with one-click actions: "appelé·e",
"rencontré·e", "tout va bien". Each action is a signed link (actor, kind, animator) that
leads to a confirmation page with a button: following a link (a mail scanner does) changes
nothing, only the POST records the date and the kind of the last contact.

Moderators are told of each new proposal of the "carte à compléter" (receiver of
``annuaire.events.proposal_submitted``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from annuaire.models import Actor, ContactKind, Proposal
from annuaire.selectors import watch_list, watch_months
from kernel.mail import send_templated_email
from kernel.models import OutgoingEmail

ACTION_SALT = "annuaire.watch.action"
ACTION_MAX_AGE = timedelta(days=60)
DIGEST_TEMPLATE = "annuaire_watch_digest"
DIGEST_ACTIONS = (ContactKind.CALLED, ContactKind.MET, ContactKind.ALL_FINE)
DIGEST_LIMIT = 200  # a longer list is read in the admin ("Réseau de veille")


def animators() -> QuerySet[User]:
    """Active accounts that animate the network (the "Animateurs" group or the permission);
    the superusers only when nobody holds it, so that nothing is said to no one."""
    perm = Permission.objects.filter(content_type__app_label="annuaire", codename="animate_network").first()
    users = User.objects.filter(is_active=True).exclude(email="")
    holders = users.filter(Q(groups__permissions=perm) | Q(user_permissions=perm)).distinct() if perm else users.none()
    return holders if holders.exists() else users.filter(is_superuser=True)


def action_token(*, actor: Actor, kind: str, user: User) -> str:
    return signing.dumps({"a": actor.pk, "k": kind, "u": user.pk}, salt=ACTION_SALT, compress=True)


def action_from_token(token: str) -> tuple[Actor, str, User] | None:
    """The action a link stands for, or None if it is forged, expired or names nothing now."""
    try:
        data = signing.loads(token, salt=ACTION_SALT, max_age=ACTION_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or data.get("k") not in DIGEST_ACTIONS:
        return None
    actor = Actor.objects.filter(pk=data.get("a")).first()
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if actor is None or user is None:
        return None
    return actor, data["k"], user


def digest_recently_sent(*, within: timedelta = timedelta(days=6)) -> bool:
    """A digest left less than ``within`` ago (the weekly task and a cron never send it twice)."""
    return OutgoingEmail.objects.filter(template=DIGEST_TEMPLATE, created_at__gte=timezone.now() - within).exists()


def watch_digest_send(*, force: bool = False) -> int:
    """One digest per animator (their own signed links); returns how many were queued.

    Nothing is sent when nobody is on the watch list, or when a digest left this week."""
    if not force and digest_recently_sent():
        return 0
    months = watch_months()
    actors = list(watch_list(months=months)[: DIGEST_LIMIT + 1])
    if not actors:
        return 0
    more = len(actors) > DIGEST_LIMIT
    actors = actors[:DIGEST_LIMIT]
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    count = 0
    for user in animators():
        rows = [
            {
                "actor": actor,
                "actions": [
                    (
                        ContactKind(kind).label,
                        base + reverse("annuaire:watch_action", args=[action_token(actor=actor, kind=kind, user=user)]),
                    )
                    for kind in DIGEST_ACTIONS
                ],
            }
            for actor in actors
        ]
        send_templated_email(
            to=[user.email],
            subject=_("Réseau de veille : %(count)s ambassadeur(s) sans nouvelles depuis %(months)s mois")
            % {"count": len(actors), "months": months},
            template=DIGEST_TEMPLATE,
            context={"rows": rows, "months": months, "more": more, "watch_url": base + reverse("annuaire_watch")},
        )
        count += 1
    return count


def notify_moderators(proposal: Proposal) -> None:
    """E-mail the animators that a contribution waits for their decision."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    moderate_url = f"{base}/admin/snippets/annuaire/proposal/moderer/{proposal.pk}/"
    send_templated_email(
        to=list(animators().values_list("email", flat=True)),
        subject=_("Annuaire : nouvelle proposition à modérer (%(what)s)") % {"what": proposal.get_kind_display()},
        template="annuaire_proposal_submitted",
        context={"proposal": proposal, "moderate_url": moderate_url},
        about=proposal,
    )
