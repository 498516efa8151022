"""The embed flow: a campaign's form, card payment and thank-you page inside another site's iframe.

The same steps as the campaign page (campagnes/views.py), in the frame layout, framable by the
association's listed sites and CSRF-exempt behind the checks campagnes/embed.py describes.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page

from associations.domains import platform_origin
from campagnes import embed, views
from campagnes.models import CampaignPage, Payment


def _campaign(page_id: int) -> CampaignPage:
    """A published campaign of a public association, without a view restriction; else 404."""
    page = get_object_or_404(Page.objects.live().public(), pk=page_id).specific
    if not isinstance(page, CampaignPage):
        raise Http404
    association = page.association
    if association is None or not association.is_public:
        raise Http404
    return page


def _payment(token: str) -> Payment:
    return get_object_or_404(Payment.objects.select_related("association"), public_token=token)


def _frame(request: HttpRequest, association) -> dict:
    return {**embed.frame_context(request, association), "platform_origin": platform_origin()}


def _framable(request: HttpRequest, response: HttpResponse, association) -> HttpResponse:
    return embed.framable(response, embed.allowed_parents(request, association))


def _refused(
    request: HttpRequest, exc: embed.EmbedRefused, *, association, parents: list[str], page=None
) -> HttpResponse:
    """403 in French, in the frame layout, with no form. ``parents``: who may frame the message —
    the site that asked for a form it may not show (so that its visitors read why), or the
    association's sites for a step refused inside their frame."""
    context = {
        "reason": str(exc),
        "page": page,
        "association": association,
        "theme": association.theme_colours,
        "embed": True,
        "embed_parents": parents,
        "platform_origin": platform_origin(),
    }
    response = TemplateResponse(request, "campagnes/embed/refused.html", context, status=403)
    return embed.framable(response, parents)


def _form_context(request: HttpRequest, page: CampaignPage) -> dict:
    """The frame's context and what its campaign form posts: a fresh signed token."""
    association = page.association
    return {
        **_frame(request, association),
        "theme": association.theme_colours,
        "embed_action": embed.embed_path(page),
        "embed_token": embed.form_token(page),
    }


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, page_id: int) -> HttpResponse:
    """GET: the campaign's form, if the framing site is listed (403 in French otherwise).
    POST: the form sent from the frame (checked as campagnes/embed.py says), then the card step."""
    page = _campaign(page_id)
    association = page.association
    if request.method == "GET":
        try:
            embed.check_requesting_site(request, association)
        except embed.EmbedRefused as exc:
            site = embed.requesting_site(request)
            return _refused(request, exc, association=association, parents=[site] if site else [], page=page)
        context = page.get_context(request)
        context.update(_form_context(request, page))
        response = TemplateResponse(request, views.EMBED_CAMPAIGN_TEMPLATE, context)
        return _framable(request, response, association)
    try:
        embed.check_same_origin_post(request, association)
        embed.check_form_token(request, page)
    except embed.EmbedRefused as exc:
        parents = embed.allowed_parents(request, association)
        return _refused(request, exc, association=association, parents=parents, page=page)
    response = views.start_payment(request, page, embed=_form_context(request, page))
    return _framable(request, response, association)


def _checked_post(request: HttpRequest, payment: Payment) -> HttpResponse | None:
    try:
        embed.check_same_origin_post(request, payment.association)
    except embed.EmbedRefused as exc:
        association = payment.association
        return _refused(request, exc, association=association, parents=embed.allowed_parents(request, association))
    return None


@never_cache
@csrf_exempt
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The card is set up in the frame: charge it (3-D Secure page or thank-you page)."""
    payment = _payment(token)
    refused = _checked_post(request, payment)
    if refused is not None:
        return refused
    response = views.confirm_card_step(request, payment, embed=_frame(request, payment.association))
    return _framable(request, response, payment.association)


@never_cache
@csrf_exempt
@require_POST
def declined(request: HttpRequest, token: str) -> HttpResponse:
    """Stripe.js in the frame says the card was refused (a fetch, answered in JSON)."""
    payment = _payment(token)
    try:
        embed.check_same_origin_post(request, payment.association)
    except embed.EmbedRefused as exc:
        return JsonResponse({"message": str(exc)}, status=403)
    return views.card_declined_step(payment, embed=True)


@never_cache
@csrf_exempt
@require_POST
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """After 3-D Secure in the frame: read the payment's state, then the thank-you page."""
    payment = _payment(token)
    refused = _checked_post(request, payment)
    if refused is not None:
        return refused
    response = views.verify_payment_step(request, payment, embed=_frame(request, payment.association))
    return _framable(request, response, payment.association)


@never_cache
@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you page in the frame, with a link to the association's site (new tab)."""
    payment = _payment(token)
    response = views.thanks_step(request, payment, embed=_frame(request, payment.association))
    return _framable(request, response, payment.association)


@require_GET
@cache_control(public=True, max_age=3600)
def script(request: HttpRequest) -> HttpResponse:
    """``/integrer/integration.js``, the address in the snippets, which never changes: sent on to
    the resizing script's hashed static file (new at each deployment, cached for a year)."""
    return HttpResponseRedirect(embed.script_url())
