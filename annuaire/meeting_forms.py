"""Forms of the meetings: the public registration, the admin's series planner and date fields.

Why an ISO date used to become "now": Wagtail's admin date widget is the jQuery
``datetimepicker``, configured with the French format (``WAGTAIL_DATETIME_FORMAT`` =
``%d/%m/%Y %H:%M``). With its default ``validateOnBlur``, leaving a field whose text does not
parse in that format ("2026-12-10T18:00": "2026" is not a day) *replaces the text by the current
date and time*, in the browser, before the form is sent: the server never saw the typed value.
``MeetingDateTimeInput`` turns that off (the text is sent as typed) and ``MeetingDateTimeField``
reads French and ISO dates and refuses anything else with a French message.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from annuaire import meetings
from annuaire.models import MeetingKind, MeetingStatus
from associations.models import Commune


class MeetingDateTimeInput(AdminDateTimeInput):
    """The admin's date picker, without its "replace what I do not understand by now"."""

    def get_config(self):
        return {**super().get_config(), "validateOnBlur": False}


class MeetingDateTimeField(forms.Field):
    widget = MeetingDateTimeInput
    default_error_messages = {"invalid": _("Date illisible.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return meetings.parse_meeting_datetime(value)

    def prepare_value(self, value):
        # shown in local time, as Django's own DateTimeField does (stored values are UTC)
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return value


class MeetingDateField(forms.Field):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        return meetings.parse_meeting_date(value)


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Votre nom"),
        max_length=200,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("Votre e-mail"),
        error_messages={"required": _("Indiquez votre adresse e-mail.")},
        max_length=254,
        help_text=_("Pour vous envoyer la confirmation et le lien d'annulation."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    structure = forms.CharField(
        label=_("Votre structure"),
        max_length=200,
        required=False,
        help_text=_("Association, entreprise, collectivité… ou rien si vous venez à titre personnel."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    consent = forms.BooleanField(
        label=_(
            "J'accepte que l'équipe d'animation du réseau garde mon inscription pour organiser la rencontre "
            "(elle est effacée avec la rencontre ; je peux l'annuler à tout moment)."
        ),
        required=True,
        error_messages={"required": _("Cochez la case pour vous inscrire.")},
    )
    site_internet_bis = forms.CharField(label=_("Ne pas remplir"), required=False)

    def clean_site_internet_bis(self):
        if self.cleaned_data.get("site_internet_bis"):
            raise ValidationError(_("Ce champ doit rester vide."))
        return ""


class CommuneListField(forms.CharField):
    """An ordered list of communes, one a line: a name ("Lens", "Saint-Omer") or an INSEE code."""

    widget = forms.Textarea(attrs={"rows": 6})

    def clean(self, value):
        value = super().clean(value)
        communes, unknown = [], []
        for line in (value or "").splitlines():
            text = line.strip()
            if not text:
                continue
            commune = (
                Commune.objects.filter(code=text).first()
                or Commune.objects.filter(name__iexact=text).order_by("code").first()
            )
            if commune is None:
                unknown.append(text)
            else:
                communes.append(commune)
        if unknown:
            raise ValidationError(
                _("Communes inconnues dans le Pas-de-Calais : %(names)s. Écrivez le nom officiel ou le code INSEE.")
                % {"names": ", ".join(unknown)}
            )
        if not communes:
            raise ValidationError(_("Indiquez au moins une commune."))
        return communes


class MeetingSeriesForm(forms.Form):
    title = forms.CharField(label=_("Titre de la série"), max_length=150, initial="Paroles de comptoir")
    kind = forms.ChoiceField(label=_("Type de rencontre"), choices=MeetingKind.choices, initial=MeetingKind.PAROLES)
    theme = forms.CharField(label=_("Thème"), max_length=250, required=False)
    start = MeetingDateTimeField(
        label=_("Première rencontre (date et heure)"), help_text=_("Par exemple 10/12/2026 18:00.")
    )
    duration_hours = forms.DecimalField(
        label=_("Durée (heures)"),
        min_value=2,
        max_value=4,
        decimal_places=1,
        initial=2,
        error_messages={
            "min_value": _("Une rencontre dure au moins 2 heures."),
            "max_value": _("Une rencontre dure au plus 4 heures."),
        },
    )
    period_days = forms.IntegerField(
        label=_("Tous les … jours"), min_value=1, max_value=365, initial=meetings.DEFAULT_PERIOD_DAYS
    )
    count = forms.IntegerField(
        label=_("Nombre de rencontres"), min_value=1, max_value=meetings.MAX_SERIES_MEETINGS, required=False
    )
    until = MeetingDateField(
        label=_("ou : jusqu'au"), required=False, help_text=_("Date de la dernière rencontre possible (10/06/2027).")
    )
    communes = CommuneListField(
        label=_("Communes, dans l'ordre"),
        help_text=_("Une commune par ligne ; la première rencontre a lieu dans la première, et ainsi de suite."),
    )
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, required=False)
    status = forms.ChoiceField(
        label=_("Statut des rencontres créées"),
        choices=[
            (MeetingStatus.ANNOUNCED, MeetingStatus.ANNOUNCED.label),
            (MeetingStatus.DRAFT, MeetingStatus.DRAFT.label),
        ],
        initial=MeetingStatus.ANNOUNCED,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("count") is None and cleaned.get("until") is None and not self.errors:
            raise ValidationError(_("Indiquez un nombre de rencontres ou une date de fin."))
        if cleaned.get("count") is not None and cleaned.get("until") is not None:
            raise ValidationError(_("Indiquez un nombre de rencontres ou une date de fin, pas les deux."))
        return cleaned
