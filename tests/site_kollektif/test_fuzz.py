"""Public endpoints fuzzed with hypothesis: whatever a visitor or a bot sends, never a 500.

Query strings and form bodies are drawn from printable text, control characters, huge
numbers, emoji and SQL/HTML fragments; every answer must be below 500 (a clear 4xx for
what cannot be served).
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

NASTY = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "1e309", "NaN", "' OR 1=1 --", "<script>x</script>",
                     "../../etc/passwd", "%00", "\x00", "🦄", "ب", "W123456789", "62041", "null", "[]", "{}"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])

QUERY_ROUTES = {
    "/association/": ["q", "commune", "epci", "secteur", "page"],
    "/annuaire/": ["q", "epci", "commune", "sector", "kind", "label", "aide", "vue", "page"],
    "/annuaire/acteurs.geojson": ["q", "epci", "commune", "sector", "kind", "label", "aide"],
    "/reseau/": ["epci", "commune", "kinds", "acteur"],
    "/reseau/graphe.json": ["epci", "commune", "kinds", "acteur"],
    "/rencontres/": ["page", "passees"],
    "/association/popeline/actualites/": ["page", "tag"],
}


def _never_a_500(method: str, path: str, fields: list[str]) -> None:
    client = Client(raise_request_exception=False)
    send = client.get if method == "get" else client.post

    @FUZZ
    @given(st.dictionaries(st.sampled_from(fields), NASTY, max_size=6))
    def check(data):
        response = send(path, {key: value.replace("\x00", "") for key, value in data.items()})
        assert response.status_code < 500, (path, data, response.status_code)

    check()


@pytest.mark.parametrize("path", sorted(QUERY_ROUTES))
def test_query_strings_never_cause_a_500(association_a, path):
    _never_a_500("get", path, QUERY_ROUTES[path])


FORMS = {
    "/mes-recus/": ["email"],
    "/annuaire/proposer/": ["name", "kind", "commune", "email", "website", "description", "latitude", "longitude",
                            "site_web_2"],
    "/annuaire/proposer-un-lien/": ["source", "target", "kind", "description", "email"],
    "/comptes/login/": ["login", "password"],
}


@pytest.mark.parametrize("path", sorted(FORMS))
def test_form_posts_never_cause_a_500(association_a, path):
    _never_a_500("post", path, FORMS[path])


def test_campaign_forms_and_webhook_never_cause_a_500(association_a, settings):
    from campagnes.models import DonationCampaignPage

    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine", slug="machine", goal="100", suggested_amounts="10, 20")
    support.add_child(instance=campaign)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # a closed port: a valid form must still not crash
    client = Client(raise_request_exception=False)
    fields = ["amount", "preset", "frequency", "first_name", "last_name", "email", "street_address", "postal_code",
              "city", "company_name", "company_siren", "consent", "cover_fees"]

    @FUZZ
    @given(st.dictionaries(st.sampled_from(fields), NASTY, max_size=8), st.binary(max_size=200), NASTY)
    def check(data, body, signature):
        response = client.post(campaign.url, {key: value.replace("\x00", "") for key, value in data.items()})
        assert response.status_code < 500 or response.status_code == 503, response.status_code
        webhook = client.post("/stripe/webhook/", data=body, content_type="application/json",
                              HTTP_STRIPE_SIGNATURE=signature.replace("\x00", ""))
        assert webhook.status_code == 400

    check()
