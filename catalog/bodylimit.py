"""Request body limits: an ASGI guard that ``catalog serve`` puts in front of every app.

Frameworks read a request body whole before anyone can check its size (a 300 MB
POST to a CKAN action once took 500 MB of memory). This guard refuses a body
with ``413 Content Too Large``:

- before reading it, when its ``Content-Length`` is over the limit of its path;
- while it streams (a chunked body has no length), as soon as the bytes received
  pass the limit: the app then sees the client as gone, and nothing over the
  limit is ever held in memory.

The answer is in the client's language (``?lang=``, else ``Accept-Language``;
pages under ``/en/`` in English): the API's JSON error envelope (native or CKAN)
under ``/api/``, a small HTML page elsewhere. It says ``Connection: close`` so the
server stops reading what the client still sends.

Limits per path prefix, in bytes (``k``/``m`` suffixes for KiB/MiB), from the
environment (documented in docs/security.md):

| setting | paths | default |
|---|---|---|
| ``CATALOG_MAX_BODY_UPLOADS`` | ``/transparencia/oficiales/solicitudes/`` (answers with attachments), ``/api/v1/uploads/`` | the workspace's ``MAX_FORM_BYTES`` |
| ``CATALOG_UPLOAD_MAX_BYTES`` | ``/transparencia/oficiales/datos/`` (stewards' tables, stewards_web.py) | 100 MiB + 64 KiB |
| ``CATALOG_MAX_BODY_FORMS`` | ``/transparencia/`` (filing, tracking, login, admin forms) | 256 KiB |
| ``CATALOG_MAX_BODY_API`` | ``/api/`` (JSON bodies) | 1 MiB |
| ``CATALOG_MAX_BODY`` | everything else (static site, ``/sql/``) | 64 KiB |
"""

from __future__ import annotations

import html
import logging
import os
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from catalog import urls
from catalog.httperrors import TooLarge, render
from catalog.i18n import _, request_lang, translate

LOG = logging.getLogger("catalog.bodylimit")
KIB = 1024
MIB = 1024 * KIB
UPLOADS_PREFIX = "/transparencia/oficiales/solicitudes/"
DEFAULT_LIMIT = ("CATALOG_MAX_BODY", 64 * KIB)
TOO_LARGE = (
    _("The request body is too large: the limit here is {size}."),
    _("Send less: split the request, shorten the texts, or attach smaller files."),
)
Message = dict[str, Any]


@dataclass(frozen=True)
class BodyLimits:
    """Limits in bytes per path prefix (the longest matching prefix wins)."""

    rules: tuple[tuple[str, int], ...]
    default: int

    def limit_for(self, path: str) -> int:
        for prefix, limit in sorted(self.rules, key=lambda rule: -len(rule[0])):
            if path.startswith(prefix):
                return limit
        return self.default


def _rules() -> tuple[tuple[str, str, int], ...]:
    """(setting, prefix, default); the upload limit is the workspace's own form limit."""
    from catalog.transparency.web import MAX_FORM_BYTES  # lazy: the workspace is heavy

    return (
        ("CATALOG_MAX_BODY_UPLOADS", UPLOADS_PREFIX, MAX_FORM_BYTES),
        # Officers' API clients upload an answer's files here (one file per request).
        ("CATALOG_MAX_BODY_UPLOADS", "/api/v1/uploads/", MAX_FORM_BYTES),
        # Stewards upload whole tables (stewards_web.py); the handler checks it again.
        ("CATALOG_UPLOAD_MAX_BYTES", "/transparencia/oficiales/datos/", 100 * MIB + 64 * KIB),
        ("CATALOG_MAX_BODY_FORMS", "/transparencia/", 256 * KIB),
        ("CATALOG_MAX_BODY_API", "/api/", MIB),
    )


def parse_size(text: str) -> int:
    """``65536``, ``64k``, ``64KiB``, ``1m``, ``1MiB`` → bytes; ValueError otherwise."""
    value = text.strip().lower().removesuffix("ib").removesuffix("b")
    factor = {"k": KIB, "m": MIB}.get(value[-1:], 1)
    number = int(value[:-1] if factor > 1 else value)
    if number < 0:
        raise ValueError(text)
    return number * factor


def _setting(env: Any, name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return parse_size(raw)
    except ValueError:
        # A typo must not take the portal down: keep the safe default and say so.
        LOG.warning("%s=%r is not a size (write 65536, 64k or 1m); using %d", name, raw, default)
        return default


def limits_from_env(environ: Any = None) -> BodyLimits:
    env = os.environ if environ is None else environ
    rules = tuple((prefix, _setting(env, name, default)) for name, prefix, default in _rules())
    return BodyLimits(rules, _setting(env, *DEFAULT_LIMIT))


@cache
def settings() -> BodyLimits:
    """The limits of this process (read once from the environment)."""
    return limits_from_env()


def human(size: int) -> str:
    if size >= MIB and size % MIB == 0:
        return f"{size // MIB} MiB"
    if size >= KIB and size % KIB == 0:
        return f"{size // KIB} KiB"
    return f"{size} B"


# ------------------------------------------------------------------ the guard


async def guard(app: Any, scope: dict, receive: Any, send: Any, limits: BodyLimits | None = None):
    """Run ``app`` for one HTTP request whose body may not pass its path's limit."""
    limit = (limits or settings()).limit_for(scope.get("path", ""))
    declared = _content_length(scope)
    if declared is not None and declared > limit:
        await refuse(scope, send, limit)
        return
    body = _Body(scope, receive, send, limit)
    try:
        await app(scope, body.receive, body.send)
    except Exception:
        if not body.refused:
            raise
        # The app failed on a body cut short; the client already has its 413.
        LOG.debug("body over %d bytes on %s: refused", limit, scope.get("path"))


class _Body:
    """``receive`` and ``send`` of one request, counting the body as it arrives."""

    def __init__(self, scope: dict, receive: Any, send: Any, limit: int) -> None:
        self.scope, self._receive, self._send, self.limit = scope, receive, send, limit
        self.received = 0
        self.refused = False
        self.started = False

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.refused = True
                if not self.started:
                    self.started = True
                    await refuse(self.scope, self._send, self.limit)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the app answering a body it never got whole: the 413 stands
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


def _content_length(scope: dict) -> int | None:
    for name, value in scope.get("headers") or []:
        if name.lower() == b"content-length":
            digits = value.strip()
            if not digits.isdigit():
                return None  # the server refuses it anyway; the stream is still counted
            return int(digits) if len(digits) <= 18 else 10**18
    return None


# ------------------------------------------------------------------ the answer


def _lang(scope: dict) -> str:
    path = scope.get("path", "")
    if path == "/en" or path.startswith("/en/"):
        return "en"
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    asked = (query.get("lang") or [""])[0]
    header = next(
        (
            v.decode("latin-1")
            for k, v in scope.get("headers") or []
            if k.lower() == b"accept-language"
        ),
        "",
    )
    return request_lang(asked, accept=header)


async def refuse(scope: dict, send: Any, limit: int) -> None:
    """Send the 413 for ``scope`` (JSON under /api/, HTML elsewhere)."""
    lang = _lang(scope)
    path = scope.get("path", "")
    if path == "/api" or path.startswith("/api/"):
        body, kind = _json(path, lang, limit), b"application/json; charset=utf-8"
    else:
        body, kind = _html(lang, limit), b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"content-language", lang.encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _json(path: str, lang: str, limit: int) -> bytes:
    response = render(TooLarge(*TOO_LARGE, size=human(limit)), path, lang, urls.base_url())
    return bytes(response.body)


def _html(lang: str, limit: int) -> bytes:
    """A page with no template or asset behind it: it must render whatever else is broken."""
    message = html.escape(translate(TOO_LARGE[0], lang, size=human(limit)))
    hint = html.escape(translate(TOO_LARGE[1], lang))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>413</title></head><body><main><h1>{message}</h1><p>{hint}</p>"
        f'<p><a href="{"/en/" if lang == "en" else "/"}">'
        f"{html.escape(translate(_('Go to the catalogue home'), lang))}</a></p>"
        f"</main></body></html>"
    ).encode()
