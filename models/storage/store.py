"""Use cases over the database: read chronologies in bulk, compute deadlines, record changes.

Every change goes through one function here, in one transaction, with an audit row naming the
operating-system user, the time, and the record before and after. Readers return plain records,
never live ORM objects.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, Final

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Integer,
    RowMapping,
    String,
    Table,
    delete,
    desc,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator

from models.domain.calendar import WorkingCalendar, calendar_for
from models.domain.engine import Deadline, Opening, all_deadlines, child_deadlines
from models.domain.journey import CHILD_FIELDS, EVENT_TYPES, Event
from models.domain.records import (
    ChildRecord,
    EventRecord,
    Issue,
    check_chronology,
    describe_event,
    parse_date,
)
from models.storage import bulk, read_check, roles, server, witness
from models.storage.bulk import bulk_work, packed_events
from models.storage.db import Database
from models.storage.errors import KnownError
from models.storage.settings import Settings, read_settings
from models.storage.tables import AuditRow, Child, EventRow, SettingRow, column_of, field_of

CHILD_T = Child.__table__  # type: ignore[attr-defined]
EVENT_T = EventRow.__table__  # type: ignore[attr-defined]
AUDIT_T = AuditRow.__table__  # type: ignore[attr-defined]
SETTING_T = SettingRow.__table__  # type: ignore[attr-defined]

_ENGINE_COLUMNS = "child_id, type, date, event_id, s47, icpc_needed, outcome, drp_stage, until, weeks, ref"


class ValidationError(Exception):
    """A change refused because it breaks a rule of the journey format."""

    def __init__(self, issues: Sequence[Issue]):
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = list(issues)


class ConflictError(KnownError):
    """A save against a record that someone else changed (or deleted, or created) since it was read.

    The message names who made that change and when, from the audit log; nothing was written, and
    a form that was saving stays open with what was typed.
    """


class _Unchecked:
    """The `expected` of a change made without reading first (an import, a test): not compared."""

    def __repr__(self) -> str:
        return "UNCHECKED"


#: Pass as `expected` to write without comparing what is stored (the journey import does its own).
UNCHECKED: Final = _Unchecked()


class PermissionRefused(KnownError):
    """The team server refused a change the signed-in person's role does not allow (said which)."""


@contextmanager
def _permission(db: Database, action: str, needed: Callable[[], list[roles.TeamRole]]) -> Iterator[None]:
    """Turn the server's "permission denied" (or a row-level security refusal) into one sentence
    naming the role the action needs."""
    try:
        yield
    except DBAPIError as exc:
        if db.is_sqlite or getattr(exc.orig, "sqlstate", None) != "42501":
            raise
        with db.engine.connect() as conn:
            raise PermissionRefused(_refusal_text(conn, action, needed())) from None


def _refusal_text(conn: Connection, action: str, needed: list[roles.TeamRole]) -> str:
    user = str(conn.execute(text("SELECT session_user")).scalar_one())
    return roles.refusal_message(action, needed, user, roles.roles_of(conn))


def _one_row(conn: Connection, result: Any, action: str, event_type: str) -> None:
    """An UPDATE or DELETE of one event that row-level security hid (no error, no row) is refused."""
    if result.rowcount != 1:
        raise PermissionRefused(_refusal_text(conn, action, roles.roles_recording(event_type)))


def _event_roles(db: Database, child_id: str, event_id: str) -> list[roles.TeamRole]:
    with db.engine.connect() as conn:
        kind = conn.execute(
            select(EVENT_T.c.type).where(EVENT_T.c.child_id == child_id, EVENT_T.c.event_id == event_id)
        ).scalar()
    return roles.roles_recording(str(kind)) if kind else [roles.OFFICER]


def _recording(verb: str, event_type: str) -> str:
    """'recording a hearing', 'changing an initial child protection conference'."""
    what = EVENT_TYPES[event_type].label.lower() if event_type in EVENT_TYPES else "event"
    return f"{verb} {'an' if what[0] in 'aeiou' else 'a'} {what}"


def current_user() -> str:
    """This computer's account that runs the tracker: from the process's user id, not from
    `$LOGNAME` or `$USER`, which anyone can set to anything."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # Windows (no pwd), or a uid with no name (a container)
        try:
            return getpass.getuser()
        except Exception:
            return "unknown"


#: How a laptop's audit names the person: only the computer's account is known, and it says so.
COMPUTER_ACCOUNT: Final = "computer account: "


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str)


def audit(
    conn: Connection,
    action: str,
    entity: str,
    entity_id: str | None,
    *,
    child_id: str | None = None,
    before: Any = None,
    after: Any = None,
    user: str | None = None,
    children: Iterable[str] = (),
) -> None:
    """Write one audit row, chained to the previous one, inside the caller's transaction.

    On SQLite the row is version 2 (`models.storage.witness`): keyed by the database's audit key
    and carrying the digests of the rows it leaves behind: `child_id`'s and those of `children`
    (the children a bulk change touched), and the settings'. So it must be written after the
    transaction's changes to them. The team server writes version 1 rows (its audit is append-only
    by the server's own rights), with the signed-in role as the person; on a laptop, unless the
    caller names someone, the person is "computer account: NAME", all that is known there.
    """
    sqlite = conn.dialect.name == "sqlite"
    if not sqlite:
        # On the team server the person is the role they signed in as, whoever the caller names.
        user = str(conn.execute(text("SELECT session_user")).scalar_one())
    row: dict[str, Any] = {
        "at": now_utc(),
        "user": user or COMPUTER_ACCOUNT + current_user(),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "child_id": child_id,
        "before": _json(before),
        "after": _json(after),
    }
    if not sqlite:
        # Writers to the team server take turns at the end of the chain (SQLite has one writer).
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    last = conn.execute(select(AUDIT_T.c.hash, AUDIT_T.c.at).order_by(AUDIT_T.c.id.desc()).limit(1)).first()
    previous = "" if last is None else str(last[0])
    if last is not None and str(last[1]) > row["at"]:
        row["at"] = str(last[1])  # the clock went back: time in the log never does
    key = conn.info.get(witness.INFO_KEY) if sqlite else None
    if key is None:
        row["hash"] = chain_hash(previous, row)
    else:
        touched = {*children, *([child_id] if child_id else [])}
        dbapi = conn.connection.dbapi_connection
        row["digests"] = witness.entry_digests(dbapi, touched)
        row["version"] = witness.VERSION
        row["hash"] = witness.entry_mac(key, previous, [row[k] for k in AUDIT_HASHED], row["digests"])
        conn.info[witness.INFO_WROTE] = True
    conn.execute(insert(AUDIT_T), row)
    if conn.dialect.name != "sqlite" and action not in READING_ACTIONS:
        # Everyone else's screen hears of the change when it commits (and not if it rolls back).
        conn.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": server.CHANNEL, "payload": server.notice(child_id)},
        )


#: Audited actions that change nothing others see (an export, a printed report, a backup).
READING_ACTIONS: Final = frozenset(("export", "report", "backup", "print"))

#: The team server's advisory lock for appending to the audit chain.
AUDIT_LOCK: Final = 0x41554454  # "AUDT"
#: The first key of the advisory lock that one child's writers take turns with.
CHILD_LOCK: Final = 0x4348494C  # "CHIL"

#: The audit columns a row's hash covers, in order.
AUDIT_HASHED = ("at", "user", "action", "entity", "entity_id", "child_id", "before", "after")


def chain_hash(previous: str, row: Mapping[str, Any] | RowMapping) -> str:
    payload = json.dumps([previous, *(row[k] for k in AUDIT_HASHED)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- Bulk inserts ---------------------------------------------------------------------------

#: Rows per statement in a bulk insert.
INSERT_BATCH = 5000


_BOOLS = frozenset((True, False))


#: Each date's text, made once: an import writes a million dates of a few thousand days (the
#: formatting was a tenth of writing a large import's rows). At most the days of 1990 to 2075.
_DATE_TEXT: dict[date, str] = {}


def _sqlite_date(value: Any) -> str:
    # What SQLAlchemy's SQLite DATE stores (and, like it, nothing but a date is accepted).
    if type(value) is date:
        text = _DATE_TEXT.get(value)
        if text is None:
            text = _DATE_TEXT[value] = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        return text
    if not isinstance(value, date):
        raise TypeError(f"a date column was given {value!r}, which is not a date")
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _sqlite_bool(value: Any) -> int:
    if value not in _BOOLS:  # as SQLAlchemy's check: 1 and 0 pass, "yes" does not
        raise TypeError(f"a yes/no column was given {value!r}, which is not True or False")
    return int(value)


_NO_FAST_PATH = object()


def _sqlite_converter(column_type: Any) -> Any:
    """How a value of this column type goes to the SQLite driver: a function, None to pass it as
    it is, or `_NO_FAST_PATH` for a type left to SQLAlchemy (a date-time, say)."""
    if isinstance(column_type, TypeDecorator):  # SQLModel's AutoString: a String underneath
        if type(column_type).process_bind_param is not TypeDecorator.process_bind_param:
            return _NO_FAST_PATH
        column_type = column_type.impl
    if isinstance(column_type, Date):
        return _sqlite_date
    if isinstance(column_type, Boolean):
        return _sqlite_bool
    if isinstance(column_type, (String, Integer)):
        return None
    return _NO_FAST_PATH


def _sqlite_converters(
    conn: Connection, table: Table, columns: Sequence[str]
) -> list[tuple[int, Callable[[Any], Any]]] | None:
    """The columns whose values need converting for the SQLite driver, by position; None when
    this insert is left to SQLAlchemy (another database, or a column type not handled here)."""
    if conn.dialect.name != "sqlite":
        return None
    converters = []
    for i, column in enumerate(columns):
        convert = _sqlite_converter(table.c[column].type)
        if convert is _NO_FAST_PATH:
            return None
        if convert is not None:
            converters.append((i, convert))
    return converters


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows (each with the same keys), `INSERT_BATCH` to a statement.

    On SQLite the values are converted here, once per column as SQLAlchemy would (dates to ISO
    text, yes/no to 1/0), and the driver's executemany gets plain tuples through Core's
    `exec_driver_sql`: SQLAlchemy's own per-row parameter processing was a quarter of writing a
    large import. Other databases, and tables with columns of other types, get a Core insert.
    """
    if not rows:
        return
    columns = list(rows[0])
    converters = _sqlite_converters(conn, table, columns)
    if converters is None:
        for start in range(0, len(rows), INSERT_BATCH):
            conn.execute(insert(table), list(rows[start : start + INSERT_BATCH]))
        return
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    get = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    for start in range(0, len(rows), INSERT_BATCH):
        batch: list[tuple[Any, ...]] = []
        for row in rows[start : start + INSERT_BATCH]:
            values = list(get(row))
            for i, convert in converters:
                value = values[i]
                if value is not None:
                    values[i] = convert(value)
            batch.append(tuple(values))
        conn.exec_driver_sql(sql, batch)


# --- Rows <-> records -------------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def event_row_values(child_id: str, record: EventRecord) -> dict[str, Any]:
    """The column values of one event (every column present, so bulk statements line up)."""
    values = _NO_EVENT_VALUES.copy()
    values.update(
        child_id=child_id,
        event_id=record.id,
        type=record.type,
        date=record.date,
        note=record.note,
        recorded_by=record.recorded_by,
        extra=_json(dict(record.extra)) if record.extra else None,
    )
    for name, value in record.fields.items():
        values[column_of(record.type, name)] = value
    return values


_EVENT_VALUE_COLUMNS = tuple(c.name for c in EVENT_T.columns if c.name != "pk")
_NO_EVENT_VALUES: dict[str, Any] = dict.fromkeys(_EVENT_VALUE_COLUMNS)
_FIELD_COLUMNS = tuple(
    c
    for c in _EVENT_VALUE_COLUMNS
    if c not in ("child_id", "event_id", "type", "date", "note", "recorded_by", "extra")
)


def event_from_row(row: Mapping[str, Any] | RowMapping) -> EventRecord:
    """An event row as a record; a stored value the tracker never writes raises `BadValue` (read
    inside `read_check.values_checked`, which names the database)."""
    read_check.check_event_row(row)
    event_type = str(row["type"])
    spec_names = {s.name for s in EVENT_TYPES[event_type].fields}
    fields: dict[str, Any] = {}
    for column in _FIELD_COLUMNS:
        value = row[column]
        if value is None:
            continue
        name = field_of(column)
        if name not in spec_names or column_of(event_type, name) != column:
            continue
        spec = EVENT_TYPES[event_type].field(name)
        assert spec is not None
        if spec.kind.value == "bool":
            value = bool(value)
        elif spec.kind.value == "date":
            value = _as_date(value)
        elif spec.kind.value == "int":
            value = int(value)
        fields[name] = value
    return EventRecord(
        str(row["event_id"]),
        event_type,
        _as_date(row["date"]) or date.min,
        fields,
        row["note"],
        row["recorded_by"],
        json.loads(row["extra"]) if row["extra"] else {},
    )


def child_row_values(record: ChildRecord) -> dict[str, Any]:
    values: dict[str, Any] = {name: record.fields.get(name) for name in CHILD_FIELDS[1:]}
    values["untracked"] = ",".join(values["untracked"]) if values["untracked"] else None
    values["id"] = record.id
    values["extra"] = _json(dict(record.extra)) if record.extra else None
    return values


def child_from_row(row: Mapping[str, Any] | RowMapping, events: Iterable[EventRecord] = ()) -> ChildRecord:
    """A child row as a record, checked as `event_from_row` is."""
    read_check.check_child_row(row)
    fields: dict[str, Any] = {}
    for name in CHILD_FIELDS[1:]:
        value = row[name]
        if value is None:
            continue
        if name in ("date_of_birth", "expected_date_of_birth", "tracked_from"):
            value = _as_date(value)
        elif name == "disability":
            value = bool(value)
        elif name == "untracked":
            value = tuple(str(value).split(","))
        fields[name] = value
    extra = json.loads(row["extra"]) if row["extra"] else {}
    return ChildRecord(str(row["id"]), fields, extra).with_events(events)


# --- Reading ----------------------------------------------------------------------------------


def load_child(conn: Connection, child_id: str) -> ChildRecord | None:
    with read_check.values_checked(conn, [child_id]):
        row = conn.execute(select(CHILD_T).where(CHILD_T.c.id == child_id)).mappings().first()
        if row is None:
            return None
        events = conn.execute(
            select(EVENT_T).where(EVENT_T.c.child_id == child_id).order_by(EVENT_T.c.date, EVENT_T.c.pk)
        ).mappings()
        return child_from_row(row, [event_from_row(e) for e in events])


def get_child(db: Database, child_id: str) -> ChildRecord | None:
    with db.engine.connect() as conn:
        return load_child(conn, child_id)


def iter_children(
    conn: Connection, child_ids: Sequence[str] | None = None, *, reviewing_officer: str | None = None
) -> Iterable[ChildRecord]:
    """Every child with its events (or the given ones, or one reviewing officer's), in id order, in
    two bulk queries, filtered in SQL."""
    child_q = select(CHILD_T).order_by(CHILD_T.c.id)
    event_q = select(EVENT_T).order_by(EVENT_T.c.child_id, EVENT_T.c.date, EVENT_T.c.pk)
    if child_ids is not None:
        child_q = child_q.where(CHILD_T.c.id.in_(child_ids))
        event_q = event_q.where(EVENT_T.c.child_id.in_(child_ids))
    if reviewing_officer is not None:
        theirs = select(CHILD_T.c.id).where(CHILD_T.c.reviewing_officer == reviewing_officer)
        child_q = child_q.where(CHILD_T.c.reviewing_officer == reviewing_officer)
        event_q = event_q.where(EVENT_T.c.child_id.in_(theirs))
    by_child: dict[str, list[EventRecord]] = {}
    with read_check.values_checked(conn, child_ids):
        for row in conn.execute(event_q).mappings():
            by_child.setdefault(row["child_id"], []).append(event_from_row(row))
        for row in conn.execute(child_q).mappings():
            yield child_from_row(row, by_child.get(row["id"], ()))


def load_engine_events(conn: Connection, child_id: str | None = None) -> dict[str, list[Event]]:
    """The fields the rules read, for every child (or one), in bulk: the hot path.

    On SQLite each child's events come back as one string that SQLite packs in C (see
    `packed_events`). Elsewhere, one row per event through the driver's own cursor.
    """
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "sqlite":
            return packed_events(cursor, child_id)
        with read_check.values_checked(conn, None if child_id is None else [child_id]):
            return _server_events(cursor, None if child_id is None else [child_id])
    finally:
        cursor.close()


def _server_events(cursor: Any, child_ids: Sequence[str] | None) -> dict[str, list[Event]]:
    """The engine's events of every child (or of these) on the team server, one row per event."""
    where, params = ("", ()) if child_ids is None else (" WHERE child_id = ANY(%s)", (list(child_ids),))
    cursor.execute(
        "SELECT child_id, type, date, event_id, s47, icpc_needed, outcome, drp_stage, until, weeks, ref, "
        "category FROM event" + where,
        params,
    )
    rows = cursor.fetchall()
    out: dict[str, list[Event]] = {}
    for cid, etype, day, eid, s47, needed, outcome, stage, until, weeks, ref, category in rows:
        if etype not in EVENT_TYPES:
            raise read_check.BadValue(cid, eid, "type", etype, "an event type of the journey format")
        kept = category if etype == "drp_raised" else None
        out.setdefault(cid, []).append(
            Event(etype, day, eid, s47, needed, outcome, stage, until, weeks, ref, kept)
        )
    return out


def calendar_of(settings: Settings) -> WorkingCalendar:
    return calendar_for(frozenset(settings.standards.closure_days))


def load_openings(conn: Connection, child_id: str | None = None) -> dict[str, Opening]:
    """The opening balance of every child that has one (or of one child), for the engine."""
    query = select(CHILD_T.c.id, CHILD_T.c.tracked_from, CHILD_T.c.untracked).where(
        CHILD_T.c.tracked_from.is_not(None)
    )
    if child_id is not None:
        query = query.where(CHILD_T.c.id == child_id)
    with read_check.values_checked(conn, None if child_id is None else [child_id]):
        return bulk.openings_from_rows(conn.execute(query).all())


def compute_deadlines(
    db: Database, as_of: date, child_id: str | None = None, *, share: bool = True
) -> list[Deadline]:
    """Every deadline (of every child, or of one) at `as_of`, ordered by child then due date.

    A large caseload on an SQLite file is shared with a worker process (`bulk.judge_everyone`)
    unless `share` is False; the result is the same either way.
    """
    with bulk_work():
        with db.engine.connect() as conn:
            settings = read_settings(conn)
            if child_id is None and share:
                shared = bulk.judge_everyone(db, as_of, settings.standards)
                if shared is not None:
                    return shared
            events = load_engine_events(conn, child_id)
            openings = load_openings(conn, child_id)
        calendar = calendar_of(settings)
        if child_id is not None:
            return child_deadlines(
                child_id,
                events.get(child_id, []),
                as_of,
                settings.standards,
                calendar,
                openings.get(child_id),
            )
        return all_deadlines(events.items(), as_of, settings.standards, calendar, openings)


#: Children read, judged and handed on at a time by `stream_deadlines`: their events and
#: deadlines are all that is held (about 1.5 MB of events per thousand children).
STREAM_CHILDREN = 2_000


def stream_deadlines(db: Database, as_of: date, *, chunk: int = STREAM_CHILDREN) -> Iterator[list[Deadline]]:
    """Every child's deadlines at `as_of`, `chunk` children at a time, ordered by child then due date.

    The same deadlines in the same order as `compute_deadlines`, but only one chunk's events and
    deadlines are in memory at once: a caller writes each list out and drops it (drift's JSON and
    CSV). Every chunk is read in one transaction (a snapshot: REPEATABLE READ on the team server),
    so a change committed meanwhile is either wholly in the output or not at all.
    """
    with bulk_work(), db.engine.connect() as conn:
        if not db.is_sqlite:
            conn.execution_options(isolation_level="REPEATABLE READ")
        settings = read_settings(conn)
        calendar = calendar_of(settings)
        openings = load_openings(conn)  # the few children with a tracked_from: a small dict
        # Python's order, which is the engine's (SQLite compares ids byte by byte, which is the
        # same; the team server's collation may not be, so its chunks are lists of ids).
        ids = sorted(r[0] for r in conn.execute(select(CHILD_T.c.id)))
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(ids), chunk):
                stop = start + chunk
                if db.is_sqlite:
                    events = packed_events(
                        cursor,
                        from_id=ids[start] if start else None,
                        before_id=ids[stop] if stop < len(ids) else None,
                    )
                else:
                    with read_check.values_checked(conn, ids[start:stop]):
                        events = _server_events(cursor, ids[start:stop])
                yield all_deadlines(events.items(), as_of, settings.standards, calendar, openings)
                del events
        finally:
            cursor.close()


def child_ids(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(CHILD_T.c.id).order_by(CHILD_T.c.id))]


# --- Writing ----------------------------------------------------------------------------------


def save_settings(db: Database, settings: Settings, user: str | None = None) -> None:
    problems = settings.validate()
    if problems:
        raise ValidationError([Issue(p) for p in problems])
    with _permission(db, "changing the settings", lambda: [roles.ADMIN]), db.engine.begin() as conn:
        before = read_settings(conn)
        values = {
            "standards": json.dumps(settings.standards.to_json(), sort_keys=True),
            "authority_name": json.dumps(settings.authority_name),
            "protective_marking": json.dumps(settings.protective_marking),
            "drp_categories": json.dumps(list(settings.drp_categories)),
            "measure_targets": json.dumps(settings.to_json()["measure_targets"], sort_keys=True),
            "worker_caseload": json.dumps(list(settings.worker_caseload)),
            "iro_caseload": json.dumps(list(settings.iro_caseload)),
        }
        for key, value in values.items():
            conn.execute(delete(SETTING_T).where(SETTING_T.c.key == key))
            conn.execute(insert(SETTING_T), {"key": key, "value": value})
        audit(conn, "update", "settings", None, before=before.to_json(), after=settings.to_json(), user=user)


COMMENTARY_PREFIX: Final = "commentary:"


def read_commentary(db: Database, period_key: str) -> str:
    """The PIRO's commentary for a reporting period ('' when none has been written)."""
    with db.engine.connect() as conn:
        value = conn.execute(
            select(SETTING_T.c.value).where(SETTING_T.c.key == COMMENTARY_PREFIX + period_key)
        ).scalar_one_or_none()
    return str(json.loads(value)) if value is not None else ""


def save_commentary(db: Database, period_key: str, text: str, user: str | None = None) -> str:
    """Keep the PIRO's commentary for a period (an empty text removes it), audited; returns the text
    it replaced, so that the change can be undone by saving that back."""
    text = text.strip()
    if len(text) > COMMENTARY_LIMIT:
        raise ValidationError(
            [Issue(f"The commentary is {len(text)} characters long; keep it within {COMMENTARY_LIMIT}.")]
        )
    key = COMMENTARY_PREFIX + period_key
    with db.engine.begin() as conn:
        old = conn.execute(select(SETTING_T.c.value).where(SETTING_T.c.key == key)).scalar_one_or_none()
        before = str(json.loads(old)) if old is not None else ""
        if before == text:
            return before
        conn.execute(delete(SETTING_T).where(SETTING_T.c.key == key))
        if text:
            conn.execute(insert(SETTING_T), {"key": key, "value": json.dumps(text)})
        audit(
            conn,
            "update",
            "commentary",
            period_key,
            before={"text": before} if before else None,
            after={"text": text} if text else None,
            user=user,
        )
    return before


#: The commentary is printed on the board report's first page: about a page of text at most.
COMMENTARY_LIMIT: Final = 4000


def save_child(
    db: Database,
    record: ChildRecord,
    user: str | None = None,
    *,
    expected: ChildRecord | _Unchecked | None = UNCHECKED,
) -> None:
    """Create or update a child's details (not its events).

    `expected` is the child as the person read it (None: they are adding a new child). When what
    is stored differs, someone else changed it since, and `ConflictError` says who and when.
    """
    with _permission(db, "changing a child's details", lambda: [roles.OFFICER]), db.engine.begin() as conn:
        _lock_child(conn, record.id)
        existing = load_child(conn, record.id)
        if not isinstance(expected, _Unchecked):
            stored = None if existing is None else _child_details(existing)
            if stored != (None if expected is None else _child_details(expected)):
                raise ConflictError(
                    _conflict_message(conn, record.id, "child", record.id, _verb(existing, expected))
                )
        values = child_row_values(record)
        if existing is None:
            conn.execute(insert(CHILD_T), values)
            audit(
                conn,
                "create",
                "child",
                record.id,
                child_id=record.id,
                after=_child_details(record),
                user=user,
            )
        else:
            problems = check_chronology(record, existing.events)
            if problems:
                raise ValidationError(problems)
            conn.execute(update(CHILD_T).where(CHILD_T.c.id == record.id).values(values))
            audit(
                conn,
                "update",
                "child",
                record.id,
                child_id=record.id,
                before=_child_details(existing),
                after=_child_details(record),
                user=user,
            )


def _child_details(record: ChildRecord) -> dict[str, Any]:
    data = record.to_json()
    data.pop("events")
    return data


def delete_child(
    db: Database, child_id: str, user: str | None = None, *, expected: ChildRecord | _Unchecked = UNCHECKED
) -> ChildRecord:
    with _permission(db, "deleting a child", lambda: [roles.OFFICER]), db.engine.begin() as conn:
        _lock_child(conn, child_id)
        existing = load_child(conn, child_id)
        if not isinstance(expected, _Unchecked) and (
            existing is None or _child_details(existing) != _child_details(expected)
        ):
            raise ConflictError(
                _conflict_message(conn, child_id, "child", child_id, _verb(existing, expected))
            )
        if existing is None:
            raise KeyError(child_id)
        conn.execute(delete(EVENT_T).where(EVENT_T.c.child_id == child_id))
        conn.execute(delete(CHILD_T).where(CHILD_T.c.id == child_id))
        audit(conn, "delete", "child", child_id, child_id=child_id, before=existing.to_json(), user=user)
        return existing


def change_child_id(
    db: Database,
    old_id: str,
    new_id: str,
    user: str | None = None,
    *,
    expected: ChildRecord | _Unchecked = UNCHECKED,
) -> ChildRecord:
    """Correct a mistyped ID: the child and every event move to `new_id` in one transaction, with
    one audit row (before: the old ID, after: the new). The audit trail before keeps the old ID."""
    new_id = new_id.strip()
    with _permission(db, "correcting a child's ID", lambda: [roles.OFFICER]), db.engine.begin() as conn:
        _lock_child(conn, old_id)
        existing = load_child(conn, old_id)
        if not isinstance(expected, _Unchecked) and (
            existing is None or _child_details(existing) != _child_details(expected)
        ):
            raise ConflictError(_conflict_message(conn, old_id, "child", old_id, _verb(existing, expected)))
        if existing is None:
            raise KeyError(old_id)
        if not new_id or new_id == old_id:
            raise ValidationError([Issue("type the correct ID", child_id=old_id, field="id")])
        if load_child(conn, new_id) is not None:
            raise ValidationError(
                [Issue(f"a child with ID {new_id} already exists", child_id=old_id, field="id")]
            )
        moved = dataclasses.replace(existing, id=new_id)
        conn.execute(insert(CHILD_T), child_row_values(moved))
        conn.execute(update(EVENT_T).where(EVENT_T.c.child_id == old_id).values(child_id=new_id))
        conn.execute(delete(CHILD_T).where(CHILD_T.c.id == old_id))
        audit(
            conn,
            "update",
            "child",
            new_id,
            child_id=new_id,
            before={"id": old_id},
            after={"id": new_id},
            user=user,
        )
        return moved


def restore_child(db: Database, record: ChildRecord, user: str | None = None) -> None:
    """Put back a child deleted in error, with every event (the undo of `delete_child`), audited."""
    with _permission(db, "adding a child", lambda: [roles.OFFICER]), db.engine.begin() as conn:
        _lock_child(conn, record.id)
        if load_child(conn, record.id) is not None:
            raise ValidationError([Issue(f"a child with ID {record.id} already exists", child_id=record.id)])
        conn.execute(insert(CHILD_T), child_row_values(record))
        if record.events:
            conn.execute(insert(EVENT_T), [event_row_values(record.id, e) for e in record.events])
        audit(conn, "create", "child", record.id, child_id=record.id, after=record.to_json(), user=user)


def validate_event_change(
    child: ChildRecord, new: EventRecord | None, replacing: str | None = None
) -> list[Issue]:
    """What is wrong with the chronology after adding `new` (or replacing / deleting an event)."""
    events = [e for e in child.events if e.id != replacing]
    if new is not None:
        events.append(new)
    issues = check_chronology(child, events)
    if new is not None:
        issues = [i for i in issues if i.event_id in (new.id, None)] or issues
    return issues


def save_event(
    db: Database,
    child_id: str,
    record: EventRecord,
    user: str | None = None,
    *,
    expected: EventRecord | _Unchecked = UNCHECKED,
) -> EventRecord | None:
    """Replace one event (or add it, unchecked) after checking the whole chronology; returns the
    event it replaced.

    `expected` is the event as the person read it: when what is stored differs (someone else
    changed or deleted it since), nothing is written and `ConflictError` says who and when. A new
    event goes through `add_event`, which gives it an id no other writer has taken.
    """
    with (
        _permission(db, _recording("changing", record.type), lambda: roles.roles_recording(record.type)),
        db.engine.begin() as conn,
    ):
        _lock_child(conn, child_id)
        child = load_child(conn, child_id)
        if child is None:
            raise KeyError(child_id)
        previous = next((e for e in child.events if e.id == record.id), None)
        if not isinstance(expected, _Unchecked) and (previous != expected or expected.id != record.id):
            raise ConflictError(
                _conflict_message(
                    conn,
                    child_id,
                    "event",
                    record.id,
                    _verb(previous, expected),
                    previous or expected or record,
                )
            )
        issues = validate_event_change(child, record, replacing=record.id)
        if issues:
            raise ValidationError(issues)
        values = event_row_values(child_id, record)
        if previous is None:
            conn.execute(insert(EVENT_T), values)
            audit(conn, "create", "event", record.id, child_id=child_id, after=record.to_json(), user=user)
        else:
            changed = conn.execute(
                update(EVENT_T)
                .where(EVENT_T.c.child_id == child_id, EVENT_T.c.event_id == record.id)
                .values(values)
            )
            _one_row(conn, changed, _recording("changing", previous.type), previous.type)
            audit(
                conn,
                "update",
                "event",
                record.id,
                child_id=child_id,
                before=previous.to_json(),
                after=record.to_json(),
                user=user,
            )
        return previous


def delete_event(
    db: Database,
    child_id: str,
    event_id: str,
    user: str | None = None,
    *,
    expected: EventRecord | _Unchecked = UNCHECKED,
) -> EventRecord:
    """Delete one event, refusing when what is left would not be a valid chronology, or when it is
    no longer the `expected` event the person read (`ConflictError`)."""
    with (
        _permission(db, "deleting an event", lambda: _event_roles(db, child_id, event_id)),
        db.engine.begin() as conn,
    ):
        _lock_child(conn, child_id)
        child = load_child(conn, child_id)
        if child is None:
            raise KeyError(child_id)
        previous = next((e for e in child.events if e.id == event_id), None)
        if not isinstance(expected, _Unchecked) and previous != expected:
            raise ConflictError(
                _conflict_message(
                    conn, child_id, "event", event_id, _verb(previous, expected), previous or expected
                )
            )
        if previous is None:
            raise KeyError(event_id)
        issues = validate_event_change(child, None, replacing=event_id)
        if issues:
            raise ValidationError(issues)
        gone = conn.execute(
            delete(EVENT_T).where(EVENT_T.c.child_id == child_id, EVENT_T.c.event_id == event_id)
        )
        _one_row(conn, gone, _recording("deleting", previous.type), previous.type)
        audit(conn, "delete", "event", event_id, child_id=child_id, before=previous.to_json(), user=user)
        return previous


def add_event(db: Database, child_id: str, record: EventRecord, user: str | None = None) -> EventRecord:
    """Add a new event, and return it as saved: with its own id if another writer took that one.

    A form proposes the next free id when it opens (`new_event_id`); two people adding an event to
    one child both propose the same. The id is settled here, in the transaction that writes it,
    with the child's row locked (PostgreSQL) or the database's write lock held (SQLite), so the
    second writer gets the next free id and neither event replaces the other.
    """
    with (
        _permission(db, _recording("recording", record.type), lambda: roles.roles_recording(record.type)),
        db.engine.begin() as conn,
    ):
        _lock_child(conn, child_id)
        child = load_child(conn, child_id)
        if child is None:
            raise KeyError(child_id)
        if any(e.id == record.id for e in child.events):
            record = dataclasses.replace(record, id=new_event_id(child))
        issues = validate_event_change(child, record, replacing=record.id)
        if issues:
            raise ValidationError(issues)
        conn.execute(insert(EVENT_T), event_row_values(child_id, record))
        audit(conn, "create", "event", record.id, child_id=child_id, after=record.to_json(), user=user)
        return record


def _lock_child(conn: Connection, child_id: str) -> None:
    """Hold the child's row until the transaction ends: writers of one child take turns.

    On PostgreSQL an advisory lock keyed by the child's id (every role may take it, unlike
    `SELECT ... FOR UPDATE`); on SQLite a write transaction already excludes every other writer.
    """
    if conn.dialect.name != "sqlite":  # an advisory lock: it needs no right to change the child
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:kind, hashtext(:id))"), {"kind": CHILD_LOCK, "id": child_id}
        )


def last_change(conn: Connection, child_id: str, entity: str, entity_id: str) -> tuple[str, str] | None:
    """Who last changed a record, and when (UTC ISO text), from the audit log."""
    row = conn.execute(
        select(AUDIT_T.c.user, AUDIT_T.c.at)
        .where(
            AUDIT_T.c.child_id == child_id,
            AUDIT_T.c.entity == entity,
            AUDIT_T.c.entity_id == entity_id,
        )
        .order_by(desc(AUDIT_T.c.id))
        .limit(1)
    ).first()
    return None if row is None else (str(row[0]), str(row[1]))


def _conflict_message(
    conn: Connection,
    child_id: str,
    entity: str,
    entity_id: str,
    verb: str,
    event: EventRecord | _Unchecked | None = None,
) -> str:
    """ "Not saved: <who> <verb> <what> at <when>, after you opened it", from the audit log; an event
    is named by its type and date, not its id."""
    named = f" ({describe_event(event)})" if isinstance(event, EventRecord) else ""
    what = f"child {child_id}'s details" if entity == "child" else f"this event{named} of {child_id}"
    if entity == "child" and verb == "added":
        what = f"a child with the ID {child_id}"
    change = last_change(conn, child_id, entity, entity_id)
    if change is None:
        return f"Not saved: someone else {verb} {what} after you opened it. Look at it again, then make your change."
    user, at = change
    local = datetime.fromisoformat(at).astimezone()
    return (
        f"Not saved: {user} {verb} {what} at {local:%H:%M on %d/%m/%Y}, after you opened it. "
        "Look at their change, then make yours again."
    )


def _verb(stored: object, expected: object) -> str:
    return "deleted" if stored is None else ("added" if expected is None else "changed")


def new_event_id(child: ChildRecord) -> str:
    """The next free id of the form e1, e2, ... for a child."""
    taken = {e.id for e in child.events}
    n = len(taken) + 1
    while f"e{n}" in taken:
        n += 1
    return f"e{n}"


def parse_iso(value: str) -> date:
    """An ISO date from a person or a file, with an error that says what was wrong."""
    parsed = parse_date(value.strip())
    if parsed is None:
        raise ValueError(f"{value!r} is not a real date in the form YYYY-MM-DD.")
    return parsed
