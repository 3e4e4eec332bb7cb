"""`insert_rows`: SQLite's fast path writes exactly what a Core insert writes, or nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, insert, select

from models.io import demo
from models.io.journey_io import parse_journey
from models.storage import store
from models.storage.db import Database, open_database
from models.storage.store import CHILD_T, EVENT_T, child_row_values, event_row_values, insert_rows

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server


def _rows(children: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    records, issues, _ = parse_journey(demo.generate(children, seed=3, today=date(2025, 10, 1)))
    assert not issues
    return (
        [child_row_values(c) for c in records],
        [event_row_values(c.id, e) for c in records for e in c.events],
    )


def _dump(path: Path, table: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def test_the_fast_path_stores_what_a_core_insert_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "INSERT_BATCH", 1000)
    children, events = _rows(150)
    assert any(e["until"] for e in events) and any(e["s47"] is not None for e in events)
    fast, core = open_database(tmp_path / "fast.sqlite"), open_database(tmp_path / "core.sqlite")
    try:
        with fast.engine.begin() as conn:
            insert_rows(conn, CHILD_T, children)
            insert_rows(conn, EVENT_T, events)
        with core.engine.begin() as conn:
            conn.execute(insert(CHILD_T), children)
            conn.execute(insert(EVENT_T), events)
    finally:
        fast.engine.dispose()
        core.engine.dispose()
    assert fast.path is not None and core.path is not None
    for table in ("child", "event"):
        stored = _dump(fast.path, table)
        assert stored == _dump(core.path, table)
    assert len(stored) == len(events) > 3 * 1000  # several batches, the last one short


@pytest.mark.sqlite_only
def test_a_value_of_the_wrong_type_writes_nothing(db: Database) -> None:
    children, events = _rows(20)
    events[-1] = {**events[-1], "date": "2025-02-30"}  # text, not a date: never stored as such
    with pytest.raises(TypeError, match="not a date"), db.engine.begin() as conn:
        insert_rows(conn, CHILD_T, children)
        insert_rows(conn, EVENT_T, events)
    with db.engine.connect() as conn:
        assert conn.execute(select(CHILD_T.c.id)).first() is None
        assert conn.execute(select(EVENT_T.c.pk)).first() is None


@pytest.mark.sqlite_only
def test_a_yes_no_column_refuses_what_is_not_yes_or_no(db: Database) -> None:
    children, events = _rows(5)
    visit = next(i for i, e in enumerate(events) if e["seen_alone"] is not None)
    events[visit] = {**events[visit], "seen_alone": "yes"}
    with pytest.raises(TypeError, match="not True or False"), db.engine.begin() as conn:
        insert_rows(conn, CHILD_T, children)
        insert_rows(conn, EVENT_T, events)


def test_other_column_types_go_through_a_core_insert(db: Database) -> None:
    stamps = Table("stamps", MetaData(), Column("n", Integer, primary_key=True), Column("at", DateTime))
    stamps.create(db.engine)
    moment = datetime(2025, 1, 2, 3, 4, 5)
    with db.engine.begin() as conn:
        insert_rows(conn, stamps, [{"n": 1, "at": moment}, {"n": 2, "at": None}])
        assert conn.execute(select(stamps.c.at).order_by(stamps.c.n)).scalars().all() == [moment, None]
    insert_rows(db.engine.connect(), stamps, [])  # nothing to write: no statement at all
