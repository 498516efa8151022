"""Broken or oversized pictures are refused with a 400 and a French message, never a 500.

Every way a picture enters the platform (the Wagtail image form, the multiple upload, the
receipt signature on the association record) goes through one Pillow validator.
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.images import get_image_model

from associations.factories import make_eligible

pytestmark = pytest.mark.django_db

MESSAGE = "Cette image est illisible ou trop grande"


def _encoded(image_format: str, size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=image_format)
    return buffer.getvalue()


def truncated_gif() -> bytes:
    data = _encoded("GIF", (256, 256))
    return data[: len(data) // 2]


def bad_webp() -> bytes:
    """A RIFF/WEBP header that Pillow recognises, followed by garbage."""
    body = b"WEBPVP8 " + struct.pack("<I", 200) + b"\x00" * 20 + b"garbage" * 10
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _png_with_size(width: int, height: int) -> bytes:
    """A real PNG whose header claims ``width`` x ``height``: a decompression bomb for Pillow."""
    data = bytearray(_encoded("PNG", (8, 8)))
    ihdr_start = 8 + 8  # signature, then length and "IHDR"
    header = bytearray(data[ihdr_start : ihdr_start + 13])
    header[0:8] = struct.pack(">II", width, height)
    data[ihdr_start : ihdr_start + 13] = header
    crc = zlib.crc32(b"IHDR" + bytes(header)) & 0xFFFFFFFF
    data[ihdr_start + 13 : ihdr_start + 17] = struct.pack(">I", crc)
    return bytes(data)


def bomb_png() -> bytes:
    return _png_with_size(40_000, 40_000)  # 1.6 billion pixels: DecompressionBombError


def warning_png() -> bytes:
    return _png_with_size(10_000, 10_000)  # 100 million pixels: above Pillow's warning threshold


BAD_FILES = {
    "truncated.gif": truncated_gif,
    "bad.webp": bad_webp,
    "bomb.png": bomb_png,
    "warning.png": warning_png,
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_broken_picture_is_refused_by_the_image_form(client_a, association_a, name):
    upload = SimpleUploadedFile(name, BAD_FILES[name](), content_type="application/octet-stream")
    response = client_a.post(
        "/admin/images/add/", {"title": "Cassée", "file": upload, "collection": association_a.collection_id}
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode().replace("&#x27;", "'")
    assert not get_image_model().objects.filter(title="Cassée").exists()


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_broken_picture_is_refused_by_the_multiple_upload(client_a, association_a, name):
    """The multiple uploader's protocol: a refusal is a JSON answer whose message its script shows
    next to the file (an HTTP error would only show "Bad Request"); never a 500."""
    upload = SimpleUploadedFile(name, BAD_FILES[name](), content_type="application/octet-stream")
    response = client_a.post(
        "/admin/images/multiple/add/", {"files[]": upload, "collection": association_a.collection_id}
    )
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert MESSAGE in response.json()["error_message"]
    assert not get_image_model().objects.filter(collection=association_a.collection).exists()


def test_a_good_picture_is_still_accepted_by_both_paths(client_a, association_a):
    upload = SimpleUploadedFile("bonne.gif", _encoded("GIF"), content_type="image/gif")
    response = client_a.post(
        "/admin/images/add/", {"title": "Bonne", "file": upload, "collection": association_a.collection_id}
    )
    assert response.status_code == 302
    upload = SimpleUploadedFile("bonne.webp", _encoded("WEBP"), content_type="image/webp")
    response = client_a.post(
        "/admin/images/multiple/add/", {"files[]": upload, "collection": association_a.collection_id}
    )
    assert response.status_code == 200 and response.json()["success"]
    assert get_image_model().objects.filter(collection=association_a.collection).count() == 2


def _record_with_signature(association, upload) -> dict:
    from tests.associations.test_admin_association_record import _record_form

    association.refresh_from_db()
    return {
        **_record_form(association),
        "tax_status": association.tax_status,
        "tax_basis": association.tax_basis,
        "receipt_signatory_name": association.receipt_signatory_name,
        "receipt_signatory_capacity": association.receipt_signatory_capacity,
        "receipt_signature": upload,
    }


@pytest.mark.parametrize("name", ["truncated.png", "bomb.png", "warning.png"])
def test_a_broken_signature_is_refused_on_the_association_record(client_a, association_a, name):
    make_eligible(association_a)
    before = association_a.receipt_signature.name
    data = {"truncated.png": _encoded("PNG", (256, 256))[:300], "bomb.png": bomb_png(), "warning.png": warning_png()}[
        name
    ]
    upload = SimpleUploadedFile("signature.png", data, content_type="image/png")
    response = client_a.post(
        f"/admin/snippets/associations/association/edit/{association_a.pk}/",
        _record_with_signature(association_a, upload),
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode().replace("&#x27;", "'")
    association_a.refresh_from_db()
    assert association_a.receipt_signature.name == before


def test_a_truncated_logo_is_refused_at_signup():
    from django.test import Client

    from associations.factories import UserFactory
    from associations.models import Association
    from tests.associations.test_signup_and_moderation import _form_data

    client = Client()
    client.force_login(UserFactory(email="logo-casse@exemple.org"))
    upload = SimpleUploadedFile("logo.gif", truncated_gif(), content_type="image/gif")
    response = client.post("/espace/creer-mon-site/", {**_form_data(), "logo_upload": upload})
    assert response.status_code == 400
    assert MESSAGE in response.content.decode().replace("&#x27;", "'")
    assert not Association.objects.exists()


def test_a_broken_picture_is_refused_by_the_chooser_upload(client_a, association_a):
    """The image chooser of a page form uploads through the same form base."""
    upload = SimpleUploadedFile("truncated.gif", truncated_gif(), content_type="image/gif")
    response = client_a.post(
        "/admin/images/chooser/create/",
        {
            "image-chooser-upload-title": "Cassée",
            "image-chooser-upload-file": upload,
            "image-chooser-upload-collection": association_a.collection_id,
        },
    )
    assert response.status_code != 500
    assert MESSAGE in response.content.decode()
    assert not get_image_model().objects.filter(title="Cassée").exists()
