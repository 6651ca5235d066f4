"""Atom feeds of active transparency (feedgen writes well-formed, escaped XML):

- ``/transparencia/activa/publicaciones.atom``: the latest publications that meet
  an item for a period (a dataset, a document or a link), newest first;
- ``/transparencia/activa/vencidas.atom``: the periods now overdue, the most
  recently due first.

Both read the boards of every jurisdiction (active_source.py) and keep the latest
``ENTRIES`` entries: the feeds stay small whatever the number of bodies.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from feedgen.feed import FeedGenerator

from catalog.i18n import _, translate
from catalog.transparency.active_source import Board
from catalog.transparency.compliance import Cell
from catalog.transparency.obligations import find

PUBLICATIONS_PATH = "/transparencia/activa/publicaciones.atom"
OVERDUE_PATH = "/transparencia/activa/vencidas.atom"
MATRIX_PATH = "/transparencia/activa/"
ENTRIES = 50
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _cells(boards: Iterable[Board]) -> Iterator[tuple[Board, Cell]]:
    for board in boards:
        for cell in board.compliance.cells:
            yield board, cell


def _feed(base_url: str, path: str, title: str, lang: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(base_url + path)
    feed.title(title)
    feed.link(href=base_url + path, rel="self")
    feed.link(href=base_url + MATRIX_PATH, rel="alternate")
    feed.language(lang)
    return feed


def _entry(
    feed: FeedGenerator, board: Board, cell: Cell, base_url: str, lang: str, when: datetime
) -> None:
    item = find(cell.obligation)
    title = item.label(lang) if item else cell.obligation
    name = str((board.publishers.get(cell.publisher) or {}).get("name") or cell.publisher)
    page = f"{base_url}/transparencia/activa/{cell.publisher}/"
    entry = feed.add_entry()
    entry.id(f"{page}#{cell.obligation}/{cell.period}")
    link = (
        cell.evidence
        if cell.evidence and cell.evidence.startswith(("http://", "https://"))
        else page
    )
    entry.link(href=link)
    entry.title(f"{name}: {title} ({cell.period})"[:300])
    entry.updated(when)
    entry.author({"name": name[:200]})
    if cell.state == "overdue":
        summary = translate(
            _("Not published; it was due on {due}."), lang, due=cell.due.isoformat()
        )
    else:
        state = translate(_("On time") if cell.state == "on-time" else _("Late"), lang)
        summary = translate(
            _("{state}: published on {published}, due on {due}."),
            lang,
            state=state,
            published=cell.published.isoformat() if cell.published else "",
            due=cell.due.isoformat(),
        )
    if cell.sample:
        summary += " " + translate(_("Sample data."), lang)
    entry.summary(summary[:2000])


def publications_feed(boards: Iterable[Board], base_url: str, lang: str = "es") -> bytes:
    """Atom XML of the latest publications meeting an item, newest first."""
    found = heapq.nlargest(
        ENTRIES,
        (
            (board, cell)
            for board, cell in _cells(boards)
            if cell.published is not None and cell.state in ("on-time", "late")
        ),
        key=lambda pair: (pair[1].published, pair[1].publisher, pair[1].obligation, pair[1].period),
    )
    feed = _feed(
        base_url,
        PUBLICATIONS_PATH,
        translate(_("Active transparency: new publications"), lang),
        lang,
    )
    feed.updated(_moment(found[0][1].published) if found and found[0][1].published else EPOCH)
    for board, cell in reversed(found):  # feedgen puts the last added first
        assert cell.published is not None
        _entry(feed, board, cell, base_url, lang, _moment(cell.published))
    return feed.atom_str(pretty=True)


def overdue_feed(boards: Iterable[Board], base_url: str, lang: str = "es") -> bytes:
    """Atom XML of the periods now overdue, the most recently due first."""
    found = heapq.nlargest(
        ENTRIES,
        ((board, cell) for board, cell in _cells(boards) if cell.state == "overdue"),
        key=lambda pair: (pair[1].due, pair[1].publisher, pair[1].obligation, pair[1].period),
    )
    feed = _feed(
        base_url, OVERDUE_PATH, translate(_("Active transparency: overdue items"), lang), lang
    )
    # An item becomes overdue the day after its due date.
    feed.updated(_moment(found[0][1].due + timedelta(days=1)) if found else EPOCH)
    for board, cell in reversed(found):
        _entry(feed, board, cell, base_url, lang, _moment(cell.due + timedelta(days=1)))
    return feed.atom_str(pretty=True)
