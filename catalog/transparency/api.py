"""JSON endpoints of the access requests, mounted in the API under ``/api/v1/``.

Public: file a request, track it, list requests, statistics, publishers.
Officers' clients: ``Authorization: Bearer ctk_...`` (``catalog users token``)
for the inbox, the private fields and the actions. Requesters act with the
private key they received (``X-Requester-Key`` header or ``requester_key``).
Errors are JSON ``{"error": {"code", "message", "hint", "field"}}`` in the
reader's language (``?lang=en`` or ``Accept-Language``; Spanish by default).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from catalog.i18n import _, normalize_lang, translate
from catalog.transparency import accounts, stats
from catalog.transparency.deadlines import profile
from catalog.transparency.models import InfoRequest, User
from catalog.transparency.public import detail, summary
from catalog.transparency.requests import (
    OPEN,
    REQUESTER,
    RUNNING,
    STATUSES,
    Actor,
    FilingErrors,
    RequestError,
)
from catalog.transparency.workspace import current

router = APIRouter()
MAX_BODY = 64 * 1024
PAGE_SIZE = 50
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


def _refuse(status: int, text: str, hint: str, lang: str) -> JSONResponse:
    error = RequestError(text, hint)
    error.status = status
    return _error(error, lang)


async def _json(request: Request, lang: str) -> tuple[Any, JSONResponse | None]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return None, _refuse(
            413, _("The request body is too large (the limit is 64 KB)."), "", lang
        )
    try:
        return (json.loads(raw) if raw else {}), None
    except (ValueError, UnicodeDecodeError):
        return None, _refuse(
            400,
            _("The body is not valid JSON."),
            _("Send a JSON object with Content-Type: application/json."),
            lang,
        )


def _officer(request: Request) -> User | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    with current().db.write() as session:
        user = accounts.user_for_token(session, header[7:].strip())
        if user is not None:
            session.expunge(user)
        return user


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
    workspace = current()
    client = workspace.signer.client_hash(request.client.host if request.client else "unknown")
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
    return JSONResponse(
        body, status_code=201, headers={"Location": f"/api/v1/requests/{filed.tracking_code}"}
    )


@router.get("/api/v1/requests", summary="Solicitudes (lista pública, anonimizada)")
def list_requests(
    request: Request, publisher: str | None = None, status: str | None = None, page: int = 1
) -> JSONResponse:
    lang = _lang(request)
    query = select(InfoRequest)
    if publisher:
        query = query.where(InfoRequest.publisher == publisher)
    if status:
        if status not in STATUSES:
            error = RequestError(
                _("Unknown status: {value}."),
                _("Use one of: {allowed}."),
                value=status,
                allowed=", ".join(STATUSES),
            )
            error.status = 400
            return _error(error, lang)
        query = query.where(InfoRequest.status == status)
    page = max(1, page)
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

    query = select(InfoRequest).order_by(InfoRequest.due_on, InfoRequest.id)
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
    data, problem = await _json(request, lang)
    if problem:
        return problem
    if not isinstance(data, dict):
        return _refuse(
            400,
            _("The body is not valid JSON."),
            _("Send a JSON object with Content-Type: application/json."),
            lang,
        )
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
            code,
            ACTIONS[action],
            actor,
            data,
            key=key,
            version=version if isinstance(version, int) else None,
        )
    except RequestError as error:
        return _error(error, lang)
    with workspace.db.read() as session:
        fresh = workspace.requests.get(session, changed.tracking_code)
        return JSONResponse(detail(fresh, lang, _now()))
