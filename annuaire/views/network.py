"""The network page and its JSON: nodes (actors) and edges (typed links)."""

from __future__ import annotations

import json

from django.shortcuts import render
from django.views.decorators.http import require_GET

from annuaire import selectors
from annuaire.forms import NetworkFilterForm
from annuaire.models import Actor, Link, LinkKind
from annuaire.views.directory import accepts_gzip, json_errors, json_payload_response
from kernel.pagination import paginate

ROWS_PER_PAGE = 50


def _filters(request):
    form = NetworkFilterForm(request.GET or None)
    valid = not request.GET or form.is_valid()
    return form, (form.cleaned_data if request.GET and valid else {}), valid


def _payload(filters: dict, *, gzipped: bool = False) -> bytes:
    kinds = tuple(filters.get("kinds") or ())
    if filters.get("acteur"):
        return selectors.actor_network(actor=filters["acteur"], kinds=kinds, gzipped=gzipped)
    return selectors.network_graph(
        epci=filters.get("epci"), commune=filters.get("commune"), kinds=kinds, gzipped=gzipped
    )


@require_GET
def network_json(request):
    form, filters, valid = _filters(request)
    if not valid:
        return json_errors(form)
    return json_payload_response(request, _payload(filters, gzipped=accepts_gzip(request)), "application/json")


@require_GET
def network_page(request):
    """The graph is drawn by the browser from the JSON; the same links are listed as a table
    (paginated) for screen readers and for anyone without JavaScript."""
    form, filters, valid = _filters(request)
    links = Link.objects.none()
    if valid:
        links = selectors.public_links()
        if filters.get("kinds"):
            links = links.filter(kind__in=filters["kinds"])
        if filters.get("epci"):
            links = links.filter(source__commune__epci=filters["epci"], target__commune__epci=filters["epci"])
        if filters.get("commune"):
            links = links.filter(source__commune=filters["commune"], target__commune=filters["commune"])
        if filters.get("acteur"):
            graph = json.loads(_payload(filters))
            links = links.filter(pk__in=[edge["id"] for edge in graph["edges"]])
        links = links.select_related("source", "target", "meeting").order_by("source__name", "target__name", "kind")
    paginator, page_obj = paginate(request, links, ROWS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "links": page_obj,
        "paginator": paginator,
        "querystring": query.urlencode(),
        "link_kinds": LinkKind.choices,
        "focus": filters.get("acteur"),
        "actor_count": Actor.objects.public().count(),
    }
    return render(request, "annuaire/network.html", context, status=200 if valid else 400)
