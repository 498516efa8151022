"""The volume generator writes the same end state as onboarding, only faster."""

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Page

from associations.factories import UserFactory
from associations.models import Association, NewsPostPage

pytestmark = pytest.mark.django_db


def test_generated_associations_are_complete_and_isolated(association_a):
    call_command("generer_donnees", "--associations", "3", "--news", "2", stdout=None)
    generated = Association.objects.filter(slug__startswith="asso-gen-").order_by("slug")
    assert generated.count() == 3
    assert not Page.find_problems()[0] and not any(Page.find_problems())
    client = Client()
    for association in generated:
        for path in ["", "actualites/", "nous-aider/", "nos-projets/"]:
            assert client.get(f"{association.url}{path}").status_code == 200
        assert NewsPostPage.objects.descendant_of(association.home_page).count() == 2
        assert association.collection is not None and association.treasurers_group is not None
    editor = UserFactory(email="gen@exemple.org")
    editor.groups.add(generated[0].editors_group)
    client.force_login(editor)
    assert client.get(f"/admin/pages/{generated[0].home_page_id}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{generated[1].home_page_id}/edit/").status_code == 404
    assert client.get(f"/admin/pages/{association_a.home_page_id}/edit/").status_code == 404
    call_command("generer_donnees", "--associations", "1", "--news", "0", stdout=None)
    assert Association.objects.filter(slug="asso-gen-000004").exists()
