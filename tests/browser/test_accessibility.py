"""Every public page type passes axe-core with no serious or critical violation (RGAA / WCAG 2.1 AA)."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from associations.models import NewsPostPage
from site_kollektif.models import ContentPage
from tests.browser.test_annuaire import directory  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def site(association_a, association_b, image_a):
    home = association_a.home_page.specific
    home.cover_image = image_a
    home.body = [
        {"type": "paragraph", "value": "<h2>Qui sommes-nous ?</h2><p>Des ateliers de couture.</p>"},
        {"type": "quote", "value": {"text": "Réparer plutôt que jeter", "attribution": "Popeline"}},
        {
            "type": "video",
            "value": {"video": "https://www.youtube.com/watch?v=aqz-KE-bpKQ", "title": "Notre atelier", "caption": ""},
        },
        {"type": "call_to_action", "value": {"label": "Nous soutenir", "page": None, "url": "https://exemple.org/"}},
    ]
    home.save_revision().publish()
    news = home.get_children().get(slug="actualites").specific
    post = NewsPostPage(
        title="Atelier du mercredi",
        introduction="Venez coudre",
        image=image_a,
        body=[{"type": "paragraph", "value": "<p>Texte</p>"}],
    )
    news.add_child(instance=post)
    post.tags.add("couture")
    post.save()
    projects = home.get_children().get(slug="nos-projets").specific
    projects.body = [
        {
            "type": "project",
            "value": {
                "title": "Ressourcerie",
                "status": "en-cours",
                "image": None,
                "description": "<p>Un lieu de réemploi.</p>",
                "link": "",
            },
        }
    ]
    projects.save_revision().publish()
    legal = ContentPage.objects.get(slug="mentions-legales")  # created by a migration, with the law's part
    legal.body = [{"type": "paragraph", "value": "<p>Éditeur</p>"}]
    legal.save_revision().publish()
    return {"post": post.url}


PUBLIC_PATHS = [
    "/",
    "/mentions-legales/",
    "/association/",
    "/association/?q=pope",
    "/association/popeline/",
    "/association/popeline/actualites/",
    "/association/popeline/nous-aider/",
    "/association/popeline/nos-projets/",
    "/comptes/login/",
    "/comptes/signup/",
    "/association/nexiste-pas/",
]


def _serious(results) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_page_has_no_serious_accessibility_violation(page, site, path):
    page.goto(path)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert _serious(results) == []


def test_news_post_and_phone_layout(phone_page, site):
    phone_page.goto(site["post"])
    assert _serious(Axe().run(phone_page, options=AXE_OPTIONS)) == []
    # readable on a phone: nothing wider than the screen
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


def test_signup_form_with_errors_is_accessible(page, site, editor_a):
    from associations.factories import DEFAULT_PASSWORD

    page.goto("/comptes/login/?next=/espace/creer-mon-site/")
    page.fill("input[name=login]", editor_a.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/espace/creer-mon-site/")
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []
    page.fill("input[name=name]", "Asso test")
    page.fill("input[name=rna]", "W12")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "W suivi de 9 chiffres" in page.content()
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []


def test_axe_does_report_a_broken_page(blank_page):
    """Guards the guard: a page with an unlabelled field and an image without alt must fail."""
    blank_page.set_content(
        '<html lang="fr"><body><main><h1>T</h1><img src="x.png"><input type="text"></main></body></html>'
    )
    problems = _serious(Axe().run(blank_page, options=AXE_OPTIONS))
    assert any(problem.startswith("image-alt") for problem in problems)
    assert any(problem.startswith("label") for problem in problems)


# ---------------------------------------------------------------------------------------------
# Issue #17: every public page at 320, 375 and 1280 px, WCAG 2.1 A/AA *and* axe's best
# practices, with no violation at all, and every "needs review" (incomplete) result either
# absent or explained below: an auditor reads this list, not a silence.
# ---------------------------------------------------------------------------------------------

SHOTS = os.environ.get("KOLLEKTIF_SHOTS", "")
AXE_ALL = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
WIDTHS = [320, 375, 1280]

# rule id -> [(a fragment of the element's axe target, why it is not a defect)]. Each was looked
# at by hand in Chromium; where a figure can be measured, a test of its own measures it.
_MAP_CLIPPED = (
    "on the map view only: axe's grid counts the map's layers that lie outside the visible map "
    "(markers and outlines clipped by the map's overflow: hidden) as covering the text above and "
    "below it; the same heading and status pass axe's contrast check on the list view"
)
_SYMBOL = (
    "a symbol (−) inside a button named in words (Zoom arrière, Dézoomer): axe does not rate "
    "non-text characters; the button's contrast is computed in test_visual_accessibility and "
    "Leaflet's zoom buttons are black on white"
)
NEEDS_REVIEW_EXPLAINED: dict[str, list[tuple[str, str]]] = {
    "color-contrast": [
        ("#resultats", _MAP_CLIPPED),
        ("#carte-statut", _MAP_CLIPPED),
        (".map-legend__title", _MAP_CLIPPED),
        (".leaflet-control-zoom-out", _SYMBOL),
        ('button[data-action="zoom-out"]', _SYMBOL),
        (
            ".marker-cluster",
            "a cluster's number (1 to 3 digits, hidden from screen readers, which hear "
            '"13 acteurs, zoomer pour les voir"): too short for axe to rate; it is #1a1a1a on an '
            "opaque white disc, 17:1, computed in test_keyboard_journeys",
        ),
        (
            'span[aria-hidden="true"]',
            "the same cluster number's own span, caught while the clusters are redrawn after the "
            "first fitBounds: its disc is under an animating marker for a moment (17:1 once drawn)",
        ),
        (
            ".leaflet-control-attribution",
            "the map's credit box sits over the map by design (the tiles' licence asks for it); "
            "its background is opaque white, so the text over it is #1a1a1a on #fff",
        ),
        (
            'a[href$="leafletjs.com"]',
            "the credit's first link (Leaflet), underlined, #0b4f8a on the credit's opaque white "
            "box (8.4:1): axe sees the map's tiles under the box and stops there",
        ),
    ],
}


def _unexplained(results) -> list[str]:
    problems = []
    for item in results.response["incomplete"]:
        explained = NEEDS_REVIEW_EXPLAINED.get(item["id"], [])
        for node in item["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            if not any(fragment in target for fragment, _reason in explained):
                problems.append(f"{item['id']}: {target} — {node.get('failureSummary') or item['help']}")
    return problems


def _all_violations(results) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(str(part) for part in node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
    ]


@pytest.fixture
def every_public_page(site, directory, donation_for_axe):  # noqa: F811
    """Paths of every public page type: the platform, an association's site, a campaign, the
    directory (list, map, actor), the network, the meetings, the forms with their errors."""
    return [
        *PUBLIC_PATHS,
        donation_for_axe.url,
        "/annuaire/",
        "/annuaire/?vue=carte",
        directory["actors"][0].get_absolute_url(),
        "/annuaire/proposer/",
        "/reseau/",
        "/rencontres/",
        directory["meeting"].get_absolute_url(),
        f"/rencontres/{directory['meeting'].slug}/imprimer/",
        "/mes-recus/",
    ]


@pytest.fixture
def donation_for_axe(association_a, stripe_settings):
    from campagnes.models import DonationCampaignPage

    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(
        title="Une machine à coudre", slug="machine", goal="1500", suggested_amounts="10, 20, 50"
    )
    support.add_child(instance=campaign)
    return campaign


def _settle(page) -> None:
    """Waits for what the page draws with JavaScript (the map, the graph)."""
    if page.locator("#carte").count():
        page.wait_for_selector("#carte[data-ready='1']")
        # fitBounds and the clusters animate after "ready": axe would catch them mid-way, overlapping
        # the text around the map (a loaded machine makes it likelier).
        for _poll in range(40):  # (wait_for_function evaluates a string: the CSP forbids it)
            if not page.evaluate("document.querySelector('#carte .leaflet-zoom-anim, #carte .leaflet-cluster-anim')"):
                break
            page.wait_for_timeout(100)
        page.wait_for_timeout(500)
    if page.locator("#reseau-graphe").count():
        page.wait_for_selector("#reseau-graphe[data-ready='1']")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_passes_axe_with_best_practices(browser, live_server, every_public_page, width):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30000)
    violations, unexplained, overflow = [], [], []
    try:
        for path in every_public_page:
            page.goto(path)
            _settle(page)
            results = Axe().run(page, options=AXE_ALL)
            violations += [f"{path}: {problem}" for problem in _all_violations(results)]
            unexplained += [f"{path}: {problem}" for problem in _unexplained(results)]
            if page.evaluate("document.documentElement.scrollWidth") > width:
                overflow.append(path)
            if SHOTS:  # to look at: KOLLEKTIF_SHOTS=/tmp/a11y
                name = path.strip("/").replace("/", "_").replace("?", "_") or "accueil"
                page.screenshot(path=f"{SHOTS}-{width}-{name}.png", full_page=True)
    finally:
        context.close()
    figures = f"{len(every_public_page)} pages, {len(violations)} violations, {len(unexplained)} unexplained"
    print(f"\nAXE {width}px: {figures}")  # noqa: T201 (figures for the closing note, shown with -s)
    for line in violations + unexplained:
        print("  ", line)  # noqa: T201 (figures for the closing note, shown with -s)
    assert violations == []
    assert unexplained == []
    assert overflow == []
