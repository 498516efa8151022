"""The platform starts without Wagtail's tree-wide groups and moderation workflow."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Site, WorkflowPage

from site_kollektif.models import AssociationIndexPage, HomePage

pytestmark = pytest.mark.django_db


def test_no_tree_wide_group_or_workflow():
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not GroupPagePermission.objects.filter(page__depth__lte=3).exists()
    assert not WorkflowPage.objects.exists()
    assert settings.WAGTAIL_WORKFLOW_ENABLED is False


def test_platform_tree_and_default_site():
    home = HomePage.objects.get()
    index = AssociationIndexPage.objects.get()
    assert index.get_parent().pk == home.pk
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert index.url == "/association/"


def test_french_everywhere():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


def test_admin_is_in_french(staff_client):
    body = staff_client.get("/admin/").content.decode()
    assert "Tableau de bord" in body or "Pages" in body
    assert 'lang="fr"' in body
