"""Tenant isolation at the admin's door.

Wagtail checks permissions view by view, and several views answer an unauthorised request
with a redirect to the dashboard, or with data of the whole tree (choosers, reports,
usage listings). This middleware looks at every admin request of a user who is not
platform staff, finds the objects named in its URL (page, image, document, collection,
revision, association, user…) and answers 404 when one of them belongs to another
association. The rule is stated once, here, instead of in every view.
"""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Revision

from associations import selectors

logger = logging.getLogger("kollektif.isolation")

PAGE_KWARGS = {"page_id", "parent_page_id", "parent_id"}
# Namespaces whose "pk" names an object of a given kind.
NAMESPACE_KINDS = {
    "wagtailimages": "image",
    "wagtailimages_chooser": "image",
    "wagtaildocs": "document",
    "wagtaildocs_chooser": "document",
    "wagtailadmin_collections": "collection",
    "wagtailsnippets_associations_association": "association",
    "wagtailsnippets_associations_association_chooser": "association",
    "wagtailusers_users": "user",
    "wagtailusers_groups": "group",
}
# Admin areas that show data across every association: platform staff only.
STAFF_ONLY_NAMESPACES = {
    "wagtailusers_users",
    "wagtailusers_groups",
    "wagtailsites",
    "wagtailredirects",
    "wagtailsearchpromotions",
    "wagtailadmin_workflows",
    "wagtailsettings",
    "wagtailembeds",
    "wagtaillocales",
    "wagtailadmin_collections",
}
STAFF_ONLY_URL_NAMES = {
    "wagtailadmin_reports:page_types_usage",
    "wagtailadmin_reports:page_types_usage_results",
    "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:site_history_results",
    "wagtailadmin_reports:aging_pages",
    "wagtailadmin_reports:aging_pages_results",
    "wagtailadmin_reports:workflow",
    "wagtailadmin_reports:workflow_results",
    "wagtailadmin_reports:workflow_tasks",
    "wagtailadmin_reports:workflow_tasks_results",
}


def _page_ok(user, page_id) -> bool:
    page = Page.objects.filter(pk=page_id).only("path").first()
    return page is None or selectors.page_belongs_to_user(user, page)


def _collection_ok(user, collection_id) -> bool:
    collection = Collection.objects.filter(pk=collection_id).first()
    return collection is None or selectors.collection_belongs_to_user(user, collection)


def _media_ok(user, model, object_id) -> bool:
    obj = model.objects.filter(pk=object_id).select_related("collection").first()
    return obj is None or selectors.collection_belongs_to_user(user, obj.collection)


def _revision_ok(user, revision_id) -> bool:
    revision = Revision.objects.filter(pk=revision_id).first()
    if revision is None:
        return True
    return _object_ok(user, revision.base_content_type_id, revision.object_id)


def _object_ok(user, content_type_id, object_id) -> bool:
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError, TypeError):
        return True
    if model is None:
        return True
    from associations.models import Association

    if issubclass(model, Page):
        return _page_ok(user, object_id)
    if issubclass(model, Association):
        return selectors.associations_edited_by(user).filter(pk=object_id).exists()
    if issubclass(model, get_image_model()):
        return _media_ok(user, model, object_id)
    if issubclass(model, get_document_model()):
        return _media_ok(user, model, object_id)
    return True


def _kind_ok(user, kind: str, object_id) -> bool:
    if kind == "image":
        return _media_ok(user, get_image_model(), object_id)
    if kind == "document":
        return _media_ok(user, get_document_model(), object_id)
    if kind == "collection":
        return _collection_ok(user, object_id)
    if kind == "association":
        return selectors.associations_edited_by(user).filter(pk=object_id).exists()
    if kind == "user":
        return str(object_id) == str(user.pk)
    if kind == "group":
        return False
    return True


def request_is_allowed(user, resolver_match) -> bool:
    """Whether a non-staff user may reach this admin URL, judged by the objects it names."""
    namespace = resolver_match.namespace
    view_name = resolver_match.view_name
    if view_name in STAFF_ONLY_URL_NAMES or namespace in STAFF_ONLY_NAMESPACES:
        return False
    kwargs = resolver_match.kwargs
    for name, value in kwargs.items():
        if name in PAGE_KWARGS and not _page_ok(user, value):
            return False
        if name in {"image_id"} and not _media_ok(user, get_image_model(), value):
            return False
        if name in {"document_id"} and not _media_ok(user, get_document_model(), value):
            return False
        if name in {"collection_id"} and not _collection_ok(user, value):
            return False
        if name in {"revision_id"} and not _revision_ok(user, value):
            return False
        if name in {"content_type_id", "content_type"} and "object_id" in kwargs:
            if not _object_ok(user, value, kwargs["object_id"]):
                return False
        if name == "pk" and namespace in NAMESPACE_KINDS and not _kind_ok(user, NAMESPACE_KINDS[namespace], value):
            return False
        if name == "user_id" and not _kind_ok(user, "user", value):
            return False
    return True


class TenantAdminGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith("/admin/"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or selectors.user_is_platform_staff(user):
            return None
        match = request.resolver_match
        if match is None or request_is_allowed(user, match):
            return None
        logger.info("isolation: user %s refused %s", user.pk, match.view_name)
        raise Http404
