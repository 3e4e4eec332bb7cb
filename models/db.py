"""The database engine: opening, pragmas, the versioned schema and backups.

SQLite is the default (one file on the officer's laptop); the same code runs on PostgreSQL when
`open_database` is given a `postgresql://` URL. SQLite files are created with mode 0600 and opened
with foreign keys on, WAL and `synchronous=FULL`. The schema is versioned by an ordered list of
steps keyed by `PRAGMA user_version` (a `schema_version` table elsewhere); the file is backed up
with SQLite's online backup API before any step runs, and a file newer than this code is refused.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import SQLModel, create_engine

from models import tables as _tables  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger("permanence.db")


class DatabaseError(Exception):
    """A database that cannot be used, with a message for a person."""


def _v1(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn)


#: Ordered schema steps: step i brings the schema from version i to i + 1. Never edit a released step.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Database:
    """An open database: the SQLAlchemy engine and, for SQLite, its file."""

    engine: Engine
    path: Path | None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def _create_private_file(path: Path) -> None:
    """Create an empty file only its owner can read (0600), and its folder 0700 if new."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _sqlite_pragmas(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # Transactions are begun explicitly (the "begin" listener), not by the sqlite3 module.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def open_database(target: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate a database; `target` is a file path or a URL."""
    url = str(target)
    path: Path | None = None
    if "://" not in url:
        path = Path(url).expanduser().resolve()
        if path.is_dir():
            raise DatabaseError(f"{path} is a folder, not a database file.")
        if not path.exists():
            try:
                _create_private_file(path)
            except OSError as exc:
                raise DatabaseError(f"Cannot create the database file {path}: {exc.strerror}.") from exc
        else:
            _check_sqlite_header(path)
        url = f"sqlite:///{path}"
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLite's own transaction handling is replaced by SQLAlchemy's explicit BEGIN.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    db = Database(engine, path)
    if migrate:
        migrate_database(db)
    return db


def _check_sqlite_header(path: Path) -> None:
    with path.open("rb") as fh:
        header = fh.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DatabaseError(f"{path} is not a Permanence Tracker database (not an SQLite file).")


def schema_version(db: Database) -> int:
    with db.engine.connect() as conn:
        if db.is_sqlite:
            return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
        conn.execute(text("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
        conn.commit()
        value = conn.execute(text("SELECT max(version) FROM schema_version")).scalar()
        return int(value or 0)


def migrate_database(db: Database) -> Path | None:
    """Bring the schema up to date; returns the backup taken first, if any."""
    try:
        current = schema_version(db)
    except Exception as exc:  # a damaged or foreign file
        raise DatabaseError(f"Cannot read {db.path or db.engine.url}: {exc}") from exc
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"This database was written by a newer Permanence Tracker (schema {current}, this version "
            f"knows up to {SCHEMA_VERSION}). Update the application; the file was not changed."
        )
    if current == SCHEMA_VERSION:
        return None
    backup = None
    if db.path is not None and current > 0:
        backup = backup_database(db, db.path.with_name(f"{db.path.stem}.pre-v{current + 1}.{_stamp()}.bak"))
    with db.engine.begin() as conn:
        for version in range(current, SCHEMA_VERSION):
            log.info("migrating schema from version %d to %d", version, version + 1)
            MIGRATIONS[version](conn)
            if db.is_sqlite:
                conn.exec_driver_sql(f"PRAGMA user_version={version + 1}")
            else:
                conn.execute(text("INSERT INTO schema_version (version) VALUES (:v)"), {"v": version + 1})
    return backup


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def backup_database(db: Database, target: Path) -> Path:
    """Copy the SQLite file with the online backup API, mode 0600, and check the copy."""
    if db.path is None:
        raise DatabaseError("Backups are only made of SQLite files; use the server's own backups.")
    _create_private_file(target)
    source = sqlite3.connect(db.path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
    finally:
        source.close()
    if ok != "ok":
        raise DatabaseError(f"The backup {target} failed its check ({ok}).")
    return target


@contextmanager
def transaction(db: Database) -> Iterator[Connection]:
    """One unit of work: committed whole or not at all."""
    with db.engine.begin() as conn:
        yield conn
