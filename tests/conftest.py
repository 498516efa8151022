"""Shared fixtures: two associations A and B, each with an editor, and platform staff."""

from __future__ import annotations

import pytest
from django.test import Client

from associations.factories import AssociationFactory, UserFactory, make_image
from associations.models import AssociationStatus


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached pages live in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(db):
    return UserFactory(email="equipe@kollektif.test", is_staff=True, is_superuser=True)


@pytest.fixture
def association_a(db):
    return AssociationFactory(name="Popeline", slug="popeline", status=AssociationStatus.ACTIVE)


@pytest.fixture
def association_b(db):
    return AssociationFactory(name="BookKafé", slug="bookkafe", status=AssociationStatus.ACTIVE)


def _editor_of(association, email):
    user = UserFactory(email=email)
    user.groups.add(association.editors_group)
    return user


@pytest.fixture
def editor_a(association_a):
    return _editor_of(association_a, "editrice-a@exemple.org")


@pytest.fixture
def editor_b(association_b):
    return _editor_of(association_b, "editeur-b@exemple.org")


@pytest.fixture
def client_a(editor_a):
    client = Client()
    client.force_login(editor_a)
    return client


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def image_b(association_b):
    return make_image("Photo de B", collection=association_b.collection, width=64, height=48)


@pytest.fixture
def image_a(association_a):
    return make_image("Photo de A", collection=association_a.collection, width=64, height=48)


@pytest.fixture(scope="session")
def localstripe():
    """A real localstripe process (the embedded Stripe-compatible server), for the session."""
    from site_kollektif import localstripe_server

    port = localstripe_server.free_port()
    process = localstripe_server.start(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_settings(settings, localstripe):
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_JS_URL = f"{localstripe}/js.stripe.com/v3/"
    settings.STRIPE_SECRET_KEY = "sk_test_kollektif"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_kollektif_tests"
    return settings
