"""The directory's admin: network animators and platform staff only, whatever the object.

Declared to the admin guard (associations/tenancy.py); no directory model belongs to one
association, so none is registered as tenant-owned.
"""

from __future__ import annotations

from annuaire.selectors import user_is_animator
from associations import tenancy


def register() -> None:
    tenancy.register_restricted_area(
        user_is_animator,
        namespace_prefixes=("wagtailsnippets_annuaire_", "wagtailsnippetchoosers_annuaire_"),
        url_names=("annuaire_watch",),
    )
