"""The association record in the admin: editors edit their own, maps work offline."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from associations.models import Association, AssociationStatus, Commune

pytestmark = pytest.mark.django_db


def _record_form(association, **overrides):
    data = {
        "name": association.name,
        "legal_form": association.legal_form,
        "rna": association.rna,
        "siren": association.siren,
        "objet": association.objet,
        "street_address": association.street_address,
        "postal_code": association.postal_code,
        "commune": association.commune_id,
        "email": association.email,
        "phone": "",
        "website": "",
        "theme": "violet",
        "facebook_url": "",
        "instagram_url": "",
        "linkedin_url": "",
        "mastodon_url": "",
        "youtube_url": "",
        "location": "SRID=4326;POINT(2.64 50.53)",
    }
    data.update(overrides)
    return data


def test_map_widget_serves_leaflet_locally(client_a, association_a):
    body = client_a.get(f"/admin/snippets/associations/association/edit/{association_a.pk}/").content.decode()
    assert "site_kollektif/vendor/leaflet/leaflet.js" in body
    assert "unpkg.com" not in body


def test_editor_edits_own_record_and_location_but_not_status(client_a, association_a):
    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    response = client_a.post(url, _record_form(association_a, status="suspendue", slug="autre"))
    assert response.status_code == 302, response.content.decode()[:2000]
    association_a.refresh_from_db()
    assert association_a.theme == "violet"
    assert str(association_a.latitude) == "50.530000" and str(association_a.longitude) == "2.640000"
    assert association_a.status == AssociationStatus.ACTIVE
    assert association_a.slug == "popeline"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rna": "X1"}, "W suivi de 9 chiffres"),
        ({"location": "SRID=4326;POINT(-70.0 40.0)"}, ""),
        ({"commune": "59350"}, ""),
    ],
)
def test_bad_record_input_is_a_400(client_a, association_a, overrides, message):
    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    response = client_a.post(url, _record_form(association_a, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    association_a.refresh_from_db()
    assert association_a.theme != "violet"


def test_staff_create_an_association_in_the_admin_through_onboarding(staff_client):
    commune = Commune.objects.get(code="62765")
    response = staff_client.post(
        "/admin/snippets/associations/association/add/",
        {
            "name": "Espace 36",
            "slug": "espace-36",
            "legal_form": "association",
            "rna": "W622002468",
            "siren": "",
            "objet": "Centre d'art",
            "street_address": "36 rue Gambetta",
            "postal_code": "62500",
            "commune": commune.pk,
            "email": "contact@espace36.exemple.org",
            "phone": "",
            "website": "",
            "theme": "ardoise",
            "status": "active",
            "refusal_reason": "",
            "custom_domain": "",
            "facebook_url": "",
            "instagram_url": "",
            "linkedin_url": "",
            "mastodon_url": "",
            "youtube_url": "",
            "location": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    association = Association.objects.get(slug="espace-36")
    assert association.home_page.get_children().count() == 3
    assert association.editors_group is not None


def _png(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_wagtail_image_upload_refuses_non_images_and_oversized_files(client_a, association_a, settings):
    from wagtail.images import get_image_model

    fake = io.BytesIO(b"not an image at all")
    fake.name = "photo.jpg"
    response = client_a.post(
        "/admin/images/add/", {"title": "Photo", "file": fake, "collection": association_a.collection_id}
    )
    assert response.status_code == 400
    assert "image" in response.content.decode().lower()
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    big = _png((400, 400))
    big.name = "grande.png"
    big_size = len(big.getvalue())
    assert big_size > 1000
    response = client_a.post(
        "/admin/images/add/", {"title": "Grande", "file": big, "collection": association_a.collection_id}
    )
    assert response.status_code == 400
    assert not get_image_model().objects.filter(title__in=["Photo", "Grande"]).exists()
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
    good = _png((40, 40))
    good.name = "petite.png"
    response = client_a.post(
        "/admin/images/add/", {"title": "Petite", "file": good, "collection": association_a.collection_id}
    )
    assert response.status_code == 302
    assert get_image_model().objects.get(title="Petite").collection_id == association_a.collection_id


def test_an_editor_cannot_upload_into_another_collection(client_a, association_a, association_b):
    from wagtail.images import get_image_model

    good = _png((40, 40))
    good.name = "intrusion.png"
    client_a.post("/admin/images/add/", {"title": "Intrusion", "file": good, "collection": association_b.collection_id})
    assert not get_image_model().objects.filter(title="Intrusion", collection=association_b.collection).exists()
