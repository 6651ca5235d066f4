"""Reading what the workspace is sent: bodies with a size cap (its pages and its JSON
API), HTML forms (UTF-8, one text per field).

A form is read on the event loop (awaiting the network) with a cap on its size, and
refused with a status and a message (never a 500) when it is too large, not text or
cannot be parsed; everything done with it afterwards runs in a worker thread.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from catalog.errors import CatalogError
from catalog.i18n import _, translate
from catalog.transparency import attachments
from catalog.transparency.requests import KEY_SHAPE, RequestError

# The public forms (filing, the requester's actions) and the officers' actions.
FORM_BYTES = 256 * 1024
# An officer's answer with its attachments; also the limit bodylimit.py applies first.
MAX_FORM_BYTES = MAX_UPLOAD = attachments.MAX_BYTES * attachments.MAX_FILES + 1024 * 1024
# A login, logout or administration form is a few hundred bytes; anything much
# bigger is refused before it is parsed (413), whatever sits in front of the app.
AUTH_FORM_BYTES = 32 * 1024


class FormRefused(CatalogError):
    """A form that cannot be used as sent: its HTTP status and what to fix."""

    def __init__(self, status: int, text: str, hint: str = "", **params: object) -> None:
        super().__init__(text, hint, **params)
        self.status = status


async def capped_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes ``limit`` bytes (never read whole): by its
    ``Content-Length`` before reading, or as it streams (the pages and the JSON API)."""
    declared = request.headers.get("content-length") or ""
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def _body(request: Request, limit: int, too_large: Exception) -> bytes:
    """The body, refused with ``too_large`` when it passes ``limit`` bytes."""
    body = await capped_body(request, limit)
    if body is None:
        raise too_large
    return body


async def _parse(request: Request, body: bytes, max_files: int, max_fields: int) -> FormData:
    """Parse ``body`` (already read) as the request's form."""

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, replay).form(max_files=max_files, max_fields=max_fields)


async def read_form(request: Request, files: bool = False) -> FormData:
    """A public or officer's form, read with a size cap (RequestError 413, before
    parsing) and parsed (RequestError 400 when it cannot be)."""
    limit = MAX_UPLOAD if files else FORM_BYTES
    too_large = RequestError(
        _("What you sent is too large."),
        _("Attach at most {count} files of {size} MB each.")
        if files
        else _("The form takes at most {kb} KB of text: shorten it."),
        count=attachments.MAX_FILES,
        size=attachments.MAX_BYTES // 1048576,
        kb=FORM_BYTES // 1024,
    )
    too_large.status = 413
    body = await _body(request, limit, too_large)
    if not _utf8_form(request, body):
        refused = RequestError(
            _("The form contains characters that are not valid text."),
            _("Type the text again, or paste it as plain text, and send the form again."),
        )
        refused.status = 400
        raise refused
    try:
        return await _parse(request, body, attachments.MAX_FILES if files else 0, 50)
    except (MultiPartException, HTTPException, ValueError):
        refused = RequestError(_("The form could not be read."), _("Send it again from its page."))
        refused.status = 400
        raise refused from None


def _utf8_form(request: Request, body: bytes) -> bool:
    """False when a URL-encoded form holds bytes that are not UTF-8 (a lone surrogate
    "%ED%A0%80", say): the parser would turn them into "\ufffd" and store them silently."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        return True
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def auth_form(request: Request) -> FormData:
    """The small form of a login, logout or administration page, read with a size cap."""
    too_large = FormRefused(
        413,
        _("What you sent is too large for this form ({size} KB at most)."),
        _("Send only the form's own fields, from its page."),
        size=AUTH_FORM_BYTES // 1024,
    )
    body = await _body(request, AUTH_FORM_BYTES, too_large)
    try:
        return await _parse(request, body, 0, 60)
    except (MultiPartException, HTTPException, ValueError):
        raise FormRefused(
            400,
            _("The form could not be read."),
            _("Send it again from its page, without files."),
        ) from None


def field(form: FormData, name: str, label: str, limit: int, lang: str) -> str:
    """One text field of ``form`` ("" when absent), or FormRefused with what is wrong
    (``label`` is the field's msgid, shown in ``lang``)."""
    values = form.getlist(name)
    if not values:
        return ""
    value = values[0]
    shown = translate(label, lang)
    if len(values) > 1 or not isinstance(value, str):
        raise FormRefused(
            400,
            _("The field {field} must be a single text."),
            _("Send the form again from its page."),
            field=shown,
        )
    if len(value) > limit:
        raise FormRefused(
            400,
            _("The field {field} is too long ({length} characters; at most {maximum})."),
            _("Shorten it and send the form again."),
            field=shown,
            length=len(value),
            maximum=limit,
        )
    if "\x00" in value or not encodable(value):
        # PostgreSQL refuses a NUL byte and UTF-8 a lone surrogate: say so, do not fail.
        raise FormRefused(
            400,
            _("The field {field} contains characters that are not text."),
            _("Type it again and send the form."),
            field=shown,
        )
    return value


def encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def number(value: str) -> int | None:
    """A database id written in a form, or None if it cannot be one (letters, 23 digits)."""
    value = value.strip()
    if not value.isdigit() or len(value) > 10 or int(value) > 2**31 - 1:
        return None
    return int(value)


def text(value: object) -> str:
    """A form value to show again in the form ("" for anything but text)."""
    return value if isinstance(value, str) else ""


def key_of(value: object) -> str:
    """The requester's key from a form or a link, or "" if it cannot be one."""
    return value if isinstance(value, str) and KEY_SHAPE.fullmatch(value) else ""
