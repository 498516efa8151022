"""The whole network above 600 actors, in Chromium (issue #14, item 7): a force-directed layout
computed in a Web Worker that shows communities (not a grid), labels that do not overlap at rest,
a legend of link types in words, and the current view downloaded as SVG and PNG to print."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from django.utils import timezone

from annuaire import services
from annuaire.factories import ActorFactory
from annuaire.models import Actor, Link, LinkKind
from associations.models import Commune
from tests.annuaire.conftest import load_directory_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/wt/shots/s14f")
COMMUNITIES = 14
PER_COMMUNITY = 50  # 700 actors: above the 600 where the page switches to the worker's layout


@pytest.fixture
def big_network(reference_data):
    """700 actors in 14 groups of 50; links mostly inside a group, a few between groups."""
    load_directory_reference_data()
    bruay = Commune.objects.get(code="62178")
    rng = random.Random(14)
    # Built by the factory, written in one go (700 ``actor_create`` calls would take minutes).
    actors = Actor.objects.bulk_create(
        ActorFactory.build(
            name=f"Groupe {g + 1:02d} structure {n + 1:02d}", slug=f"groupe-{g + 1:02d}-{n + 1:02d}", commune=bruay
        )
        for g in range(COMMUNITIES)
        for n in range(PER_COMMUNITY)
    )
    kinds = LinkKind.values
    seen, links, now = set(), [], timezone.now()
    while len(links) < COMMUNITIES * PER_COMMUNITY * 2:
        group = rng.randrange(COMMUNITIES)
        other = group if rng.random() < 0.95 else rng.randrange(COMMUNITIES)
        a = actors[group * PER_COMMUNITY + rng.randrange(PER_COMMUNITY)]
        b = actors[other * PER_COMMUNITY + rng.randrange(PER_COMMUNITY)]
        kind = rng.choice(kinds)
        if a.pk == b.pk or (a.pk, b.pk, kind) in seen:
            continue
        seen.add((a.pk, b.pk, kind))
        links.append(Link(source=a, target=b, kind=kind, created_at=now))
    Link.objects.bulk_create(links)
    services.directory_changed()
    return actors


def _wait_for_graph(page):
    page.goto("/reseau/")
    page.wait_for_selector("#reseau-graphe[data-ready='1']", timeout=60000)


def _overlaps(a, b):
    return a["x1"] < b["x2"] and a["x2"] > b["x1"] and a["y1"] < b["y2"] and a["y2"] > b["y1"]


def test_large_network_shows_communities_with_readable_labels_and_exports(page, big_network):
    _wait_for_graph(page)
    graph = page.locator("#reseau-graphe")
    assert graph.get_attribute("data-nodes") == "700"
    assert graph.get_attribute("data-layout") == "force"
    assert page.locator("#reseau-statut").inner_text() == f"700 acteurs et {Link.objects.count():,} liens.".replace(
        ",", "\u202f"
    )

    positions = page.evaluate(
        "() => Object.fromEntries(window.kollektifNetwork.nodes().map(n => [n.id(), n.position()]))"
    )
    xs = {round(p["x"]) for p in positions.values()}
    assert len(xs) > 350, "positions on a lattice (grid layout): a grid of 700 has about 27 columns"

    def distance(a, b):
        pa, pb = positions[str(a)], positions[str(b)]
        return math.hypot(pa["x"] - pb["x"], pa["y"] - pb["y"])

    linked = [distance(s, t) for s, t in Link.objects.values_list("source_id", "target_id")]
    rng = random.Random(1)
    ids = [actor.pk for actor in big_network]
    pairs = [distance(*rng.sample(ids, 2)) for _ in range(2000)]
    assert sum(linked) / len(linked) < 0.5 * sum(pairs) / len(pairs), "linked actors are not drawn closer"
    group_one = [distance(a.pk, b.pk) for a, b in zip(big_network[:50], big_network[1:50], strict=False)]
    assert sum(group_one) / len(group_one) < 0.5 * sum(pairs) / len(pairs), "a group is not drawn as a cluster"

    # Labels at rest: some, for the most linked actors, and no two boxes overlap on screen.
    boxes = page.evaluate(
        """() => window.kollektifNetwork.nodes('.labelled').map(n =>
            n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true}))"""
    )
    assert 5 <= len(boxes) <= 120
    assert all(box["w"] > 10 and box["h"] >= 10 for box in boxes)  # readable on screen, not shrunk to dots
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlaps(a, b), (a, b)
    # Zooming in places labels again (more room, more names), still without overlap.
    page.locator("#reseau-graphe").focus()
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.wait_for_timeout(600)
    zoomed = page.evaluate(
        """() => window.kollektifNetwork.nodes('.labelled').map(n =>
            n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true}))"""
    )
    assert zoomed
    for i, a in enumerate(zoomed):
        for b in zoomed[i + 1 :]:
            assert not _overlaps(a, b), (a, b)
    page.get_by_role("button", name="Tout voir").click()
    page.wait_for_timeout(600)

    # The keyboard still walks the actors (N) and shows the card.
    page.locator("#reseau-graphe").focus()
    page.keyboard.press("n")
    assert page.locator("#reseau-fiche a").count() == 1

    # The legend says each link type in words.
    legend = page.locator(".network-legend").inner_text()
    for label in LinkKind.labels:
        assert str(label) in legend

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reseau-700-1280.png"), full_page=False)
    page.locator(".network").screenshot(path=str(SHOTS / "reseau-700-1280-graphe.png"))

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger l’image (SVG)").click()
    download = download_info.value
    assert download.suggested_filename == "reseau-kollektif.svg"
    svg = Path(download.path()).read_text()
    assert svg.startswith("<svg")
    assert svg.count('<circle class="acteur"') > 100
    assert "<line" in svg
    for label in LinkKind.labels:
        assert str(label) in svg.replace("&#x27;", "'").replace("&#39;", "'")
    (SHOTS / "reseau-export.svg").write_text(svg)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger l’image (PNG)").click()
    png = Path(download_info.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert download_info.value.suggested_filename == "reseau-kollektif.png"
    (SHOTS / "reseau-export.png").write_bytes(png)


def test_large_network_on_a_phone(phone_page, big_network):
    _wait_for_graph(phone_page)
    assert phone_page.locator("#reseau-graphe").get_attribute("data-layout") == "force"
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone_page.screenshot(path=str(SHOTS / "reseau-700-375.png"))
    phone_page.locator(".network").screenshot(path=str(SHOTS / "reseau-700-375-graphe.png"))
