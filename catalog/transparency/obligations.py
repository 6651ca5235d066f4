"""Active-transparency obligations as rules: who must publish what, for which period, by when.

Pure functions over the jurisdiction profiles (``active_transparency.obligations``
in ``catalog/jurisdictions/*.yaml``) and the business-day calendar of
``deadlines.py``; no database, no release. The conventions (docs/api.md):

- a *period* is ``YYYY-MM`` (monthly items, and permanent items, which are checked
  month by month), ``YYYY-Qn`` (quarterly) or ``YYYY`` (annual);
- the *due date* of a period counts the item's ``due`` rule from the period's last
  day: ``{days: 10, count: business}`` is the 10th business day after it (Chile),
  ``{days: 15, count: calendar}`` the 15th calendar day after it (Paraguay). For a
  permanent item (``after: change``) the month's last day is the latest a change in
  that month may happen, so the same count gives the latest its publication may come;
- the *state* of a period: ``on-time`` (published by the due date), ``late``
  (published after it), ``due`` (not published, the due date not passed),
  ``overdue`` (not published, the due date passed), ``not-applicable`` (declared).
  A period that has not started yet has no state: asking for one is refused.
"""

from __future__ import annotations

import calendar as months
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.jurisdictions import jurisdiction, jurisdictions
from catalog.transparency.deadlines import Calendar
from catalog.vocabularies import codes

FREQUENCIES = ("permanent-on-change", "monthly", "quarterly", "annual")
COUNTS = ("business", "calendar")
AFTER = ("period-end", "change")
STATES = ("on-time", "late", "due", "overdue", "not-applicable")
State = Literal["on-time", "late", "due", "overdue", "not-applicable"]
ALL = "all"
FULFILLED_BY = ("dataset", "document")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_TEMPLATE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Due:
    """When a period's publication is due: ``days`` (business or calendar) after ``after``."""

    days: int
    count: str
    after: str


@dataclass(frozen=True)
class Obligation:
    """One item a body must publish ex officio, as its profile states it."""

    id: str
    jurisdiction: str
    title: dict[str, str]
    frequency: str
    applies_to: tuple[str, ...]
    due: Due
    reference: str
    lawyer_check: str | None
    # How the item is met: ``dataset`` (structured data, a catalogue dataset citing it,
    # conforming to ``template`` when it has one) or ``document`` (a file or a link the
    # officer records in the workspace).
    fulfilled_by: str = "dataset"
    template: str | None = None  # the Table Schema template's name, if the item has one

    def applies(self, kind: str | None, duties: Iterable[str] = ()) -> bool:
        """Whether the item binds a body of this kind, or one that declares one of these
        duties (``applies_to`` names kinds of body and duty traits: either one matches)."""
        wanted = self.applies_to
        if ALL in wanted or (kind is not None and kind in wanted):
            return True
        return any(duty in wanted for duty in duties)

    def applies_to_publisher(self, publisher: Mapping[str, Any] | None) -> bool:
        """Whether the item binds a publisher (its YAML: ``kind`` and ``duties``)."""
        return self.applies(kind_of(publisher), duties_of(publisher))

    def label(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("es") or self.id


def kind_of(publisher: Mapping[str, Any] | None) -> str | None:
    """A publisher's kind of body (``ministry``...), None when it has none."""
    kind = (publisher or {}).get("kind")
    return kind if isinstance(kind, str) else None


def duties_of(publisher: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The duty traits a publisher declares (``duties: [subsidy-programmes, ...]`` in its
    YAML, codes of catalog/vocabularies/publisher_duties.yaml); () when none."""
    duties = (publisher or {}).get("duties")
    if not isinstance(duties, list):
        return ()
    return tuple(sorted({d for d in duties if isinstance(d, str)}))


@dataclass(frozen=True)
class Period:
    """A reporting period: its key (``2024-05``, ``2024-Q2``, ``2024``) and its days."""

    key: str
    start: date
    end: date


def _profile_error(code: str, identifier: str, what: str, value: Any, allowed: str) -> CatalogError:
    return CatalogError(
        _("Obligation {item} of the {code} profile has an invalid {what}: {value}."),
        _("Use one of: {allowed} (catalog/jurisdictions/{file})."),
        item=identifier,
        code=code,
        what=what,
        value=str(value),
        allowed=allowed,
        file=f"{code.lower()}.yaml",
    )


def _parse(code: str, item: dict[str, Any]) -> Obligation:
    identifier = str(item["id"])
    frequency = item.get("frequency")
    if frequency not in FREQUENCIES:
        raise _profile_error(code, identifier, "frequency", frequency, ", ".join(FREQUENCIES))
    kinds = tuple(str(k) for k in item.get("applies_to") or ())
    allowed_kinds = {ALL, *codes("publisher_kinds"), *codes("publisher_duties")}
    if not kinds or not set(kinds) <= allowed_kinds:
        raise _profile_error(
            code, identifier, "applies_to", kinds, ", ".join(sorted(allowed_kinds))
        )
    rule = item.get("due") or {}
    days = rule.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 366:
        raise _profile_error(code, identifier, "due.days", days, "0-366")
    if rule.get("count") not in COUNTS:
        raise _profile_error(code, identifier, "due.count", rule.get("count"), ", ".join(COUNTS))
    if rule.get("after") not in AFTER:
        raise _profile_error(code, identifier, "due.after", rule.get("after"), ", ".join(AFTER))
    fulfilled_by = item.get("fulfilled_by") or "dataset"
    if fulfilled_by not in FULFILLED_BY:
        raise _profile_error(
            code, identifier, "fulfilled_by", fulfilled_by, ", ".join(FULFILLED_BY)
        )
    template = item.get("template")
    if template is not None and (fulfilled_by != "dataset" or not _TEMPLATE.match(str(template))):
        raise _profile_error(
            code, identifier, "template", template, "the name of a file in templates/"
        )
    return Obligation(
        id=identifier,
        jurisdiction=code,
        title=dict(item.get("title") or {}),
        frequency=str(frequency),
        applies_to=kinds,
        due=Due(days, str(rule["count"]), str(rule["after"])),
        reference=str(item.get("reference") or ""),
        lawyer_check=item.get("lawyer_check"),
        fulfilled_by=str(fulfilled_by),
        template=str(template) if template else None,
    )


@cache
def _all(code: str) -> tuple[Obligation, ...]:
    items = jurisdiction(code)["active_transparency"]["obligations"]
    return tuple(_parse(code, item) for item in items)


def obligations(
    code: str, kind: str | None = None, duties: Iterable[str] | None = None
) -> list[Obligation]:
    """The obligations of a jurisdiction (``GT``, ``CL``, ``PY``); only those that apply
    to a kind of body (``ministry``, ``municipality``...) with these duty traits
    (``subsidy-programmes``...) when ``kind`` or ``duties`` is given. An item limited to
    a duty applies only to bodies that declare it: pass a publisher's ``duties_of``."""
    code = str(code).upper()
    if code not in jurisdictions():
        raise CatalogError(
            _("No jurisdiction profile for {code}."),
            _("Profiles are the YAML files in catalog/jurisdictions/: {allowed}."),
            code=code[:10],
            allowed=", ".join(jurisdictions()),
        )
    found = _all(code)
    if kind is None and duties is None:
        return list(found)
    traits = tuple(duties or ())
    return [o for o in found if o.applies(kind, traits)]


@cache
def _by_id() -> dict[str, Obligation]:
    return {item.id: item for code in jurisdictions() for item in _all(code)}


def find(identifier: str) -> Obligation | None:
    """An obligation by id (``CL-20285-7.d``), in whichever profile holds it."""
    return _by_id().get(identifier)


# ------------------------------------------------------------------ periods


def _month_end(year: int, month: int) -> date:
    return date(year, month, months.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    """``2024-05``, ``2024-Q2`` or ``2024`` as a Period; CatalogError if it is none of them."""
    value = str(text).strip()
    try:
        found = _period(value)
    except ValueError:  # year 0
        found = None
    if found is None:
        raise CatalogError(
            _("{period} is not a period."),
            _(
                "Write a month as YYYY-MM (2024-05), a quarter as YYYY-Qn (2024-Q2) or a year as YYYY."
            ),
            period=value[:20],
        )
    return found


def _period(value: str) -> Period | None:
    if match := _MONTH.match(value):
        year, month = int(match.group(1)), int(match.group(2))
        return Period(value, date(year, month, 1), _month_end(year, month))
    if match := _QUARTER.match(value):
        year, quarter = int(match.group(1)), int(match.group(2))
        first = 3 * quarter - 2
        return Period(value, date(year, first, 1), _month_end(year, first + 2))
    if match := _YEAR.match(value):
        year = int(match.group(1))
        return Period(value, date(year, 1, 1), date(year, 12, 31))
    return None


def period_of(obligation: Obligation, day: date) -> Period:
    """The item's period that holds a day: its month, quarter or year."""
    return frequency_period(obligation.frequency, day.year, day.month)


@cache  # a window asks for the same few hundred periods again and again
def frequency_period(frequency: str, year: int, month: int) -> Period:
    """The period of a frequency that holds a month: the month, its quarter or its year."""
    if frequency == "annual":
        return Period(f"{year:04d}", date(year, 1, 1), date(year, 12, 31))
    if frequency == "quarterly":
        quarter = (month - 1) // 3 + 1
        first = 3 * quarter - 2
        return Period(f"{year:04d}-Q{quarter}", date(year, first, 1), _month_end(year, first + 2))
    return Period(f"{year:04d}-{month:02d}", date(year, month, 1), _month_end(year, month))


def periods(obligation: Obligation, first: date, last: date) -> list[Period]:
    """The item's periods that hold a day between ``first`` and ``last`` (both included)."""
    return frequency_periods(obligation.frequency, first, last)


def frequency_periods(frequency: str, first: date, last: date) -> list[Period]:
    """The periods of a frequency that hold a day between ``first`` and ``last``."""
    found: list[Period] = []
    if last < first:
        return found
    period = frequency_period(frequency, first.year, first.month)
    while period.start <= last:
        found.append(period)
        after = period.end + timedelta(days=1)
        period = frequency_period(frequency, after.year, after.month)
    return found


# ------------------------------------------------------------------ due dates and states


def due_date(obligation: Obligation, period: Period, calendar: Calendar | None = None) -> date:
    """The last day a period's publication is on time, by the item's rule and the
    profile's business days (``calendar``: with the workspace's closure days, if any)."""
    rule = obligation.due
    if rule.count == "calendar":
        return period.end + timedelta(days=rule.days)
    calendar = calendar or Calendar.of(obligation.jurisdiction)
    return calendar.add_business_days(period.end, rule.days)


def check_started(period: Period, today: date) -> None:
    """Refuse a period that has not started: it has no duty yet."""
    if period.start > today:
        raise CatalogError(
            _("The period {period} has not started yet."),
            _("Ask for a period that began on or before {today}."),
            period=period.key,
            today=today.isoformat(),
        )


def state(
    obligation: Obligation,
    period: Period,
    today: date,
    published: date | None = None,
    *,
    not_applicable: bool = False,
    calendar: Calendar | None = None,
) -> State:
    """The state of one (body, item, period), from its publication date if any."""
    check_started(period, today)
    if not_applicable:
        return "not-applicable"
    return state_by(due_date(obligation, period, calendar), today, published)


def state_by(due: date, today: date, published: date | None) -> State:
    """The state of a period with a known due date: the one rule, for one cell or many."""
    if published is not None:
        return "on-time" if published <= due else "late"
    return "due" if today <= due else "overdue"


# Weights of the score: on time counts whole, late half, overdue nothing; a period
# still open (`due`) or declared not applicable does not count.
WEIGHTS: dict[str, float] = {"on-time": 1.0, "late": 0.5, "overdue": 0.0}


def score(states: list[str]) -> float | None:
    """Compliance in percent over the states that count; None when none counts."""
    counted = [WEIGHTS[s] for s in states if s in WEIGHTS]
    if not counted:
        return None
    return round(100 * sum(counted) / len(counted), 1)
