"""Files uploaded by editors are downloads, never pages of the platform (issue #10, item 10c).

A PDF can carry JavaScript, an HTML or SVG file scripts: opened inline from the platform's
domain, what an editor of any association (even one still pending) uploads would run next to
everyone's session. Documents are served as attachments, in a CSP sandbox, never sniffed.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from wagtail.documents import get_document_model

pytestmark = pytest.mark.django_db

PDF_WITH_JAVASCRIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def _assert_download(response) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_uploaded_by_an_editor_is_served_as_an_attachment(client_a, association_a):
    response = client_a.post(
        "/admin/documents/add/",
        {
            "title": "Programme",
            "collection": association_a.collection.pk,
            "file": SimpleUploadedFile("programme.pdf", PDF_WITH_JAVASCRIPT, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    document = get_document_model().objects.get(title="Programme")
    visitor = Client()
    served = visitor.get(document.url)
    _assert_download(served)
    assert b"".join(served.streaming_content) == PDF_WITH_JAVASCRIPT
    _assert_download(visitor.get(document.file.url))  # the file's own URL under /media/ too


def test_images_stay_displayable_but_sandboxed(image_a):
    response = Client().get(image_a.file.url)
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
    assert "Content-Disposition" not in response or response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
