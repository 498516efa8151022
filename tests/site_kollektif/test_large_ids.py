"""Ids past 999 are written as ids, not as French numbers.

With ``USE_THOUSAND_SEPARATOR`` (French amounts and counts: "1 234 €"), Django writes every
integer a template prints as "1 044". An association created after the thousandth one then got a
400 from every admin form that carries its id ("Actualiser" the payouts), and the progress bars of
campaign 4 205 were never refreshed on the cached pages. It only showed on PostgreSQL after a
thousand tests, where ids grow past 999: here the ids are pushed there on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from associations.models import Association
from campagnes.models import DonationCampaignPage
from tests.campagnes.test_payouts import connected_a, payments, recorded, treasurer_a  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _next_id_at_least(model, value: int) -> None:
    """The next row of ``model`` gets an id of ``value`` or more (sequence moved, rolled back with the test)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, value])
        else:  # Django's SQLite AutoField is AUTOINCREMENT: its counter lives in sqlite_sequence
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, value])


@pytest.fixture(autouse=True)
def _ids_past_a_thousand(db):
    from wagtail.models import Page

    _next_id_at_least(Association, 1043)
    _next_id_at_least(Page, 4200)


@pytest.mark.usefixtures("recorded", "payments")
def test_the_treasurer_of_association_1044_refreshes_her_payouts(request):
    association = request.getfixturevalue("connected_a")
    treasurer = request.getfixturevalue("treasurer_a")
    assert association.pk >= 1000
    client = Client()
    client.force_login(treasurer)
    page = client.get("/admin/virements/")
    assert page.status_code == 200
    sent = re.search(r'name="association" value="([^"]*)"', page.content.decode()).group(1)
    assert sent == str(association.pk)  # "1044", not "1 044"
    answer = client.post("/admin/virements/actualiser/", {"association": sent}, follow=True)
    assert answer.status_code == 200
    assert "Virements à jour : 3 virements lus chez Stripe." in answer.content.decode()


def test_the_progress_of_campaign_4205_is_refreshed_on_the_cached_page(association_a):
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine", slug="machine", goal="100")
    support.add_child(instance=campaign)
    assert campaign.pk >= 1000
    html = Client().get("/association/popeline/nous-aider/").content.decode()
    assert f'data-progress-campaign="{campaign.pk}"' in html
    feed = Client().get("/progression/popeline/").json()["campaigns"]
    assert list(feed) == [str(campaign.pk)]  # the key progress-refresh.js looks the block up by
    assert f'data-progress-campaign="{campaign.pk}"' in feed[str(campaign.pk)]


def test_the_editor_of_association_1044_gets_a_working_link_to_her_pages(association_a, editor_a):
    client = Client()
    client.force_login(editor_a)
    html = client.get("/espace/").content.decode()
    assert f'href="/admin/pages/{association_a.home_page_id}/"' in html
    assert client.get(f"/admin/pages/{association_a.home_page_id}/").status_code == 200


# Every id a template writes goes through `unlocalize` (or `{% url %}`, which never localizes).
ID_OUTPUT = re.compile(r"\{\{ *([a-zA-Z_][\w.]*(?:\.pk|\.id|_id|_pk|page_number|progress_campaign)) *\}\}")
NOT_DATABASE_IDS = ("auto_id", "table_id", "stripe_id")


def test_no_template_writes_an_id_as_a_french_number():
    offenders = []
    apps = [Path(django_settings.BASE_DIR) / app / "templates" for app in ("associations", "campagnes", "annuaire")]
    for folder in [*django_settings.TEMPLATES[0]["DIRS"], *apps]:
        for path in Path(folder).rglob("*"):
            if path.suffix not in {".html", ".txt", ".xml", ".js"}:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for match in ID_OUTPUT.finditer(line):
                    if not match.group(1).endswith(NOT_DATABASE_IDS):
                        offenders.append(f"{path}:{number}: {match.group(0)}")
    assert offenders == [], "écrire {{ …|unlocalize }} :\n" + "\n".join(offenders)
