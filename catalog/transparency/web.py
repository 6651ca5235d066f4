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
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from catalog.errors import CatalogError
from catalog.i18n import _, normalize_lang, translate
from catalog.transparency import accounts, admin, attachments, stats
from catalog.transparency.api import inbox_rows
from catalog.transparency.auth import (
    FORM_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    fingerprint,
    same,
)
from catalog.transparency.deadlines import profile
from catalog.transparency.feeds import answers_feed
from catalog.transparency.models import Attachment, InfoRequest, User
from catalog.transparency.public import detail, summary
from catalog.transparency.requests import (
    ACTION_LABELS,
    FORMAT_LABELS,
    OUTCOME_LABELS,
    OUTCOMES,
    REQUESTER,
    STATUS_LABELS,
    STATUSES,
    Actor,
    FilingErrors,
    RequestError,
)
from catalog.transparency.workspace import Workspace, current

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
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'",
}

# Administrators' form action (URL) → what it does.
ADMIN_ACTIONS = ("cierre", "quitar-cierre", "cuenta", "desactivar", "activar")
LOG = logging.getLogger("catalog.transparency.admin")

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _now() -> datetime:
    return datetime.now(UTC)


class Page:
    """What every handler needs about the request it answers."""

    def __init__(self, workspace: Workspace, request: Request) -> None:
        self.ws = workspace
        self.request = request
        asked = request.query_params.get("lang")
        self.lang_asked = asked if asked in ("es", "en") else None
        self.lang = normalize_lang(self.lang_asked or request.cookies.get("lang") or "es")
        self.nonce = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(16)
        self.session = workspace.signer.read_session(request.cookies.get(SESSION_COOKIE))
        self._user: User | None | bool = False

    def t(self, msgid: str, **params: object) -> str:
        return translate(msgid, self.lang, **params)

    @property
    def user(self) -> User | None:
        """The signed-in officer (None if the session is missing, old or revoked)."""
        if self._user is False:
            self._user = None
            if self.session is not None:
                with self.ws.db.read() as session:
                    user = session.get(User, self.session.user_id)
                    if (
                        user
                        and user.active
                        and fingerprint(user.password_hash) == self.session.fingerprint
                    ):
                        session.expunge(user)
                        self._user = user
        return self._user  # type: ignore[return-value]

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


async def _read_form(request: Request, files: bool = False) -> Any:
    length = int(request.headers.get("content-length") or 0)
    if length > (MAX_UPLOAD if files else 256 * 1024):
        raise CatalogError(
            _("What you sent is too large."),
            _("Attach at most {count} files of {size} MB each."),
            count=attachments.MAX_FILES,
            size=attachments.MAX_BYTES // 1048576,
        )
    return await request.form(max_files=attachments.MAX_FILES if files else 0, max_fields=50)


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
    return page.render("home.html")


async def new_request(request: Request) -> Response:
    page = Page(current(), request)
    return page.render(
        "new.html", publishers=_publishers(page), formats=FORMAT_LABELS, values={}, errors={}
    )


async def file_request(request: Request) -> Response:
    page = Page(current(), request)
    try:
        form = await _read_form(request)
    except CatalogError as error:
        return page.error(413, error.text, error.hint, **error.params)
    values = {
        k: str(form.get(k) or "")
        for k in ("publisher", "subject", "description", "name", "email", "preferred_format")
    }

    def again(status: int, message: str, errors: dict[str, str] | None = None) -> Response:
        return page.render(
            "new.html",
            status,
            publishers=_publishers(page),
            formats=FORMAT_LABELS,
            values=values,
            errors=errors or {},
            message=message,
        )

    if form.get("website"):  # the honeypot: people do not see this field, robots fill it
        return again(
            400, page.t(_("The form could not be verified (missing or old security token)."))
        )
    problem = page.public_token_problem(form, page.ws.settings.min_fill_seconds)
    if problem:
        text, hint = _form_problem_message(problem)
        return again(400, f"{page.t(text)} {page.t(hint)}")
    data = {
        "publisher": values["publisher"],
        "subject": values["subject"],
        "description": values["description"],
        "requester": {"name": values["name"], "email": values["email"]},
        "preferred_format": values["preferred_format"] or None,
    }
    client = page.ws.signer.client_hash(request.client.host if request.client else "unknown")
    try:
        filed, key = page.ws.requests.file(data, client=client, lang=page.lang)
    except FilingErrors as error:
        errors = {e.field or "": e.message(page.lang) for e in error.errors}
        return again(422, error.message(page.lang), errors)
    except RequestError as error:
        return again(error.status, error.message(page.lang))
    link = page.ws.requests.link(filed, key)
    return page.render("filed.html", 201, request=filed, key=key, private_link=link)


async def find(request: Request) -> Response:
    """The home page's tracking box: go to the code typed in."""
    page = Page(current(), request)
    code = "".join(str(request.query_params.get("code") or "").split()).upper()[:40]
    return page.redirect(f"{PREFIX}/solicitudes/{quote(code)}" if code else f"{PREFIX}/")


async def list_requests(request: Request) -> Response:
    page = Page(current(), request)
    publisher = request.query_params.get("institucion") or None
    status = request.query_params.get("estado") or None
    try:
        number = max(1, int(request.query_params.get("pagina") or 1))
    except ValueError:
        number = 1
    query = select(InfoRequest)
    if publisher:
        query = query.where(InfoRequest.publisher == publisher)
    if status in STATUSES:
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
    return page.render(
        "list.html",
        items=items,
        total=total,
        number=number,
        pages=pages,
        publishers=_publishers(page),
        statuses=STATUSES,
        chosen={"institucion": publisher or "", "estado": status or ""},
        names={p["slug"]: p["name"] for p in _publishers(page)},
    )


async def track(request: Request) -> Response:
    page = Page(current(), request)
    code = request.path_params["code"]
    key = request.query_params.get("clave")
    with page.ws.db.read() as session:
        try:
            found = page.ws.requests.get(session, code)
        except RequestError as error:
            return page.error(error.status, error.text, error.hint, **error.params)
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
    name = (page.ws.directory().get(view["publisher"]) or {}).get("name") or view["publisher"]
    return page.render(
        "track.html", view=view, publisher_name=name, key=key if is_requester else None
    )


async def requester_action(request: Request) -> Response:
    page = Page(current(), request)
    code, name = request.path_params["code"], request.path_params["action"]
    if name not in REQUESTER_ACTIONS:
        return page.error(404, _("Unknown action: {action}."), "", action=name[:40])
    form = await _read_form(request)
    key = str(form.get("clave") or "")
    back = f"{PREFIX}/solicitudes/{quote(code)}?clave={quote(key)}"
    problem = page.public_token_problem(form, 0)
    if problem:
        text, hint = _form_problem_message(problem)
        return page.error(400, text, hint)
    action, fields = REQUESTER_ACTIONS[name]
    params = {f: str(form.get(f) or "") for f in fields}
    try:
        page.ws.requests.act(code, action, REQUESTER, params, key=key)
    except RequestError as error:
        return page.render(
            "message.html",
            error.status,
            title=error.message(page.lang),
            hint="",
            back=back,
            kept=params,
        )
    return page.redirect(back)


async def statistics(request: Request) -> Response:
    page = Page(current(), request)
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
    with page.ws.db.read() as session:
        body = answers_feed(session, page.ws.settings.public_url, page.lang)
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


async def attachment(request: Request) -> Response:
    page = Page(current(), request)
    with page.ws.db.read() as session:
        try:
            found = session.get(Attachment, int(request.path_params["id"]))
        except ValueError:
            found = None
        owner = session.get(InfoRequest, found.request_id) if found else None
        allowed = owner is not None and (
            owner.published_at is not None or (page.user and page.user.can_act_on(owner.publisher))
        )
        if not allowed or found.filename != request.path_params["name"]:
            return page.error(404, _("File not found."), "")
        path = attachments.blob_path(page.ws.settings, found.sha256)
        return FileResponse(
            path,
            media_type=found.media_type,
            filename=found.filename,
            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
        )


# --------------------------------------------------------------- officer pages


async def login_page(request: Request) -> Response:
    page = Page(current(), request)
    return page.render("login.html", email="", next=request.query_params.get("next") or "")


async def login(request: Request) -> Response:
    page = Page(current(), request)
    form = await _read_form(request)
    email, target = str(form.get("email") or ""), str(form.get("next") or "")
    if page.public_token_problem(form, 0):
        return page.render(
            "login.html",
            400,
            email=email,
            next=target,
            message=page.t(_("The form could not be verified (missing or old security token).")),
        )
    with page.ws.db.write() as session:
        user = accounts.authenticate(session, email, str(form.get("password") or ""))
        cookie = page.ws.signer.session_cookie(user.id, user.password_hash) if user else None
    if cookie is None:
        return page.render(
            "login.html",
            401,
            email=email,
            next=target,
            message=page.t(_("Wrong e-mail or password, or the account is disabled.")),
        )
    if not target.startswith((PREFIX + "/oficiales", PREFIX + "/admin/")):
        target = PREFIX + "/oficiales/"
    response = page.redirect(target)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=PREFIX,
    )
    return response


async def logout(request: Request) -> Response:
    page = Page(current(), request)
    form = await _read_form(request)
    if not page.csrf_ok(form):
        return page.error(
            403, _("The form could not be verified (missing or old security token)."), ""
        )
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
    filters = {k: request.query_params.get(k) or "" for k in ("estado", "plazo", "asignada")}
    with page.ws.db.read() as session:
        rows = inbox_rows(
            session,
            page.user,
            status=filters["estado"] or None,
            due={"pronto": "soon", "vencidas": "overdue"}.get(filters["plazo"]),
            assignee={"yo": "me", "nadie": "none"}.get(filters["asignada"]),
        )
        items = [
            {**summary(r, page.lang, _now()), "assignee": r.assignee.name if r.assignee else ""}
            for r in rows
        ]
    return page.render(
        "inbox.html",
        items=items,
        filters=filters,
        statuses=STATUSES,
        names={p["slug"]: p["name"] for p in _publishers(page)},
    )


async def officer_detail(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_login(page)) is not None:
        return refused
    return _officer_view(page, request.path_params["code"])


def _officer_view(
    page: Page, code: str, status: int = 200, message: str = "", kept: dict | None = None
) -> Response:
    with page.ws.db.read() as session:
        try:
            found = page.ws.requests.get(session, code)
        except RequestError as error:
            return page.error(error.status, error.text, error.hint, **error.params)
        if not page.user.can_act_on(found.publisher):
            return page.error(
                403,
                _("You are not an officer of {publisher}."),
                _("Only the officers of the publisher that received the request can act on it."),
                publisher=found.publisher,
            )
        view = detail(found, page.lang, _now())
        preview = page.ws.requests.preview(session, found) if found.answer_text else None
        colleagues = session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.name)
        ).all()
        colleagues = [u for u in colleagues if u.can_act_on(found.publisher) and not u.is_admin]
        events = [
            {
                "at": e.at,
                "label": page.t(ACTION_LABELS.get(e.action, e.action)),
                "actor": e.actor,
                "data": e.data,
                "public": e.public,
            }
            for e in found.events
        ]
        rules = page.ws.requests.rules_for(session, found)
        private = {
            "name": found.requester_name,
            "email": found.requester_email,
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
        return page.error(404, _("Unknown action: {action}."), "", action=name[:40])
    try:
        form = await _read_form(request, files=name == "responder")
    except CatalogError as error:
        return _officer_view(page, code, 413, error.message(page.lang))
    if not page.csrf_ok(form):
        return page.error(
            403,
            _("The form could not be verified (missing or old security token)."),
            _("Reload the page and try again."),
        )
    actor = Actor("officer", page.user)
    if name == "regla":
        return _add_rule(page, code, form, actor)
    action, fields = OFFICER_ACTIONS[name]
    params: dict[str, Any] = {f: str(form.get(f) or "") for f in fields}
    try:
        if action == "answer":
            params["attachments"] = [
                await _stored(page, upload)
                for upload in form.getlist("files")
                if getattr(upload, "filename", "")
            ]
        version = int(form.get("version") or 0) or None
        page.ws.requests.act(code, action, actor, params, version=version)
    except RequestError as error:
        kept = {k: v for k, v in params.items() if isinstance(v, str)}
        return _officer_view(page, code, error.status, error.message(page.lang), kept)
    except CatalogError as error:
        kept = {k: v for k, v in params.items() if isinstance(v, str)}
        return _officer_view(page, code, 422, error.message(page.lang), kept)
    return page.redirect(f"{PREFIX}/oficiales/solicitudes/{quote(code)}")


async def _stored(page: Page, upload: Any) -> dict[str, object]:
    data = await upload.read(attachments.MAX_BYTES + 1)
    return attachments.store(page.ws.settings, upload.filename, data)


def _add_rule(page: Page, code: str, form: Any, actor: Actor) -> Response:
    scope = str(form.get("scope") or "request")
    try:
        with page.ws.db.read() as session:
            publisher = page.ws.requests.get(session, code).publisher
        page.ws.requests.add_rule(
            actor,
            publisher,
            str(form.get("pattern") or ""),
            is_regex=form.get("is_regex") == "on",
            code=code if scope == "request" else None,
            replacement=str(form.get("replacement") or ""),
            reason=str(form.get("reason") or ""),
        )
    except RequestError as error:
        return _officer_view(page, code, error.status, error.message(page.lang))
    except CatalogError as error:
        return _officer_view(
            page, code, 422, error.message(page.lang), {"pattern": str(form.get("pattern") or "")}
        )
    return page.redirect(f"{PREFIX}/oficiales/solicitudes/{quote(code)}#redaccion")


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


def _admin_view(
    page: Page, status: int = 200, message: str = "", kept: dict | None = None
) -> Response:
    today = _now().date()
    closures = admin.list_closures(page.ws, since=today)
    with page.ws.db.read() as session:
        users = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "publishers": sorted(u.publishers),
                "active": u.active,
            }
            for u in accounts.list_users(session)
        ]
    publishers = _publishers(page)
    return page.render(
        "admin.html",
        status,
        closures=closures,
        today=today,
        jurisdictions=_jurisdictions(page),
        users=users,
        publishers=publishers,
        names={p["slug"]: p["name"] for p in publishers},
        min_password=accounts.MIN_PASSWORD,
        message=message,
        kept=kept or {},
    )


async def admin_page(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_admin(page)) is not None:
        return refused
    done = request.query_params.get("hecho") or ""
    return _admin_view(page, message=page.t(_("The change was saved.")) if done else "")


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


def _admin_change(page: Page, name: str, form: Any) -> None:
    """Do one administrator's change; a CatalogError says what is wrong with the input."""
    today = _now().date()
    who = page.user.id
    if name == "cierre":
        code = _jurisdiction(page, str(form.get("jurisdiction") or ""))
        day = _day(str(form.get("day") or ""))
        reason = str(form.get("reason") or "").strip()
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
        LOG.info("closure %s %s added by user %s", code, day, who)
    elif name == "quitar-cierre":
        code = _jurisdiction(page, str(form.get("jurisdiction") or ""))
        day = _day(str(form.get("day") or ""))
        admin.remove_closure(page.ws, code, day, today)
        LOG.info("closure %s %s removed by user %s", code, day, who)
    elif name == "cuenta":
        publishers = accounts.check_publishers(
            [str(p) for p in form.getlist("publishers")], set(page.ws.directory())
        )
        with page.ws.db.write() as session:
            user = accounts.add_user(
                session,
                str(form.get("email") or ""),
                str(form.get("name") or "").strip(),
                str(form.get("password") or ""),
                "officer",
                publishers,
            )
            LOG.info("account %s created by user %s", user.id, who)
    else:
        active = name == "activar"
        with page.ws.db.write() as session:
            try:
                user = session.get(User, int(str(form.get("user") or "")))
            except ValueError:
                user = None
            if user is None:
                raise CatalogError(
                    _("No such account."), _("Reload the page to see the current list.")
                )
            if user.id == who and not active:
                raise CatalogError(
                    _("You cannot disable your own account."),
                    _("Ask another administrator, or use catalog users disable."),
                )
            accounts.set_active(session, user.email, active)
            LOG.info("account %s %s by user %s", user.id, "enabled" if active else "disabled", who)


async def admin_action(request: Request) -> Response:
    page = Page(current(), request)
    if (refused := _needs_admin(page)) is not None:
        return refused
    name = request.path_params["action"]
    if name not in ADMIN_ACTIONS:
        return page.error(404, _("Unknown action: {action}."), "", action=name[:40])
    try:
        form = await _read_form(request)
    except CatalogError as error:
        return _admin_view(page, 413, error.message(page.lang))
    if not page.csrf_ok(form):
        return page.error(
            403,
            _("The form could not be verified (missing or old security token)."),
            _("Reload the page and try again."),
        )
    try:
        _admin_change(page, name, form)
    except CatalogError as error:
        kept = {
            k: str(form.get(k) or "") for k in ("jurisdiction", "day", "reason", "email", "name")
        }
        kept["publishers"] = [str(p) for p in form.getlist("publishers")]
        kept["form"] = name
        return _admin_view(page, 422, error.message(page.lang), kept)
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
        exception_handlers={404: not_found, 405: method_not_allowed, 500: server_error},
    )
