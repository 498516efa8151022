"""Walk the admin as an editor, a treasurer and an editor-treasurer would: every menu item and
every link on the pages reached (bounded), plus the main form actions. Nothing may answer 404,
403 or 500, redirect to the dashboard with "permission denied", or show an English error page.

Figures (pages and actions per role) are printed with ``-s`` and kept in ``CRAWL_FIGURES``.
"""

from __future__ import annotations

import html
import io
import re
from collections import deque
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from PIL import Image

from associations.factories import NewsPostPageFactory, UserFactory
from campagnes.models import DonationCampaignPage
from tests.receipts.conftest import pay, support_page
from tests.site_kollektif.admin_forms import form_fields, page_edit_data

pytestmark = pytest.mark.django_db

MAX_DEPTH = 3
MAX_PER_PATTERN = 2  # /admin/pages/12/edit/ and /admin/pages/13/edit/ are the same view
MAX_PAGES = 400
LINK = re.compile(r"""(?:href|data-url|data-w-swap-src-value)=["'](/admin/[^"'#]*)|"url":\s*"(/admin/[^"#]*)\"""")
# Links that end the session, and endpoints only JavaScript calls (editing-session pings; bulk
# actions, which need the ids of selected rows: tests/associations/test_isolation.py covers them).
SKIP = re.compile(r"^/admin/(logout/|jsi18n/|sprite/|login/|editing-sessions/|bulk/)")
ENGLISH_ERRORS = (
    "Page not found",
    "Server Error",
    "403 Forbidden",
    "Error 404",
    "Sorry, you do not have permission",
    "Using the URLconf",
    "Traceback",
)
PERMISSION_DENIED_FR = "Désolé, vous n'avez pas la permission"
CRAWL_FIGURES: dict[str, dict[str, int]] = {}


def _pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} - {"next"})
    return re.sub(r"/\d+/", "/N/", parts.path) + "?" + "&".join(keys)


def _normalise(url: str) -> str:
    parts = urlsplit(html.unescape(url))
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "next"])
    return parts.path + (f"?{query}" if query else "")


def _problem(url: str, response) -> str | None:
    if response.status_code >= 400:
        return f"{response.status_code}"
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("text/html"):
        return None
    body = response.content.decode(errors="replace")
    if any(words in body for words in ENGLISH_ERRORS):
        return "English error page"
    if PERMISSION_DENIED_FR in body.replace("\xa0", " "):
        return "permission denied (redirect to the dashboard)"
    if "<html" in body[:500].lower() and 'lang="fr"' not in body[:1000]:
        return "page not in French"
    return None


def crawl(client: Client) -> tuple[int, list[str]]:
    """Visit the admin from the dashboard; returns (pages visited, failures)."""
    seen_urls: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque([("/admin/", 0)])
    failures: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url, depth = queue.popleft()
        if url in seen_urls or SKIP.match(url):
            continue
        seen_urls.add(url)
        pattern = _pattern(url)
        if per_pattern.get(pattern, 0) >= MAX_PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        response = client.get(url, follow=True)
        visited += 1
        if response.streaming:  # a download (FEC, CSV) read to its end, as the browser does: its cursors close
            b"".join(response.streaming_content)
        problem = _problem(url, response)
        if problem:
            failures.append(f"{url} -> {problem} {response.redirect_chain}")
            continue
        if depth >= MAX_DEPTH or not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = response.content.decode(errors="replace")
        for match in LINK.finditer(body):
            link = _normalise(match.group(1) or match.group(2).replace("\\/", "/"))
            if link not in seen_urls:
                queue.append((link, depth + 1))
    return visited, failures


def _png(name: str) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 90, 160)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def _ok(response, label: str, failures: list[str]) -> None:
    problem = _problem(label, response)
    if problem:
        failures.append(f"{label} -> {problem} {getattr(response, 'redirect_chain', '')}")


def page_actions(client: Client, association) -> tuple[int, list[str]]:
    """Save a draft, publish, unpublish and delete a news post, publish the Accueil, upload an image."""
    failures: list[str] = []
    home = association.home_page.specific
    news_index = home.get_children().get(slug="actualites").specific
    post = NewsPostPageFactory(parent=news_index, title="Vide-grenier du printemps")
    actions = 0
    for page, action in ((home, ""), (home, "action-publish"), (post, ""), (post, "action-publish")):
        edit = client.get(f"/admin/pages/{page.pk}/edit/")
        _ok(edit, f"edit {page.title}", failures)
        data = page_edit_data(edit.content.decode(), page, action=action)
        _ok(client.post(f"/admin/pages/{page.pk}/edit/", data, follow=True), f"{action or 'draft'} {page}", failures)
        actions += 1
    add = client.get(f"/admin/pages/add/associations/newspostpage/{news_index.pk}/")
    _ok(add, "add news post form", failures)
    for url, label in (
        (f"/admin/pages/{post.pk}/unpublish/", "unpublish"),
        (f"/admin/pages/{post.pk}/delete/", "delete"),
    ):
        _ok(client.get(url), f"{label} confirmation", failures)
        _ok(client.post(url, follow=True), label, failures)
        actions += 1
    upload_form = client.get("/admin/images/multiple/add/")
    _ok(upload_form, "image upload form", failures)
    add_form = client.get("/admin/images/add/")
    _ok(add_form, "image add form", failures)
    data = {k: v[0] for k, v in form_fields(add_form.content.decode(), action_contains="/images/add/").items()}
    data.update({"title": "Affiche du vide-grenier", "file": _png("affiche.png")})
    _ok(client.post("/admin/images/add/", data, follow=True), "image upload", failures)
    actions += 1
    return actions, failures


@pytest.fixture
def crawled_association(association_a):
    from associations.factories import make_eligible

    make_eligible(association_a)
    campaign = DonationCampaignPage(
        title="Une machine à coudre", slug="machine", goal="1500", min_amount="5", max_amount="2000"
    )
    support_page(association_a).add_child(instance=campaign)
    pay(campaign, amount_cents=4000)
    return association_a


ROLES = {
    "editrice": ("editors_group",),
    "tresoriere": ("treasurers_group",),
    "editrice-et-tresoriere": ("editors_group", "treasurers_group"),
    "benevole-accueil": ("door_group",),  # the door's check-in only: a small admin
}
MIN_PAGES = {"benevole-accueil": 2}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_admin_link_and_action_of_a_volunteer_answers_in_french(role, crawled_association, association_b):
    user = UserFactory(email=f"{len(role)}@popeline.fr")
    for group in ROLES[role]:
        user.groups.add(getattr(crawled_association, group))
    client = Client()
    client.force_login(user)
    pages, failures = crawl(client)
    actions = 0
    if "editors_group" in ROLES[role]:
        actions, action_failures = page_actions(client, crawled_association)
        failures += action_failures
        more_pages, more_failures = crawl(client)  # after the actions: drafts, revisions, new image
        pages += more_pages
        failures += more_failures
    CRAWL_FIGURES[role] = {"pages": pages, "actions": actions, "failures": len(failures)}
    print(f"\nadmin crawl, {role}: {pages} pages, {actions} actions, {len(failures)} failures")  # noqa: T201
    assert pages > MIN_PAGES.get(role, 20)
    assert failures == [], "\n".join(failures)
