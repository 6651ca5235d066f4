"""Who the client is: forwarded headers are believed only from configured proxies.

A rate limit counts clients by address. If any ``X-Forwarded-For`` were believed,
one client could pretend to be thousands (the review filed 5,891 requests in 45 s
against a limit of 10 an hour). So the server itself never trusts forwarded
headers (``catalog serve`` starts uvicorn without them); this module applies them
only when the direct peer is one of the proxies an operator configured with
``catalog serve --trusted-proxy`` or ``CATALOG_TRUSTED_PROXIES`` (addresses or
networks, comma-separated; default none).

With a trusted peer, the client is the right-most address of ``X-Forwarded-For``
that is not itself a trusted proxy: everything to its left was written by the
client and may be forged. ``X-Forwarded-Proto`` from a trusted peer sets the
scheme (so HSTS and secure cookies follow the real connection).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from typing import Any

from catalog.errors import CatalogError
from catalog.i18n import _

ENV = "CATALOG_TRUSTED_PROXIES"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse(values: Iterable[str]) -> tuple[Network, ...]:
    """Networks from addresses or CIDR ranges; a value that is neither is refused."""
    networks = []
    for raw in values:
        for value in (part.strip() for part in raw.split(",")):
            if not value:
                continue
            try:
                networks.append(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise CatalogError(
                    _("{value} is not an IP address or network of a trusted proxy."),
                    _("Give addresses such as 127.0.0.1 or networks such as 10.0.0.0/24."),
                    value=value,
                ) from None
    return tuple(networks)


def from_env(environ: Any = None) -> tuple[Network, ...]:
    env = os.environ if environ is None else environ
    return parse([env.get(ENV, "")])


def _trusted(host: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        return False
    return any(address in network for network in networks)


def _header_values(scope: dict, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == name]


def client_scope(scope: dict, networks: tuple[Network, ...]) -> dict:
    """The scope with ``client`` and ``scheme`` taken from a trusted proxy's headers;
    unchanged when no proxy is configured or the peer is not one of them."""
    peer = scope.get("client")
    if not networks or not peer or not _trusted(str(peer[0]), networks):
        return scope
    scope = dict(scope)
    hops = [h.strip() for v in _header_values(scope, b"x-forwarded-for") for h in v.split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, networks):
            scope["client"] = (hop, 0)
            break
    proto = _header_values(scope, b"x-forwarded-proto")
    if proto and proto[-1].strip().lower() in ("http", "https"):
        scope["scheme"] = proto[-1].strip().lower()
    return scope


HOSTS_ENV = "CATALOG_ALLOWED_HOSTS"
LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


def allowed_hosts(environ: Any = None) -> tuple[str, ...]:
    """Host names the portal answers to: ``CATALOG_ALLOWED_HOSTS`` (comma-separated), or
    the host of ``CATALOG_BASE_URL`` and the loopback names."""
    from urllib.parse import urlsplit

    from catalog.urls import base_url

    env = os.environ if environ is None else environ
    configured = [h.strip().lower() for h in env.get(HOSTS_ENV, "").split(",") if h.strip()]
    if configured:
        return tuple(configured)
    own = (urlsplit(env.get("CATALOG_BASE_URL") or base_url()).hostname or "").lower()
    return tuple(h for h in (own, *LOOPBACK) if h)


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def canonical_host(scope: dict, allowed: tuple[str, ...], fallback: str) -> dict:
    """The scope with a Host the portal answers to. A forged Host (host-header
    injection: links, redirects and e-mails built from it) is replaced by
    ``fallback``, the host and port of the public base URL."""
    hosts = _header_values(scope, b"host")
    if len(hosts) == 1 and _host_name(hosts[0]) in allowed:
        return scope
    scope = dict(scope)
    headers = [(k, v) for k, v in scope.get("headers") or [] if k.lower() != b"host"]
    scope["headers"] = [(b"host", fallback.encode("latin-1")), *headers]
    return scope
