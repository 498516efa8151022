"""Tenant isolation at the admin's door.

Wagtail checks permissions view by view, and several views answer an unauthorised request
with a redirect to the dashboard, or with data of the whole tree (choosers, reports,
usage listings). This middleware looks at every admin request of a user who is not
platform staff, finds the objects named in its URL (page, image, document, collection,
revision, association, user…) and answers 404 when one of them belongs to another
association. The rule is stated once, here, instead of in every view; which object belongs
to which association is declared by each app in ``associations.tenancy``.
"""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Revision, UploadedFile

from associations import selectors, tenancy
from associations.admin_tags import autocomplete
from associations.page_rules import refusal
from kernel.params import is_bounded_int

logger = logging.getLogger("kollektif.isolation")

PAGE_KWARGS = {"page_id", "parent_page_id", "parent_id", "page_to_move_id", "destination_id", "page_pk"}
IMAGE_KWARGS = {"image_id"}
DOCUMENT_KWARGS = {"document_id", "doc_id"}
# Namespaces whose "pk" names a user or a group (Wagtail's users admin). The namespaces of
# tenant-owned objects (pages, images, payments…) come from associations.tenancy, where each app
# declares its models and their admin areas.
NAMESPACE_KINDS = {"wagtailusers_users": "user", "wagtailusers_groups": "group"}
# Views that name their objects in the query string (?id=1&id=2), besides the choosers'
# "chosen_multiple" views found through the declared admin areas.
QUERY_ID_KINDS = {"wagtailadmin_choose_page_chosen_multiple": "wagtailadmin_pages"}
# Wagtail's admin areas that show data across every association: platform staff only. The
# apps' own staff-only or role-only areas are declared with tenancy.register_restricted_area.
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


def _declared_ok(user, model, object_id) -> bool:
    """A row of a declared tenant-owned model must be the user's; undeclared models pass."""
    declaration = tenancy.tenant_model(model)
    return declaration is None or tenancy.object_is_users(user, declaration, object_id)


def _object_ok(user, content_type_id, object_id) -> bool:
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError, TypeError):
        return True
    return _declared_ok(user, model, object_id)


def _revision_ok(user, revision_id) -> bool:
    revision = Revision.objects.filter(pk=revision_id).first()
    if revision is None:
        return True
    return _object_ok(user, revision.base_content_type_id, revision.object_id)


def _namespace_object_ok(user, namespace: str, object_id) -> bool:
    """The object a namespace's ``pk`` names: a declared admin area, a user or a group."""
    kind = NAMESPACE_KINDS.get(namespace)
    if kind == "user":
        return str(object_id) == str(user.pk)
    if kind == "group":
        return False
    declaration = tenancy.admin_area(namespace)
    return declaration is None or tenancy.object_is_users(user, declaration, object_id)


def _names_objects(namespace: str) -> bool:
    return namespace in NAMESPACE_KINDS or tenancy.admin_area(namespace) is not None


def _area_is_allowed(user, namespace: str, view_name: str) -> bool | None:
    """Staff-only and role-only areas; ``None`` when the area is open to every editor."""
    if view_name in STAFF_ONLY_URL_NAMES or namespace in STAFF_ONLY_NAMESPACES:
        return False
    area = tenancy.restricted_area(namespace, view_name)
    return None if area is None else area.allowed(user)


def _query_ids_ok(user, namespace: str, ids: list[str]) -> bool:
    """Objects named in the query string (``?id=1&id=2``): each must be the user's."""
    for object_id in ids:
        if not is_bounded_int(object_id):
            return False
        if not _namespace_object_ok(user, namespace, int(object_id)):
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
        ids_namespace = QUERY_ID_KINDS.get(view_name)
        if ids_namespace is None and resolver_match.url_name == "chosen_multiple" and _names_objects(namespace):
            ids_namespace = namespace
        if ids_namespace is not None and not _query_ids_ok(user, ids_namespace, query_ids):
            return False
    kwargs = resolver_match.kwargs
    for name, value in kwargs.items():
        if not _kwarg_ok(user, name, value, kwargs):
            return False
        if name == "pk" and _names_objects(namespace) and not _namespace_object_ok(user, namespace, value):
            return False
    if {"app_label", "model_name", "object_id"} <= kwargs.keys():
        if not _labelled_object_ok(user, kwargs["app_label"], kwargs["model_name"], kwargs["object_id"]):
            return False
    return True


def _kwarg_ok(user, name: str, value, kwargs) -> bool:
    """An object named by a URL keyword argument Wagtail uses across views (page_id, image_id…)."""
    if name in PAGE_KWARGS:
        return _declared_ok(user, Page, value)
    if name in IMAGE_KWARGS:
        return _declared_ok(user, get_image_model(), value)
    if name in DOCUMENT_KWARGS:
        return _declared_ok(user, get_document_model(), value)
    if name == "collection_id":
        return _declared_ok(user, Collection, value)
    if name == "uploaded_file_id":
        return _upload_ok(user, value)
    if name == "revision_id":
        return _revision_ok(user, value)
    if name in {"content_type_id", "content_type"} and "object_id" in kwargs:
        return _object_ok(user, value, kwargs["object_id"])
    if name == "user_id":
        return str(value) == str(user.pk)
    return True


def _labelled_object_ok(user, app_label: str, model_name: str, object_id) -> bool:
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        return True
    return _object_ok(user, content_type.pk, object_id)


def _upload_ok(user, uploaded_file_id) -> bool:
    upload = UploadedFile.objects.filter(pk=uploaded_file_id).first()
    return upload is None or upload.uploaded_by_user_id == user.pk


def bulk_action_is_allowed(user, resolver_match, request) -> bool:
    """Bulk actions name their objects in the query string (?id=1&id=2)."""
    kwargs = resolver_match.kwargs
    ids = request.GET.getlist("id") + request.POST.getlist("id")
    if not all(is_bounded_int(object_id) for object_id in ids):  # "all", or not an id at all
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


# Wagtail views with no hook to narrow what they list: served by a tenant-aware version.
TENANT_VIEWS = {
    "wagtailadmin_tag_autocomplete": autocomplete,
    "wagtailadmin_tag_model_autocomplete": autocomplete,
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
    return refusal(page, action, destination)


def refused_response(request, message) -> TemplateResponse:
    """A 403 page in the admin that says why, instead of Wagtail's redirect to the dashboard."""
    return TemplateResponse(
        request,
        "associations/admin/refused.html",
        {"message": message, "page_title": _("Action impossible")},
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
        return admin_not_found(request)

    def process_exception(self, request, exception):
        """Errors raised by admin views after the guard let them through: Wagtail's admin pages,
        in French, whatever ``DEBUG`` says (Django's debug pages are English and technical)."""
        if not request.path_info.startswith("/admin/"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if isinstance(exception, Http404):
            return admin_not_found(request)
        if isinstance(exception, PermissionDenied):
            return refused_response(request, _("Vous n'avez pas accès à cette page."))
        return None


def admin_not_found(request):
    """Wagtail's own admin 404 page, as its URL patterns render it for their views' Http404
    (``wagtail.admin.urls.display_custom_404``); raised from a middleware, Http404 would reach
    Django's handler instead, and with ``DEBUG`` on its English debug page."""
    return page_not_found(request, Http404(), template_name="wagtailadmin/404.html")
