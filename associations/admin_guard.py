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
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Revision

from associations import selectors
from kernel.params import MAX_ID

logger = logging.getLogger("kollektif.isolation")

PAGE_KWARGS = {"page_id", "parent_page_id", "parent_id", "page_to_move_id", "destination_id", "page_pk"}
IMAGE_KWARGS = {"image_id"}
DOCUMENT_KWARGS = {"document_id", "doc_id"}
# Namespaces whose "pk" names an object of a given kind.
NAMESPACE_KINDS = {
    "wagtailimages": "image",
    "wagtailimages_chooser": "image",
    "wagtaildocs": "document",
    "wagtaildocs_chooser": "document",
    "wagtailadmin_collections": "collection",
    "wagtailsnippets_associations_association": "association",
    "kollektif_stripe": "association_member",
    "wagtailadmin_pages": "page",
    "wagtailadmin_api:pages": "page",
    "wagtailsnippetchoosers_associations_association": "association",
    "wagtailusers_users": "user",
    "wagtailusers_groups": "group",
    "paiements": "payment",
    "adherents": "membership",
    "billets": "ticket",
    "recus": "receipt",
}
# Views that name their objects in the query string (?id=1&id=2), besides the choosers'
# "chosen_multiple" views found through NAMESPACE_KINDS.
QUERY_ID_KINDS = {"wagtailadmin_choose_page_chosen_multiple": "page"}
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
    "wagtailadmin_api:images",
    "wagtailadmin_api:documents",
    "emails",  # the outbox: every association's recipients (site_kollektif.admin_emails)
}
STAFF_ONLY_URL_NAMES = {
    # "usage of a page type" lists every page of that type, whichever association owns it
    "wagtailadmin_pages:type_use",
    "wagtailadmin_pages:type_use_results",
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
# The directory's admin (annuaire): network animators and staff only, whatever the object.
ANIMATOR_NAMESPACE_PREFIXES = ("wagtailsnippets_annuaire_", "wagtailsnippetchoosers_annuaire_")
ANIMATOR_URL_NAMES = {"annuaire_watch"}


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
    if kind == "page":
        return _page_ok(user, object_id)
    if kind == "image":
        return _media_ok(user, get_image_model(), object_id)
    if kind == "document":
        return _media_ok(user, get_document_model(), object_id)
    if kind == "collection":
        return _collection_ok(user, object_id)
    if kind == "association":
        return selectors.associations_edited_by(user).filter(pk=object_id).exists()
    if kind == "association_member":  # its Stripe account: treasurers (the money permission)
        return selectors.associations_with_money_of(user).filter(pk=object_id).exists()
    if kind == "user":
        return str(object_id) == str(user.pk)
    if kind == "group":
        return False
    if kind == "payment":
        from campagnes.models import Payment

        association_id = Payment.objects.filter(pk=object_id).values_list("association_id", flat=True).first()
        return association_id is None or selectors.associations_with_money_of(user).filter(pk=association_id).exists()
    if kind in ("membership", "ticket", "receipt"):
        from campagnes.models import Membership, Receipt, Ticket

        model = {"membership": Membership, "ticket": Ticket, "receipt": Receipt}[kind]
        association_id = model.objects.filter(pk=object_id).values_list("association_id", flat=True).first()
        return association_id is None or selectors.associations_with_money_of(user).filter(pk=association_id).exists()
    return True


def _area_is_allowed(user, namespace: str, view_name: str) -> bool | None:
    """Staff-only and animator-only areas; ``None`` when the area is open to every editor."""
    if view_name in STAFF_ONLY_URL_NAMES or namespace in STAFF_ONLY_NAMESPACES:
        return False
    if namespace.startswith(ANIMATOR_NAMESPACE_PREFIXES) or view_name in ANIMATOR_URL_NAMES:
        from annuaire.selectors import user_is_animator

        return user_is_animator(user)
    return None


def _is_database_id(value: str) -> bool:
    """ASCII digits within the database's integer range ("²" is a digit to Python, and a
    23-digit id overflows SQLite and PostgreSQL): anything else names no object."""
    return value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID)) and int(value) <= MAX_ID


def _query_ids_ok(user, kind: str, ids: list[str]) -> bool:
    """Objects named in the query string (``?id=1&id=2``): each must be the user's."""
    for object_id in ids:
        if not _is_database_id(object_id):
            return False
        if not _kind_ok(user, kind, int(object_id)):
            return False
    return True


def request_is_allowed(user, resolver_match, query_ids: list[str] | None = None) -> bool:
    """Whether a non-staff user may reach this admin URL, judged by the objects it names.

    ``query_ids`` are the ``id`` parameters of the query string: the "chosen-multiple" views
    of the choosers answer with the title and URLs of every object named there.
    """
    namespace = resolver_match.namespace
    view_name = resolver_match.view_name
    area = _area_is_allowed(user, namespace, view_name)
    if area is not None:
        return area
    if query_ids:
        kind = QUERY_ID_KINDS.get(view_name)
        if kind is None and resolver_match.url_name == "chosen_multiple":
            kind = NAMESPACE_KINDS.get(namespace)
        if kind is not None and not _query_ids_ok(user, kind, query_ids):
            return False
    kwargs = resolver_match.kwargs
    for name, value in kwargs.items():
        if name in PAGE_KWARGS and not _page_ok(user, value):
            return False
        if name in IMAGE_KWARGS and not _media_ok(user, get_image_model(), value):
            return False
        if name in DOCUMENT_KWARGS and not _media_ok(user, get_document_model(), value):
            return False
        if name == "uploaded_file_id" and not _upload_ok(user, value):
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
    if {"app_label", "model_name", "object_id"} <= kwargs.keys():
        if not _labelled_object_ok(user, kwargs["app_label"], kwargs["model_name"], kwargs["object_id"]):
            return False
    return True


def _labelled_object_ok(user, app_label: str, model_name: str, object_id) -> bool:
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        return True
    return _object_ok(user, content_type.pk, object_id)


def _upload_ok(user, uploaded_file_id) -> bool:
    from wagtail.models import UploadedFile

    upload = UploadedFile.objects.filter(pk=uploaded_file_id).first()
    return upload is None or upload.uploaded_by_user_id == user.pk


def bulk_action_is_allowed(user, resolver_match, request) -> bool:
    """Bulk actions name their objects in the query string (?id=1&id=2)."""
    kwargs = resolver_match.kwargs
    ids = request.GET.getlist("id") + request.POST.getlist("id")
    if not all(_is_database_id(object_id) for object_id in ids):  # "all", or not an id at all
        return False
    try:
        content_type = ContentType.objects.get_by_natural_key(kwargs["app_label"], kwargs["model_name"])
    except (ContentType.DoesNotExist, KeyError):
        return True
    # A bulk action on a snippet is the snippet's admin area under another URL: the same
    # area rule applies (the directory's confirmations named hidden actors to any editor).
    area = _area_is_allowed(user, f"wagtailsnippets_{content_type.app_label}_{content_type.model}", "")
    if area is not None:
        return area
    return all(_object_ok(user, content_type.pk, object_id) for object_id in ids)


def _tag_autocomplete(request, **kwargs):
    from associations.admin_tags import autocomplete

    return autocomplete(request, **kwargs)


# Wagtail views with no hook to narrow what they list: served by a tenant-aware version.
TENANT_VIEWS = {
    "wagtailadmin_tag_autocomplete": _tag_autocomplete,
    "wagtailadmin_tag_model_autocomplete": _tag_autocomplete,
}

# Page views whose action the four-page rule may forbid: URL name -> (rule action, page kwarg).
PAGE_ACTION_VIEWS = {
    "wagtailadmin_pages:delete": ("delete", "page_id"),
    "wagtailadmin_pages:unpublish": ("unpublish", "page_id"),
    "wagtailadmin_pages:move": ("move", "page_to_move_id"),
    "wagtailadmin_pages:move_confirm": ("move", "page_to_move_id"),
    "wagtailadmin_pages:copy": ("copy", "page_id"),
}


def _page_or_none(page_id) -> Page | None:
    try:
        return Page.objects.filter(pk=int(page_id)).first()
    except (TypeError, ValueError):
        return None


def page_rule_refusal(request, resolver_match) -> str | None:
    """The four-page rule's French reason for refusing this page view, if it does.

    The permission tester (``associations.page_rules``) already makes Wagtail refuse, but
    Wagtail answers with a redirect to the dashboard and an English sentence; this names the
    reason before the view runs. Platform staff included: the rule holds for everyone.
    """
    action, page_kwarg = PAGE_ACTION_VIEWS.get(resolver_match.view_name, (None, None))
    if action is None:
        return None
    page = _page_or_none(resolver_match.kwargs.get(page_kwarg))
    if page is None:
        return None
    destination = None
    if "destination_id" in resolver_match.kwargs:
        destination = _page_or_none(resolver_match.kwargs["destination_id"])
    elif action == "copy" and request.method == "POST":
        destination = _page_or_none(request.POST.get("new_parent_page"))
    from associations.page_rules import refusal

    return refusal(page, action, destination)


def refused_response(request, message) -> TemplateResponse:
    """A 403 page in the admin that says why, instead of Wagtail's redirect to the dashboard."""
    return TemplateResponse(
        request, "associations/admin/refused.html", {"message": message, "page_title": _("Action impossible")},
        status=403,
    )


class TenantAdminGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith("/admin/"):
            return None
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None:
            return None
        if selectors.user_is_platform_staff(user):
            message = page_rule_refusal(request, match)
            return refused_response(request, message) if message else None
        allowed = request_is_allowed(user, match, request.GET.getlist("id"))
        if allowed and match.view_name == "wagtail_bulk_action":
            allowed = bulk_action_is_allowed(user, match, request)
        if allowed:
            message = page_rule_refusal(request, match)
            if message:
                return refused_response(request, message)
            tenant_view = TENANT_VIEWS.get(match.view_name)
            return tenant_view(request, **match.kwargs) if tenant_view else None
        logger.info("isolation: user %s refused %s", user.pk, match.view_name)
        raise Http404
