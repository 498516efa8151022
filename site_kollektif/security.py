"""Security headers: a Content-Security-Policy without inline scripts, and a Permissions-Policy.

The policy itself is django-csp's (settings.CONTENT_SECURITY_POLICY); this module only adds
the origins known at request time — Stripe.js and its API, which the demo and the tests serve
from a local localstripe on a port chosen at start — and the map's tile server.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from allauth.mfa.models import Authenticator
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

from associations.selectors import user_handles_money

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    'usb=(), interest-cohort=(), payment=(self "https://js.stripe.com")'
)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.replace("{s}.", "").replace("{s}", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def runtime_sources() -> dict[str, list[str]]:
    stripe_js = _origin(settings.STRIPE_JS_URL) or "https://js.stripe.com"
    stripe_api = _origin(settings.STRIPE_API_BASE) or "https://api.stripe.com"
    sources = {
        "script-src": [stripe_js],
        "frame-src": [stripe_js, "https://hooks.stripe.com"],
        "connect-src": [stripe_api, stripe_js],
    }
    tiles = _origin(getattr(settings, "GEO_WIDGET_LEAFLET_TILE_LAYER", None))
    if tiles:
        sources["img-src"] = [tiles, tiles.replace("://", "://*.")]
    return sources


class KollektifCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update = {key: list(value) for key, value in (parts.update or {}).items()}
        for directive, sources in runtime_sources().items():
            update[directive] = [*update.get(directive, []), *sources]
        return dataclasses.replace(parts, update=update)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def needs_second_factor(user) -> bool:
    """Whoever sees payers, members, receipts or exports, or may refund, must use a second factor.

    The rule reads the same predicate as the money screens (``user_handles_money``), so no role
    can reach donors' personal data without 2FA, whatever its group is called (GDPR art. 32:
    access to personal data protected "appropriately to the risk"; ANSSI/CNIL recommend
    multi-factor authentication for accounts with access to such data).
    """
    if not user.is_authenticated:
        return False
    if not user_handles_money(user):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MFARequiredMiddleware:
    """Sends those who handle money (staff, treasurers) without an authenticator app to set one up
    before the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.KOLLEKTIF_REQUIRE_MFA and request.path.startswith("/admin/") and needs_second_factor(request.user):
            from django.contrib import messages
            from django.shortcuts import redirect
            from django.utils.translation import gettext as _

            messages.warning(
                request,
                _(
                    "Votre rôle donne accès aux données des donateurs : activez la double "
                    "authentification (application d'authentification) pour continuer."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
