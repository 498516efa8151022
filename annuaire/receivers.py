"""The directory listens to the tenant: its actor follows the association's record and status.

Connected in ``AnnuaireConfig.ready()`` to the events ``associations`` declares
(``associations/events.py``): associations does not know the directory exists.
"""

from __future__ import annotations

from annuaire import events as annuaire_events
from annuaire.models import Proposal
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


def connect() -> None:
    annuaire_events.proposal_submitted.connect(
        tell_moderators, sender=Proposal, dispatch_uid="annuaire-proposal-moderators"
    )
    for signal in (*events.STATUS_EVENTS, events.association_record_changed):
        signal.connect(sync_actor, sender=Association, dispatch_uid=f"annuaire-actor-sync-{id(signal)}")
