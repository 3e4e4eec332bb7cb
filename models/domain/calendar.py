"""Working-day and month arithmetic, exactly as `timescales.md` defines it.

Bank holidays come from `holidays.country_holidays("GB", subdiv="ENG")` (England and Wales,
substitute days and one-off days included), plus the authority's own closure days. Working days are
precomputed into a table over a span of years so that adding and counting working days are two list
look-ups, which matters when a million events are recomputed at once.
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

#: Event dates and as-of dates lie in these years (`timescales.md`, "The calendar's range").
FIRST_YEAR = 1990
LAST_YEAR = 2070
#: Working days are known five years further, so every deadline of an event in 2070 is computed
#: (an 18-month plan limit, a 26-week timetable and its extensions all end before 2075 is out).
CALENDAR_LAST_YEAR = 2075


def outside_range(day: date) -> str | None:
    """The sentence for a date outside the tracker's years, or None when it is inside them."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return None
    return f"{day:%d/%m/%Y} is outside the years the tracker counts ({FIRST_YEAR} to {LAST_YEAR})"


@lru_cache(maxsize=4)
def _bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return frozenset(days.keys())


def add_months(start: date, months: int) -> date:
    """Calendar months, same day of month, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _stdcal.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last))


def add_weeks(start: date, weeks: int) -> date:
    return start + timedelta(days=7 * weeks)


class DateMap(dict[date, date]):
    """`day -> fn(day)`, each computed on first use and then looked up in C.

    A full recomputation asks for a million due dates but meets only a few thousand distinct
    days. Equal answers are also one shared object, which a worker process's result pickles once.
    """

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[date], date]):
        super().__init__()
        self._fn = fn

    def __missing__(self, day: date) -> date:
        value = self[day] = self._fn(day)
        return value


@lru_cache(maxsize=32)
def months_later(months: int) -> DateMap:
    """`day -> add_months(day, months)`, memoised (shared by every run)."""
    return DateMap(lambda day: add_months(day, months))


@lru_cache(maxsize=32)
def days_later(days: int) -> DateMap:
    """`day -> day + days`, memoised (shared by every run)."""
    gap = timedelta(days=days)
    return DateMap(lambda day: day + gap)


class WorkingCalendar:
    """England and Wales working days, with optional extra closure days.

    Args:
        closures: the authority's own closure days (e.g. 27-31 December), empty by default.
    """

    def __init__(
        self, closures: Iterable[date] = (), first_year: int = FIRST_YEAR, last_year: int = CALENDAR_LAST_YEAR
    ):
        self.closures = frozenset(closures)
        self._non_working = _bank_holidays(first_year, last_year) | self.closures
        self._years = (first_year, last_year)
        self._base = date(first_year, 1, 1).toordinal()
        self._end = date(last_year, 12, 31).toordinal()
        # _workdays: ordinals of working days, ascending. _count[i]: working days in [base, base + i].
        workdays: list[int] = []
        count: list[int] = []
        n = 0
        for ordinal in range(self._base, self._end + 1):
            day = date.fromordinal(ordinal)
            if day.weekday() < 5 and day not in self._non_working:
                workdays.append(ordinal)
                n += 1
            count.append(n)
        self._workdays = workdays
        self._count = count
        # n -> (for each day of the span: that day + n working days), built on first use of n.
        self._plus: dict[int, list[date]] = {}
        self._plus_maps: dict[int, DateMap] = {}

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._non_working and self._in_range(day)

    def is_bank_holiday(self, day: date) -> bool:
        return day in self._non_working

    def _in_range(self, day: date) -> bool:
        if not self._base <= day.toordinal() <= self._end:
            first, last = self._years
            raise ValueError(f"{day:%d/%m/%Y} is outside the calendar's years {first}-{last}")
        return True

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (day 0, not counted, working day or not)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start
        table = self._plus.get(n)
        if table is None:
            table = self._plus[n] = self._table(n)
        offset = start.toordinal() - self._base
        if 0 <= offset < len(table):
            return table[offset]
        ordinal = start.toordinal()
        if not self._base <= ordinal <= self._end:
            self._in_range(start)
        index = self._count[ordinal - self._base] + n - 1
        if index >= len(self._workdays):
            raise ValueError(f"{start:%d/%m/%Y} + {n} working days is beyond {self._years[1]}")
        return date.fromordinal(self._workdays[index])

    def plus(self, n: int) -> DateMap:
        """`day -> add_working_days(day, n)`, memoised: the engine's hot path."""
        found = self._plus_maps.get(n)
        if found is None:
            found = self._plus_maps[n] = DateMap(lambda day: self.add_working_days(day, n))
        return found

    def _table(self, n: int) -> list[date]:
        """start + n working days for every start in the span whose answer is inside it too."""
        workdays, count = self._workdays, self._count
        table: list[date] = []
        for done in count:  # working days up to and including the start
            if done + n > len(workdays):
                break
            table.append(date.fromordinal(workdays[done + n - 1]))
        return table

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; 0 when b is not after a."""
        if b <= a:
            return 0
        oa, ob = a.toordinal(), b.toordinal()
        if not (self._base <= oa <= self._end and self._base <= ob <= self._end):
            self._in_range(a)
            self._in_range(b)
        return self._count[ob - self._base] - self._count[oa - self._base]

    def next_working_day_on_or_after(self, day: date) -> date:
        i = bisect.bisect_left(self._workdays, day.toordinal())
        return date.fromordinal(self._workdays[i])


@lru_cache(maxsize=8)
def calendar_for(closures: frozenset[date] = frozenset()) -> WorkingCalendar:
    """A shared calendar per set of closure days (building one takes a few milliseconds)."""
    return WorkingCalendar(closures)
