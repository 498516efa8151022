"""The map in Chromium with the tile server blocked: the department and its EPCI are still
drawn (served by the platform), every actor has a marker (approximate ones hollow and dashed),
the legend is text, and a popup leads to the actor's page. Screenshots in /work/wt/shots/s14c/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from annuaire.factories import ActorFactory
from annuaire.models import Label, Topic
from associations.models import Commune
from tests.annuaire.conftest import load_directory_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/wt/shots/s14c")
TILE_HOST = "https://tile.openstreetmap.org"


@pytest.fixture
def located_and_not(reference_data, settings):
    settings.GEO_WIDGET_LEAFLET_TILE_LAYER = TILE_HOST + "/{z}/{x}/{y}.png"
    load_directory_reference_data()
    ambassador = Label.objects.get(slug="ambassadeur-ess")
    graphisme = Topic.objects.get(slug="graphisme")
    communes = {code: Commune.objects.get(code=code) for code in ("62178", "62498", "62041", "62160", "62193")}
    ActorFactory(
        name="Indelab",
        kind="scic",
        commune=communes["62178"],
        labels=[ambassador],
        can_help=[graphisme],
        latitude=Decimal("50.5025"),
        longitude=Decimal("2.5470"),
    )
    ActorFactory(name="Popeline", kind="association", commune=communes["62498"], latitude=None, longitude=None)
    ActorFactory(
        name="Mairie partenaire", kind="collectivite", commune=communes["62041"], latitude=None, longitude=None
    )
    ActorFactory(name="Atelier du Boulonnais", kind="scop", commune=communes["62160"], latitude=None, longitude=None)
    ActorFactory(name="Café associatif de Calais", kind="association", commune=communes["62193"])
    return communes


@pytest.mark.parametrize("width", [375, 1280])
def test_map_without_tiles_shows_outlines_markers_legend_and_popup(browser, live_server, located_and_not, width):
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": width, "height": 800 if width == 375 else 900},
        is_mobile=width == 375,
        has_touch=width == 375,
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked = []
    page.route(TILE_HOST + "/**", lambda route: (blocked.append(route.request.url), route.abort()))
    page.goto("/annuaire/?vue=carte")
    page.wait_for_selector("#carte[data-ready='1']")
    page.wait_for_selector("#carte[data-outlines-ready='1']")
    assert blocked, "the page asked for tiles and they were refused"
    # The department and its 20 EPCI are drawn as SVG paths under the markers.
    assert page.locator("#carte path.map-outline--epci").count() == 20
    assert page.locator("#carte path.map-outline--departement").count() == 1
    assert page.locator("#carte").get_attribute("data-markers") == "5"
    page.wait_for_timeout(500)
    markers = page.locator(".leaflet-marker-icon.map-marker")
    clusters = page.locator(".marker-cluster")
    total = markers.count() + sum(int(text) for text in clusters.all_inner_texts())
    assert total == 5
    assert page.locator(".leaflet-marker-icon.map-marker--approximate").count() >= 1
    legend = page.locator("#carte-legende")
    assert "Ambassadeur de l'ESS" in legend.inner_text() and "position approximative" in legend.inner_text()
    page.locator("#carte").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"carte-sans-tuiles-{width}.png"), full_page=False)
    # An approximate marker's popup says so and links to the page (zoom on Lens: no cluster).
    page.evaluate("window.kollektifMap.map.setView([50.43, 2.83], 13, {animate: false})")
    page.wait_for_timeout(500)
    page.locator(".leaflet-marker-icon[title='Popeline']").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Position approximative (centre de la commune)" in popup.inner_text()
    assert "Association · Lens" in popup.inner_text()
    link = popup.get_by_role("link", name="Voir la fiche : Popeline")
    assert link.get_attribute("href") == "/annuaire/popeline/"
    page.screenshot(path=str(SHOTS / f"carte-popup-{width}.png"), full_page=False)
    link.click()
    page.wait_for_url("**/annuaire/popeline/")
    assert "Popeline" in page.locator("h1").inner_text()
    context.close()
