"""The campaign form's error summary (issue #17): one message per field, in the order the fields
appear on the page, the page's title saying "Erreur :", the summary focused on load, and the
amount's error read with the group of amounts."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from campagnes.forms import DonationForm

pytestmark = pytest.mark.django_db


def test_an_empty_address_gets_one_message_per_field(donation_campaign):
    form = DonationForm({"preset": "autre", "amount": ""}, campaign=donation_campaign)
    assert not form.is_valid()
    for name in ("street_address", "postal_code", "city"):
        assert form.errors[name] == ["L'adresse est nécessaire pour établir votre reçu fiscal."]


def test_the_fields_are_listed_in_the_order_of_the_page(donation_campaign):
    form = DonationForm(campaign=donation_campaign)
    names = [field.name for field in form.visible_fields()]
    assert names[:3] == ["preset", "amount", "frequency"]
    assert names.index("first_name") < names.index("street_address") < names.index("is_company")
    assert names.index("company_name") < names.index("public_supporter") < names.index("cover_fees")
    assert names[-2:] == ["consent", "contact_consent"]
    assert sorted(names) == sorted(field.name for field in form if not field.is_hidden)


def test_the_page_with_errors_says_so_and_ties_the_amount_error_to_its_group(donation_campaign):
    body = Client().post(donation_campaign.url, {"preset": "autre", "amount": ""}).content.decode()
    text = html.unescape(body)
    assert re.search(r"<title>Erreur : ", text)
    assert re.search(r'<div class="error-summary"[^>]*autofocus', body)
    summary = text[text.index('class="error-summary__list"') : text.index("</ul>", text.index("error-summary__list"))]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets[0] == "id_amount" and len(targets) == len(set(targets))
    assert targets.index("id_first_name") < targets.index("id_street_address") < targets.index("id_consent")
    assert summary.count("L'adresse est nécessaire") == 3
    group = re.search(r'<fieldset class="field__group amount-choices"[^>]*>', body).group(0)
    assert "id_amount_error" in group
