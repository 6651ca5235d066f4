"""Legal deadlines in business days, from a jurisdiction profile (data, not code).

Conventions (docs/officers.md explains them to officers):

- a request received on a non-business day, or after the office closes, counts as
  received on the next business day (its *start date*);
- the term runs from the day after the start date: with 10 days, the due date is
  the 10th business day after it;
- business days are the profile's weekdays minus the ``holidays`` package's
  holidays of the country, the profile's closure rules (e.g. Holy Wednesday in
  Guatemala), its fixed closures and the closure days an administrator adds in
  the workspace database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays as holiday_package
from dateutil.easter import easter

from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.jurisdictions import jurisdiction

# Closure rules a profile may name: each gives the closed day of a year.
CLOSURE_RULES = {
    "holy-wednesday": lambda year: easter(year) - timedelta(days=4),
}


@dataclass(frozen=True)
class Profile:
    """What the deadline engine needs from a jurisdiction profile."""

    code: str
    days: int
    extension_days: int
    extension_times: int
    clarification_days: int
    abandon: bool
    appeal_file_days: int
    appeal_resolve_days: int
    # The requester's e-mail is confirmed before the request is received (docs/security.md).
    email_confirmation: bool
    confirmation_days: int
    weekdays: frozenset[int]
    country: str
    closure_rules: tuple[str, ...]
    closures: frozenset[date]
    opens: time
    closes: time
    timezone: ZoneInfo


def _clock(text: str) -> time:
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


@cache
def profile(code: str = "GT") -> Profile:
    """The deadline profile of a jurisdiction (``GT``, ``CL``, ``PY``)."""
    data = jurisdiction(code)
    rules = data["requests"]
    extension = rules.get("extension") or {}
    clarification = rules.get("clarification") or {}
    appeal = rules.get("appeal") or {}
    business = data["business_days"]
    unknown = [r for r in business.get("closure_rules") or [] if r not in CLOSURE_RULES]
    if unknown:
        raise CatalogError(
            _("Unknown closure rule in the {code} profile: {rule}."),
            _("Known rules: {known}."),
            code=code,
            rule=", ".join(unknown),
            known=", ".join(CLOSURE_RULES),
        )
    return Profile(
        code=data["code"],
        days=int(rules["deadline"]["days"]),
        extension_days=int(extension.get("days") or 0),
        extension_times=int(extension.get("times") or 0),
        clarification_days=int(clarification.get("days") or 10),
        abandon=bool(clarification.get("abandon", True)),
        appeal_file_days=int(appeal.get("file_within_days") or 15),
        appeal_resolve_days=int(appeal.get("resolve_within_days") or 5),
        email_confirmation=bool(rules.get("email_confirmation", False)),
        confirmation_days=int(rules.get("confirmation_days") or 7),
        weekdays=frozenset(int(d) for d in business.get("weekdays") or [1, 2, 3, 4, 5]),
        country=(business.get("holidays") or {}).get("country") or data["code"],
        closure_rules=tuple(business.get("closure_rules") or ()),
        closures=frozenset(date.fromisoformat(str(d)) for d in business.get("closures") or ()),
        opens=_clock(data["office_hours"]["opens"]),
        closes=_clock(data["office_hours"]["closes"]),
        timezone=ZoneInfo(data["timezone"]),
    )


@cache
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holiday_package.country_holidays(country, years=year))


@dataclass
class Calendar:
    """Business days of one jurisdiction, with the local closure days from the database."""

    profile: Profile
    closures: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, code: str, closures: Iterable[date] = ()) -> Calendar:
        return cls(profile(code), frozenset(closures))

    def closed_days(self, year: int) -> frozenset[date]:
        """Every non-weekend day the offices are closed in ``year``."""
        rules = {CLOSURE_RULES[name](year) for name in self.profile.closure_rules}
        return _public_holidays(self.profile.country, year) | rules

    def is_business_day(self, day: date) -> bool:
        if day.isoweekday() not in self.profile.weekdays:
            return False
        if day in self.profile.closures or day in self.closures:
            return False
        return day not in self.closed_days(day.year)

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def local(self, moment: datetime) -> datetime:
        """A moment in the jurisdiction's time zone (naive moments are taken as UTC)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.profile.timezone)

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def start_date(self, received: datetime) -> date:
        """The business day a request counts as received on."""
        moment = self.local(received)
        day = moment.date()
        if not self.is_business_day(day) or moment.time() >= self.profile.closes:
            return self.next_business_day(day)
        return day

    def add_business_days(self, start: date, days: int) -> date:
        """The ``days``-th business day after ``start`` (``start`` itself when 0)."""
        day = start
        for _step in range(days):
            day = self.next_business_day(day)
        return day

    def business_days_between(self, first: date, last: date) -> int:
        """Business days after ``first`` up to and including ``last`` (negative if before)."""
        if last < first:
            return -self.business_days_between(last, first)
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            count += self.is_business_day(day)
        return count

    def due_date(self, received: datetime) -> tuple[date, date]:
        """(start date, due date) of a request received at ``received``."""
        start = self.start_date(received)
        return start, self.add_business_days(start, self.profile.days)

    def days_left(self, due: date, now: datetime) -> int:
        """Business days from today to the due date: 0 on the due day, negative when late."""
        return self.business_days_between(self.today(now), due)
