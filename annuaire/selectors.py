"""Reads of the directory: search, GeoJSON, network graph, agenda, watch list.

The map and network payloads are built from ``values()`` rows (a fixed number of queries
whatever the size of the directory) and cached under the directory's version, which the
services bump after every change.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import F, Manager, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annuaire.models import Actor, ActorKind, Label, Link, Meeting, Proposal, ProposalStatus, Topic, public_actor_q
from annuaire.services import CACHE_VERSION_KEY
from associations.geodata import commune_centres
from associations.models import Commune, Epci, Sector
from kernel.text_search import closest_word, fold, search_filter, tokens, words

AMBASSADOR_LABEL_SLUG = "ambassadeur-ess"
ANIMATORS_GROUP = "Animateurs"
CACHE_TIMEOUT = 60 * 60


def public_links() -> QuerySet[Link]:
    """Links whose two ends may be named in public (the directory's one rule, ``public_actor_q``)."""
    return Link.objects.filter(public_actor_q("source__") & public_actor_q("target__"))


def user_is_animator(user: User | AnonymousUser) -> bool:
    """Network animators run meetings and moderation; platform staff may do the same."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.is_staff or user.has_perm("annuaire.animate_network"))


# --- Directory ---------------------------------------------------------------------------


def _filtered_actors(
    *,
    q: str = "",
    epci: Epci | None = None,
    commune: Commune | None = None,
    sector: Sector | None = None,
    kind: str = "",
    label: Label | None = None,
    aide: Topic | None = None,
    **_ignored: object,
) -> QuerySet[Actor]:
    actors = Actor.objects.public()
    if epci:
        actors = actors.filter(commune__epci=epci)
    if commune:
        actors = actors.filter(commune=commune)
    if sector:
        actors = actors.filter(sectors=sector)
    if kind:
        actors = actors.filter(kind=kind)
    if label:
        actors = actors.filter(labels=label)
    if aide:
        actors = actors.filter(can_help=aide)
    if q:
        actors, _corrected = search_filter(actors, q, actor_vocabulary)
    return actors


def actor_vocabulary() -> set[str]:
    """The words a typo is corrected to: names of actors, communes, sectors and savoir-faire,
    folded; cached under the directory's version (4 queries when it changed, none otherwise)."""
    key = f"annuaire:vocabulary:{cache.get(CACHE_VERSION_KEY) or 1}"
    vocabulary = cache.get(key)
    if vocabulary is None:
        vocabulary = set()
        for model in (Actor, Commune, Sector, Topic):
            manager = model.objects.public() if model is Actor else model.objects.all()
            for name in manager.values_list("name", flat=True).iterator(chunk_size=2000):
                vocabulary |= words(fold(name))
        cache.set(key, vocabulary, CACHE_TIMEOUT)
    return vocabulary


def actor_search_correction(q: str) -> list[str] | None:
    """The corrected words when ``q`` matched nothing as typed ("bethnue" -> ["bethune"])."""
    return search_filter(Actor.objects.public(), q, actor_vocabulary)[1]


SUGGESTIONS_LIMIT = 10


def actor_suggestions(*, q: str, limit: int = SUGGESTIONS_LIMIT) -> list[dict]:
    """Public actors for a type-ahead field: value (slug), label and commune, at most ``limit``."""
    actors, _corrected = search_filter(Actor.objects.public(), q, actor_vocabulary)
    rows = actors.order_by("name", "pk").values_list("slug", "name", "commune__name")[:limit]
    return [{"value": slug, "label": name, "detail": commune} for slug, name, commune in rows]


def _commune_index() -> list[tuple[str, str, str, str]]:
    """(code, name, folded name and postal codes, postal codes) of every commune, cached: 895 rows."""
    index = cache.get("annuaire:commune-index")
    if index is None:
        index = [
            (code, name, fold(f"{name} {' '.join(codes or [])}"), ", ".join(codes or []))
            for code, name, codes in Commune.objects.order_by("name", "code").values_list(
                "code", "name", "postal_codes"
            )
        ]
        cache.set("annuaire:commune-index", index, CACHE_TIMEOUT * 24)
    return index


def commune_suggestions(*, q: str, limit: int = SUGGESTIONS_LIMIT) -> list[dict]:
    """Communes whose folded name (or postal code) holds every word of ``q``; names that start
    with the query first, then a typo-tolerant match when nothing else fits."""
    query_tokens = tokens(q)
    if not query_tokens:
        return []
    index = _commune_index()

    def matching(toks: list[str]) -> list[tuple[str, str, str, str]]:
        found = [row for row in index if all(token in row[2] for token in toks)]
        return sorted(found, key=lambda row: (not row[2].startswith(toks[0]), row[1]))

    rows = matching(query_tokens)
    if not rows:
        vocabulary = set().union(*(words(row[2]) for row in index))
        corrected = [closest_word(token, vocabulary) or token for token in query_tokens]
        if corrected != query_tokens:
            rows = matching(corrected)
    return [{"value": code, "label": name, "detail": codes} for code, name, _folded, codes in rows[:limit]]


def actor_search(**filters: Any) -> QuerySet[Actor]:
    """Public actors for the directory list, with everything a card shows (no query per card)."""
    return (
        _filtered_actors(**filters)
        .select_related("commune", "commune__epci", "logo", "association")
        .prefetch_related("sectors", "labels", "can_help")
        .order_by("name", "pk")
    )


def actor_detail(*, slug: str) -> Actor | None:
    return (
        Actor.objects.public()
        .select_related("commune", "commune__epci", "logo", "association")
        .prefetch_related("sectors", "labels", "can_help", "looking_for")
        .filter(slug=slug)
        .first()
    )


def actor_links(*, actor: Actor) -> list[Link]:
    """The actor's links to other public actors, each with its other end and its source."""
    links = (
        public_links()
        .filter(Q(source=actor) | Q(target=actor))
        .select_related("source", "target", "meeting")
        .order_by("kind", "-created_at")
    )
    result = []
    for link in links:
        link.other = link.target if link.source_id == actor.pk else link.source
        link.outgoing = link.source_id == actor.pk
        link.public_meeting = link.meeting if link.meeting and link.meeting.is_public else None
        result.append(link)
    return result


def actor_meetings(*, actor: Actor) -> QuerySet[Meeting]:
    return actor.meetings.public().select_related("commune").order_by("-starts_at")


def _cache_key(prefix: str, filters: dict) -> str:
    version = cache.get(CACHE_VERSION_KEY) or 1
    normalised = {
        key: str(getattr(value, "pk", value)) for key, value in filters.items() if value not in (None, "", [])
    }
    digest = hashlib.md5(json.dumps(normalised, sort_keys=True).encode(), usedforsecurity=False).hexdigest()
    return f"annuaire:{prefix}:{version}:{digest}"


def _cached(prefix: str, filters: dict, build: Callable[[], object], *, gzipped: bool = False) -> bytes:
    """The JSON payload, built once per directory version; its gzip too, since the whole
    network is several megabytes that browsers accept compressed."""
    key = _cache_key(prefix, filters) + (":gz" if gzipped else "")
    payload = cache.get(key)
    if payload is None:
        if gzipped:
            payload = gzip.compress(_cached(prefix, filters, build), compresslevel=6, mtime=0)
        else:
            payload = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(key, payload, CACHE_TIMEOUT)
    return payload


MAP_CATEGORIES = {
    "ambassadeur": _("Ambassadeur de l'ESS"),
    "association": _("Association"),
    "structure": _("Structure de l'ESS (SCIC, SCOP, entreprise engagée, réseau…)"),
    "collectivite": _("Collectivité"),
}


def map_category(kind: str, is_ambassador: bool) -> str:
    """The kind of marker: the network's ambassadors first, then associations, authorities, others."""
    if is_ambassador:
        return "ambassadeur"
    if kind == ActorKind.ASSOCIATION:
        return "association"
    if kind == ActorKind.COLLECTIVITE:
        return "collectivite"
    return "structure"


def _names_by_actor(through: QuerySet[Any] | Manager[Any], actors: QuerySet[Actor], field: str) -> dict[int, list[str]]:
    """{actor id: [names]} in one query, for the whole filtered set (no query per actor)."""
    result: dict[int, list[str]] = defaultdict(list)
    rows = through.filter(actor__in=actors.values("pk")).order_by("actor_id", f"{field}__name")
    for actor_id, name in rows.values_list("actor_id", f"{field}__name"):
        result[actor_id].append(name)
    return result


def actors_geojson(*, gzipped: bool = False, **filters: Any) -> bytes:
    """Every public actor as a GeoJSON FeatureCollection, same filters as the list.

    An actor without exact coordinates is placed at its commune's centre (official data,
    ``associations.geodata``) with ``approximate: true``. Four queries whatever the number of
    actors: the actors, their sectors, their "peut aider sur", the ambassadors."""

    def build() -> dict:
        actors = _filtered_actors(**filters)
        rows = actors.order_by("name", "pk").values_list(
            "pk", "name", "slug", "kind", "commune_id", "commune__name", "latitude", "longitude", "logo__file"
        )
        sectors = _names_by_actor(Actor.sectors.through.objects, actors, "sector")
        helps = _names_by_actor(Actor.can_help.through.objects, actors, "topic")
        ambassadors = set(
            Actor.labels.through.objects.filter(
                actor__in=actors.values("pk"), label__slug=AMBASSADOR_LABEL_SLUG
            ).values_list("actor_id", flat=True)
        )
        centres = commune_centres()
        kinds = dict(ActorKind.choices)
        features = []
        lat: Any  # Decimal from the row, or the commune centre's float
        lng: Any
        for pk, name, slug, kind, commune_code, commune, lat, lng, logo in rows:
            approximate = lat is None or lng is None
            if approximate:
                centre = centres.get(commune_code)
                if centre is None:
                    continue
                lat, lng = centre
            category = map_category(kind, pk in ambassadors)
            features.append(
                {
                    "type": "Feature",
                    "id": pk,
                    "geometry": {"type": "Point", "coordinates": [float(lng), float(lat)]},
                    "properties": {
                        "name": name,
                        "url": f"/annuaire/{slug}/",
                        "kind": kind,
                        "kind_label": str(kinds.get(kind, "")),
                        "category": category,
                        "category_label": str(MAP_CATEGORIES[category]),
                        "commune": commune,
                        "approximate": approximate,
                        "logo": default_storage.url(logo) if logo else "",
                        "sectors": sectors.get(pk, []),
                        "can_help": helps.get(pk, []),
                    },
                }
            )
        return {"type": "FeatureCollection", "features": features}

    return _cached("geojson", filters, build, gzipped=gzipped)


# --- Network -----------------------------------------------------------------------------


def _nodes(
    actor_ids: Iterable[int] | None = None,
    *,
    epci: Epci | None = None,
    commune: Commune | None = None,
    distances: dict[int, int] | None = None,
) -> list[dict]:
    actors = Actor.objects.public()
    if actor_ids is not None:
        actors = actors.filter(pk__in=actor_ids)
    if epci:
        actors = actors.filter(commune__epci=epci)
    if commune:
        actors = actors.filter(commune=commune)
    rows = list(actors.order_by("pk").values_list("pk", "name", "slug", "kind", "commune__name"))
    sectors: dict[int, str] = {}
    through = (
        Actor.sectors.through.objects.filter(actor_id__in=[row[0] for row in rows])
        if actor_ids is not None
        else (Actor.sectors.through.objects.filter(actor__in=actors))
    )
    for actor_id, sector in through.order_by("actor_id", "sector__name").values_list("actor_id", "sector__name"):
        sectors.setdefault(actor_id, sector)
    return [
        {
            "id": pk,
            "label": name,
            "url": f"/annuaire/{slug}/",
            "kind": kind,
            "commune": commune_name,
            "sector": sectors.get(pk, ""),
            **({"distance": distances.get(pk, 0)} if distances is not None else {}),
        }
        for pk, name, slug, kind, commune_name in rows
    ]


def _edge(row: tuple[int, int, int, str]) -> dict:
    pk, source, target, kind = row
    return {"id": pk, "source": source, "target": target, "kind": kind}


def _with_degrees(nodes: list[dict], edges: list[dict]) -> dict:
    degree: dict[int, int] = defaultdict(int)
    for edge in edges:
        degree[edge["source"]] += 1
        degree[edge["target"]] += 1
    for node in nodes:
        node["degree"] = degree.get(node["id"], 0)
    return {"nodes": nodes, "edges": edges}


def network_graph(
    *, epci: Epci | None = None, commune: Commune | None = None, kinds: Iterable[str] = (), gzipped: bool = False
) -> bytes:
    """The whole public network (or one territory's), as nodes and edges for the graph."""
    filters = {"epci": epci, "commune": commune, "kinds": ",".join(sorted(kinds))}

    def build() -> dict:
        nodes = _nodes(epci=epci, commune=commune)
        links = public_links()
        if kinds:
            links = links.filter(kind__in=kinds)
        if epci:
            links = links.filter(source__commune__epci=epci, target__commune__epci=epci)
        if commune:
            links = links.filter(source__commune=commune, target__commune=commune)
        edges = [_edge(row) for row in links.order_by("pk").values_list("pk", "source_id", "target_id", "kind")]
        return _with_degrees(nodes, edges)

    return _cached("network", filters, build, gzipped=gzipped)


def actor_network(*, actor: Actor, kinds: Iterable[str] = (), steps: int = 2, gzipped: bool = False) -> bytes:
    """ "Ton réseau": the actor, its neighbours and theirs (up to ``steps`` steps)."""
    filters = {"actor": actor.pk, "kinds": ",".join(sorted(kinds)), "steps": steps}

    def build() -> dict:
        links = public_links()
        if kinds:
            links = links.filter(kind__in=kinds)
        distances = {actor.pk: 0}
        frontier = {actor.pk}
        edges: dict[int, dict] = {}
        for step in range(1, steps + 1):
            rows = links.filter(Q(source__in=frontier) | Q(target__in=frontier)).values_list(
                "pk", "source_id", "target_id", "kind"
            )
            next_frontier = set()
            for row in rows:
                edges[row[0]] = _edge(row)
                for end in row[1:3]:
                    if end not in distances:
                        distances[end] = step
                        next_frontier.add(end)
            frontier = next_frontier
            if not frontier:
                break
        nodes = _nodes(list(distances), distances=distances)
        return _with_degrees(nodes, sorted(edges.values(), key=lambda edge: edge["id"]))

    return _cached("ego", filters, build, gzipped=gzipped)


# --- Meetings ----------------------------------------------------------------------------


def meetings_upcoming() -> QuerySet[Meeting]:
    return (
        Meeting.objects.public()
        .filter(starts_at__gte=timezone.now() - timedelta(hours=6))
        .select_related("commune", "host", "host__association")
        .order_by("starts_at")
    )


def meetings_past() -> QuerySet[Meeting]:
    return (
        Meeting.objects.public()
        .filter(starts_at__lt=timezone.now() - timedelta(hours=6))
        .select_related("commune", "host", "host__association")
        .order_by("-starts_at")
    )


def meeting_detail(*, slug: str, user: User | AnonymousUser) -> Meeting | None:
    meetings = Meeting.objects.select_related("commune", "host", "host__association")
    if not user_is_animator(user):
        meetings = meetings.public()
    return meetings.filter(slug=slug).first()


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class MeetingSheet:
    """What of a meeting a public page may show. The detail page, the print view and the
    agenda cards all read this, so they cannot disagree (the print view once showed the
    summary of a meeting that was only announced)."""

    meeting: Meeting
    host: Actor | None
    participants: list[Actor] = field(default_factory=list)
    # the feuille de chou itself: summary, leads, contacts
    shows_sheet: bool = False
    is_preview: bool = False
    lead_lines: list[str] = field(default_factory=list)
    contact_lines: list[str] = field(default_factory=list)


def _public_contact_lines(meeting: Meeting, hidden: list[Actor]) -> list[str]:
    """The contact lines, without any that name a non-public actor of the meeting or carry
    the e-mail of any non-public actor (the field is free text typed by an animator)."""
    lines = meeting.contact_lines
    emails = {email.lower() for line in lines for email in EMAIL_RE.findall(line)}
    hidden_emails = {actor.public_email.lower() for actor in hidden if actor.public_email}
    if emails:
        by_email = Q()
        for email in emails:
            by_email |= Q(public_email__iexact=email) | Q(association__email__iexact=email)
        for public_email, association_email in (
            Actor.objects.exclude(public_actor_q()).filter(by_email).values_list("public_email", "association__email")
        ):
            hidden_emails |= {email.lower() for email in (public_email, association_email) if email}
    hidden_names = [actor.name.casefold() for actor in hidden if actor.name.strip()]
    return [
        line
        for line in lines
        if not any(email.lower() in hidden_emails for email in EMAIL_RE.findall(line))
        and not any(name in line.casefold() for name in hidden_names)
    ]


def meeting_sheet(*, meeting: Meeting, user: User | AnonymousUser) -> MeetingSheet:
    """The public face of a meeting: only its public actors, and its feuille de chou only once
    published (animators get a marked preview, as they see the same in the admin)."""
    everyone = list(meeting.participants.select_related("commune", "association").order_by("name", "pk"))
    participants = [actor for actor in everyone if actor.is_listed]
    hidden = [actor for actor in everyone if not actor.is_listed]
    host = meeting.public_host
    if meeting.host_id and host is None:
        hidden.append(meeting.host)
    shows_sheet = meeting.is_published or user_is_animator(user)
    return MeetingSheet(
        meeting=meeting,
        host=host,
        participants=participants,
        shows_sheet=shows_sheet,
        is_preview=shows_sheet and not meeting.is_published,
        lead_lines=meeting.lead_lines if shows_sheet else [],
        contact_lines=_public_contact_lines(meeting, hidden) if shows_sheet else [],
    )


# --- Watch network and moderation --------------------------------------------------------


def watch_months() -> int:
    return int(getattr(settings, "KOLLEKTIF_WATCH_MONTHS", 6))


def watch_list(*, months: int | None = None) -> QuerySet[Actor]:
    """Labelled ambassadors with no meeting, link, update or news for ``months`` months."""
    months = months or watch_months()
    cutoff = timezone.now() - timedelta(days=round(months * 30.44))
    return (
        Actor.objects.filter(labels__slug=AMBASSADOR_LABEL_SLUG)
        .filter(Q(last_contact_at__lt=cutoff) | Q(last_contact_at=None))
        .select_related("commune")
        .order_by(F("last_contact_at").asc(nulls_first=True), "name")
    )


def pending_proposals_count() -> int:
    return Proposal.objects.filter(status=ProposalStatus.PENDING).count()
