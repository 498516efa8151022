"""The visitor's own address, the one place that derives it.

In production the app sits behind a reverse proxy (Caddy on the same machine, maybe a load
balancer before it): `REMOTE_ADDR` is the proxy's address for every visitor. Rate limits keyed on
it would make all visitors share one counter (20 donations from anyone would block the next donor
of every association). The proxy passes the address it saw in `X-Forwarded-For`, which any client
can also forge; so the header is believed only as far as it was written by proxies we trust:

- the peer (`REMOTE_ADDR`) must be one of `KOLLEKTIF_TRUSTED_PROXIES` (addresses or CIDR
  networks), otherwise the header is ignored and the peer is the client;
- the header is read from the right, skipping the hops that are trusted proxies themselves; the
  first untrusted hop is the client. Hops left of it were written by the client: never read.

This is the rule of the MDN page on X-Forwarded-For ("Selecting an IP address", trusted proxy
list) and of Caddy's own `trusted_proxies`. The header is parsed by python-ipware (ports, IPv6
brackets, IPv4-mapped addresses, RFC 7239 elements); its `IpWare.proxy_list` expects the proxies'
exact sequence in the header, which a set of trusted networks does not give, so the walk is here.
Rate limits (django-ratelimit through `RATELIMIT_IP_META_KEY`, allauth through its adapter)
call `client_ip`, and so should anything that logs or counts a visitor's address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from python_ipware.modern.parsers import IpAddressType, IpNetworkType, parse_ip, split_proxy_chain, unwrap_ipv4_network

#: What a request with no usable peer address counts as (a misconfigured server, a test
#: request without REMOTE_ADDR): one shared bucket, never an error.
UNKNOWN = "0.0.0.0"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IpNetworkType, ...]:
    return tuple(unwrap_ipv4_network(ipaddress.ip_network(entry, strict=False)) for entry in entries)


def trusted_networks() -> tuple[IpNetworkType, ...]:
    """The configured proxies as networks (each entry checked at start-up by `env.env_networks`)."""
    return _networks(tuple(getattr(settings, "KOLLEKTIF_TRUSTED_PROXIES", ())))


def _is_trusted(ip: IpAddressType, networks: tuple[IpNetworkType, ...]) -> bool:
    return any(ip.version == network.version and ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the visitor who sent `request`, as a string always usable as an IP."""
    peer = parse_ip(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return UNKNOWN
    networks = trusted_networks()
    if not _is_trusted(peer, networks):
        return str(peer)
    # strict: one malformed hop makes the whole header untrustworthy; the peer is then the client.
    chain = split_proxy_chain(request.META.get("HTTP_X_FORWARDED_FOR"), strict=True) or []
    client = peer
    for hop in reversed(chain):
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)
