"""Import and export of journey files (`journey-format.md`).

Import is all-or-nothing: every child is checked first, and a file with any error writes nothing
unless the caller asks for the valid children only. Events carry ids, so importing the same file
twice changes nothing: an event whose id is already present is updated, not duplicated. Writes go
through SQLAlchemy Core in bulk, inside one transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, bindparam, select, update

from models.domain.records import ChildRecord, EventRecord, Issue, id_key, normal_id, parse_child
from models.io.audited_export import export_text
from models.storage.db import Database, page_cache
from models.storage.store import (
    CHILD_T,
    EVENT_T,
    audit,
    child_from_row,
    child_row_values,
    event_from_row,
    event_row_values,
    insert_rows,
    iter_children,
)

FORMAT = "journey"
VERSION = 1


class ImportCancelled(Exception):
    """The person cancelled the import; the transaction was rolled back and nothing was written."""


class ImportError_(Exception):
    """A journey file that cannot be imported; `issues` says where and why."""

    def __init__(self, message: str, issues: Sequence[Issue] = ()):
        super().__init__(message)
        self.issues = list(issues)


@dataclass
class ImportResult:
    children_added: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    events_added: int = 0
    events_updated: int = 0
    skipped_children: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.children_added or self.children_updated or self.events_added or self.events_updated)

    def summary(self) -> str:
        text = (
            f"{self.children_added} children added, {self.children_updated} updated, "
            f"{self.children_unchanged} unchanged; {self.events_added} events added, "
            f"{self.events_updated} updated"
        )
        if self.skipped_children:
            text += f"; {len(self.skipped_children)} children with errors skipped"
        return text + "."


def read_journey_file(path: Path) -> Any:
    """The parsed JSON of a journey file, or an error that says what and where."""
    return _read(path)[0]


def _read(path: Path) -> tuple[Any, str]:
    """The parsed JSON of a journey file and the SHA-256 of its bytes (as `sha256sum` prints it)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportError_(f"{path}: no such file.") from None
    except OSError as exc:
        raise ImportError_(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not UTF-8 text (byte {exc.start}).") from None
    try:
        return loads_strict(text), hashlib.sha256(raw).hexdigest()
    except ImportError_ as exc:
        raise ImportError_(f"{path}: {exc}") from None


#: The deepest nesting of arrays and objects a journey file may have (the format needs 4: the
#: document, its children, a child's events, an event; the rest is room for unknown keys' values).
#: Our choice: deeper documents are refused before parsing, never by a recursion error.
MAX_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_NESTING = {"[": 1, "{": 1, "]": -1, "}": -1}
#: A `\\uD800`-`\\uDFFF` escape: a lone one decodes to a surrogate, which no file can hold.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]|\\u[dD][c-fC-F]")


class _Duplicated(dict[str, Any]):
    """An object with a key given twice (a plain JSON parser keeps the last and says nothing)."""

    def __init__(self, pairs: list[tuple[str, Any]], key: str):
        super().__init__(pairs)
        self.duplicate = key


def _constant(name: str) -> Any:
    raise ImportError_(f"not valid JSON: {name} is not a number that JSON allows.")


def loads_strict(text: str) -> Any:
    """A journey document parsed from text, refusing what a plain `json.loads` lets through.

    Refused, each in one sentence with its JSON path: nesting deeper than `MAX_DEPTH` (checked on
    the text first: the parser itself would recurse), a key given twice in one object, a number too
    long to convert, NaN or Infinity, and a lone surrogate escape (`"\\ud800"`). Field-level rules
    (types, lengths, character sets) are the records' own (`TEXT_FIELDS`). The document is walked
    for its path only when something was found: a clean file costs the parse and two regex passes.
    """
    depth = max(accumulate(map(_NESTING.__getitem__, _NOT_BRACKET.sub("", _STRING.sub("", text)))), default=0)
    if depth > MAX_DEPTH:
        raise ImportError_(
            f"nested {depth} levels deep; a journey file may nest arrays and objects at most {MAX_DEPTH} deep."
        )
    duplicated = False

    def obj(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        made = dict(pairs)
        if len(made) == len(pairs):
            return made
        duplicated = True
        seen: set[str] = set()
        return _Duplicated(pairs, next(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]

    try:
        data = json.loads(text, object_pairs_hook=obj, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise ImportError_(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    except ValueError as exc:  # Python's limit on the digits of an integer (int_max_str_digits)
        raise ImportError_(f"holds a number too long to read ({exc}).") from None
    if (duplicated or _SURROGATE_ESCAPE.search(text)) and (problem := _first_problem(data, "$")):
        raise ImportError_(problem)
    return data


def _first_problem(value: Any, where: str) -> str | None:
    """The first duplicated key or lone surrogate in a parsed document, as a sentence with its path."""
    if isinstance(value, str):
        if _LONE_SURROGATE.search(value):
            return f"the text at {where} holds a lone surrogate (an unpaired \\u escape), which is not text."
        return None
    if isinstance(value, dict):
        if isinstance(value, _Duplicated):
            return (
                f"the key {json.dumps(value.duplicate)} appears twice in the object at {where}; "
                "which of the two is meant is unknown."
            )
        for key, item in value.items():
            if _LONE_SURROGATE.search(key):
                return f"a key of the object at {where} holds a lone surrogate (an unpaired \\u escape)."
            inner = f"{where}.{key}" if key.isidentifier() else f"{where}[{json.dumps(key)}]"
            if (problem := _first_problem(item, inner)) is not None:
                return problem
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if (problem := _first_problem(item, f"{where}[{i}]")) is not None:
                return problem
    return None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_journey(data: Any) -> tuple[list[ChildRecord], list[Issue], list[str]]:
    """Check a whole journey document: the valid children, every issue, and the invalid child ids."""
    if not isinstance(data, dict):
        raise ImportError_("A journey file must be a JSON object with format, version and children.")
    if data.get("format") != FORMAT:
        raise ImportError_(f"Not a journey file: format is {data.get('format')!r}, expected {FORMAT!r}.")
    if data.get("version") != VERSION:
        raise ImportError_(
            f"Unsupported journey file version {data.get('version')!r}; this version reads {VERSION}."
        )
    children = data.get("children")
    if not isinstance(children, list):
        raise ImportError_("A journey file needs a list of children.")
    # Ids are compared as people read them: 'A1 ', 'a1' and a fullwidth 'Ａ1' are one child.
    seen: set[str] = set()
    duplicated: set[str] = set()
    for raw in children:
        child_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(child_id, str):
            key = id_key(child_id)
            if key in seen:
                duplicated.add(key)
            seen.add(key)
    valid: list[ChildRecord] = []
    issues: list[Issue] = []
    invalid: list[str] = []
    for index, raw in enumerate(children):
        record, problems = parse_child(raw, index)
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        child_id = normal_id(raw_id) if isinstance(raw_id, str) else None
        if child_id is not None and id_key(child_id) in duplicated:
            # Which of two records with one id is right is unknown, so neither is imported.
            problems.append(
                Issue(
                    "the same child id appears more than once in the file (ids are compared ignoring case, "
                    "spaces at either end and look-alike forms of letters)",
                    child_id=child_id,
                    child_index=index,
                    field="id",
                )
            )
        if problems:
            issues.extend(problems)
            invalid.append(child_id if child_id is not None else f"#{index + 1}")
        elif record is not None:
            valid.append(record)
    return valid, issues, invalid


def import_journey(
    db: Database,
    data: Any,
    *,
    valid_only: bool = False,
    source: str | None = None,
    user: str | None = None,
    digest: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Import a parsed journey document; nothing is written if it has errors (unless `valid_only`).

    The audit entry names the `source` and its SHA-256: `digest` when given (the file's bytes),
    otherwise one of the document written out with sorted keys. When `cancelled()` is true once
    the rows are written, the transaction is rolled back (`ImportCancelled`): nothing is kept.
    """
    children, issues, invalid = parse_journey(data)
    children = _look_alikes_refused(db, children, issues, invalid)
    if issues and not valid_only:
        raise ImportError_(
            f"The file has {len(issues)} error(s) in {len(invalid)} child record(s); nothing was imported.",
            issues,
        )
    result = ImportResult(skipped_children=invalid, issues=issues)
    if source and digest is None:
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()
    with db.engine.begin() as conn, page_cache(conn, IMPORT_CACHE_KIB):
        _write(conn, children, result, user)
        if cancelled is not None and cancelled():
            raise ImportCancelled("The import was cancelled; nothing was written.")
        audit(
            conn,
            "import",
            "journey",
            source,
            after={
                "source": source,
                "sha256": digest,
                "children_added": result.children_added,
                "children_updated": result.children_updated,
                "events_added": result.events_added,
                "events_updated": result.events_updated,
                "skipped_children": invalid,
            },
            user=user,
        )
    return result


def _look_alikes_refused(
    db: Database, children: list[ChildRecord], issues: list[Issue], invalid: list[str]
) -> list[ChildRecord]:
    """The children whose id is not a look-alike of a different id already in the tracker ('a1' or
    'Ａ1' beside 'A1'); each look-alike becomes an issue, as a duplicate in the file does."""
    with db.engine.connect() as conn:
        known = {id_key(i): i for (i,) in conn.execute(select(CHILD_T.c.id))}
    if not known:
        return children
    kept = []
    for child in children:
        same = known.get(id_key(child.id))
        if same is None or same == child.id:
            kept.append(child)
            continue
        issues.append(
            Issue(
                f"the id reads the same as {same!r}, already in the tracker (ids are compared ignoring "
                "case, spaces at either end and look-alike forms of letters); use that id",
                child_id=child.id,
                field="id",
            )
        )
        invalid.append(child.id)
    return kept


def import_file(
    db: Database, path: Path, *, valid_only: bool = False, user: str | None = None
) -> ImportResult:
    data, digest = _read(path)
    return import_journey(db, data, valid_only=valid_only, source=str(path), user=user, digest=digest)


#: SQLite's page cache while importing, in KiB (its default is 2 MiB): a large import in one
#: transaction otherwise keeps spilling index pages. Measured 10 to 15% off writing 400,000 events.
IMPORT_CACHE_KIB = 64 * 1024


def _chunks(items: Sequence[str], size: int = 900) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _write(conn: Connection, children: Sequence[ChildRecord], result: ImportResult, user: str | None) -> None:
    ids = [c.id for c in children]
    existing: dict[str, ChildRecord] = {}
    has_rows = conn.execute(select(CHILD_T.c.id).limit(1)).first() is not None
    if has_rows:
        for chunk in _chunks(ids):
            rows = conn.execute(select(CHILD_T).where(CHILD_T.c.id.in_(chunk))).mappings().all()
            events: dict[str, list[EventRecord]] = {}
            for erow in conn.execute(select(EVENT_T).where(EVENT_T.c.child_id.in_(chunk))).mappings():
                events.setdefault(erow["child_id"], []).append(event_from_row(erow))
            for row in rows:
                existing[row["id"]] = child_from_row(row, events.get(row["id"], ()))

    new_children: list[dict[str, Any]] = []
    changed_children: list[dict[str, Any]] = []
    new_events: list[dict[str, Any]] = []
    changed_events: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []  # audited once the rows are written (they carry their digests)
    for child in children:
        before = existing.get(child.id)
        if before is None:
            new_children.append(child_row_values(child))
            new_events.extend(event_row_values(child.id, e) for e in child.events)
            result.children_added += 1
            result.events_added += len(child.events)
            continue
        touched = False
        if (dict(before.fields), dict(before.extra)) != (dict(child.fields), dict(child.extra)):
            changed_children.append(child_row_values(child))
            touched = True
        old_events = {e.id: e for e in before.events}
        added, updated = [], []
        for event in child.events:
            old = old_events.get(event.id)
            if old is None:
                added.append(event)
            elif old != event:
                updated.append((old, event))
        new_events.extend(event_row_values(child.id, e) for e in added)
        changed_events.extend(event_row_values(child.id, e) for _, e in updated)
        result.events_added += len(added)
        result.events_updated += len(updated)
        if touched or added or updated:
            result.children_updated += 1
            updates.append(
                dict(
                    action="import-update",
                    entity="child",
                    entity_id=child.id,
                    child_id=child.id,
                    before={"details": _details(before), "events": [o.to_json() for o, _ in updated]},
                    after={
                        "details": _details(child),
                        "events": [e.to_json() for _, e in updated],
                        "added": [e.to_json() for e in added],
                    },
                    user=user,
                )
            )
        else:
            result.children_unchanged += 1

    insert_rows(conn, CHILD_T, new_children)
    insert_rows(conn, EVENT_T, new_events)
    if changed_children:
        stmt = (
            update(CHILD_T)
            .where(CHILD_T.c.id == bindparam("_id"))
            .values({k: bindparam(k) for k in changed_children[0] if k != "id"})
        )
        conn.execute(
            stmt, [{**{k: v for k, v in c.items() if k != "id"}, "_id": c["id"]} for c in changed_children]
        )
    if changed_events:
        keys = [k for k in changed_events[0] if k not in ("child_id", "event_id")]
        stmt = (
            update(EVENT_T)
            .where(EVENT_T.c.child_id == bindparam("_child"), EVENT_T.c.event_id == bindparam("_event"))
            .values({k: bindparam(k) for k in keys})
        )
        conn.execute(
            stmt,
            [
                {**{k: e[k] for k in keys}, "_child": e["child_id"], "_event": e["event_id"]}
                for e in changed_events
            ],
        )
    for entry in updates:
        audit(conn, **entry)
    if new_children:
        audit(
            conn,
            "import-create",
            "child",
            None,
            after={"children": [c["id"] for c in new_children], "events": len(new_events)},
            user=user,
            children=[c["id"] for c in new_children],
        )


def _details(record: ChildRecord) -> dict[str, Any]:
    data = record.to_json()
    data.pop("events")
    return data


def export_journey(
    db: Database, child_ids: Sequence[str] | None = None, user: str | None = None
) -> dict[str, Any]:
    """Every child (or the given ones) with its chronology, as a journey document."""
    with db.engine.connect() as conn:
        children = [c.to_json() for c in iter_children(conn, child_ids)]
    return {"format": FORMAT, "version": VERSION, "children": children}


def export_file(
    db: Database, path: Path, child_ids: Sequence[str] | None = None, user: str | None = None
) -> int:
    """Every child (or the given ones) to a journey file, through the one audited export path
    (`models.io.audited_export`); returns the children written."""
    data = export_journey(db, child_ids)

    def fill(fh: TextIO) -> dict[str, Any]:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
        return {"children": len(data["children"])}

    export_text(db, path, fill, what="journey", user=user)
    return len(data["children"])


def issues_report(issues: Iterable[Issue], limit: int = 50) -> str:
    lines = []
    for n, issue in enumerate(issues):
        if n == limit:
            lines.append("...")
            break
        lines.append(f"- {issue}")
    return "\n".join(lines)
