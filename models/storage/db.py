"""The database engine: opening, pragmas, encryption, integrity, the versioned schema and backups.

SQLite is the default (one file on the officer's laptop); the same code runs on PostgreSQL when
`open_database` is given a `postgresql://` URL. SQLite files are created with mode 0600 in a 0700
folder and opened with foreign keys on, WAL and `synchronous=FULL`, so a committed change survives
a crash or a power cut. With a passphrase the file is encrypted at rest by SQLCipher (the
`sqlcipher3` driver); without one it is plain SQLite.

Opening checks, in order: the file is SQLite (or encrypted, and the passphrase opens it), it passes
`PRAGMA quick_check`, and its schema is not newer than this code. Each failure is its own exception
with a message for a person. The schema is versioned by Alembic revisions
(`models.storage.migrations`, batch mode on SQLite); the file is backed up with SQLite's online
backup API before any step runs.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, event
from sqlalchemy.pool import QueuePool
from sqlmodel import create_engine

from models.storage import migrations, server, witness
from models.storage import tables as _tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.storage.errors import KnownError

log = logging.getLogger("permanence.db")

SQLITE_MAGIC = b"SQLite format 3\x00"
#: `PRAGMA application_id` of every file the tracker creates ("PTrk"): another program's SQLite
#: file is told apart from ours by it (or, for files made before it was set, by our tables).
APPLICATION_ID = 0x5054726B


class DatabaseError(KnownError):
    """A database that cannot be used, with a message for a person."""


class DatabaseDamaged(DatabaseError):
    """The file fails SQLite's integrity check (or cannot be read as a database at all)."""

    def __init__(self, path: Path, detail: str):
        super().__init__(
            f"The database {path} is damaged ({detail}). It can be moved aside and the newest good "
            "backup restored."
        )
        self.path = path
        self.detail = detail


class PassphraseRequired(DatabaseError):
    """An encrypted file (or one that is not SQLite at all) opened without a passphrase."""


class WrongPassphrase(DatabaseError):
    """The passphrase does not open the encrypted file."""


class ServerPasswordRequired(DatabaseError):
    """The team server asks for a password that libpq's own places (service file, ~/.pgpass) lack."""


class ServerUnreachable(DatabaseError):
    """The team server did not answer: down, restarting, or the network is cut."""


#: The schema version this code writes: the newest Alembic revision (`models/storage/migrations`).
SCHEMA_VERSION = migrations.head_version()


@dataclass(frozen=True)
class Database:
    """An open database: the SQLAlchemy engine and, for SQLite, its file and how it was opened."""

    engine: Engine
    path: Path | None
    passphrase: str | None = field(default=None, repr=False)
    read_only: bool = False
    #: The team server's password when the person typed it (libpq's own places are used otherwise).
    password: str | None = field(default=None, repr=False)
    #: The audit key of an SQLite file (`models.storage.witness`); None on the team server, or for
    #: a plain file opened read-only whose key is not beside it.
    audit_key: bytes | None = field(default=None, repr=False)
    #: What opening found that a person should know (a shortened audit log, say), one sentence each.
    warnings: tuple[str, ...] = ()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def encrypted(self) -> bool:
        return self.passphrase is not None

    def raw_connection(self, path: Path | None = None, *, read_only: bool | None = None) -> Any:
        """A driver connection to this file (or another file with the same key), pragmas applied."""
        target = path or self.path
        if target is None:
            raise DatabaseError("Only SQLite files have raw connections.")
        return connect_file(target, self.passphrase, self.read_only if read_only is None else read_only)

    def dispose(self) -> None:
        self.engine.dispose()


def _driver(encrypted: bool) -> Any:
    if not encrypted:
        return sqlite3
    try:
        return importlib.import_module("sqlcipher3")
    except ImportError:  # pragma: no cover - the dependency is declared
        raise DatabaseError(
            "Encrypted databases need the sqlcipher3 package, which is not installed."
        ) from None


def _quote_key(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def connect_file(path: Path, passphrase: str | None = None, read_only: bool = False) -> Any:
    """A DB-API connection to an SQLite (or SQLCipher) file with the project's pragmas."""
    driver = _driver(passphrase is not None)
    uri = f"file:{quote(str(path))}" + ("?mode=ro" if read_only else "")
    conn = driver.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    try:
        if passphrase is not None:
            conn.execute(f"PRAGMA key = {_quote_key(passphrase)}")
            with suppress(Exception):
                conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        if not read_only:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    except Exception:
        conn.close()
        raise
    return conn


@contextmanager
def page_cache(conn: Connection, kib: int) -> Iterator[None]:
    """SQLite's page cache at `kib` KiB on this connection for the block, then its own size again
    (nothing on other databases)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _create_private_file(path: Path) -> None:
    """Create an empty file only its owner can read (0600), and its folder 0700 if new."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _regular_file_or_nothing(given: Path) -> Path:
    """The database's path, resolved; refused unless it is a regular file or does not exist yet.

    A FIFO, a device or a socket would hang or be read as something it is not; a link that points
    nowhere would make the tracker create a file somewhere the person did not name.
    """
    try:
        path = given.resolve(strict=False)
    except (OSError, RuntimeError) as exc:
        raise DatabaseError(f"{given} cannot be followed to a file ({exc}); nothing was opened.") from None
    if given.is_symlink() and not path.exists():
        raise DatabaseError(f"{given} is a link to {path}, which does not exist; nothing was created there.")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path.parent.exists() and not path.parent.is_dir():
            raise DatabaseError(f"{path.parent} is not a folder; nothing was created.") from None
        return path
    except OSError as exc:
        raise DatabaseError(f"Cannot read {path}: {exc.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise DatabaseError(f"{path} is a folder, not a database file.")
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseError(f"{path} is not a regular file (a pipe or a device?); it was not opened.")
    return path


def _create_database_file(path: Path, passphrase: str | None) -> None:
    """A new, empty tracker file: made under a temporary name with the tracker's application id,
    then linked into place, so an empty or half-made file never sits under the database's name."""
    tmp = path.with_name(f"{path.name}.new-{os.getpid()}")
    try:
        with suppress(FileNotFoundError):
            tmp.unlink()
        _create_private_file(tmp)
        conn = connect_file(tmp, passphrase)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("PRAGMA journal_mode=DELETE")  # one file to link into place
        finally:
            conn.close()
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process created it a moment ago: open theirs
    except OSError as exc:
        raise DatabaseError(f"Cannot create the database file {path}: {exc.strerror}.") from exc
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()


def _looks_like_damaged_plain_sqlite(path: Path) -> bool:
    """A file without SQLite's header that is plain SQLite underneath (not SQLCipher's random bytes).

    An encrypted file starts with a random 16-byte salt and is random throughout; a plain file
    whose header was overwritten still shows its schema's text or runs of zero bytes.
    """
    with path.open("rb") as fh:
        head = fh.read(65536)
    if b"CREATE TABLE" in head or (len(head) >= 16 and head[:16] == bytes(16)):
        return True
    page = head[:4096]
    size = path.stat().st_size
    return size >= 512 and size % 512 == 0 and page.count(0) > len(page) // 20


def file_is_plain_sqlite(path: Path) -> bool | None:
    """True for a plain SQLite file, False for something else (encrypted?), None when empty."""
    with path.open("rb") as fh:
        header = fh.read(16)
    if not header:
        return None
    return header == SQLITE_MAGIC


def open_database(
    target: str | Path,
    *,
    migrate: bool = True,
    read_only: bool = False,
    passphrase: str | None = None,
    check: bool = True,
    password: str | None = None,
) -> Database:
    """Open (creating if needed), check and migrate a database; `target` is a file path or a URL.

    A `postgresql://` URL opens the team server (`models.storage.server`); `password` is its
    password when libpq's own places do not hold it (asked of the person after `PasswordRequired`).

    Raises:
        PassphraseRequired: the file is encrypted (or not SQLite) and no passphrase was given.
        WrongPassphrase: the passphrase does not open the encrypted file.
        DatabaseDamaged: the file fails its integrity check.
        DatabaseError: anything else that stops the file being used, said for a person.
    """
    url = str(target)
    if "://" in url:
        return _open_server(url, migrate=migrate, read_only=read_only, password=password)

    path = _regular_file_or_nothing(Path(url).expanduser())
    if passphrase is not None and not passphrase:
        raise DatabaseError("The passphrase cannot be empty.")
    if passphrase is not None:
        from models.storage.secrets import hold_passphrase

        hold_passphrase()
    from models.storage.backup import recover_interrupted

    recover_interrupted(path, read_only=read_only)
    if not path.exists():
        if read_only:
            raise DatabaseError(f"There is no database at {path} to open read-only.")
        _create_database_file(path, passphrase)
    else:
        plain = file_is_plain_sqlite(path)
        if plain is None:
            raise DatabaseDamaged(path, "the file is empty")
        if plain is False:
            if _looks_like_damaged_plain_sqlite(path):
                raise DatabaseDamaged(path, "its SQLite header is unreadable")
            if passphrase is None:
                raise PassphraseRequired(
                    f"{path} is encrypted (or is not a Permanence Tracker database): its passphrase is needed."
                )
        if plain is True and passphrase is not None:
            raise DatabaseError(f"{path} is not encrypted; open it without a passphrase.")
        if plain is True:
            _refuse_foreign_plain(path)

    _probe(path, passphrase, read_only, check)

    engine = create_engine(
        "sqlite://",
        module=_driver(passphrase is not None),
        creator=lambda: connect_file(path, passphrase, read_only),
        poolclass=QueuePool,
    )
    # Transactions are begun explicitly (the driver's own handling is off: isolation_level=None).
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(_begin_statement(conn)))
    if not read_only:
        _immediate_writes(engine)
    key = _audit_key(path, passphrase, read_only)
    if key is not None:
        event.listen(engine, "connect", lambda _dbapi, record: record.info.update({witness.INFO_KEY: key}))
        event.listen(engine, "checkin", witness.on_checkin(path, key))
    db = Database(engine, path, passphrase, read_only, audit_key=key)
    if read_only:
        current = schema_version(db)
        if current != SCHEMA_VERSION:
            engine.dispose()
            raise DatabaseError(
                f"{path} has schema version {current}, this version needs {SCHEMA_VERSION}: "
                "open it once without --read-only to upgrade it."
            )
    elif migrate:
        migrate_database(db)
    if current_schema_has_witness(db):
        from models.storage.audit import open_time_warnings, seal

        if not read_only and key is not None:
            seal(db)
        db = dataclasses.replace(db, warnings=tuple(open_time_warnings(db)))
    return db


#: The execution option that makes a transaction begin as `BEGIN IMMEDIATE` (see below).
_BEGIN_OPTION = "sqlite_begin"


def _begin_statement(conn: Connection) -> str:
    return "BEGIN IMMEDIATE" if conn.get_execution_options().get(_BEGIN_OPTION) == "immediate" else "BEGIN"


def _immediate_writes(engine: Engine) -> None:
    """Make `engine.begin()`, every writer's unit of work, begin `BEGIN IMMEDIATE` on SQLite.

    A deferred transaction that reads and then writes cannot wait for another writer: SQLite
    refuses its upgrade at once (SQLITE_BUSY, measured: 54% of two writers' saves refused after
    about 5 ms). An immediate one takes the write lock first and so waits its turn, up to
    `busy_timeout`. Reads (`engine.connect()`) stay deferred and never block a writer in WAL mode.
    """

    @contextmanager
    def begin() -> Iterator[Connection]:
        with engine.connect() as conn:
            conn.execution_options(**{_BEGIN_OPTION: "immediate"})
            with conn.begin():
                yield conn

    engine.begin = begin  # type: ignore[method-assign]


def _audit_key(path: Path, passphrase: str | None, read_only: bool) -> bytes | None:
    try:
        return witness.database_key(path, passphrase, create=not read_only)
    except witness.KeyUnavailable as exc:
        raise DatabaseError(f"{exc} It was not opened.") from None
    except OSError as exc:
        raise DatabaseError(
            f"Cannot read or make the audit key {witness.key_path(path)}: {exc.strerror}."
        ) from None


def current_schema_has_witness(db: Database) -> bool:
    """Whether the audit table has the witness's columns (schema 4 or later)."""
    with db.engine.connect() as conn:
        return migrations.schema_state(conn).version >= 4


def _open_server(url: str, *, migrate: bool, read_only: bool, password: str | None) -> Database:
    """Open the team server: the psycopg dialect, TLS off this machine, errors for a person."""
    try:
        sa_url = server.engine_url(url)
    except server.ServerError as exc:
        raise DatabaseError(str(exc)) from None
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if password is not None:
        connect_args["password"] = password  # to the driver only: never in the URL or a log
    engine = create_engine(sa_url, connect_args=connect_args, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        server.check_connection(dbapi_connection)
        if read_only:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()

    db = Database(engine, None, None, read_only, password)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except server.ServerError as exc:
        engine.dispose()
        raise DatabaseError(str(exc)) from None
    except Exception as exc:
        engine.dispose()
        failure = server.connection_failure(exc, sa_url)
        kind = {server.PasswordRequired: ServerPasswordRequired, server.Unreachable: ServerUnreachable}
        raise kind.get(type(failure), DatabaseError)(str(failure)) from None
    log.info("opened the team server %s", server.describe(sa_url))
    try:
        if read_only:
            current = schema_version(db)
            if current != SCHEMA_VERSION:
                raise DatabaseError(
                    f"The team database has schema version {current}, this version needs {SCHEMA_VERSION}: "
                    "open it once without --read-only to upgrade it."
                )
        elif migrate:
            migrate_database(db)
    except BaseException:
        engine.dispose()
        raise
    return db


def _probe(path: Path, passphrase: str | None, read_only: bool, check: bool) -> None:
    """Fail early, and clearly, on a wrong passphrase, a foreign file or a damaged one."""
    try:
        conn = connect_file(path, passphrase, read_only)
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"Cannot open {path}: {exc}.") from None
    except Exception as exc:
        if passphrase is not None:
            _wrong_passphrase_or_damage(path, passphrase)
        raise DatabaseDamaged(path, str(exc)) from None
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Exception as exc:
            if passphrase is not None:
                _wrong_passphrase_or_damage(path, passphrase)
            raise DatabaseDamaged(path, str(exc)) from None
        _refuse_foreign(path, conn)
        if check:
            try:
                rows = conn.execute("PRAGMA quick_check").fetchall()
            except Exception as exc:
                raise DatabaseDamaged(path, str(exc)) from None
            if [r[0] for r in rows] != ["ok"]:
                raise DatabaseDamaged(path, "; ".join(str(r[0]) for r in rows[:3]))
    finally:
        conn.close()


def _wrong_passphrase_or_damage(path: Path, passphrase: str) -> None:
    """Raise `WrongPassphrase`, or `DatabaseDamaged` when the passphrase opens some pages.

    A wrong passphrase fails every page's HMAC; one damaged page fails only its own, so if any page
    checks with this passphrase, the passphrase is right and the file is damaged.
    """
    failed, pages = 0, max(path.stat().st_size // 4096, 1)
    try:
        conn = _driver(True).connect(str(path), check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA key = {_quote_key(passphrase)}")
            with suppress(Exception):
                conn.execute("PRAGMA cipher_log_level = NONE")
            failed = len(conn.execute("PRAGMA cipher_integrity_check").fetchall())
        finally:
            conn.close()
    except Exception:
        failed = pages
    if pages > 1 and failed < pages:
        raise DatabaseDamaged(path, f"{failed} of its {pages} pages fail their check") from None
    raise WrongPassphrase(f"The passphrase does not open {path}.") from None


def _refuse_foreign_plain(path: Path) -> None:
    """`_refuse_foreign` for a plain file, before anything is written to it (not even WAL mode)."""
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) == 100 and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # the checks that follow say what is wrong
    try:
        _refuse_foreign(path, conn)
    except sqlite3.Error:
        return
    finally:
        conn.close()


def _refuse_foreign(path: Path, conn: Any) -> None:
    """Another program's SQLite file is refused (never turned into a tracker)."""
    application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if application_id == APPLICATION_ID:
        return
    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application_id != 0 or (tables and "child" not in tables):
        raise DatabaseError(
            f"{path} is another program's SQLite database, not a Permanence Tracker database; "
            "it was not opened or changed."
        )


def schema_version(db: Database) -> int:
    with db.engine.connect() as conn:
        return migrations.schema_state(conn).version


def migrate_database(db: Database) -> Path | None:
    """Bring the schema up to date with the Alembic revisions; returns the backup taken first, if any.

    A database from before Alembic (SQLite's `user_version`, the server's `schema_version`) is
    stamped at its version, then upgraded. An existing SQLite file is backed up before anything is
    written; the stamp and every step are one transaction, so a failure leaves the file as it was.
    """
    where = str(db.path) if db.path is not None else "The team database"
    try:
        with db.engine.connect() as conn:
            state = migrations.schema_state(conn)
    except Exception as exc:  # a damaged or foreign file
        raise DatabaseError(f"Cannot read {db.path or db.engine.url}: {exc}") from exc
    current = state.version
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"This database was written by a newer Permanence Tracker (schema {current}, this version "
            f"knows up to {SCHEMA_VERSION}). Update the application; the file was not changed."
        )
    if state.revision == SCHEMA_VERSION:
        return None
    backup = None
    if db.path is not None and current > 0:
        backup = backup_database(db, db.path.with_name(f"{db.path.stem}.pre-v{current + 1}.{_stamp()}.bak"))
    from models.storage.migrations import runner  # imports Alembic: only when there is work to do

    log.info("upgrading %s from schema %d to %d", where, current, SCHEMA_VERSION)
    try:
        runner.upgrade(db.engine)
    except runner.MigrationFailed as exc:
        kept = f"; the backup taken first is {backup}" if backup is not None else ""
        raise DatabaseError(
            f"Upgrading {where} from schema {current} to {SCHEMA_VERSION} failed ({exc}). Nothing was "
            f"changed: it is still at schema {current}{kept}."
        ) from exc
    return backup


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def backup_database(db: Database, target: Path) -> Path:
    """A checked, self-contained copy of the file at `target` (encrypted with the same key, 0600),
    written under a temporary name and renamed only once it is good
    (`models.storage.backup_file.write_backup`); a manifest `<target>.json` sits beside it."""
    from models.storage.backup_file import write_backup

    if db.path is None:
        raise DatabaseError("Backups are only made of SQLite files; use the server's own backups.")
    source = db.raw_connection()
    try:
        return write_backup(source, db.passphrase, target)
    finally:
        source.close()


@contextmanager
def transaction(db: Database) -> Iterator[Connection]:
    """One unit of work: committed whole or not at all."""
    with db.engine.begin() as conn:
        yield conn
