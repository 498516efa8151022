"""The payment form as a donor judges it: what is chosen is what is charged, the summary tells the
real cost, companies and counterparts are optional, tickets add up, supporters may show their name."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from campagnes.forms import CrowdfundingForm, DonationForm, TicketForm
from campagnes.giving import gift_summary
from campagnes.models import (
    Counterpart,
    CrowdfundingCampaignPage,
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentStatus,
    SuggestedAmountNote,
    TicketingCampaignPage,
    TicketType,
)
from kernel.formats.french import format_eur

pytestmark = pytest.mark.django_db

DONOR = {
    "frequency": "once",
    "first_name": "Léa",
    "last_name": "Dupont",
    "email": "lea@exemple.org",
    "street_address": "3 rue des Lilas",
    "postal_code": "62400",
    "city": "Béthune",
    "consent": "on",
}


def _support(association):
    return association.home_page.get_children().get(slug="nous-aider").specific


def _start(campaign, **data):
    return Client().post(campaign.url, {**DONOR, **data})


def test_the_chosen_radio_decides_even_with_an_amount_left_in_the_other_field(donation_campaign):
    response = _start(donation_campaign, preset="5000", amount="7")
    assert response.status_code == 200
    assert Payment.objects.get().amount_cents == 5000
    assert "50,00" in response.content.decode()


def test_autre_montant_charges_what_was_typed(donation_campaign):
    response = _start(donation_campaign, preset="autre", amount="7")
    assert response.status_code == 200
    assert Payment.objects.get().amount_cents == 700


def test_autre_montant_without_an_amount_says_so(donation_campaign):
    response = _start(donation_campaign, preset="autre", amount="")
    assert response.status_code == 400
    assert "Choisissez ou indiquez un montant." in response.content.decode()
    assert not Payment.objects.exists()


def test_a_suggested_amount_is_preselected_with_its_line_and_real_cost(donation_campaign):
    donation_campaign.amount_notes.add(SuggestedAmountNote(amount=Decimal("20"), description="Une bobine de fil"))
    donation_campaign.save()
    body = Client().get(donation_campaign.url).content.decode()
    assert 'value="2000" required checked' in body or ('value="2000"' in body and "checked" in body)
    assert "Une bobine de fil" in body
    # 20 € at 66 %: 6,80 € really paid; the summary of the preselected amount, without JavaScript
    assert f"soit {format_eur(680)} après réduction d'impôt" in body
    assert "Récapitulatif" in body and format_eur(2000) in body
    form = DonationForm(campaign=donation_campaign)
    assert form.fields["preset"].initial == "2000"


def test_summary_amounts_fees_monthly_company_and_aid_rate(donation_campaign, association_a):
    form = DonationForm(
        {**DONOR, "preset": "5000", "cover_fees": "on", "frequency": "monthly"}, campaign=donation_campaign
    )
    assert form.is_valid(), form.errors
    summary = form.summary()
    assert summary.amount_cents == 5000 and summary.fee_cents == 75 + 25 and summary.monthly
    assert summary.total_cents == 5100 and summary.tax_rate == 66
    assert summary.cost_after_tax_cents == 5100 - 3300
    assert gift_summary(amount_cents=5000, tax_receipt=True).cost_after_tax_cents == 1700
    assert gift_summary(amount_cents=10000, tax_receipt=True, company=True).cost_after_tax_cents == 4000
    # 75 % up to 1 000 € (CGI art. 200-1 ter), 66 % beyond
    aid = gift_summary(amount_cents=120000, tax_receipt=True, aid_organisation=True)
    assert aid.tax_rate == 75 and aid.reduction_cents == 75000 + 13200
    association_a.tax_status, association_a.tax_other_type = "autre", "aide-personnes"
    association_a.save()
    body = Client().get(donation_campaign.url).content.decode()
    assert f"soit {format_eur(500)} après réduction d'impôt" in body  # 20 € at 75 %


def test_company_fields_only_when_giving_for_a_company(donation_campaign):
    response = _start(donation_campaign, preset="5000", is_company="on")
    assert response.status_code == 400
    assert "Indiquez le nom de l&#x27;entreprise." in response.content.decode()
    response = _start(donation_campaign, preset="5000", is_company="on", company_name="Indelab")
    assert response.status_code == 200
    assert Payment.objects.get().company_name == "Indelab"
    form = DonationForm(
        {**DONOR, "preset": "5000", "is_company": "on", "company_name": "X"}, campaign=donation_campaign
    )
    assert form.is_valid() and form.summary().tax_rate == 60
    body = Client().get(donation_campaign.url).content.decode()
    assert "Je donne au nom d&#x27;une entreprise" in body


@pytest.fixture
def crowdfunding(association_a):
    page = CrowdfundingCampaignPage(
        title="Un local", slug="local", goal=Decimal("1000"), closes_at=timezone.now() + timedelta(days=12)
    )
    page.counterparts.add(Counterpart(name="Tote bag", min_amount=Decimal("30"), value=Decimal("5"), stock=3))
    _support(association_a).add_child(instance=page)
    return page


def test_a_counterpart_can_be_unselected_and_the_deadline_is_shown(crowdfunding):
    body = Client().get(crowdfunding.url).content.decode()
    assert "Sans contrepartie" in body
    assert "encore 12 jours" in body and "Jusqu'au" in body
    response = _start(crowdfunding, amount="40", counterpart="")
    assert response.status_code == 200
    payment = Payment.objects.get()
    assert payment.amount_cents == 4000 and payment.offer_details.counterpart_id is None
    tote = crowdfunding.counterparts.get()
    form = CrowdfundingForm({**DONOR, "amount": "40", "counterpart": str(tote.pk)}, campaign=crowdfunding)
    assert form.is_valid(), form.errors
    assert form.summary().cost_after_tax_cents == 4000 - round((4000 - 500) * 0.66)


def test_supporters_list_shows_a_first_name_only_when_chosen(crowdfunding):
    assert _start(crowdfunding, amount="40", public_supporter="on").status_code == 200
    assert _start(crowdfunding, amount="35", first_name="Karim", email="k@exemple.org").status_code == 200
    Payment.objects.update(status=PaymentStatus.SUCCEEDED, paid_at=timezone.now())
    assert Payment.objects.get(first_name="Léa").public_supporter is True
    body = Client().get(crowdfunding.url).content.decode()
    assert "Ils et elles soutiennent" in body
    assert "Léa" in body.split("Ils et elles soutiennent")[1] and "Anonyme" in body
    assert "Karim" not in body
    # a payer who asks to be erased leaves the public list too
    from campagnes.privacy import payer_data_erase

    payer_data_erase(email="lea@exemple.org")
    assert "Léa" not in Client().get(crowdfunding.url).content.decode()


@pytest.fixture
def ticketing(association_a):
    page = TicketingCampaignPage(
        title="Concert", slug="concert", event_starts_at=timezone.now() + timedelta(days=9), place="Lens"
    )
    page.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("12"), quota=50))
    page.ticket_types.add(TicketType(name="Réduit", price=Decimal("6"), quota=50))
    _support(association_a).add_child(instance=page)
    return page


def test_tickets_quantities_and_total_no_empty_progress(ticketing):
    full, reduced = ticketing.ticket_types.order_by("pk")
    body = Client().get(ticketing.url).content.decode()
    assert "collectés" not in body and "contributeur" not in body
    assert "data-stepper" in body and "Total" in body
    form = TicketForm({**DONOR, f"billets_{full.pk}": "2", f"billets_{reduced.pk}": "1"}, campaign=ticketing)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount_cents"] == 3000
    response = _start(ticketing, **{f"billets_{full.pk}": "2", f"billets_{reduced.pk}": "1"})
    assert response.status_code == 200
    assert Payment.objects.get().amount_cents == 3000


def test_membership_page_has_no_empty_progress(association_a):
    page = MembershipCampaignPage(title="Adhésion", slug="adhesion")
    page.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    page.tiers.add(MembershipTier(name="Famille", price=Decimal("25")))
    _support(association_a).add_child(instance=page)
    body = Client().get(page.url).content.decode()
    assert "collectés" not in body and "contributeur" not in body
    assert "Individuelle" in body and 'data-price-cents="2500"' in body
