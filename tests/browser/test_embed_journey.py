"""A donor gives on the association's other site, inside the embedded campaign (issue #15, item 4).

The host page is served by a second server on another origin and another site (127.0.0.1,
while Kollektif's live server is on localhost): the frame is cross-site, so the browser sends it
none of Kollektif's SameSite=Lax cookies, as on a real association's WordPress.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from campagnes import embed
from campagnes.models import CampaignPage, Payment, PaymentStatus
from tests.browser.test_donation_journey import campaign  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

HOST_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Le blog de Popeline</title>
<style>body{{font-family:Georgia,serif;margin:0;background:#faf6ef;color:#222}}
header{{background:#5b2a86;color:#fff;padding:1rem}}main{{padding:1rem;max-width:900px;margin:0 auto}}</style>
</head>
<body>
<header><strong>Popeline — le blog de l'atelier</strong></header>
<main>
<h1>Aidez-nous à acheter une machine à coudre</h1>
<p>Chaque don compte : merci !</p>
{snippet}
<p>Bas de page du blog.</p>
</main>
</body>
</html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the standard library's name)
        pass


@pytest.fixture
def host_site(tmp_path):
    """A static site on http://127.0.0.1:<port>, another origin and site than the live server."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def embedded(campaign, host_site, association_a, live_server, settings):  # noqa: F811
    settings.WAGTAILADMIN_BASE_URL = live_server.url  # the snippet names the platform's address
    directory, origin = host_site
    association_a.embed_origins = origin
    association_a.save(update_fields=["embed_origins"])
    (directory / "index.html").write_text(HOST_PAGE.format(snippet=embed.iframe_snippet(campaign)), encoding="utf-8")
    return origin + "/index.html"


def _phone(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def _frame_height(page) -> float:
    return page.locator("iframe[data-kollektif-campagne]").bounding_box()["height"]


def test_a_donor_gives_inside_the_frame_on_the_associations_blog_on_a_phone(browser, embedded, association_a):
    context, page = _phone(browser)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(embedded)
        frame = page.frame_locator("iframe[data-kollektif-campagne]")
        frame.get_by_role("heading", name="Une machine à coudre").wait_for()
        # the resizing script sized the frame to the form (the snippet says 900 px)
        page.wait_for_function("document.querySelector('iframe[data-kollektif-campagne]').style.height !== '900px'")
        assert _frame_height(page) > 1200  # the whole form, no scrollbar inside the frame
        # viewport shots: Chromium paints a cross-site frame's content only where the viewport is
        page.screenshot(path="/tmp/emb-host-375.png")
        frame.get_by_label("20 €").check()
        for name, value in [
            ("first_name", "Léa"),
            ("last_name", "Dupont"),
            ("email", "lea@exemple.org"),
            ("street_address", "3 rue des Lilas"),
            ("postal_code", "62400"),
            ("city", "Béthune"),
        ]:
            frame.locator(f"input[name={name}]").fill(value)
        frame.locator("input[name=consent]").check()
        page.screenshot(path="/tmp/emb-form-end-375.png")
        frame.get_by_role("button", name="Continuer vers le paiement").click()
        frame.locator("#card-element input[placeholder=number]").fill("4242424242424242")
        frame.locator("#card-element input[placeholder=exp_month]").fill("12")
        frame.locator("#card-element input[placeholder=exp_year]").fill("34")
        frame.locator("#card-element input[placeholder=cvc]").fill("123")
        frame.locator("#card-element input[placeholder=postal_code]").fill("62400")
        page.screenshot(path="/tmp/emb-card-375.png")
        frame.get_by_role("button", name="Payer").click()
        frame.get_by_role("heading", name="Merci !").wait_for()
        text = frame.locator("main").inner_text().replace("\xa0", " ")
        assert "Votre paiement de 20,00 € à Popeline est confirmé." in text
        link = frame.get_by_role("link", name="Découvrir le site de Popeline")
        assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
        assert page.url == embedded  # the donor never left the blog
        page.wait_for_function(
            "document.querySelector('iframe[data-kollektif-campagne]').getBoundingClientRect().height < 900"
        )  # the shorter thank-you page: the frame shrank with it
        page.screenshot(path="/tmp/emb-thanks-375.png")
        payment = Payment.objects.get()
        assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 2000
        assert payment.first_name == "Léa"
        assert violations == []
        assert context.cookies([embedded.rsplit("/", 1)[0], association_a.home_page.full_url]) == []
    finally:
        context.close()


def test_3d_secure_inside_the_frame(browser, embedded):
    """The bank's confirmation (localstripe's 3-D Secure dialog, twice: card set-up, then charge)
    runs inside the frame, and the verification step posts there without any cookie."""
    context, page = _phone(browser)
    try:
        page.goto(embedded)
        frame = page.frame_locator("iframe[data-kollektif-campagne]")
        frame.get_by_label("Autre montant", exact=True).check()
        for name, value in [
            ("amount", "30"),
            ("first_name", "Karim"),
            ("last_name", "Benali"),
            ("email", "karim@exemple.org"),
            ("street_address", "5 rue Pasteur"),
            ("postal_code", "62300"),
            ("city", "Lens"),
        ]:
            frame.locator(f"input[name={name}]").fill(value)
        frame.locator("input[name=consent]").check()
        frame.get_by_role("button", name="Continuer vers le paiement").click()
        frame.locator("#card-element input[placeholder=number]").fill("4000002760003184")  # 3-D Secure
        frame.locator("#card-element input[placeholder=exp_month]").fill("12")
        frame.locator("#card-element input[placeholder=exp_year]").fill("34")
        frame.locator("#card-element input[placeholder=cvc]").fill("123")
        frame.locator("#card-element input[placeholder=postal_code]").fill("62300")
        frame.get_by_role("button", name="Payer").click()
        frame.get_by_role("button", name="Complete authentication").click()
        frame.get_by_role("button", name="Complete authentication").click()
        frame.get_by_role("heading", name="Merci !").wait_for()
        assert page.url == embedded
        assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
    finally:
        context.close()


def test_the_blog_at_desktop_width_and_a_site_not_listed(browser, embedded, association_a, campaign, live_server):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import AXE_OPTIONS, _serious

    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(live_server.url + embed.embed_path(campaign))  # the framed page itself, for axe
        assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []
        page.goto(embedded)
        frame = page.frame_locator("iframe[data-kollektif-campagne]")
        frame.get_by_role("button", name="Continuer vers le paiement").wait_for()
        page.wait_for_function("document.querySelector('iframe[data-kollektif-campagne]').style.height !== '900px'")
        page.screenshot(path="/tmp/emb-host-1280.png")
        # the association removes the blog from its list: the frame now says why, in French
        association_a.embed_origins = "https://www.popeline.fr"
        association_a.save(update_fields=["embed_origins"])
        page.reload()
        frame = page.frame_locator("iframe[data-kollektif-campagne]")
        frame.get_by_role("heading", name="Ce formulaire ne peut pas s'afficher ici").wait_for()
        assert "Popeline n'a pas autorisé ce site" in frame.locator("main").inner_text()
        assert frame.locator("form").count() == 0
        page.screenshot(path="/tmp/emb-refused-1280.png")
    finally:
        context.close()


def test_the_editor_copies_the_snippet_and_previews_the_form(browser, embedded, association_a, live_server):
    from associations.factories import DEFAULT_PASSWORD, UserFactory

    editor = UserFactory(email="editrice@popeline.exemple.org")
    editor.groups.add(association_a.editors_group)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto("/comptes/login/?next=/admin/")
        page.fill("input[name=login]", editor.email)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        campaign_page = association_a.home_page.get_descendants().type(CampaignPage).get().specific
        page.goto(f"/admin/pages/{campaign_page.pk}/edit/")
        page.get_by_role("button", name="Actions").first.click()
        page.get_by_role("link", name="Intégrer sur votre site").click()
        page.get_by_role("heading", name="Formulaire intégré", exact=True).wait_for()
        page.get_by_role("button", name="Copier le code du formulaire").click()
        page.get_by_text("Code copié : collez-le dans votre page.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == embed.iframe_snippet(campaign_page)
        # the preview: the real form, framed by the admin (same origin), sized by the same script
        preview = page.frame_locator("iframe[data-kollektif-campagne]")
        preview.get_by_role("button", name="Continuer vers le paiement").wait_for()
        page.wait_for_function("document.querySelector('iframe[data-kollektif-campagne]').style.height !== '900px'")
        page.screenshot(path="/tmp/emb-admin-1280.png", full_page=True)
    finally:
        context.close()


def test_a_resizing_script_that_arrives_after_the_frame_still_sizes_it(
    browser,
    campaign,  # noqa: F811
    host_site,
    association_a,
    live_server,
    settings,
):
    """The snippet's script is ``async`` and redirected to a hashed file: on a slow blog it may run
    after the frame has loaded and posted its height. It asks the frame again."""
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    directory, origin = host_site
    association_a.embed_origins = origin
    association_a.save(update_fields=["embed_origins"])
    frame_html, script_html = embed.iframe_snippet(campaign).split("\n")
    script_src = script_html.split('src="')[1].split('"')[0]
    late = (
        f"{frame_html}\n<script>document.querySelector('iframe').addEventListener('load', function () {{"
        f" setTimeout(function () {{ var s = document.createElement('script'); s.src = {script_src!r};"
        " document.body.appendChild(s); }, 1500); });</script>"
    )
    (directory / "late.html").write_text(HOST_PAGE.format(snippet=late), encoding="utf-8")
    context, page = _phone(browser)
    try:
        page.goto(origin + "/late.html")
        frame = page.frame_locator("iframe[data-kollektif-campagne]")
        frame.get_by_role("button", name="Continuer vers le paiement").wait_for()
        assert _frame_height(page) == embed.DEFAULT_HEIGHT  # the script is not there yet
        page.wait_for_function("window.kollektifIntegration !== undefined")
        page.wait_for_function("document.querySelector('iframe[data-kollektif-campagne]').style.height !== ''")
        assert _frame_height(page) != embed.DEFAULT_HEIGHT
        inner = frame.locator("html").evaluate("element => Math.ceil(element.getBoundingClientRect().height)")
        assert abs(_frame_height(page) - inner) <= 2  # the whole form, no inner scroll bar
    finally:
        context.close()
