"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Skipped, with the reason printed, when Chromium is not installed (the README's command on a
machine without it); `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("KOLLEKTIF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    available = os.path.exists(CHROMIUM) or shutil.which("chromium")
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
            if not available:
                item.add_marker(pytest.mark.skip(reason=f"Chromium absent ({CHROMIUM}) : tests navigateur ignorés"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def blank_page(browser):
    """A page with no server behind it, for checks on static HTML."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
