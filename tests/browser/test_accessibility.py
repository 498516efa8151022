"""Every public page type passes axe-core with no serious or critical violation (RGAA / WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from associations.models import NewsPostPage
from site_kollektif.models import ContentPage

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
