"""Reading and judging in bulk: the chunked, two-process path gives exactly the one-process answer."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from models.domain.calendar import calendar_for
from models.domain.engine import all_deadlines
from models.domain.journey import Event
from models.domain.records import EventRecord
from models.domain.rules import Standards
from models.io import demo
from models.io.journey_io import import_journey
from models.storage import bulk
from models.storage.db import Database
from models.storage.store import compute_deadlines, save_event

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server

AS_OF = date(2025, 10, 1)


@pytest.fixture(scope="module")
def worker() -> Iterator[None]:
    yield
    bulk.shutdown_worker()


@pytest.fixture
def caseload(db: Database) -> Database:
    import_journey(db, demo.generate(240, seed=11, today=AS_OF))
    return db


def test_chunk_bounds_cover_every_id_once_with_open_outer_ends() -> None:
    ids = [f"C-{n:03d}" for n in range(10)]
    lower = bulk.chunk_bounds(ids, 0, 6, chunks=4)
    upper = bulk.chunk_bounds(ids, 6, 10, chunks=4)
    assert lower[0][0] is None and upper[-1][1] is None
    bounds = lower + upper
    # Consecutive ranges meet exactly: each one's end is the next one's start.
    assert [b[1] for b in bounds[:-1]] == [b[0] for b in bounds[1:]]
    for name in [*ids, "A-before-all", "Z-after-all", "C-0035"]:
        holding = [(lo, hi) for lo, hi in bounds if (lo is None or name >= lo) and (hi is None or name < hi)]
        assert len(holding) == 1, name


def test_chunk_bounds_with_fewer_ids_than_chunks() -> None:
    assert bulk.chunk_bounds(["A", "B"], 0, 2, chunks=8) == [(None, "B"), ("B", None)]
    assert bulk.chunk_bounds(["A", "B"], 2, 2) == []


def test_the_packed_read_judges_as_the_journey_file_does(db: Database) -> None:
    """SQLite packs each chronology into one string: every field the rules read survives it."""
    journey = demo.generate(300, seed=5, today=AS_OF)
    import_journey(db, journey)
    in_memory = [
        (child["id"], [_engine_event(e) for e in child["events"]])
        for child in sorted(journey["children"], key=lambda c: c["id"])
    ]
    read_back = compute_deadlines(db, AS_OF, share=False)
    assert {d.rule.split(".")[0] for d in read_back} >= {"cp", "plo", "court", "cla", "drp"}
    assert read_back == all_deadlines(in_memory, AS_OF, Standards(), calendar_for())


def _engine_event(raw: dict[str, Any]) -> Event:
    values = {k: v for k, v in raw.items() if k in Event._fields}
    for key in {"date", "until"} & values.keys():
        values[key] = date.fromisoformat(values[key])
    return Event(**values)


@pytest.mark.sqlite_only
def test_chunked_judging_in_one_process_matches_the_serial_path(caseload: Database) -> None:
    serial = compute_deadlines(caseload, AS_OF, share=False)
    conn = caseload.raw_connection(read_only=True)
    try:
        ids = [row[0] for row in conn.execute("SELECT id FROM child ORDER BY id")]
        chunked = bulk.judge_chunks(conn, bulk.chunk_bounds(ids, 0, len(ids), chunks=5), AS_OF, Standards())
    finally:
        conn.close()
    assert len(serial) > 1000
    assert chunked == serial


@pytest.mark.sqlite_only
def test_sharing_with_a_worker_gives_the_serial_answer(
    caseload: Database, worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 10)
    shared = bulk.judge_everyone(caseload, AS_OF, Standards())
    assert shared is not None
    assert shared == compute_deadlines(caseload, AS_OF, share=False)
    assert {type(d) for d in shared} == {type(shared[0])}  # the worker's rows are Deadlines again


def test_small_caseloads_are_not_shared(caseload: Database) -> None:
    assert bulk.judge_everyone(caseload, AS_OF, Standards()) is None  # 240 < PARALLEL_FROM


def test_a_change_committed_while_sharing_is_not_half_seen(
    caseload: Database, worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 10)
    judge_chunks = bulk.judge_chunks

    def judge_then_commit(*args: Any) -> Any:
        out = judge_chunks(*args)
        # Another connection records a visit after this process has read its share.
        save_event(caseload, "DEMO-000240", EventRecord("late-visit", "cp_visit", date(2025, 9, 30)))
        return out

    monkeypatch.setattr(bulk, "judge_chunks", judge_then_commit)
    assert bulk.judge_everyone(caseload, AS_OF, Standards()) is None
    monkeypatch.setattr(bulk, "judge_chunks", judge_chunks)
    # compute_deadlines falls back to one read, so the new visit is seen consistently.
    assert compute_deadlines(caseload, AS_OF) == compute_deadlines(caseload, AS_OF, share=False)


@pytest.mark.sqlite_only
def test_the_workers_peak_memory_is_asked_of_the_worker(
    caseload: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 10)
    assert bulk.judge_everyone(caseload, AS_OF, Standards()) is not None
    peak = bulk.worker_peak_rss_mb()
    assert peak is not None and peak > 10  # a Python process with the engine loaded
    bulk.shutdown_worker()
    assert bulk.worker_peak_rss_mb() is None


def _in_generation(generation: int, target: object) -> bool:
    return any(obj is target for obj in gc.get_objects(generation=generation))


def test_bulk_work_pauses_the_collector_and_leaves_its_results_in_the_oldest_generation() -> None:
    assert gc.isenabled()
    with bulk.bulk_work():
        assert not gc.isenabled()
        built = [(i, [i]) for i in range(2_000)]  # tuples holding lists: tracked by the collector
    assert gc.isenabled()
    # Not in the youngest generation, whose next collection would otherwise walk all of it.
    assert not _in_generation(0, built[0])
    assert _in_generation(2, built[0])


def test_bulk_work_enables_the_collector_again_after_an_error() -> None:
    with pytest.raises(RuntimeError), bulk.bulk_work():
        raise RuntimeError("the database went away")
    assert gc.isenabled()


def test_bulk_work_leaves_a_paused_collector_paused() -> None:
    gc.disable()
    try:
        with bulk.bulk_work():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
