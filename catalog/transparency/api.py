"""JSON endpoints of the access requests, mounted in the API under ``/api/v1/``.

Public: file a request, track it, list requests, statistics, publishers.
Officers' clients: ``Authorization: Bearer ctk_...`` (``catalog users token``)
for the inbox, the private fields and the actions. Requesters act with the
private key they received (``X-Requester-Key`` header or ``requester_key``).
Errors are JSON ``{"error": {"code", "message", "hint", "field"}}`` in the
reader's language (``?lang=en`` or ``Accept-Language``; Spanish by default).

Writes are for API clients, not for other sites' pages (docs/security.md): a
body must be ``Content-Type: application/json`` (415 otherwise, so no page can
post one without a CORS preflight, which the API refuses), a filing carries a
``filing_token`` from ``GET /api/v1/requests/filing-token`` (the form's anti-spam
token), and ``WritesWithoutCors`` takes the CORS headers off every answer to a
write, so no other origin can read a ``requester_key``. Database work runs in a
worker thread (``blocking``), never on the event loop.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from catalog.api.errors import TooManyRequests
from catalog.content import is_slug
from catalog.errors import CatalogError
from catalog.i18n import _, normalize_lang, translate
from catalog.transparency import attachments, logins, stats
from catalog.transparency.auth import FORM_MAX_AGE
from catalog.transparency.deadlines import profile
from catalog.transparency.models import InfoRequest, User
from catalog.transparency.public import detail, summary
from catalog.transparency.requests import (
    HIDDEN,
    OPEN,
    PUBLIC_STATUSES,
    REQUESTER,
    RUNNING,
    STATUSES,
    Actor,
    FilingErrors,
    RequestError,
)
from catalog.transparency.workspace import blocking, current

router = APIRouter()
MAX_BODY = 64 * 1024
MAX_DEPTH = 20  # a filing is two levels deep; "[[[[..." is refused, not recursed into
MAX_PAGE = 100_000
PAGE_SIZE = 50
WRITE_PREFIXES = ("/api/v1/requests", "/api/v1/inbox", "/api/v1/uploads/")
# URL name → action of the state machine.
ACTIONS = {
    "assign": "assign",
    "clarification": "request_clarification",
    "clarify": "clarify",
    "extend": "extend",
    "answer": "answer",
    "refer": "refer",
    "withdraw": "withdraw",
    "appeal": "appeal",
    "resolve-appeal": "resolve_appeal",
    "close": "close",
    "publish": "publish",
}
FILING_SCHEMA = {
    "type": "object",
    "required": ["publisher", "subject", "description", "requester"],
    "properties": {
        "publisher": {"type": "string", "example": "mides"},
        "subject": {"type": "string", "minLength": 5, "maxLength": 200},
        "description": {"type": "string", "minLength": 20, "maxLength": 5000},
        "requester": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
        },
        "preferred_format": {
            "type": "string",
            "enum": ["any", "pdf", "csv", "xlsx", "json", "paper"],
        },
    },
}


def _lang(request: Request) -> str:
    return normalize_lang(
        request.query_params.get("lang") or request.headers.get("accept-language")
    )


def _error(error: RequestError, lang: str) -> JSONResponse:
    body: dict[str, Any] = {
        "error": {
            "code": type(error).__name__,
            "message": translate(error.text, lang, **error.params),
            "hint": translate(error.hint, lang, **error.params) if error.hint else None,
            "field": error.field,
        }
    }
    if isinstance(error, FilingErrors):
        body["errors"] = [{"field": e.field, "message": e.message(lang)} for e in error.errors]
    headers = {"Retry-After": "3600"} if error.status == 429 else None
    return JSONResponse(body, status_code=error.status, headers=headers)


def _refuse(status: int, text: str, hint: str, lang: str, **params: object) -> JSONResponse:
    error = RequestError(text, hint, **params)
    error.status = status
    return _error(error, lang)


class WritesWithoutCors:
    """ASGI middleware, outside the API's CORS middleware: answers to writes on the
    requests routes carry no ``Access-Control-*`` header, so a page of another site
    that makes a visitor's browser post here can never read the answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS")
            or not scope["path"].startswith(WRITE_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return

        async def without_cors(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.lower().startswith(b"access-control-")
                ]
            await send(message)

        await self.app(scope, receive, without_cors)


def _is_json(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media == "application/json"


async def _capped_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes ``limit`` bytes (never read whole)."""
    declared = request.headers.get("content-length") or ""
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _depth(value: Any, level: int = 0) -> int:
    """How deep JSON containers nest (stops counting past MAX_DEPTH)."""
    if level > MAX_DEPTH or not isinstance(value, dict | list):
        return level
    items = value.values() if isinstance(value, dict) else value
    return max((_depth(item, level + 1) for item in items), default=level + 1)


async def _json(
    request: Request, lang: str, *, required: bool = True
) -> tuple[Any, JSONResponse | None]:
    """The JSON body; ``required=False`` lets an action be sent with no body at all."""
    if not _is_json(request) and (required or request.headers.get("content-length", "0") != "0"):
        return None, _refuse(
            415,
            _("The body must be JSON, sent with Content-Type: application/json."),
            _("Set the header Content-Type: application/json and send a JSON object."),
            lang,
        )
    raw = await _capped_body(request, MAX_BODY)
    if raw is None:
        return None, _refuse(
            413, _("The request body is too large (the limit is 64 KB)."), "", lang
        )
    try:
        data = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, _refuse(
            400,
            _("The body is not valid JSON."),
            _("Send a JSON object with Content-Type: application/json."),
            lang,
        )
    if _depth(data) > MAX_DEPTH:
        return None, _refuse(
            400,
            _("The JSON body nests too deeply (at most {depth} levels)."),
            _("Send a flat JSON object, as in the examples of docs/requests-api.md."),
            lang,
            depth=MAX_DEPTH,
        )
    return data, None


def _officer(request: Request) -> User | None:
    """The officer of the request's bearer token, or None. Database work: call it from a
    worker thread. A client that sent too many unknown tokens gets 429 with Retry-After
    (TooManyRequests, rendered by the API's error handler) until its lockout ends."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    address = request.client.host if request.client else "unknown"
    try:
        return logins.officer_for_token(current(), header[7:].strip(), address)
    except logins.Throttled as refused:
        raise TooManyRequests(
            _("Too many unknown API tokens from your address: try again in {minutes} minutes."),
            _("Check the token (catalog users token makes a new one) before trying again."),
            headers={"Retry-After": str(refused.seconds)},
            minutes=-(-refused.seconds // 60),
        ) from None


def _unauthorized(lang: str) -> JSONResponse:
    response = _refuse(
        401,
        _("This needs an officer's API token."),
        _(
            "Send Authorization: Bearer <token>; an administrator creates one with catalog users token."
        ),
        lang,
    )
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _now() -> datetime:
    return datetime.now(UTC)


@router.post(
    "/api/v1/requests",
    status_code=201,
    summary="Presentar una solicitud de acceso a la información",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": FILING_SCHEMA}},
        }
    },
)
async def file_request(request: Request) -> JSONResponse:
    lang = _lang(request)
    data, problem = await _json(request, lang)
    if problem:
        return problem
    return await blocking(_file, request, data, lang)


def _client(request: Request) -> str:
    workspace = current()
    return workspace.signer.client_hash(request.client.host if request.client else "unknown")


def _filing_token_problem(data: Any, client: str, lang: str) -> JSONResponse | None:
    """The anti-spam token of API filings: as the form's, signed, dated and bound to the
    client; it must be at least ``min_fill_seconds`` old (docs/requests-api.md)."""
    token = data.pop("filing_token", None) if isinstance(data, dict) else None
    settings = current().settings
    problem = current().signer.check_form_token(
        token if isinstance(token, str) else None, client, settings.min_fill_seconds
    )
    if problem is None:
        return None
    if problem == "too-fast":
        return _refuse(
            400,
            _("The filing token is too new: wait {seconds} seconds after getting it."),
            _("Get a token from GET /api/v1/requests/filing-token, wait, then file."),
            lang,
            seconds=settings.min_fill_seconds,
        )
    return _refuse(
        400,
        _("A valid filing_token is needed to file a request."),
        _(
            "Get one from GET /api/v1/requests/filing-token (from this same connection, within {hours} hours) and send it in the body as filing_token."
        ),
        lang,
        hours=FORM_MAX_AGE // 3600,
    )


def _file(request: Request, data: Any, lang: str) -> JSONResponse:
    workspace = current()
    client = _client(request)
    problem = _filing_token_problem(data, client, lang)
    if problem:
        return problem
    try:
        filed, key = workspace.requests.file(data, client=client, lang=lang)
    except RequestError as error:
        return _error(error, lang)
    body = {
        "tracking_code": filed.tracking_code,
        "status": filed.status,
        "received_on": filed.start_on.isoformat(),
        "due_date": filed.due_on.isoformat(),
        "requester_key": key,
        "url": f"/transparencia/solicitudes/{filed.tracking_code}",
    }
    if key is None:
        # Received only once the requester follows the e-mailed link: no dates yet.
        body.update(
            received_on=None,
            due_date=None,
            message=translate(
                _(
                    "Check your e-mail: the request reaches the office once you follow the confirmation link we sent."
                ),
                lang,
            ),
        )
    return JSONResponse(
        body, status_code=201, headers={"Location": f"/api/v1/requests/{filed.tracking_code}"}
    )


@router.get("/api/v1/requests/filing-token", summary="Ficha antispam para presentar una solicitud")
def filing_token(request: Request) -> JSONResponse:
    settings = current().settings
    return JSONResponse(
        {
            "filing_token": current().signer.form_token(_client(request)),
            "wait_seconds": settings.min_fill_seconds,
            "expires_in_seconds": FORM_MAX_AGE,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/api/v1/requests", summary="Solicitudes (lista pública, anonimizada)")
def list_requests(
    request: Request, publisher: str | None = None, status: str | None = None, page: int = 1
) -> JSONResponse:
    lang = _lang(request)
    query = select(InfoRequest).where(InfoRequest.status.not_in(HIDDEN))
    if publisher:
        if not is_slug(publisher):
            return _refuse(
                400,
                _("Unknown publisher: {publisher}."),
                _("Choose one of the publishers listed at /api/v1/requests/publishers."),
                lang,
                publisher=publisher[:40].encode("utf-8", "replace").decode(),
            )
        query = query.where(InfoRequest.publisher == publisher)
    if status:
        if status not in PUBLIC_STATUSES:
            return _refuse(
                400,
                _("Unknown status: {value}."),
                _("Use one of: {allowed}."),
                lang,
                value=status[:40].encode("utf-8", "replace").decode(),
                allowed=", ".join(PUBLIC_STATUSES),
            )
        query = query.where(InfoRequest.status == status)
    if not 1 <= page <= MAX_PAGE:
        return _refuse(
            400,
            _("The page number must be between 1 and {maximum}."),
            _("Start with page=1."),
            lang,
            maximum=MAX_PAGE,
        )
    with current().db.read() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(
            query.order_by(InfoRequest.received_at.desc(), InfoRequest.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        now = _now()
        items = [summary(r, lang, now) for r in rows]
    return JSONResponse({"total": total, "page": page, "page_size": PAGE_SIZE, "requests": items})


@router.get("/api/v1/requests/statistics", summary="Estadísticas de las solicitudes")
def request_statistics(request: Request, publisher: str | None = None) -> JSONResponse:
    with current().db.read() as session:
        found = stats.compute(session, _now().date(), publisher)
    return JSONResponse(
        {
            "overall": found["overall"].as_dict(),
            "publishers": [s.as_dict() for s in found["publishers"]],
        }
    )


@router.get("/api/v1/requests/publishers", summary="Instituciones que reciben solicitudes")
def request_publishers() -> JSONResponse:
    workspace = current()
    items = []
    for slug, info in sorted(workspace.directory().items()):
        code = workspace.requests.jurisdiction_of(slug)
        items.append(
            {
                "publisher": slug,
                "name": info.get("name"),
                "acronym": info.get("acronym"),
                "jurisdiction": code,
                "deadline_business_days": profile(code).days,
                "extension_business_days": profile(code).extension_days,
            }
        )
    return JSONResponse(items)


@router.get("/api/v1/inbox", summary="Bandeja del oficial de información (token)")
def inbox(
    request: Request,
    status: str | None = None,
    due: str | None = None,
    assignee: str | None = None,
) -> JSONResponse:
    lang = _lang(request)
    user = _officer(request)
    if user is None:
        return _unauthorized(lang)
    workspace = current()
    with workspace.db.read() as session:
        rows = inbox_rows(session, user, status=status, due=due, assignee=assignee)
        now = _now()
        items = [
            {
                **summary(r, lang, now),
                "subject": r.subject,  # officers read it as written
                "assignee": r.assignee.email if r.assignee else None,
                "version": r.version,
            }
            for r in rows
        ]
    return JSONResponse({"requests": items})


def inbox_rows(
    session, user: User, *, status=None, due=None, assignee=None, at=None
) -> list[InfoRequest]:
    """The requests an officer may see, filtered; ``due`` is ``soon`` or ``overdue``."""
    from catalog.transparency.public import days_left

    query = (
        select(InfoRequest)
        .where(InfoRequest.status.not_in(HIDDEN))  # not received until the e-mail is confirmed
        .order_by(InfoRequest.due_on, InfoRequest.id)
    )
    if not user.is_admin:
        query = query.where(InfoRequest.publisher.in_(sorted(user.publishers)))
    if status == "open":
        query = query.where(InfoRequest.status.in_(OPEN))
    elif status in STATUSES:
        query = query.where(InfoRequest.status == status)
    if assignee == "me":
        query = query.where(InfoRequest.assignee_id == user.id)
    elif assignee == "none":
        query = query.where(InfoRequest.assignee_id.is_(None))
    if due in ("soon", "overdue"):
        query = query.where(InfoRequest.status.in_(RUNNING))
    rows = list(session.scalars(query.limit(1000)))
    at = at or _now()
    if due == "soon":
        rows = [r for r in rows if 0 <= (days_left(r, at) or 0) <= 2]
    elif due == "overdue":
        rows = [r for r in rows if (days_left(r, at) or 0) < 0]
    return rows


@router.get("/api/v1/requests/{code}", summary="Seguimiento de una solicitud")
def get_request(request: Request, code: str) -> JSONResponse:
    lang = _lang(request)
    workspace = current()
    user = _officer(request) if request.headers.get("authorization") else None
    with workspace.db.read() as session:
        try:
            found = workspace.requests.get(session, code)
        except RequestError as error:
            return _error(error, lang)
        body = detail(found, lang, _now())
        if user is not None and user.can_act_on(found.publisher):
            body["private"] = {
                "requester": {"name": found.requester_name, "email": found.requester_email},
                "description": found.description,
                "answer_text": found.answer_text,
                "assignee": found.assignee.email if found.assignee else None,
                "version": found.version,
            }
    return JSONResponse(body)


@router.post(
    "/api/v1/uploads/{code}",
    status_code=201,
    summary="Subir un archivo para la respuesta (token)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload_attachment(request: Request, code: str, name: str = "") -> JSONResponse:
    lang = _lang(request)
    if not request.headers.get("authorization"):
        return _unauthorized(lang)
    data = await _capped_body(request, attachments.MAX_BYTES)
    if data is None:
        return _refuse(
            413,
            _("The file is too large: {limit} MB at most."),
            _("Split it or compress it."),
            lang,
            limit=attachments.MAX_BYTES // 1048576,
        )
    return await blocking(_upload, request, code, name, data, lang)


def _upload(request: Request, code: str, name: str, data: bytes, lang: str) -> JSONResponse:
    user = _officer(request)
    if user is None:
        return _unauthorized(lang)
    workspace = current()
    actor = Actor("officer", user)
    try:
        with workspace.db.read() as session:
            # Before the file is stored: only an officer of the request's publisher.
            workspace.requests.check_officer(workspace.requests.get(session, code), actor)
        stored = attachments.store(workspace.settings, name, data)
        body = workspace.requests.upload(code, actor, stored)
    except RequestError as error:
        return _error(error, lang)
    except CatalogError as error:
        return _refuse(422, error.text, error.hint, lang, **error.params)
    return JSONResponse(body, status_code=201)


@router.post("/api/v1/requests/{code}/{action}", summary="Actuar sobre una solicitud")
async def act_on_request(request: Request, code: str, action: str) -> JSONResponse:
    lang = _lang(request)
    if action not in ACTIONS:
        error = RequestError(
            _("Unknown action: {action}."),
            _("Use one of: {allowed}."),
            action=action[:40],
            allowed=", ".join(ACTIONS),
        )
        error.status = 404
        return _error(error, lang)
    data, problem = await _json(request, lang, required=False)
    if problem:
        return problem
    if not isinstance(data, dict):
        return _refuse(
            400,
            _("The body must be a JSON object."),
            _("Send the action's fields in a JSON object, or {} when it has none."),
            lang,
        )
    return await blocking(_act, request, code, action, data, lang)


def _act(request: Request, code: str, action: str, data: dict, lang: str) -> JSONResponse:
    key = request.headers.get("x-requester-key") or data.pop("requester_key", None)
    if request.headers.get("authorization"):
        user = _officer(request)
        if user is None:
            return _unauthorized(lang)
        actor = Actor("officer", user)
    elif key:
        actor = REQUESTER
    else:
        return _unauthorized(lang)
    version = data.pop("version", None)
    workspace = current()
    try:
        changed = workspace.requests.act(
            code, ACTIONS[action], actor, data, key=key, version=version
        )
    except RequestError as error:
        return _error(error, lang)
    with workspace.db.read() as session:
        fresh = workspace.requests.get(session, changed.tracking_code)
        return JSONResponse(detail(fresh, lang, _now()))
