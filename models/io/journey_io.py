"""Import and export of journey files (`journey-format.md`).

Import is all-or-nothing: every child is checked first, and a file with any error writes nothing
unless the caller asks for the valid children only. Events carry ids, so importing the same file
twice changes nothing: an event whose id is already present is updated, not duplicated. Writes go
through SQLAlchemy Core in bulk, inside one transaction.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
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


def _depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings not counted)."""
    return max(accumulate(map(_NESTING.__getitem__, _NOT_BRACKET.sub("", _STRING.sub("", text)))), default=0)


def loads_strict(text: str) -> Any:
    """A journey document parsed from text, refusing what a plain `json.loads` lets through.

    Refused, each in one sentence with its JSON path: nesting deeper than `MAX_DEPTH` (checked on
    the text first: the parser itself would recurse), a key given twice in one object, a number too
    long to convert, NaN or Infinity, and a lone surrogate escape (`"\\ud800"`). Field-level rules
    (types, lengths, character sets) are the records' own (`TEXT_FIELDS`). The document is walked
    for its path only when something was found: a clean file costs the parse and two regex passes.
    """
    depth = _depth(text)
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
    check_header(data)
    children = data.get("children")
    if not isinstance(children, list):
        raise ImportError_("A journey file needs a list of children.")
    duplicated = duplicated_ids(children)
    valid: list[ChildRecord] = []
    issues: list[Issue] = []
    invalid: list[str] = []
    for index, raw in enumerate(children):
        record, problems = check_child(raw, index, duplicated)
        if problems:
            issues.extend(problems)
            invalid.append(invalid_name(raw, index))
        elif record is not None:
            valid.append(record)
    return valid, issues, invalid


def check_header(data: Any) -> None:
    """A journey document's own keys: a JSON object of this format and version (or an error)."""
    if not isinstance(data, dict):
        raise ImportError_("A journey file must be a JSON object with format, version and children.")
    if data.get("format") != FORMAT:
        raise ImportError_(f"Not a journey file: format is {data.get('format')!r}, expected {FORMAT!r}.")
    if data.get("version") != VERSION:
        raise ImportError_(
            f"Unsupported journey file version {data.get('version')!r}; this version reads {VERSION}."
        )


def duplicated_ids(children: Iterable[Any]) -> set[str]:
    """The ids (as `id_key` compares them) that more than one child record of the file carries:
    'A1 ', 'a1' and a fullwidth 'Ａ1' are one child, as people read them."""
    seen: set[str] = set()
    duplicated: set[str] = set()
    for raw in children:
        child_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(child_id, str):
            key = id_key(child_id)
            if key in seen:
                duplicated.add(key)
            seen.add(key)
    return duplicated


def check_child(raw: Any, index: int, duplicated: Collection[str]) -> tuple[ChildRecord | None, list[Issue]]:
    """One child record of the file (the `index`th) checked: the record, or its problems."""
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
    return record, problems


def invalid_name(raw: Any, index: int) -> str:
    """How the summary names a child record with errors: its id, or its place in the file."""
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    return normal_id(raw_id) if isinstance(raw_id, str) else f"#{index + 1}"


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
        created = _Created(_has_children(conn))
        _write(conn, children, result, user, created)
        _audit_created(conn, created, user)
        if cancelled is not None and cancelled():
            raise ImportCancelled("The import was cancelled; nothing was written.")
        _audit_import(conn, result, source, digest, user)
    return result


def _known_ids(conn: Connection) -> dict[str, str]:
    """The tracker's child ids by `id_key` (how people read them)."""
    return {id_key(i): i for (i,) in conn.execute(select(CHILD_T.c.id))}


def _look_alike(known: dict[str, str], child: ChildRecord) -> Issue | None:
    """An issue when the child's id is a look-alike of a different id already in the tracker ('a1'
    or 'Ａ1' beside 'A1'), as a duplicate in the file is."""
    same = known.get(id_key(child.id))
    if same is None or same == child.id:
        return None
    return Issue(
        f"the id reads the same as {same!r}, already in the tracker (ids are compared ignoring "
        "case, spaces at either end and look-alike forms of letters); use that id",
        child_id=child.id,
        field="id",
    )


def _look_alikes_refused(
    db: Database, children: list[ChildRecord], issues: list[Issue], invalid: list[str]
) -> list[ChildRecord]:
    """The children whose id is not a look-alike of a different id already in the tracker; each
    look-alike becomes an issue."""
    with db.engine.connect() as conn:
        known = _known_ids(conn)
    if not known:
        return children
    kept = []
    for child in children:
        issue = _look_alike(known, child)
        if issue is None:
            kept.append(child)
        else:
            issues.append(issue)
            invalid.append(child.id)
    return kept


def _audit_import(
    conn: Connection, result: ImportResult, source: str | None, digest: str | None, user: str | None
) -> None:
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
            "skipped_children": result.skipped_children,
        },
        user=user,
    )


def import_file(
    db: Database, path: Path, *, valid_only: bool = False, user: str | None = None
) -> ImportResult:
    """Import a journey file, read a child at a time (`_import_streamed`); a file laid out in a way
    the streamed reader does not follow is read whole, as `json.loads` reads it, with the same
    checks and the same result."""
    try:
        return _import_streamed(db, path, valid_only=valid_only, user=user)
    except _NotStreamable:
        pass
    data, digest = _read(path)
    return import_journey(db, data, valid_only=valid_only, source=str(path), user=user, digest=digest)


#: Valid children written at a time by the streamed import (all in its one transaction).
IMPORT_CHUNK = 2_000


def _import_streamed(db: Database, path: Path, *, valid_only: bool, user: str | None) -> ImportResult:
    """`import_journey` of a file that is never all in memory: read twice, a child at a time.

    The first reading finds the file's own keys, the ids (a record whose id is duplicated is
    invalid wherever the other one is) and the SHA-256; the second checks each child and writes
    the valid ones `IMPORT_CHUNK` at a time, inside one transaction. A file with errors is still
    read to the end, for every issue, and then nothing is kept (unless `valid_only`). Measured at
    50,000 children (1,043,787 events): see benchmarks/README.md, "Reading bench_scale.py".
    """
    first = _JourneyStream(path)
    header: dict[str, Any] = {}

    def children() -> Iterator[Any]:
        for key, value in first:
            if key == _CHILD:
                yield value
            else:
                header[key] = value

    duplicated = duplicated_ids(children())
    if not first.listed:
        raise _NotStreamable  # no list of children: read whole, for the error that says so
    check_header(header)
    result = ImportResult()
    second = _JourneyStream(path)
    with db.engine.begin() as conn, page_cache(conn, IMPORT_CACHE_KIB):
        created = _Created(_has_children(conn))
        known = _known_ids(conn) if created.had_children else {}
        chunk: list[ChildRecord] = []
        index = 0
        for key, raw in second:
            if key != _CHILD:
                continue
            record, problems = check_child(raw, index, duplicated)
            if record is not None and not problems and known and (issue := _look_alike(known, record)):
                problems.append(issue)
            if problems:
                result.issues.extend(problems)
                result.skipped_children.append(invalid_name(raw, index))
            elif record is not None and (valid_only or not result.issues):
                chunk.append(record)
                if len(chunk) == IMPORT_CHUNK:
                    _write(conn, chunk, result, user, created)
                    chunk = []
            index += 1
        if second.digest != first.digest:
            raise ImportError_(f"{path}: changed while it was being read; nothing was imported.")
        if result.issues and not valid_only:
            raise ImportError_(
                f"The file has {len(result.issues)} error(s) in {len(result.skipped_children)} child "
                "record(s); nothing was imported.",
                result.issues,
            )
        _write(conn, chunk, result, user, created)
        _audit_created(conn, created, user)
        _audit_import(conn, result, str(path), first.digest, user)
    return result


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made = dict(pairs)
    if len(made) != len(pairs):
        raise _NotStreamable  # a key given twice
    return made


def _no_constant(name: str) -> Any:
    raise _NotStreamable  # NaN or Infinity


class _NotStreamable(Exception):
    """The file is not a JSON object the streamed reader follows (or not JSON, or not UTF-8): it is
    read whole instead, which also gives the error that says what and where."""


#: What `_JourneyStream` yields as the key of each element of the document's "children".
_CHILD = "\x00child"
_WHITESPACE = " \t\n\r"  # JSON's, as the json module reads it
#: Bytes read at a time.
READ_BYTES = 1 << 20


class _JourneyStream:
    """The top-level members of a journey file, read a megabyte at a time: (key, value) for each
    of the object's own keys and (`_CHILD`, record) for each element of its "children" list, each
    decoded by the json module's own decoder. `digest` is the file's SHA-256 once read to the end.

    Raises `_NotStreamable` for anything `json.loads` of the whole file might read differently:
    bytes that are not UTF-8, a document that is not one object, a key given twice, bad JSON.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest: str | None = None
        self.listed = False  # whether the document's "children" is a list
        # The strict reader's refusals (`loads_strict`): anything it would refuse is read whole
        # instead, by it, for its sentence.
        self._decode = json.JSONDecoder(
            object_pairs_hook=_unique_pairs, parse_constant=_no_constant
        ).raw_decode
        self._text = ""
        self._at = 0
        self._eof = False

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        try:
            fh = self.path.open("rb")
        except OSError:
            raise _NotStreamable from None
        with fh:
            self._fh = fh
            self._hash = hashlib.sha256()
            self._utf8 = codecs.getincrementaldecoder("utf-8")()
            yield from self._document()
        self.digest = self._hash.hexdigest()

    def _read(self) -> bool:
        """More text into the buffer (the part already read dropped); False at the end of the file."""
        if self._eof:
            return False
        raw = self._fh.read(READ_BYTES)
        self._hash.update(raw)
        try:
            text = self._utf8.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise _NotStreamable from None
        self._text = self._text[self._at :] + text
        self._at = 0
        self._eof = not raw
        return True

    def _char(self) -> str:
        """The next character that is not whitespace, not consumed ('' at the end of the file)."""
        while True:
            text, at = self._text, self._at
            while at < len(text) and text[at] in _WHITESPACE:
                at += 1
            self._at = at
            if at < len(text):
                return text[at]
            if not self._read():
                return ""

    def _expect(self, *chars: str) -> str:
        char = self._char()
        if char not in chars or not char:
            raise _NotStreamable
        self._at += 1
        return char

    def _value(self) -> Any:
        """The JSON value at the cursor. One that ends at the end of the text read so far may be
        cut short (a number), so it is decoded again with more text."""
        self._char()
        while True:
            try:
                value, end = self._decode(self._text, self._at)
            except json.JSONDecodeError:
                if self._read():
                    continue
                raise _NotStreamable from None
            except (ValueError, RecursionError):  # an over-long integer, very deep nesting
                raise _NotStreamable from None
            if end == len(self._text) and self._read():
                continue
            text = self._text[self._at : end]
            # Inside the document and its list of children: two levels deeper than the value.
            if _depth(text) + 2 > MAX_DEPTH or _SURROGATE_ESCAPE.search(text):
                raise _NotStreamable
            self._at = end
            return value

    def _document(self) -> Iterator[tuple[str, Any]]:
        self._expect("{")
        keys: set[str] = set()
        if self._char() == "}":
            self._at += 1
        else:
            while True:
                if self._char() != '"':
                    raise _NotStreamable
                key = self._value()
                if key in keys or key == _CHILD:
                    raise _NotStreamable  # json.loads keeps the last of a repeated key
                keys.add(key)
                self._expect(":")
                if key == "children" and self._char() == "[":
                    self._at += 1
                    self.listed = True
                    yield from self._elements()
                else:
                    yield key, self._value()
                if self._expect(",", "}") == "}":
                    break
        if self._char() != "":
            raise _NotStreamable  # more after the object

    def _elements(self) -> Iterator[tuple[str, Any]]:
        if self._char() == "]":
            self._at += 1
            return
        while True:
            yield _CHILD, self._value()
            if self._expect(",", "]") == "]":
                return


#: SQLite's page cache while importing, in KiB (its default is 2 MiB): a large import in one
#: transaction otherwise keeps spilling index pages. Measured 10 to 15% off writing 400,000 events.
IMPORT_CACHE_KIB = 64 * 1024


def _chunks(items: Sequence[str], size: int = 900) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class _Created:
    """The children an import adds, for its one audit entry, written once every chunk is."""

    had_children: bool
    ids: list[str] = field(default_factory=list)
    events: int = 0


def _has_children(conn: Connection) -> bool:
    return conn.execute(select(CHILD_T.c.id).limit(1)).first() is not None


def _audit_created(conn: Connection, created: _Created, user: str | None) -> None:
    if created.ids:
        audit(
            conn,
            "import-create",
            "child",
            None,
            after={"children": created.ids, "events": created.events},
            user=user,
            children=created.ids,  # their digests, so an edit outside the tracker shows
        )


def _write(
    conn: Connection,
    children: Sequence[ChildRecord],
    result: ImportResult,
    user: str | None,
    created: _Created,
) -> None:
    """Write some of an import's valid children (each with a unique id), compared with the database.

    `created.had_children`: whether the database had any child before the import began; if not,
    no record can be there already and none is looked up.
    """
    ids = [c.id for c in children]
    existing: dict[str, ChildRecord] = {}
    if created.had_children:
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
    created.ids.extend(c["id"] for c in new_children)
    created.events += len(new_events)


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
