"""The directory listens to the tenant: its actor follows the association's record and status.

Connected in ``AnnuaireConfig.ready()`` to the events ``associations`` declares
(``associations/events.py``): associations does not know the directory exists.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed

from annuaire import events as annuaire_events
from annuaire.models import Actor, Proposal, actor_search_text_refresh
from annuaire.services import actor_sync_from_association
from associations import events
from associations.models import Association


def sync_actor(sender, *, association: Association, **kwargs) -> None:
    """Create or refresh the association's actor (public only while the association is active)."""
    actor_sync_from_association(association)


def tell_moderators(sender, *, proposal: Proposal, **kwargs) -> None:
    """A new contribution waits for moderation: the animators are told by e-mail."""
    from annuaire.watch import notify_moderators

    notify_moderators(proposal)


def refresh_search_text(sender, *, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Infrastructure: the folded search column follows the actor's sectors and "peut aider sur"."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        actor_search_text_refresh([instance.pk])
    elif pk_set:
        actor_search_text_refresh(list(pk_set))


def connect() -> None:
    annuaire_events.proposal_submitted.connect(
        tell_moderators, sender=Proposal, dispatch_uid="annuaire-proposal-moderators"
    )
    for through in (Actor.sectors.through, Actor.can_help.through):
        m2m_changed.connect(
            refresh_search_text, sender=through, dispatch_uid=f"annuaire-search-text-{through.__name__}"
        )
    for signal in (*events.STATUS_EVENTS, events.association_record_changed):
        signal.connect(sync_actor, sender=Association, dispatch_uid=f"annuaire-actor-sync-{id(signal)}")
