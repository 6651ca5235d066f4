"""What every page of the workspace needs: its language, who is signed in, rendering,
the security headers and cookies of the answer, and the error pages.

The pages render with the catalogue's own Jinja2 environment, base template and
stylesheet (catalog.site.render, ``site/templates/transparencia/``): one site, one
header. Spanish by default; ``?lang=en`` switches to English and a cookie keeps it.
Every template gets plain values only: the signed-in person is a dict, never a
database object.
"""

from __future__ import annotations

import secrets
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from catalog.i18n import _, request_lang, translate
from catalog.security import BASE_HEADERS, WORKSPACE_CSP
from catalog.site.render import render
from catalog.transparency import logins, sessions
from catalog.transparency.auth import FORM_COOKIE, SESSION_COOKIE, same
from catalog.transparency.models import User
from catalog.transparency.requests import RequestError
from catalog.transparency.states import ACTION_LABELS, OUTCOME_LABELS, STATUS_LABELS
from catalog.transparency.workspace import Workspace, WorkspaceSource

PREFIX = "/transparencia"
TEMPLATES = "transparencia/"  # under site/templates/, beside the catalogue's own
SECURITY_HEADERS = {**BASE_HEADERS, "Content-Security-Policy": WORKSPACE_CSP}
# Where SessionReader leaves the request's session (a sessions.Current, or None).
SESSION_SCOPE = "catalog.transparency.session"
_UNREAD = object()
R = TypeVar("R", bound=Response)


def source_of(request: Request) -> WorkspaceSource:
    """The workspace source of the app answering ``request`` (``web.create_app`` sets it)."""
    return request.app.state.workspace


# A handler bug, never shown to anyone: handlers check needs_login first.
NOT_SIGNED_IN = "nobody is signed in: check needs_login first"


class SessionReader:
    """ASGI middleware: makes the app's workspace at the first request, then reads the
    signed-in session, both database work, in a worker thread before the handler runs,
    so that ``Page.user`` never touches the database on the event loop (and every
    handler gets it without changing)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            workspace = await scope["app"].state.workspace.ready()
            cookie = Request(scope).cookies.get(SESSION_COOKIE)
            if cookie:
                # Signed out until read: if the database fails here, the error page
                # that follows renders without trying it again.
                scope[SESSION_SCOPE] = None
                token = workspace.signer.read_session(cookie)
                scope[SESSION_SCOPE] = await logins.current_session(workspace, token)
        await self.app(scope, receive, send)


class Page:
    """What every handler needs about the request it answers."""

    def __init__(self, request: Request, workspace: Workspace | None = None) -> None:
        # Made by SessionReader before any handler runs: no database work here.
        self.ws = workspace or source_of(request)()
        self.request = request
        asked = request.query_params.get("lang")
        self.lang_asked = asked if asked in ("es", "en") else None
        self.lang = request_lang(self.lang_asked, request.cookies.get("lang"))
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

    @property
    def signed_in(self) -> User:
        """The signed-in officer or administrator, in a handler that has made sure there
        is one (``officer_web.needs_login``, ``admin_web._needs_admin``)."""
        user = self.user
        if user is None:  # a handler that forgot to check: a bug, never a visitor's doing
            raise RuntimeError(NOT_SIGNED_IN)
        return user

    def viewer(self) -> dict[str, Any] | None:
        """The signed-in person as the templates see them."""
        user = self.user
        return {"id": user.id, "name": user.name, "is_admin": user.is_admin} if user else None

    def switch_url(self, lang: str) -> str:
        query = {k: v for k, v in self.request.query_params.items() if k not in ("lang", "clave")}
        query["lang"] = lang
        return f"{self.request.url.path}?{urlencode(query)}"

    def publishers(self) -> list[dict[str, Any]]:
        """The bodies that receive requests, by name."""
        found = self.ws.requests.receiving_publishers()
        for item in found:
            item["name"] = item["name"] or item["publisher"]
        return sorted(found, key=lambda item: str(item["name"]))

    def publisher_names(self) -> dict[str, str]:
        return {p["publisher"]: p["name"] for p in self.publishers()}

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = render(
            TEMPLATES + template,
            self.lang,
            prefix=PREFIX,
            user=self.viewer(),
            switch_url=self.switch_url("en" if self.lang == "es" else "es"),
            form_token=self.ws.signer.form_token(self.nonce),
            csrf=self.session.csrf if self.session else "",
            status_labels=STATUS_LABELS,
            outcome_labels=OUTCOME_LABELS,
            action_labels=ACTION_LABELS,
            **context,
        )
        return self.finish(HTMLResponse(html, status_code=status))

    def finish(self, response: R) -> R:
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

    def refused(self, error: RequestError) -> Response:
        """A refused filing or action as a page, in the reader's language (its parameters
        may be named like ``error``'s own, so they are never passed on as keywords)."""
        return self.render("message.html", error.status, title=error.message(self.lang), hint="")

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))

    def public_token_problem(self, form: Any, min_age: float) -> str | None:
        return self.ws.signer.check_form_token(
            form.get("form_token"), self.request.cookies.get(FORM_COOKIE), min_age
        )

    def csrf_ok(self, form: Any) -> bool:
        return self.session is not None and same(form.get("csrf"), self.session.csrf)

    def forged(self) -> Response:
        """The answer to a form whose CSRF token is missing or wrong."""
        return self.error(
            403,
            _("The form could not be verified (missing or old security token)."),
            _("Reload the page and try again."),
        )


def form_problem_message(problem: str) -> tuple[str, str]:
    """(text, hint) msgids for a public form's anti-spam token ``problem``."""
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


# ---------------------------------------------------------------- error pages


async def not_found(request: Request, exc: Exception) -> Response:
    return Page(request).error(
        404, _("Page not found."), _("Check the address, or start from the workspace's home page.")
    )


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return Page(request).error(405, _("This address does not accept that kind of request."), "")


async def server_error(request: Request, exc: Exception) -> Response:
    text = _("Something went wrong on our side; nothing you sent was lost.")
    hint = _("Try again in a moment.")
    workspace = source_of(request).made
    if workspace is None:  # it could not be made (no database): a page without forms
        lang = request_lang(request.query_params.get("lang"), request.cookies.get("lang"))
        html = render(
            TEMPLATES + "message.html",
            lang,
            prefix=PREFIX,
            title=translate(text, lang),
            hint=translate(hint, lang),
        )
        return HTMLResponse(html, status_code=500, headers=SECURITY_HEADERS)
    return Page(request, workspace).error(500, text, hint)
