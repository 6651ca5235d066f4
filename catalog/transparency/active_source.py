"""The compliance the public pages and the API show, computed once and cached.

``ComplianceSource`` runs ``compliance.compute`` over the current release (its
publishers, its dataset entries, when it was generated) and the officers' approved
records (``declarations``: a callable giving ``(stamp, records)``, the stamp changing
whenever the records do), one jurisdiction at a time, since "today" is the
jurisdiction's own day (``Calendar.today``) and its bodies are shown together.

The result is cached by (release id, declarations stamp, today, window months): a
new build, an approved record or midnight in the jurisdiction computes it again.
Computing is blocking work (a second or so for 500 bodies): callers on an event loop
run it in a worker thread (``workspace.blocking``; the API's routes are sync); one
computation runs at a time, under a lock, and the others wait for it and take its
result rather than computing it again.

``Board`` is what the pages need from one computation beyond ``Compliance`` itself:
every body's score for every month of the window and over the window, and each
cell by (body, item, month), computed once per cache entry so that the matrix of
500 bodies answers in milliseconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from catalog import clock
from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.jurisdictions import jurisdictions
from catalog.release.index import DatasetEntry
from catalog.transparency.compliance import (
    MAX_MONTHS,
    Cell,
    Compliance,
    Declaration,
    check_month,
    compute,
    window_months,
)
from catalog.transparency.deadlines import Calendar
from catalog.transparency.fulfilment import country_of
from catalog.transparency.obligations import (
    Obligation,
    due_date,
    obligations,
    parse_period,
    period_of,
    score,
)

LOG = logging.getLogger("catalog.transparency")
# How far back a single body's month may be asked for (the API computes it alone):
# older months are refused rather than walked month by month.
MAX_MONTHS_BACK = 120

Declarations = Callable[[], tuple[str, list[Declaration]]]  # (stamp, approved records)


@dataclass(frozen=True)
class Snapshot:
    """What a computation reads from a release."""

    release: str  # the release id ("" before any build)
    publishers: dict[str, dict[str, Any]]
    datasets: list[DatasetEntry]
    generated: str | None = None


Releases = Callable[[], Snapshot | None]


def no_declarations() -> tuple[str, list[Declaration]]:
    return ("", [])


def declarations_of(workspace: Any) -> Declarations:
    """The approved records of a workspace's active-transparency service
    (``workspace.active``: ``declarations()`` and ``stamp()``), or none without one.
    The records are read again only when the stamp changes (a cheap query)."""
    last: list[tuple[str, list[Declaration]]] = []
    lock = threading.Lock()

    def read() -> tuple[str, list[Declaration]]:
        active = getattr(workspace, "active", None)
        if active is None:
            return no_declarations()
        stamp = str(active.stamp())
        with lock:
            if last and last[0][0] == stamp:
                return last[0]
            found = (stamp, list(active.declarations()))
            last[:] = [found]
            return found

    return read


def month_key(item: Obligation, month: str) -> str:
    """The key of the item's own period that holds a month (``YYYY-MM``)."""
    if item.frequency == "annual":
        return month[:4]
    if item.frequency == "quarterly":
        return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
    return month


@dataclass(frozen=True)
class Matrix:
    """One month of a jurisdiction's matrix for a kind of body (or all), in an order."""

    bodies: list[str]  # in the order asked
    rank: dict[str, int]  # by the month's score; equal scores share a rank
    columns: list[Obligation]  # the items that bind at least one of the bodies
    item_scores: list[float | None]  # per column, over all the bodies
    counts: dict[str, int]  # cells in each state, over all the bodies


ORDERS = ("nombre", "mes", "ventana")  # by name, by the month's score, by the window's


def _or_below(value: float | None) -> float:
    """A score for sorting: bodies without one (nothing counted yet) go last."""
    return -1.0 if value is None else value


@dataclass
class Board:
    """One jurisdiction's compliance over the window, indexed for the pages."""

    code: str
    compliance: Compliance
    today: date
    months: list[str]  # the window, oldest first
    default_month: str
    items: list[Obligation]  # every item of the profile, in its order
    _items_of: dict[str, list[Obligation]] = field(default_factory=dict)
    _slots: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    month_scores: dict[str, dict[str, float | None]] = field(default_factory=dict)
    window_scores: dict[str, float | None] = field(default_factory=dict)
    _matrices: dict[tuple[str, str | None, str], Matrix] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, found: Compliance) -> Board:
        board = cls(
            code=code,
            compliance=found,
            today=found.today,
            months=list(found.months),
            default_month=default_month(code, found.today, found.months),
            items=obligations(code),
        )
        board._slots = {(c.publisher, c.obligation, c.period): c for c in found.cells}
        states: dict[str, dict[tuple[str, str], str]] = {}
        for c in found.cells:
            states.setdefault(c.publisher, {})[(c.obligation, c.period)] = c.state
        keys: dict[str, list[tuple[str, str]]] = {}  # item -> its slot in each month
        for slug in found.bodies(code):
            items = found.items_of(slug)
            board._items_of[slug] = items
            own = states.get(slug, {})
            for item in items:
                if item.id not in keys:
                    keys[item.id] = [(item.id, month_key(item, m)) for m in board.months]
            columns = [keys[item.id] for item in items]
            monthly: dict[str, float | None] = {}
            for index, month in enumerate(board.months):
                found_states = (own.get(column[index]) for column in columns)
                monthly[month] = score([s for s in found_states if s is not None])
            board.month_scores[slug] = monthly
            counted = [s for s in monthly.values() if s is not None]
            board.window_scores[slug] = round(sum(counted) / len(counted), 1) if counted else None
        return board

    @property
    def publishers(self) -> dict[str, dict[str, Any]]:
        return self.compliance.publishers

    def bodies(self, kind: str | None = None) -> list[str]:
        """The bodies of the jurisdiction (of one kind), by slug."""
        return [
            slug
            for slug in self._items_of
            if kind is None or (self.publishers.get(slug) or {}).get("kind") == kind
        ]

    def kinds(self) -> list[str]:
        """The kinds of body present, sorted."""
        found = {(self.publishers.get(s) or {}).get("kind") for s in self._items_of}
        return sorted(k for k in found if isinstance(k, str))

    def items_of(self, slug: str) -> list[Obligation]:
        return self._items_of.get(slug, [])

    def applies(self, slug: str, item: Obligation) -> bool:
        return any(i.id == item.id for i in self.items_of(slug))

    def cell(self, slug: str, item: Obligation, month: str) -> Cell | None:
        return self._slots.get((slug, item.id, month_key(item, month)))

    def month_cells(self, slug: str, month: str) -> list[Cell]:
        found = (self.cell(slug, item, month) for item in self.items_of(slug))
        return [c for c in found if c is not None]

    def item_score(self, item: Obligation, month: str, bodies: Iterable[str]) -> float | None:
        cells = (self.cell(slug, item, month) for slug in bodies)
        return score([c.state for c in cells if c is not None])

    def name(self, slug: str) -> str:
        return str((self.publishers.get(slug) or {}).get("name") or slug)

    def matrix(self, month: str, kind: str | None = None, order: str = "nombre") -> Matrix:
        """The matrix of a month (a month of the window), kept: the board never changes."""
        key = (month, kind, order)
        found = self._matrices.get(key)
        if found is None:
            found = self._matrix(month, kind, order)
            if len(self._matrices) < 1000:  # months × kinds × orders: a bound, not expected
                self._matrices[key] = found
        return found

    def _matrix(self, month: str, kind: str | None, order: str) -> Matrix:
        bodies = self.bodies(kind)
        names = {slug: self.name(slug).casefold() for slug in bodies}
        scores = {slug: self.month_scores[slug][month] for slug in bodies}
        ranked = sorted(bodies, key=lambda s: (-_or_below(scores[s]), names[s], s))
        rank: dict[str, int] = {}
        previous: float | None = None
        shown = 0
        for position, slug in enumerate(ranked, start=1):
            if scores[slug] is None:
                break
            if scores[slug] != previous:
                shown, previous = position, scores[slug]
            rank[slug] = shown
        if order == "mes":
            ordered = ranked
        elif order == "ventana":
            window = self.window_scores
            ordered = sorted(bodies, key=lambda s: (-_or_below(window[s]), names[s], s))
        else:
            ordered = sorted(bodies, key=lambda s: (names[s], s))
        applicable = {i.id for slug in bodies for i in self.items_of(slug)}
        columns = [i for i in self.items if i.id in applicable]
        cells = [c for slug in bodies for c in self.month_cells(slug, month)]
        return Matrix(
            bodies=ordered,
            rank=rank,
            columns=columns,
            item_scores=[self.item_score(i, month, bodies) for i in columns],
            counts=self.compliance.counts(cells),
        )

    def history(self, slug: str, item: Obligation) -> list[Cell]:
        """Every period of one item for a body over the window, newest first."""
        keys = dict.fromkeys(month_key(item, m) for m in self.months)
        found = [self._slots.get((slug, item.id, k)) for k in keys]
        return sorted((c for c in found if c is not None), key=lambda c: c.due, reverse=True)

    def check_month(self, text: str | None) -> str:
        """A month of the window (the default one when none is asked); CatalogError
        naming the fix for a malformed, future or out-of-window month."""
        if not text:
            return self.default_month
        asked = check_month(text, self.today).key
        if asked not in self.months:
            raise CatalogError(
                _("{period} is outside the window shown ({first} to {last})."),
                _("Ask for a month from {first} to {last}."),
                period=asked,
                first=self.months[0],
                last=self.months[-1],
            )
        return asked


def default_month(code: str, today: date, months: list[str]) -> str:
    """The month the matrix shows first: the latest month of the window whose items
    are mostly past their due date (more than half of the profile's items have a
    due date before today, each counted in its own period holding the month), so the
    states shown are mostly final. The previous month if none is (a window of one)."""
    calendar = Calendar.of(code)
    items = obligations(code)
    for month in reversed(months):
        start = parse_period(month).start
        dues = [due_date(i, period_of(i, start), calendar) for i in items]
        if items and sum(d < today for d in dues) * 2 > len(dues):
            return month
    year, month_number = today.year, today.month
    year, month_number = (year, month_number - 1) if month_number > 1 else (year - 1, 12)
    previous = f"{year:04d}-{month_number:02d}"
    return previous if previous in months else months[-1]


class ComplianceSource:
    """Compliance of the current release and records, per jurisdiction, cached."""

    def __init__(
        self,
        releases: Releases,
        declarations: Declarations | None = None,
        *,
        months: int | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.releases = releases
        self.declarations = declarations or no_declarations
        self.months = max(1, min(MAX_MONTHS, months)) if months else window_months()
        self.now = now or clock.now
        self._boards: dict[str, tuple[tuple[str, str, date, int], Board]] = {}
        self._lock = threading.Lock()
        self._codes: tuple[str, list[str]] | None = None
        self.computed = 0  # how many computations ran (tests check the cache)

    def snapshot(self) -> Snapshot:
        return self.releases() or Snapshot("", {}, [], None)

    def today(self, code: str) -> date:
        return Calendar.of(code).today(self.now())

    def codes(self) -> list[str]:
        """The jurisdictions the release's publishers answer to, in the profiles' order."""
        snapshot = self.snapshot()
        known = self._codes
        if known is not None and known[0] == snapshot.release and snapshot.release:
            return list(known[1])
        present = {country_of(info) for info in snapshot.publishers.values()}
        found = [code for code in jurisdictions() if code in present]
        self._codes = (snapshot.release, found)
        return list(found)

    def board(self, code: str) -> Board:
        """The compliance of one jurisdiction's bodies (blocking: call it off the loop)."""
        with self._lock:  # one computation at a time; the others wait and share it
            snapshot = self.snapshot()
            stamp, records = self.declarations()
            key = (snapshot.release, stamp, self.today(code), self.months)
            cached = self._boards.get(code)
            if cached is not None and cached[0] == key:
                return cached[1]
            publishers = {
                slug: info for slug, info in snapshot.publishers.items() if country_of(info) == code
            }
            found = compute(
                publishers,
                snapshot.datasets,
                records,
                key[2],
                months=self.months,
                generated=snapshot.generated,
            )
            board = Board.of(code, found)
            self._boards[code] = (key, board)
            self.computed += 1
            return board

    def boards(self) -> list[Board]:
        return [self.board(code) for code in self.codes()]

    def publisher(self, slug: str) -> dict[str, Any] | None:
        return self.snapshot().publishers.get(slug)

    def for_publisher(self, slug: str, month: str) -> tuple[Compliance, str]:
        """One body's compliance holding ``month`` (``YYYY-MM``): the cached window when it
        holds the month, else the body alone from that month on. CatalogError for a
        malformed or future month, or one more than ``MAX_MONTHS_BACK`` months ago."""
        info = self.publisher(slug) or {}
        code = country_of(info)
        today = self.today(code)
        asked = check_month(month, today)
        board = self.board(code)
        if asked.key in board.months:
            return board.compliance, asked.key
        back = (today.year - asked.start.year) * 12 + today.month - asked.start.month
        if back > MAX_MONTHS_BACK:
            raise CatalogError(
                _("{period} is more than {months} months ago."),
                _("Ask for a month from {first} on."),
                period=asked.key,
                months=MAX_MONTHS_BACK,
                first=_months_ago(today, MAX_MONTHS_BACK),
            )
        snapshot = self.snapshot()
        _stamp, records = self.declarations()
        found = compute(
            {slug: info},
            snapshot.datasets,
            records,
            today,
            generated=snapshot.generated,
            only=slug,
            first_month=asked.key,
        )
        return found, asked.key


def _months_ago(today: date, months: int) -> str:
    index = today.year * 12 + today.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def snapshot_of_release(release: Any) -> Snapshot | None:
    """A ``catalog.release.reader.Release`` (or None) as a Snapshot."""
    if release is None:
        return None
    index = release.index
    return Snapshot(release.id, index["publishers"], index["datasets"], index.get("generated"))


def releases_of_workspace(workspace: Any) -> Releases:
    """The current release of a workspace's directory; its fallback publishers (tests,
    a workspace without a build) with no datasets when there is no release."""

    def read() -> Snapshot | None:
        directory = workspace.directory
        release = directory.current() if directory.current else None
        if release is not None:
            return snapshot_of_release(release)
        return Snapshot("", dict(directory.fallback), [], None)

    return read
