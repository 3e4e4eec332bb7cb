"""Any CSV or XLSX (a council's own PLO or court spreadsheet, an allocation list) through a column
mapping that a person makes once and saves by name (in the database's settings, audited).

A mapping is JSON:

    {"child_id": "Child ID",
     "fields": {"social_worker": "Allocated SW", "team": "Team", "reviewing_officer": "IRO"},
     "events": [{"type": "letter_before_proceedings", "date": "LBP sent"},
                {"type": "proceedings_issued", "date": "Issued", "fields": {"case_number": "Case no"}},
                {"type": "icpc", "date": "ICPC", "values": {"outcome": "plan"}}],
     "sheet": "Tracker", "header_row": 1,
     "untracked": ["core_group"], "tracked_from": "2025-03-31"}

`fields` maps journey child fields to columns; each event names its type, the column holding its
date, columns for its fields (`fields`) and fixed values (`values`). `sheet` and `header_row`
(1-based) are for workbooks; `untracked` and `tracked_from` say what the spreadsheet does not
hold and since when the record is complete (an allocation list, with no events, sets neither).
Event ids are `map:<mapping name>:<child>:<type>:<date>`. A column named by the mapping and
missing from the file refuses the file, naming the column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.domain.journey import CHILD_FIELDS, EVENT_TYPES, GENDERS, Kind
from models.io.sources.common import (
    Builder,
    Problem,
    Source,
    SourceError,
    Where,
    clean,
    gender,
    parse_birth,
    parse_day,
    text_id,
    yes_no,
)
from models.io.sources.files import open_workbook, read_csv, sha256_of
from models.storage.db import Database
from models.storage.store import audit
from models.storage.tables import SettingRow

SETTING_T = SettingRow.__table__  # type: ignore[attr-defined]

FORMAT = "mapped"
SETTING_PREFIX = "import_mapping:"


class MappingError(ValueError):
    """A mapping that cannot be used; the message says which key and why."""


def check_mapping(mapping: Any) -> dict[str, Any]:
    """The mapping, checked: every key known, every field a journey field, every type an event type."""
    if not isinstance(mapping, dict):
        raise MappingError("A mapping is a JSON object with child_id, fields and events.")
    unknown = set(mapping) - {
        "child_id",
        "fields",
        "events",
        "sheet",
        "header_row",
        "untracked",
        "tracked_from",
        "name",
    }
    if unknown:
        raise MappingError(f"Unknown key(s) in the mapping: {', '.join(sorted(unknown))}.")
    if not isinstance(mapping.get("child_id"), str) or not mapping["child_id"].strip():
        raise MappingError("The mapping needs child_id: the column that holds each child's id.")
    fields = mapping.get("fields", {})
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise MappingError("fields maps journey child fields to column names (text).")
    for name in fields:
        if name not in CHILD_FIELDS[1:]:
            raise MappingError(f"fields: {name!r} is not a child field ({', '.join(CHILD_FIELDS[1:])}).")
    events = mapping.get("events", [])
    if not isinstance(events, list):
        raise MappingError("events is a list of {type, date, fields, values}.")
    for n, event in enumerate(events, start=1):
        if not isinstance(event, dict) or not isinstance(event.get("date"), str):
            raise MappingError(f"events #{n}: needs type and date (the column holding the event's date).")
        kind = EVENT_TYPES.get(event.get("type", ""))
        if kind is None:
            raise MappingError(f"events #{n}: {event.get('type')!r} is not an event type.")
        for key in ("fields", "values"):
            for name in event.get(key, {}) or {}:
                if kind.field(name) is None:
                    raise MappingError(f"events #{n}: {kind.name} has no field {name!r}.")
    untracked = mapping.get("untracked", [])
    if not isinstance(untracked, list) or any(t not in EVENT_TYPES for t in untracked):
        raise MappingError("untracked is a list of event types.")
    if mapping.get("tracked_from") is not None and parse_day(mapping["tracked_from"])[0] is None:
        raise MappingError(f"tracked_from {mapping['tracked_from']!r} is not a date (yyyy-mm-dd).")
    header_row = mapping.get("header_row", 1)
    if not isinstance(header_row, int) or header_row < 1:
        raise MappingError("header_row is the 1-based row that holds the column names.")
    return mapping


def save_mapping(db: Database, name: str, mapping: Any, user: str | None = None) -> None:
    name = name.strip()
    if not name:
        raise MappingError("A mapping needs a name.")
    checked = check_mapping(mapping)
    key = SETTING_PREFIX + name
    value = json.dumps(checked, sort_keys=True)
    with db.engine.begin() as conn:
        old = conn.execute(select(SETTING_T.c.value).where(SETTING_T.c.key == key)).scalar()
        if old is None:
            conn.execute(SETTING_T.insert().values(key=key, value=value))
        else:
            conn.execute(SETTING_T.update().where(SETTING_T.c.key == key).values(value=value))
        audit(
            conn,
            "save",
            "import-mapping",
            name,
            before=json.loads(old) if old else None,
            after=checked,
            user=user,
        )


def load_mapping(db: Database, name: str) -> dict[str, Any]:
    with db.engine.connect() as conn:
        value = conn.execute(
            select(SETTING_T.c.value).where(SETTING_T.c.key == SETTING_PREFIX + name)
        ).scalar()
    if value is None:
        names = mapping_names(db)
        raise MappingError(
            f"No mapping named {name!r}"
            + (
                f" (saved: {', '.join(names)})."
                if names
                else "; save one first with: mapping save NAME --file FILE.json."
            )
        )
    mapping: dict[str, Any] = json.loads(value)
    return mapping


def mapping_names(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        keys = conn.execute(
            select(SETTING_T.c.key).where(SETTING_T.c.key.startswith(SETTING_PREFIX))
        ).scalars()
        return sorted(k[len(SETTING_PREFIX) :] for k in keys)


def headers_of(path: Path, sheet: str | None = None, header_row: int = 1) -> list[str]:
    """The column names of a CSV or a workbook's sheet (for the person making a mapping)."""
    names, _unread = _rows(path, sheet, header_row)
    return names


def _rows(
    path: Path, sheet: str | None, header_row: int
) -> tuple[list[str], Iterator[tuple[int, str | None, dict[str, Any]]]]:
    if path.suffix.lower() == ".csv":
        names, csv_rows = read_csv(path)
        return names, ((n, None, row) for n, row in csv_rows)
    workbook = open_workbook(path)
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise SourceError(
            f"{path.name}: no sheet {sheet!r} (its sheets are {', '.join(workbook.sheetnames)})."
        )
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    title = ws.title
    iterator = ws.iter_rows(values_only=True)
    header: tuple[Any, ...] = ()
    for _ in range(header_row):
        header = next(iterator, ())
    names = [str(clean(h) or "") for h in header]

    def rows() -> Iterator[tuple[int, str | None, dict[str, Any]]]:
        try:
            for n, row in enumerate(iterator, start=header_row + 1):
                if any(clean(c) is not None for c in row):
                    yield n, title, dict(zip(names, row, strict=False))
        finally:
            workbook.close()

    return names, rows()


def read(path: Path, name: str, mapping: Mapping[str, Any]) -> Source:
    checked = check_mapping(dict(mapping))
    source = Source(path, FORMAT, f"spreadsheet with mapping {name!r}", sha256=sha256_of(path))
    builder = Builder(source, f"map:{name}")
    names, rows = _rows(path, checked.get("sheet"), checked.get("header_row", 1))
    present = set(names)
    wanted = [checked["child_id"], *checked.get("fields", {}).values()]
    for event in checked.get("events", []):
        wanted.append(event["date"])
        wanted.extend((event.get("fields") or {}).values())
    missing = [c for c in dict.fromkeys(wanted) if c not in present]
    if missing:
        raise SourceError(
            f"{path.name}: the header has no column {', '.join(repr(c) for c in missing)} that mapping {name!r} "
            f"reads (its columns are {', '.join(names[:12])}); the file has the wrong headers or needs another mapping."
        )
    for n, sheet, row in rows:

        def at(column: str | None, n: int = n, sheet: str | None = sheet) -> Where:
            return Where(path.name, sheet, n, column)

        child_id = text_id(row.get(checked["child_id"]))
        if child_id is None:
            source.problems.append(Problem(at(checked["child_id"]), "the child id is missing"))
            continue
        fields: dict[str, Any] = {}
        for field_name, column in checked.get("fields", {}).items():
            value = clean(row.get(column))
            if value is None:
                continue
            if field_name in ("date_of_birth", "expected_date_of_birth"):
                day, reason = parse_birth(value)
                if reason:
                    source.problems.append(Problem(at(column), reason, child_id))
                value = day
            elif field_name == "disability":
                value = yes_no(value)
            elif field_name == "gender":
                value = value if value in GENDERS else gender(value)
            else:
                value = str(value)
            fields[field_name] = value
        builder.child(child_id, at(None), **fields)
        for event in checked.get("events", []):
            day, reason = parse_day(row.get(event["date"]))
            if reason:
                source.problems.append(Problem(at(event["date"]), reason, child_id))
            if day is None:
                continue
            kind = EVENT_TYPES[event["type"]]
            values: dict[str, Any] = dict(event.get("values") or {})
            for field_name, column in (event.get("fields") or {}).items():
                raw = clean(row.get(column))
                spec = kind.field(field_name)
                if raw is None or spec is None:
                    continue
                if spec.kind is Kind.BOOL:
                    values[field_name] = yes_no(raw)
                elif spec.kind is Kind.DATE:
                    typed, reason = parse_day(raw)
                    if reason:
                        source.problems.append(Problem(at(column), reason, child_id))
                    values[field_name] = typed.isoformat() if typed else None
                elif spec.kind is Kind.INT:
                    values[field_name] = (
                        int(raw) if isinstance(raw, int | float) or str(raw).isdigit() else raw
                    )
                else:
                    values[field_name] = str(raw)
            builder.event(child_id, kind.name, day, at(event["date"]), **values)
    builder.finish()
    source.untracked = tuple(sorted(checked.get("untracked", [])))
    if checked.get("tracked_from"):
        source.tracked_from = parse_day(checked["tracked_from"])[0]
        source.tracked_from_basis = f"mapping {name!r}"
    elif source.untracked:
        source.notes.append(
            f"Mapping {name!r} names untracked events but no tracked_from: they apply only once a "
            "date is given (--tracked-from, or the date in the import dialog)."
        )
    return source
