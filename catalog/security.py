"""The security headers every answer of the portal carries, in one place.

Each face (static site, Datasette, API, workspace) may set its own
Content-Security-Policy (Datasette's pages need inline scripts, the static site
needs none); whatever a face leaves unset gets the defaults here, added by
``catalog.serve`` to every response. HSTS is sent only on HTTPS answers and only
when an operator turns it on (``CATALOG_HSTS=1``): a portal tried on
``http://127.0.0.1`` must not pin a browser to HTTPS.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

# The static catalogue runs no inline script or style: only its own files.
SITE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The workspace's pages share the catalogue's templates and stylesheet: the same policy.
WORKSPACE_CSP = SITE_CSP
# Datasette's pages and the Swagger UI page at /api/ run inline scripts of their own.
INLINE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
HSTS_ENV = "CATALOG_HSTS"
HSTS_VALUE = "max-age=31536000; includeSubDomains"
ON = ("1", "true", "yes", "on")


def hsts_enabled(environ: Any = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get(HSTS_ENV, "").strip().lower() in ON


def csp_for(path: str) -> str:
    """The policy of the face that answers ``path``."""
    if path.startswith(("/sql/", "/api/")) or path in ("/sql", "/api"):
        return INLINE_CSP
    if path == "/transparencia" or path.startswith("/transparencia/"):
        return WORKSPACE_CSP
    return SITE_CSP


def defaults(scheme: str, csp: str = SITE_CSP, *, hsts: bool | None = None) -> dict[str, str]:
    """The headers an answer gets unless its face set them already."""
    headers = {**BASE_HEADERS, "Content-Security-Policy": csp}
    if scheme == "https" and (hsts_enabled() if hsts is None else hsts):
        headers["Strict-Transport-Security"] = HSTS_VALUE
    return headers


Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def adding(send: Send, headers: dict[str, str]) -> Send:
    """An ASGI ``send`` that adds ``headers`` to the response start where missing."""
    encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def wrapped(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            present = {bytes(name).lower() for name, _value in message.get("headers") or []}
            extra = [(name, value) for name, value in encoded if name not in present]
            if extra:
                message = dict(message)
                message["headers"] = [*(message.get("headers") or []), *extra]
        await send(message)

    return wrapped
