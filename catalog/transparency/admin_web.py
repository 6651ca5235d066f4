"""The administrators' page: local closure days, officers' accounts, open sessions and
sign-in lockouts. Each change is one small form with the session's CSRF token; a
refused one shows the page again with what was written (never the password) and what
to fix; each change done is logged with who did it.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from catalog import clock
from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.transparency import accounts, admin, logins, sessions, throttle
from catalog.transparency.forms import FormRefused, auth_form, encodable, field, number
from catalog.transparency.models import User
from catalog.transparency.officer_web import needs_login
from catalog.transparency.pages import PREFIX, Page
from catalog.transparency.workspace import blocking

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


def _today() -> date:
    return clock.today()


def _needs_admin(page: Page) -> Response | None:
    if (refused := needs_login(page)) is not None:
        return refused
    if not page.signed_in.is_admin:
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
    now, today = page.ws.clock(), _today()
    closures = [
        {"jurisdiction": c.jurisdiction, "day": c.day, "reason": c.reason}
        for c in admin.list_closures(page.ws, since=today)
    ]
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
        "publishers": page.publishers(),
    }


async def _admin_view(
    page: Page, status: int = 200, message: str = "", kept: dict | None = None
) -> Response:
    return await blocking(_admin_page, page, status, message, kept)


def _admin_page(page: Page, status: int, message: str, kept: dict | None) -> Response:
    data = _admin_data(page)
    return page.render(
        "admin.html",
        status,
        **data,
        names={p["publisher"]: p["name"] for p in data["publishers"]},
        min_password=accounts.MIN_PASSWORD,
        idle_minutes=int(sessions.IDLE.total_seconds() // 60),
        session_hours=int(sessions.ABSOLUTE.total_seconds() // 3600),
        message=message,
        kept=kept or {},
    )


async def admin_page(request: Request) -> Response:
    page = Page(request)
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
    today = _today()
    code = _jurisdiction(page, field(form, "jurisdiction", _("Jurisdiction"), 10, page.lang))
    day = _day(field(form, "day", _("Day"), 40, page.lang))
    if name == "quitar-cierre":
        admin.remove_closure(page.ws, code, day, today)
        LOG.info("closure %s %s removed by user %s", code, day, page.signed_in.id)
        return
    reason = field(form, "reason", _("Reason"), 1000, page.lang).strip()
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
    LOG.info("closure %s %s added by user %s", code, day, page.signed_in.id)


def _new_account(page: Page, form: FormData) -> None:
    chosen = form.getlist("publishers")
    names = [p for p in chosen if isinstance(p, str)]  # a file instead of a name: refused
    if len(chosen) > 200 or len(names) < len(chosen) or not all(len(p) <= 100 for p in names):
        raise FormRefused(
            400, _("The list of publishers cannot be read."), _("Choose publishers from the list.")
        )
    publishers = accounts.check_publishers(names, set(page.ws.directory()))
    email = field(form, "email", _("E-mail"), 254, page.lang)
    name = field(form, "name", _("Name"), accounts.MAX_NAME, page.lang).strip()
    password = field(form, "password", _("Password"), accounts.MAX_PASSWORD, page.lang)
    role = field(form, "role", _("Role"), 20, page.lang) or "officer"  # officer or cio
    if role not in ("officer", "cio", "steward", "reviewer"):
        raise FormRefused(
            400, _("Unknown role {role}."), _("Choose a role from the list."), role=role
        )
    with page.ws.db.write() as session:
        user = accounts.add_user(session, email, name, password, role, publishers)
        LOG.info("account %s created by user %s", user.id, page.signed_in.id)


def _account_change(page: Page, name: str, form: FormData) -> None:
    """Enable or disable an account, or end all its sessions."""
    who = page.signed_in.id
    account = number(field(form, "user", _("Account"), 40, page.lang))
    with page.ws.db.write() as session:
        user = session.get(User, account) if account is not None else None
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
    ended = number(field(form, "session", _("Session"), 40, page.lang))
    with page.ws.db.write() as session:
        if ended is None or not sessions.revoke(session, ended, page.ws.clock()):
            raise CatalogError(
                _("That session has already ended."), _("Reload the page to see the current list.")
            )
    LOG.info("session %s ended by user %s", ended, page.signed_in.id)


def _unlock(page: Page, form: FormData) -> None:
    kind = field(form, "kind", _("Lockout"), 10, page.lang)
    key = field(form, "key", _("Lockout"), 80, page.lang)
    if kind not in throttle.RULES or not key or not logins.unlock_key(page.ws, kind, key):
        raise CatalogError(
            _("That lockout has already ended."), _("Reload the page to see the current list.")
        )
    LOG.info("%s lockout %s lifted by user %s", kind, key[:12], page.signed_in.id)


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
    for name in ("jurisdiction", "day", "reason", "email", "name", "role"):
        value = form.get(name)
        kept[name] = value[:300] if isinstance(value, str) and encodable(value) else ""
    kept["publishers"] = [p[:100] for p in form.getlist("publishers")[:200] if isinstance(p, str)]
    return kept


async def admin_action(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_admin(page)) is not None:
        return refused
    name = request.path_params["action"]
    if name not in ADMIN_ACTIONS:
        return await blocking(page.error, 404, _("Unknown action: {action}."), "", action=name[:40])
    try:
        form = await auth_form(request)
    except FormRefused as error:
        return await _admin_view(page, error.status, error.message(page.lang), {"form": name})
    if not page.csrf_ok(form):
        return await blocking(page.forged)
    try:
        await blocking(_admin_change, page, name, form)
    except CatalogError as error:
        status = error.status if isinstance(error, FormRefused) else 422
        kept = {**_kept(form), "form": name}
        return await _admin_view(page, status, error.message(page.lang), kept)
    return page.redirect(f"{PREFIX}/admin/?hecho=1")
