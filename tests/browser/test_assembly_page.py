"""The treasurer's general assembly page in Chromium: readable at 375 and 1280 px, printable, accessible."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe

from associations.factories import DEFAULT_PASSWORD, UserFactory
from tests.assembly.conftest import pages_a, year_2025  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("KOLLEKTIF_SHOTS", "/tmp"))
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _serious(results) -> list[str]:
    return [
        f"{violation['id']}: {violation['help']} — " + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def _log_in(page, email: str, url: str) -> None:
    page.goto("/comptes/login/?" + urlencode({"next": url}))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/assemblee-generale/**")


def test_the_treasurer_reads_prints_and_downloads_the_year(browser, live_server, association_a, year_2025):  # noqa: F811
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(association_a.treasurers_group)
    url = f"/admin/assemblee-generale/?association={association_a.pk}&exercice={year_2025.slug}"
    for width, height in ((1280, 900), (375, 740)):
        context = browser.new_context(
            locale="fr-FR", viewport={"width": width, "height": height}, base_url=live_server.url
        )
        page = context.new_page()
        page.set_default_timeout(20000)
        _log_in(page, user.email, url)
        page.goto(url)
        page.screenshot(path=str(SHOTS / f"ag-page-{width}.png"), full_page=True)
        assert page.locator("[data-testid=assembly-title]").inner_text() == "Popeline — Exercice 2025"
        assert page.get_by_role("img", name="Argent encaissé chaque mois, Exercice 2025").is_visible()
        page.screenshot(path=str(SHOTS / f"ag-page-{width}.png"), full_page=True)
        # nothing wider than the screen: tables scroll inside their own box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert _serious(Axe().run(page, context=".kollektif-ag", options=AXE_OPTIONS)) == []
        if width == 1280:
            page.emulate_media(media="print")
            assert not page.locator(".kollektif-ag-picker").is_visible()
            assert not page.locator("#wagtail-sidebar, .sidebar").first.is_visible()
            page.screenshot(path=str(SHOTS / "ag-print-1280.png"), full_page=True)
            page.emulate_media(media="screen")
            with page.expect_download() as download:
                page.get_by_role("link", name="Télécharger le PDF").click()
            download.value.save_as(str(SHOTS / "ag-figures.pdf"))
            assert (SHOTS / "ag-figures.pdf").read_bytes()[:5] == b"%PDF-"
        context.close()
