"""What a low-vision or phone user sees, measured in Chromium (issue #17): the contrast of the
buttons computed from getComputedStyle (axe only says "needs review" on them), tables that become
cards on a 320 px screen with text spacing overridden, the word-mark on one line."""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from tests.browser.test_annuaire import directory  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# WCAG 1.4.3 text contrast and 1.4.11 non-text contrast, from the colours the browser computed:
# the text's colour over the first opaque background behind it, and the button's border over
# the background around the button.
CONTRAST_JS = """
(el) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const backgroundOf = (node) => { for (let n = node; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c.a > 0.99) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const style = getComputedStyle(el);
  const own = backgroundOf(el);
  const around = backgroundOf(el.parentElement);
  const border = parse(style.borderTopColor);
  return {
    text: ratio(parse(style.color), own),
    border: style.borderTopStyle === 'none' || parseFloat(style.borderTopWidth) === 0 ? 0 : ratio(border, around),
    shape: ratio(own, around),
  };
}
"""

# WCAG 1.4.12: the spacing a user's style sheet may impose, without loss of content.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def _contrast(page, locator) -> dict:
    return locator.evaluate(CONTRAST_JS)


def _visible_as_a_button(contrast: dict) -> bool:
    """Text at 4.5:1, and its shape (border or fill) at 3:1 against what surrounds it."""
    return contrast["text"] >= 4.5 and max(contrast["border"], contrast["shape"]) >= 3


@pytest.mark.parametrize("width", [320, 1280])
def test_directory_and_network_buttons_can_be_seen(browser, live_server, directory, width):  # noqa: F811
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/annuaire/")
        network = page.get_by_role("link", name="Voir le réseau")
        contrast = _contrast(page, network)
        print(f"\nCONTRAST {width}px Voir le réseau: {contrast}")  # noqa: T201 (figures for the closing note, shown with -s)
        assert _visible_as_a_button(contrast), contrast
        page.goto("/reseau/")
        for name in ("Zoomer", "Dézoomer", "Tout voir", "Télécharger l’image (SVG)", "Télécharger l’image (PNG)"):
            contrast = _contrast(page, page.get_by_role("button", name=name, exact=True))
            print(f"CONTRAST {width}px {name}: {contrast}")  # noqa: T201 (figures for the closing note, shown with -s)
            assert _visible_as_a_button(contrast), (name, contrast)
    finally:
        context.close()


def test_the_guard_sees_white_on_white(blank_page):
    """The measure itself: a white button on a white page is caught."""
    blank_page.set_content(
        '<html lang="fr"><body style="background:#fff"><p><a id="b" style="color:#fff;border:2px solid #fff">Voir</a></p></body></html>'
    )
    contrast = _contrast(blank_page, blank_page.locator("#b"))
    assert contrast["text"] == pytest.approx(1) and not _visible_as_a_button(contrast)


def _cells_fit(page, selector: str, width: int) -> list[str]:
    """Cells cut by the screen's edge or hidden in a scrolled box (what the user would miss)."""
    return page.evaluate(
        """([selector, width]) => Array.from(document.querySelectorAll(selector + ' td')).filter((td) => {
            const box = td.getBoundingClientRect();
            return box.width > 0 && (box.left < 0 || box.right > width + 0.5);
        }).map((td) => td.dataset.label + ': ' + td.textContent.trim())""",
        [selector, width],
    )


@pytest.fixture
def receipts_page(live_server):
    """ "Mes reçus" as the donor sees it (its access is by an e-mailed link, tested in
    test_my_receipts_journey): the real template, rendered with three receipts."""
    receipts = [
        SimpleNamespace(
            issued_at=timezone.make_aware(datetime(2026, 3, day)),
            association=SimpleNamespace(name="Les Ateliers de couture de Bruay-la-Buissière"),
            get_kind_display="Reçu fiscal",
            number=f"2026-{day:05d}",
            summary_year=None,
            is_cancelled=day == 3,
            amount_cents=123456,
            uuid=uuid4(),
        )
        for day in (1, 2, 3)
    ]
    html = render_to_string(
        "campagnes/my_receipts_list.html",
        {"receipts": receipts, "email": "lea.dupont-de-la-riviere@exemple.org", "monthly_gifts": [], "erased": None},
    )
    return live_server.url + "/_recus-rendus/", html


@pytest.mark.parametrize("width", [320, 375])
def test_tables_become_cards_on_a_phone_with_text_spacing(browser, live_server, directory, receipts_page, width):  # noqa: F811
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    url, html = receipts_page
    page.route(url, lambda route: route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8"))
    try:
        page.goto(url)
        page.add_style_tag(content=TEXT_SPACING)
        assert _cells_fit(page, ".table--stack", width) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # each cell says which column it is, the headers stay for screen readers
        row = page.locator(".table--stack tbody tr").first
        labels = row.locator("td").evaluate_all("(tds) => tds.map((td) => getComputedStyle(td, '::before').content)")
        assert labels == ['"Date"', '"Association"', '"Document"', '"Montant"', '"Télécharger"']
        assert page.get_by_role("columnheader", name="Montant").count() == 1
        assert page.get_by_role("cell", name=re.compile("1 234,56")).count() == 3
        if width == 320:
            page.screenshot(path="/tmp/a11y-recus-320.png", full_page=True)

        page.goto("/reseau/")
        page.wait_for_selector("#reseau-graphe[data-ready='1']")
        page.add_style_tag(content=TEXT_SPACING)
        assert _cells_fit(page, ".link-table", width) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        wrapper = page.locator(".link-table").locator("xpath=..")
        assert wrapper.evaluate("(el) => el.scrollWidth <= el.clientWidth")  # nothing hidden sideways
        if width == 320:
            page.screenshot(path="/tmp/a11y-reseau-320.png", full_page=True)
    finally:
        context.close()


def test_the_word_mark_stays_on_one_line_and_the_search_field_has_one_type(page, directory):  # noqa: F811
    page.goto("/annuaire/")
    brand = page.locator(".brand__name--platform")
    height = brand.evaluate("(el) => el.getBoundingClientRect().height")
    line = brand.evaluate("(el) => parseFloat(getComputedStyle(el).lineHeight)")
    assert height < line * 1.5, "Kollektif on one line"
    source = page.request.get("/annuaire/").text()
    search = re.search(r"<input[^>]*name=\"q\"[^>]*>", source).group(0)
    assert search.count("type=") == 1 and 'type="search"' in search
