"""The directory in Chromium: filters, list and map, clusters and popups, the network, a meeting
recorded in the admin, the one-page feuille de chou, and axe-core on every public page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from annuaire import services
from annuaire.factories import ActorFactory, MeetingFactory
from annuaire.models import Label, Link, Topic
from associations.factories import DEFAULT_PASSWORD, UserFactory
from associations.models import Commune
from tests.annuaire.conftest import load_directory_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def directory(reference_data, settings):
    """25 actors around Bruay-la-Buissière (they cluster), 3 in Lens, a few links and a meeting.
    Tiles point to a closed port: the map must work without them."""
    settings.GEO_WIDGET_LEAFLET_TILE_LAYER = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    load_directory_reference_data()
    ambassador = Label.objects.get(slug="ambassadeur-ess")
    graphisme = Topic.objects.get(slug="graphisme")
    bruay, lens = Commune.objects.get(code="62178"), Commune.objects.get(code="62498")
    actors = [
        ActorFactory(
            name=f"Structure de Bruay {n:02d}",
            commune=bruay,
            labels=[ambassador] if n % 2 else [],
            latitude=Decimal("50.48") + Decimal(n) / 2000,
            longitude=Decimal("2.55") + Decimal(n) / 2000,
        )
        for n in range(25)
    ]
    lens_actors = [
        ActorFactory(
            name=name,
            commune=lens,
            can_help=[graphisme],
            latitude=Decimal("50.43"),
            longitude=Decimal("2.83") + Decimal(n) / 100,
        )
        for n, name in enumerate(["Le Coron des arts", "Brunö Atelier graphique", "La Note bleue"])
    ]
    services.link_create(source=actors[0], target=lens_actors[0], kind="collectif")
    services.link_create(source=lens_actors[1], target=lens_actors[2], kind="marrainage")
    meeting = MeetingFactory(title="Le bain chaud", participants=actors[:3])
    services.meeting_publish(meeting=meeting)
    meeting.refresh_from_db()
    return {"actors": actors, "lens": lens_actors, "meeting": meeting}


def _serious(results) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_filter_the_directory_then_switch_to_the_map(page, directory):
    page.goto("/annuaire/")
    assert page.locator("#resultats").inner_text() == "28 acteurs"
    page.select_option("#id_aide", "graphisme")
    page.get_by_role("button", name="Rechercher").click()
    assert page.locator("#resultats").inner_text() == "3 acteurs"
    page.get_by_role("link", name="Carte").click()
    page.wait_for_selector("#carte[data-ready='1']")
    assert "aide=graphisme" in page.url and "vue=carte" in page.url
    assert page.locator("#carte").get_attribute("data-markers") == "3"
    assert page.locator("#carte-statut").inner_text() == "3 acteurs localisés sur la carte."
    # the list under the map follows the same filters
    assert page.locator(".card__title").count() == 3
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()


def test_clusters_and_a_marker_popup_without_tiles(page, directory):
    page.goto("/annuaire/?vue=carte")
    page.wait_for_selector("#carte[data-ready='1']")
    assert page.locator("#carte").get_attribute("data-markers") == "28"
    clusters = page.locator(".marker-cluster")
    assert clusters.count() >= 1
    total = sum(int(text) for text in clusters.all_inner_texts())
    assert total + page.locator(".leaflet-marker-icon:not(.marker-cluster)").count() == 28
    for _attempt in range(6):  # a click on a cluster zooms in (or spreads it at the last zoom)
        single = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
        if single.count():
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(600)
    marker = page.locator(".leaflet-marker-icon:not(.marker-cluster)").first
    name = marker.get_attribute("title")
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert name in popup.inner_text()
    assert popup.get_by_role("link", name=name).get_attribute("href").startswith("/annuaire/")


def test_network_page_draws_the_nodes(page, directory):
    page.goto("/reseau/")
    page.wait_for_selector("#reseau-graphe[data-ready='1']")
    assert page.locator("#reseau-graphe").get_attribute("data-nodes") == "28"
    assert page.locator("#reseau-graphe").get_attribute("data-edges") == str(Link.objects.count())
    assert page.locator("#reseau-graphe canvas").count() >= 1
    assert page.locator("#reseau-statut").inner_text() == f"28 acteurs et {Link.objects.count()} liens."
    # keyboard: focus the graph, N selects the first actor and shows its card with a link
    page.locator("#reseau-graphe").focus()
    page.keyboard.press("n")
    assert page.locator("#reseau-fiche a").count() == 1
    # the list alternative
    assert page.locator(".link-table tbody tr").count() == Link.objects.count()


def test_record_a_meeting_with_four_participants_in_the_admin(page, directory):
    from django.contrib.auth.models import Group

    animator = UserFactory(email="animatrice@reseau.exemple.org")
    animator.groups.add(Group.objects.get(name="Animateurs"))
    four = directory["lens"] + [directory["actors"][10]]
    page.goto("/comptes/login/?next=/admin/")
    page.fill("input[name=login]", animator.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    before = page.request.get("/reseau/graphe.json").json()
    page.goto("/admin/snippets/annuaire/meeting/add/")
    page.select_option("select[name=kind]", "paroles-de-comptoir")
    page.fill("input[name=title]", "Paroles de comptoir à Lens")
    page.fill("input[name=slug]", "paroles-de-comptoir-a-lens")
    page.fill("input[name=starts_at]", "2026-03-12 18:30")
    page.keyboard.press("Escape")
    page.select_option("select[name=commune]", "62498")
    page.select_option("select[name=participants]", [str(actor.pk) for actor in four])
    page.get_by_role("tab", name="Feuille de chou").click()
    page.fill("textarea[name=summary]", "Quatre structures ont parlé de mutualiser un local à Lens.")
    page.fill("textarea[name=leads]", "Visiter le local\nPartager un agenda")
    page.get_by_role("tab", name="Publication").click()
    page.select_option("select[name=status]", "publiee")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_url("**/admin/snippets/annuaire/meeting/")
    after = page.request.get("/reseau/graphe.json").json()
    new_edges = [edge for edge in after["edges"] if edge["id"] not in {e["id"] for e in before["edges"]}]
    assert len(new_edges) == 6
    assert {edge["kind"] for edge in new_edges} == {"rencontre"}
    ids = {actor.pk for actor in four}
    assert all(edge["source"] in ids and edge["target"] in ids for edge in new_edges)


def test_feuille_de_chou_prints_on_one_a4_page(page, directory):
    meeting = directory["meeting"]
    meeting.refresh_from_db()
    meeting.summary = "\n\n".join(
        "Chacun a présenté son activité, ses besoins du moment et ce qu'il pourrait apporter aux autres. " * 4
        for _ in range(6)
    )
    meeting.leads = "\n".join(f"Piste numéro {n} : se revoir pour avancer ensemble" for n in range(8))
    meeting.contacts = "\n".join(f"Structure {n} — via l'annuaire Kollektif" for n in range(8))
    meeting.save()
    page.goto(f"/rencontres/{meeting.slug}/imprimer/")
    assert page.locator(".sheet__qr svg").count() == 1
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


@pytest.mark.parametrize("path", ["directory", "map", "actor", "network", "agenda", "meeting", "propose"])
def test_directory_pages_have_no_serious_accessibility_violation(page, directory, path):
    urls = {
        "directory": "/annuaire/?q=Structure",
        "map": "/annuaire/?vue=carte",
        "actor": directory["actors"][0].get_absolute_url(),
        "network": "/reseau/",
        "agenda": "/rencontres/",
        "meeting": directory["meeting"].get_absolute_url(),
        "propose": "/annuaire/proposer/",
    }
    page.goto(urls[path])
    if path == "map":
        page.wait_for_selector("#carte[data-ready='1']")
    if path in ("network", "actor"):
        page.wait_for_selector("#reseau-graphe[data-ready='1']")
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []


def test_directory_map_network_and_meetings_are_readable_on_a_phone(phone_page, directory):
    phone_page.goto("/annuaire/?vue=carte")
    phone_page.wait_for_selector("#carte[data-ready='1']")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    for url in ("/reseau/", directory["actors"][0].get_absolute_url(), directory["meeting"].get_absolute_url()):
        phone_page.goto(url)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375, url
