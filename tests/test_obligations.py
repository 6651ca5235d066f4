"""Active-transparency obligations: the profiles as data, periods, due dates and states,
with worked cases for Guatemala (Decreto 57-2008), Chile (Ley 20.285) and Paraguay
(Ley 5282/2014, Ley 5189/2014)."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.errors import CatalogError
from catalog.jurisdictions import jurisdiction
from catalog.transparency.deadlines import Calendar
from catalog.transparency.obligations import (
    FREQUENCIES,
    STATES,
    due_date,
    duties_of,
    find,
    kind_of,
    obligations,
    parse_period,
    period_of,
    periods,
    score,
    state,
)

CL_PAY = "CL-20285-7.d"  # monthly, 10 business days after the month's end
GT_PAY = "GT-LAIP-10.4"  # monthly, 30 calendar days after the month's end
GT_STRUCTURE = "GT-LAIP-10.1"  # permanent, updated within 30 days of a change
GT_PLAN = "GT-LAIP-10.5"  # annual
PY_PAY = "PY-5189-1"  # Ley 5189: monthly pay, 15 calendar days after the month's end


def item(identifier: str):
    found = find(identifier)
    assert found is not None, identifier
    return found


# ------------------------------------------------------------------ the profiles as data


@pytest.mark.parametrize(("code", "count"), [("GT", 29), ("CL", 13), ("PY", 16)])
def test_every_obligation_has_its_rule(code: str, count: int):
    items = obligations(code)
    assert len(items) == count
    for o in items:
        assert o.frequency in FREQUENCIES
        assert o.applies_to and o.due.count in ("business", "calendar")
        assert o.reference and o.title["es"] and o.title["en"]
    raw = jurisdiction(code)["active_transparency"]["obligations"]
    assert all(isinstance(r.get("lawyer_check"), str) and r["lawyer_check"] for r in raw)


def test_the_three_laws_read_as_the_issue_states():
    cl = item(CL_PAY)
    assert (cl.frequency, cl.due.days, cl.due.count, cl.due.after) == (
        "monthly",
        10,
        "business",
        "period-end",
    )
    gt = item(GT_STRUCTURE)
    assert (gt.frequency, gt.due.days, gt.due.count, gt.due.after) == (
        "permanent-on-change",
        30,
        "calendar",
        "change",
    )
    py = item(PY_PAY)
    assert (py.frequency, py.due.days, py.due.count, py.jurisdiction) == (
        "monthly",
        15,
        "calendar",
        "PY",
    )
    assert "5189" in py.reference


def test_obligations_by_kind_of_body_and_unknown_jurisdiction():
    # Five GT items bind only bodies that declare a duty (subsidy programmes, goods for
    # beneficiaries, trusts, international or private bodies with public funds).
    assert len(obligations("gt", "municipality")) == 24
    assert len(obligations("gt")) == 29  # without a kind: every item
    assert [o.id for o in obligations("PY", "ministry")][-1] == PY_PAY
    with pytest.raises(CatalogError) as caught:
        obligations("MX")
    assert "MX" in caught.value.message("en") and "GT" in caught.value.message("en")
    assert find("GT-LAIP-10.99") is None


def test_duty_traits_make_the_items_limited_to_them_apply():
    subsidies, trusts = item("GT-LAIP-10.15"), item("GT-LAIP-10.21")
    assert subsidies.applies_to == ("subsidy-programmes",)
    assert not subsidies.applies("ministry")  # the old call: a kind alone
    assert subsidies.applies("ministry", ["subsidy-programmes"])
    assert not trusts.applies("ministry", ["subsidy-programmes"])
    assert item(GT_PAY).applies(None) and item(GT_PAY).applies("municipality", ["trusts"])
    mides = {"kind": "ministry", "duties": ["subsidy-programmes", 7]}  # junk is ignored
    assert duties_of(mides) == ("subsidy-programmes",) and kind_of(mides) == "ministry"
    assert subsidies.applies_to_publisher(mides) and not trusts.applies_to_publisher(mides)
    assert duties_of({"duties": "trusts"}) == () and kind_of(None) is None
    ids = {o.id for o in obligations("GT", "ministry", duties_of(mides))}
    assert "GT-LAIP-10.15" in ids and "GT-LAIP-10.21" not in ids and len(ids) == 25
    chile = {o.id for o in obligations("CL", "municipality", ["subsidy-programmes"])}
    assert "CL-20285-7.i" in chile and len(chile) == 13
    assert "CL-20285-7.i" not in {o.id for o in obligations("CL", "municipality")}


def test_every_item_says_how_it_is_fulfilled():
    for code in ("GT", "CL", "PY"):
        for o in obligations(code):
            assert o.fulfilled_by in ("dataset", "document"), o.id
            assert o.template is None or o.fulfilled_by == "dataset", o.id
    assert item("GT-LAIP-10.1").fulfilled_by == "document"  # the organigram
    assert (item(GT_PAY).fulfilled_by, item(GT_PAY).template) == ("dataset", "personal")


def test_a_profile_with_a_bad_fulfilment_or_duty_is_refused():
    from catalog.transparency.obligations import _parse

    base = {
        "id": "GT-X-1",
        "applies_to": ["all"],
        "frequency": "monthly",
        "due": {"days": 10, "count": "business", "after": "period-end"},
    }
    for bad in (
        {"fulfilled_by": "carrier-pigeon"},
        {"fulfilled_by": "document", "template": "personal"},
        {"template": "../etc/passwd"},
        {"applies_to": ["runs-casinos"]},
    ):
        with pytest.raises(CatalogError):
            _parse("GT", {**base, **bad})
    assert _parse("GT", {**base, "applies_to": ["trusts"]}).applies_to == ("trusts",)


# ------------------------------------------------------------------ periods


def test_periods_parse_with_their_days():
    feb = parse_period("2024-02")  # leap year
    assert (feb.start, feb.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period("2023-02").end == date(2023, 2, 28)
    assert parse_period("2024-Q4").start == date(2024, 10, 1)
    assert parse_period("2024-Q4").end == date(2024, 12, 31)
    assert parse_period("2024").end == date(2024, 12, 31)


@pytest.mark.parametrize(
    "bad", ["2024-13", "2024-5", "24-05", "2024-Q5", "mayo", "", "0000", "0000-01", "0000-Q1"]
)
def test_a_malformed_period_is_refused_with_the_fix(bad: str):
    with pytest.raises(CatalogError) as caught:
        parse_period(bad)
    assert "YYYY-MM" in caught.value.message("en")


def test_periods_between_two_dates_per_frequency():
    first, last = date(2023, 11, 15), date(2024, 2, 3)
    assert [p.key for p in periods(item(GT_PAY), first, last)] == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]
    assert [p.key for p in periods(item(GT_PLAN), first, last)] == ["2023", "2024"]
    assert [p.key for p in periods(item(GT_STRUCTURE), first, first)] == ["2023-11"]
    assert periods(item(GT_PAY), last, first) == []
    assert period_of(item(GT_PLAN), date(2024, 5, 31)).key == "2024"


# ------------------------------------------------------------------ due dates


def test_chile_first_ten_business_days_of_the_following_month():
    # May 2024 ends on Friday the 31st; June: 3-7 and 10-14 are ten business days.
    assert due_date(item(CL_PAY), parse_period("2024-05")) == date(2024, 6, 14)
    # December 2024: Jan 1 is a holiday, so January 2-3, 6-10, 13-15 are the ten.
    assert due_date(item(CL_PAY), parse_period("2024-12")) == date(2025, 1, 15)
    # April 2024 ends Tuesday the 30th; May 1 (Labour Day) is a holiday: May 2-3, 6-10,
    # 13-15.
    assert due_date(item(CL_PAY), parse_period("2024-04")) == date(2024, 5, 15)
    # August 2024: Sep 18-20 are holidays (Fiestas Patrias; the 20th added in 2024):
    # Sep 2-6, 9-13 are ten business days before them, so they do not move the date.
    assert due_date(item(CL_PAY), parse_period("2024-08")) == date(2024, 9, 13)
    # September 2024: Oct 1-4, 7-11, then Monday the 14th (Saturday the 12th, the
    # Encuentro de Dos Mundos holiday, falls on a weekend and takes no business day).
    cal = Calendar.of("CL")
    assert cal.business_days_between(date(2024, 9, 30), date(2024, 10, 14)) == 10
    assert due_date(item(CL_PAY), parse_period("2024-09")) == date(2024, 10, 14)


def test_chile_holy_week_and_leap_february():
    # March 2021 ends Wednesday the 31st; Good Friday is April 2: April 1, 5-9, 12-15.
    assert due_date(item(CL_PAY), parse_period("2021-03")) == date(2021, 4, 15)
    # March 2026 ends Tuesday the 31st; Good Friday is April 3: April 1-2, 6-10, 13-15.
    assert due_date(item(CL_PAY), parse_period("2026-03")) == date(2026, 4, 15)
    # February 2024 (leap year, ends Thursday the 29th). March 2024: 1, 4-8, 11-14 are
    # ten business days; Holy Week (Good Friday March 29) comes later.
    assert due_date(item(CL_PAY), parse_period("2024-02")) == date(2024, 3, 14)
    # March 2025 ends on Monday the 31st: April 1-4, 7-11, then the 14th (10th day);
    # Good Friday 2025 is April 18, after it. March 2024 ends Sunday the 31st, and
    # Good Friday was March 29: April 1-5, 8-12 are ten business days.
    assert due_date(item(CL_PAY), parse_period("2025-03")) == date(2025, 4, 14)
    assert due_date(item(CL_PAY), parse_period("2024-03")) == date(2024, 4, 12)


def test_guatemala_thirty_calendar_days_from_month_end():
    # January 31 + 30 calendar days: March 1 in a leap year, March 2 otherwise.
    assert due_date(item(GT_PAY), parse_period("2024-01")) == date(2024, 3, 1)
    assert due_date(item(GT_PAY), parse_period("2023-01")) == date(2023, 3, 2)
    # February 29, 2024 + 30: March 30 (Holy Saturday; calendar days do not move).
    assert due_date(item(GT_PAY), parse_period("2024-02")) == date(2024, 3, 30)
    # The annual plan of 2024: 30 days after December 31.
    assert due_date(item(GT_PLAN), parse_period("2024")) == date(2025, 1, 30)


def test_guatemala_business_days_know_holy_week_for_a_business_rule():
    # A business-day rule on the GT calendar skips Holy Wednesday to Friday (and Holy
    # Saturday, a holiday): 2024-03-26 (Tuesday) + 1 business day is Monday April 1.
    cal = Calendar.of("GT")
    assert cal.add_business_days(date(2024, 3, 26), 1) == date(2024, 4, 1)


def test_paraguay_fifteen_calendar_days_after_month_end():
    # Ley 5189: the pay of May 2024 by June 15 (a Saturday: calendar days do not move).
    assert due_date(item(PY_PAY), parse_period("2024-05")) == date(2024, 6, 15)
    # February 2024 (29 days) and 2023 (28 days).
    assert due_date(item(PY_PAY), parse_period("2024-02")) == date(2024, 3, 15)
    assert due_date(item(PY_PAY), parse_period("2023-02")) == date(2023, 3, 15)
    # December: into the next year.
    assert due_date(item(PY_PAY), parse_period("2024-12")) == date(2025, 1, 15)


def test_a_closure_day_of_the_workspace_moves_a_business_due_date():
    cal = Calendar.of("CL", closures=[date(2024, 6, 14)])
    assert due_date(item(CL_PAY), parse_period("2024-05"), cal) == date(2024, 6, 17)


# ------------------------------------------------------------------ states


def test_published_on_the_due_date_is_on_time_and_the_day_after_late():
    may, today = parse_period("2024-05"), date(2024, 8, 1)
    pay = item(CL_PAY)
    assert state(pay, may, today, date(2024, 6, 14)) == "on-time"
    assert state(pay, may, today, date(2024, 6, 15)) == "late"
    assert state(pay, may, today, date(2024, 5, 20)) == "on-time"  # early counts
    py = item(PY_PAY)
    assert state(py, may, today, date(2024, 6, 15)) == "on-time"
    assert state(py, may, today, date(2024, 6, 16)) == "late"


def test_unpublished_is_due_until_the_due_date_then_overdue():
    may, pay = parse_period("2024-05"), item(CL_PAY)
    assert state(pay, may, date(2024, 5, 10)) == "due"  # the period is still open
    assert state(pay, may, date(2024, 6, 14)) == "due"  # the last day
    assert state(pay, may, date(2024, 6, 15)) == "overdue"
    assert state(pay, may, date(2024, 6, 15), not_applicable=True) == "not-applicable"


def test_a_future_period_is_refused_with_a_clear_error():
    with pytest.raises(CatalogError) as caught:
        state(item(CL_PAY), parse_period("2024-07"), date(2024, 6, 30))
    assert caught.value.message("en") == (
        "The period 2024-07 has not started yet. Ask for a period that began on or before"
        " 2024-06-30."
    )
    assert "no ha comenzado" in caught.value.message("es")


def test_the_states_and_the_score():
    assert STATES == ("on-time", "late", "due", "overdue", "not-applicable")
    assert score(["on-time", "late", "overdue", "due", "not-applicable"]) == 50.0
    assert score(["on-time", "on-time", "overdue"]) == 66.7
    assert score(["due", "not-applicable"]) is None
