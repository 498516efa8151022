"""allauth's hooks for Kollektif."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from kernel.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits (failed logins, signups) count per visitor, not per proxy.

        allauth's own `ALLAUTH_TRUSTED_PROXY_COUNT` takes a fixed position in X-Forwarded-For
        whoever the peer is; this reads the same trusted-proxy list as every other limit.
        """
        return client_ip(request)
