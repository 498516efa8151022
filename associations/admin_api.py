"""The admin API's page actions answer a refusal with 403 and the rule's French reason.

Wagtail's actions raise ``PermissionDenied`` with an English sentence when the page's
permission tester says no (``wagtail/actions/*.py``); DRF would pass it on as is. The tester
already holds the four-page rule (``associations.page_rules``); this only words the answer.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from rest_framework.response import Response
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.models import Page

from associations import page_rules

# Admin API action names and the rule's action they perform.
API_ACTIONS = {"delete": "delete", "move": "move", "copy": "copy", "unpublish": "unpublish", "create_alias": "copy"}


def _destination(data) -> Page | None:
    try:
        destination_id = int(data.get("destination_page_id"))
    except (TypeError, ValueError, AttributeError):
        return None
    return Page.objects.filter(pk=destination_id).first()


class RuleAwarePagesAdminAPIViewSet(PagesAdminAPIViewSet):
    def action_view(self, request, pk, action_name):
        try:
            return super().action_view(request, pk, action_name)
        except PermissionDenied:
            page = self.get_object()
            action = API_ACTIONS.get(action_name)
            message = action and page_rules.refusal(page, action, _destination(request.data))
            return Response({"message": str(message or page_rules.GENERIC_REFUSAL)}, status=403)


def use_rule_aware_pages_endpoint(router) -> None:
    """``construct_admin_api`` hook: replace Wagtail's pages endpoint with the subclass above."""
    router.register_endpoint("pages", RuleAwarePagesAdminAPIViewSet)
