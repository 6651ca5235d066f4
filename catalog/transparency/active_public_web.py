"""Active transparency's public pages, under ``/transparencia/activa/``.

- ``/transparencia/activa/``: the matrix of bodies × items for a month, one
  jurisdiction at a time (tabs when the publishers answer to several), with each
  cell's state in words and colour, compliance per body (the month and the window)
  and per item, a ranking, and filters (kind of body, month, order) in a plain GET
  form; bodies are paged (``PAGE_SIZE`` a page).
- ``/transparencia/activa/<publisher>/``: the body's "Información pública de
  oficio": each item that applies, with its publication for the month and the
  history of its periods, and the not-applicable declarations with their reasons.
- ``/transparencia/activa/obligaciones/<item>/``: one item across the bodies.
- ``/transparencia/activa/publicaciones.atom`` and ``vencidas.atom``: the feeds
  (active_feeds.py).

The default month is the latest month of the window whose items are mostly past
their due date (``active_source.default_month``): the previous month for Chile and
Paraguay from mid-month on, two months back for Guatemala's 30-day rule. Every
handler does its work (the computation, cached, and the template) in a worker thread
(``blocking``). A malformed, future or out-of-window month, an unknown kind of body
or page is a 400 page saying what to ask for; an unknown body or item a 404.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.jurisdictions import DEFAULT_JURISDICTION, jurisdictions
from catalog.transparency.active_feeds import overdue_feed, publications_feed
from catalog.transparency.active_source import (
    ORDERS,
    Board,
    ComplianceSource,
    declarations_of,
    releases_of_workspace,
)
from catalog.transparency.compliance import Cell
from catalog.transparency.fulfilment import country_of
from catalog.transparency.obligations import Obligation, find, obligations
from catalog.transparency.pages import PREFIX, Page
from catalog.transparency.workspace import blocking
from catalog.vocabularies import label

BASE = PREFIX + "/activa"
PAGE_SIZE = 50  # bodies per page of the matrix
ITEM_PAGE_SIZE = 100  # bodies per page of an item's page
SOURCE_KEY = "active_compliance"
_making = threading.Lock()

# Each state: its words, a short abbreviation shown in the matrix, a symbol (so the
# state never depends on colour alone) and the class that gives it its colour.
STATES: dict[str, dict[str, str]] = {
    "on-time": {"label": _("On time"), "abbr": _("OT"), "symbol": "✓"},
    "late": {"label": _("Late"), "abbr": _("L"), "symbol": "!"},
    "due": {"label": _("Due, not yet late"), "abbr": _("D"), "symbol": "…"},
    "overdue": {"label": _("Overdue, not published"), "abbr": _("O"), "symbol": "✗"},
    "not-applicable": {"label": _("Not applicable"), "abbr": _("NA"), "symbol": "–"},
}
SOURCES = {
    "dataset": _("Dataset of the catalogue"),
    "document": _("Document"),
    "link": _("Link"),
    "not-applicable": _("Declared not applicable"),
}
FREQUENCIES = {
    "permanent-on-change": _("Permanent, updated on change"),
    "monthly": _("Monthly"),
    "quarterly": _("Quarterly"),
    "annual": _("Annual"),
}


def routes() -> list[BaseRoute]:
    """The routes of the public pages (web.create_app adds them)."""
    return [
        Route(BASE, lambda r: RedirectResponse(BASE + "/", 308)),
        Route(BASE + "/", matrix),
        Route(BASE + "/publicaciones.atom", publications),
        Route(BASE + "/vencidas.atom", overdue),
        Route(BASE + "/obligaciones/{item}/", item_page),
        Route(BASE + "/{publisher}/", body_page),
    ]


def install(app: Any, source: ComplianceSource) -> None:
    """Use ``source`` for the pages of ``app`` (tests and the bench inject their own)."""
    setattr(app.state, SOURCE_KEY, source)


def source_of(page: Page) -> ComplianceSource:
    """The app's compliance: made at first use from its workspace (the current release
    of its directory, and ``workspace.active``'s approved records if there is one)."""
    state = page.request.app.state
    found = getattr(state, SOURCE_KEY, None)
    if found is None:
        with _making:
            found = getattr(state, SOURCE_KEY, None)
            if found is None:
                found = ComplianceSource(releases_of_workspace(page.ws), declarations_of(page.ws))
                setattr(state, SOURCE_KEY, found)
    return found


# ---------------------------------------------------------------- handlers


async def matrix(request: Request) -> Response:
    return await blocking(_matrix, Page(request))


async def body_page(request: Request) -> Response:
    return await blocking(_body, Page(request))


async def item_page(request: Request) -> Response:
    return await blocking(_item, Page(request))


async def publications(request: Request) -> Response:
    return await blocking(_feed, Page(request), "publications")


async def overdue(request: Request) -> Response:
    return await blocking(_feed, Page(request), "overdue")


# ---------------------------------------------------------------- helpers


class Refused(Exception):
    """A request the page cannot answer: its status and the (text, hint) msgids."""

    def __init__(self, status: int, text: str, hint: str = "", **params: object) -> None:
        super().__init__(text)
        self.status, self.text, self.hint, self.params = status, text, hint, params


def _refuse(page: Page, error: Refused | CatalogError) -> Response:
    if isinstance(error, CatalogError):
        return page.error(400, error.text, error.hint or "", **dict(error.params))
    return page.error(error.status, error.text, error.hint, **error.params)


def short(item: Obligation) -> str:
    """The item's numeral as a column heading: ``10.4`` for GT-LAIP-10.4, with the law
    when it is not the profile's first law (``5189-1`` for PY-5189-1)."""
    parts = item.id.split("-", 2)
    if len(parts) < 3:
        return item.id
    return parts[2] if parts[1] == _main_law(item.jurisdiction) else f"{parts[1]}-{parts[2]}"


def _main_law(code: str) -> str:
    """The law of the profile's first item (``LAIP``, ``20285``, ``5282``)."""
    first = obligations(code)[0].id.split("-", 2)
    return first[1] if len(first) == 3 else ""


def _cell_html(page: Page, states: dict[str, dict[str, str] | None]) -> dict[str | None, Markup]:
    """Each state's cell of the matrix, made once per page rather than once per cell:
    its colour (the class), its symbol and abbreviation, and its words for screen readers."""
    found: dict[str | None, Markup] = {
        None: Markup(
            '<td class="cell st-none"><span aria-hidden="true">·</span>'
            '<span class="sr-only">{}</span></td>'
        ).format(page.t(_("Does not apply")))
    }
    for code, state in states.items():
        assert state is not None
        found[code] = Markup(
            '<td class="cell st-{}"><span aria-hidden="true">{}&nbsp;{}</span>'
            '<span class="sr-only">{}</span></td>'
        ).format(code, state["symbol"], state["abbr"], state["label"])
    return found


def _number(text: str | None, default: int = 1) -> int:
    if text is None or text == "":
        return default
    if not text.isdigit() or len(text) > 6 or int(text) < 1:
        raise Refused(400, _("{value} is not a page number."), _("Use 1, 2, 3..."), value=text[:20])
    return int(text)


def _names(board: Board) -> dict[str, str]:
    return {slug: str((info or {}).get("name") or slug) for slug, info in board.publishers.items()}


def _state(page: Page, state: str | None) -> dict[str, str] | None:
    if state is None:
        return None
    found = STATES[state]
    return {
        "code": state,
        "label": page.t(found["label"]),
        "abbr": page.t(found["abbr"]),
        "symbol": found["symbol"],
    }


def _cell(page: Page, cell: Cell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {
        "period": cell.period,
        "state": _state(page, cell.state),
        "due": cell.due.isoformat(),
        "published": cell.published.isoformat() if cell.published else None,
        "evidence": cell.evidence,
        "source": page.t(SOURCES[cell.source]) if cell.source else None,
        "reason": cell.reason,
        "sample": cell.sample,
    }


def _item(page: Page) -> Response:
    try:
        return _item_page(page)
    except (Refused, CatalogError) as error:
        return _refuse(page, error)


def _body(page: Page) -> Response:
    try:
        return _body_page(page)
    except (Refused, CatalogError) as error:
        return _refuse(page, error)


def _matrix(page: Page) -> Response:
    try:
        return _matrix_page(page)
    except (Refused, CatalogError) as error:
        return _refuse(page, error)


def _legend(page: Page) -> list[dict[str, str]]:
    return [s for s in (_state(page, code) for code in STATES) if s is not None]


def _item_info(page: Page, item: Obligation) -> dict[str, Any]:
    return {
        "id": item.id,
        "short": short(item),
        "title": item.label(page.lang),
        "reference": item.reference,
        "frequency": page.t(FREQUENCIES.get(item.frequency, item.frequency)),
        "due_days": item.due.days,
        "due_count": item.due.count,
        "due_after": item.due.after,
        "fulfilled_by": item.fulfilled_by,
        "template": item.template,
        "lawyer_check": item.lawyer_check,
        "applies_to": [
            page.t(_("All bodies")) if k == "all" else label("publisher_kinds", k, page.lang)
            for k in item.applies_to
        ],
    }


def _query(**params: object) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


# ---------------------------------------------------------------- the matrix


def _matrix_page(page: Page) -> Response:
    params = page.request.query_params
    source = source_of(page)
    codes = source.codes()
    if not codes:
        return page.render("activa.html", empty=True, legend=_legend(page), tabs=[], code=None)
    asked_code = (params.get("jurisdiccion") or "").strip().upper()[:10]
    if asked_code and asked_code not in codes:
        raise Refused(
            400,
            _("No public body here answers to the jurisdiction {code}."),
            _("Choose one of: {allowed}."),
            code=asked_code,
            allowed=", ".join(codes),
        )
    code = asked_code or (DEFAULT_JURISDICTION if DEFAULT_JURISDICTION in codes else codes[0])
    board = source.board(code)
    month = board.check_month(params.get("periodo") or None)
    kind = params.get("tipo") or None
    if kind is not None and kind not in board.kinds():
        raise Refused(
            400,
            _("There is no body of the kind {kind} here."),
            _("Choose a kind of body from the list, or all of them."),
            kind=kind[:40],
        )
    order = params.get("orden") or "nombre"
    if order not in ORDERS:
        raise Refused(
            400, _("{value} is not an order."), _("Use nombre, mes or ventana."), value=order[:20]
        )
    number = _number(params.get("pagina"))
    found = board.matrix(month, kind, order)
    pages = max(1, -(-len(found.bodies) // PAGE_SIZE))
    if number > pages:
        raise Refused(
            400,
            _("Page {number} is beyond the last page ({pages})."),
            _("Use a page from 1 to {pages}."),
            number=number,
            pages=pages,
        )
    states = {code: _state(page, code) for code in STATES}
    html = _cell_html(page, states)
    rows = []
    for slug in found.bodies[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]:
        cells = (board.cell(slug, item, month) for item in found.columns)
        rows.append(
            {
                "slug": slug,
                "name": board.name(slug),
                "rank": found.rank.get(slug),
                "month_score": board.month_scores[slug][month],
                "window_score": board.window_scores[slug],
                "cells": Markup("".join(html[c.state if c else None] for c in cells)),
            }
        )
    base = {"jurisdiccion": code if len(codes) > 1 else None, "periodo": month, "tipo": kind}
    return page.render(
        "activa.html",
        empty=False,
        code=code,
        tabs=[{"code": c, "current": c == code, "query": _query(jurisdiccion=c)} for c in codes],
        month=month,
        months=list(reversed(board.months)),
        default_month=board.default_month,
        kind=kind or "",
        kinds=[{"code": k, "label": label("publisher_kinds", k, page.lang)} for k in board.kinds()],
        order=order,
        columns=[_item_info(page, i) for i in found.columns],
        item_scores=found.item_scores,
        rows=rows,
        legend=_legend(page),
        counts=[{"state": states[s], "count": n} for s, n in found.counts.items()],
        total_bodies=len(found.bodies),
        page_number=number,
        pages=pages,
        page_query=lambda n: _query(**base, orden=order if order != "nombre" else None, pagina=n),
        today=board.today.isoformat(),
        window=(board.months[0], board.months[-1]),
    )


# ---------------------------------------------------------------- one body


def _body_page(page: Page) -> Response:
    slug = page.request.path_params["publisher"]
    source = source_of(page)
    info = source.publisher(slug)
    code = country_of(info)
    if info is None or code not in jurisdictions():
        raise Refused(
            404,
            _("There is no public body {slug} with active-transparency duties."),
            _("See the list of bodies at /transparencia/activa/."),
            slug=slug[:100],
        )
    board = source.board(code)
    month = board.check_month(page.request.query_params.get("periodo") or None)
    items = []
    declarations = []
    sample = False
    for item in board.items_of(slug):
        current = board.cell(slug, item, month)
        history = board.history(slug, item)
        sample = sample or any(c.sample for c in history)
        for c in history:
            if c.state == "not-applicable":
                declarations.append({"item": _item_info(page, item), "cell": _cell(page, c)})
        items.append(
            {
                "info": _item_info(page, item),
                "current": _cell(page, current),
                "history": [_cell(page, c) for c in history],
            }
        )
    cells = board.month_cells(slug, month)
    return page.render(
        "activa_body.html",
        slug=slug,
        name=str(info.get("name") or slug),
        acronym=info.get("acronym"),
        kind=label("publisher_kinds", info["kind"], page.lang) if info.get("kind") else None,
        code=code,
        month=month,
        months=list(reversed(board.months)),
        month_score=board.month_scores.get(slug, {}).get(month),
        window_score=board.window_scores.get(slug),
        counts=[
            {"state": _state(page, s), "count": n}
            for s, n in board.compliance.counts(cells).items()
        ],
        items=items,
        declarations=declarations,
        sample=sample,
        legend=_legend(page),
        window=(board.months[0], board.months[-1]),
        today=board.today.isoformat(),
    )


# ---------------------------------------------------------------- one item


def _item_page(page: Page) -> Response:
    item = find(page.request.path_params["item"])
    source = source_of(page)
    if item is None:
        raise Refused(
            404,
            _("There is no active-transparency item {item}."),
            _("See the items of each law at /api/v1/transparency/obligations?jurisdiction=GT."),
            item=page.request.path_params["item"][:60],
        )
    board = source.board(item.jurisdiction)
    params = page.request.query_params
    month = board.check_month(params.get("periodo") or None)
    number = _number(params.get("pagina"))
    names = _names(board)
    bodies = sorted(
        (s for s in board.bodies() if board.applies(s, item)), key=lambda s: names[s].casefold()
    )
    pages = max(1, -(-len(bodies) // ITEM_PAGE_SIZE))
    if number > pages:
        raise Refused(
            400,
            _("Page {number} is beyond the last page ({pages})."),
            _("Use a page from 1 to {pages}."),
            number=number,
            pages=pages,
        )
    cells = [board.cell(s, item, month) for s in bodies]
    shown = list(zip(bodies, cells, strict=True))[
        (number - 1) * ITEM_PAGE_SIZE : number * ITEM_PAGE_SIZE
    ]
    return page.render(
        "activa_item.html",
        item=_item_info(page, item),
        code=item.jurisdiction,
        month=month,
        months=list(reversed(board.months)),
        score=board.item_score(item, month, bodies),
        counts=[
            {"state": _state(page, s), "count": n}
            for s, n in board.compliance.counts(c for c in cells if c is not None).items()
        ],
        rows=[{"slug": s, "name": names[s], "cell": _cell(page, c)} for s, c in shown],
        total_bodies=len(bodies),
        page_number=number,
        pages=pages,
        page_query=lambda n: _query(periodo=month, pagina=n),
        legend=_legend(page),
    )


# ---------------------------------------------------------------- feeds


def _feed(page: Page, which: str) -> Response:
    source = source_of(page)
    boards = source.boards()
    base_url = page.ws.settings.public_url
    make = publications_feed if which == "publications" else overdue_feed
    body = make(boards, base_url, page.lang)
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )
