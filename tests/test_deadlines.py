"""The deadline engine against worked cases: weekends, office hours, time zones,
year-end, Holy Week, the three jurisdictions and local closure days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from catalog.transparency.deadlines import Calendar, profile

GT = ZoneInfo("America/Guatemala")
CL = ZoneInfo("America/Santiago")
PY = ZoneInfo("America/Asuncion")

# (jurisdiction, received (local time), start date, due date, why)
CASES = [
    ("GT", datetime(2025, 3, 3, 10, 0, tzinfo=GT), "2025-03-03", "2025-03-17", "plain Monday"),
    ("GT", datetime(2025, 3, 7, 17, 0, tzinfo=GT), "2025-03-10", "2025-03-24", "after hours"),
    ("GT", datetime(2025, 3, 7, 15, 59, tzinfo=GT), "2025-03-07", "2025-03-21", "just in time"),
    ("GT", datetime(2025, 3, 8, 9, 0, tzinfo=GT), "2025-03-10", "2025-03-24", "Saturday"),
    ("GT", datetime(2025, 4, 14, 9, 0, tzinfo=GT), "2025-04-14", "2025-05-02", "Holy Week, May 1"),
    ("GT", datetime(2025, 4, 16, 9, 0, tzinfo=GT), "2025-04-21", "2025-05-06", "Holy Wednesday"),
    ("GT", datetime(2025, 12, 22, 10, 0, tzinfo=GT), "2025-12-22", "2026-01-07", "year-end"),
    ("GT", datetime(2025, 12, 31, 15, 59, tzinfo=GT), "2025-12-31", "2026-01-15", "Dec 31"),
    ("GT", datetime(2026, 1, 1, 9, 0, tzinfo=GT), "2026-01-02", "2026-01-16", "New Year"),
    ("CL", datetime(2025, 9, 15, 10, 0, tzinfo=CL), "2025-09-15", "2025-10-15", "Fiestas Patrias"),
    ("CL", datetime(2025, 9, 15, 14, 30, tzinfo=CL), "2025-09-16", "2025-10-16", "CL closes 14:00"),
    ("CL", datetime(2025, 4, 17, 9, 0, tzinfo=CL), "2025-04-17", "2025-05-19", "CL Holy Week"),
    ("PY", datetime(2025, 5, 12, 8, 0, tzinfo=PY), "2025-05-12", "2025-06-04", "Independence"),
    ("PY", datetime(2025, 4, 16, 8, 0, tzinfo=PY), "2025-04-16", "2025-05-12", "PY Holy Week"),
]


@pytest.mark.parametrize(("code", "received", "start", "due", "why"), CASES)
def test_worked_cases(code, received, start, due, why):
    calendar = Calendar.of(code)
    assert calendar.due_date(received) == (date.fromisoformat(start), date.fromisoformat(due)), why


def test_a_utc_moment_is_judged_in_the_local_time_zone():
    calendar = Calendar.of("GT")  # UTC-6, closes at 16:00
    assert calendar.start_date(datetime(2025, 3, 3, 21, 30, tzinfo=UTC)) == date(2025, 3, 3)
    assert calendar.start_date(datetime(2025, 3, 3, 22, 30, tzinfo=UTC)) == date(2025, 3, 4)
    # Naive moments (as SQLite returns them) are UTC.
    assert calendar.start_date(datetime(2025, 3, 3, 22, 30)) == date(2025, 3, 4)


def test_holy_week_and_holidays_per_country():
    gt, cl, py = Calendar.of("GT"), Calendar.of("CL"), Calendar.of("PY")
    holy_wednesday, holy_thursday, good_friday = (
        date(2025, 4, 16),
        date(2025, 4, 17),
        date(2025, 4, 18),
    )
    assert not gt.is_business_day(holy_wednesday)  # the closure rule of the GT profile
    assert not gt.is_business_day(holy_thursday) and not gt.is_business_day(good_friday)
    assert cl.is_business_day(holy_wednesday) and cl.is_business_day(holy_thursday)
    assert not cl.is_business_day(good_friday)
    assert py.is_business_day(holy_wednesday) and not py.is_business_day(holy_thursday)
    assert gt.is_business_day(date(2025, 12, 24))  # half day: offices open in the morning
    assert not gt.is_business_day(date(2025, 9, 15))  # Independence Day


def test_local_closure_days_move_the_deadline():
    received = datetime(2025, 3, 3, 10, 0, tzinfo=GT)
    plain = Calendar.of("GT").due_date(received)[1]
    closed = Calendar.of("GT", closures=[date(2025, 3, 5), date(2025, 3, 17)]).due_date(received)[1]
    assert plain == date(2025, 3, 17)
    assert closed == date(2025, 3, 19)


def test_extension_and_deadlines_per_profile():
    assert (profile("GT").days, profile("GT").extension_days, profile("GT").extension_times) == (
        10,
        10,
        1,
    )
    assert (profile("CL").days, profile("CL").extension_days) == (20, 10)
    assert (profile("PY").days, profile("PY").extension_days, profile("PY").extension_times) == (
        15,
        0,
        0,
    )
    gt = Calendar.of("GT")
    # An extension of 10 from a due date of Monday 2025-03-17.
    assert gt.add_business_days(date(2025, 3, 17), 10) == date(2025, 3, 31)


def test_days_left_and_counting_between_days():
    gt = Calendar.of("GT")
    due = date(2025, 3, 17)
    assert gt.days_left(due, datetime(2025, 3, 17, 15, 0, tzinfo=GT)) == 0
    assert gt.days_left(due, datetime(2025, 3, 14, 9, 0, tzinfo=GT)) == 1  # Friday before
    assert gt.days_left(due, datetime(2025, 3, 19, 9, 0, tzinfo=GT)) == -2
    assert gt.business_days_between(date(2025, 4, 14), date(2025, 4, 22)) == 3
    start = date(2025, 1, 2)
    for days in (0, 1, 7, 25):
        assert gt.business_days_between(start, gt.add_business_days(start, days)) == days


def test_every_due_date_is_a_business_day():
    for code in ("GT", "CL", "PY"):
        calendar = Calendar.of(code)
        moment = datetime(2025, 1, 1, 12, tzinfo=UTC)
        for _ in range(0, 730, 3):
            moment += timedelta(days=3, hours=5)
            start, due = calendar.due_date(moment)
            assert calendar.is_business_day(start) and calendar.is_business_day(due)
            assert calendar.business_days_between(start, due) == calendar.profile.days
