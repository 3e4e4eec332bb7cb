"""A reporting period: one calendar month, as the monthly reports and the measures use it.

The default is the last complete month before the as-of date, so a report run on 1 October is
September's, and so is one run on 15 October; re-running it later with the same as-of date gives
the same figures.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

_MONTH: Final = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month [start, end], both days included."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"{self.month} is not a month number (1 to 12).")
        if not 1900 <= self.year <= 2100:
            raise ValueError(f"{self.year} is outside the years a report can cover.")

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2025-09' → September 2025; a ValueError in one sentence for anything else."""
        match = _MONTH.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a month in the form YYYY-MM.")
        try:
            return cls(int(match[1]), int(match[2]))
        except ValueError:
            raise ValueError(f"{text!r} is not a month in the form YYYY-MM.") from None

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def last_complete_before(cls, as_of: date) -> Period:
        """The latest month that ended before the as-of date (the default reporting period)."""
        return cls.of(as_of.replace(day=1) - timedelta(days=1))

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, _stdcal.monthrange(self.year, self.month)[1])

    @property
    def key(self) -> str:
        """'2025-09', as the command line and file names write it."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """'September 2025'."""
        return f"{_stdcal.month_name[self.month]} {self.year}"

    @property
    def short_label(self) -> str:
        """'Sep 2025'."""
        return f"{_stdcal.month_abbr[self.month]} {self.year}"

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def shifted(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    def previous(self) -> Period:
        return self.shifted(-1)

    def last_months(self, count: int) -> list[Period]:
        """The `count` months ending with this one, oldest first."""
        return [self.shifted(k) for k in range(1 - count, 1)]
