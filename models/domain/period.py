"""A reporting period: a calendar month, a quarter, an ISO week or a financial year.

The periods of `timescales.md` ("Measures"): `2025-09` (a month), `2025-Q3` (July to September),
`2025-W36` (an ISO week, Monday to Sunday) and `2025-26` (a financial year, April to March). The
default is the last complete month before the as-of date, so a report run on 1 October is
September's, and so is one run on 15 October; re-running it later with the same as-of date gives
the same figures. A period that has not ended by the as-of date is reported "to date".
"""

from __future__ import annotations

import calendar as _stdcal
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final, Protocol

_MONTH: Final = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER: Final = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_WEEK: Final = re.compile(r"^(\d{4})-[Ww](\d{1,2})$")
_YEAR: Final = re.compile(r"^(\d{4})-(\d{2})$")

FORMS: Final = "a month (2025-09), a quarter (2025-Q3), an ISO week (2025-W36) or a financial year (2025-26)"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    WEEK = "week"
    YEAR = "financial year"


class DateRange(Protocol):
    """Anything with a first and last day that can say whether a date falls inside it."""

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...

    def contains(self, day: date | None) -> bool: ...


@dataclass(frozen=True, slots=True)
class Span:
    """Days [start, end], both included: part of a period (a period "to date")."""

    start: date
    end: date

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period; `number` is the month (1-12), quarter (1-4) or ISO week (1-53), and
    a financial year's number is 0 (its `year` is the year it begins in April)."""

    year: int
    number: int
    kind: PeriodKind = PeriodKind.MONTH

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2100:
            raise ValueError(f"{self.year} is outside the years a report can cover.")
        top = {
            PeriodKind.MONTH: 12,
            PeriodKind.QUARTER: 4,
            PeriodKind.WEEK: _weeks_in(self.year),
            PeriodKind.YEAR: 0,
        }[self.kind]
        low = 0 if self.kind is PeriodKind.YEAR else 1
        if not low <= self.number <= top:
            raise ValueError(f"{self.number} is not a {self.kind} of {self.year} ({low} to {top}).")

    @property
    def month(self) -> int:
        """The month number of a monthly period (its first month otherwise)."""
        return self.start.month

    @classmethod
    def month_of(cls, year: int, month: int) -> Period:
        return cls(year, month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2025-09', '2025-Q3', '2025-W36' or '2025-26'; a ValueError in one sentence otherwise."""
        value = text.strip()
        problem = f"{text!r} is not a period: give {FORMS}."
        try:
            if m := _QUARTER.match(value):
                return cls(int(m[1]), int(m[2]), PeriodKind.QUARTER)
            if m := _WEEK.match(value):
                return cls(int(m[1]), int(m[2]), PeriodKind.WEEK)
            # A financial year's second part is the next year's; where that is also a month number
            # ('2011-12'), the month wins.
            if (m := _YEAR.match(value)) and int(m[2]) == (int(m[1]) + 1) % 100 and not 1 <= int(m[2]) <= 12:
                return cls(int(m[1]), 0, PeriodKind.YEAR)
            if m := _MONTH.match(value):
                return cls(int(m[1]), int(m[2]))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a period: {exc}") from None
        raise ValueError(problem)

    @classmethod
    def of(cls, day: date, kind: PeriodKind = PeriodKind.MONTH) -> Period:
        """The period of a kind that a date falls in."""
        if kind is PeriodKind.QUARTER:
            return cls(day.year, (day.month - 1) // 3 + 1, kind)
        if kind is PeriodKind.WEEK:
            iso = day.isocalendar()
            return cls(iso.year, iso.week, kind)
        if kind is PeriodKind.YEAR:
            return cls(day.year if day.month >= 4 else day.year - 1, 0, kind)
        return cls(day.year, day.month)

    @classmethod
    def last_complete_before(cls, as_of: date, kind: PeriodKind = PeriodKind.MONTH) -> Period:
        """The latest period of a kind that ended before the as-of date (the default: a month)."""
        return cls.of(as_of, kind).previous()

    @property
    def start(self) -> date:
        if self.kind is PeriodKind.QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        if self.kind is PeriodKind.WEEK:
            return date.fromisocalendar(self.year, self.number, 1)
        if self.kind is PeriodKind.YEAR:
            return date(self.year, 4, 1)
        return date(self.year, self.number, 1)

    @property
    def end(self) -> date:
        if self.kind is PeriodKind.QUARTER:
            last = 3 * self.number
            return date(self.year, last, _stdcal.monthrange(self.year, last)[1])
        if self.kind is PeriodKind.WEEK:
            return self.start + timedelta(days=6)
        if self.kind is PeriodKind.YEAR:
            return date(self.year + 1, 3, 31)
        return date(self.year, self.number, _stdcal.monthrange(self.year, self.number)[1])

    @property
    def key(self) -> str:
        """'2025-09', '2025-Q3', '2025-W36', '2025-26': as the command line and file names write it."""
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        if self.kind is PeriodKind.WEEK:
            return f"{self.year:04d}-W{self.number:02d}"
        if self.kind is PeriodKind.YEAR:
            return f"{self.year:04d}-{(self.year + 1) % 100:02d}"
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def label(self) -> str:
        """'September 2025', 'July to September 2025 (Q3)', 'Week 36 of 2025', 'Financial year 2025-26'."""
        if self.kind is PeriodKind.QUARTER:
            first, last = _stdcal.month_name[3 * self.number - 2], _stdcal.month_name[3 * self.number]
            return f"{first} to {last} {self.year} (Q{self.number})"
        if self.kind is PeriodKind.WEEK:
            return f"Week {self.number} of {self.year}"
        if self.kind is PeriodKind.YEAR:
            return f"Financial year {self.key}"
        return f"{_stdcal.month_name[self.number]} {self.year}"

    @property
    def short_label(self) -> str:
        """'Sep 2025', 'Q3 2025', 'W36 2025', '2025-26': under a chart's bars."""
        if self.kind is PeriodKind.QUARTER:
            return f"Q{self.number} {self.year}"
        if self.kind is PeriodKind.WEEK:
            return f"W{self.number} {self.year}"
        if self.kind is PeriodKind.YEAR:
            return self.key
        return f"{_stdcal.month_abbr[self.number]} {self.year}"

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def is_complete(self, as_of: date) -> bool:
        """Whether the period had ended by the as-of date (else its figures are "to date")."""
        return self.end < as_of

    def to_date(self, as_of: date) -> Span:
        """The days of the period up to the as-of date (the whole period once it has ended)."""
        return Span(self.start, min(self.end, as_of))

    def shifted(self, count: int) -> Period:
        """The period `count` periods of the same kind later (earlier when negative)."""
        if self.kind is PeriodKind.WEEK:
            return Period.of(self.start + timedelta(weeks=count), PeriodKind.WEEK)
        if self.kind is PeriodKind.YEAR:
            return Period(self.year + count, 0, PeriodKind.YEAR)
        per_year = 4 if self.kind is PeriodKind.QUARTER else 12
        index = self.year * per_year + self.number - 1 + count
        return Period(index // per_year, index % per_year + 1, self.kind)

    def previous(self) -> Period:
        return self.shifted(-1)

    def last(self, count: int) -> list[Period]:
        """The `count` periods of this kind ending with this one, oldest first."""
        return [self.shifted(k) for k in range(1 - count, 1)]

    def last_months(self, count: int) -> list[Period]:
        """The `count` calendar months ending with this period's last month, oldest first."""
        return Period.of(self.end).last(count)
