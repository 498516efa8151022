"""Tag autocomplete of the admin, limited to the tags the user may see.

Wagtail's view (``wagtail.admin.views.tags.autocomplete``) searches every tag of the platform
and has no queryset hook: an editor of A typing "s" got B's draft tags. The admin guard
serves this view instead for everyone but platform staff.
"""

from __future__ import annotations

from django.http import JsonResponse
from wagtail.admin.views.tags import TAGS_AUTOCOMPLETE_LIMIT

from associations.selectors import tags_for_user


def autocomplete(request, app_name: str | None = None, model_name: str | None = None) -> JsonResponse:
    """Same answer as Wagtail's (a JSON list of names); only taggit's shared ``Tag`` model is
    in use here, so another tag model answers an empty list."""
    term = request.GET.get("term", "").strip()
    if not term or (app_name, model_name) not in {(None, None), ("taggit", "tag")}:
        return JsonResponse([], safe=False)
    tags = (
        tags_for_user(request.user)
        .filter(name__istartswith=term)
        .order_by("name")
        .values_list("name", flat=True)[:TAGS_AUTOCOMPLETE_LIMIT]
    )
    return JsonResponse(list(tags), safe=False)
