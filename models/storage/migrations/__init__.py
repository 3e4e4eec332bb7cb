"""The versioned schema: Alembic revisions in `versions/`, run from code (no alembic.ini, no env.py).

Each revision is frozen as explicit operations (`op.create_table`, `op.add_column`, SQL), never as
`SQLModel.metadata.create_all` of today's tables, so changing `tables.py` cannot change a released
step: a new column is a new revision (see the README's "Schema changes"). Revision ids are numbers,
`0001`, `0002`, ...; the file is `NNNN_what.py` and the newest number is the schema version.

This module reads where a database stands without importing Alembic (start-up opens a database that
is already up to date, and Alembic is only imported when there is something to do:
`models.storage.migrations.runner`). Besides Alembic's own `alembic_version` table, the version
number is also kept where releases before Alembic kept it (SQLite's `PRAGMA user_version`, the
server's `schema_version` table), so an older release still refuses a newer file instead of running
its own steps on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, text

#: The folder of this package (Alembic's script directory); revisions are in `versions/` below it.
SCRIPT_LOCATION: Final = Path(__file__).resolve().parent
#: Where releases before Alembic kept the version on the team server (SQLite: `PRAGMA user_version`).
LEGACY_TABLE: Final = "schema_version"
VERSION_TABLE: Final = "alembic_version"


def head_version(location: Path = SCRIPT_LOCATION) -> int:
    """The newest revision's number, from the file names (`versions/NNNN_*.py`)."""
    numbers = [int(p.name[:4]) for p in (location / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return max(numbers, default=0)


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its Alembic revision (None before Alembic) and the legacy number."""

    revision: int | None
    legacy: int

    @property
    def version(self) -> int:
        """The schema version: the higher of the two (a newer release may have written either)."""
        return max(self.revision or 0, self.legacy)


def _revision_number(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        # Not one of ours: a revision id this code does not know is a schema it does not know.
        return 10**6


def schema_state(conn: Connection) -> SchemaState:
    """Read the schema's revision and legacy version number (nothing is written)."""
    if conn.dialect.name == "sqlite":
        legacy = int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
        has_version_table = (
            conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": VERSION_TABLE}
            ).first()
            is not None
        )
    else:
        legacy = server_legacy_version(conn)
        has_version_table = (
            conn.execute(text("SELECT to_regclass(:n)"), {"n": VERSION_TABLE}).scalar() is not None
        )
    revision = None
    if has_version_table:
        value = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        revision = None if value is None else _revision_number(value)
    return SchemaState(revision, legacy)


def server_legacy_version(conn: Connection) -> int:
    """The team server's `schema_version` table (0 when it is not there)."""
    if conn.execute(text("SELECT to_regclass(:n)"), {"n": LEGACY_TABLE}).scalar() is None:
        return 0
    value = conn.execute(text(f"SELECT max(version) FROM {LEGACY_TABLE}")).scalar()
    return int(value or 0)
