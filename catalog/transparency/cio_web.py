"""The CIOs' pages, under ``/transparencia/oficiales/ti/``: the investments of the
CIO's bodies with their latest rating and its age, and one investment's page (its
rating history and the form to rate it, 1 to 5 with a public comment).

Every handler reads its form with the workspace's caps (``forms.read_form``),
checks the session's CSRF token and does its database work off the event loop
(``blocking``); a refused rating is shown again with what was typed and a message
naming the problem, with its HTTP status (403, 404, 409, 413, 422), never a 500.
Administrators may look (read only); officers are sent to their inbox.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from catalog.i18n import _
from catalog.transparency import cio
from catalog.transparency.forms import read_form, text
from catalog.transparency.pages import PREFIX, Page
from catalog.transparency.requests import RequestError
from catalog.transparency.workspace import blocking

BASE = PREFIX + "/oficiales/ti"
STALE_DAYS = 90


def routes() -> list[Route]:
    return [
        Route(BASE + "/", overview),
        Route(BASE + "/{publisher}/{investment}", investment_page, methods=["GET"]),
        Route(BASE + "/{publisher}/{investment}", rate, methods=["POST"]),
    ]


def _needs_cio(page: Page) -> Response | None:
    """The sign-in page for a visitor, a refusal for an officer; None for a CIO or an
    administrator."""
    user = page.user
    if user is None:
        return page.redirect(f"{PREFIX}/oficiales/entrar?next={quote(page.request.url.path)}")
    if user.role != cio.ROLE and not user.is_admin:
        return page.error(
            403,
            _("Only a body's CIO can rate its IT investments."),
            _("Ask an administrator for a CIO account of your body."),
        )
    return None


def _stale_days(page: Page, publisher: str) -> int:
    """The jurisdiction profile's ``it_dashboard.stale_rating_days`` (90 by default)."""
    from catalog.errors import CatalogError
    from catalog.itportfolio import Settings

    try:
        code = page.ws.requests.jurisdiction_of(publisher)
        return Settings.of_jurisdiction(code).stale_rating_days
    except (CatalogError, KeyError, ValueError):
        return STALE_DAYS


def _view(rating: cio.Rating | None, today: Any, stale: int) -> dict[str, Any] | None:
    if rating is None:
        return None
    age = (today - rating.rated_on).days
    return {
        "rating": rating.rating,
        "words": cio.RATING_WORDS[rating.rating],  # a msgid: the template translates
        "comment": rating.comment,
        "date": rating.rated_on,
        "author": rating.author,
        "age": age,
        "stale": age > stale,
        "sample": rating.sample,
    }


# ---------------------------------------------------------------- the overview


async def overview(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_cio(page)) is not None:
        return refused
    return await blocking(_overview, page)


def _overview(page: Page) -> Response:
    user = page.signed_in
    known = cio.investments(page.ws)
    mine = sorted({p for p, _i in known} if user.is_admin else user.publishers)
    service = cio.CioService(page.ws)
    latest = service.latest(mine) if mine else {}
    today = page.ws.clock().date()
    names = page.ws.directory()
    bodies = []
    for publisher in mine:
        stale = _stale_days(page, publisher)
        items = [
            {
                "id": ident,
                "name": info["name"],
                "period": info.get("period"),
                "url": f"{BASE}/{quote(publisher)}/{quote(ident)}",
                "latest": _view(latest.get((publisher, ident)), today, stale),
            }
            for (pub, ident), info in sorted(known.items())
            if pub == publisher
        ]
        info = names.get(publisher) or {}
        bodies.append(
            {
                "slug": publisher,
                "name": info.get("name") or publisher,
                "items": items,
                "stale_days": stale,
            }
        )
    return page.render("cio.html", bodies=bodies, read_only=user.role != cio.ROLE, base=BASE)


# ---------------------------------------------------------------- one investment


async def investment_page(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_cio(page)) is not None:
        return refused
    params = request.path_params
    return await blocking(_investment_page, page, params["publisher"], params["investment"])


def _investment_page(
    page: Page,
    publisher: str,
    ident: str,
    status: int = 200,
    message: str = "",
    kept: dict[str, str] | None = None,
) -> Response:
    user = page.signed_in
    service = cio.CioService(page.ws)
    try:
        if not user.is_admin:
            cio.check_cio(user, publisher)
        found = service.investment(publisher, ident)
    except RequestError as error:
        return page.render(
            "message.html", error.status, title=error.message(page.lang), hint="", back=BASE + "/"
        )
    today = page.ws.clock().date()
    stale = _stale_days(page, publisher)
    history = [_view(r, today, stale) for r in service.history(publisher, ident)]
    if not message and page.request.query_params.get("hecho"):
        message = page.t(_("The rating was recorded."))
    info = page.ws.directory().get(publisher) or {}
    return page.render(
        "cio_investment.html",
        status,
        publisher=publisher,
        body_name=info.get("name") or publisher,
        investment={"id": ident, **found},
        history=history,
        latest=history[0] if history else None,
        message=message,
        kept=kept or {},
        submission=cio.new_submission(),
        max_comment=cio.MAX_COMMENT,
        stale_days=stale,
        can_rate=user.role == cio.ROLE,
        choices=list(cio.RATING_WORDS.items()),
        done=status == 200 and bool(message),
        action=f"{BASE}/{quote(publisher)}/{quote(ident)}",
        dashboard=f"/tablero-ti/{quote(ident)}/",
        base=BASE,
    )


async def rate(request: Request) -> Response:
    page = Page(request)
    if (refused := _needs_cio(page)) is not None:
        return refused
    params = request.path_params
    publisher, ident = params["publisher"], params["investment"]
    try:
        form = await read_form(request)
    except RequestError as error:
        return await blocking(
            _investment_page, page, publisher, ident, error.status, error.message(page.lang)
        )
    if not page.csrf_ok(form):
        return await blocking(page.forged)
    return await blocking(_rate, page, publisher, ident, form)


def _rate(page: Page, publisher: str, ident: str, form: Any) -> Response:
    values = {name: form.getlist(name) for name in ("calificacion", "comentario", "envio")}
    kept = {
        "calificacion": text(values["calificacion"][0])[:5] if values["calificacion"] else "",
        "comentario": text(values["comentario"][0])[: cio.MAX_COMMENT + 100]
        if values["comentario"]
        else "",
    }
    try:
        if any(len(v) > 1 for v in values.values()):
            raise RequestError(_("The form could not be read."), _("Send it again from its page."))
        single = {k: (v[0] if v else None) for k, v in values.items()}
        cio.CioService(page.ws).rate(
            page.signed_in,
            publisher,
            ident,
            single["calificacion"],
            single["comentario"],
            single["envio"],
            at=page.ws.clock(),
        )
    except RequestError as error:
        return _investment_page(
            page, publisher, ident, error.status, error.message(page.lang), kept
        )
    return page.redirect(f"{BASE}/{quote(publisher)}/{quote(ident)}?hecho=1#historial")
