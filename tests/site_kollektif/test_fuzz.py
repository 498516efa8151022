"""Public and admin endpoints fuzzed with hypothesis: whatever a visitor, a bot, an editor or
a treasurer sends, never a 500.

Query strings and form bodies are drawn from printable text, control characters, huge
numbers, exponents, FTS5 syntax, emoji and SQL/HTML fragments; every answer must be below
500 (a clear 4xx for what cannot be served).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

NASTY = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "' OR 1=1 --",
            "<script>x</script>",
            "../../etc/passwd",
            "%00",
            "\x00",
            "🦄",
            "ب",
            "W123456789",
            "62041",
            "null",
            "[]",
            "{}",
            "1e30",
            "1e999999",
            "²",
            "١٢",
            "1" * 23,
            " ",
            '"',
            'a"b',
            "AND OR",
            "*",
            "NEAR(",
            "^",
            "-x",
            "10,50",
            " 1 000 ",
            "1\u202f000,50",
            "10 €",
            "12,345",
            "inf",
            "2025",
            "01/01/2026",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
FUZZ = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

QUERY_ROUTES = {
    "/association/": ["q", "commune", "epci", "secteur", "page"],
    "/annuaire/": ["q", "epci", "commune", "sector", "kind", "label", "aide", "vue", "page"],
    "/annuaire/acteurs.geojson": ["q", "epci", "commune", "sector", "kind", "label", "aide"],
    "/reseau/": ["epci", "commune", "kinds", "acteur"],
    "/reseau/graphe.json": ["epci", "commune", "kinds", "acteur"],
    "/rencontres/": ["page", "passees"],
    "/association/popeline/actualites/": ["page", "tag"],
}


def _never_a_500(
    method: str,
    path: str,
    fields: list[str],
    *,
    client: Client | None = None,
    values=NASTY,
    keep_nul: bool = False,
    allowed: tuple[int, ...] = (),
) -> None:
    """`allowed`: a 5xx the endpoint answers on purpose (503 when the payment gateway is down)."""
    client = client or Client(raise_request_exception=False)
    send = client.get if method == "get" else client.post

    @FUZZ
    @given(st.dictionaries(st.sampled_from(fields), values, max_size=6))
    def check(data):
        response = send(path, {key: value if keep_nul else value.replace("\x00", "") for key, value in data.items()})
        assert response.status_code < 500 or response.status_code in allowed, (path, data, response.status_code)

    check()


@pytest.mark.parametrize("path", sorted(QUERY_ROUTES))
def test_query_strings_never_cause_a_500(association_a, path):
    _never_a_500("get", path, QUERY_ROUTES[path])


FORMS = {
    "/mes-recus/": ["email"],
    "/annuaire/proposer/": [
        "name",
        "kind",
        "commune",
        "email",
        "website",
        "description",
        "latitude",
        "longitude",
        "site_web_2",
    ],
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
    fields = [
        "amount",
        "preset",
        "frequency",
        "first_name",
        "last_name",
        "email",
        "street_address",
        "postal_code",
        "city",
        "company_name",
        "company_siren",
        "consent",
        "cover_fees",
    ]

    @FUZZ
    @given(st.dictionaries(st.sampled_from(fields), NASTY, max_size=8), st.binary(max_size=200), NASTY)
    def check(data, body, signature):
        response = client.post(campaign.url, {key: value.replace("\x00", "") for key, value in data.items()})
        assert response.status_code < 500 or response.status_code == 503, response.status_code
        webhook = client.post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature.replace("\x00", ""),
        )
        assert webhook.status_code == 400

    check()


# --- the admin an editor and a treasurer can reach -------------------------------------------


def _logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def admin_world(association_a, editor_a, settings):
    """A's pages, a payment, a ticketed event and a treasurer: what the admin filters and forms act on."""
    from associations.factories import UserFactory
    from associations.models.pages import NewsPostPage
    from campagnes.models import Payment, PaymentKind, PaymentStatus, TicketingCampaignPage, TicketType

    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # a closed port: a valid refund answers 503, never 500
    treasurer = UserFactory(email="tresoriere-fuzz@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    home = association_a.home_page
    support = home.get_children().get(slug="nous-aider").specific
    event = TicketingCampaignPage(
        title="Défilé", slug="defile", event_starts_at=timezone.now() + timedelta(days=9), place="Béthune"
    )
    event.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("8"), quota=50))
    support.add_child(instance=event)
    post = NewsPostPage(title="Atelier du mercredi", introduction="Venez coudre")
    home.get_children().get(slug="actualites").add_child(instance=post)
    payment = Payment.objects.create(
        association=association_a,
        campaign=event,
        kind=PaymentKind.DONATION,
        status=PaymentStatus.SUCCEEDED,
        amount_cents=2500,
        email="lea@exemple.org",
        last_name="Dupont",
        paid_at=timezone.now(),
        stripe_payment_intent="pi_fuzz",
    )
    ids = [str(association_a.pk), str(event.pk), str(payment.pk), str(home.pk), str(post.pk)]
    return {
        "editor": _logged_in(editor_a),
        "treasurer": _logged_in(treasurer),
        "home": home,
        "post": post,
        "payment": payment,
        "values": st.one_of(NASTY, st.sampled_from(ids)),
    }


LISTING_FIELDS = ["q", "p", "ordering", "association", "campaign"]
ADMIN_QUERY_ROUTES = {
    "/admin/paiements/": [*LISTING_FIELDS, "kind", "status", "created_at_from", "created_at_to", "export"],
    "/admin/recus/": [*LISTING_FIELDS, "gift_year", "kind", "status", "export"],
    "/admin/recus/declaration/": ["association", "annee"],
    "/admin/adherents/": [*LISTING_FIELDS, "state"],
    "/admin/billets/": [*LISTING_FIELDS, "checked_in"],
    "/admin/billets/controle/": ["evenement"],
    "/admin/pages/search/": ["q", "p", "ordering", "content_type"],
    "/admin/pages/{home}/": ["q", "p", "ordering"],
    "/admin/choose-page/": ["q", "p", "page_type"],
    "/admin/choose-page/search/": ["q", "p", "page_type"],
    "/admin/images/": ["q", "p", "collection_id", "ordering"],
    "/admin/images/chooser/results/": ["q", "p", "collection_id", "tag"],
    "/admin/documents/chooser/results/": ["q", "p", "collection_id"],
    "/admin/api/main/pages/": [
        "search",
        "offset",
        "limit",
        "child_of",
        "descendant_of",
        "type",
        "fields",
        "order",
        "search_operator",
        "for_explorer",
    ],
}


@pytest.mark.parametrize("role", ["editor", "treasurer"])
@pytest.mark.parametrize("route", sorted(ADMIN_QUERY_ROUTES))
def test_admin_filters_and_searches_never_cause_a_500(admin_world, role, route):
    path = route.format(home=admin_world["home"].pk)
    _never_a_500(
        "get", path, ADMIN_QUERY_ROUTES[route], client=admin_world[role], values=admin_world["values"], keep_nul=True
    )


GIFT_FIELDS = [
    "association",
    "first_name",
    "last_name",
    "company_name",
    "company_siren",
    "email",
    "street_address",
    "postal_code",
    "city",
    "amount",
    "method",
    "received_on",
]


def test_admin_forms_never_cause_a_500(admin_world):
    treasurer, editor, values = admin_world["treasurer"], admin_world["editor"], admin_world["values"]
    _never_a_500(
        "post",
        f"/admin/paiements/{admin_world['payment'].pk}/",
        ["amount"],
        client=treasurer,
        values=values,
        keep_nul=True,
        allowed=(503,),
    )
    _never_a_500("post", "/admin/recus/don-recu/", GIFT_FIELDS, client=treasurer, values=values, keep_nul=True)
    _never_a_500("post", "/admin/billets/controle/", ["evenement", "code"], client=editor, values=values, keep_nul=True)
    _never_a_500(
        "post",
        "/admin/choose-external-link/",
        ["external-link-chooser-url", "external-link-chooser-link_text"],
        client=editor,
        values=values,
        keep_nul=True,
    )
    _never_a_500(
        "post",
        f"/admin/pages/{admin_world['post'].pk}/copy/",
        ["new_title", "new_slug", "new_parent_page"],
        client=editor,
        values=values,
        keep_nul=True,
    )
