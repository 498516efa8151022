"""The attack, replayed: a hostile editor, treasurer and anonymous visitor probe the platform.

Issue #10 came from about 15,000 probes against the demo data. This module keeps the
deterministic core of that attack in the suite, so that every new URL or form is attacked too:

- every admin URL that names an object, filled with association B's ids, sent as GET and as POST
  by A's editor and by A's treasurer: refused (403/404/405, 400) and B's data unchanged;
- the bulk actions with B's ids;
- hostile query strings (injections, NUL bytes, exponents, superscripts, 23-digit numbers,
  full-text search syntax) on every list, filter and chooser an editor and a treasurer reach,
  and on the public directory, search and feeds;
- forged Stripe webhooks (unsigned, wrongly signed, signed but malformed).

Each probe must answer without a 500 and without showing any of B's private strings. The totals
are written at the end of the run (``-rA`` or ``-s`` shows them) for the issue's closing note.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.db import models
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from tests.associations.test_isolation import (
    NOT_OBJECT_SPECIFIC,
    _fill,
    _url,
    admin_urls_with_arguments,
    b_objects,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.django_db

B_SECRETS = (
    "Secret de B",
    "Photo de B",
    "Statuts de B",
    "donatrice-b@exemple.org",
    "adherente-b@exemple.org",
    "spectatrice-b@exemple.org",
    "Campagne de B",
    "Soirée de B",
)
REFUSED = {302, 400, 403, 404, 405, 410}

HOSTILE_VALUES = (
    "'",
    '"',
    "<script>alert(1)</script>",
    "\x00",
    "1e999999",
    "1e30",
    "²",
    "9" * 23,
    "-1",
    "../../etc/passwd",
    'AND OR NOT * "',
    "' OR 1=1 --",
    "%",
    " ",
    "é" * 300,
    "\r\nSet-Cookie: x=1",
)
NUMERIC_PARAMETERS = ("annee", "association", "evenement", "campagne", "page", "p", "offset", "limit", "id")
TEXT_PARAMETERS = ("q", "search", "statut", "status", "type", "ordering", "order", "tag", "collection_id")


class Tally:
    def __init__(self) -> None:
        self.probes = 0
        self.refused = 0
        self.errors: list[str] = []
        self.leaks: list[str] = []

    def record(self, label: str, response, *, must_refuse: bool) -> None:
        self.probes += 1
        if response.status_code >= 500:
            self.errors.append(f"{label} -> {response.status_code}")
            return
        # a download is read to its end too: B's data in a CSV is a leak, and the stream gets closed
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        shown = [secret for secret in B_SECRETS if secret in body]
        if shown:
            self.leaks.append(f"{label} -> {response.status_code} shows {shown}")
        if must_refuse:
            if response.status_code in REFUSED:
                self.refused += 1
            else:
                self.leaks.append(f"{label} -> {response.status_code} (expected a refusal)")
        else:
            self.refused += 1


def _b_state(association) -> tuple:
    """Everything of B an attack could change, as plain values."""
    from campagnes.models import Membership, Payment, Ticket
    from campagnes.models.receipts import Receipt

    def rows(queryset: models.QuerySet) -> list:
        return sorted(queryset.values_list(), key=repr)

    home = Page.objects.get(pk=association.home_page_id)
    return (
        rows(
            Page.objects.descendant_of(home, inclusive=True).values("id", "title", "path", "live", "latest_revision_id")
        ),
        rows(get_image_model().objects.filter(collection=association.collection)),
        rows(get_document_model().objects.filter(collection=association.collection)),
        rows(Payment.objects.filter(association=association)),
        rows(Receipt.objects.filter(association=association)),
        rows(Membership.objects.filter(association=association)),
        rows(Ticket.objects.filter(association=association)),
        rows(type(association).objects.filter(pk=association.pk)),
        rows(association.editors_group.user_set.all().values("id")),
        rows(association.treasurers_group.user_set.all().values("id")),
    )


@pytest.fixture
def hostile_clients(association_a, editor_a):
    from associations.factories import UserFactory

    treasurer = UserFactory(email="tresoriere-a@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    clients = {}
    for role, user in (("éditrice A", editor_a), ("trésorière A", treasurer)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients


@pytest.fixture(scope="module")
def totals():
    """The whole module's figures, written once at the end (the issue's closing note quotes them)."""
    totals = Tally()
    started = time.monotonic()
    yield totals
    elapsed = time.monotonic() - started
    summary = (
        f"\n[attaque] {totals.probes} sondes, {totals.refused} refusées ou sans effet comme attendu, "
        f"{len(totals.leaks)} fuite(s), {len(totals.errors)} erreur(s) 500, {elapsed:.0f} s\n"
    )
    import sys

    sys.stderr.write(summary)


@pytest.fixture
def tally(totals):
    """This test's own figures, added to the module's totals when it ends."""
    tally = Tally()
    yield tally
    totals.probes += tally.probes
    totals.refused += tally.refused
    totals.errors += tally.errors
    totals.leaks += tally.leaks


def test_admin_urls_of_b_refused_to_a_by_get_and_post(hostile_clients, b_objects, association_b, tally):  # noqa: F811
    before = _b_state(association_b)
    for route, name, namespace in admin_urls_with_arguments():
        if name in NOT_OBJECT_SPECIFIC:
            continue
        kwargs = _fill(route, name, namespace, b_objects)
        if kwargs is None:
            continue  # test_isolation fails on any URL it cannot fill
        url = _url(route, kwargs)
        for role, client in hostile_clients.items():
            tally.record(f"{role} GET {url}", client.get(url), must_refuse=True)
            tally.record(f"{role} POST {url}", client.post(url, {"next": "/"}), must_refuse=True)
    assert _b_state(association_b) == before, "a request of A changed B's data"
    assert not tally.errors, "\n".join(tally.errors)
    assert not tally.leaks, "\n".join(tally.leaks)


def test_bulk_actions_with_b_ids_refused(hostile_clients, b_objects, association_b, tally):  # noqa: F811
    before = _b_state(association_b)
    targets = {
        "wagtailcore/page": b_objects["page"],
        "wagtailimages/image": b_objects["image"],
        "wagtaildocs/document": b_objects["document"],
        "associations/association": b_objects["association"],
        "auth/user": b_objects["user"],
    }
    actions = ("delete", "unpublish", "publish", "move", "add_to_collection", "add_tags", "set_privacy", "assign_role")
    for target, pk in targets.items():
        for action in actions:
            url = f"/admin/bulk/{target}/{action}/?id={pk}"
            for role, client in hostile_clients.items():
                tally.record(f"{role} GET {url}", client.get(url), must_refuse=True)
                tally.record(f"{role} POST {url}", client.post(url, {"collection": "1"}), must_refuse=True)
    assert _b_state(association_b) == before
    assert not tally.errors, "\n".join(tally.errors)
    assert not tally.leaks, "\n".join(tally.leaks)


def _own_list_urls(association_a) -> list[str]:
    home = association_a.home_page_id
    return [
        "/admin/",
        "/admin/pages/search/",
        f"/admin/pages/{home}/",
        "/admin/choose-page/",
        "/admin/choose-page/search/",
        "/admin/choose-page/chosen-multiple/",
        "/admin/choose-external-link/",
        "/admin/tag-autocomplete/",
        "/admin/images/",
        "/admin/images/chooser/results/",
        "/admin/documents/",
        "/admin/documents/chooser/results/",
        "/admin/api/main/pages/",
        "/admin/api/main/images/",
        "/admin/snippets/associations/association/",
        "/admin/snippets/choose/associations/association/results/",
        "/admin/paiements/",
        "/admin/paiements/results/",
        "/admin/adherents/",
        "/admin/billets/",
        "/admin/billets/controle/",
        "/admin/recus/",
        "/admin/recus/declaration/",
        "/admin/recus/zip/",
        "/admin/reports/locked/",
    ]


def test_hostile_query_strings_on_admin_lists_never_500(hostile_clients, association_a, b_objects, tally):  # noqa: F811
    # The two roles take turns, so that each hostile value reaches each list once (the suite stays fast).
    roles = list(hostile_clients.items())
    for url in _own_list_urls(association_a):
        for turn, value in enumerate(HOSTILE_VALUES):
            role, client = roles[turn % len(roles)]
            query = dict.fromkeys(TEXT_PARAMETERS, value)
            tally.record(f"{role} GET {url} texte={value!r}", client.get(url, query), must_refuse=False)
        for turn, name in enumerate(NUMERIC_PARAMETERS):
            role, client = roles[turn % len(roles)]
            for value in ("²", "9" * 23, "\x00", "1e309"):
                tally.record(f"{role} GET {url} {name}={value!r}", client.get(url, {name: value}), must_refuse=False)
    assert not tally.errors, "\n".join(tally.errors)
    assert not tally.leaks, "\n".join(tally.leaks)


PUBLIC_URLS = (
    "/",
    "/association/",
    "/annuaire/",
    "/annuaire/acteurs.geojson",
    "/reseau/",
    "/reseau/graphe.json",
    "/rencontres/",
    "/rencontres/agenda.ics",
    "/mes-recus/",
    "/annuaire/proposer/",
)
PUBLIC_PARAMETERS = ("q", "epci", "commune", "secteur", "type", "label", "aide", "vue", "page", "acteur", "lien")


def test_hostile_query_strings_on_public_pages_never_500(association_a, b_objects, tally):  # noqa: F811
    client = Client(raise_request_exception=False)
    urls = [
        *PUBLIC_URLS,
        association_a.home_page.url,
        f"{association_a.home_page.url}actualites/",
        f"{association_a.home_page.url}actualites/rss/",
        f"{association_a.home_page.url}actualites/atom/",
    ]
    for url in urls:
        for value in HOSTILE_VALUES:
            tally.record(
                f"anonyme GET {url} {value!r}",
                client.get(url, dict.fromkeys(PUBLIC_PARAMETERS, value)),
                must_refuse=False,
            )
    for url in (
        "/admin/",
        f"/admin/pages/{b_objects['page']}/edit/",
        f"/admin/paiements/{b_objects['payment']}/",
        f"/admin/recus/{b_objects['receipt']}/",
    ):
        tally.record(f"anonyme GET {url}", client.get(url), must_refuse=True)
        tally.record(f"anonyme POST {url}", client.post(url), must_refuse=True)
    assert not tally.errors, "\n".join(tally.errors)
    assert not tally.leaks, "\n".join(tally.leaks)


def _signed(payload: bytes, secret: str) -> str:
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def test_forged_webhooks_answer_400(settings, b_objects, tally):  # noqa: F811
    settings.STRIPE_WEBHOOK_SECRET = "whsec_attack_tests"
    client = Client(raise_request_exception=False)
    payloads = [
        b"",
        b"{",
        b"[]",
        b"null",
        b'"text"',
        json.dumps({"type": "payment_intent.succeeded"}).encode(),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "data": None}).encode(),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": "x"}}).encode(),
        json.dumps({"id": "evt_1", "type": 7, "data": {"object": {}}}).encode(),
        json.dumps(
            {"id": "evt_1", "type": "charge.refunded", "data": {"object": {"id": None, "amount": "1e999"}}}
        ).encode(),
    ]
    for payload in payloads:
        for signature in ("", "t=1,v1=00", _signed(payload, "whsec_wrong"), _signed(payload, "whsec_attack_tests")):
            response = client.post(
                "/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
            )
            label = f"webhook {payload[:40]!r} signature={'valide' if 'attack' in signature else signature[:8]!r}"
            tally.probes += 1
            if response.status_code >= 500:
                tally.errors.append(f"{label} -> {response.status_code}")
            elif response.status_code == 400:
                tally.refused += 1
            else:
                tally.leaks.append(f"{label} -> {response.status_code} (expected 400)")
    assert not tally.errors, "\n".join(tally.errors)
    assert not tally.leaks, "\n".join(tally.leaks)
