"""Onboarding creates, in one transaction, the record, its four pages, its collection and groups."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from associations import services
from associations.factories import AssociationFactory, UserFactory
from associations.models import (
    Association,
    AssociationHomePage,
    AssociationStatus,
    Commune,
    NewsIndexPage,
    ProjectsPage,
    SupportPage,
)

pytestmark = pytest.mark.django_db


def _fields(**overrides):
    commune = Commune.objects.get(code="62178")
    fields = {
        "name": "Office de la Jeunesse",
        "commune": commune,
        "postal_code": "62700",
        "street_address": "12 rue de la Mairie",
        "email": "contact@office-jeunesse.exemple.org",
        "objet": "Accompagner les jeunes dans leurs projets.",
        "rna": "W622001234",
        "notify": False,
    }
    fields.update(overrides)
    return fields


def test_onboarding_creates_the_four_pages_at_the_expected_urls():
    association = services.association_onboard(**_fields(status=AssociationStatus.ACTIVE))
    home = association.home_page
    assert association.slug == "office-de-la-jeunesse"
    assert home.url == "/association/office-de-la-jeunesse/"
    children = [page.specific for page in home.get_children()]
    assert [type(page) for page in children] == [NewsIndexPage, SupportPage, ProjectsPage]
    assert [page.url for page in children] == [
        "/association/office-de-la-jeunesse/actualites/",
        "/association/office-de-la-jeunesse/nous-aider/",
        "/association/office-de-la-jeunesse/nos-projets/",
    ]
    assert all(page.live and page.show_in_menus for page in [home, *children])


def test_onboarding_creates_collection_and_groups_with_scoped_permissions():
    creator = UserFactory(email="fondatrice@exemple.org")
    association = services.association_onboard(**_fields(created_by=creator))
    assert association.collection.get_parent() == Collection.get_first_root_node()
    assert association.editors_group.name == "Éditeurs — Office de la Jeunesse"
    assert association.treasurers_group.name == "Trésoriers — Office de la Jeunesse"
    page_perms = GroupPagePermission.objects.filter(group=association.editors_group)
    assert {perm.page_id for perm in page_perms} == {association.home_page_id}
    assert {perm.permission.codename for perm in page_perms} >= {"add_page", "change_page", "publish_page"}
    collection_perms = GroupCollectionPermission.objects.filter(group=association.editors_group)
    assert {perm.collection_id for perm in collection_perms} == {association.collection_id}
    assert set(creator.groups.all()) == {association.editors_group, association.treasurers_group}


def test_a_taken_slug_is_refused_and_nothing_is_half_created():
    AssociationFactory(name="Popeline", slug="popeline")
    counts = (Association.objects.count(), Page.objects.count(), Group.objects.count(), Collection.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        services.association_onboard(**_fields(name="Popeline"))
    assert "déjà prise" in str(excinfo.value)
    assert counts == (
        Association.objects.count(),
        Page.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rna": "W12"}, "rna", "W suivi de 9 chiffres"),
        ({"rna": "", "siren": "732829321"}, "siren", "clé de contrôle"),
        ({"rna": "", "siren": ""}, "rna", "RNA ou le SIREN"),
        ({"postal_code": "59000"}, "postal_code", "ne correspond pas"),
        ({"legal_form": "scic", "siren": ""}, "siren", "coopérative"),
    ],
)
def test_bad_identity_is_refused_with_a_french_message(overrides, field, message):
    before = Page.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.association_onboard(**_fields(**overrides))
    assert message in " ".join(excinfo.value.message_dict[field])
    assert Page.objects.count() == before
    assert not Association.objects.exists()


def test_a_failure_after_the_pages_rolls_everything_back(monkeypatch):
    def explode(association):
        raise RuntimeError("groups could not be created")

    monkeypatch.setattr(services, "_create_groups", explode)
    with pytest.raises(RuntimeError):
        services.association_onboard(**_fields())
    assert not Association.objects.exists()
    assert not AssociationHomePage.objects.exists()
    assert Collection.objects.count() == 1


def test_custom_domain_gets_a_wagtail_site_rooted_at_the_accueil():
    association = services.association_onboard(**_fields(custom_domain="WWW.Office-Jeunesse.fr"))
    site = Site.objects.get(hostname="www.office-jeunesse.fr")
    assert site.root_page_id == association.home_page_id
    association.custom_domain = "office-jeunesse.org"
    association.save()
    services.association_sync_site(association=association)
    assert not Site.objects.filter(hostname="www.office-jeunesse.fr").exists()
    assert Site.objects.get(hostname="office-jeunesse.org").root_page_id == association.home_page_id


def test_creer_association_command(capsys):
    call_command(
        "creer_association",
        "Droit de Cité",
        "--commune",
        "Billy-Montigny",
        "--adresse",
        "3 rue Voltaire",
        "--email",
        "contact@droit-de-cite.exemple.org",
        "--objet",
        "Éducation populaire",
        "--rna",
        "W622009876",
    )
    association = Association.objects.get(slug="droit-de-cite")
    assert association.commune.code == "62133"
    assert association.postal_code == "62420"
    assert association.home_page.get_children().count() == 3
    assert "créée" in capsys.readouterr().out


def test_creer_association_command_reports_bad_input_in_french():
    with pytest.raises(CommandError, match="Commune inconnue"):
        call_command(
            "creer_association", "X", "--commune", "Lille", "--adresse", "a", "--email", "a@b.fr", "--objet", "o"
        )
    with pytest.raises(CommandError, match="RNA"):
        call_command(
            "creer_association",
            "X",
            "--commune",
            "62041",
            "--adresse",
            "a",
            "--email",
            "a@b.fr",
            "--objet",
            "o",
            "--rna",
            "123",
        )
    assert not Association.objects.exists()
