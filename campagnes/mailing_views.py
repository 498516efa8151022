"""The public side of a treasurer's mailings: the unsubscribe link and the provider's bounces.

``/desabonnement/<token>/``: GET shows what the link does and a button; POST unsubscribes (a link
opened by a mail scanner changes nothing). Mail clients that honour ``List-Unsubscribe-Post``
(RFC 8058) POST ``List-Unsubscribe=One-Click`` to the same address, without a cookie: the token is
the secret, so the view is exempt from CSRF.

``/emails/rebonds/``: the mail provider's bounce notifications, in Brevo's transactional webhook
format (a JSON object, or a list of them, with ``event``, ``email``, ``message-id``, ``reason``;
Postmark's ``Type``/``Email``/``Description`` and Mailjet's ``event: bounce`` are read too),
authenticated by ``Authorization: Bearer <KOLLEKTIF_BOUNCE_WEBHOOK_TOKEN>``.
"""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from campagnes import mailings
from campagnes.models import ContactOptOut, MailingRecipient
from kernel.client_ip import client_ip

logger = logging.getLogger("kollektif.mail")
MAX_EVENTS = 1000


@never_cache
@csrf_exempt  # the token in the URL is the secret; RFC 8058 one-click POSTs carry no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    recipient = MailingRecipient.objects.select_related("mailing__association").filter(token=token).first()
    if recipient is None:
        return TemplateResponse(request, "campagnes/unsubscribe.html", {"unknown": True}, status=404)
    association = recipient.mailing.association
    done = False
    if request.method == "POST":
        mailings.unsubscribe(token=token)
        done = True
    already = (
        not done and ContactOptOut.objects.filter(association_id=association.pk, email=recipient.email.lower()).exists()
    )
    return TemplateResponse(
        request,
        "campagnes/unsubscribe.html",
        {"association": association, "email": recipient.email, "done": done, "already": already},
    )


def _events(payload) -> list[dict]:
    items = payload if isinstance(payload, list) else [payload]
    return [item for item in items[:MAX_EVENTS] if isinstance(item, dict)]


def _normalise(item: dict) -> tuple[str, str, str, str]:
    """(event, email, message id, reason) from Brevo, Postmark or Mailjet's field names."""
    event = str(item.get("event") or item.get("Type") or item.get("RecordType") or "")
    if event.lower() == "bounce" and item.get("hard_bounce") is False:  # Mailjet's soft bounce
        event = "soft_bounce"
    email = str(item.get("email") or item.get("Email") or "")
    message_id = str(item.get("message-id") or item.get("Message-Id") or item.get("message_id") or "")
    reason = str(item.get("reason") or item.get("Description") or item.get("error") or "")
    return event, email, message_id, reason


@csrf_exempt
@require_POST
def bounce_webhook(request: HttpRequest) -> HttpResponse:
    expected = settings.KOLLEKTIF_BOUNCE_WEBHOOK_TOKEN
    if not expected:
        return JsonResponse({"erreur": "rebonds non configurés"}, status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        logger.warning("bounce webhook refused: bad token from %s", client_ip(request))
        return JsonResponse({"erreur": "jeton invalide"}, status=403)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"erreur": "JSON invalide"}, status=400)
    events = _events(payload)
    if not events:
        return JsonResponse({"erreur": "aucun événement lisible"}, status=400)
    named = 0
    for item in events:
        event, email, message_id, reason = _normalise(item)
        if event:
            named += mailings.bounce_record(event=event, email=email, message_id=message_id, reason=reason)
    return JsonResponse({"destinataires": named})
