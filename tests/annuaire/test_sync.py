"""Every association of the platform is an actor of the directory, kept in sync, no retyping."""

from __future__ import annotations

import pytest

from annuaire.models import Actor
from associations import services as association_services
from associations.factories import AssociationFactory
from associations.models import AssociationStatus

pytestmark = pytest.mark.django_db


def test_onboarding_creates_the_actor_and_only_active_ones_are_public(client, staff_user):
    pending = AssociationFactory(name="Maison de la Poésie", status=AssociationStatus.PENDING)
    actor = Actor.objects.get(association=pending)
    assert actor.name == "Maison de la Poésie" and not actor.is_public
    assert "Maison de la Poésie" not in client.get("/annuaire/").content.decode()
    association_services.association_approve(association=pending, approved_by=staff_user)
    actor.refresh_from_db()
    assert actor.is_public
    body = client.get(actor.get_absolute_url()).content.decode()
    assert f'href="/association/{pending.slug}/"' in body  # links to its Kollektif site
    association_services.association_suspend(association=pending, suspended_by=staff_user)
    assert client.get(actor.get_absolute_url()).status_code == 404


def test_editing_the_association_in_the_admin_updates_its_actor(client_a, association_a):
    """An editor changes the record (name, map position) in the admin; the directory follows."""
    from tests.associations.test_admin_association_record import _record_form

    actor = Actor.objects.get(association=association_a)
    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    response = client_a.post(url, _record_form(association_a, name="Popeline, ateliers de couture"))
    assert response.status_code == 302, response.content.decode()[:2000]
    actor.refresh_from_db()
    assert actor.name == "Popeline, ateliers de couture"
    assert str(actor.latitude) == "50.530000" and str(actor.longitude) == "2.640000"


def test_the_actor_refuses_fields_owned_by_the_association(association_a):
    from django.core.exceptions import ValidationError

    from annuaire import services

    actor = Actor.objects.get(association=association_a)
    with pytest.raises(ValidationError):
        services.actor_update(actor=actor, name="Autre nom")
    services.actor_update(actor=actor, description="Ateliers de couture et de réemploi")
    actor.refresh_from_db()
    assert actor.description == "Ateliers de couture et de réemploi" and actor.name == "Popeline"


def test_the_data_migration_gives_existing_associations_their_actor(association_a, association_b):
    """Associations created before the directory existed get their actor from the migration."""
    from importlib import import_module

    from django.apps import apps

    Actor.objects.all().delete()
    import_module("annuaire.migrations.0002_reference_data").actors_for_associations(apps)
    assert set(Actor.objects.values_list("name", "is_public")) == {("Popeline", True), ("BookKafé", True)}
    assert Actor.objects.get(association=association_a).slug == "popeline"
