"""The meetings as an iCalendar feed (icalendar library), for the animators' calendars."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

DEFAULT_DURATION = timedelta(hours=2)


def meetings_calendar(*, request, meetings, past=()) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Kollektif//Rencontres du réseau ESS//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Rencontres du réseau Kollektif")
    now = timezone.now()
    for meeting in [*meetings, *past]:
        event = Event()
        event.add("uid", f"rencontre-{meeting.pk}@kollektif.org")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_DURATION)
        event.add("summary", f"{meeting.get_kind_display()} : {meeting.title}")
        location = ", ".join(part for part in (meeting.place, meeting.commune.name) if part)
        event.add("location", location)
        event.add("description", meeting.theme or "")
        event.add("url", request.build_absolute_uri(meeting.get_absolute_url()))
        calendar.add_component(event)
    return calendar.to_ical()
