"""The treasurer's "Contacts": her members and donors by list, their consent, exports and mailings.

Paheko's and HelloAsso's back offices offer the same: a list of members (à jour, à relancer,
anciens) and donors (ponctuels, mensuels, par année), one row per person, exported to a
spreadsheet, and an e-mail to a list. Only the association's treasurers (the money permission)
and platform staff reach these pages; a mailing's page is guarded by the tenancy declaration
of ``Mailing`` (namespace ``envois``).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from associations.models import Association
from associations.selectors import associations_with_money_of, user_is_platform_staff
from campagnes import exports, mailings
from campagnes.admin.listing import XLSX_CONTENT_TYPE
from campagnes.contacts import Audience, Person, audience_payments, audience_people, people_from_keys, people_keys
from campagnes.models import Mailing, MailingRecipient
from kernel.formats.french import french_date, french_datetime
from kernel.params import int_param

CONTACTS_NAMESPACE = "contacts"
MAILINGS_NAMESPACE = "envois"
PER_PAGE = 50


def _allowed(request):
    user = request.user
    if user_is_platform_staff(user):
        return Association.objects.all()
    if not associations_with_money_of(user).exists():
        raise PermissionDenied
    return associations_with_money_of(user)


def _association(request) -> Association | None:
    """The association chosen in the query string, or the user's only one; None: ask."""
    allowed = _allowed(request)
    chosen = int_param(request, "association", minimum=1)
    if chosen is not None:
        return get_object_or_404(allowed, pk=chosen)
    if allowed.count() == 1:
        return allowed.get()
    return None


def _choose(request, title: str) -> TemplateResponse:
    return TemplateResponse(
        request,
        "campagnes/admin/receipts_choose_association.html",
        {"title": title, "associations": list(_allowed(request).order_by("name").only("pk", "name"))},
    )


def _audience(request) -> str:
    value = request.GET.get("liste") or request.POST.get("liste") or Audience.MEMBERS_VALID
    if value not in Audience.values:
        raise Http404(_("Cette liste n'existe pas."))
    return value


def contact_headers() -> list[str]:
    return [
        _("Nom"),
        _("Prénom"),
        _("Entreprise"),
        _("E-mail"),
        _("Téléphone"),
        _("Adresse"),
        _("Code postal"),
        _("Ville"),
        _("Détail"),
        _("Dernier paiement"),
        _("Contact par e-mail"),
        _("Accord donné le"),
    ]


def contact_row(person: Person) -> list:
    payment = person.payment
    return [
        payment.last_name,
        payment.first_name,
        payment.company_name,
        person.email,
        payment.phone,
        payment.street_address,
        payment.postal_code,
        payment.city,
        person.detail,
        french_date((payment.paid_at or payment.created_at).date()) if (payment.paid_at or payment.created_at) else "",
        person.status_label,
        french_datetime(person.consent_at) if person.consent_at else "",
    ]


def contacts_index(request):
    association = _association(request)
    if association is None:
        return _choose(request, _("Contacts"))
    audience = _audience(request)
    associations = Association.objects.filter(pk=association.pk)
    export = request.GET.get("export")
    label = Audience.label_for(audience)
    if export in ("csv", "xlsx"):
        rows = [contact_row(person) for person in audience_people(associations, audience)]
        headers = contact_headers()
        if export == "xlsx":
            content, content_type = exports.render_xlsx(headers, rows, title=_("Contacts")), XLSX_CONTENT_TYPE
        else:
            content, content_type = exports.render_csv(headers, rows), "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{audience}.{export}"'
        return response
    keys = people_keys(audience_payments(associations, audience))
    page = Paginator(keys, PER_PAGE).get_page(request.GET.get("p"))
    people = people_from_keys(list(page.object_list))
    return TemplateResponse(
        request,
        "campagnes/admin/contacts_index.html",
        {
            "association": association,
            "several": _allowed(request).count() > 1,
            "audiences": Audience.choices,
            "audience": audience,
            "audience_label": label,
            "page_obj": page,
            "people": people,
            "compose_url": reverse(f"{CONTACTS_NAMESPACE}:compose") + f"?association={association.pk}&liste={audience}",
            "mailings_url": reverse(f"{CONTACTS_NAMESPACE}:mailings") + f"?association={association.pk}",
        },
    )


class MailingForm(forms.Form):
    liste = forms.ChoiceField(label=gettext_lazy("Liste"), choices=Audience.choices)
    subject = forms.CharField(label=gettext_lazy("Objet"), max_length=mailings.SUBJECT_MAX)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=mailings.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "Texte simple. Un lien de désabonnement et la raison de l'envoi sont ajoutés en bas de chaque message."
        ),
    )


def mailing_compose(request):
    association = _association(request)
    if association is None:
        return _choose(request, _("Écrire à une liste"))
    associations = Association.objects.filter(pk=association.pk)
    data = request.POST if request.method == "POST" else None
    form = MailingForm(data, initial={"liste": _audience(request)})
    audience = form.data.get("liste") if data else _audience(request)
    audience = audience if audience in Audience.values else Audience.MEMBERS_VALID
    status = 200
    if data is not None and form.is_valid():
        if request.POST.get("action") == "envoyer":
            try:
                mailing = mailings.mailing_create(
                    association=association,
                    audience=form.cleaned_data["liste"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    user=request.user,
                )
            except mailings.MailingError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                count = mailing.recipients.count()
                messages.success(
                    request,
                    _("Votre message part à %(count)s personne(s) : suivez l'envoi ci-dessous.") % {"count": count},
                )
                return redirect(f"{MAILINGS_NAMESPACE}:detail", pk=mailing.pk)
    elif data is not None:
        status = 400
    count = mailings.audience_count(audience_people(associations, audience))
    return TemplateResponse(
        request,
        "campagnes/admin/mailing_compose.html",
        {
            "association": association,
            "form": form,
            "count": count,
            "audience_label": Audience.label_for(audience),
            "list_url": reverse(f"{CONTACTS_NAMESPACE}:index") + f"?association={association.pk}&liste={audience}",
        },
        status=status,
    )


def mailing_index(request):
    association = _association(request)
    if association is None:
        return _choose(request, _("Envois"))
    mailing_list = Mailing.objects.filter(association=association).order_by("-created_at", "-pk")
    page = Paginator(mailing_list, PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "campagnes/admin/mailing_index.html",
        {
            "association": association,
            "page_obj": page,
            "rows": [(mailing, mailings.mailing_counts(mailing)) for mailing in page.object_list],
            "compose_url": reverse(f"{CONTACTS_NAMESPACE}:compose") + f"?association={association.pk}",
        },
    )


def mailing_detail(request, pk: int):
    mailing = get_object_or_404(Mailing.objects.select_related("association"), pk=pk, association__in=_allowed(request))
    if request.method == "POST":
        count = mailings.mailing_retry_failed(mailing=mailing)
        messages.success(
            request, _("Envoi relancé : %(count)s message(s) en échec remis en file d'attente.") % {"count": count}
        )
        return redirect(f"{MAILINGS_NAMESPACE}:detail", pk=mailing.pk)
    recipients = MailingRecipient.objects.filter(mailing=mailing).order_by("pk")
    only = request.GET.get("statut")
    if only:
        recipients = recipients.filter(status=only)
    page = Paginator(recipients, PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "campagnes/admin/mailing_detail.html",
        {
            "mailing": mailing,
            "counts": mailings.mailing_counts(mailing),
            "page_obj": page,
            "statut": only or "",
            "mailings_url": reverse(f"{CONTACTS_NAMESPACE}:mailings") + f"?association={mailing.association_id}",
        },
    )


def admin_urls() -> list:
    return [
        path(
            "contacts/",
            include(
                (
                    [
                        path("", contacts_index, name="index"),
                        path("ecrire/", mailing_compose, name="compose"),
                        path("envois/", mailing_index, name="mailings"),
                    ],
                    CONTACTS_NAMESPACE,
                ),
                namespace=CONTACTS_NAMESPACE,
            ),
        ),
        path(
            "envois/",
            include(
                ([path("<int:pk>/", mailing_detail, name="detail")], MAILINGS_NAMESPACE),
                namespace=MAILINGS_NAMESPACE,
            ),
        ),
    ]


class ContactsMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return user_is_platform_staff(user) or associations_with_money_of(user).exists()


def contacts_menu_item() -> ContactsMenuItem:
    return ContactsMenuItem(
        gettext_lazy("Contacts et envois"),
        reverse_lazy(f"{CONTACTS_NAMESPACE}:index"),
        name="contacts",
        icon_name="mail",
        order=162,
    )
