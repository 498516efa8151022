""" "Mes reçus" — public views: ask for a link, open it, list and download one's receipts.

A receipt is served only to the session opened by a link sent to the receipt's own e-mail
address; any other id answers 404, whoever asks.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from campagnes.privacy import payer_data_erase, payer_data_export
from campagnes.receipts import access
from campagnes.receipts.delivery import pdf_bytes

LINK_RATE = "5/h"


class MyReceiptsForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Votre adresse e-mail"),
        help_text=gettext_lazy("Celle donnée lors de vos paiements."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": gettext_lazy("Cette adresse e-mail n'est pas valide."),
            "required": gettext_lazy("Indiquez votre adresse e-mail."),
        },
    )


def pdf_response(receipt, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(pdf_bytes(receipt), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{receipt.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def my_receipts(request: HttpRequest) -> HttpResponse:
    form = MyReceiptsForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return TemplateResponse(request, "campagnes/my_receipts.html", {"form": form}, status=400)
        email = form.cleaned_data["email"].lower()
        limited = is_ratelimited(request, group="receipts-ip", key="ip", rate=LINK_RATE, increment=True)
        limited |= is_ratelimited(
            request, group="receipts-email", key=lambda _g, _r: email, rate=LINK_RATE, increment=True
        )
        if limited:
            form.add_error(None, _("Trop de demandes : réessayez dans une heure."))
            return TemplateResponse(request, "campagnes/my_receipts.html", {"form": form}, status=429)
        access.access_link_request(email=email)
        return TemplateResponse(request, "campagnes/my_receipts.html", {"sent_to": email})
    email = access.session_email(request.session)
    if email:
        return redirect("campagnes:my_receipts_list")
    return TemplateResponse(request, "campagnes/my_receipts.html", {"form": form})


@never_cache
def my_receipts_open(request: HttpRequest, token: str) -> HttpResponse:
    email = access.access_link_open(token=token)
    if email is None:
        return TemplateResponse(
            request, "campagnes/my_receipts.html", {"form": MyReceiptsForm(), "link_error": True}, status=410
        )
    access.session_open(request.session, email)
    return redirect("campagnes:my_receipts_list")


def _receipts_page(request: HttpRequest, email: str, *, status: int = 200, **extra) -> HttpResponse:
    receipts = list(access.receipts_of(email))
    context = {"email": email, "receipts": receipts, "monthly_gifts": access.monthly_gifts_with_links(email), **extra}
    return TemplateResponse(request, "campagnes/my_receipts_list.html", context, status=status)


@never_cache
def my_receipts_list(request: HttpRequest) -> HttpResponse:
    email = access.session_email(request.session)
    if email is None:
        return redirect("campagnes:my_receipts")
    return _receipts_page(request, email)


@never_cache
def my_receipt_download(request: HttpRequest, uuid) -> HttpResponse:
    email = access.session_email(request.session)
    if email is None:
        raise Http404(_("Ouvrez d'abord le lien reçu par e-mail."))
    receipt = get_object_or_404(access.receipts_of(email), uuid=uuid)
    return pdf_response(receipt)


@never_cache
def my_data_export(request: HttpRequest) -> HttpResponse:
    """RGPD: the payer downloads what the platform holds about them."""
    email = access.session_email(request.session)
    if email is None:
        return redirect("campagnes:my_receipts")
    response = JsonResponse(payer_data_export(email=email), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-kollektif.json"'
    return response


@require_http_methods(["POST"])
def my_data_erase(request: HttpRequest) -> HttpResponse:
    """RGPD: erase the payer's personal data; their receipts, legal documents, are kept."""
    email = access.session_email(request.session)
    if email is None:
        return redirect("campagnes:my_receipts")
    if request.POST.get("confirmer") != "oui":
        return _receipts_page(request, email, status=400, erase_error=_("Cochez la case pour confirmer l'effacement."))
    return _receipts_page(request, email, erased=payer_data_erase(email=email))


@require_http_methods(["POST"])
def my_receipts_close(request: HttpRequest) -> HttpResponse:
    request.session.pop(access.SESSION_EMAIL, None)
    request.session.pop(access.SESSION_UNTIL, None)
    return redirect("campagnes:my_receipts")
