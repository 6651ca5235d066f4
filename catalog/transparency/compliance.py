"""Compliance: the state of every (body, applicable item, period) over a window of months.

One computation feeds everything that shows compliance: the public matrix and the
body and item pages, the API, the officers' calendar and the open dataset a build
publishes. Its inputs are plain data:

- the publishers (slug -> their YAML: ``kind``, ``jurisdiction.country``);
- the release's datasets (release-index entries): a dataset that cites an item and
  covers a period is its evidence (``fulfilment.fulfilments``);
- the officers' approved records (``Declaration``): a document or a link that
  meets an item for a period, or a declaration that the item does not apply to the
  body in that period, with the reason.

The rules (docs/scoring.md explains them with a worked example):

- the window is the last ``months`` months up to the current one; each item has
  the periods of its own frequency that hold a day of the window and have started;
- a ``not-applicable`` declaration wins; otherwise the earliest publication counts,
  from a dataset or a recorded document or link, and ``obligations.state`` names the
  state against the item's due date;
- a body's score for a month counts each applicable item once, in the item's own
  period that holds the month (``obligations.score``: on time 1, late 0.5, overdue
  0; due and not-applicable do not count); its score over the window is the mean
  of its monthly scores.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.jurisdictions import jurisdictions
from catalog.release.index import DatasetEntry
from catalog.transparency.deadlines import Calendar
from catalog.transparency.fulfilment import PERMANENT, Fulfilments, country_of, fulfilments
from catalog.transparency.obligations import (
    Obligation,
    Period,
    check_started,
    due_date,
    duties_of,
    obligations,
    parse_period,
    period_of,
    periods,
    score,
    state_by,
)

KINDS = ("document", "link", "not-applicable")
DEFAULT_MONTHS = 12
MAX_MONTHS = 60
# The open dataset of approved records (``catalog requests export``) and its columns.
DECLARATIONS_DATASET = "declaraciones-transparencia-activa"
DECLARATION_KINDS = {"documento": "document", "enlace": "link", "no-aplica": "not-applicable"}


def window_months() -> int:
    """How many months the compliance window holds (``CATALOG_COMPLIANCE_MONTHS``, 1-60)."""
    try:
        value = int(os.environ.get("CATALOG_COMPLIANCE_MONTHS", DEFAULT_MONTHS))
    except ValueError:
        return DEFAULT_MONTHS
    return min(max(value, 1), MAX_MONTHS)


@dataclass(frozen=True)
class Declaration:
    """An officer's approved record for one (body, item, period).

    ``period`` is the item's period key, or ``"*"`` for a permanent item's standing
    publication (it meets every month from ``published`` on)."""

    publisher: str
    obligation: str
    period: str
    kind: str  # document | link | not-applicable
    published: date  # the day it was approved and made public
    url: str | None = None  # the document's or the link's address
    reason: str | None = None  # why the item does not apply
    sha256: str | None = None  # an uploaded document's content hash
    sample: bool = False  # demo data, labelled as such wherever it is shown


class Cell(NamedTuple):
    """The state of one (body, item, period), with its due date and its evidence.
    (A named tuple: a window holds hundreds of thousands, made in one loop.)"""

    publisher: str
    obligation: str
    period: str
    state: str
    due: date
    published: date | None = None
    evidence: str | None = None  # the URL that proves it (dataset page, document, link)
    source: str | None = None  # dataset | document | link | not-applicable
    reason: str | None = None
    sample: bool = False

    def as_item(self) -> dict[str, Any]:
        """The API's item shape (docs/api.md)."""
        return {
            "obligation": self.obligation,
            "period": self.period,
            "state": self.state,
            "due": self.due.isoformat(),
            "published": self.published.isoformat() if self.published else None,
            "evidence": self.evidence,
        }


def month_keys(today: date, months: int) -> list[str]:
    """The ``months`` months up to and including today's, oldest first (``YYYY-MM``)."""
    year, month = today.year, today.month
    keys: list[str] = []
    for _step in range(max(1, months)):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def check_month(text: str, today: date) -> Period:
    """A month (``YYYY-MM``) that has started; CatalogError naming the fix otherwise."""
    asked = parse_period(text)
    if (asked.start.year, asked.start.month) != (asked.end.year, asked.end.month):
        raise CatalogError(
            _("{period} is not a month."),
            _("Write the month as YYYY-MM, for example 2024-05."),
            period=str(text)[:20],
        )
    check_started(asked, today)
    return asked


class Compliance:
    """Every cell of a window, indexed for the pages and the API."""

    def __init__(
        self,
        publishers: dict[str, dict[str, Any]],
        cells: list[Cell],
        today: date,
        months: list[str],
    ) -> None:
        self.publishers = publishers
        self.cells = cells
        self.today = today
        self.months = months
        self._by_slot: dict[tuple[str, str, str], Cell] = {
            (c.publisher, c.obligation, c.period): c for c in cells
        }

    # ------------------------------------------------------------------ lookups

    def bodies(self, code: str | None = None, kind: str | None = None) -> list[str]:
        """The publishers with duties (a known jurisdiction), of one country and kind."""
        return sorted(
            slug
            for slug, info in self.publishers.items()
            if country_of(info) in jurisdictions()
            and (code is None or country_of(info) == code)
            and (kind is None or info.get("kind") == kind)
        )

    def items_of(self, slug: str) -> list[Obligation]:
        """The items that apply to a body, in the profile's order."""
        info = self.publishers.get(slug) or {}
        return obligations(country_of(info), _kind(info), duties_of(info))

    def cell(self, slug: str, item: Obligation, month: str) -> Cell | None:
        """The body's cell for the item's period that holds a month (None: not in the window)."""
        period = period_of(item, parse_period(month).start)
        return self._by_slot.get((slug, item.id, period.key))

    def month_cells(self, slug: str, month: str) -> list[Cell]:
        """Each applicable item's cell for a month, in the profile's order."""
        found = (self.cell(slug, item, month) for item in self.items_of(slug))
        return [c for c in found if c is not None]

    def history(self, slug: str, item: Obligation) -> list[Cell]:
        """Every period of one item for a body, newest first."""
        keys = {period_of(item, parse_period(m).start).key for m in self.months}
        found = [self._by_slot.get((slug, item.id, k)) for k in keys]
        return sorted((c for c in found if c), key=lambda c: c.due, reverse=True)

    # ------------------------------------------------------------------ scores

    def month_score(self, slug: str, month: str) -> float | None:
        return score([c.state for c in self.month_cells(slug, month)])

    def window_score(self, slug: str) -> float | None:
        """The mean of the body's monthly scores over the window (months without one skipped)."""
        found = [s for m in self.months if (s := self.month_score(slug, m)) is not None]
        return round(sum(found) / len(found), 1) if found else None

    def item_score(self, item: Obligation, month: str, bodies: Iterable[str]) -> float | None:
        """One item's score across bodies for a month."""
        cells = (self.cell(slug, item, month) for slug in bodies)
        return score([c.state for c in cells if c is not None])

    def counts(self, cells: Iterable[Cell]) -> dict[str, int]:
        """How many cells are in each state."""
        found = dict.fromkeys(("on-time", "late", "due", "overdue", "not-applicable"), 0)
        for c in cells:
            found[c.state] += 1
        return found

    # ------------------------------------------------------------------ shapes

    def for_month(self, slug: str, month: str, lang: str = "es") -> dict[str, Any]:
        """One body's month in the API's shape (docs/api.md), titles in ``lang``."""
        titles = {item.id: item.label(lang) for item in self.items_of(slug)}
        cells = self.month_cells(slug, month)
        return {
            "publisher": slug,
            "period": month,
            "score": score([c.state for c in cells]),
            "items": [{**c.as_item(), "title": titles[c.obligation]} for c in cells],
        }

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every cell as a flat row (the open dataset and the exports)."""
        for c in self.cells:
            yield {
                "publisher": c.publisher,
                "jurisdiction": country_of(self.publishers.get(c.publisher)),
                "obligation": c.obligation,
                "period": c.period,
                "state": c.state,
                "due": c.due.isoformat(),
                "published": c.published.isoformat() if c.published else None,
                "evidence": c.evidence,
                "source": c.source,
                "reason": c.reason,
                "sample": c.sample,
            }


def _kind(info: dict[str, Any]) -> str | None:
    kind = info.get("kind")
    return kind if isinstance(kind, str) else None


def compute(
    publishers: dict[str, dict[str, Any]],
    datasets: list[DatasetEntry],
    declarations: Iterable[Declaration],
    today: date,
    *,
    months: int = DEFAULT_MONTHS,
    generated: str | None = None,
    only: str | None = None,
    first_month: str | None = None,
) -> Compliance:
    """The cells of every body with duties (or only one body) over the window: the last
    ``months`` months up to today's, or from ``first_month`` to today's."""
    keys = month_keys(today, months)
    if first_month is not None:
        first = check_month(first_month, today)
        keys = [k for k in month_keys(today, _months_between(first.start, today)) if k]
    found = fulfilments(datasets, generated)
    records = _index(declarations)
    recorded = {(publisher, item) for publisher, item, _period in records}
    cells: list[Cell] = []
    window_first = parse_period(keys[0]).start
    Slot = tuple[str, str | None, tuple[str, ...]]  # (country, kind, duties)
    items_of: dict[Slot, list[tuple[Obligation, list[tuple[Period, date]]]]] = {}
    for slug, info in sorted(publishers.items()):
        code = country_of(info)
        if (only is not None and slug != only) or code not in jurisdictions():
            continue
        key = (code, _kind(info), duties_of(info))
        if key not in items_of:
            calendar = Calendar.of(code)
            items_of[key] = [
                (
                    item,
                    [(p, due_date(item, p, calendar)) for p in periods(item, window_first, today)],
                )
                for item in obligations(code, key[1], key[2])
            ]
        for item, item_periods in items_of[key]:
            if (slug, item.id) in recorded:
                cells += [
                    _cell(slug, item, p, due, today, found, records) for p, due in item_periods
                ]
            else:  # the common case, kept fast: only a dataset can meet the item
                cells += _dataset_cells(slug, item, item_periods, today, found)
    return Compliance(publishers, cells, today, keys)


def _months_between(first: date, today: date) -> int:
    return (today.year - first.year) * 12 + today.month - first.month + 1


def _index(declarations: Iterable[Declaration]) -> dict[tuple[str, str, str], list[Declaration]]:
    found: dict[tuple[str, str, str], list[Declaration]] = {}
    for d in declarations:
        found.setdefault((d.publisher, d.obligation, d.period), []).append(d)
    return found


def _cell(
    slug: str,
    item: Obligation,
    period: Period,
    due: date,
    today: date,
    found: Fulfilments,
    records: dict[tuple[str, str, str], list[Declaration]],
) -> Cell:
    own = records.get((slug, item.id, period.key), [])
    standing = records.get((slug, item.id, PERMANENT), []) if _permanent(item) else []
    waived = [d for d in own if d.kind == "not-applicable"]
    if waived:
        d = min(waived, key=lambda d: d.published)
        return Cell(
            slug, item.id, period.key, "not-applicable", due, d.published, None,
            "not-applicable", d.reason, d.sample,
        )  # fmt: skip
    # The earliest publication counts: a dataset, a document or a link.
    candidates: list[tuple[date, str, str | None, bool]] = [
        (d.published, d.kind, d.url, d.sample)
        for d in (*own, *standing)
        if d.kind != "not-applicable"
    ]
    dataset_key = PERMANENT if _permanent(item) else period.key
    if evidence := found.get((slug, item.id, dataset_key)):
        candidates.append((evidence.published, "dataset", evidence.url, False))
    if not candidates:
        return Cell(slug, item.id, period.key, state_by(due, today, None), due)
    published, source, url, sample = min(candidates, key=lambda c: c[0])
    return Cell(
        slug, item.id, period.key, state_by(due, today, published), due,
        published, url, source, None, sample,
    )  # fmt: skip


def _dataset_cells(
    slug: str,
    item: Obligation,
    item_periods: list[tuple[Period, date]],
    today: date,
    found: Fulfilments,
) -> list[Cell]:
    """The cells of an item no officer recorded anything for: ``_cell``'s rule, with
    the dataset as the only evidence."""
    cells: list[Cell] = []
    standing = found.get((slug, item.id, PERMANENT)) if _permanent(item) else None
    for period, due in item_periods:
        evidence = standing or found.get((slug, item.id, period.key))
        if evidence is None:
            cells.append(Cell(slug, item.id, period.key, state_by(due, today, None), due))
        else:
            cells.append(
                Cell(
                    slug, item.id, period.key, state_by(due, today, evidence.published), due,
                    evidence.published, evidence.url, "dataset",
                )
            )  # fmt: skip
    return cells


def _permanent(item: Obligation) -> bool:
    return item.frequency == "permanent-on-change"


def read_declarations(path: Path) -> list[Declaration]:
    """The approved records of the declarations dataset's CSV (``declaraciones.csv``:
    institucion, obligacion, periodo, tipo, fecha_publicacion, url, sha256, motivo,
    datos_de_ejemplo). The build validated the file; a row that still does not read
    (an unknown kind, a bad date) is skipped rather than trusted."""
    found: list[Declaration] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kind = DECLARATION_KINDS.get(row.get("tipo") or "")
            try:
                published = date.fromisoformat(row.get("fecha_publicacion") or "")
            except ValueError:
                continue
            if kind is None or not row.get("institucion") or not row.get("obligacion"):
                continue
            found.append(
                Declaration(
                    publisher=row["institucion"],
                    obligation=row["obligacion"],
                    period=row.get("periodo") or "",
                    kind=kind,
                    published=published,
                    url=row.get("url") or None,
                    reason=row.get("motivo") or None,
                    sha256=row.get("sha256") or None,
                    sample=(row.get("datos_de_ejemplo") or "").lower() in ("true", "1"),
                )
            )
    return found
