"""Meetings as the network runs them: a series every 15 days in another commune, each meeting
moved alone; 2 to 4 hours; dates typed in French or ISO, anything else refused in French."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from annuaire import meetings
from annuaire.factories import MeetingFactory
from annuaire.meeting_forms import MeetingDateTimeInput
from annuaire.models import Meeting, MeetingSeries
from associations.models import Commune

pytestmark = pytest.mark.django_db

SIX_COMMUNES = ["Lens", "Béthune", "Arras", "Calais", "Saint-Omer", "Bruay-la-Buissière"]


def _local(year, month, day, hour=18, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@pytest.fixture
def communes():
    found = []
    for name in SIX_COMMUNES:
        commune = Commune.objects.filter(name=name).order_by("code").first()
        assert commune is not None, name
        found.append(commune)
    return found


def test_a_series_of_six_every_fifteen_days_then_one_moved(communes):
    series = meetings.meeting_series_create(
        title="Paroles de comptoir",
        start=_local(2027, 1, 7),
        count=6,
        period_days=15,
        communes=communes,
        duration=timedelta(hours=3),
        capacity=20,
    )
    planned = list(series.meetings.order_by("starts_at"))
    assert len(planned) == 6
    assert [m.commune.name for m in planned] == SIX_COMMUNES
    starts = [timezone.localtime(m.starts_at) for m in planned]
    assert [s.date() for s in starts] == [date(2027, 1, 7) + timedelta(days=15 * i) for i in range(6)]
    # wall-clock time kept across the change to summer time (28 March 2027)
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    assert all(m.ends_at - m.starts_at == timedelta(hours=3) and m.capacity == 20 for m in planned)
    assert len({m.slug for m in planned}) == 6

    before = {m.pk: (m.starts_at, m.ends_at, m.commune_id) for m in planned}
    moved = meetings.meeting_move(meeting=planned[2], starts_at=_local(2027, 2, 10, 14), commune=communes[0])
    assert timezone.localtime(moved.ends_at).hour == 17  # keeps its 3 hours
    for meeting in Meeting.objects.filter(series=series).exclude(pk=moved.pk):
        assert (meeting.starts_at, meeting.ends_at, meeting.commune_id) == before[meeting.pk]


def test_a_series_until_an_end_date(communes):
    series = meetings.meeting_series_create(
        title="Ateliers", start=_local(2027, 1, 7), until=date(2027, 2, 18), communes=communes[:2]
    )
    planned = list(series.meetings.order_by("starts_at"))
    assert len(planned) == 4  # 7/1, 21/1, 4/2, 18/2 (every 14 days by default)
    assert [m.commune.name for m in planned] == ["Lens", "Béthune", "Lens", "Béthune"]


def test_duration_rules():
    start = _local(2027, 1, 7)
    meetings.validate_meeting_times(starts_at=start, ends_at=start + timedelta(hours=2))
    meetings.validate_meeting_times(starts_at=start, ends_at=start + timedelta(hours=4))
    for ends_at, message in [
        (start - timedelta(hours=1), "La fin doit être après le début"),
        (start, "La fin doit être après le début"),
        (start + timedelta(hours=1, minutes=59), "au moins 2 heures"),
        (start + timedelta(hours=4, minutes=1), "au plus 4 heures"),
    ]:
        with pytest.raises(ValidationError) as exc:
            meetings.validate_meeting_times(starts_at=start, ends_at=ends_at)
        assert message in str(exc.value)


def test_moving_a_meeting_to_end_before_it_starts_changes_nothing():
    meeting = MeetingFactory(ends_at=None)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    meeting.save()
    before = (meeting.starts_at, meeting.ends_at)
    with pytest.raises(ValidationError):
        meetings.meeting_move(meeting=meeting, starts_at=meeting.starts_at, ends_at=meeting.starts_at)
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at) == before


@pytest.mark.parametrize(
    "typed",
    ["2026-12-10T18:00", "2026-12-10 18:00", "10/12/2026 18:00", "10/12/2026 18h00", "2026-12-10T18:00:00"],
)
def test_french_and_iso_dates_are_read(typed):
    assert timezone.localtime(meetings.parse_meeting_datetime(typed)) == timezone.localtime(_local(2026, 12, 10))


@pytest.mark.parametrize("typed", ["demain soir", "32/12/2026 18:00", "2026-13-10T18:00", "10/12"])
def test_garbage_dates_are_refused_in_french(typed):
    with pytest.raises(ValidationError) as exc:
        meetings.parse_meeting_datetime(typed)
    assert "Date illisible" in exc.value.messages[0]


def test_the_admin_date_picker_no_longer_turns_an_unknown_text_into_now():
    # jquery.datetimepicker's validateOnBlur replaced "2026-12-10T18:00" by the current time
    assert MeetingDateTimeInput().get_config()["validateOnBlur"] is False


def _admin_form(meeting, **overrides):
    data = {
        "kind": "paroles-de-comptoir",
        "title": meeting.title,
        "slug": meeting.slug,
        "theme": meeting.theme,
        "starts_at": "2026-12-10T18:00",
        "ends_at": "2026-12-10T21:00",
        "place": meeting.place,
        "commune": meeting.commune_id,
        "host": "",
        "expert_actor": "",
        "expert": "Une juriste de l'URSCOP",
        "expert_presentation": "Accompagne les coopératives du territoire.",
        "capacity": "12",
        "registration_open": "on",
        "participants": [],
        "summary": "",
        "leads": "",
        "contacts": "",
        "status": "annoncee",
    }
    data.update(overrides)
    return data


def test_admin_accepts_iso_and_refuses_garbage_and_bad_durations(animator_client, actors):
    meeting = MeetingFactory(title="Paroles à Lens")
    url = f"/admin/snippets/annuaire/meeting/edit/{meeting.pk}/"
    response = animator_client.post(url, _admin_form(meeting))
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at) == timezone.localtime(_local(2026, 12, 10))
    assert meeting.capacity == 12 and meeting.expert_name == "Une juriste de l'URSCOP"
    edit_page = animator_client.get(url).content.decode()
    assert 'value="10/12/2026 18:00"' in edit_page and "validateOnBlur" in edit_page

    for overrides, message in [
        ({"starts_at": "jeudi prochain"}, "Date illisible"),
        ({"ends_at": "2026-12-10T17:00"}, "La fin doit être après le début"),
        ({"ends_at": "10/12/2026 19:00"}, "au moins 2 heures"),
        ({"ends_at": "10/12/2026 23:30"}, "au plus 4 heures"),
        ({"expert_actor": actors["indelab"].pk}, "pas les deux"),
    ]:
        response = animator_client.post(url, _admin_form(meeting, title="Changé", **overrides))
        assert response.status_code == 400, overrides
        assert message in response.content.decode(), overrides
        meeting.refresh_from_db()
        assert meeting.title == "Paroles à Lens"
        assert timezone.localtime(meeting.starts_at) == timezone.localtime(_local(2026, 12, 10))


def test_expert_as_an_actor_is_shown_on_the_meeting_page(client, actors):
    meeting = MeetingFactory(
        status="annoncee",
        starts_at=timezone.now() + timedelta(days=5),
        expert_actor=actors["indelab"],
        expert_presentation="La SCIC qui fait Kollektif.",
    )
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "Expert·e invité·e" in body and "Indelab" in body and "La SCIC qui fait Kollektif." in body


def test_the_series_planner_in_the_admin(animator_client, communes):
    page = animator_client.get("/admin/snippets/annuaire/meeting/serie/")
    assert page.status_code == 200 and "Planifier une série" in page.content.decode()
    assert (
        "/admin/snippets/annuaire/meeting/serie/"
        in animator_client.get("/admin/snippets/annuaire/meeting/").content.decode()
    )
    data = {
        "title": "Paroles de comptoir",
        "kind": "paroles-de-comptoir",
        "theme": "",
        "start": "2027-01-07T18:00",
        "duration_hours": "2",
        "period_days": "15",
        "count": "6",
        "until": "",
        "communes": "\n".join(SIX_COMMUNES),
        "capacity": "15",
        "status": "annoncee",
    }
    response = animator_client.post("/admin/snippets/annuaire/meeting/serie/", data, follow=True)
    assert response.status_code == 200 and "6 rencontres créées" in response.content.decode()
    assert Meeting.objects.filter(series__isnull=False).count() == 6

    bad = animator_client.post(
        "/admin/snippets/annuaire/meeting/serie/", {**data, "communes": "Lens\nMontreuil-sous-Bois", "start": "hier"}
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Date illisible" in body and "Montreuil-sous-Bois" in body
    assert MeetingSeries.objects.count() == 1


def test_editors_cannot_plan_series(client_a):
    assert client_a.get("/admin/snippets/annuaire/meeting/serie/").status_code in (302, 403, 404)
