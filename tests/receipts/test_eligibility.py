"""The association declares its tax status in its record; the campaign form warns about counterparts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from associations.factories import signature_png
from associations.models import Association
from campagnes.models import Counterpart
from tests.associations.test_admin_association_record import _record_form

pytestmark = pytest.mark.django_db


def _tax(**fields):
    data = {
        "tax_status": "interet-general",
        "tax_other_type": "",
        "tax_other_label": "",
        "tax_basis": "rescrit",
        "tax_rescrit_date": "2024-03-12",
        "rup_decree_date": "",
        "rup_journal_date": "",
        "receipt_signatory_name": "Camille Lefebvre",
        "receipt_signatory_capacity": "Présidente",
    }
    data.update(fields)
    return data


def test_an_editor_declares_the_association_eligible_with_its_signatory(client_a, association_a):
    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    data = {
        **_record_form(association_a),
        **_tax(),
        "receipt_signature": SimpleUploadedFile("signature.png", signature_png(), content_type="image/png"),
    }
    response = client_a.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    association = Association.objects.get(pk=association_a.pk)
    assert association.issues_tax_receipts and association.tax_rescrit_date.isoformat() == "2024-03-12"
    # the signature is a private file: outside the public media folder and URL
    assert association.receipt_signature.name.startswith("signatures/")
    assert client_a.get(f"/media/{association.receipt_signature.name}").status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"receipt_signatory_name": ""}, "nom de son signataire"),
        ({"receipt_signatory_capacity": ""}, "qualité du signataire"),
        ({"tax_basis": ""}, "rescrit fiscal ou une auto-évaluation"),
        ({"tax_rescrit_date": ""}, "date du rescrit"),
        ({"tax_status": "rup"}, "Journal officiel"),
        ({"tax_status": "autre"}, "type d'organisme"),
    ],
)
def test_an_incomplete_tax_declaration_is_refused_in_french(client_a, association_a, fields, message):
    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    response = client_a.post(url, {**_record_form(association_a), **_tax(**fields)})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Association.objects.get(pk=association_a.pk).issues_tax_receipts


def test_a_signature_that_is_not_a_png_is_refused(client_a, association_a):
    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    fake = SimpleUploadedFile("signature.png", b"<svg>pas une image</svg>", content_type="image/png")
    response = client_a.post(url, {**_record_form(association_a), **_tax(), "receipt_signature": fake})
    assert response.status_code == 400 and "PNG" in response.content.decode()


def test_the_campaign_form_warns_when_a_counterpart_exceeds_the_tolerance(eligible_a, crowdfunding_page_a):
    from campagnes.receipts.counterparts import counterparts_over_tolerance

    Counterpart.objects.create(page=crowdfunding_page_a, name="Carte postale", min_amount="20", value="2")
    Counterpart.objects.create(page=crowdfunding_page_a, name="Dîner au restaurant", min_amount="100", value="60")
    Counterpart.objects.create(page=crowdfunding_page_a, name="Week-end", min_amount="1000", value="200")
    warnings = counterparts_over_tolerance(crowdfunding_page_a)
    assert len(warnings) == 2
    assert "Dîner au restaurant" in warnings[0] and "25 %" in warnings[0]
    assert "Week-end" in warnings[1] and "73,00" in warnings[1].replace("\u202f", " ").replace("\xa0", " ")


def test_the_warning_is_shown_after_saving_the_campaign(client_a, eligible_a, crowdfunding_page_a):
    Counterpart.objects.create(page=crowdfunding_page_a, name="Dîner au restaurant", min_amount="100", value="60")
    page = crowdfunding_page_a
    data = {
        "title": page.title,
        "slug": page.slug,
        "body-count": "0",
        "goal": "3000",
        "min_amount": "5",
        "max_amount": "10000",
        "opens_at": timezone.localtime(page.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes_at": timezone.localtime(page.closes_at).strftime("%Y-%m-%d %H:%M"),
        "counterparts-TOTAL_FORMS": "1",
        "counterparts-INITIAL_FORMS": "1",
        "counterparts-MIN_NUM_FORMS": "0",
        "counterparts-MAX_NUM_FORMS": "1000",
        "counterparts-0-id": str(page.counterparts.get().pk),
        "counterparts-0-ORDER": "1",
        "counterparts-0-DELETE": "",
        "counterparts-0-name": "Dîner au restaurant",
        "counterparts-0-description": "",
        "counterparts-0-min_amount": "100",
        "counterparts-0-value": "60",
        "counterparts-0-stock": "",
    }
    response = client_a.post(f"/admin/pages/{page.pk}/edit/", data, follow=True)
    body = response.content.decode().replace("&#x27;", "'").replace("&laquo;", "«")
    assert "tolérance de l'administration" in body, body[:500]
