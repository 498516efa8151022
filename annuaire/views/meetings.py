"""The agenda of meetings, each feuille de chou, its one-page print view and the iCalendar feed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from annuaire import meetings as meeting_services
from annuaire import selectors
from annuaire.feuille import feuille_content, qr_svg, render_feuille_pdf
from annuaire.ical import meetings_calendar
from annuaire.meeting_forms import RegistrationForm
from kernel.pagination import paginate

PAST_PER_PAGE = 12


@require_GET
def agenda(request):
    paginator, past = paginate(request, selectors.meetings_past(), PAST_PER_PAGE)
    upcoming = meeting_services.with_registered_count(selectors.meetings_upcoming())
    context = {"upcoming": upcoming, "past": past, "paginator": paginator}
    return render(request, "annuaire/agenda.html", context)


def _meeting(request, slug: str):
    meeting = selectors.meeting_detail(slug=slug, user=request.user)
    if meeting is None:
        raise Http404
    return meeting


@require_GET
def meeting_detail(request, slug: str):
    return _detail(request, _meeting(request, slug))


def _detail(request, meeting, *, form=None, status: int = 200):
    sheet = selectors.meeting_sheet(meeting=meeting, user=request.user)
    context = {
        "meeting": meeting,
        "sheet": sheet,
        "places": meeting_services.meeting_places(meeting),
        "can_register": meeting_services.registration_is_possible(meeting),
        "registration_form": form or RegistrationForm(),
    }
    return render(request, "annuaire/meeting_detail.html", context, status=status)


REGISTRATION_RATE = "20/h"


@require_POST
def meeting_register(request, slug: str):
    """Sign up from the meeting's public page. Full → 409, bad input → 400, robots → 429."""
    meeting = _meeting(request, slug)
    form = RegistrationForm(request.POST)
    rate = getattr(settings, "KOLLEKTIF_REGISTRATION_RATE", REGISTRATION_RATE)
    if is_ratelimited(request, group="annuaire-registration", key="ip", rate=rate, increment=True):
        form.add_error(None, _("Trop d'inscriptions envoyées depuis votre connexion : réessayez dans une heure."))
        return _detail(request, meeting, form=form, status=429)
    if not form.is_valid():
        return _detail(request, meeting, form=form, status=400)
    data = form.cleaned_data
    try:
        registration = meeting_services.registration_create(
            meeting=meeting,
            name=data["name"],
            email=data["email"],
            structure=data["structure"],
            consent=data["consent"],
            cancel_url_for=lambda token: request.build_absolute_uri(
                reverse("annuaire:meeting_unregister", args=[token])
            ),
        )
    except meeting_services.MeetingFull as exc:
        form.add_error(None, str(exc))
        return _detail(request, meeting, form=form, status=409)
    except ValidationError as exc:
        for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
            form.add_error(field if field in form.fields else None, errors)
        return _detail(request, meeting, form=form, status=400)
    context = {
        "meeting": meeting,
        "registration": registration,
        "when": meeting_services.meeting_when(meeting),
        "places": meeting_services.meeting_places(meeting),
    }
    return render(request, "annuaire/meeting_registered.html", context)


@require_http_methods(["GET", "POST"])
def meeting_unregister(request, token: str):
    """The cancel link of the confirmation e-mail. GET asks to confirm (a mail scanner that
    follows links cancels nothing), POST cancels; a link already used answers 410."""
    registration = meeting_services.registration_from_token(token)
    template = "annuaire/meeting_unregister.html"
    if registration is None:
        context = {"error": _("Ce lien d'annulation n'est pas valide : vérifiez qu'il est complet.")}
        return render(request, template, context, status=404)
    context = {
        "registration": registration,
        "meeting": registration.meeting,
        "when": meeting_services.meeting_when(registration.meeting),
    }
    if registration.cancelled_at is not None:
        context["error"] = _("Cette inscription a déjà été annulée : le lien ne sert qu'une fois.")
        return render(request, template, context, status=410)
    if request.method == "POST":
        try:
            meeting_services.registration_cancel(registration=registration)
        except meeting_services.RegistrationAlreadyCancelled:
            context["error"] = _("Cette inscription a déjà été annulée : le lien ne sert qu'une fois.")
            return render(request, template, context, status=410)
        context["cancelled"] = True
    return render(request, template, context)


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
