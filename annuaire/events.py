"""What the directory announces: explicit events, one per business fact.

``proposal_submitted`` is sent (``sender=Proposal``, keyword ``proposal``) inside the
transaction of ``services.proposal_submit``; the moderators' e-mail is one receiver
(``annuaire/receivers.py``), queued in the outbox, so it leaves only if the proposal is saved.
"""

from __future__ import annotations

from django.dispatch import Signal

proposal_submitted = Signal()
