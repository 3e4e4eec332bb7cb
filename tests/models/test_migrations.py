"""Schema migrations (Alembic): each step on a seeded database of each kind, the head schema equal
to `tables.py`, pre-Alembic files stamped and upgraded, backups first, all-or-nothing upgrades."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from models.storage import db as dbmod
from models.storage import migrations
from models.storage.db import SCHEMA_VERSION, Database, DatabaseError, open_database, schema_version
from models.storage.migrations import runner
from models.storage.store import get_child
from tests.conftest import BACKENDS, server_database


@pytest.fixture(params=BACKENDS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind: an SQLite file's path, or a team server database's URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "t.sqlite")
        return
    with server_database() as url:
        yield url


def _at(target: str, version: int) -> Database:
    """A database at revision `version`, opened without upgrading."""
    db = open_database(target, migrate=False)
    runner.upgrade(db.engine, target=version)
    return db


def _columns(db: Database, table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def _as_pre_alembic(db: Database, version: int) -> None:
    """Make the database look as a release before Alembic left it at `version`."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        if db.is_sqlite:
            conn.exec_driver_sql(f"PRAGMA user_version={version}")
        else:
            conn.exec_driver_sql("DELETE FROM schema_version")
            conn.exec_driver_sql(f"INSERT INTO schema_version (version) VALUES ({version})")


def _seed_v1(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO child (id, given_name, extra) VALUES ('C-1', 'Ava', NULL)"))
        conn.execute(
            text(
                "INSERT INTO event (child_id, event_id, type, date, note) VALUES "
                "('C-1', 'e1', 'strategy_discussion', '2025-01-06', 'Synthetic.'), "
                "('C-1', 'e2', 's47_concluded', '2025-01-07', NULL)"
            )
        )
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('authority', 'Testshire')"))
        conn.execute(
            text(
                'INSERT INTO audit (at, "user", action, entity, entity_id, child_id, hash) VALUES '
                "('2025-01-06T09:00:00Z', 'tester', 'add', 'child', 'C-1', 'C-1', 'abc')"
            )
        )


def _kept_v1_rows(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT id, given_name FROM child")).all() == [("C-1", "Ava")]
        assert conn.execute(text("SELECT event_id, type, note FROM event ORDER BY event_id")).all() == [
            ("e1", "strategy_discussion", "Synthetic."),
            ("e2", "s47_concluded", None),
        ]
        assert conn.execute(text("SELECT key, value FROM setting")).all() == [("authority", "Testshire")]
        # On SQLite the first open by a version with row digests seals the old log with one entry.
        kept = conn.execute(text("SELECT action, hash FROM audit ORDER BY id")).all()
        assert kept[0] == ("add", "abc") and [a for a, _ in kept[1:]] in ([], ["seal"])


def test_a_fresh_database_is_at_head(target: str) -> None:
    db = open_database(target)
    try:
        assert schema_version(db) == SCHEMA_VERSION == 4
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [("0004",)]
            state = migrations.schema_state(conn)
        assert (state.revision, state.legacy) == (4, 4)  # older releases read the legacy number
    finally:
        db.dispose()


def test_the_head_schema_is_tables_py(target: str) -> None:
    db = open_database(target)
    try:
        with db.engine.connect() as conn:
            assert runner.differences(conn, SQLModel.metadata) == []
    finally:
        db.dispose()


def test_the_differences_check_sees_a_missing_column(target: str) -> None:
    db = _at(target, 2)  # no tracked_from yet
    try:
        with db.engine.connect() as conn:
            found = [d for d in runner.differences(conn, SQLModel.metadata) if d[0] == "add_column"]
        assert {d[3].name for d in found} == {"tracked_from", "untracked", "version", "digests"}
    finally:
        db.dispose()


def test_step_2_adds_the_forum_fields_and_keeps_the_rows(target: str, tmp_path: Path) -> None:
    db = _at(target, 1)
    assert not {"actions", "next_review"} & _columns(db, "event")
    _seed_v1(db)
    db.dispose()
    db = open_database(target)
    try:
        _kept_v1_rows(db)
        assert {"actions", "next_review"} <= _columns(db, "event")
        assert schema_version(db) == 4
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE event SET type = 'permanence_forum', actions = 'Review.', next_review = '2025-02-03' WHERE event_id = 'e1'"
                )
            )
        saved = get_child(db, "C-1")
        assert saved is not None
        assert saved.events[0].fields == {"actions": "Review.", "next_review": date(2025, 2, 3)}
        if db.is_sqlite:  # the file was backed up before the upgrade, at its old schema
            (backup,) = tmp_path.glob("t.pre-v2.*.bak")
            with sqlite3.connect(backup) as conn:
                assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
                assert conn.execute("SELECT count(*) FROM event").fetchone() == (2,)
    finally:
        db.dispose()


def test_step_3_moves_tracked_from_out_of_the_unknown_keys(target: str) -> None:
    db = _at(target, 2)
    assert not {"tracked_from", "untracked"} & _columns(db, "child")
    _seed_v1(db)
    extra = {"tracked_from": "2025-03-31", "untracked": ["permanence_plan", "cla_visit"], "source": "903"}
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO child (id, extra) VALUES ('C-2', :e)"), {"e": json.dumps(extra)})
        conn.execute(
            text("INSERT INTO child (id, extra) VALUES ('C-3', :e)"), {"e": json.dumps({"source": "x"})}
        )
    db.dispose()
    db = open_database(target)
    try:
        assert schema_version(db) == 4
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, tracked_from, untracked, extra FROM child ORDER BY id")
            ).all()
        assert [(r[0], r[1] and str(r[1]), r[2], r[3]) for r in rows] == [
            ("C-1", None, None, None),
            ("C-2", "2025-03-31", "cla_visit,permanence_plan", '{"source": "903"}'),
            ("C-3", None, None, '{"source": "x"}'),
        ]
        moved = get_child(db, "C-2")
        assert moved is not None and moved.fields["tracked_from"] == date(2025, 3, 31)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM event")).scalar_one() == 2
    finally:
        db.dispose()


@pytest.mark.parametrize("version", [1, 2, 3])
def test_a_pre_alembic_file_is_stamped_and_upgraded(target: str, version: int) -> None:
    db = _at(target, version)
    _seed_v1(db)
    _as_pre_alembic(db, version)
    with db.engine.connect() as conn:
        assert migrations.schema_state(conn) == migrations.SchemaState(None, version)
    db.dispose()
    db = open_database(target)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [("0004",)]
            assert migrations.schema_state(conn).legacy == 4
            assert runner.differences(conn, SQLModel.metadata) == []
        _kept_v1_rows(db)
    finally:
        db.dispose()


def test_a_pre_alembic_version_1_file_with_later_columns_is_upgraded(tmp_path: Path) -> None:
    """Releases before Alembic made version 1 files with the tables of their day (create_all)."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=1")
    db = open_database(path, migrate=False)
    SQLModel.metadata.create_all(db.engine)
    _seed_v1(db)
    db.dispose()
    db = open_database(path)
    try:
        assert schema_version(db) == 4
        _kept_v1_rows(db)
        with db.engine.connect() as conn:
            assert runner.differences(conn, SQLModel.metadata) == []
    finally:
        db.dispose()


_EXTRA_REVISION = '''"""{doc}

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}
'''


def _with_next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: str, body: str) -> None:
    """This code with one more revision, 0005 (as a developer adds one)."""
    location = tmp_path / "migrations"
    shutil.copytree(
        migrations.SCRIPT_LOCATION, location, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    (location / "versions" / "0005_test.py").write_text(_EXTRA_REVISION.format(doc=doc, body=body))
    monkeypatch.setattr(migrations, "SCRIPT_LOCATION", location)
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", migrations.head_version(location))


def test_a_batch_step_recreating_a_parent_table_keeps_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite recreates a table to change it (batch mode): with foreign keys on, dropping the old
    `child` table would delete every event. Foreign keys are off around the steps, and the file was
    backed up first."""
    path = tmp_path / "t.sqlite"
    db = open_database(path)
    _seed_v1(db)
    db.dispose()
    _with_next_revision(
        tmp_path,
        monkeypatch,
        "The child's given name is required (a step that recreates the table).",
        '    with op.batch_alter_table("child", recreate="always") as batch:\n'
        '        batch.add_column(sa.Column("keyworker", sa.String(), nullable=True))',
    )
    assert dbmod.SCHEMA_VERSION == 5
    db = dbmod.open_database(path)
    try:
        assert schema_version(db) == 5
        assert "keyworker" in _columns(db, "child")
        _kept_v1_rows(db)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again afterwards
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        db.dispose()
    (backup,) = tmp_path.glob("t.pre-v5.*.bak")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT given_name FROM child").fetchall() == [("Ava",)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4


def test_a_failing_step_changes_nothing(target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _at(target, 1)
    _seed_v1(db)
    db.dispose()
    _with_next_revision(
        tmp_path,
        monkeypatch,
        "A step that fails half-way.",
        '    op.add_column("event", sa.Column("half", sa.String(), nullable=True))\n'
        '    raise RuntimeError("the step broke")',
    )
    with pytest.raises(
        DatabaseError, match=r"from schema 1 to 5 failed \(the step broke\)\. Nothing was changed"
    ):
        dbmod.open_database(target)
    db = open_database(target, migrate=False)
    try:
        with db.engine.connect() as conn:
            state = migrations.schema_state(conn)
        assert (state.revision, state.version) == (1, 1)
        assert not {"actions", "half"} & _columns(db, "event")  # step 2 was undone too
        _kept_v1_rows(db)
    finally:
        db.dispose()


def test_a_step_that_leaves_orphans_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.sqlite"
    db = open_database(path)
    _seed_v1(db)
    db.dispose()
    _with_next_revision(
        tmp_path,
        monkeypatch,
        "A step that leaves an event without its child.",
        "    op.execute(\"DELETE FROM child WHERE id = 'C-1'\")",
    )
    with pytest.raises(
        DatabaseError, match=r"2 row\(s\) would point at a missing record .*event.*child"
    ) as caught:
        dbmod.open_database(path)
    assert "Nothing was changed" in str(caught.value) and "t.pre-v5." in str(caught.value)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM child").fetchone() == (1,)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0004",)]


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    open_database(path).dispose()
    code = (
        "import sys; from models.storage.db import open_database; "
        f"open_database({str(path)!r}).dispose(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
