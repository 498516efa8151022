"""Meetings as the network runs them: series, times, registrations.

Writes (``meeting_series_create``, ``meeting_move``, ``registration_create``,
``registration_cancel``) are one transaction each; reads of the places left are here too so the
agenda, the meeting page and the registration service count the same way.

The department's decision asks for meetings "tous les 15 jours, sur un territoire différent",
lasting 2 to 4 hours: ``MIN_DURATION`` / ``MAX_DURATION`` and the series planner follow it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from annuaire.models import Meeting, MeetingKind, MeetingRegistration, MeetingSeries, MeetingStatus
from annuaire.services import directory_changed, unique_slug
from associations.models import Commune
from kernel.formats.french import french_long_date
from kernel.mail import send_templated_email

MIN_DURATION = timedelta(hours=2)
MAX_DURATION = timedelta(hours=4)
DEFAULT_PERIOD_DAYS = 14
MAX_SERIES_MEETINGS = 60
CANCEL_SALT = "annuaire.meeting-registration.cancel"

# Accepted ways of typing a date and time: the French one the admin shows, and ISO 8601 (what a
# browser's datetime-local field, a spreadsheet or a copy from an e-mail gives).
DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y %Hh",
    "%d/%m/%Y à %H:%M",
    "%d/%m/%Y à %Hh%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


class MeetingFull(Exception):
    """No place left: the view answers 409."""


class RegistrationAlreadyCancelled(Exception):
    """The cancel link was used already: the view answers 410."""


def datetime_error_message() -> str:
    return _("Date illisible : écrivez-la par exemple 10/12/2026 18:00 (ou 2026-12-10T18:00).")


def parse_meeting_datetime(value: str | datetime | None) -> datetime | None:
    """A date and time typed in French ("10/12/2026 18:00") or ISO ("2026-12-10T18:00"), in the
    local time zone. Anything else is refused with a French message, never replaced by "now"."""
    if value is None or isinstance(value, datetime):
        return _aware(value) if value else None
    text = re.sub(r"\s+", " ", str(value).strip())
    if not text:
        return None
    for fmt in DATETIME_FORMATS:
        try:
            return _aware(datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:  # ISO with an offset or seconds fraction ("2026-12-10T18:00:00+01:00")
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        pass
    raise ValidationError(datetime_error_message(), code="invalid")


def parse_meeting_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Date illisible : écrivez-la par exemple 10/12/2026 (ou 2026-12-10)."), code="invalid")


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def meeting_times_errors(*, starts_at: datetime | None, ends_at: datetime | None) -> dict[str, str]:
    """The rules of a meeting's times, as ``{field: French message}`` (empty when right)."""
    if starts_at is None:
        return {"starts_at": _("Indiquez la date et l'heure de début.")}
    if ends_at is None:
        return {}
    if ends_at <= starts_at:
        return {"ends_at": _("La fin doit être après le début de la rencontre.")}
    if ends_at - starts_at < MIN_DURATION:
        return {"ends_at": _("Une rencontre dure au moins 2 heures.")}
    if ends_at - starts_at > MAX_DURATION:
        return {"ends_at": _("Une rencontre dure au plus 4 heures.")}
    return {}


def validate_meeting_times(*, starts_at: datetime | None, ends_at: datetime | None) -> None:
    errors = meeting_times_errors(starts_at=starts_at, ends_at=ends_at)
    if errors:
        raise ValidationError(errors)


def expert_errors(*, expert_actor, expert: str, expert_presentation: str) -> dict[str, str]:
    """The invited expert is an actor of the network or a person (a name and a short presentation)."""
    if expert_actor is not None and (expert or "").strip():
        return {"expert": _("Choisissez un acteur du réseau ou indiquez une personne, pas les deux.")}
    if (expert_presentation or "").strip() and expert_actor is None and not (expert or "").strip():
        return {"expert": _("Indiquez le nom de la personne présentée.")}
    return {}


# --- Series ------------------------------------------------------------------------------


def series_dates(
    *, start: datetime, count: int | None = None, until: date | None = None, period_days: int = DEFAULT_PERIOD_DAYS
) -> list[datetime]:
    """The start of each meeting: every ``period_days`` days from ``start``, ``count`` times or
    until ``until`` (included). Wall-clock time is kept across the change to summer time."""
    if period_days < 1:
        raise ValidationError({"period_days": _("La période doit être d'au moins un jour.")})
    if (count is None) == (until is None):
        raise ValidationError({"count": _("Indiquez soit un nombre de rencontres, soit une date de fin.")})
    local = timezone.localtime(_aware(start))
    naive = local.replace(tzinfo=None)
    dates: list[datetime] = []
    index = 0
    while True:
        when = naive + timedelta(days=period_days * index)
        if count is not None and index >= count:
            break
        if until is not None and when.date() > until:
            break
        dates.append(timezone.make_aware(when))
        index += 1
        if index > MAX_SERIES_MEETINGS:
            raise ValidationError(
                {"count": _("Une série compte au plus %(max)s rencontres.") % {"max": MAX_SERIES_MEETINGS}}
            )
    if not dates:
        raise ValidationError({"until": _("La date de fin est avant la première rencontre.")})
    return dates


@transaction.atomic
def meeting_series_create(
    *,
    title: str,
    start: datetime,
    communes: Sequence[Commune],
    count: int | None = None,
    until: date | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
    duration: timedelta = MIN_DURATION,
    kind: str = MeetingKind.PAROLES,
    theme: str = "",
    capacity: int | None = None,
    status: str = MeetingStatus.ANNOUNCED,
    created_by: User | None = None,
) -> MeetingSeries:
    """Plan a series: one meeting every ``period_days`` days, each in the next commune of the
    list (the list starts again when it runs out). Each meeting is then a meeting of its own."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre à la série.")})
    communes = list(communes)
    if not communes:
        raise ValidationError({"communes": _("Indiquez au moins une commune.")})
    if count is not None and count < 1:
        raise ValidationError({"count": _("Indiquez au moins une rencontre.")})
    dates = series_dates(start=start, count=count, until=until, period_days=period_days)
    validate_meeting_times(starts_at=dates[0], ends_at=dates[0] + duration)
    series = MeetingSeries.objects.create(title=title, period_days=period_days, created_by=created_by)
    for index, starts_at in enumerate(dates):
        commune = communes[index % len(communes)]
        meeting_title = f"{title} — {commune.name}"
        Meeting.objects.create(
            series=series,
            kind=kind,
            title=meeting_title[:200],
            slug=unique_slug(Meeting, f"{title} {commune.name} {timezone.localdate(starts_at):%Y-%m-%d}"),
            theme=theme,
            starts_at=starts_at,
            ends_at=starts_at + duration,
            commune=commune,
            capacity=capacity,
            status=status,
        )
    directory_changed()
    return series


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, starts_at: datetime, ends_at: datetime | None = None, commune: Commune | None = None
) -> Meeting:
    """Move one meeting (another day, another commune). The other meetings of its series stay
    as they are. Without a new end, the meeting keeps its duration."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if ends_at is None and meeting.ends_at is not None:
        ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    validate_meeting_times(starts_at=starts_at, ends_at=ends_at)
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    if commune is not None:
        meeting.commune = commune
    meeting.save(update_fields=["starts_at", "ends_at", "commune", "updated_at"])
    directory_changed()
    return meeting


# --- Registrations -----------------------------------------------------------------------


def active_registrations_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}cancelled_at__isnull": True})


def with_registered_count(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Annotate ``registered_count`` (active registrations) in the same query as the listing."""
    return meetings.annotate(
        registered_count=Count("registrations", filter=active_registrations_q("registrations__"), distinct=True)
    )


@dataclass(frozen=True)
class Places:
    capacity: int | None
    taken: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity


def meeting_places(meeting: Meeting) -> Places:
    taken = getattr(meeting, "registered_count", None)
    if taken is None:
        taken = meeting.registrations.filter(cancelled_at__isnull=True).count()
    return Places(capacity=meeting.capacity, taken=taken)


def registration_is_possible(meeting: Meeting) -> bool:
    """Open to the public: announced, not yet begun, registrations open."""
    return (
        meeting.status == MeetingStatus.ANNOUNCED and meeting.registration_open and meeting.starts_at > timezone.now()
    )


def cancel_token(registration: MeetingRegistration) -> str:
    return signing.dumps({"r": registration.pk}, salt=CANCEL_SALT, compress=True)


def _clean_registration(*, name: str, email: str, structure: str, consent: bool) -> dict:
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    email = (email or "").strip().lower()
    if not name:
        errors["name"] = _("Indiquez votre nom.")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Cette adresse e-mail n'est pas valide.")
    if not consent:
        errors["consent"] = _("Cochez la case pour accepter que l'équipe d'animation garde votre inscription.")
    if errors:
        raise ValidationError(errors)
    return {"name": name[:200], "email": email, "structure": " ".join((structure or "").split())[:200]}


@transaction.atomic
def registration_create(
    *, meeting: Meeting, name: str, email: str, structure: str = "", consent: bool, cancel_url_for
) -> MeetingRegistration:
    """Sign someone up to a meeting, within its capacity, and e-mail the confirmation with a
    cancel link. The meeting row is locked (``select_for_update``) while counting, so two
    people can never take the last place together on PostgreSQL.

    ``cancel_url_for(token)`` builds the absolute link (the view knows the host)."""
    data = _clean_registration(name=name, email=email, structure=structure, consent=consent)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not registration_is_possible(meeting):
        raise ValidationError(_("Les inscriptions à cette rencontre sont fermées."))
    if meeting.registrations.filter(email=data["email"], cancelled_at__isnull=True).exists():
        raise ValidationError({"email": _("Cette adresse e-mail est déjà inscrite à cette rencontre.")})
    if meeting_places(meeting).is_full:
        raise MeetingFull(_("Cette rencontre est complète."))
    try:
        with transaction.atomic():
            registration = MeetingRegistration.objects.create(meeting=meeting, consent_at=timezone.now(), **data)
    except IntegrityError as exc:  # the same address, in a concurrent request
        raise ValidationError({"email": _("Cette adresse e-mail est déjà inscrite à cette rencontre.")}) from exc
    send_templated_email(
        to=[registration.email],
        subject=_("Inscription confirmée : %(title)s") % {"title": meeting.title},
        template="annuaire_meeting_registration",
        context={
            "registration": registration,
            "meeting": meeting,
            "when": meeting_when(meeting),
            "cancel_url": cancel_url_for(cancel_token(registration)),
        },
        about=registration,
    )
    return registration


def registration_from_token(token: str) -> MeetingRegistration | None:
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
        pk = int(data["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return MeetingRegistration.objects.select_related("meeting", "meeting__commune").filter(pk=pk).first()


@transaction.atomic
def registration_cancel(*, registration: MeetingRegistration) -> MeetingRegistration:
    """Cancel a registration (its place is freed). A second use of the link is refused."""
    registration = MeetingRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.cancelled_at is not None:
        raise RegistrationAlreadyCancelled(_("Cette inscription a déjà été annulée."))
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["cancelled_at"])
    return registration


def meeting_when(meeting: Meeting) -> str:
    """ "10 décembre 2026, 18h00 – 20h00" in local time."""
    start = timezone.localtime(meeting.starts_at)
    text = f"{french_long_date(start)}, {start:%Hh%M}"
    if meeting.ends_at:
        text += f" – {timezone.localtime(meeting.ends_at):%Hh%M}"
    return text


def registrations_for_admin(meeting: Meeting) -> QuerySet[MeetingRegistration]:
    return meeting.registrations.order_by("cancelled_at", "created_at", "pk")
