"""What the admin receives is checked before Wagtail's own views see it: a 400 in French, not a 500.

Wagtail's views trust some parameters that only its own JavaScript sends. Sent by hand (or by
an attacker's script) they raised errors deep inside Wagtail, all found by a probe of the admin:

- a control character (NUL, a line break outside text areas…) in any field or query value:
  PostgreSQL refuses NUL in text, SQLite's FTS5 stops at it, XML feeds and e-mail headers
  cannot carry them. Tab, CR and LF stay allowed (text areas);
- `search`/`q` made of spaces only (the admin API builds an empty query: AttributeError) or
  holding a double quote (SQLite's FTS5 reads it as an unterminated phrase: OperationalError;
  modelsearch escapes quotes for neither backend's MATCH syntax);
- `offset`/`limit` of the admin API beyond the database integer (IntegrityError on SQLite);
- the copy view's `new_parent_page` empty, missing or unknown (`Page.objects.get` before the
  form is validated);
- the external-link chooser without its `url` field (`None.startswith`);
- the admin API's `search_operator` other than "and"/"or" (ValueError in the search backend);
- the image chooser asked for a search and a tag at once (modelsearch cannot filter a search
  by tag: FilterFieldError); the search wins, as when the person types after clicking a tag.

Rather than a patched copy of each Wagtail view, one middleware validates or normalises the
known parameters; `InvalidParameter` raised by our own views (kernel.params) is
rendered the same way.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import connection
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kernel.params import MAX_ID, InvalidParameter, parse_int

ALLOWED_CONTROLS = {"\t", "\n", "\r"}
SEARCH_PARAMS = ("q", "search")
API_INTEGERS = ("offset", "limit")
SEARCH_OPERATORS = {"and", "or"}
# Views whose search cannot be combined with the second parameter: the search wins.
SEARCH_EXCLUDES = {
    "wagtailimages_chooser:choose": "tag",
    "wagtailimages_chooser:choose_results": "tag",
}
LINK_CHOOSER_FIELDS = {
    "wagtailadmin_choose_page_external_link": ("external-link-chooser-url",),
    "wagtailadmin_choose_page_email_link": ("email-link-chooser-email_address",),
    "wagtailadmin_choose_page_phone_link": ("phone-link-chooser-phone_number",),
    "wagtailadmin_choose_page_anchor_link": ("anchor-link-chooser-url",),
}


def bad_request(request, message: str) -> HttpResponseBadRequest:
    """A 400 that says, in French, what was refused."""
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request=request))


def control_character(value: str) -> str | None:
    """The first control character of `value` (except tab, CR, LF), if any."""
    for char in value:
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            return char
    return None


def _refuse_control_characters(data) -> None:
    for key, values in data.lists():
        for value in [key, *values]:
            char = control_character(value) if isinstance(value, str) else None
            if char is not None:
                raise InvalidParameter(
                    _("Le texte envoyé contient un caractère de contrôle invisible (U+%(code)04X) : retirez-le.")
                    % {"code": ord(char)}
                )


def _uses_sqlite_fts() -> bool:
    backend = settings.WAGTAILSEARCH_BACKENDS.get("default", {}).get("BACKEND", "")
    return connection.vendor == "sqlite" and backend.endswith(".database")


def _normalised_search(request, view_name: str) -> None:
    """Blank searches are no search; on SQLite's FTS5, double quotes are dropped."""
    if not any(name in request.GET for name in SEARCH_PARAMS):
        return
    query = request.GET.copy()
    excluded = SEARCH_EXCLUDES.get(view_name)
    if excluded and (query.get("q") or "").strip():
        query.pop(excluded, None)
    for name in SEARCH_PARAMS:
        if name not in query:
            continue
        value = query[name]
        if _uses_sqlite_fts():
            value = value.replace('"', " ")
        value = " ".join(value.split())
        if value:
            query[name] = value
        else:
            del query[name]
    request.GET = query


class AdminInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/admin/"

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(self.prefix):
            return None
        try:
            self._check(request, request.resolver_match.view_name)
        except InvalidParameter as exc:
            return bad_request(request, str(exc))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, InvalidParameter):
            return bad_request(request, str(exception))
        return None

    def _check(self, request, view_name: str) -> None:
        _refuse_control_characters(request.GET)
        if request.method == "POST":
            _refuse_control_characters(request.POST)
        _normalised_search(request, view_name)
        if view_name.startswith("wagtailadmin_api:"):
            for name in API_INTEGERS:
                parse_int(request.GET.get(name), name=name, maximum=MAX_ID)
            operator = request.GET.get("search_operator")
            if operator is not None and operator not in SEARCH_OPERATORS:
                raise InvalidParameter(_("Le paramètre « search_operator » vaut « and » ou « or »."))
        if request.method != "POST":
            return
        if view_name == "wagtailadmin_pages:copy":
            self._check_copy_parent(request)
        for field in LINK_CHOOSER_FIELDS.get(view_name, ()):
            if field not in request.POST:
                raise InvalidParameter(_("Formulaire incomplet : le champ « %(field)s » manque.") % {"field": field})

    @staticmethod
    def _check_copy_parent(request) -> None:
        from wagtail.models import Page

        refusal = InvalidParameter(_("Choisissez la page sous laquelle placer la copie."))
        try:
            parent = parse_int(request.POST.get("new_parent_page"), name="new_parent_page", minimum=1)
        except InvalidParameter as exc:
            raise refusal from exc
        if parent is None or not Page.objects.filter(pk=parent).exists():
            raise refusal
