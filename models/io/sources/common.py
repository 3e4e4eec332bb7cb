"""What every reader of a council's file shares: where a problem is, what a source gives, and the
building of journey children with stable event ids.

A reader turns one file (or one folder of SSDA903 tables) into a `Source`: journey-format child
dicts (`journey-format.md`), each event with an id derived from the source ("903:566910:cla_review:
2017-08-30"), so that next month's return updates and never duplicates; the problems it met, each
located by file, sheet, row and column; and the `tracked_from` and `untracked` the source sets
(`timescales.md`, "Tracked from"). Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.domain.calendar import outside_range
from models.domain.journey import EVENT_TYPES


@dataclass(frozen=True)
class Where:
    """A place in a source file; the parts the format has (a CSV has no sheet, XML no column)."""

    file: str
    sheet: str | None = None
    row: int | str | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}" if isinstance(self.row, int) else str(self.row))
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One problem of a source: where, why, and the child it stops (None: the whole file)."""

    where: Where
    reason: str
    child_id: str | None = None

    def __str__(self) -> str:
        if self.child_id is not None and f"child {self.child_id}" not in self.reason:
            return f"{self.where}: child {self.child_id}: {self.reason}"
        return f"{self.where}: {self.reason}"


class SourceError(Exception):
    """A file refused as a whole (wrong kind, too big, unsafe); the message is one sentence."""


@dataclass
class Source:
    """What one reader made of one file or folder."""

    path: Path
    format: str
    label: str
    children: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    tracked_from: date | None = None
    tracked_from_basis: str = ""
    untracked: tuple[str, ...] = ()
    #: Where each child and each event came from, to put file, sheet, row and column on the
    #: validation problems found once the children are built.
    child_where: dict[str, Where] = field(default_factory=dict)
    event_where: dict[tuple[str, str], Where] = field(default_factory=dict)
    birth_where: dict[str, Where] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""


def untracked_except(*held: str) -> tuple[str, ...]:
    """Every event type of the journey format that the source does not hold."""
    return tuple(sorted(name for name in EVENT_TYPES if name not in held))


class Builder:
    """Collects one source's children: fields (a conflicting date of birth is a problem), events
    with stable ids (the same event met twice is kept once), and where each came from."""

    def __init__(self, source: Source, prefix: str):
        self.source = source
        self.prefix = prefix
        self._children: dict[str, dict[str, Any]] = {}
        self._events: dict[str, dict[str, dict[str, Any]]] = {}
        self._dob_where: dict[str, Where] = {}

    def child(self, child_id: str, where: Where, **fields: Any) -> dict[str, Any]:
        record = self._children.get(child_id)
        if record is None:
            record = {"id": child_id}
            self._children[child_id] = record
            self._events[child_id] = {}
            self.source.child_where[child_id] = where
        for name, value in fields.items():
            if value is None or value == "":
                continue
            old = record.get(name)
            if old is None:
                record[name] = value
                if name == "date_of_birth":
                    self._dob_where[child_id] = where
                    self.source.birth_where[child_id] = where
            elif name == "date_of_birth" and old != value:
                first = self._dob_where.get(child_id)
                self.source.problems.append(
                    Problem(
                        where,
                        f"child {child_id} has date of birth {_d(value)} here but {_d(old)}"
                        + (f" at {first}" if first else "")
                        + "; which is right is unknown, so the child is not imported",
                        child_id,
                    )
                )
        return record

    def event(self, child_id: str, type_name: str, day: date, where: Where, **fields: Any) -> None:
        key = f"{self.prefix}:{child_id}:{type_name}:{day.isoformat()}"
        events = self._events[child_id]
        if key in events:
            # Met twice (two lists, or two returns): the first keeps its fields, gaps are filled.
            for name, value in fields.items():
                if value is not None:
                    events[key].setdefault(name, value)
            return
        raw: dict[str, Any] = {"id": key, "type": type_name, "date": day.isoformat()}
        raw.update({k: v for k, v in fields.items() if v is not None})
        events[key] = raw
        self.source.event_where[(child_id, key)] = where

    def finish(self) -> list[dict[str, Any]]:
        out = []
        for child_id, record in self._children.items():
            child = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in record.items()}
            child["events"] = sorted(self._events[child_id].values(), key=lambda e: (e["date"], e["id"]))
            out.append(child)
        self.source.children = out
        return out


# ---- cell values ---------------------------------------------------------------------------

_BLANKS = frozenset({"", "#N/A", "N/A", "#NA", "NULL", "NONE", "-"})
_PREFIX = re.compile(r"^[a-z]{1,2}\)\s*", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")


def clean(value: Any) -> Any:
    """A cell as the reader wants it: text trimmed, non-breaking spaces made spaces, blanks and
    `#N/A` made None. Numbers, dates and booleans pass unchanged."""
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").replace("\ufeff", "").strip()
        text = " ".join(text.split())
        return None if text.upper() in _BLANKS else text
    return value


def code(value: Any) -> str | None:
    """A coded value without its Annex A letter prefix: `a) WBRI` is `WBRI`, `b) Female` is `Female`."""
    text = clean(value)
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)
    return _PREFIX.sub("", text).strip() or None


def parse_day(value: Any) -> tuple[date | None, str | None]:
    """A date cell as a date, or the reason it is not one (None, None for a blank cell).

    Accepted: a spreadsheet date, `dd/mm/yyyy`, `yyyy-mm-dd`. A bare number is refused: in a date
    column it is an Excel serial number whose cell lost its date format, and reading it would be a
    guess."""
    value = clean(value)
    if value is None:
        return None, None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, bool):
        return None, f"{value!r} is not a date"
    elif isinstance(value, int | float):
        return None, (
            f"{value!r} is a number where a date should be (an Excel serial number?); "
            "format the column as dates, dd/mm/yyyy"
        )
    else:
        text = str(value)
        match = _DMY.match(text)
        parts: tuple[int, int, int] | None = None
        if match:
            parts = (int(match[3]), int(match[2]), int(match[1]))
        else:
            match = _YMD.match(text)
            if match:
                parts = (int(match[1]), int(match[2]), int(match[3]))
        if parts is None:
            if re.fullmatch(r"\d+(\.\d+)?", text):
                return None, (
                    f"{text!r} is a number where a date should be (an Excel serial number?); "
                    "write dates as dd/mm/yyyy"
                )
            return None, f"{text!r} is not a date in a known format (dd/mm/yyyy or yyyy-mm-dd)"
        try:
            day = date(*parts)
        except ValueError:
            return None, f"{text!r} is not a real date"
    outside = outside_range(day)
    if outside is not None:
        return None, outside
    return day, None


def parse_birth(value: Any) -> tuple[date | None, str | None]:
    """A date of birth: as `parse_day`, but any year from 1900 (a birth may precede the calendar)."""
    value = clean(value)
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    day, reason = parse_day(value)
    if reason and "outside the years" in reason and isinstance(value, str):
        match = _DMY.match(value) or None
        try:
            if match:
                return date(int(match[3]), int(match[2]), int(match[1])), None
            return date.fromisoformat(value[:10]), None
        except ValueError:
            return None, reason
    return day, reason


def yes_no(value: Any) -> bool | None:
    text = code(value)
    if text is None:
        return None
    low = text.lower()
    if low in ("yes", "y", "true", "1"):
        return True
    if low in ("no", "n", "false", "0"):
        return False
    return None


_GENDERS = {
    "male": "male",
    "m": "male",
    "1": "male",
    "female": "female",
    "f": "female",
    "2": "female",
    "other": "other",
    "indeterminate": "other",
    "neither": "other",
    "9": "other",
    "unknown": "unknown",
    "not stated/recorded": "unknown",
    "not stated": "unknown",
    "not known": "unknown",
    "0": "unknown",
    "u": "unknown",
}


def gender(value: Any) -> str | None:
    """A gender or sex code of a return as the journey file's word (`1` male, `2` female)."""
    text = code(value)
    if text is None:
        return None
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return _GENDERS.get(text.lower(), "unknown")


def text_id(value: Any) -> str | None:
    """A child id cell as text: `1001` and `1001.0` are `1001`."""
    value = clean(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _d(day: Any) -> str:
    return f"{day:%d/%m/%Y}" if isinstance(day, date) else str(day)


def where_of(source: Source, child_id: str, event_id: str | None) -> Where:
    if event_id is not None and (child_id, event_id) in source.event_where:
        return source.event_where[(child_id, event_id)]
    return source.child_where.get(child_id, Where(source.path.name))


def collection_end(latest: date) -> date:
    """The 31 March that ends the collection year holding `latest` (a year runs April to March)."""
    year = latest.year if latest <= date(latest.year, 3, 31) else latest.year + 1
    return date(year, 3, 31)


def plural(n: int, word: str) -> str:
    if word == "child":
        return f"{n} {'child' if n == 1 else 'children'}"
    return f"{n} {word}" + ("" if n == 1 else "s")
