"""Every chronology read and judged in bulk: the hot path of a full recomputation.

Reading. On SQLite each child's events come back as one string that SQLite packs in C
(`packed_events`), turned into the engine's `Event` tuples with as little Python per event as
possible.

Judging on both cores. The engine is pure Python and so runs on one core; 50,000 children keep
it busy for about a second and a half, after a second of reading. `judge_everyone` splits a large
caseload by child id: a worker process reads and judges the upper share of the ids while this
process reads and judges the rest, a chunk of ids at a time. The result is the list the
one-process path returns, in the same order.

Consistency. The two processes read in separate transactions. One connection here reads
`PRAGMA data_version` before the worker starts and after it has finished; SQLite changes that
number when any other connection commits, so an unchanged number proves that both processes read
the same database. If a change was committed in between, `judge_everyone` returns None and the
caller reads everything again in one transaction.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import date
from functools import partial
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from models.domain.calendar import calendar_for
from models.domain.engine import Deadline, Opening, all_deadlines
from models.domain.journey import EVENT_TYPES, Event
from models.domain.rules import Standards
from models.storage.db import Database, connect_file

#: From this many children a full recomputation is shared with a worker process; below it one
#: process is quicker than handing work to another.
PARALLEL_FROM = 5_000
#: Queries per process: one chunk's events are in memory at a time.
CHUNKS = 8
#: The worker's share of the children: under half, because it also pickles its result (about a
#: fifth of a second at 50,000 children). Measured: 0.40 finishes both processes together.
WORKER_SHARE = 0.40

#: Event types whose clocks read more than the type and the date.
_DETAILED_TYPES = tuple(
    sorted(t.name for t in EVENT_TYPES.values() if any(f.read_by_rules for f in t.fields))
)
_US, _RS = "\x1f", "\x1e"
# A detailed event's ten fields in one printf (which writes NULL as an empty string): measured
# about a tenth quicker over the whole query than twenty `||` and nine ifnull() per event. The
# separators are written into the SQL as literals: char(31) would be a function call per field.
_DETAILED_FIELDS = (
    "printf('" + _US.join(["%s"] * 10) + "', type, date, s47, icpc_needed,"
    " CASE WHEN type IN ('icpc', 'cp_review') THEN outcome END, drp_stage, until, weeks, ref,"
    " CASE WHEN type = 'drp_raised' THEN category END)"
)
_PACKED_QUERY = (
    "SELECT child_id, group_concat(CASE WHEN type IN ("
    + ", ".join(f"'{t}'" for t in _DETAILED_TYPES)
    + f") THEN {_DETAILED_FIELDS} ELSE type || '{_US}' || date END, '{_RS}') FROM event"
)


def packed_events(
    cursor: Any, child_id: str | None = None, *, from_id: str | None = None, before_id: str | None = None
) -> dict[str, list[Event]]:
    """The engine's events of one child, or of the children with ids in [from_id, before_id), on SQLite.

    Each child's events come back as one string that SQLite packs in C: events split by the ASCII
    record separator, fields by the unit separator (validation keeps both out of text). Most events
    carry only their type and date; only the few types whose rules read more carry the rest.
    """
    cursor.execute(*_query(child_id, from_id, before_id))
    return _unpack(cursor.fetchall())


def _unpack(rows: Sequence[tuple[str, str]]) -> dict[str, list[Event]]:
    """Each child's packed string as `Event`s.

    Packed events carry no id, so two with the same text are equal in every field: one shared
    (immutable) `Event` serves them all. A caseload has far fewer distinct (type, date) pairs than
    events, so most events cost one dictionary look-up.
    """
    known: dict[str, Event] = {}
    dates: dict[str, date] = {}
    get = known.get

    def parse(item: str) -> Event:
        fields = item.split(_US)
        day = dates.get(fields[1])
        if day is None:
            day = dates[fields[1]] = date.fromisoformat(fields[1])
        if len(fields) == 2:
            event = Event(fields[0], day)
        else:
            _, _, s47, needed, outcome, stage, until, weeks, ref, category = fields
            event = Event(
                fields[0],
                day,
                None,
                (s47 == "1") if s47 else None,
                (needed == "1") if needed else None,
                outcome or None,
                int(stage) if stage else None,
                date.fromisoformat(until) if until else None,
                int(weeks) if weeks else None,
                ref or None,
                category or None,
            )
        known[item] = event
        return event

    return {
        cid: [event if (event := get(item)) is not None else parse(item) for item in packed.split(_RS)]
        for cid, packed in rows
    }


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector while a million short-lived tuples are built.

    None of them forms a cycle, but each allocation would count towards a collection that walks
    every live object: with it on, a full recomputation takes about twice as long.

    On the way out, everything the collector tracks is moved to its oldest generation (freezing
    and unfreezing is two list splices). Otherwise the first allocation after re-enabling it
    walks the whole result, a million objects that are all still in the youngest generation
    (about 0.15 s at 50,000 children). In the oldest generation they wait for the next full
    collection, which Python runs only once that generation has grown by a quarter, like any
    other long-lived data. (Garbage waiting at that moment moves with it, so whatever frees it
    runs later than it would have; the test suite's parentless undo stacks once crashed in that
    later collection, see `_undo_stacks_emptied` in tests/conftest.py.)
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            age_everything()
            gc.enable()


def age_everything() -> None:
    """Move everything the collector tracks to its oldest generation (freezing and unfreezing is
    two list splices), so that re-enabling it does not walk what was built meanwhile: see
    `bulk_work`; the desktop's background jobs do the same before the collector is on again."""
    gc.freeze()
    gc.unfreeze()


Bounds = tuple[str | None, str | None]


def judge_everyone(db: Database, as_of: date, standards: Standards) -> list[Deadline] | None:
    """Every child's deadlines at `as_of`, judged by this process and a worker, ordered by child.

    None when the work is not worth sharing or cannot be shared (not an SQLite file, fewer than
    `PARALLEL_FROM` children, one core, no worker process to be had) or when a change was committed
    while the two processes were reading: the caller then computes in one process.
    """
    if db.path is None or not db.is_sqlite or (os.cpu_count() or 1) < 2:
        return None
    conn = db.raw_connection(read_only=True)
    try:
        version = _data_version(conn)
        ids = [row[0] for row in conn.execute("SELECT id FROM child ORDER BY id")]
        if len(ids) < PARALLEL_FROM:
            return None
        cut = len(ids) - int(len(ids) * WORKER_SHARE)
        try:
            theirs = _worker_pool().submit(
                _judge_in_worker, db.path, db.passphrase, chunk_bounds(ids, cut, len(ids)), as_of, standards
            )
        except (BrokenProcessPool, OSError, RuntimeError):
            _discard_pool()
            return None
        deadlines = judge_chunks(conn, chunk_bounds(ids, 0, cut), as_of, standards)
        try:
            rows = theirs.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): nothing it said is kept
            _discard_pool()
            return None
        deadlines.extend(map(partial(tuple.__new__, Deadline), rows))
        if _data_version(conn) != version:
            return None
        return deadlines
    finally:
        conn.close()


def chunk_bounds(ids: Sequence[str], start: int, stop: int, chunks: int = CHUNKS) -> list[Bounds]:
    """Id ranges [from, before) covering sorted `ids[start:stop]` in about `chunks` equal parts.

    The first range is open below when `start` is 0 and the last open above when `stop` is the end,
    so that together the ranges of both processes cover every id, even one missing from `ids`.
    """
    count = stop - start
    if count <= 0:
        return []
    cuts = sorted({start + count * k // chunks for k in range(chunks)})
    bounds: list[Bounds] = []
    for k, first in enumerate(cuts):
        following = cuts[k + 1] if k + 1 < len(cuts) else stop
        bounds.append(
            (
                None if first == 0 else ids[first],
                None if following >= len(ids) else ids[following],
            )
        )
    return bounds


def judge_chunks(conn: Any, bounds: Sequence[Bounds], as_of: date, standards: Standards) -> list[Deadline]:
    """Judge the children of each id range in turn: one range's events in memory at a time.

    `conn` is a driver connection. (Reading the next range in a thread while the engine judged
    this one was tried and measured: no faster, as SQLite hands the interpreter lock back and
    forth for every row, and the other core is the worker's.)
    """
    calendar = calendar_for(frozenset(standards.closure_days))
    out: list[Deadline] = []
    cursor = conn.cursor()
    try:
        cursor.execute("SELECT id, tracked_from, untracked FROM child WHERE tracked_from IS NOT NULL")
        openings = openings_from_rows(cursor.fetchall())
        for first, before in bounds:
            cursor.execute(*_query(None, first, before))
            out.extend(
                all_deadlines(_unpack(cursor.fetchall()).items(), as_of, standards, calendar, openings)
            )
    finally:
        cursor.close()
    return out


def openings_from_rows(rows: Iterable[Sequence[Any]]) -> dict[str, Opening]:
    """(id, tracked_from, untracked) rows of the child table as the engine's opening balances."""
    out: dict[str, Opening] = {}
    for child_id, tracked_from, untracked in rows:
        day = tracked_from if isinstance(tracked_from, date) else date.fromisoformat(str(tracked_from))
        out[str(child_id)] = Opening(day, frozenset(str(untracked).split(",")) if untracked else frozenset())
    return out


def _query(
    child_id: str | None = None, from_id: str | None = None, before_id: str | None = None
) -> tuple[str, list[str]]:
    conditions, params = [], []
    for condition, value in (
        ("child_id = ?", child_id),
        ("child_id >= ?", from_id),
        ("child_id < ?", before_id),
    ):
        if value is not None:
            conditions.append(condition)
            params.append(value)
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    return _PACKED_QUERY + where + " GROUP BY child_id", params


def _data_version(conn: Any) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def _judge_in_worker(
    path: Path, passphrase: str | None, bounds: Sequence[Bounds], as_of: date, standards: Standards
) -> list[tuple[Any, ...]]:
    """The worker's share: plain tuples, which pickle in C (a named tuple pickles through Python)."""
    conn = connect_file(path, passphrase, read_only=True)
    try:
        with bulk_work():
            return [tuple(d) for d in judge_chunks(conn, bounds, as_of, standards)]
    finally:
        conn.close()


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _worker_pool() -> ProcessPoolExecutor:
    """One worker process, started on first use and kept (with the engine imported) for later runs.

    Started by a fork server where there is one: forking this process directly would copy a
    multi-threaded Qt application, which is unsafe.
    """
    global _pool
    with _pool_lock:
        if _pool is None:
            context: BaseContext
            if "forkserver" in multiprocessing.get_all_start_methods():
                server = multiprocessing.get_context("forkserver")
                server.set_forkserver_preload([__name__])
                context = server
            else:
                context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return _pool


def _discard_pool() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def worker_peak_rss_mb() -> float | None:
    """The worker process's peak memory so far (benchmarks), or None when none is running."""
    with _pool_lock:
        pool = _pool
    if pool is None:
        return None
    import resource  # POSIX only: imported here so that the module still loads on Windows

    usage = pool.submit(resource.getrusage, resource.RUSAGE_SELF).result()
    return float(usage.ru_maxrss) / 1024


def shutdown_worker() -> None:
    """Stop the worker process (tests, and an application closing a database)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)
