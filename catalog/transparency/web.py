"""The transparency workspace's web pages, served under ``/transparencia/``.

Public: the request form, tracking, the list of requests, statistics, the
Atom feed of answers. Officers: login, inbox, a request's detail and actions.
Spanish by default; ``?lang=en`` switches to English and a cookie keeps it.
Every form carries a CSRF token; a refused form is shown again with what the
person wrote and a message saying what to fix.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from catalog.content import is_slug
from catalog.errors import CatalogError
from catalog.i18n import _, normalize_lang, translate
from catalog.security import BASE_HEADERS, WORKSPACE_CSP
from catalog.transparency import accounts, admin, attachments, logins, sessions, stats, throttle
from catalog.transparency.api import inbox_rows
from catalog.transparency.auth import (
    DEVICE_COOKIE,
    DEVICE_MAX_AGE,
    FORM_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    same,
)
from catalog.transparency.deadlines import profile
from catalog.transparency.feeds import answers_feed
from catalog.transparency.models import Attachment, InfoRequest, User
from catalog.transparency.public import detail, summary
from catalog.transparency.requests import (
    ACTION_LABELS,
    FORMAT_LABELS,
    HIDDEN,
    KEY_SHAPE,
    OUTCOME_LABELS,
    OUTCOMES,
    PUBLIC_STATUSES,
    REQUESTER,
    STATUS_LABELS,
    Actor,
    FilingErrors,
    RequestError,
    echo,
)
from catalog.transparency.workspace import Workspace, blocking, current

PREFIX = "/transparencia"
TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 25
MAX_FORM_BYTES = MAX_UPLOAD = attachments.MAX_BYTES * attachments.MAX_FILES + 1024 * 1024
# Officer form action (URL) → state-machine action and the form fields it reads.
OFFICER_ACTIONS = {
    "asignar": ("assign", ("assignee",)),
    "aclaracion": ("request_clarification", ("question",)),
    "prorroga": ("extend", ("reason",)),
    "responder": ("answer", ("outcome", "text", "legal_ground")),
    "remitir": ("refer", ("referred_to",)),
    "publicar": ("publish", ()),
    "cerrar": ("close", ("reason",)),
    "apelacion": ("appeal", ("reason",)),
    "resolver-apelacion": ("resolve_appeal", ("resolution",)),
}
REQUESTER_ACTIONS = {
    "aclarar": ("clarify", ("text",)),
    "desistir": ("withdraw", ()),
    "apelar": ("appeal", ("reason",)),
}
SECURITY_HEADERS = {**BASE_HEADERS, "Content-Security-Policy": WORKSPACE_CSP}

# Administrators' form action (URL) → what it does.
ADMIN_ACTIONS = (
    "cierre",
    "quitar-cierre",
    "cuenta",
    "desactivar",
    "activar",
    "sesiones",
    "sesion",
    "desbloquear",
)
LOG = logging.getLogger("catalog.transparency.admin")

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _now() -> datetime:
    return datetime.now(UTC)


# Where SessionReader leaves the request's session (a sessions.Current, or None).
SESSION_SCOPE = "catalog.transparency.session"
_UNREAD = object()


class SessionReader:
    """ASGI middleware: reads the signed-in session, a database query, in a worker thread
    before the handler runs, so that ``Page.user`` never touches the database on the
    event loop (and every handler gets it without changing)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            cookie = Request(scope).cookies.get(SESSION_COOKIE)
            if cookie:
                # Signed out until read: if the database fails here, the error page
                # that follows renders without trying it again.
                scope[SESSION_SCOPE] = None
                workspace = current()
                token = workspace.signer.read_session(cookie)
                scope[SESSION_SCOPE] = await logins.current_session(workspace, token)
        await self.app(scope, receive, send)


class Page:
    """What every handler needs about the request it answers."""

    def __init__(self, workspace: Workspace, request: Request) -> None:
        self.ws = workspace
        self.request = request
        asked = request.query_params.get("lang")
        self.lang_asked = asked if asked in ("es", "en") else None
        self.lang = normalize_lang(self.lang_asked or request.cookies.get("lang") or "es")
        self.nonce = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(16)
        self._session: Any = request.scope.get(SESSION_SCOPE, _UNREAD)

    def t(self, msgid: str, **params: object) -> str:
        return translate(msgid, self.lang, **params)

    @property
    def session(self) -> sessions.Current | None:
        """The live session of the request (None if missing, ended, idle or revoked)."""
        if self._session is _UNREAD:
            # Only without SessionReader in front (create_app always puts it there).
            token = self.ws.signer.read_session(self.request.cookies.get(SESSION_COOKIE))
            self._session = sessions.resolve(self.ws.db, token, self.ws.clock())
        return self._session

    @property
    def user(self) -> User | None:
        """The signed-in officer or administrator, or None."""
        return self.session.user if self.session else None

    def switch_url(self, lang: str) -> str:
        query = {k: v for k, v in self.request.query_params.items() if k not in ("lang", "clave")}
        query["lang"] = lang
        return f"{self.request.url.path}?{urlencode(query)}"

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = _env.get_template(template).render(
            t=self.t,
            lang=self.lang,
            page=self,
            user=self.user,
            prefix=PREFIX,
            form_token=self.ws.signer.form_token(self.nonce),
            csrf=self.session.csrf if self.session else "",
            status_labels=STATUS_LABELS,
            outcome_labels=OUTCOME_LABELS,
            action_labels=ACTION_LABELS,
            **context,
        )
        return self.finish(HTMLResponse(html, status_code=status))

    def finish(self, response: Response) -> Response:
        secure = self.request.url.scheme == "https"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
        if self.lang_asked:
            response.set_cookie(
                "lang", self.lang, max_age=365 * 86400, samesite="lax", secure=secure
            )
        if self.request.cookies.get(FORM_COOKIE) != self.nonce:
            response.set_cookie(
                FORM_COOKIE, self.nonce, httponly=True, samesite="lax", secure=secure
            )
        return response

    def error(self, status: int, text: str, hint: str = "", **params: object) -> HTMLResponse:
        return self.render(
            "message.html",
            status,
            title=self.t(text, **params),
            hint=self.t(hint, **params) if hint else "",
        )

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))

    def public_token_problem(self, form: Any, min_age: float) -> str | None:
        return self.ws.signer.check_form_token(
            form.get("form_token"), self.request.cookies.get(FORM_COOKIE), min_age
        )

    def csrf_ok(self, form: Any) -> bool:
        return self.session is not None and same(form.get("csrf"), self.session.csrf)


def _form_problem_message(problem: str) -> tuple[str, str]:
    if problem == "too-fast":
        return (
            _("The form was sent too quickly after it was opened."),
            _("Check what you wrote and send it again in a few seconds."),
        )
    if problem == "expired":
        return (_("The form expired."), _("Send it again: what you wrote is still there."))
    return (
        _("The form could not be verified (missing or old security token)."),
        _("Send it again from this page: what you wrote is still there."),
    )


# The request handlers read the body on the event loop (awaiting the network), then
# run everything else (database, redaction, templates) in a worker thread with
# ``blocking``: one slow page never holds up the others (docs/architecture.md).
FORM_BYTES = 256 * 1024
FILING_FIELDS = ("publisher", "subject", "description", "name", "email", "preferred_format")


async def _read_form(request: Request, files: bool = False) -> FormData:
    """A request form, read with a size cap (RequestError 413, before parsing) and
    parsed (RequestError 400 when it cannot be)."""
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
    declared = request.headers.get("content-length") or ""
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large

    if not _utf8_form(request, bytes(body)):
        refused = RequestError(
            _("The form contains characters that are not valid text."),
            _("Type the text again, or paste it as plain text, and send the form again."),
        )
        refused.status = 400
        raise refused

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    try:
        return await Request(request.scope, replay).form(
            max_files=attachments.MAX_FILES if files else 0, max_fields=50
        )
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


def _refused(page: Page, error: RequestError) -> Response:
    """A refused filing or action as a page, in the reader's language (its parameters
    may be named like ``page.error``'s own, so they are never passed on as keywords)."""
    return page.render("message.html", error.status, title=error.message(page.lang), hint="")


def _text(value: object) -> str:
    """A form value to show again in the form ("" for anything but text)."""
    return value if isinstance(value, str) else ""


def _key_of(value: object) -> str:
    """The requester's key from a form or a link, or "" if it cannot be one."""
    return value if isinstance(value, str) and KEY_SHAPE.fullmatch(value) else ""


# ---------------------------------------------------------------- public pages


def _publishers(page: Page) -> list[dict[str, Any]]:
    found = []
    for slug, info in sorted(page.ws.directory().items(), key=lambda kv: str(kv[1].get("name"))):
        code = page.ws.requests.jurisdiction_of(slug)
        found.append(
            {
                "slug": slug,
                "name": info.get("name") or slug,
                "acronym": info.get("acronym"),
                "days": profile(code).days,
            }
        )
    return found


async def home(request: Request) -> Response:
    page = Page(current(), request)
    return await blocking(page.render, "home.html")


async def new_request(request: Request) -> Response:
    page = Page(current(), request)
    return await blocking(_new_form, page, {}, {}, 200, "")


def _new_form(
    page: Page, values: dict[str, str], errors: dict[str, str], status: int, message: str
) -> Response:
    return page.render(
        "new.html",
        status,
        publishers=_publishers(page),
        formats=FORMAT_LABELS,
        values=values,
        errors=errors,
        message=message,
    )


async def file_request(request: Request) -> Response:
    page = Page(current(), request)
    try:
        form = await _read_form(request)
    except RequestError as error:
        return await blocking(_refused, page, error)
    return await blocking(_file_request, page, form)


def _file_request(page: Page, form: FormData) -> Response:
    values = {k: _text(form.get(k)) for k in FILING_FIELDS}
    if form.get("website"):  # the honeypot: people do not see this field, robots fill it
        message = page.t(_("The form could not be verified (missing or old security token)."))
        return _new_form(page, values, {}, 400, message)
    problem = page.public_token_problem(form, page.ws.settings.min_fill_seconds)
    if problem:
        text, hint = _form_problem_message(problem)
        return _new_form(page, values, {}, 400, f"{page.t(text)} {page.t(hint)}")
    data = {
        "publisher": form.get("publisher"),
        "subject": form.get("subject"),
        "description": form.get("description"),
        "requester": {"name": form.get("name"), "email": form.get("email")},
        "preferred_format": form.get("preferred_format") or None,
    }
    request = page.request
    client = page.ws.signer.client_hash(request.client.host if request.client else "unknown")
    try:
        filed, key = page.ws.requests.file(data, client=client, lang=page.lang)
    except FilingErrors as error:
        errors = {e.field or "": e.message(page.lang) for e in error.errors}
        return _new_form(page, values, errors, 422, error.message(page.lang))
    except RequestError as error:
        return _new_form(page, values, {}, error.status, error.message(page.lang))
    if key is None:  # the e-mail must be confirmed first (the profile says so)
        return page.render("filed.html", 201, request=filed, key=None, private_link="")
    link = page.ws.requests.link(filed, key)
    return page.render("filed.html", 201, request=filed, key=key, private_link=link)


async def confirm_page(request: Request) -> Response:
    """The link of the confirmation e-mail: a page with one button. Confirming takes a
    POST, so that mail scanners that open every link confirm nothing."""
    page = Page(current(), request)
    code = request.path_params["code"]
    token = request.query_params.get("token") or ""
    return await blocking(page.render, "confirm.html", code=code, token=token[:1000])


async def find(request: Request) -> Response:
    """The home page's tracking box: go to the code typed in."""
    page = Page(current(), request)
    code = "".join(str(request.query_params.get("code") or "").split()).upper()[:40]
    return page.redirect(f"{PREFIX}/solicitudes/{quote(code)}" if code else f"{PREFIX}/")


async def list_requests(request: Request) -> Response:
    page = Page(current(), request)
    return await blocking(_list_page, page)


def _list_page(page: Page) -> Response:
    params = page.request.query_params
    publisher = params.get("institucion") or None
    publisher = publisher if is_slug(publisher) else None
    status = params.get("estado") or None
    status = status if status in PUBLIC_STATUSES else None
    number = _number(params.get("pagina") or "1") or 1
    query = select(InfoRequest).where(InfoRequest.status.not_in(HIDDEN))
    if publisher:
        query = query.where(InfoRequest.publisher == publisher)
    if status:
        query = query.where(InfoRequest.status == status)
    with page.ws.db.read() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(InfoRequest.received_at.desc(), InfoRequest.id.desc())
            .limit(PAGE_SIZE)
            .offset((number - 1) * PAGE_SIZE)
        ).all()
        items = [summary(r, page.lang, _now()) for r in rows]
    pages = max(1, -(-total // PAGE_SIZE))
    publishers = _publishers(page)
    return page.render(
        "list.html",
        items=items,
        total=total,
        number=number,
        pages=pages,
        publishers=publishers,
        statuses=PUBLIC_STATUSES,
        chosen={"institucion": publisher or "", "estado": status or ""},
        names={p["slug"]: p["name"] for p in publishers},
    )


async def track(request: Request) -> Response:
    page = Page(current(), request)
    return await blocking(_track_page, page)


def _track_page(page: Page) -> Response:
    code = page.request.path_params["code"]
    key = page.request.query_params.get("clave")
    with page.ws.db.read() as session:
        try:
            found = page.ws.requests.get(session, code)
        except RequestError as error:
            return _refused(page, error)
        view = detail(found, page.lang, _now())
        is_requester = False
        if key:
            try:
                page.ws.requests.check_requester(found, key)
                is_requester = True
            except RequestError:
                return page.error(
                    403,
                    _("This private link is not valid for this request."),
                    _("Use the link in the e-mail you received when you filed the request."),
                )
        # The requester reads their own subject as they wrote it.
        own_subject = found.subject if is_requester else None
    name = (page.ws.directory().get(view["publisher"]) or {}).get("name") or view["publisher"]
    return page.render(
        "track.html",
        view=view,
        publisher_name=name,
        key=key if is_requester else None,
        own_subject=own_subject,
    )


async def requester_action(request: Request) -> Response:
    page = Page(current(), request)
    name = request.path_params["action"]
    if name not in REQUESTER_ACTIONS and name != "confirmar":
        return await blocking(
            page.error, 404, _("Unknown action: {action}."), "", action=echo(name)
        )
    try:
        form = await _read_form(request)
    except RequestError as error:
        return await blocking(_refused, page, error)
    if name == "confirmar":
        return await blocking(_confirm, page, form)
    return await blocking(_requester_action, page, name, form)


def _requester_action(page: Page, name: str, form: FormData) -> Response:
    code = page.request.path_params["code"]
    key = _key_of(form.get("clave"))
    back = f"{PREFIX}/solicitudes/{quote(echo(code))}?clave={quote(key)}"
    problem = page.public_token_problem(form, 0)
    if problem:
        text, hint = _form_problem_message(problem)
        return page.error(400, text, hint)
    action, fields = REQUESTER_ACTIONS[name]
    params = {f: form.get(f) for f in fields}
    try:
        page.ws.requests.act(code, action, REQUESTER, params, key=form.get("clave"))
    except RequestError as error:
        return page.render(
            "message.html",
            error.status,
            title=error.message(page.lang),
            hint="",
            back=back,
            kept={k: _text(v) for k, v in params.items()},
        )
    return page.redirect(back)


def _confirm(page: Page, form: FormData) -> Response:
    """The requester confirmed the e-mail: the request is received, here is their link."""
    code = page.request.path_params["code"]
    problem = page.public_token_problem(form, 0)
    if problem:
        text, hint = _form_problem_message(problem)
        return page.error(400, text, hint)
    try:
        confirmed, key = page.ws.requests.confirm(code, form.get("token"))
    except RequestError as error:
        return _refused(page, error)
    link = page.ws.requests.link(confirmed, key)
    return page.render("filed.html", 200, request=confirmed, key=key, private_link=link)


async def statistics(request: Request) -> Response:
    page = Page(current(), request)
    return await blocking(_statistics_page, page)


def _statistics_page(page: Page) -> Response:
    with page.ws.db.read() as session:
        found = stats.compute(session, _now().date())
    names = {p["slug"]: p["name"] for p in _publishers(page)}
    return page.render(
        "stats.html",
        overall=found["overall"],
        rows=found["publishers"],
        names=names,
        outcomes=OUTCOMES,
    )


async def feed(request: Request) -> Response:
    page = Page(current(), request)
    body = await blocking(_feed_body, page)
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


def _feed_body(page: Page) -> bytes:
    with page.ws.db.read() as session:
        return answers_feed(session, page.ws.settings.public_url, page.lang)


# Types a browser shows without running anything; every other file is downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


async def attachment(request: Request) -> Response:
    page = Page(current(), request)
    return await blocking(_attachment, page)


def _attachment(page: Page) -> Response:
    number = _number(page.request.path_params["id"])
    with page.ws.db.read() as session:
        found = session.get(Attachment, number) if number is not None else None
        owner = session.get(InfoRequest, found.request_id) if found else None
    allowed = owner is not None and (
        owner.published_at is not None or (page.user and page.user.can_act_on(owner.publisher))
    )
    if not allowed or found.filename != page.request.path_params["name"]:
        return page.error(404, _("File not found."), "")
    try:
        path = attachments.blob_path(page.ws.settings, found.sha256)
    except ValueError:
        path = None
    if path is None or not path.is_file():
        return page.error(404, _("File not found."), "")
    media_type, disposition = _served_as(found.filename, found.media_type)
    return FileResponse(
        path,
        media_type=media_type,
        filename=found.filename,
        content_disposition_type=disposition,
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
    )


def _served_as(filename: str, recorded: str) -> tuple[str, str]:
    """(Content-Type, disposition) from the file's own checked extension, whatever the
    record says: a type the upload check did not give is served as bytes, downloaded."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    media_type = attachments.TYPES.get(extension, ("application/octet-stream", None))[0]
    if media_type != recorded:
        media_type = "application/octet-stream"
    return media_type, "inline" if media_type in INLINE_TYPES else "attachment"


# --------------------------------------------------------------- officer pages


# A login, logout or administration form is a few hundred bytes; anything much
# bigger is refused before it is parsed (413), whatever sits in front of the app.
AUTH_FORM_BYTES = 32 * 1024


class FormRefused(CatalogError):
    """A form that cannot be used as sent: its HTTP status and what to fix."""

    def __init__(self, status: int, text: str, hint: str = "", **params: object) -> None:
        super().__init__(text, hint, **params)
        self.status = status


async def _auth_form(request: Request) -> FormData:
    """The small form of a login, logout or administration page, read with a size cap."""
    too_large = FormRefused(
        413,
        _("What you sent is too large for this form ({size} KB at most)."),
        _("Send only the form's own fields, from its page."),
        size=AUTH_FORM_BYTES // 1024,
    )
    declared = request.headers.get("content-length") or "0"
    if declared.isdigit() and int(declared) > AUTH_FORM_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > AUTH_FORM_BYTES:
            raise too_large

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=0, max_fields=60)
    except (MultiPartException, HTTPException, ValueError):
        raise FormRefused(
            400,
            _("The form could not be read."),
            _("Send it again from its page, without files."),
        ) from None


def _field(page: Page, form: FormData, name: str, label: str, limit: int) -> str:
    """One text field of ``form`` ("" when absent), or FormRefused with what is wrong."""
    values = form.getlist(name)
    if not values:
        return ""
    value = values[0]
    if len(values) > 1 or not isinstance(value, str):
        raise FormRefused(
            400,
            _("The field {field} must be a single text."),
            _("Send the form again from its page."),
            field=page.t(label),
        )
    if len(value) > limit:
        raise FormRefused(
            400,
            _("The field {field} is too long ({length} characters; at most {maximum})."),
            _("Shorten it and send the form again."),
            field=page.t(label),
            length=len(value),
            maximum=limit,
        )
    if "\x00" in value or not _encodable(value):
        # PostgreSQL refuses a NUL byte and UTF-8 a lone surrogate: say so, do not fail.
        raise FormRefused(
            400,
            _("The field {field} contains characters that are not text."),
            _("Type it again and send the form."),
            field=page.t(label),
        )
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _next(form: FormData) -> str:
    """Where to go after signing in (a hidden field: ignored when it is not a plain path)."""
    value = form.get("next")
    if isinstance(value, str) and len(value) <= 500 and _encodable(value) and "\x00" not in value:
        return value
    return ""


def _number(value: str) -> int | None:
    """A database id written in a form, or None if it cannot be one (letters, 23 digits)."""
    value = value.strip()
    if not value.isdigit() or len(value) > 10 or int(value) > 2**31 - 1:
        return None
    return int(value)


def _lock_message(page: Page, outcome: logins.Outcome) -> str:
    minutes = -(-logins.retry_after(outcome.locked_until, page.ws.clock()) // 60)
    if outcome.locked_kind == "client":
        text = _(
            "Too many failed sign-ins from your network address: signing in from it is locked for {minutes} minutes."
        )
    else:
        text = _(
            "Too many failed sign-ins for this account: signing in to it is locked for {minutes} minutes."
        )
    hint = _("Try again after that time, or ask an administrator to unlock it.")
    return f"{page.t(text, minutes=minutes)} {page.t(hint)}"


async def login_page(request: Request) -> Response:
    page = Page(current(), request)
    target = request.query_params.get("next") or ""
    return page.render("login.html", email="", next=target[:500])


def _login_again(
    page: Page, status: int, message: str, email: str = "", target: str = ""
) -> Response:
    return page.render("login.html", status, email=email, next=target, message=message)


async def login(request: Request) -> Response:
    page = Page(current(), request)
    try:
        form = await _auth_form(request)
        email = _field(page, form, "email", _("E-mail"), 254).strip()
        password = _field(page, form, "password", _("Password"), accounts.MAX_PASSWORD)
        target = _next(form)
    except FormRefused as error:
        return _login_again(page, error.status, error.message(page.lang))
    if page.public_token_problem(form, 0):
        message = page.t(_("The form could not be verified (missing or old security token)."))
        return _login_again(page, 400, message, email, target)
    if not email or not password:
        message = page.t(_("Write your e-mail address and your password."))
        return _login_again(page, 400, message, email, target)
    device = page.ws.signer.read_device(request.cookies.get(DEVICE_COOKIE))
    attempt = logins.Attempt(
        email=email,
        password=password,
        address=request.client.host if request.client else "unknown",
        device=device,
        user_agent=request.headers.get("user-agent", ""),
    )
    outcome = await logins.sign_in(page.ws, attempt)
    if outcome.token is None:
        return _login_refused(page, outcome, email, target)
    return _signed_in(page, outcome, device, target)


def _login_refused(page: Page, outcome: logins.Outcome, email: str, target: str) -> Response:
    wrong = page.t(_("Wrong e-mail or password, or the account is disabled."))
    if outcome.locked_until is None:
        return _login_again(page, 401, wrong, email, target)
    locked = _lock_message(page, outcome)
    message = locked if outcome.refused else f"{wrong} {locked}"
    response = _login_again(page, 429, message, email, target)
    response.headers["Retry-After"] = str(logins.retry_after(outcome.locked_until, page.ws.clock()))
    return response


def _signed_in(
    page: Page, outcome: logins.Outcome, device: tuple[int, str] | None, target: str
) -> Response:
    if not target.startswith((PREFIX + "/oficiales", PREFIX + "/admin/")):
        target = PREFIX + "/oficiales/"
    response = page.redirect(target)
    secure = page.request.url.scheme == "https"
    cookie = page.ws.signer.session_cookie(outcome.token or "")
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
        path=PREFIX,
    )
    if device is None or device[0] != outcome.user_id:
        # This browser is now a trusted device of the officer (see throttle.py).
        response.set_cookie(
            DEVICE_COOKIE,
            page.ws.signer.device_cookie(outcome.user_id or 0),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=secure,
            path=PREFIX + "/oficiales",
        )
    return response


async def logout(request: Request) -> Response:
    page = Page(current(), request)
    try:
        form = await _auth_form(request)
    except FormRefused as error:
        return page.error(error.status, error.text, error.hint, **error.params)
    current_session = page.session
    if current_session is not None:
        if not page.csrf_ok(form):
            return page.error(
                403,
                _("The form could not be verified (missing or old security token)."),
                _("Reload the page and try again."),
            )
        await logins.sign_out(page.ws, current_session.session_id)
    response = page.redirect(PREFIX + "/oficiales/entrar")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


def _needs_login(page: Page) -> Response | None:
    if page.user is None:
        return page.redirect(f"{PREFIX}/oficiales/entrar?next={quote(page.request.url.path)}")
    return None


async def inbox(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_login(page)) is not None:
        return refused
    return await blocking(_inbox_page, page)


def _inbox_page(page: Page) -> Response:
    filters = {k: page.request.query_params.get(k) or "" for k in ("estado", "plazo", "asignada")}
    with page.ws.db.read() as session:
        rows = inbox_rows(
            session,
            page.user,
            status=filters["estado"] or None,
            due={"pronto": "soon", "vencidas": "overdue"}.get(filters["plazo"]),
            assignee={"yo": "me", "nadie": "none"}.get(filters["asignada"]),
        )
        items = [
            {
                **summary(r, page.lang, _now()),
                "subject": r.subject,  # officers read it as written
                "assignee": r.assignee.name if r.assignee else "",
            }
            for r in rows
        ]
    return page.render(
        "inbox.html",
        items=items,
        filters=filters,
        statuses=PUBLIC_STATUSES,
        names={p["slug"]: p["name"] for p in _publishers(page)},
    )


async def officer_detail(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_login(page)) is not None:
        return refused
    return await blocking(_officer_view, page, request.path_params["code"])


def _officer_view(
    page: Page, code: str, status: int = 200, message: str = "", kept: dict | None = None
) -> Response:
    with page.ws.db.read() as session:
        try:
            found = page.ws.requests.get(session, code)
        except RequestError as error:
            return _refused(page, error)
        if not page.user.can_act_on(found.publisher):
            return page.error(
                403,
                _("You are not an officer of {publisher}."),
                _("Only the officers of the publisher that received the request can act on it."),
                publisher=found.publisher,
            )
        view = detail(found, page.lang, _now())
        # Cached by text and rules: viewing the page again runs no rule again.
        try:
            preview = page.ws.requests.preview(session, found)
        except RequestError as error:  # a rule that cannot be applied: say so, show nothing
            preview = {"subject": "", "description": "", "answer": ""}
            message = message or error.message(page.lang)
        colleagues = session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.name)
        ).all()
        colleagues = [u for u in colleagues if u.can_act_on(found.publisher) and not u.is_admin]
        events = [
            {
                "at": e.at,
                "label": page.t(ACTION_LABELS.get(e.action, e.action)),
                "actor": e.actor,
                "data": {k: v for k, v in e.data.items() if k != "public"},
                "public": e.public,
            }
            for e in found.events
        ]
        rules = page.ws.requests.rules_for(session, found)
        private = {
            "name": found.requester_name,
            "email": found.requester_email,
            "subject": found.subject,
            "description": found.description,
            "answer_text": found.answer_text,
            "assignee": found.assignee.name if found.assignee else "",
            "version": found.version,
            "extensions": found.extensions,
        }
    limits = profile(found.jurisdiction)
    return page.render(
        "officer_request.html",
        status,
        view=view,
        private=private,
        events=events,
        preview=preview,
        rules=rules,
        colleagues=colleagues,
        outcomes=OUTCOMES,
        message=message,
        kept=kept or {},
        can_extend=limits.extension_times > found.extensions,
        extension_days=limits.extension_days,
    )


async def officer_action(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_login(page)) is not None:
        return refused
    code, name = request.path_params["code"], request.path_params["action"]
    if name not in OFFICER_ACTIONS and name != "regla":
        return await blocking(
            page.error, 404, _("Unknown action: {action}."), "", action=echo(name)
        )
    try:
        form = await _read_form(request, files=name == "responder")
    except RequestError as error:
        return await blocking(_officer_view, page, code, error.status, error.message(page.lang))
    if not page.csrf_ok(form):
        return await blocking(
            page.error,
            403,
            _("The form could not be verified (missing or old security token)."),
            _("Reload the page and try again."),
        )
    uploads = [u for u in form.getlist("files") if getattr(u, "filename", "")]
    files = [(u.filename, await u.read(attachments.MAX_BYTES + 1)) for u in uploads]
    return await blocking(_officer_action, page, code, name, form, files)


def _officer_action(
    page: Page, code: str, name: str, form: FormData, files: list[tuple[str, bytes]]
) -> Response:
    actor = Actor("officer", page.user)
    if name == "regla":
        return _add_rule(page, code, form, actor)
    action, fields = OFFICER_ACTIONS[name]
    params: dict[str, Any] = {f: form.get(f) for f in fields}
    kept = {k: _text(v) for k, v in params.items()}
    raw = form.get("version")
    number = _number(raw) if isinstance(raw, str) else None
    version = number if number is not None else (raw or None)  # act() refuses a non-number
    try:
        # Checked and stored by the server: name, type and hash are never the client's.
        stored = [attachments.store(page.ws.settings, n, data) for n, data in files]
        trusted = {"_files": stored} if action == "answer" else None
        page.ws.requests.act(code, action, actor, params, version=version, trusted=trusted)
    except RequestError as error:
        return _officer_view(page, code, error.status, error.message(page.lang), kept)
    except CatalogError as error:
        return _officer_view(page, code, 422, error.message(page.lang), kept)
    return page.redirect(f"{PREFIX}/oficiales/solicitudes/{quote(echo(code))}")


def _add_rule(page: Page, code: str, form: FormData, actor: Actor) -> Response:
    scope = form.get("scope") or "request"
    kept = {"pattern": _text(form.get("pattern"))}
    try:
        with page.ws.db.read() as session:
            publisher = page.ws.requests.get(session, code).publisher
        page.ws.requests.add_rule(
            actor,
            publisher,
            form.get("pattern"),
            is_regex=form.get("is_regex") == "on",
            code=code if scope == "request" else None,
            replacement=form.get("replacement") or "",
            reason=form.get("reason") or "",
        )
    except RequestError as error:
        return _officer_view(page, code, error.status, error.message(page.lang), kept)
    except CatalogError as error:
        return _officer_view(page, code, 422, error.message(page.lang), kept)
    return page.redirect(f"{PREFIX}/oficiales/solicitudes/{quote(echo(code))}#redaccion")


# ---------------------------------------------------------- administrators' area


def _needs_admin(page: Page) -> Response | None:
    if (refused := _needs_login(page)) is not None:
        return refused
    if not page.user.is_admin:
        return page.error(
            403,
            _("Only administrators can open the administration page."),
            _("Ask an administrator if you need a closure day or an account changed."),
        )
    return None


def _jurisdictions(page: Page) -> list[str]:
    return sorted({page.ws.requests.jurisdiction_of(slug) for slug in page.ws.directory()} | {"GT"})


def _admin_data(page: Page) -> dict[str, Any]:
    """What the administration page shows: database reads, run in a worker thread."""
    now, today = page.ws.clock(), _now().date()
    closures = admin.list_closures(page.ws, since=today)
    mine = page.session.session_id if page.session else None
    with page.ws.db.read() as session:
        found = accounts.list_users(session)
        live = sessions.live_sessions(session, now)
        counts: dict[int, int] = {}
        for row in live:
            counts[row.user_id] = counts.get(row.user_id, 0) + 1
        users = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "publishers": sorted(u.publishers),
                "active": u.active,
                "sessions": counts.get(u.id, 0),
            }
            for u in found
        ]
        open_sessions = [
            {
                "id": row.id,
                "email": row.user.email,
                "created": row.created_at,
                "last_seen": row.last_seen_at,
                "expires": row.expires_at,
                "agent": row.user_agent or "",
                "mine": row.id == mine,
            }
            for row in live
        ]
    return {
        "closures": closures,
        "today": today,
        "jurisdictions": _jurisdictions(page),
        "users": users,
        "sessions": open_sessions,
        "lockouts": logins.lockouts(page.ws, found, now),
        "publishers": _publishers(page),
    }


async def _admin_view(
    page: Page, status: int = 200, message: str = "", kept: dict | None = None
) -> Response:
    data = await blocking(_admin_data, page)
    return page.render(
        "admin.html",
        status,
        **data,
        names={p["slug"]: p["name"] for p in data["publishers"]},
        min_password=accounts.MIN_PASSWORD,
        idle_minutes=int(sessions.IDLE.total_seconds() // 60),
        session_hours=int(sessions.ABSOLUTE.total_seconds() // 3600),
        message=message,
        kept=kept or {},
    )


async def admin_page(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_admin(page)) is not None:
        return refused
    done = request.query_params.get("hecho") or ""
    return await _admin_view(page, message=page.t(_("The change was saved.")) if done else "")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CatalogError(
            _("{value} is not a date."),
            _("Write the date as YYYY-MM-DD, for example 2026-12-07."),
            value=value.strip()[:40] or "''",
        ) from None


def _jurisdiction(page: Page, value: str) -> str:
    code = value.strip().upper()
    if code not in _jurisdictions(page):
        raise CatalogError(
            _("Unknown jurisdiction: {code}."),
            _("Choose one of: {codes}."),
            code=code[:10] or "''",
            codes=", ".join(_jurisdictions(page)),
        )
    return code


def _closure_change(page: Page, name: str, form: FormData) -> None:
    today = _now().date()
    code = _jurisdiction(page, _field(page, form, "jurisdiction", _("Jurisdiction"), 10))
    day = _day(_field(page, form, "day", _("Day"), 40))
    if name == "quitar-cierre":
        admin.remove_closure(page.ws, code, day, today)
        LOG.info("closure %s %s removed by user %s", code, day, page.user.id)
        return
    reason = _field(page, form, "reason", _("Reason"), 1000).strip()
    if day < today:
        raise CatalogError(
            _("{day} is in the past."),
            _("A closure day counts only for new deadlines: choose today or a later day."),
            day=day.isoformat(),
        )
    if not reason or len(reason) > 200:
        raise CatalogError(
            _("Give the reason for the closure (at most 200 characters)."),
            _("Example: Feria local."),
        )
    admin.add_closure(page.ws, code, day, reason)
    LOG.info("closure %s %s added by user %s", code, day, page.user.id)


def _new_account(page: Page, form: FormData) -> None:
    chosen = form.getlist("publishers")
    if len(chosen) > 200 or not all(isinstance(p, str) and len(p) <= 100 for p in chosen):
        raise FormRefused(
            400, _("The list of publishers cannot be read."), _("Choose publishers from the list.")
        )
    publishers = accounts.check_publishers(list(chosen), set(page.ws.directory()))
    email = _field(page, form, "email", _("E-mail"), 254)
    name = _field(page, form, "name", _("Name"), accounts.MAX_NAME).strip()
    password = _field(page, form, "password", _("Password"), accounts.MAX_PASSWORD)
    with page.ws.db.write() as session:
        user = accounts.add_user(session, email, name, password, "officer", publishers)
        LOG.info("account %s created by user %s", user.id, page.user.id)


def _account_change(page: Page, name: str, form: FormData) -> None:
    """Enable or disable an account, or end all its sessions."""
    who = page.user.id
    number = _number(_field(page, form, "user", _("Account"), 40))
    with page.ws.db.write() as session:
        user = session.get(User, number) if number is not None else None
        if user is None:
            raise CatalogError(_("No such account."), _("Reload the page to see the current list."))
        if name == "sesiones":
            ended = sessions.revoke_all(session, user.id, page.ws.clock())
            LOG.info("%s sessions of account %s ended by user %s", ended, user.id, who)
            return
        active = name == "activar"
        if user.id == who and not active:
            raise CatalogError(
                _("You cannot disable your own account."),
                _("Ask another administrator, or use catalog users disable."),
            )
        accounts.set_active(session, user.email, active)
        LOG.info("account %s %s by user %s", user.id, "enabled" if active else "disabled", who)


def _session_end(page: Page, form: FormData) -> None:
    number = _number(_field(page, form, "session", _("Session"), 40))
    with page.ws.db.write() as session:
        if number is None or not sessions.revoke(session, number, page.ws.clock()):
            raise CatalogError(
                _("That session has already ended."), _("Reload the page to see the current list.")
            )
    LOG.info("session %s ended by user %s", number, page.user.id)


def _unlock(page: Page, form: FormData) -> None:
    kind = _field(page, form, "kind", _("Lockout"), 10)
    key = _field(page, form, "key", _("Lockout"), 80)
    if kind not in throttle.RULES or not key or not logins.unlock_key(page.ws, kind, key):
        raise CatalogError(
            _("That lockout has already ended."), _("Reload the page to see the current list.")
        )
    LOG.info("%s lockout %s lifted by user %s", kind, key[:12], page.user.id)


def _admin_change(page: Page, name: str, form: FormData) -> None:
    """Do one administrator's change (in a worker thread); a CatalogError says what is
    wrong with the input."""
    if name in ("cierre", "quitar-cierre"):
        _closure_change(page, name, form)
    elif name == "cuenta":
        _new_account(page, form)
    elif name == "sesion":
        _session_end(page, form)
    elif name == "desbloquear":
        _unlock(page, form)
    else:
        _account_change(page, name, form)


def _kept(form: FormData) -> dict[str, Any]:
    """What the administrator wrote, shown again with the message (never the password)."""
    kept: dict[str, Any] = {}
    for name in ("jurisdiction", "day", "reason", "email", "name"):
        value = form.get(name)
        kept[name] = value[:300] if isinstance(value, str) and _encodable(value) else ""
    kept["publishers"] = [p[:100] for p in form.getlist("publishers")[:200] if isinstance(p, str)]
    return kept


async def admin_action(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_admin(page)) is not None:
        return refused
    name = request.path_params["action"]
    if name not in ADMIN_ACTIONS:
        return page.error(404, _("Unknown action: {action}."), "", action=name[:40])
    try:
        form = await _auth_form(request)
    except FormRefused as error:
        return await _admin_view(page, error.status, error.message(page.lang), {"form": name})
    if not page.csrf_ok(form):
        return page.error(
            403,
            _("The form could not be verified (missing or old security token)."),
            _("Reload the page and try again."),
        )
    try:
        await blocking(_admin_change, page, name, form)
    except CatalogError as error:
        status = error.status if isinstance(error, FormRefused) else 422
        kept = {**_kept(form), "form": name}
        return await _admin_view(page, status, error.message(page.lang), kept)
    return page.redirect(f"{PREFIX}/admin/?hecho=1")


async def not_found(request: Request, exc: Exception) -> Response:
    page = Page(current(), request)
    return page.error(
        404, _("Page not found."), _("Check the address, or start from the workspace's home page.")
    )


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    page = Page(current(), request)
    return page.error(405, _("This address does not accept that kind of request."), "")


async def server_error(request: Request, exc: Exception) -> Response:
    page = Page(current(), request)
    return page.error(
        500,
        _("Something went wrong on our side; nothing you sent was lost."),
        _("Try again in a moment."),
    )


def create_app(build_dir: Path, workspace: Workspace | None = None) -> Starlette:
    """The ASGI app of the workspace pages (the database is migrated at the first use)."""
    from catalog.transparency.workspace import configure, use

    if workspace is not None:
        use(workspace)
    else:
        configure(build_dir)
    p = PREFIX
    routes = [
        Route(p, lambda r: RedirectResponse(p + "/", 308)),
        Route(p + "/", home),
        Route(p + "/solicitudes/nueva", new_request, methods=["GET"]),
        Route(p + "/solicitudes/nueva", file_request, methods=["POST"]),
        Route(p + "/solicitudes/", list_requests),
        Route(p + "/solicitudes/buscar", find),
        Route(p + "/solicitudes/{code}", track),
        Route(p + "/solicitudes/{code}/confirmar", confirm_page, methods=["GET"]),
        Route(p + "/solicitudes/{code}/{action}", requester_action, methods=["POST"]),
        Route(p + "/estadisticas", statistics),
        Route(p + "/respuestas.atom", feed),
        Route(p + "/adjuntos/{id}/{name}", attachment),
        Route(p + "/oficiales/entrar", login_page, methods=["GET"]),
        Route(p + "/oficiales/entrar", login, methods=["POST"]),
        Route(p + "/oficiales/salir", logout, methods=["POST"]),
        Route(p + "/oficiales/", inbox),
        Route(p + "/oficiales/solicitudes/{code}", officer_detail),
        Route(p + "/oficiales/solicitudes/{code}/{action}", officer_action, methods=["POST"]),
        Route(p + "/admin", lambda r: RedirectResponse(p + "/admin/", 308)),
        Route(p + "/admin/", admin_page, methods=["GET"]),
        Route(p + "/admin/{action}", admin_action, methods=["POST"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SessionReader)],
        exception_handlers={404: not_found, 405: method_not_allowed, 500: server_error},
    )
