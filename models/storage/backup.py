"""Backups, restore, damaged files, and encryption at rest.

Backups are made with SQLite's online backup API (so a live database copies consistently), stay
encrypted when the database is, are checked after writing, and live in a 0700 `backups` folder
beside the database, named `<stem>-<YYYYmmdd-HHMMSS>-<kind>.sqlite`. They are thinned to the newest
of each of the last 7 days, 4 weeks and 12 months. A damaged file is moved aside, never deleted;
restoring a backup first backs up (or moves aside) what it replaces.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from models.storage import read_check, witness
from models.storage.backup_file import (
    PART_SUFFIX,
    audit_head,
    check_backup_file,
    connect_copy,
    fsync_dir,
    manifest_path,
    read_manifest,
    sha256_of,
    tracker_tables,
    write_manifest,
)
from models.storage.db import (
    APPLICATION_ID,
    Database,
    DatabaseError,
    _create_private_file,
    _quote_key,
    backup_database,
    connect_file,
    file_is_plain_sqlite,
)

log = logging.getLogger("permanence.backup")

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_MONTHLY = 12
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})-(?P<kind>[a-z-]+)\.sqlite$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken: datetime
    kind: str
    size: int


def backup_dir(db_path: Path) -> Path:
    folder = db_path.parent / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Backups of this database file, newest first."""
    folder = db_path.parent / "backups"
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match is None or match["stem"] != db_path.stem:
            continue
        taken = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
        found.append(BackupInfo(path, taken, match["kind"], path.stat().st_size))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def make_backup(db: Database, kind: str = "manual", now: datetime | None = None) -> Path:
    """A checked copy of the live database in the backups folder."""
    if db.path is None:
        raise DatabaseError("Backups are only made of SQLite files; use the server's own backups.")
    moment = now or datetime.now()
    folder = backup_dir(db.path)
    target = folder / f"{db.path.stem}-{moment:%Y%m%d-%H%M%S}-{kind}.sqlite"
    n = 1
    while target.exists():  # two backups in one second
        moment += timedelta(seconds=1)
        target = folder / f"{db.path.stem}-{moment:%Y%m%d-%H%M%S}-{kind}.sqlite"
        n += 1
    return backup_database(db, target)


def ensure_daily_backup(db: Database, now: datetime | None = None) -> Path | None:
    """On the first start of a day, a backup; then thin the old ones. Returns the new backup."""
    if db.path is None or db.read_only:
        return None
    moment = now or datetime.now()
    if any(b.taken.date() == moment.date() for b in list_backups(db.path)):
        return None
    made = make_backup(db, "daily", moment)
    thin_backups(db.path, moment.date())
    return made


def backups_to_keep(backups: Iterable[BackupInfo], today: date) -> set[Path]:
    """The newest backup of each of the last 7 days, 4 ISO weeks and 12 months, and the newest."""
    ordered = sorted(backups, key=lambda b: b.taken, reverse=True)
    keep: set[Path] = set()
    if ordered:
        keep.add(ordered[0].path)
    seen_days: set[date] = set()
    seen_weeks: set[tuple[int, int]] = set()
    seen_months: set[tuple[int, int]] = set()
    for backup in ordered:
        day = backup.taken.date()
        age = (today - day).days
        if age < KEEP_DAILY and day not in seen_days:
            seen_days.add(day)
            keep.add(backup.path)
        week = day.isocalendar()[:2]
        if age < 7 * KEEP_WEEKLY and week not in seen_weeks:
            seen_weeks.add(week)
            keep.add(backup.path)
        month = (day.year, day.month)
        months_ago = (today.year - day.year) * 12 + today.month - day.month
        if months_ago < KEEP_MONTHLY and month not in seen_months:
            seen_months.add(month)
            keep.add(backup.path)
    return keep


def thin_backups(db_path: Path, today: date) -> list[Path]:
    """Delete the backups the policy no longer keeps; returns what was removed."""
    backups = list_backups(db_path)
    keep = backups_to_keep(backups, today)
    removed = []
    for backup in backups:
        if backup.path not in keep:
            backup.path.unlink()
            with suppress(FileNotFoundError):
                manifest_path(backup.path).unlink()
            removed.append(backup.path)
    return removed


def check_file(path: Path, passphrase: str | None = None) -> str:
    """'ok', or what is wrong with a database or backup file: empty, not a tracker database,
    damaged, newer than this code, or disagreeing with its manifest (`backup_file`)."""
    return check_backup_file(path, passphrase)


def newest_good_backup(
    db_path: Path, passphrase: str | None = None, *, values: bool = False
) -> BackupInfo | None:
    """The newest backup that passes `check_file`; with `values`, whose every stored value also
    reads as the tracker writes it (`read_check.locate`: after a damaged value was read, a backup
    taken since holds the same damage)."""
    for backup in list_backups(db_path):
        if check_file(backup.path, passphrase) == "ok" and (
            not values or _values_good(backup.path, passphrase)
        ):
            return backup
    return None


def _values_good(path: Path, passphrase: str | None) -> bool:
    conn = connect_file(path, passphrase, read_only=True)
    try:
        return read_check.locate(conn) is None
    finally:
        conn.close()


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def move_aside(path: Path, reason: str = "damaged") -> Path:
    """Rename a file (and its WAL companions) out of the way, keeping every byte."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    os.replace(path, target)
    for companion in _companions(path):
        if companion.exists():
            os.replace(companion, target.with_name(target.name + companion.name[len(path.name) :]))
    log.warning("moved %s aside to %s", path, target)
    return target


def _fsync_dir(folder: Path) -> None:
    fsync_dir(folder)


def _copy_into_place(source: Path, db_path: Path, passphrase: str | None) -> None:
    """Copy a checked database file onto `db_path` atomically (temporary file, then rename)."""
    tmp = db_path.with_name(db_path.name + ".restoring")
    with suppress(FileNotFoundError):
        tmp.unlink()
    _create_private_file(tmp)
    try:
        src = connect_file(source, passphrase, read_only=True)
        try:
            dest = connect_file(tmp, passphrase)
            try:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")
                ok = dest.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dest.close()
        finally:
            src.close()
        if ok != "ok":
            raise DatabaseError(f"The copy of {source} failed its check ({ok}); nothing was replaced.")
        for companion in _companions(db_path):
            with suppress(FileNotFoundError):
                companion.unlink()
        os.replace(tmp, db_path)
        _fsync_dir(db_path.parent)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise


def restore_backup(db_path: Path, backup: Path, passphrase: str | None = None) -> Path | None:
    """Put a backup in place of the database, which must be closed.

    What is replaced is first backed up (or, if it cannot be read, moved aside). Returns that
    safety copy's path.
    """
    problem = check_file(backup, passphrase)
    if problem != "ok":
        raise DatabaseError(f"The backup {backup.name} cannot be restored: {problem}.")
    safety: Path | None = None
    if db_path.exists():
        if check_file(db_path, passphrase) == "ok":
            from models.storage.db import open_database

            current = open_database(db_path, passphrase=passphrase, migrate=False)
            try:
                safety = make_backup(current, "pre-restore")
            finally:
                current.dispose()
        else:
            safety = move_aside(db_path)
    _copy_into_place(backup, db_path, passphrase)
    # The log now ends where the backup's did (the safety copy keeps the rest): the head beside
    # the file follows it, then the restore is the log's next entry.
    _rewrite_head(db_path, passphrase)
    _audit_database(
        db_path,
        passphrase,
        "restore",
        backup.name,
        {"backup": backup.name, "replaced": safety.name if safety is not None else None},
    )
    return safety


def _audit_database(
    db_path: Path, passphrase: str | None, action: str, what: str, after: dict[str, Any]
) -> None:
    """One audit row in the database at `db_path` (opened for it): a restore or a new key is a
    change to the whole file, recorded in the file's own trail. Never the passphrase."""
    from models.storage.db import open_database
    from models.storage.store import audit

    db = open_database(db_path, passphrase=passphrase, migrate=False)  # as restored: opening migrates
    try:
        with db.engine.begin() as conn:
            audit(conn, action, "database", what, after=after)
    finally:
        db.dispose()


# --- Encryption at rest -----------------------------------------------------------------------


def _export_encrypted(
    source: Path,
    source_key: str | None,
    target: Path,
    target_key: str,
    *,
    copy: bool = False,
    audit_key: bytes | None = None,
) -> None:
    """Write an encrypted copy of `source` with SQLCipher's sqlcipher_export, then check it.

    A `copy` (a backup, a damaged file moved aside) is read without a pragma that writes (no WAL
    mode, no checkpoint), so its bytes, and the digest its manifest names, stay as they were. The
    copy's audit chain is signed again with the key of the new passphrase (`witness.resign`),
    having been checked with `audit_key`, the key it was written with.
    """
    with suppress(FileNotFoundError):
        target.unlink()
    _create_private_file(target)
    try:
        if source_key and copy:
            conn = connect_copy(source, source_key)
        else:
            conn = connect_file(source, source_key) if source_key else _plain_via_sqlcipher(source)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if not copy:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute(f"ATTACH DATABASE ? AS encrypted KEY {_quote_key(target_key)}", (str(target),))
            conn.execute("SELECT sqlcipher_export('encrypted')")
            conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            conn.execute(f"PRAGMA encrypted.application_id = {APPLICATION_ID}")
            conn.execute("DETACH DATABASE encrypted")
        finally:
            conn.close()
        if "audit" in _tables_of(target, target_key):
            _resign(target, target_key, audit_key)
        problem = check_file(target, target_key)
        if problem != "ok":
            raise DatabaseError(f"The encrypted copy failed its check ({problem}).")
    except BaseException:
        with suppress(FileNotFoundError):
            target.unlink()
        raise


def _tables_of(path: Path, passphrase: str) -> set[str]:
    conn = connect_copy(path, passphrase)
    try:
        return tracker_tables(conn)
    finally:
        conn.close()


def _resign(path: Path, passphrase: str, old_key: bytes | None) -> None:
    conn = connect_copy(path, passphrase)
    try:
        columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(audit)")}
        if "version" in columns and not witness.resign(conn, old_key, witness.derived_key(passphrase)):
            log.warning(
                "the audit chain of %s did not check, so it was not signed with the new key", path.name
            )
    finally:
        conn.close()


def _plain_via_sqlcipher(path: Path) -> Any:
    import importlib

    driver = importlib.import_module("sqlcipher3")
    return driver.connect(str(path), isolation_level=None)  # no key: SQLCipher reads plain SQLite


REKEY_MARKER = ".rekeying"
REKEY_SUFFIX = ".rekey"
ENCRYPTING_SUFFIX = ".encrypting"


def _copies_of(path: Path) -> list[Path]:
    """Every copy of the database's records beside it: backups, pre-migration copies, damaged files
    moved aside (each with its WAL companions, if any)."""
    found = [b.path for b in list_backups(path)]
    found += sorted(path.parent.glob(f"{path.stem}.pre-v*.bak"))
    found += sorted(
        p
        for p in path.parent.glob(f"{path.name}.damaged-*")
        if not p.name.endswith(("-wal", "-shm", "-journal"))
    )
    return found


def _leftovers_in_clear(path: Path) -> list[Path]:
    """Half-written copies that may hold records in clear: `.part` backups, a `.restoring` file."""
    found = []
    folder = path.parent / "backups"
    if folder.is_dir():
        found += [
            p for p in folder.iterdir() if p.name.startswith(path.stem) and p.name.endswith(PART_SUFFIX)
        ]
    found += [p for p in (path.with_name(path.name + ".restoring"),) if p.exists()]
    return found


class EncryptionCancelled(DatabaseError):
    """The person cancelled encrypting (or changing the passphrase): nothing in use was changed."""


def set_passphrase(
    db: Database, new_passphrase: str, cancelled: Callable[[], bool] | None = None
) -> Database:
    """Encrypt the database (or change its passphrase) in place; returns the reopened database.

    A backup is taken first. Every copy beside the database (backups, pre-migration copies, damaged
    files moved aside) is rewritten with the new key, so no copy stays readable without it; a copy
    that cannot be rewritten is removed when it is in clear. The work is done in two halves so an
    interruption (a kill, a power cut) never leaves a copy in clear beside an encrypted database:

    1. Prepare: an encrypted copy of the database (`.encrypting`) and of every copy (`.rekey`),
       each complete and checked, beside its original. Nothing in use has changed yet.
    2. Switch: a marker (`<db>.rekeying`, listing the renames, never the passphrase) is written,
       then every copy is put in place (or removed), and the database last. An interrupted switch
       is finished by `recover_interrupted` on the next open; interrupted preparations are removed.

    `cancelled` is looked at between the copies of the first half: once true, what was prepared is
    removed and `EncryptionCancelled` raised (the database as it was, closed; the pre-encryption
    backup kept). The second half is not interrupted.

    The caller must not use `db` afterwards.
    """
    from models.storage.db import open_database

    def stop_if_cancelled() -> None:
        if cancelled is not None and cancelled():
            raise EncryptionCancelled("Encrypting was cancelled; nothing was changed.")

    if db.path is None:
        raise DatabaseError("Only SQLite files are encrypted here; a server has its own encryption.")
    if len(new_passphrase) < 8:
        raise DatabaseError("The passphrase must be at least 8 characters long.")
    path = db.path
    old_key = db.passphrase
    audit_key = db.audit_key
    make_backup(db, "pre-encryption")
    db.dispose()
    tmp = path.with_name(path.name + ENCRYPTING_SUFFIX)
    prepared: list[tuple[Path, Path]] = []
    remove: list[Path] = []
    try:
        stop_if_cancelled()
        _export_encrypted(path, old_key, tmp, new_passphrase, audit_key=audit_key)
        for copy in _copies_of(path):
            stop_if_cancelled()
            plain = file_is_plain_sqlite(copy)
            rekeyed = copy.with_name(copy.name + REKEY_SUFFIX)
            try:
                _export_encrypted(
                    copy, None if plain else old_key, rekeyed, new_passphrase, copy=True, audit_key=audit_key
                )
            except Exception as exc:
                if plain is not False or old_key is None:
                    log.warning(
                        "%s cannot be encrypted (%s); it is removed, not left in clear", copy.name, exc
                    )
                    remove += [copy, *_companions(copy), manifest_path(copy)]
                else:
                    log.warning("%s could not be given the new passphrase: %s", copy.name, exc)
                continue
            manifest = _rekeyed_manifest(copy, rekeyed, new_passphrase)
            if manifest is not None:
                write_manifest(copy, manifest)
            prepared.append((rekeyed, copy))
            remove += _companions(copy)
        if old_key is None:
            remove += _leftovers_in_clear(path)
        stop_if_cancelled()  # the last point where nothing in use has changed
        marker = path.with_name(path.name + REKEY_MARKER)
        plan = {
            "database": tmp.name,
            "copies": [
                [str(r.relative_to(path.parent)), str(c.relative_to(path.parent))] for r, c in prepared
            ],
            "remove": [str(p.relative_to(path.parent)) for p in remove],
        }
        part = marker.with_name(marker.name + PART_SUFFIX)
        with suppress(FileNotFoundError):
            part.unlink()
        _create_private_file(part)
        with part.open("w", encoding="utf-8") as fh:
            json.dump(plan, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, marker)
        _fsync_dir(path.parent)
    except BaseException:
        for leftover in [tmp, *(r for r, _ in prepared)]:
            with suppress(FileNotFoundError):
                leftover.unlink()
        raise
    _finish_rekey(path)
    _rewrite_head(path, new_passphrase)
    reopened = open_database(path, passphrase=new_passphrase)
    from models.storage.store import audit

    with reopened.engine.begin() as conn:  # the file's own trail: what changed, never the passphrase
        action = "encrypt" if old_key is None else "passphrase"
        audit(conn, action, "database", path.name, after={"encrypted": True, "copies_rekeyed": len(prepared)})
    return reopened


def _rewrite_head(path: Path, passphrase: str | None) -> None:
    """The head beside the file, from the file now in place and signed with its key (after a
    change of passphrase, or a restore that put an older file in place)."""
    key = witness.database_key(path, passphrase, create=False)
    if key is None:
        return
    conn = connect_file(path, passphrase)
    try:
        head = witness.current_head(conn) if "audit" in tracker_tables(conn) else None
    finally:
        conn.close()
    if head is None:
        witness.head_path(path).unlink(missing_ok=True)
    else:
        witness.write_head(path, key, head)


def _head_of(path: Path, passphrase: str) -> str | None:
    conn = connect_copy(path, passphrase)
    try:
        return audit_head(conn)
    finally:
        conn.close()


def _rekeyed_manifest(copy: Path, rekeyed: Path, passphrase: str) -> dict[str, Any] | None:
    """The copy's manifest, naming the re-keyed file's digest (and the current one, until the switch)."""
    try:
        manifest = read_manifest(copy)
    except (ValueError, OSError):
        return None
    if manifest is None:
        return None
    manifest["previous_sha256"] = sha256_of(copy)
    manifest["sha256"] = sha256_of(rekeyed)
    if manifest.get("audit_head"):  # the chain was signed again with the new key
        manifest["previous_audit_head"] = manifest["audit_head"]
        manifest["audit_head"] = _head_of(rekeyed, passphrase)
    return manifest


def _finish_rekey(path: Path) -> None:
    """Carry out the switch the marker describes (again, if it was interrupted), then drop it."""
    marker = path.with_name(path.name + REKEY_MARKER)
    plan = json.loads(marker.read_text(encoding="utf-8"))
    folder = path.parent
    for rekeyed, copy in plan["copies"]:
        if (folder / rekeyed).exists():
            os.replace(folder / rekeyed, folder / copy)
    for name in plan["remove"]:
        with suppress(FileNotFoundError):
            (folder / name).unlink()
    _fsync_dir(folder / "backups") if (folder / "backups").is_dir() else None
    encrypted = folder / plan["database"]
    if encrypted.exists():
        for companion in _companions(path):  # the old WAL: its changes are in the encrypted copy
            with suppress(FileNotFoundError):
                companion.unlink()
        os.replace(encrypted, path)
    _fsync_dir(folder)
    marker.unlink()
    _fsync_dir(folder)


def recover_interrupted(path: Path, *, read_only: bool = False) -> None:
    """Before a database is opened: finish a change of passphrase that was interrupted mid-switch,
    and remove what an interrupted preparation left (encrypted copies nobody uses)."""
    marker = path.with_name(path.name + REKEY_MARKER)
    if marker.exists():
        if read_only:
            raise DatabaseError(
                f"A change of passphrase of {path} was interrupted; open it once without --read-only to finish it."
            )
        log.warning("finishing the change of passphrase of %s that was interrupted", path)
        _finish_rekey(path)
        return
    if read_only:
        return
    stale = [path.with_name(path.name + ENCRYPTING_SUFFIX), marker.with_name(marker.name + PART_SUFFIX)]
    stale += (
        [copy.with_name(copy.name + REKEY_SUFFIX) for copy in _copies_of(path)]
        if path.parent.is_dir()
        else []
    )
    for leftover in stale:
        with suppress(FileNotFoundError):
            leftover.unlink()
            log.info("removed %s, left by an interrupted change of passphrase", leftover.name)
