"""What the tenant tells the apps above it: explicit events, one per business fact.

``associations`` sits below ``campagnes`` and ``annuaire`` (docs/architecture.md) and imports
neither. When something happens to an association that a higher app cares about, the service
sends one of these signals inside its transaction; the higher app connects a receiver in its
``AppConfig.ready()`` (the directory keeps its actor in step with the record, for example).
A receiver that raises undoes the business action, like the direct call it replaces.

Every signal is sent with ``sender=Association`` and the keyword argument ``association``.
"""

from __future__ import annotations

from django.dispatch import Signal

association_created = Signal()  # onboarding: record, four pages, collection and groups exist
association_activated = Signal()  # approved by the staff: the site is public
association_refused = Signal()  # request refused (pending → refused)
association_suspended = Signal()  # suspended by the staff: the site is no longer public
association_record_changed = Signal()  # the record (name, address, contacts, logo…) was edited

STATUS_EVENTS = (association_created, association_activated, association_refused, association_suspended)
