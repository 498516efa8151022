"""Parameters an editor or a treasurer can send by hand: a 400 with a French message, never a 500.

Each case answered 500 before (found by a probe of the admin as an editor of the demo association).
"""

from __future__ import annotations

import pytest
from django.test import Client

from associations.factories import UserFactory
from campagnes.models import Payment

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    return user


def _refused(response, *words: str) -> str:
    body = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert response.status_code == 400, (response.status_code, body[:500])
    assert "Requête refusée" in body
    for word in words:
        assert word in body, (word, body[:500])
    return body


ODD_INTEGERS = ["²", "1" * 23, "٣", "-1", "0x1"]
RECEIPT_PAGES = [
    ("get", "/admin/recus/declaration/", "annee"),
    ("get", "/admin/recus/zip/", "annee"),
    ("get", "/admin/recus/don-recu/", None),
    ("get", "/admin/recus/import/", None),
    ("post", "/admin/recus/recus-annuels/", "annee"),
]


@pytest.mark.parametrize(("method", "path", "year_name"), RECEIPT_PAGES)
@pytest.mark.parametrize("value", ODD_INTEGERS)
def test_receipts_pages_refuse_odd_integers(association_a, treasurer_a, method, path, year_name, value):
    client = _client(treasurer_a)
    send = client.get if method == "get" else client.post
    for name in ("association", year_name):
        if name:
            _refused(send(path, {"association": association_a.pk, name: value}), f"« {name} »", "nombre entier")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("value", ODD_INTEGERS)
def test_check_in_refuses_odd_event_ids(treasurer_a, value):
    # Check-in is the treasurers' (the money split): an editor is turned away before any parameter.
    _refused(_client(treasurer_a).get("/admin/billets/controle/", {"evenement": value}), "« evenement »")


def test_good_integers_still_work(association_a, treasurer_a):
    client = _client(treasurer_a)
    response = client.get("/admin/recus/declaration/", {"association": association_a.pk, "annee": "2025"})
    assert response.status_code == 200 and "2025" in response.content.decode()
    assert client.get("/admin/billets/controle/", {"evenement": ""}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"search": " "},
        {"search": "a\x00b"},
        {"offset": "9" * 30},
        {"offset": "-1"},
        {"limit": "²"},
        {"search": "0", "search_operator": "0"},
    ],
)
def test_the_admin_api_refuses_or_reads_odd_parameters(editor_a, params):
    response = _client(editor_a).get("/admin/api/main/pages/", params)
    assert response.status_code in (200, 400), response.status_code
    if "search" not in params or "\x00" in params["search"]:
        _refused(response)


def test_a_blank_api_search_lists_pages(editor_a):
    response = _client(editor_a).get("/admin/api/main/pages/", {"search": "   "})
    assert response.status_code == 200 and "items" in response.json()


@pytest.mark.parametrize("query", ['"', 'a"b', "AND OR", "*", "NEAR(", "^x", "(", "OR", "-", "a:b"])
def test_fts_syntax_in_admin_searches_is_read_as_words(association_a, editor_a, query):
    client = _client(editor_a)
    for path in (
        f"/admin/pages/{association_a.home_page.pk}/",
        "/admin/pages/search/",
        "/admin/choose-page/search/",
        "/admin/images/",
        "/admin/documents/",
    ):
        response = client.get(path, {"q": query})
        assert response.status_code == 200, (path, query, response.status_code)
    response = client.get("/admin/api/main/pages/", {"search": query})
    assert response.status_code in (200, 400), (query, response.status_code)


def _news_post(association):
    from associations.models.pages import NewsPostPage

    index = association.home_page.get_children().get(slug="actualites")
    post = NewsPostPage(title="Atelier du mercredi", introduction="Venez coudre")
    index.add_child(instance=post)
    return post


@pytest.mark.parametrize("parent", [None, "", "x", "²", "9" * 25, "999999"])
def test_the_copy_view_refuses_a_missing_or_odd_parent(association_a, editor_a, parent):
    post = _news_post(association_a)
    data = {"new_title": "Copie", "new_slug": "copie"}
    if parent is not None:
        data["new_parent_page"] = parent
    _refused(_client(editor_a).post(f"/admin/pages/{post.pk}/copy/", data), "page sous laquelle placer la copie")
    assert not post.get_parent().get_children().filter(slug="copie").exists()


@pytest.mark.parametrize("data", [{}, {"link_text": "x"}, {"external-link-chooser-link_text": "x"}])
def test_the_external_link_chooser_refuses_an_incomplete_form(editor_a, data):
    _refused(_client(editor_a).post("/admin/choose-external-link/", data), "Formulaire incomplet")


def test_the_external_link_chooser_still_works(editor_a):
    response = _client(editor_a).post(
        "/admin/choose-external-link/",
        {"external-link-chooser-url": "https://exemple.org/", "external-link-chooser-link_text": "Exemple"},
    )
    assert response.status_code == 200 and response.json()["step"] == "external_link_chosen"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x85"])
def test_control_characters_in_admin_input_are_refused(association_a, editor_a, char):
    post = _news_post(association_a)
    response = _client(editor_a).get("/admin/pages/search/", {"q": f"a{char}b"})
    _refused(response, "caractère de contrôle")
    response = _client(editor_a).post(f"/admin/pages/{post.pk}/edit/", {"title": f"Atelier{char}", "slug": post.slug})
    _refused(response, "caractère de contrôle")
    post.refresh_from_db()
    assert post.title == "Atelier du mercredi"


def test_the_image_chooser_searches_when_given_a_search_and_a_tag(editor_a, image_a):
    response = _client(editor_a).get("/admin/images/chooser/results/", {"q": "Photo", "tag": "couture"})
    assert response.status_code == 200 and "Photo de A" in response.content.decode()
