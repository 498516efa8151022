"""Public directory: the list and the map share one filter form and one URL."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from annuaire import selectors
from annuaire.forms import DirectoryFilterForm
from kernel.pagination import paginate

ACTORS_PER_PAGE = 20
VIEWS = {"liste", "carte"}


def _filters(request) -> tuple[DirectoryFilterForm, dict, bool]:
    form = DirectoryFilterForm(request.GET or None)
    if not request.GET or form.is_valid():
        return form, (form.cleaned_data if request.GET else {}), True
    return form, {}, False


def json_errors(form) -> JsonResponse:
    """Refused filters, in French, for the scripts that call the JSON endpoints."""
    errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})


def accepts_gzip(request) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


def json_payload_response(request, payload: bytes, content_type: str) -> HttpResponse:
    """A cached JSON payload, compressed when the browser accepts it (``payload`` is then gzip)."""
    response = HttpResponse(payload, content_type=f"{content_type}; charset=utf-8")
    if accepts_gzip(request):
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "public, max-age=60"
    return response


def _querystring(request, *, drop=("page",)) -> str:
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return query.urlencode()


@require_GET
def directory(request):
    form, filters, valid = _filters(request)
    view = request.GET.get("vue", "liste")
    if view not in VIEWS:
        view = "liste"
    results = selectors.actor_search(**filters) if valid else selectors.actor_search().none()
    paginator, page_obj = paginate(request, results, ACTORS_PER_PAGE)
    context = {
        "form": form,
        "actors": page_obj,
        "paginator": paginator,
        "view": view,
        "querystring": _querystring(request),
        "filters_querystring": _querystring(request, drop=("page", "vue")),
        "tile_url": settings.GEO_WIDGET_LEAFLET_TILE_LAYER,
        "tile_attribution": settings.KOLLEKTIF_TILE_ATTRIBUTION,
        "map_categories": list(selectors.MAP_CATEGORIES.items()),
    }
    return render(request, "annuaire/directory.html", context, status=200 if valid else 400)


@require_GET
def geojson(request):
    form, filters, valid = _filters(request)
    if not valid:
        return json_errors(form)
    payload = selectors.actors_geojson(gzipped=accepts_gzip(request), **filters)
    return json_payload_response(request, payload, "application/geo+json")


@require_GET
def actor_detail(request, slug: str):
    actor = selectors.actor_detail(slug=slug)
    if actor is None:
        raise Http404
    links = selectors.actor_links(actor=actor)
    context = {
        "actor": actor,
        "links": links,
        "meetings": selectors.actor_meetings(actor=actor)[:20],
        "can_edit": request.user.is_authenticated and actor.owners.filter(pk=request.user.pk).exists(),
        "tile_url": settings.GEO_WIDGET_LEAFLET_TILE_LAYER,
        "tile_attribution": settings.KOLLEKTIF_TILE_ATTRIBUTION,
    }
    return render(request, "annuaire/actor_detail.html", context)


SUGGESTION_SOURCES = {"acteurs": selectors.actor_suggestions, "communes": selectors.commune_suggestions}
SUGGESTIONS_RATE = "120/m"


@require_GET
def suggestions(request, source: str):
    """Type-ahead fields ask here as people type: public actors (by slug) or communes (by INSEE
    code), folded search with typo tolerance, at most ten. Public data only; rate-limited by IP
    (a field asks at most once per keystroke pause, 120 a minute is generous for a person)."""
    search = SUGGESTION_SOURCES.get(source)
    if search is None:
        raise Http404
    if is_ratelimited(request, group="annuaire-suggestions", key="ip", rate=SUGGESTIONS_RATE, increment=True):
        return JsonResponse(
            {"errors": {"q": [_("Trop de recherches depuis votre connexion : patientez une minute.")]}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    q = request.GET.get("q", "")
    if len(q) > 100:
        return JsonResponse(
            {"errors": {"q": [_("La recherche ne peut pas dépasser 100 caractères.")]}},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    response = JsonResponse({"results": search(q=q)}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=60"
    return response
