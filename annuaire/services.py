"""Writes of the directory: actors, links, meetings, contributions, the watch network.

One function per business action, one transaction each. Every write that changes what the
map or the network shows bumps the directory's cache version after commit, which is how the
cached GeoJSON and network JSON are invalidated (no signal, no timer).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from itertools import combinations
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from annuaire import events
from annuaire.models import (
    DIRECTED_LINK_KINDS,
    Actor,
    ActorKind,
    ContactKind,
    Label,
    Link,
    LinkKind,
    Meeting,
    MeetingStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Topic,
)
from associations.models import Association, AssociationStatus, Commune, Sector
from kernel.mail import send_templated_email

CACHE_VERSION_KEY = "annuaire:version"

LEGAL_FORM_TO_KIND = {
    "association": ActorKind.ASSOCIATION,
    "scic": ActorKind.SCIC,
    "scop": ActorKind.SCOP,
    "esus": ActorKind.ENTREPRISE,
}


def directory_changed() -> None:
    """Invalidate the cached map and network, once the current transaction has committed."""

    def bump() -> None:
        try:
            cache.incr(CACHE_VERSION_KEY)
        except ValueError:
            cache.set(CACHE_VERSION_KEY, 2, None)

    transaction.on_commit(bump)


def unique_slug(
    model: type[Actor] | type[Meeting], base: str, *, exclude_pk: int | None = None, max_length: int = 120
) -> str:
    base = (slugify(base) or "acteur")[: max_length - 6].strip("-")
    slug, n = base, 2
    queryset = model.objects.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _touch(actor_ids: Iterable[int], when: datetime | None = None) -> None:
    """Record a sign of life (meeting, link, update) for the watch network."""
    Actor.objects.filter(pk__in=list(actor_ids)).update(last_contact_at=when or timezone.now())


# --- Actors ------------------------------------------------------------------------------

ACTOR_FIELDS = {
    "name",
    "kind",
    "street_address",
    "latitude",
    "longitude",
    "description",
    "website",
    "public_email",
    "public_phone",
}


def _validate_actor(actor: Actor) -> None:
    errors = {}
    if not (actor.name or "").strip():
        errors["name"] = _("Indiquez le nom de la structure.")
    if (actor.latitude is None) != (actor.longitude is None):
        errors["latitude"] = _("Indiquez à la fois la latitude et la longitude, ou aucune des deux.")
    if errors:
        raise ValidationError(errors)
    try:
        actor.full_clean(exclude=["slug", "logo"])
    except ValidationError as exc:
        raise ValidationError(_french_coordinates(exc)) from exc


def _french_coordinates(exc: ValidationError) -> dict:
    """Replace Django's "ensure this value is less than…" by what the person must fix."""
    errors = dict(exc.message_dict)
    for field in ("latitude", "longitude"):
        if field in errors:
            errors[field] = [_("Ce point est hors de France : vérifiez la latitude et la longitude.")]
    return errors


@transaction.atomic
def actor_create(
    *,
    name: str,
    commune: Commune,
    labels: Iterable[Label] = (),
    sectors: Iterable[Sector] = (),
    can_help: Iterable[Topic] = (),
    looking_for: Iterable[Topic] = (),
    created_by: User | None = None,
    **fields: Any,
) -> Actor:
    """Create an outside actor (not an association of the platform), validated as a whole."""
    unknown = set(fields) - ACTOR_FIELDS - {"import_key", "is_public"}
    if unknown:
        raise TypeError(f"Unknown actor fields: {sorted(unknown)}")
    actor = Actor(name=(name or "").strip(), commune=commune, **fields)
    _validate_actor(actor)
    actor.slug = unique_slug(Actor, actor.name)
    actor.last_contact_at = timezone.now()
    actor.save()
    _set_relations(actor, labels=labels, sectors=sectors, can_help=can_help, looking_for=looking_for)
    directory_changed()
    return actor


def _set_relations(actor: Actor, **relations: Iterable[Model] | None) -> None:
    for name, values in relations.items():
        if values is not None:
            getattr(actor, name).set(values)


@transaction.atomic
def actor_update(*, actor: Actor, updated_by: User | None = None, **changes: Any) -> Actor:
    """Change an actor's directory entry. For an association's actor, the fields that come from
    the association record are refused here: they are edited on the record itself."""
    relations = {
        name: changes.pop(name) for name in ("labels", "sectors", "can_help", "looking_for") if name in changes
    }
    if actor.association_id:
        synced = set(changes) & (ACTOR_FIELDS - {"description"} | {"commune"})
        if synced:
            raise ValidationError(_("Ces informations viennent de la fiche de l'association : modifiez-les là-bas."))
    for name, value in changes.items():
        setattr(actor, name, value)
    _validate_actor(actor)
    actor.last_contact_at = timezone.now()
    actor.save()
    _set_relations(actor, **relations)
    directory_changed()
    return actor


@transaction.atomic
def actor_sync_from_association(association: Association) -> Actor:
    """Create or refresh the actor of an association of the platform: nobody retypes it.

    Only active associations are public in the directory; a pending, refused or suspended
    one keeps its actor row (its links and meetings stay) but disappears from the public."""
    actor = Actor.objects.filter(association=association).first()
    if actor is None:
        actor = Actor(association=association, created_at=association.created_at)
        actor.slug = unique_slug(Actor, association.slug)
        actor.last_contact_at = timezone.now()
    actor.name = association.name
    actor.kind = LEGAL_FORM_TO_KIND.get(association.legal_form, ActorKind.AUTRE)
    actor.commune_id = association.commune_id
    actor.street_address = association.street_address
    actor.latitude = association.latitude
    actor.longitude = association.longitude
    if not actor.description:
        actor.description = association.objet
    actor.website = association.website
    actor.public_email = association.email
    actor.public_phone = association.phone
    actor.logo_id = association.logo_id
    actor.is_public = association.status == AssociationStatus.ACTIVE
    actor.save()
    actor.sectors.set(association.sectors.all())
    directory_changed()
    return actor


@transaction.atomic
def actor_news_taken(*, actor: Actor, by: User, kind: str = ContactKind.NEWS) -> Actor:
    """An animator "a pris des nouvelles" (called, met, all fine): the actor leaves the watch
    list for N months, and the kind of contact is kept."""
    if kind not in ContactKind.values:
        raise ValidationError(_("Ce type de nouvelles n'existe pas."))
    actor.last_contact_at = timezone.now()
    actor.last_contact_kind = kind
    actor.save(update_fields=["last_contact_at", "last_contact_kind", "updated_at"])
    return actor


@transaction.atomic
def actor_label_add(*, actor: Actor, label: Label) -> None:
    actor.labels.add(label)
    directory_changed()


# --- Links -------------------------------------------------------------------------------


def _ordered(source: Actor, target: Actor, kind: str) -> tuple[Actor, Actor]:
    if kind in DIRECTED_LINK_KINDS or source.pk < target.pk:
        return source, target
    return target, source


def link_exists(*, source: Actor, target: Actor, kind: str) -> bool:
    return Link.objects.filter(kind=kind, source__in=[source, target], target__in=[source, target]).exists()


@transaction.atomic
def link_create(
    *,
    source: Actor | None,
    target: Actor | None,
    kind: str,
    started_on: date | None = None,
    description: str = "",
    added_by: User | None = None,
    meeting: Meeting | None = None,
) -> Link:
    """Link two actors. One link per pair and type: a second one is refused, not duplicated."""
    if source is None or target is None:
        raise ValidationError(_("Choisissez les deux acteurs du lien."))
    if source.pk == target.pk:
        raise ValidationError({"target": _("Un acteur ne peut pas être relié à lui-même.")})
    if kind not in LinkKind.values:
        raise ValidationError({"kind": _("Ce type de lien n'existe pas.")})
    if link_exists(source=source, target=target, kind=kind):
        raise ValidationError(
            _("%(a)s et %(b)s sont déjà reliés par un lien « %(kind)s ».")
            % {"a": source.name, "b": target.name, "kind": LinkKind(kind).label}
        )
    first, second = _ordered(source, target, kind)
    try:
        with transaction.atomic():
            link = Link.objects.create(
                source=first,
                target=second,
                kind=kind,
                started_on=started_on,
                description=description,
                added_by=added_by,
                meeting=meeting,
            )
    except IntegrityError as exc:  # a concurrent request made the same link
        raise ValidationError(_("Ce lien existe déjà.")) from exc
    _touch([source.pk, target.pk])
    directory_changed()
    return link


# --- Meetings ----------------------------------------------------------------------------


@transaction.atomic
def meeting_publish(*, meeting: Meeting, published_by: User | None = None) -> list[Link]:
    """Publish a meeting: its feuille de chou goes online, its participants become linked
    pairwise ("rencontre", source = the meeting) and their last contact becomes its date.

    Idempotent: publishing again (after adding a participant) only adds the missing links."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.summary.strip():
        raise ValidationError({"summary": _("La feuille de chou doit avoir un résumé avant d'être publiée.")})
    if meeting.status != MeetingStatus.PUBLISHED or meeting.published_at is None:
        meeting.status = MeetingStatus.PUBLISHED
        meeting.published_at = timezone.now()
        meeting.save(update_fields=["status", "published_at", "updated_at"])
    participants = sorted(meeting.participants.all(), key=lambda actor: actor.pk)
    existing = set(
        Link.objects.filter(kind=LinkKind.RENCONTRE, source__in=participants, target__in=participants).values_list(
            "source_id", "target_id"
        )
    )
    new_links = [
        Link(
            source=first,
            target=second,
            kind=LinkKind.RENCONTRE,
            meeting=meeting,
            added_by=published_by,
            started_on=timezone.localdate(meeting.starts_at),
            description=_("Rencontrés à « %(title)s »") % {"title": meeting.title},
        )
        for first, second in combinations(participants, 2)
        if (first.pk, second.pk) not in existing
    ]
    Link.objects.bulk_create(new_links)
    when = min(meeting.starts_at, timezone.now())
    Actor.objects.filter(pk__in=[actor.pk for actor in participants]).filter(last_contact_at__lt=when).update(
        last_contact_at=when
    )
    Actor.objects.filter(pk__in=[actor.pk for actor in participants], last_contact_at=None).update(last_contact_at=when)
    directory_changed()
    feuille_send_after_commit(meeting)
    return new_links


def feuille_send_after_commit(meeting: Meeting) -> None:
    """The published feuille de chou leaves by e-mail in a background task (annuaire/feuille.py);
    only those who have not received it yet get it, so publishing again is harmless."""
    from annuaire.tasks import send_feuille_de_chou  # the task module imports the services

    meeting_id = meeting.pk
    transaction.on_commit(lambda: send_feuille_de_chou.enqueue(meeting_id=meeting_id))


@transaction.atomic
def meeting_unpublish(*, meeting: Meeting) -> Meeting:
    meeting.status = MeetingStatus.DRAFT
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


# --- Contributions -----------------------------------------------------------------------


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"submitter_email": _("Cette adresse e-mail n'est pas valide.")}) from exc
    return email


@transaction.atomic
def proposal_submit(
    *,
    kind: str,
    data: dict,
    submitter_name: str,
    submitter_email: str,
    user: User | None = None,
    actor: Actor | None = None,
) -> Proposal:
    """Queue a contribution for the animators. Nothing reaches the directory before approval."""
    if not (submitter_name or "").strip():
        raise ValidationError({"submitter_name": _("Indiquez votre nom.")})
    proposal = Proposal.objects.create(
        kind=kind,
        data=data,
        submitter_name=submitter_name.strip(),
        submitter_email=_clean_email(submitter_email),
        user=user,
        actor=actor,
    )
    events.proposal_submitted.send(sender=Proposal, proposal=proposal)
    return proposal


@transaction.atomic
def proposal_approve(*, proposal: Proposal, approved_by: User) -> Proposal:
    """Turn a proposal into an actor, a link or an owner, through the usual services."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("Cette proposition a déjà été traitée."))
    data = proposal.data
    if proposal.kind == ProposalKind.ACTOR:
        commune = Commune.objects.filter(code=data.get("commune")).first()
        if commune is None:
            raise ValidationError(_("La commune proposée n'existe pas dans le Pas-de-Calais."))
        proposal.actor = actor_create(
            name=data.get("name", ""),
            commune=commune,
            kind=data.get("kind") or ActorKind.AUTRE,
            street_address=data.get("street_address", ""),
            description=data.get("description", ""),
            website=data.get("website", ""),
            public_email=data.get("public_email", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            sectors=data.get("sectors", []),
            can_help=data.get("can_help", []),
            looking_for=data.get("looking_for", []),
            created_by=approved_by,
        )
    elif proposal.kind == ProposalKind.LINK:
        source = Actor.objects.filter(pk=data.get("source")).first()
        target = Actor.objects.filter(pk=data.get("target")).first()
        proposal.link = link_create(
            source=source,
            target=target,
            kind=data.get("kind", ""),
            description=data.get("description", ""),
            started_on=date.fromisoformat(data["started_on"]) if data.get("started_on") else None,
            added_by=approved_by,
        )
    elif proposal.kind == ProposalKind.CLAIM:
        if proposal.user is None or proposal.actor is None:
            raise ValidationError(_("Cette demande ne désigne plus de compte ou de fiche."))
        proposal.actor.owners.add(proposal.user)
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_by = approved_by
    proposal.decided_at = timezone.now()
    proposal.save()
    send_templated_email(
        to=[proposal.submitter_email],
        subject=_("Votre contribution à l'annuaire Kollektif est acceptée"),
        template="annuaire_proposal_approved",
        context={"proposal": proposal},
    )
    return proposal


@transaction.atomic
def proposal_refuse(*, proposal: Proposal, refused_by: User, message: str) -> Proposal:
    """Refuse a proposal; the message is e-mailed to the person who made it."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Expliquez le refus : ce message sera envoyé à la personne.")})
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("Cette proposition a déjà été traitée."))
    proposal.status = ProposalStatus.REFUSED
    proposal.refusal_message = message
    proposal.decided_by = refused_by
    proposal.decided_at = timezone.now()
    proposal.save()
    send_templated_email(
        to=[proposal.submitter_email],
        subject=_("Votre contribution à l'annuaire Kollektif"),
        template="annuaire_proposal_refused",
        context={"proposal": proposal, "message": message},
    )
    return proposal
