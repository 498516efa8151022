"""The treasurer's general assembly page and its PDF: French figures, tenancy, bad years."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campagnes.financial_years import period_containing
from kernel.formats.french import format_eur
from tests.assembly.conftest import at, person
from tests.receipts.conftest import pay, pdf_text

pytestmark = pytest.mark.django_db
URL = "/admin/assemblee-generale/"


def _spaces(text: str) -> str:
    """The PDF's text gives the no-break spaces of French amounts back as plain spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def _query(association, period) -> str:
    return f"?association={association.pk}&exercice={period.slug}"


def test_the_treasurer_reads_the_year_in_french(treasurer_a, association_a, year_2025):
    response = treasurer_a.get(URL + _query(association_a, year_2025))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chiffres pour l&#x27;assemblée générale" in page or "Chiffres pour l'assemblée générale" in page
    assert "Popeline — Exercice 2025" in page
    assert "Du 1er janvier 2025 au 31 décembre 2025." in page
    assert f'data-testid="assembly-received">{format_eur(32200)}<' in page
    assert f'data-testid="assembly-fees">− {format_eur(263)}<' in page
    assert f'data-testid="assembly-net">{format_eur(32200 - 7000 - 263)}<' in page
    assert 'data-testid="members-start">2<' in page and 'data-testid="members-new">1<' in page
    assert "Concert de La Note bleue" in page and "Des livres pour tous" not in page
    assert 'data-testid="receipts-count">4<' in page
    # the chart is an image with a name and a description, and its table is on the page
    assert 'role="img" aria-labelledby="ag-graphique-titre ag-graphique-resume"' in page
    assert "le mois le plus fort est mars 2025" in page
    assert '<th scope="row">mars 2025</th>' in page
    assert 'href="/admin/assemblee-generale/pdf/' in page


def test_the_pdf_holds_the_same_figures(treasurer_a, association_a, year_2025):
    response = treasurer_a.get(URL + "pdf/" + _query(association_a, year_2025))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"chiffres-ag-popeline-{year_2025.slug}.pdf" in response["Content-Disposition"]
    text = _spaces(pdf_text(response.content))
    assert "Chiffres pour l'assemblée générale" in text and "Exercice 2025" in text
    for amount in (32200, 7000, 263, 32200 - 7000 - 263):
        assert _spaces(format_eur(amount)) in text, amount
    assert "Concert de La Note bleue" in text and "Reçus fiscaux" in text
    assert "Encaissé par mois" in text  # the chart's title


def test_fees_not_synchronised_are_said_so(treasurer_a, association_a, year_2025):
    from campagnes.models import BalanceTransaction

    BalanceTransaction.objects.filter(association=association_a).delete()
    page = treasurer_a.get(URL + _query(association_a, year_2025)).content.decode()
    assert 'data-testid="assembly-fees">non disponibles<' in page
    assert "non disponibles" in pdf_text(treasurer_a.get(URL + "pdf/" + _query(association_a, year_2025)).content)


def test_another_associations_treasurer_gets_404(treasurer_b, association_a, year_2025):
    assert treasurer_b.get(URL + _query(association_a, year_2025)).status_code == 404
    assert treasurer_b.get(URL + "pdf/" + _query(association_a, year_2025)).status_code == 404


def test_an_editor_without_the_money_permission_is_refused(client_a, association_a, year_2025):
    for url in (URL, URL + "pdf/"):
        response = client_a.get(url + _query(association_a, year_2025))
        # Wagtail's "no permission": back to the dashboard, with its message, and no figure shown
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert (
        "Popeline — Exercice 2025"
        not in client_a.get(URL + _query(association_a, year_2025), follow=True).content.decode()
    )


@pytest.mark.parametrize("slug", ["20250301-20260228", "2025", "n'importe-quoi", "99999999-99999999"])
def test_a_year_that_is_not_the_associations_is_a_french_404(treasurer_a, association_a, slug):
    response = treasurer_a.get(URL, {"association": association_a.pk, "exercice": slug})
    assert response.status_code == 404
    assert "n'est pas un des exercices comptables de Popeline" in response.content.decode().replace("&#x27;", "'")
    assert treasurer_a.get(URL + "pdf/", {"association": association_a.pk, "exercice": slug}).status_code == 404


def test_a_bad_association_parameter_is_a_400(treasurer_a):
    assert treasurer_a.get(URL, {"association": "²"}).status_code == 400


def test_the_page_makes_as_many_queries_with_more_data(treasurer_a, association_a, year_2025, pages_a):
    url = URL + _query(association_a, year_2025)
    treasurer_a.get(url)
    with CaptureQueriesContext(connection) as before:
        treasurer_a.get(url)
    for month in range(1, 13):
        pay(
            pages_a["donation"],
            amount_cents=1234,
            paid_at=at(2025, month, 9),
            payer=person("Chloé", f"c{month}@exemple.org"),
        )
    with CaptureQueriesContext(connection) as after:
        response = treasurer_a.get(url)
    assert format_eur(32200 + 12 * 1234) in response.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_picker_offers_the_recent_years(treasurer_a, association_a):
    page = treasurer_a.get(URL).content.decode()
    current = period_containing(association_a, datetime.date.today())
    assert f'value="{current.slug}"' in page and "en cours" in page
