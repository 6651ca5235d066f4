"""Fulfilment computed from the catalogue: the datasets that meet a body's duties.

A published dataset that cites an obligation (``obligations`` in its
``datapackage.json``) is the evidence of the periods it covers:

- a periodic item (monthly, quarterly, annual): each period whose last day its
  ``temporal`` coverage holds (``temporal.start <= period end <= temporal.end``);
  without a coverage it proves no period;
- a permanent item: every period, from the day it was published on.

The publication date is the day the build published the dataset's current version
(``published_at`` in the release index, else the release's generation), in the
jurisdiction's time zone. When several datasets prove one period, the earliest
publication counts; ``compliance.compute`` turns the evidence into states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from catalog import urls
from catalog.jurisdictions import DEFAULT_JURISDICTION
from catalog.release.index import DatasetEntry
from catalog.transparency.deadlines import Calendar
from catalog.transparency.obligations import (
    Obligation,
    Period,
    find,
    frequency_periods,
)

PERMANENT = "*"  # the period key of a permanent item's evidence: it holds for every period


@dataclass(frozen=True)
class Evidence:
    """A publication that meets one (body, item, period)."""

    dataset: str  # publisher/name
    url: str  # the dataset's page
    published: date


Fulfilments = dict[tuple[str, str, str], Evidence]  # (publisher, obligation, period) -> evidence


def country_of(publisher: dict[str, Any] | None) -> str:
    """The jurisdiction a publisher answers to (its ``jurisdiction.country``; GT by default)."""
    place = (publisher or {}).get("jurisdiction") or {}
    country = place.get("country") if isinstance(place, dict) else None
    return str(country).upper() if isinstance(country, str) and country else DEFAULT_JURISDICTION


def _day(value: str | None, calendar: Calendar) -> date | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return calendar.today(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        return None


def _covered(item: Obligation, d: DatasetEntry, published: date) -> list[str]:
    if item.frequency == "permanent-on-change":
        return [PERMANENT]
    first = _date(d.get("temporal_start"))
    last = _date(d.get("temporal_end"))
    if first is None or last is None or last < first:
        return []
    return list(_period_keys(item.frequency, first, last, published.year))


@lru_cache(maxsize=4096)  # many datasets share a coverage
def _period_keys(frequency: str, first: date, last: date, year: int) -> tuple[str, ...]:
    """The keys of the periods whose last day a coverage holds. Periods more than a year
    after the publication are not asked about yet (a future period is refused), nor more
    than eleven years before it (the API's reach): a coverage from year 1 to 9999 must
    not be walked month by month."""
    walked_first = max(first, date(max(year - 11, 1), 1, 1))
    walked_last = min(last, date(min(year + 1, 9998), 12, 31))
    return tuple(
        p.key
        for p in frequency_periods(frequency, walked_first, walked_last)
        if first <= p.end <= last
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def fulfilments(datasets: list[DatasetEntry], generated: str | None = None) -> Fulfilments:
    """Every (publisher, obligation, period) a release's datasets prove, with the evidence."""
    found: Fulfilments = {}
    calendars: dict[str, Calendar] = {}
    for d in datasets:
        for identifier in d.get("obligations") or []:
            item = find(identifier) if isinstance(identifier, str) else None
            if item is None:
                continue
            cal = calendars.setdefault(item.jurisdiction, Calendar.of(item.jurisdiction))
            published = _day(d.get("published_at"), cal) or _day(generated, cal)
            if published is None:
                continue
            evidence = Evidence(
                dataset=d["id"],
                url=urls.absolute(urls.dataset(d["publisher"], d["name"])),
                published=published,
            )
            for key in _covered(item, d, published):
                slot = (d["publisher"], item.id, key)
                if slot not in found or published < found[slot].published:
                    found[slot] = evidence
    return found


def evidence_for(
    found: Fulfilments, publisher: str, item: Obligation, period: Period
) -> Evidence | None:
    """The evidence of one period: its own, or a permanent item's standing publication."""
    if item.frequency == "permanent-on-change":
        return found.get((publisher, item.id, PERMANENT))
    return found.get((publisher, item.id, period.key))
