"""Calendar arithmetic of `timescales.md` ("Calendar arithmetic (implement exactly)")."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.domain.calendar import (
    WorkingCalendar,
    add_months,
    add_weeks,
    calendar_for,
    days_later,
    months_later,
)
from models.domain.engine import COURT_LAST_DAY_OFFSET, court_end
from models.domain.rules import Standards

CAL = calendar_for()

# An independent oracle: England and Wales bank holidays straight from the `holidays` package.
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(1995, 2066))


def naive_add_working_days(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in ENGLAND:
            n -= 1
    return day


# --- Worked checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # strategy discussion Fri 20 Dec 2024 + 15 WD (skips 25, 26 Dec, 1 Jan)
        (date(2024, 12, 20), 15, date(2025, 1, 15)),
        # ICPC Mon 3 Jun 2024 + 10 WD
        (date(2024, 6, 3), 10, date(2024, 6, 17)),
        # became looked after Mon 14 Apr 2025 + 20 WD (skips 18 Apr, 21 Apr, 5 May)
        (date(2025, 4, 14), 20, date(2025, 5, 15)),
        # X not a working day: the first working day after X is day 1
        (date(2024, 1, 6), 1, date(2024, 1, 8)),  # Sat -> Mon
        (date(2024, 1, 7), 1, date(2024, 1, 8)),  # Sun -> Mon
        (date(2025, 5, 5), 1, date(2025, 5, 6)),  # bank holiday Mon -> Tue
        # a working-day X is day 0 and not counted
        (date(2025, 6, 2), 1, date(2025, 6, 3)),
        (date(2025, 6, 6), 1, date(2025, 6, 9)),  # Fri -> Mon
        (date(2025, 6, 2), 5, date(2025, 6, 9)),
    ],
)
def test_add_working_days_worked_checks(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_add_zero_working_days_is_the_start_itself() -> None:
    assert CAL.add_working_days(date(2024, 1, 6), 0) == date(2024, 1, 6)


def test_add_negative_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2025, 6, 2), -1)


def test_dates_outside_the_table_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(1980, 1, 1), 1)
    CAL.add_working_days(date(2070, 12, 30), 10)  # the deadlines of 2070 are known: table to 2075
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2075, 12, 30), 10)
    with pytest.raises(ValueError):
        CAL.working_days_between(date(2025, 1, 1), date(2080, 1, 1))


# --- Which days are working days --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2023, 5, 8), "coronation of King Charles III (one-off)"),
        (date(2022, 9, 19), "state funeral of Queen Elizabeth II (one-off)"),
        (date(2022, 6, 2), "platinum jubilee: spring bank holiday moved"),
        (date(2022, 6, 3), "platinum jubilee (one-off)"),
        (date(2020, 5, 8), "VE day: early May bank holiday moved to a Friday"),
        (date(2021, 12, 27), "substitute day for Christmas Day on a Saturday"),
        (date(2021, 12, 28), "substitute day for Boxing Day on a Sunday"),
        (date(2022, 1, 3), "substitute day for New Year's Day on a Saturday"),
        (date(2025, 4, 18), "Good Friday"),
        (date(2025, 4, 21), "Easter Monday (not a Scottish holiday, but an English one)"),
        (date(2025, 5, 5), "early May bank holiday"),
        (date(2025, 5, 26), "spring bank holiday"),
        (date(2024, 8, 26), "summer bank holiday (last Monday of August in England)"),
        (date(2024, 12, 25), "Christmas Day"),
        (date(2024, 12, 26), "Boxing Day"),
        (date(2025, 1, 1), "New Year's Day"),
    ],
)
def test_english_bank_holidays_are_not_working_days(day: date, why: str) -> None:
    assert day.weekday() < 5
    assert not CAL.is_working_day(day), why
    assert CAL.is_bank_holiday(day), why


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2024, 1, 2), "2 January is a Scottish holiday only"),
        (date(2023, 11, 30), "St Andrew's Day is a Scottish holiday only"),
        (date(2024, 8, 5), "first Monday of August is the Scottish summer holiday only"),
        (date(2025, 3, 17), "St Patrick's Day is a Northern Irish holiday only"),
        (date(2024, 7, 12), "Battle of the Boyne is a Northern Irish holiday only"),
        (date(2024, 12, 24), "Christmas Eve is an ordinary working day"),
        (date(2024, 12, 27), "27 December is not a holiday unless the authority closes"),
    ],
)
def test_other_nations_holidays_are_working_days_in_england(day: date, why: str) -> None:
    assert day.weekday() < 5
    assert CAL.is_working_day(day), why
    assert not CAL.is_bank_holiday(day), why


def test_weekends_are_not_working_days() -> None:
    assert not CAL.is_working_day(date(2025, 6, 7))  # Saturday
    assert not CAL.is_working_day(date(2025, 6, 8))  # Sunday
    assert CAL.is_working_day(date(2025, 6, 9))  # Monday


def test_counting_across_the_coronation() -> None:
    # Fri 5 May 2023 + 1 WD: Mon 8 May 2023 was the coronation bank holiday.
    assert CAL.add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)


def test_counting_across_2_january_in_england() -> None:
    # Fri 29 Dec 2023 + 1 WD: Mon 1 Jan is a holiday; Tue 2 Jan is not (England).
    assert CAL.add_working_days(date(2023, 12, 29), 1) == date(2024, 1, 2)
    assert CAL.add_working_days(date(2023, 12, 29), 2) == date(2024, 1, 3)


# --- Authority closure days -------------------------------------------------------------------

XMAS_CLOSURE = tuple(date(2024, 12, d) for d in range(27, 32))  # Fri 27 - Tue 31 Dec 2024


def test_closure_days_are_not_working_days() -> None:
    cal = WorkingCalendar(closures=XMAS_CLOSURE)
    assert not cal.is_working_day(date(2024, 12, 27))
    assert not cal.is_working_day(date(2024, 12, 30))
    assert cal.is_working_day(date(2024, 12, 24))
    assert cal.is_working_day(date(2025, 1, 2))


def test_closure_days_push_deadlines_back() -> None:
    # Without closures: Fri 20 Dec 2024 + 15 WD = Wed 15 Jan 2025.
    # Closing Fri 27, Mon 30 and Tue 31 Dec removes 3 more working days: Mon 20 Jan 2025.
    cal = WorkingCalendar(closures=XMAS_CLOSURE)
    assert cal.add_working_days(date(2024, 12, 20), 15) == date(2025, 1, 20)
    assert cal.working_days_between(date(2024, 12, 20), date(2025, 1, 20)) == 15
    # The default calendar is unchanged.
    assert CAL.add_working_days(date(2024, 12, 20), 15) == date(2025, 1, 15)


def test_closure_days_from_standards() -> None:
    standards = Standards(closure_days=XMAS_CLOSURE)
    cal = calendar_for(frozenset(standards.closure_days))
    assert cal.add_working_days(date(2024, 12, 20), 15) == date(2025, 1, 20)
    assert calendar_for(frozenset(standards.closure_days)) is cal  # shared per set of closures


def test_closure_days_default_to_none() -> None:
    assert Standards().closure_days == ()
    assert WorkingCalendar().closures == frozenset()


# --- Counting working days between two dates --------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2024, 12, 20), date(2025, 1, 15), 15),
        (date(2025, 1, 15), date(2025, 1, 17), 2),  # the shared example: ICPC 2 WD late
        (date(2025, 6, 6), date(2025, 6, 7), 0),  # Fri -> Sat
        (date(2025, 6, 6), date(2025, 6, 9), 1),  # Fri -> Mon
        (date(2025, 6, 9), date(2025, 6, 9), 0),  # same day
        (date(2025, 6, 9), date(2025, 6, 2), 0),  # b before a
        (date(2025, 5, 2), date(2025, 5, 6), 1),  # Fri -> Tue across bank holiday Mon 5 May
    ],
)
def test_working_days_between_counts_a_exclusive_b_inclusive(a: date, b: date, expected: int) -> None:
    assert CAL.working_days_between(a, b) == expected


def test_next_working_day_on_or_after() -> None:
    assert CAL.next_working_day_on_or_after(date(2025, 6, 9)) == date(2025, 6, 9)
    assert CAL.next_working_day_on_or_after(date(2025, 5, 3)) == date(2025, 5, 6)  # Sat before BH Mon


# --- Months and weeks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 10, 15), 3, date(2025, 1, 15)),  # across the year end
        (date(2025, 1, 17), 18, date(2026, 7, 17)),
        (date(2025, 4, 14), 0, date(2025, 4, 14)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months_same_day_clamped_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_weeks_is_seven_calendar_days_each() -> None:
    assert add_weeks(date(2024, 9, 9), 16) == date(2024, 12, 30)
    assert add_weeks(date(2025, 6, 2), 1) == date(2025, 6, 9)
    assert add_weeks(date(2025, 6, 2), 0) == date(2025, 6, 2)


def test_26_weeks_beginning_with_the_issue_day() -> None:
    # The issue day is day 1: issued Mon 3 Mar 2025 -> last day Sun 31 Aug 2025.
    assert date(2025, 3, 3) + COURT_LAST_DAY_OFFSET == date(2025, 8, 31)
    assert court_end(date(2025, 3, 3), []) == date(2025, 8, 31)
    assert court_end(date(2025, 2, 3), []) == date(2025, 8, 3)


# --- Properties -------------------------------------------------------------------------------

any_day = st.dates(min_value=date(1995, 1, 1), max_value=date(2064, 12, 31))
some_working_days = st.integers(min_value=0, max_value=400)


@given(any_day, st.integers(min_value=1, max_value=400))
def test_working_days_never_land_on_a_weekend_or_bank_holiday(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert due > start
    assert due.weekday() < 5
    assert due not in ENGLAND
    assert CAL.is_working_day(due)


@given(any_day, some_working_days)
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@given(any_day, st.integers(min_value=0, max_value=60))
def test_add_working_days_agrees_with_a_day_by_day_count(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) == naive_add_working_days(start, n)


@given(any_day, st.integers(min_value=1, max_value=400))
def test_the_day_before_the_nth_working_day_has_only_n_minus_1(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, due - timedelta(days=1)) == n - 1


@given(any_day, any_day, any_day)
def test_working_days_between_is_additive(a: date, b: date, c: date) -> None:
    a, b, c = sorted((a, b, c))
    assert CAL.working_days_between(a, c) == CAL.working_days_between(a, b) + CAL.working_days_between(b, c)


@given(any_day, st.integers(min_value=-120, max_value=120))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    if result.day != start.day:
        assert result.day < start.day
        assert (result + timedelta(days=1)).day == 1  # clamped to the last day of the month


# --- The engine's memoised look-ups -------------------------------------------------------------


@given(any_day, st.integers(min_value=0, max_value=60))
def test_plus_is_add_working_days(start: date, n: int) -> None:
    assert CAL.plus(n)[start] == CAL.add_working_days(start, n)
    assert CAL.plus(n)[start] == CAL.add_working_days(start, n)  # the second time, from the memo


@given(any_day, st.integers(min_value=-24, max_value=24), st.integers(min_value=0, max_value=400))
def test_months_and_days_later_are_add_months_and_timedelta(start: date, months: int, days: int) -> None:
    assert months_later(months)[start] == add_months(start, months)
    assert days_later(days)[start] == start + timedelta(days=days)


def test_equal_answers_are_one_shared_object() -> None:
    # A worker's result pickles a shared date once: that is half of why the memo exists.
    one = CAL.plus(15)[date(2025, 3, 3)]
    assert CAL.plus(15)[date(2025, 3, 3)] is one
    assert months_later(3)[date(2025, 1, 31)] is months_later(3)[date(2025, 1, 31)]


def test_a_refused_date_is_refused_again_not_remembered() -> None:
    cal = WorkingCalendar()
    for _ in range(2):
        with pytest.raises(ValueError, match="outside the calendar"):
            cal.plus(5)[date(1980, 1, 1)]
    assert date(1980, 1, 1) not in cal.plus(5)
