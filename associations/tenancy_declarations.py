"""How Wagtail's content and the association record reach their association (see tenancy.py).

The other apps declare their own models in their ``AppConfig.ready()``.
"""

from __future__ import annotations

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from associations import tenancy
from associations.models import Association
from associations.tenancy import Access, Via


def declare() -> None:
    tenancy.register(
        Page,
        via=Via.TREE,
        access=Access.VOLUNTEER,
        kind="page",
        admin_namespaces=("wagtailadmin_pages", "wagtailadmin_api:pages"),
    )
    tenancy.register(
        get_image_model(),
        via=Via.COLLECTION,
        path="collection",
        access=Access.VOLUNTEER,
        kind="image",
        admin_namespaces=("wagtailimages", "wagtailimages_chooser"),
    )
    tenancy.register(
        get_document_model(),
        via=Via.COLLECTION,
        path="collection",
        access=Access.VOLUNTEER,
        kind="document",
        admin_namespaces=("wagtaildocs", "wagtaildocs_chooser"),
    )
    tenancy.register(
        Collection,
        via=Via.COLLECTION,
        access=Access.VOLUNTEER,
        kind="collection",
        admin_namespaces=("wagtailadmin_collections",),
    )
    tenancy.register(
        Association,
        path="pk",
        access=Access.EDIT,
        kind="association",
        admin_namespaces=(
            "wagtailsnippets_associations_association",
            "wagtailsnippetchoosers_associations_association",
        ),
    )
