"""Every value read back from the database, checked as it is read.

The open-time integrity check sees the file's structure, not its values: a well-formed file can
hold a date that is not a date (`event.date = 'garbage'`), an event type no version ever had, or a
flipped bit in a row's payload. Read as data, such a value became a traceback or, worse, a quiet
change of deadlines. Here each value is held to what the tracker writes (ISO dates as
YYYY-MM-DD, yes/no as 0/1, known event types and enumerated values, JSON for unknown keys); a bad
one raises `StoredValueInvalid`, a `DatabaseDamaged` that names the child, the event and the
field, so the CLI says it in one sentence and the desktop offers the newest good backup.

The checks cost little where it matters: the bulk read checks each distinct packed event once
(the same text is parsed once and shared), and a value that fails inside SQLAlchemy's own
conversion is found afterwards by `locate`, which reads the raw rows again (the failure path only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import RowMapping

from models.domain.journey import CHILD_FIELDS, EVENT_TYPES, GENDERS, FieldSpec, Kind
from models.storage.db import DatabaseDamaged, DatabaseError
from models.storage.tables import column_of

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHILD_DATES = ("date_of_birth", "expected_date_of_birth", "tracked_from")


class StoredValueInvalid(DatabaseDamaged):
    """A value in the database that the tracker never writes: the file is damaged (or was edited
    outside the tracker), though its structure passed the integrity check."""

    def __init__(
        self,
        where: Path | str | None,
        child_id: str | None,
        event_id: str | None,
        field: str,
        value: Any,
        expected: str,
    ) -> None:
        place = ", ".join(
            part
            for part in (
                f"child {child_id}" if child_id is not None else "",
                f"event {event_id}" if event_id is not None else "",
                f"field '{field}'",
            )
            if part
        )
        detail = f"{place} holds {_shown(value)}, which is not {expected}"
        if isinstance(where, Path) or where is None:
            super().__init__(where or Path("in memory"), detail)
        else:
            # The team server: no file to move aside; its own backups (pg_dump) restore it.
            DatabaseError.__init__(
                self,
                f"The team database {where} is damaged ({detail}). It can be restored from its newest "
                "good backup (pg_restore).",
            )
            self.path, self.detail = Path(), detail
        self.where, self.child_id, self.event_id = where, child_id, event_id
        self.field, self.value, self.expected = field, value, expected

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the bulk read's worker process, re-raised here
        return (
            type(self),
            (self.where, self.child_id, self.event_id, self.field, self.value, self.expected),
        )


class BadValue(ValueError):
    """A bad value found by a reader that does not know which database it reads; `values_checked`
    turns it into `StoredValueInvalid` (finding the event's id when only the child's is known)."""

    def __init__(self, child_id: str | None, event_id: str | None, field: str, value: Any, expected: str):
        super().__init__(f"{field}: {value!r} is not {expected}")
        self.parts = (child_id, event_id, field, value, expected)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- One value ----------------------------------------------------------------------------------


def stored_date(value: Any) -> date | None:
    """A stored date as the tracker writes it (or as the server's driver gives it), else None."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value) is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _bool_ok(value: Any) -> bool:
    return value in (0, 1) and not isinstance(value, float)


def field_problem(spec: FieldSpec, value: Any) -> str | None:
    """What a stored type-specific field should have been, when it is not; None when it is fine."""
    if spec.kind is Kind.BOOL:
        return None if _bool_ok(value) else "yes or no (1 or 0)"
    if spec.kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            return "a whole number"
        low, high = spec.minimum, spec.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            return f"a whole number from {low} to {high}"
        return None
    if spec.kind is Kind.DATE:
        return None if stored_date(value) is not None else "a date (YYYY-MM-DD)"
    if not isinstance(value, str):
        return "text"
    if spec.kind is Kind.ENUM and value not in spec.choices:
        return f"one of {', '.join(spec.choices)}"
    return None


def _json_problem(value: Any) -> str | None:
    if value is None:
        return None
    try:
        loaded = json.loads(value) if isinstance(value, str | bytes) else None
    except ValueError:
        loaded = None
    return None if isinstance(loaded, dict) else "a JSON object"


# --- One row --------------------------------------------------------------------------------------


def event_row_problem(row: Mapping[str, Any] | RowMapping) -> tuple[str, Any, str] | None:
    """The first bad value of an event row (raw or converted), as (field, value, expected)."""
    event_type = row["type"]
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        return "type", event_type, "an event type of the journey format"
    if stored_date(row["date"]) is None:
        return "date", row["date"], "a date (YYYY-MM-DD)"
    for spec in EVENT_TYPES[event_type].fields:
        value = row[column_of(event_type, spec.name)]
        if value is not None and (expected := field_problem(spec, value)) is not None:
            return spec.name, value, expected
    for name in ("note", "recorded_by"):
        if row[name] is not None and not isinstance(row[name], str):
            return name, row[name], "text"
    if (expected := _json_problem(row["extra"])) is not None:
        return "extra", row["extra"], expected
    return None


def child_row_problem(row: Mapping[str, Any] | RowMapping) -> tuple[str, Any, str] | None:
    """The first bad value of a child row (raw or converted), as (field, value, expected)."""
    for name in CHILD_FIELDS[1:]:
        value = row[name]
        if value is None:
            continue
        if name in _CHILD_DATES:
            if stored_date(value) is None:
                return name, value, "a date (YYYY-MM-DD)"
        elif name == "disability":
            if not _bool_ok(value):
                return name, value, "yes or no (1 or 0)"
        elif name == "untracked":
            if not isinstance(value, str) or any(t not in EVENT_TYPES for t in value.split(",")):
                return name, value, "a list of event types"
        elif not isinstance(value, str):
            return name, value, "text"
        elif name == "gender" and value not in GENDERS:
            return name, value, f"one of {', '.join(GENDERS)}"
    if (expected := _json_problem(row["extra"])) is not None:
        return "extra", row["extra"], expected
    return None


def check_event_row(row: Mapping[str, Any] | RowMapping) -> None:
    """Raise `BadValue` for the first bad value of an event row."""
    found = event_row_problem(row)
    if found is not None:
        raise BadValue(_text(row["child_id"]), _text(row["event_id"]), *found)


def check_child_row(row: Mapping[str, Any] | RowMapping) -> None:
    """Raise `BadValue` for the first bad value of a child row."""
    found = child_row_problem(row)
    if found is not None:
        raise BadValue(_text(row["id"]), None, *found)


def invalid_event(where: Path | str | None, row: Mapping[str, Any]) -> StoredValueInvalid | None:
    found = event_row_problem(row)
    if found is None:
        return None
    return StoredValueInvalid(where, _text(row["child_id"]), _text(row["event_id"]), *found)


def invalid_child(where: Path | str | None, row: Mapping[str, Any]) -> StoredValueInvalid | None:
    found = child_row_problem(row)
    if found is None:
        return None
    return StoredValueInvalid(where, _text(row["id"]), None, *found)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --- Finding the bad value after a conversion failed --------------------------------------------


def where_of(conn: Any) -> Path | str | None:
    """The database a connection reads: a file's path, or the server's URL without a password.
    `conn` is an SQLAlchemy connection, or a driver's connection or cursor (sqlite3, sqlcipher3)."""
    engine = getattr(conn, "engine", None)
    if engine is not None and engine.dialect.name != "sqlite":
        return str(engine.url.render_as_string(hide_password=True))
    if engine is not None:
        row = conn.exec_driver_sql("PRAGMA database_list").fetchone()
    else:
        raw = conn.connection if hasattr(conn, "fetchone") else conn
        row = raw.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def locate(conn: Any, child_ids: Sequence[str] | None = None) -> StoredValueInvalid | None:
    """The first bad stored value of these children (or of all), read from the raw rows; None if
    every value is fine. `conn` is as for `where_of`."""
    where = where_of(conn)
    sa = hasattr(conn, "exec_driver_sql")
    mark = "%s" if sa and conn.dialect.paramstyle in ("format", "pyformat") else "?"
    for table, key, check in (("child", "id", invalid_child), ("event", "child_id", invalid_event)):
        sql = f"SELECT * FROM {table}"
        params: tuple[Any, ...] = ()
        if child_ids is not None:
            sql += f" WHERE {key} IN ({', '.join([mark] * len(child_ids))})"
            params = tuple(child_ids)
        if sa:
            result = conn.exec_driver_sql(sql, params)
            names = list(result.keys())
        else:
            result = conn.execute(sql, params)
            names = [d[0] for d in result.description]
        for values in result:
            found = check(where, dict(zip(names, values, strict=True)))
            if found is not None:
                return found
    return None


@contextmanager
def values_checked(conn: Any, child_ids: Sequence[str] | None = None) -> Iterator[None]:
    """Read rows inside this: a bad value (`BadValue`, or one that failed to convert in
    SQLAlchemy's processing) becomes `StoredValueInvalid` naming it; other errors are left alone."""
    try:
        yield
    except StoredValueInvalid:
        raise
    except BadValue as bad:
        child_id, event_id = bad.parts[:2]
        found = locate(conn, [child_id]) if child_id is not None and event_id is None else None
        raise (found or StoredValueInvalid(where_of(conn), *bad.parts)) from None
    except (ValueError, TypeError, KeyError, UnicodeError) as exc:
        found = locate(conn, child_ids)
        if found is None:
            raise
        raise found from exc
