"""Shared fixtures: two associations A and B, each with an editor, and platform staff."""

from __future__ import annotations

import pytest
from django.test import Client

from associations.factories import AssociationFactory, UserFactory, make_image
from associations.models import AssociationStatus


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


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


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "live_server" in request.fixturenames
        or "transactional_db" in request.fixturenames
    )


@pytest.fixture(autouse=True)
def reference_data(request):
    """Transactional tests flush the database after each test, reference data included:
    put back what the data migrations load (communes, EPCI, sectors, platform pages)."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("_django_db_helper")
    from importlib import import_module

    from django.apps import apps

    from associations.models import Commune

    if Commune.objects.exists():
        return
    from wagtail.models import Collection, Locale, Page

    locale, _created = Locale.objects.get_or_create(language_code="fr")
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    import_module("associations.migrations.0002_reference_data").load(apps, None)
    import_module("site_kollektif.migrations.0002_platform_tree").create_tree(apps, None)
    import_module("site_kollektif.migrations.0005_g13_legal_pages").create_legal_pages(apps, None)
