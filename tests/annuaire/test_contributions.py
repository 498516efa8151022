"""La carte à compléter: proposals, moderation, claims, spam protection."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from annuaire.models import Actor, Link, Proposal, ProposalStatus
from associations.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_ACTOR = {
    "name": "Meloko",
    "kind": "entreprise-engagee",
    "commune": "62178",
    "street_address": "",
    "description": "Livraison d'épicerie locale",
    "website": "",
    "public_email": "",
    "submitter_name": "Camille",
    "submitter_email": "camille@exemple.org",
}


def test_a_proposal_waits_for_moderation_then_appears(client, animator_client, django_capture_on_commit_callbacks):
    response = client.post("/annuaire/proposer/", GOOD_ACTOR)
    assert response.status_code == 302
    assert not Actor.objects.filter(name="Meloko").exists()
    proposal = Proposal.objects.get()
    url = f"/admin/snippets/annuaire/proposal/moderer/{proposal.pk}/"
    assert "camille@exemple.org" in animator_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = animator_client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    actor = Actor.objects.get(name="Meloko")
    assert "Meloko" in client.get("/annuaire/").content.decode()
    assert client.get(actor.get_absolute_url()).status_code == 200
    assert "camille@exemple.org" not in client.get(actor.get_absolute_url()).content.decode()
    assert mail.outbox[-1].to == ["camille@exemple.org"]


def test_refusal_needs_a_message_which_is_emailed_back(client, animator_client, django_capture_on_commit_callbacks):
    client.post("/annuaire/proposer/", GOOD_ACTOR)
    proposal = Proposal.objects.get()
    url = f"/admin/snippets/annuaire/proposal/moderer/{proposal.pk}/"
    response = animator_client.post(url, {"decision": "refuse", "message": ""})
    assert response.status_code == 400
    assert "Expliquez le refus" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        animator_client.post(url, {"decision": "refuse", "message": "Cette structure est hors du département."})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED
    assert "Cette structure est hors du département." in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Indiquez le nom de la structure."),
        ({"commune": "75056"}, "Cette commune n&#x27;est pas dans le Pas-de-Calais."),
        ({"submitter_email": "pas-une-adresse"}, "Cette adresse e-mail n&#x27;est pas valide."),
    ],
)
def test_bad_proposals_are_refused_in_french_and_nothing_is_saved(client, changes, message):
    response = client.post("/annuaire/proposer/", {**GOOD_ACTOR, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_link_proposals_refuse_self_links_and_duplicates(client, actors):
    from annuaire import services

    base = {"kind": "partenariat", "submitter_name": "Camille", "submitter_email": "camille@exemple.org"}
    response = client.post("/annuaire/proposer-un-lien/", {**base, "source": "indelab", "target": "indelab"})
    assert response.status_code == 400
    assert "Un acteur ne peut pas être relié à lui-même." in response.content.decode()
    services.link_create(source=actors["indelab"], target=actors["bruno"], kind="partenariat")
    response = client.post("/annuaire/proposer-un-lien/", {**base, "source": "brunö", "target": "indelab"})
    assert response.status_code == 400
    slug = actors["bruno"].slug
    response = client.post("/annuaire/proposer-un-lien/", {**base, "source": slug, "target": "indelab"})
    assert response.status_code == 400
    assert "déjà reliés par ce type de lien" in response.content.decode()
    assert not Proposal.objects.exists() and Link.objects.count() == 1


def test_honeypot_and_rate_limit_stop_robots(client, settings):
    settings.KOLLEKTIF_CONTRIBUTION_RATE = "3/h"
    response = client.post("/annuaire/proposer/", {**GOOD_ACTOR, "site_internet_bis": "http://spam.example"})
    assert response.status_code == 400 and not Proposal.objects.exists()
    statuses = [client.post("/annuaire/proposer/", GOOD_ACTOR).status_code for _ in range(5)]
    assert statuses[-1] == 429
    assert Proposal.objects.count() == 2  # the honeypot post counted too


def test_an_actor_claims_its_entry_then_edits_it(client, actors, animator_client):
    user = UserFactory(email="coordination@indelab.example")
    owner = Client()
    owner.force_login(user)
    actor = actors["indelab"]
    assert owner.get(f"/annuaire/{actor.slug}/modifier/").status_code == 403
    response = owner.post(f"/annuaire/{actor.slug}/gerer/", {"message": "Je coordonne la SCIC."})
    assert response.status_code == 302
    proposal = Proposal.objects.get(kind="revendication")
    animator_client.post(f"/admin/snippets/annuaire/proposal/moderer/{proposal.pk}/", {"decision": "approve"})
    response = owner.post(
        f"/annuaire/{actor.slug}/modifier/",
        {
            "description": "Fabrique de communs numériques",
            "website": "https://indelab.example",
            "public_email": "",
            "public_phone": "",
            "can_help": [],
            "looking_for": [],
        },
    )
    assert response.status_code == 302
    assert "Fabrique de communs numériques" in client.get(actor.get_absolute_url()).content.decode()


def test_submitter_emails_are_never_public(client, actors):
    client.post("/annuaire/proposer/", GOOD_ACTOR)
    for url in ("/annuaire/", "/reseau/", "/annuaire/acteurs.geojson", "/reseau/graphe.json"):
        assert "camille@exemple.org" not in client.get(url).content.decode()
