"""Running the Alembic revisions from code: `MigrationContext` + `ScriptDirectory` + `Operations`.

Imported only when a database needs stamping or upgrading (it imports Alembic, which start-up
otherwise never loads). Every step, the stamp and the legacy version number are written in one
transaction: on failure nothing is changed. On SQLite, foreign keys are switched off around the
steps (a batch step that recreates a parent table would otherwise cascade its deletes into the
child rows) and `PRAGMA foreign_key_check` must then find nothing, or the whole upgrade is undone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, text

from models.storage import migrations
from models.storage.migrations import LEGACY_TABLE, SchemaState, schema_state

log = logging.getLogger("permanence.db")

#: The advisory lock that serialises schema steps on the team server (two first starts at once).
MIGRATION_LOCK = 0x5045524D  # "PERM"


class MigrationFailed(Exception):
    """A schema step failed; the database was left as it was."""


def script_directory(location: Path | None = None) -> ScriptDirectory:
    """The revisions (`location` defaults to this package; tests point it at a copy)."""
    return ScriptDirectory(str(location or migrations.SCRIPT_LOCATION))


def revision_id(version: int) -> str:
    return f"{version:04d}"


def steps(script: ScriptDirectory, after: int, target: int | None = None) -> list[Script]:
    """The revisions after version `after` (0: all) up to `target` (None: the newest), oldest first."""
    lower = "base" if after == 0 else revision_id(after)
    upper = "heads" if target is None else revision_id(target)
    if target is not None and target <= after:
        return []
    found = [s for s in script.iterate_revisions(upper, lower) if isinstance(s, Script)]
    return list(reversed(found))


@contextmanager
def _foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite only: foreign keys off on this connection (outside any transaction, where the pragma
    works), on again afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _write_legacy_version(conn: Connection, version: int) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA user_version={int(version)}")
    else:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS {LEGACY_TABLE} (version INTEGER NOT NULL)"))
        conn.execute(text(f"INSERT INTO {LEGACY_TABLE} (version) VALUES (:v)"), {"v": version})


def upgrade(engine: Engine, location: Path | None = None, target: int | None = None) -> SchemaState:
    """Stamp a pre-Alembic database at its version, then run every later revision (up to `target`,
    for tests that seed an older schema); all or nothing.

    Returns the state found before (on the team server, as read under the migration lock).

    Raises:
        MigrationFailed: a step failed, or left rows whose parent is missing; nothing was changed.
    """
    script = script_directory(location)
    with engine.connect() as conn, _foreign_keys_off(conn):
        try:
            with conn.begin():
                if conn.dialect.name != "sqlite":
                    # Another person's first start may be migrating too: one at a time, then look again.
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
                before = schema_state(conn)
                _run(conn, script, before, target)
        except MigrationFailed:
            raise
        except Exception as exc:
            raise MigrationFailed(
                str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            ) from exc
    return before


def _run(conn: Connection, script: ScriptDirectory, before: SchemaState, target: int | None) -> None:
    context = MigrationContext.configure(conn)
    if before.revision is None and before.legacy > 0:
        log.info(
            "stamping the pre-Alembic schema version %d as revision %s",
            before.legacy,
            revision_id(before.legacy),
        )
        context.stamp(script, revision_id(before.legacy))
    done = before.revision if before.revision is not None else before.legacy
    with Operations.context(context):
        for step in steps(script, done, target):
            log.info("migrating schema to revision %s (%s)", step.revision, step.doc)
            step.module.upgrade()
            context.stamp(script, step.revision)
            done = int(step.revision)
    if conn.dialect.name == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            table, rowid, parent = broken[0][0], broken[0][1], broken[0][2]
            raise MigrationFailed(
                f"{len(broken)} row(s) would point at a missing record "
                f"(first: {table} row {rowid} refers to a missing {parent})"
            )
    if done != before.legacy:
        _write_legacy_version(conn, done)


def differences(conn: Connection, metadata: MetaData) -> Sequence[Any]:
    """What Alembic's autogenerate finds between this database's schema and `metadata` (the legacy
    version table aside); empty when they agree."""

    def include(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        return not (kind == "table" and name == LEGACY_TABLE)

    context = MigrationContext.configure(conn, opts={"include_object": include, "compare_type": True})
    return list(compare_metadata(context, metadata))
