"""JSON endpoints of the access requests, mounted in the API under ``/api/v1/``.

Public: file a request, track it, list requests, statistics, publishers.
Officers' clients: ``Authorization: Bearer ctk_...`` (``catalog users token``)
for the inbox, the private fields and the actions. Requesters act with the
private key they received (``X-Requester-Key`` header or ``requester_key``).
Errors are the API's one envelope (catalog.httperrors), ``{"error": {"status",
"type", "message", "hint", "fields"}}``, in the reader's language (``?lang=en`` or
``Accept-Language``; Spanish by default): a refusal is raised, and the API's
handlers render it.

The workspace is the app's (``app.state.workspace``, a ``WorkspaceSource`` set by
``mount``), reached through the ``Ws`` dependency: no process-wide state.

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
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from catalog import clock
from catalog.content import is_slug
from catalog.errors import CatalogError
from catalog.httperrors import TYPE_OF_STATUS, ApiError, TooManyRequests
from catalog.i18n import _, request_lang, translate
from catalog.transparency import attachments, logins, stats
from catalog.transparency.auth import FORM_MAX_AGE
from catalog.transparency.forms import capped_body
from catalog.transparency.models import User
from catalog.transparency.requests import (
    LIMITS,
    MAX_LENGTH,
    REQUESTER,
    Actor,
    FilingErrors,
    RequestError,
)
from catalog.transparency.states import FORMATS, PUBLIC_STATUSES
from catalog.transparency.workspace import Workspace, WorkspaceSource, blocking

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


def _text(name: str) -> dict[str, Any]:
    low, high = LIMITS[name]
    return {"type": "string", "minLength": low, "maxLength": high}


# The OpenAPI description of a filing, from the limits the filing is checked against.
FILING_SCHEMA = {
    "type": "object",
    "required": ["filing_token", "publisher", "subject", "description", "requester"],
    "properties": {
        "filing_token": {"type": "string"},
        "publisher": {"type": "string", "maxLength": MAX_LENGTH["publisher"], "example": "mides"},
        "subject": _text("subject"),
        "description": _text("description"),
        "requester": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                "name": _text("name"),
                "email": {"type": "string", "format": "email", "maxLength": MAX_LENGTH["email"]},
            },
        },
        "preferred_format": {"type": "string", "enum": list(FORMATS)},
    },
}


def mount(app: FastAPI, workspace: Workspace | WorkspaceSource | None = None) -> None:
    """Add these routes to ``app``, with the workspace they use (made from the
    environment at the first request when none is given)."""
    app.state.workspace = WorkspaceSource.of(workspace)
    app.include_router(router)


async def _workspace(request: Request) -> Workspace:
    return await request.app.state.workspace.ready()


Ws = Annotated[Workspace, Depends(_workspace)]


def _lang(request: Request) -> str:
    return request_lang(
        request.query_params.get("lang"), accept=request.headers.get("accept-language")
    )


class Refused(ApiError):
    """A refused filing or action (a RequestError) in the API's error envelope: its
    status, its texts translated as the workspace translates them, its fields."""

    def __init__(self, error: RequestError) -> None:
        headers = {"Retry-After": "3600"} if error.status == 429 else None
        super().__init__(error.text, error.hint, headers=headers)
        self.error = error
        self.status = self.ckan_status = error.status
        self.code = TYPE_OF_STATUS.get(error.status, "bad-request")

    def message(self, lang: str) -> str:
        return self.error.parts(lang)[0]

    def hint_message(self, lang: str) -> str:
        return self.error.parts(lang)[1]

    def field_messages(self, lang: str) -> dict[str, str]:
        errors = self.error.errors if isinstance(self.error, FilingErrors) else [self.error]
        fields: dict[str, str] = {}
        for error in errors:
            if error.field or len(errors) > 1:
                name = error.field or "request"
                fields[name] = " ".join(filter(None, (fields.get(name), error.message(lang))))
        return fields


def _refusal(
    status: int, text: str, hint: str = "", *, headers: dict | None = None, **params: Any
) -> ApiError:
    """An error of the workspace's own checks (body, token, parameters), by status."""
    error = ApiError(text, hint, headers=headers, **params)
    error.status = error.ckan_status = status
    error.code = TYPE_OF_STATUS[status]
    return error


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


def _depth(value: Any, level: int = 0) -> int:
    """How deep JSON containers nest (stops counting past MAX_DEPTH)."""
    if level > MAX_DEPTH or not isinstance(value, dict | list):
        return level
    items = value.values() if isinstance(value, dict) else value
    return max((_depth(item, level + 1) for item in items), default=level + 1)


async def _json(request: Request, *, required: bool = True) -> Any:
    """The JSON body; ``required=False`` lets an action be sent with no body at all."""
    if not _is_json(request) and (required or request.headers.get("content-length", "0") != "0"):
        raise _refusal(
            415,
            _("The body must be JSON, sent with Content-Type: application/json."),
            _("Set the header Content-Type: application/json and send a JSON object."),
        )
    raw = await capped_body(request, MAX_BODY)
    if raw is None:
        raise _refusal(413, _("The request body is too large (the limit is 64 KB)."))
    try:
        data = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _refusal(
            400,
            _("The body is not valid JSON."),
            _("Send a JSON object with Content-Type: application/json."),
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise _refusal(
            400,
            _("The JSON body nests too deeply (at most {depth} levels)."),
            _("Send a flat JSON object, as in the examples of docs/requests-api.md."),
            depth=MAX_DEPTH,
        )
    return data


def _officer(ws: Workspace, request: Request) -> User | None:
    """The officer of the request's bearer token, or None. Database work: call it from a
    worker thread. A client that sent too many unknown tokens gets 429 with Retry-After
    (TooManyRequests, rendered by the API's error handler) until its lockout ends."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    address = request.client.host if request.client else "unknown"
    try:
        return logins.officer_for_token(ws, header[7:].strip(), address)
    except logins.Throttled as refused:
        raise TooManyRequests(
            _("Too many unknown API tokens from your address: try again in {minutes} minutes."),
            _("Check the token (catalog users token makes a new one) before trying again."),
            headers={"Retry-After": str(refused.seconds)},
            minutes=-(-refused.seconds // 60),
        ) from None


def _unauthorized() -> ApiError:
    return _refusal(
        401,
        _("This needs an officer's API token."),
        _(
            "Send Authorization: Bearer <token>; an administrator creates one with catalog users token."
        ),
        headers={"WWW-Authenticate": "Bearer"},
    )


def _signed_in(ws: Workspace, request: Request) -> User:
    """The officer of the bearer token, or 401."""
    user = _officer(ws, request)
    if user is None:
        raise _unauthorized()
    return user


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
async def file_request(request: Request, ws: Ws) -> JSONResponse:
    data = await _json(request)
    return await blocking(_file, ws, request, data, _lang(request))


def _client(ws: Workspace, request: Request) -> str:
    return ws.signer.client_hash(request.client.host if request.client else "unknown")


def _check_filing_token(ws: Workspace, data: Any, client: str) -> None:
    """The anti-spam token of API filings: as the form's, signed, dated and bound to the
    client; it must be at least ``min_fill_seconds`` old (docs/requests-api.md)."""
    token = data.pop("filing_token", None) if isinstance(data, dict) else None
    settings = ws.settings
    problem = ws.signer.check_form_token(
        token if isinstance(token, str) else None, client, settings.min_fill_seconds
    )
    if problem is None:
        return
    if problem == "too-fast":
        raise _refusal(
            400,
            _("The filing token is too new: wait {seconds} seconds after getting it."),
            _("Get a token from GET /api/v1/requests/filing-token, wait, then file."),
            seconds=settings.min_fill_seconds,
        )
    raise _refusal(
        400,
        _("A valid filing_token is needed to file a request."),
        _(
            "Get one from GET /api/v1/requests/filing-token (from this same connection, within {hours} hours) and send it in the body as filing_token."
        ),
        hours=FORM_MAX_AGE // 3600,
    )


def _file(ws: Workspace, request: Request, data: Any, lang: str) -> JSONResponse:
    client = _client(ws, request)
    _check_filing_token(ws, data, client)
    try:
        filed, key = ws.requests.file(data, client=client, lang=lang)
    except RequestError as error:
        raise Refused(error) from None
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
def filing_token(request: Request, ws: Ws) -> JSONResponse:
    return JSONResponse(
        {
            "filing_token": ws.signer.form_token(_client(ws, request)),
            "wait_seconds": ws.settings.min_fill_seconds,
            "expires_in_seconds": FORM_MAX_AGE,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/api/v1/requests", summary="Solicitudes (lista pública, anonimizada)")
def list_requests(
    request: Request,
    ws: Ws,
    publisher: str | None = None,
    status: str | None = None,
    page: int = 1,
) -> JSONResponse:
    if publisher and not is_slug(publisher):
        raise _refusal(
            400,
            _("Unknown publisher: {publisher}."),
            _("Choose one of the publishers listed at /api/v1/requests/publishers."),
            publisher=publisher[:40],
        )
    if status and status not in PUBLIC_STATUSES:
        raise _refusal(
            400,
            _("Unknown status: {value}."),
            _("Use one of: {allowed}."),
            value=status[:40],
            allowed=", ".join(PUBLIC_STATUSES),
        )
    if not 1 <= page <= MAX_PAGE:
        raise _refusal(
            400,
            _("The page number must be between 1 and {maximum}."),
            _("Start with page=1."),
            maximum=MAX_PAGE,
        )
    found = ws.requests.public_list(
        lang=_lang(request), publisher=publisher, status=status, page=page, page_size=PAGE_SIZE
    )
    return JSONResponse(
        {"total": found.total, "page": page, "page_size": PAGE_SIZE, "requests": found.items}
    )


@router.get("/api/v1/requests/statistics", summary="Estadísticas de las solicitudes")
def request_statistics(ws: Ws, publisher: str | None = None) -> JSONResponse:
    with ws.db.read() as session:
        found = stats.compute(session, clock.today(), publisher)
    return JSONResponse(
        {
            "overall": found["overall"].as_dict(),
            "publishers": [s.as_dict() for s in found["publishers"]],
        }
    )


@router.get("/api/v1/requests/publishers", summary="Instituciones que reciben solicitudes")
def request_publishers(ws: Ws) -> JSONResponse:
    return JSONResponse(ws.requests.receiving_publishers())


# The private fields of a request an officer's client reads (the pages show more).
API_PRIVATE = ("requester", "description", "answer_text", "assignee", "version")
INBOX_FIELDS = ("assignee_name",)  # what the inbox page shows and the API leaves out


@router.get("/api/v1/inbox", summary="Bandeja del oficial de información (token)")
def inbox(
    request: Request,
    ws: Ws,
    status: str | None = None,
    due: str | None = None,
    assignee: str | None = None,
) -> JSONResponse:
    user = _signed_in(ws, request)
    rows = ws.requests.inbox(user, lang=_lang(request), status=status, due=due, assignee=assignee)
    items = [{k: v for k, v in row.items() if k not in INBOX_FIELDS} for row in rows]
    return JSONResponse({"requests": items})


@router.get("/api/v1/requests/{code}", summary="Seguimiento de una solicitud")
def get_request(request: Request, ws: Ws, code: str) -> JSONResponse:
    user = _officer(ws, request) if request.headers.get("authorization") else None
    try:
        found = ws.requests.tracking(code, lang=_lang(request), officer=user)
    except RequestError as error:
        raise Refused(error) from None
    body = dict(found.view)
    if found.private is not None:
        body["private"] = {k: found.private[k] for k in API_PRIVATE}
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
async def upload_attachment(request: Request, ws: Ws, code: str, name: str = "") -> JSONResponse:
    if not request.headers.get("authorization"):
        raise _unauthorized()
    data = await capped_body(request, attachments.MAX_BYTES)
    if data is None:
        raise _refusal(
            413,
            _("The file is too large: {limit} MB at most."),
            _("Split it or compress it."),
            limit=attachments.MAX_BYTES // 1048576,
        )
    return await blocking(_upload, ws, request, code, name, data)


def _upload(ws: Workspace, request: Request, code: str, name: str, data: bytes) -> JSONResponse:
    actor = Actor("officer", _signed_in(ws, request))
    try:
        with ws.db.read() as session:
            # Before the file is stored: only an officer of the request's publisher.
            ws.requests.check_officer(ws.requests.get(session, code), actor)
        stored = attachments.store(ws.settings, name, data)
        body = ws.requests.upload(code, actor, stored)
    except RequestError as error:
        raise Refused(error) from None
    except CatalogError as error:
        # Its params are only the placeholders of its texts, never _refusal's ``headers``.
        params: dict[str, Any] = error.params
        raise _refusal(422, error.text, error.hint, **params) from None
    return JSONResponse(body, status_code=201)


@router.post("/api/v1/requests/{code}/{action}", summary="Actuar sobre una solicitud")
async def act_on_request(request: Request, ws: Ws, code: str, action: str) -> JSONResponse:
    if action not in ACTIONS:
        raise _refusal(
            404,
            _("Unknown action: {action}."),
            _("Use one of: {allowed}."),
            action=action[:40],
            allowed=", ".join(ACTIONS),
        )
    data = await _json(request, required=False)
    if not isinstance(data, dict):
        raise _refusal(
            400,
            _("The body must be a JSON object."),
            _("Send the action's fields in a JSON object, or {} when it has none."),
        )
    return await blocking(_act, ws, request, code, action, data)


def _act(ws: Workspace, request: Request, code: str, action: str, data: dict) -> JSONResponse:
    lang = _lang(request)
    key = request.headers.get("x-requester-key") or data.pop("requester_key", None)
    if request.headers.get("authorization"):
        actor = Actor("officer", _signed_in(ws, request))
    elif key:
        actor = REQUESTER
    else:
        raise _unauthorized()
    version = data.pop("version", None)
    try:
        changed = ws.requests.act(code, ACTIONS[action], actor, data, key=key, version=version)
        fresh = ws.requests.tracking(changed.tracking_code, lang=lang)
    except RequestError as error:
        raise Refused(error) from None
    return JSONResponse(fresh.view)
