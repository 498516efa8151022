"""An editor's forms only point to their own association's images, documents and pages.

Editor of A submits B's ids in every kind of reference a form carries (a page image, the
association's logo, StreamField image/document/page blocks, nested blocks, rich-text links):
400, a French message naming the field, nothing saved (no new revision). A's own ids are saved.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Revision

from associations.factories import NewsPostPageFactory
from associations.models import NewsPostPage

pytestmark = pytest.mark.django_db

FOREIGN_IMAGE = "cette image n'appartient pas à votre association"
FOREIGN_DOCUMENT = "ce document n'appartient pas à votre association"
FOREIGN_PAGE = "cette page n'est ni une page de votre site ni une page publiée de Kollektif"


def _document(title, association):
    return get_document_model().objects.create(
        title=title, file=ContentFile(b"%PDF-1.4 compte rendu", name=f"{title}.pdf"), collection=association.collection
    )


@pytest.fixture
def document_a(association_a):
    return _document("compte-rendu-a", association_a)


@pytest.fixture
def document_b(association_b):
    return _document("compte-rendu-b", association_b)


def _news_index(association):
    return association.home_page.get_children().get(slug="actualites")


@pytest.fixture
def post_a(association_a):
    post = NewsPostPageFactory(parent=_news_index(association_a), title="Fête de quartier", slug="fete")
    post.save_revision().publish()
    return NewsPostPage.objects.get(pk=post.pk)


@pytest.fixture
def draft_b(association_b):
    """A page of B that is not published: nobody outside B may point to it."""
    post = NewsPostPageFactory(parent=_news_index(association_b), title="Projet secret de B", slug="secret", live=False)
    post.save_revision()
    return post


def _rich(entity_type: str, object_id) -> str:
    """Draftail's contentstate for one paragraph holding one link."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "k1",
                    "text": "voir ici",
                    "type": "unstyled",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 8, "key": 0}],
                }
            ],
            "entityMap": {"0": {"type": entity_type, "mutability": "MUTABLE", "data": {"id": object_id, "url": "/x/"}}},
        }
    )


def _block(kind: str, fields: dict) -> dict:
    data = {"body-count": "1", "body-0-type": kind, "body-0-deleted": "", "body-0-order": "0", "body-0-id": ""}
    data.update({f"body-0-value{'-' + key if key else ''}": value for key, value in fields.items()})
    return data


def image_block(image_id) -> dict:
    return _block(
        "image", {"image-image": str(image_id), "image-alt_text": "Une photo", "image-decorative": "", "caption": ""}
    )


def gallery_block(image_id) -> dict:
    return _block(
        "gallery",
        {
            "title": "",
            "images-count": "1",
            "images-0-deleted": "",
            "images-0-order": "0",
            "images-0-id": "",
            "images-0-value-image-image": str(image_id),
            "images-0-value-image-alt_text": "Une photo",
            "images-0-value-image-decorative": "",
            "images-0-value-caption": "",
        },
    )


def document_block(document_id) -> dict:
    return _block("document", {"document": str(document_id), "label": ""})


def page_block(page_id) -> dict:
    return _block("call_to_action", {"label": "Lire", "page": str(page_id), "url": ""})


def rich_text_document_link(document_id) -> dict:
    return _block("paragraph", {"": _rich("DOCUMENT", document_id)})


def rich_text_page_link(page_id) -> dict:
    return _block("paragraph", {"": _rich("LINK", page_id)})


def _post_form(post, **overrides) -> dict:
    data = {
        "title": post.title,
        "slug": post.slug,
        "date": "01/11/2026",
        "tags": "",
        "image": "",
        "introduction": "",
        "body-count": "0",
        "action-publish": "publish",
    }
    data.update(overrides)
    return data


def _submit(client, post, **overrides):
    before = Revision.objects.count()
    response = client.post(f"/admin/pages/{post.pk}/edit/", _post_form(post, **overrides))
    return response, Revision.objects.count() - before


def _body(response) -> str:
    """The page as a person reads it: StreamField errors travel as JSON inside an attribute."""
    text = html.unescape(response.content.decode())
    return re.sub(r"\\u([0-9a-f]{4})", lambda match: chr(int(match.group(1), 16)), text)


FOREIGN_CASES = {
    "page image": (lambda b: {"image": str(b["image"].pk)}, FOREIGN_IMAGE),
    "image block": (lambda b: image_block(b["image"].pk), FOREIGN_IMAGE),
    "nested gallery image": (lambda b: gallery_block(b["image"].pk), FOREIGN_IMAGE),
    "document block": (lambda b: document_block(b["document"].pk), FOREIGN_DOCUMENT),
    "page block": (lambda b: page_block(b["draft"].pk), FOREIGN_PAGE),
    "rich-text document link": (lambda b: rich_text_document_link(b["document"].pk), FOREIGN_DOCUMENT),
    "rich-text page link": (lambda b: rich_text_page_link(b["draft"].pk), FOREIGN_PAGE),
}


@pytest.mark.parametrize("case", FOREIGN_CASES)
def test_a_reference_to_b_is_refused_on_a_page_of_a(client_a, post_a, image_b, document_b, draft_b, case):
    build, message = FOREIGN_CASES[case]
    response, new_revisions = _submit(
        client_a, post_a, **build({"image": image_b, "document": document_b, "draft": draft_b})
    )
    assert response.status_code == 400, case
    assert message in _body(response)
    assert new_revisions == 0
    live = NewsPostPage.objects.get(pk=post_a.pk)
    assert live.image_id is None and len(live.body) == 0


OWN_CASES = {
    "page image": lambda a: {"image": str(a["image"].pk)},
    "image block": lambda a: image_block(a["image"].pk),
    "nested gallery image": lambda a: gallery_block(a["image"].pk),
    "document block": lambda a: document_block(a["document"].pk),
    "page block": lambda a: page_block(a["draft"].pk),
    "rich-text document link": lambda a: rich_text_document_link(a["document"].pk),
    "rich-text page link": lambda a: rich_text_page_link(a["draft"].pk),
}


@pytest.mark.parametrize("case", OWN_CASES)
def test_a_reference_to_a_itself_is_saved(client_a, association_a, post_a, image_a, document_a, case):
    draft_a = NewsPostPageFactory(parent=_news_index(association_a), title="Brouillon", slug="brouillon", live=False)
    response, new_revisions = _submit(
        client_a, post_a, **OWN_CASES[case]({"image": image_a, "document": document_a, "draft": draft_a})
    )
    assert response.status_code == 302, _body(response)[:3000]
    assert new_revisions == 1


def test_a_published_page_of_another_association_may_be_linked(client_a, post_a, association_b):
    response, _new = _submit(client_a, post_a, **page_block(association_b.home_page_id))
    assert response.status_code == 302
    assert NewsPostPage.objects.get(pk=post_a.pk).body[0].value["page"].pk == association_b.home_page_id


@pytest.mark.parametrize("page_id", [987654, "12345678901234567890123", -1])
def test_a_page_id_that_does_not_exist_is_refused(client_a, post_a, page_id):
    response, new_revisions = _submit(client_a, post_a, **rich_text_page_link(page_id))
    assert response.status_code == 400 and FOREIGN_PAGE in _body(response)
    assert new_revisions == 0


def test_a_page_of_a_suspended_association_may_not_be_linked(client_a, post_a, association_b):
    association_b.status = "suspendue"
    association_b.save()
    response, new_revisions = _submit(client_a, post_a, **rich_text_page_link(association_b.home_page_id))
    assert response.status_code == 400 and new_revisions == 0


def test_the_rich_text_introduction_of_a_section_is_checked(client_a, association_a, draft_b):
    news = _news_index(association_a)
    response = client_a.post(
        f"/admin/pages/{news.pk}/edit/",
        {
            "title": news.title,
            "slug": news.slug,
            "introduction": _rich("LINK", draft_b.pk),
            "action-publish": "publish",
        },
    )
    assert response.status_code == 400
    assert FOREIGN_PAGE in _body(response) and "introduction" in _body(response).lower()


def test_a_new_page_is_checked_too(client_a, association_a, image_b):
    response = client_a.post(
        f"/admin/pages/add/associations/newspostpage/{_news_index(association_a).pk}/",
        {
            "title": "Nouvelle",
            "slug": "nouvelle",
            "date": "01/11/2026",
            "tags": "",
            "image": str(image_b.pk),
            "introduction": "",
            "body-count": "0",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 400 and FOREIGN_IMAGE in _body(response)
    assert not NewsPostPage.objects.filter(slug="nouvelle").exists()


def test_staff_are_not_limited(staff_client, post_a, image_b):
    response, new_revisions = _submit(staff_client, post_a, image=str(image_b.pk))
    assert response.status_code == 302 and new_revisions == 1


def test_a_rich_text_image_embed_of_b_is_refused_by_the_validation(post_a, editor_a, image_b, image_a):
    """Draftail drops image embeds (the "image" feature is off), but the rule holds for any
    rich text that carries one, should the feature list change."""
    from wagtail.rich_text import RichText

    from associations.references import form_reference_errors, scope_for_association

    form_class = NewsPostPage.get_edit_handler().get_form_class()
    form = form_class(instance=post_a, for_user=editor_a, parent_page=post_a.get_parent())
    paragraph = NewsPostPage.body.field.stream_block.to_python([])
    for image, expected in ((image_b, True), (image_a, False)):
        embed = f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="x"/>'
        paragraph = NewsPostPage.body.field.stream_block.to_python([{"type": "paragraph", "value": embed}])
        assert isinstance(paragraph[0].value, RichText)
        form.cleaned_data = {"body": paragraph}
        errors = form_reference_errors(form, scope_for_association(post_a.association))
        assert bool(errors) is expected
        if expected:
            assert FOREIGN_IMAGE in errors["body"][0]


# --- the association record -----------------------------------------------------------------


def _record(association, **overrides):
    from tests.associations.test_admin_association_record import _record_form

    return _record_form(association, **overrides)


def test_the_logo_of_a_must_be_an_image_of_a(client_a, association_a, image_b, image_a):
    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    response = client_a.post(url, _record(association_a, logo=str(image_b.pk)))
    assert response.status_code == 400
    assert FOREIGN_IMAGE in _body(response) and "logo" in _body(response).lower()
    association_a.refresh_from_db()
    assert association_a.logo_id is None
    response = client_a.post(url, _record(association_a, logo=str(image_a.pk)))
    assert response.status_code == 302
    association_a.refresh_from_db()
    assert association_a.logo_id == image_a.pk
