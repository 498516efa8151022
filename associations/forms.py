"""Forms of the association space: self-service signup, invitations (the public search: search.py)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from associations.domains import validate_custom_domain
from associations.models import Association, Commune
from associations.models.association import LATITUDE_RANGE, LONGITUDE_RANGE, InvitationRole
from associations.references import ReferenceScope, TenantReferencesFormMixin, scope_for_association
from associations.validators import validate_image_file
from associations.widgets import LocalLeafletField

ALLOWED_LOGO_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
POINT_PATTERN = re.compile(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)", re.IGNORECASE)


def validate_logo_upload(upload) -> None:
    """Reject what is not a real, reasonably sized picture, whatever its file name says."""
    max_bytes = settings.KOLLEKTIF_LOGO_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("Le fichier est trop lourd (%(size)s) : %(max)s au maximum.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)}
        )
    validate_image_file(upload, allowed_formats=ALLOWED_LOGO_FORMATS)


class DecodedImageField(WagtailImageField):
    """Wagtail's image field, after a full decode of the upload by ``validate_image_file``.

    Wagtail only reads the header: a truncated GIF or a broken WebP was accepted and failed
    later as a 500 when its thumbnail was made. The size limit is checked first, so an
    oversized file is refused without being decoded.
    """

    def to_python(self, data):
        if hasattr(data, "read") and (self.max_upload_size is None or data.size <= self.max_upload_size):
            validate_image_file(data)
        return super().to_python(data)


class ImageUploadForm(BaseImageForm):
    """Base of every Wagtail image form (``WAGTAILIMAGES_IMAGE_FORM_BASE``): add, edit, chooser
    upload and multiple upload all decode the picture before accepting it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if isinstance(field, WagtailImageField) and not isinstance(field, DecodedImageField):
            self.fields["file"] = DecodedImageField(
                label=field.label,
                required=field.required,
                widget=field.widget,
                help_text=field.help_text,
            )


class AssociationSignupForm(forms.ModelForm):
    """What a volunteer fills in to ask for a site: the legal identity and the contacts."""

    logo_upload = forms.FileField(
        label=_("Logo (facultatif)"),
        required=False,
        help_text=_("Image PNG, JPEG, GIF ou WebP, 5 Mo au maximum."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": _("Cette commune n'est pas dans la liste du Pas-de-Calais.")},
    )
    accept_terms = forms.BooleanField(
        label=_("Je certifie représenter cette structure et accepte les conditions d'utilisation de Kollektif."),
    )

    class Meta:
        model = Association
        fields = [
            "name",
            "slug",
            "legal_form",
            "rna",
            "siren",
            "objet",
            "street_address",
            "postal_code",
            "commune",
            "email",
            "phone",
            "website",
            "theme",
            "sectors",
        ]
        widgets = {
            "objet": forms.Textarea(attrs={"rows": 4}),
            "sectors": forms.CheckboxSelectMultiple,
            "theme": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Laissez vide pour la déduire du nom. Lettres, chiffres et tirets.")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields["street_address"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postal_code"].widget.attrs.update(autocomplete="postal-code", inputmode="numeric")

    def clean_slug(self):
        slug = slugify(self.cleaned_data.get("slug") or self.data.get("name", ""))[:80].strip("-")
        if not slug:
            raise ValidationError(_("Choisissez une adresse pour le site."))
        if Association.objects.filter(slug=slug).exists():
            raise ValidationError(_("Cette adresse est déjà prise par une autre association."))
        return slug

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            validate_logo_upload(upload)
        return upload


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne à inviter"),
        error_messages={"invalid": _("Cette adresse e-mail n'est pas valide.")},
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=InvitationRole.choices, initial=InvitationRole.EDITOR)


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("Valider : le site est mis en ligne")), ("refuse", _("Refuser la demande"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif du refus (envoyé au demandeur)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Expliquez le motif du refus : il sera envoyé au demandeur."))
        return cleaned


def parse_point(value: str) -> tuple[Decimal, Decimal] | None:
    """Read wagtailgeowidget's "SRID=4326;POINT(lng lat)" value."""
    match = POINT_PATTERN.search(value or "")
    if not match:
        return None
    lng, lat = (Decimal(part).quantize(Decimal("0.000001")) for part in match.groups())
    return lat, lng


class AssociationAdminForm(TenantReferencesFormMixin, WagtailAdminModelForm):
    """Admin form of the association record: the map widget fills latitude and longitude; the
    logo must be one of the association's own images."""

    location = forms.CharField(label=_("Position sur la carte"), required=False, widget=LocalLeafletField())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance and instance.latitude is not None and instance.longitude is not None:
            self.initial["location"] = f"SRID=4326;POINT({instance.longitude} {instance.latitude})"

    def reference_scope(self) -> ReferenceScope | None:
        scope = super().reference_scope()
        if scope is None or self.instance.pk is None:
            return scope
        return scope_for_association(self.instance)

    def clean_custom_domain(self):
        """The name as the person must write it (no capitals, scheme, path or port): said in the
        form rather than silently changed; the record checks that nobody else uses it."""
        return validate_custom_domain(self.cleaned_data.get("custom_domain", ""), typed=True)

    def clean(self):
        cleaned = super().clean()
        if "location" in self.fields and cleaned.get("location"):
            point = parse_point(cleaned["location"])
            if point is None:
                self.add_error("location", _("Position illisible : cliquez sur la carte pour la placer."))
            elif not (
                LATITUDE_RANGE[0] <= point[0] <= LATITUDE_RANGE[1]
                and LONGITUDE_RANGE[0] <= point[1] <= LONGITUDE_RANGE[1]
            ):
                self.add_error("location", _("Cette position est hors de France : placez le repère sur la carte."))
            else:
                self.instance.latitude, self.instance.longitude = point
        return cleaned
