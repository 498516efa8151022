"""Admin forms that fail validation answer 400, not 200.

Wagtail re-renders an invalid upload or page form with status 200; a successful POST to
these views always redirects. Turning the re-render into a 400 gives clients, tests and
monitoring the truth ("your input was refused") while the person still sees the form and
its French error messages.
"""

from __future__ import annotations

FORM_VIEWS = {
    "wagtailimages:add",
    "wagtailimages:edit",
    "wagtaildocs:add",
    "wagtaildocs:edit",
    "wagtailadmin_pages:add",
    "wagtailadmin_pages:edit",
}


class InvalidAdminFormStatusMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "POST"
            and match is not None
            and match.view_name in FORM_VIEWS
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response.status_code = 400
        return response
