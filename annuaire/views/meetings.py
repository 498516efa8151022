"""The agenda of meetings, each feuille de chou, its one-page print view and the iCalendar feed."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annuaire import selectors
from annuaire.feuille import feuille_content, qr_svg, render_feuille_pdf
from annuaire.ical import meetings_calendar
from kernel.pagination import paginate

PAST_PER_PAGE = 12


@require_GET
def agenda(request):
    paginator, past = paginate(request, selectors.meetings_past(), PAST_PER_PAGE)
    context = {"upcoming": selectors.meetings_upcoming(), "past": past, "paginator": paginator}
    return render(request, "annuaire/agenda.html", context)


def _meeting(request, slug: str):
    meeting = selectors.meeting_detail(slug=slug, user=request.user)
    if meeting is None:
        raise Http404
    return meeting


@require_GET
def meeting_detail(request, slug: str):
    meeting = _meeting(request, slug)
    sheet = selectors.meeting_sheet(meeting=meeting, user=request.user)
    return render(request, "annuaire/meeting_detail.html", {"meeting": meeting, "sheet": sheet})


@require_GET
def meeting_print(request, slug: str):
    """The feuille de chou on one A4 sheet, with a QR code to its online version; long parts are
    shortened ("… suite en ligne", ``annuaire.feuille.feuille_content``).

    Same rules as the detail page (``selectors.meeting_sheet``): without a published feuille
    there is nothing to print, so an announced meeting answers 404 to the public."""
    meeting = _meeting(request, slug)
    sheet = selectors.meeting_sheet(meeting=meeting, user=request.user)
    if not sheet.shows_sheet:
        raise Http404
    online_url = request.build_absolute_uri(meeting.get_absolute_url())
    context = {
        "meeting": meeting,
        "sheet": sheet,
        "content": feuille_content(sheet),
        "online_url": online_url,
        "qr_svg": qr_svg(online_url),
    }
    return render(request, "annuaire/meeting_print.html", context)


@require_GET
def meeting_pdf(request, slug: str):
    """The same feuille de chou as a one-page A4 PDF (the one attached to the e-mails)."""
    meeting = _meeting(request, slug)
    sheet = selectors.meeting_sheet(meeting=meeting, user=request.user)
    if not sheet.shows_sheet:
        raise Http404
    pdf = render_feuille_pdf(meeting, sheet, request.build_absolute_uri(meeting.get_absolute_url()))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="feuille-de-chou-{meeting.slug}.pdf"'
    return response


@require_GET
def agenda_ics(request):
    body = meetings_calendar(
        request=request, meetings=selectors.meetings_upcoming()[:200], past=selectors.meetings_past()[:200]
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="rencontres-kollektif.ics"'
    return response
