"""The database file: permissions, pragmas, schema versions, backups, audit."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.domain.records import ChildRecord, EventRecord
from models.domain.rules import Standards
from models.storage.db import (
    SCHEMA_VERSION,
    DatabaseError,
    PassphraseRequired,
    backup_database,
    open_database,
    schema_version,
)
from models.storage.settings import Settings, load_settings
from models.storage.store import (
    ValidationError,
    delete_event,
    get_child,
    save_child,
    save_event,
    save_settings,
)
from models.storage.tables import AuditRow

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server


def test_new_file_is_private_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "new" / "t.sqlite"
    db = open_database(path)
    save_child(db, ChildRecord("C-1"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    assert schema_version(db) == SCHEMA_VERSION


def test_pragmas_on_every_connection(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    open_database(path).engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(DatabaseError, match="newer Permanence Tracker"):
        open_database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("hello, this is not SQLite\n" * 10)
    with pytest.raises(PassphraseRequired, match="is not a Permanence Tracker database"):
        open_database(path)


def test_backup_copy_is_checked_and_private(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite")
    save_child(db, ChildRecord("C-1"))
    copy = backup_database(db, tmp_path / "copy.sqlite")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT id FROM child").fetchall() == [("C-1",)]


def test_every_change_is_audited_with_before_and_after(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite")
    save_child(db, ChildRecord("C-1", {"date_of_birth": date(2015, 1, 1)}))
    visit = EventRecord("e1", "cla_visit", date(2025, 1, 8), {"seen_alone": True})
    save_event(db, "C-1", visit)
    save_event(db, "C-1", EventRecord("e1", "cla_visit", date(2025, 1, 9), {"seen_alone": False}))
    delete_event(db, "C-1", "e1")
    save_settings(db, Settings(standards=Standards(cp_visit_wd=15), authority_name="Testshire"))
    with Session(db.engine) as session:
        rows = session.exec(select(AuditRow).order_by(AuditRow.id)).all()  # type: ignore[arg-type]
    assert [(r.action, r.entity) for r in rows] == [
        ("create", "child"),
        ("create", "event"),
        ("update", "event"),
        ("delete", "event"),
        ("update", "settings"),
    ]
    assert '"2025-01-08"' in (rows[2].before or "") and '"2025-01-09"' in (rows[2].after or "")
    assert rows[3].after is None and '"e1"' in (rows[3].before or "")
    assert all(r.user for r in rows)
    assert load_settings(db).standards.cp_visit_wd == 15
    assert load_settings(db).authority_name == "Testshire"


def test_a_change_that_breaks_the_chronology_is_refused(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite")
    save_child(db, ChildRecord("C-1", {"date_of_birth": date(2015, 1, 1)}))
    with pytest.raises(ValidationError, match="before the child's date of birth"):
        save_event(db, "C-1", EventRecord("e1", "cla_visit", date(2014, 1, 8)))
    save_event(db, "C-1", EventRecord("i", "proceedings_issued", date(2025, 3, 3)))
    save_event(db, "C-1", EventRecord("f", "final_order", date(2025, 8, 1), {"order": "care_order"}))
    with pytest.raises(ValidationError, match="final order needs proceedings"):
        delete_event(db, "C-1", "i")
    child = get_child(db, "C-1")
    assert child is not None and [e.id for e in child.events] == ["i", "f"]
