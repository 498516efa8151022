"""Fixtures of the directory: a few actors, an animator, the reference vocabulary."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from annuaire.factories import ActorFactory
from annuaire.models import Label, Topic
from associations.factories import UserFactory
from associations.models import Commune
from tests.conftest import _is_transactional


def load_directory_reference_data() -> None:
    """Transactional tests flush what the data migration loaded (group, labels): put it back."""
    if not Group.objects.filter(name="Animateurs").exists() or not Label.objects.exists():
        from django.apps import apps

        import_module("annuaire.migrations.0002_reference_data").load(apps)


@pytest.fixture(autouse=True)
def annuaire_reference_data(request, reference_data):
    if _is_transactional(request):
        load_directory_reference_data()


@pytest.fixture
def animator(db):
    user = UserFactory(email="animatrice@reseau.exemple.org")
    user.groups.add(Group.objects.get(name="Animateurs"))
    return user


@pytest.fixture
def animator_client(animator):
    client = Client()
    client.force_login(animator)
    return client


@pytest.fixture
def ambassador_label(db):
    return Label.objects.get(slug="ambassadeur-ess")


@pytest.fixture
def topics(db):
    return {topic.slug: topic for topic in Topic.objects.all()}


@pytest.fixture
def lens(db):
    return Commune.objects.get(code="62498")


@pytest.fixture
def bruay(db):
    return Commune.objects.get(code="62178")


@pytest.fixture
def actors(db, bruay, lens, ambassador_label, topics):
    """Four outside actors: two in Bruay (one an ambassador), one in Lens, one hidden."""
    return {
        "indelab": ActorFactory(
            name="Indelab", kind="scic", commune=bruay, labels=[ambassador_label], can_help=[topics["numerique"]]
        ),
        "bruno": ActorFactory(
            name="Brunö Atelier graphique",
            kind="entreprise-engagee",
            commune=bruay,
            can_help=[topics["graphisme"]],
            description="Identités visuelles et affiches",
        ),
        "coron": ActorFactory(name="Le Coron des arts", kind="reseau", commune=lens, labels=[ambassador_label]),
        "cache": ActorFactory(name="Acteur caché", commune=lens, is_public=False),
    }
