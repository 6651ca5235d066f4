"""The officers' pages: signing in and out, the inbox, a request's page and its actions.

Signing in runs off the event loop (``logins.sign_in``: Argon2 in its own pool, the
lockout counters in the database); every action form carries the session's CSRF
token; every read and action goes through the request service, which checks that
the officer answers for the request's publisher.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency import accounts, attachments, logins
from catalog.transparency.auth import DEVICE_COOKIE, DEVICE_MAX_AGE, SESSION_COOKIE, SESSION_MAX_AGE
from catalog.transparency.forms import (
    FormRefused,
    auth_form,
    encodable,
    field,
    number,
    read_form,
    text,
)
from catalog.transparency.pages import PREFIX, Page
from catalog.transparency.requests import Actor, Forbidden, RequestError, echo
from catalog.transparency.states import OUTCOMES, PUBLIC_STATUSES
from catalog.transparency.workspace import blocking

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
# The inbox's filters as the page writes them → as the request service reads them.
DUE = {"pronto": "soon", "vencidas": "overdue"}
ASSIGNEE = {"yo": "me", "nadie": "none"}


def needs_login(page: Page) -> Response | None:
    """A redirect to the sign-in page, or None when someone is signed in."""
    if page.user is None:
        return page.redirect(f"{PREFIX}/oficiales/entrar?next={quote(page.request.url.path)}")
    if page.user.role == "cio":  # a CIO only rates IT investments (cio_web.py)
        return page.redirect(f"{PREFIX}/oficiales/ti/")
    if page.user.role in ("steward", "reviewer"):  # they publish datasets (stewards_web.py)
        return page.redirect(f"{PREFIX}/oficiales/datos/")
    return None


# ---------------------------------------------------------------- signing in and out


def _next(form: FormData) -> str:
    """Where to go after signing in (a hidden field: ignored when it is not a plain path)."""
    value = form.get("next")
    if isinstance(value, str) and len(value) <= 500 and encodable(value) and "\x00" not in value:
        return value
    return ""


def _lock_message(page: Page, until: datetime, kind: str | None) -> str:
    minutes = -(-logins.retry_after(until, page.ws.clock()) // 60)
    if kind == "client":
        what = _(
            "Too many failed sign-ins from your network address: signing in from it is locked for {minutes} minutes."
        )
    else:
        what = _(
            "Too many failed sign-ins for this account: signing in to it is locked for {minutes} minutes."
        )
    hint = _("Try again after that time, or ask an administrator to unlock it.")
    return f"{page.t(what, minutes=minutes)} {page.t(hint)}"


async def login_page(request: Request) -> Response:
    page = Page(request)
    target = request.query_params.get("next") or ""
    return await blocking(page.render, "login.html", email="", next=target[:500])


def _login_again(
    page: Page, status: int, message: str, email: str = "", target: str = ""
) -> Response:
    return page.render("login.html", status, email=email, next=target, message=message)


async def login(request: Request) -> Response:
    page = Page(request)
    try:
        form = await auth_form(request)
        email = field(form, "email", _("E-mail"), 254, page.lang).strip()
        password = field(form, "password", _("Password"), accounts.MAX_PASSWORD, page.lang)
        target = _next(form)
    except FormRefused as error:
        return await blocking(_login_again, page, error.status, error.message(page.lang))
    if page.public_token_problem(form, 0):
        message = page.t(_("The form could not be verified (missing or old security token)."))
        return await blocking(_login_again, page, 400, message, email, target)
    if not email or not password:
        message = page.t(_("Write your e-mail address and your password."))
        return await blocking(_login_again, page, 400, message, email, target)
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
        return await blocking(_login_refused, page, outcome, email, target)
    return _signed_in(page, outcome, device, target)


def _login_refused(page: Page, outcome: logins.Outcome, email: str, target: str) -> Response:
    wrong = page.t(_("Wrong e-mail or password, or the account is disabled."))
    if outcome.locked_until is None:
        return _login_again(page, 401, wrong, email, target)
    locked = _lock_message(page, outcome.locked_until, outcome.locked_kind)
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
    page = Page(request)
    try:
        form = await auth_form(request)
    except FormRefused as error:
        return await blocking(page.error, error.status, error.text, error.hint, **error.params)
    current_session = page.session
    if current_session is not None:
        if not page.csrf_ok(form):
            return await blocking(page.forged)
        await logins.sign_out(page.ws, current_session.session_id)
    response = page.redirect(PREFIX + "/oficiales/entrar")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


# ---------------------------------------------------------------- the inbox


async def inbox(request: Request) -> Response:
    page = Page(request)
    if (refused := needs_login(page)) is not None:
        return refused
    return await blocking(_inbox_page, page)


def _inbox_page(page: Page) -> Response:
    filters = {k: page.request.query_params.get(k) or "" for k in ("estado", "plazo", "asignada")}
    items = page.ws.requests.inbox(
        page.signed_in,
        lang=page.lang,
        status=filters["estado"] or None,
        due=DUE.get(filters["plazo"]),
        assignee=ASSIGNEE.get(filters["asignada"]),
    )
    return page.render(
        "inbox.html",
        items=items,
        filters=filters,
        statuses=PUBLIC_STATUSES,
        names=page.publisher_names(),
    )


# ---------------------------------------------------------------- one request


async def officer_detail(request: Request) -> Response:
    page = Page(request)
    if (refused := needs_login(page)) is not None:
        return refused
    return await blocking(_officer_view, page, request.path_params["code"])


def _officer_view(
    page: Page, code: str, status: int = 200, message: str = "", kept: dict | None = None
) -> Response:
    try:
        found = page.ws.requests.officer_view(code, page.signed_in, lang=page.lang)
    except Forbidden as error:
        return page.error(403, error.text, error.hint, **error.params)
    except RequestError as error:
        return page.refused(error)
    return page.render(
        "officer_request.html",
        status,
        view=found.view,
        private=found.private,
        events=found.events,
        preview=found.preview,
        rules=found.rules,
        colleagues=found.colleagues,
        outcomes=OUTCOMES,
        message=message or found.problem,
        kept=kept or {},
        can_extend=found.can_extend,
        extension_days=found.extension_days,
    )


async def officer_action(request: Request) -> Response:
    page = Page(request)
    if (refused := needs_login(page)) is not None:
        return refused
    code, name = request.path_params["code"], request.path_params["action"]
    if name not in OFFICER_ACTIONS and name != "regla":
        return await blocking(
            page.error, 404, _("Unknown action: {action}."), "", action=echo(name)
        )
    try:
        form = await read_form(request, files=name == "responder")
    except RequestError as error:
        return await blocking(_officer_view, page, code, error.status, error.message(page.lang))
    if not page.csrf_ok(form):
        return await blocking(page.forged)
    files: list[tuple[str, bytes]] = []
    for upload in form.getlist("files"):
        if isinstance(upload, UploadFile) and upload.filename:  # a text field or no file: none
            files.append((upload.filename, await upload.read(attachments.MAX_BYTES + 1)))
    return await blocking(_officer_action, page, code, name, form, files)


def _officer_action(
    page: Page, code: str, name: str, form: FormData, files: list[tuple[str, bytes]]
) -> Response:
    actor = Actor("officer", page.user)
    if name == "regla":
        return _add_rule(page, code, form, actor)
    action, fields = OFFICER_ACTIONS[name]
    params: dict[str, Any] = {f: form.get(f) for f in fields}
    kept = {k: text(v) for k, v in params.items()}
    raw = form.get("version")
    version_number = number(raw) if isinstance(raw, str) else None
    # act() refuses a version that is not a number.
    version = version_number if version_number is not None else (raw or None)
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
    kept = {"pattern": text(form.get("pattern"))}
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
