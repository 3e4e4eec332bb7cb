"""One backup file, written so that a name that looks like a backup is always a good one.

A backup is written under `<name>.part`: SQLite's online backup API copies one consistent snapshot
of the live database (the source is held in one read transaction while its counts are taken and
its pages copied), the copy is switched to `journal_mode=DELETE` (one self-contained file, no
`-wal`/`-shm`) and stamped with the tracker's `application_id`, fsynced, and checked: a full
`integrity_check`, and its children, events and audit rows counted equal to the source's. Then a
small manifest, `<name>.json` (the counts, the audit head, the file's SHA-256), is written and
fsynced, the copy is renamed to its final name, and the folder is fsynced. A kill at any point
leaves at most a `.part` file (or a manifest without its backup), never a bad file under a
backup's name.

`check_backup_file` is the other half: it refuses an empty file, a file that is not a tracker
database (another program's SQLite file), and a file whose counts, audit head or digest disagree
with its manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from contextlib import suppress
from pathlib import Path
from typing import Any

from models.storage.db import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    DatabaseError,
    _create_private_file,
    _driver,
    _quote_key,
    connect_file,
)

#: The tables whose rows a backup must hold as many of as its source.
COUNTED = ("child", "event", "audit")
MANIFEST_SUFFIX = ".json"
PART_SUFFIX = ".part"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tracker_tables(conn: Any) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def row_counts(conn: Any) -> dict[str, int]:
    present = tracker_tables(conn)
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED if t in present}


def audit_head(conn: Any) -> str | None:
    if "audit" not in tracker_tables(conn):
        return None
    row = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def connect_copy(path: Path, passphrase: str | None) -> Any:
    """A connection to a new copy with no pragmas of the live database's (no WAL)."""
    conn = _driver(passphrase is not None).connect(str(path), check_same_thread=False, isolation_level=None)
    if passphrase is not None:
        conn.execute(f"PRAGMA key = {_quote_key(passphrase)}")
        with suppress(Exception):
            conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def _integrity(conn: Any) -> str:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:3])


def write_manifest(target: Path, manifest: dict[str, Any]) -> None:
    """`<target>.json`, written under a temporary name, fsynced and renamed (0600)."""
    final = manifest_path(target)
    part = final.with_name(final.name + PART_SUFFIX)
    with suppress(FileNotFoundError):
        part.unlink()
    fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, sort_keys=True, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, final)
    except BaseException:
        with suppress(FileNotFoundError):
            part.unlink()
        raise


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of a backup, None when it has none (a backup made before manifests)."""
    try:
        text = manifest_path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("the manifest is not a JSON object")
    return value


def write_backup(source: Any, passphrase: str | None, target: Path) -> Path:
    """Copy the database behind the driver connection `source` to `target`, as described above."""
    part = target.with_name(target.name + PART_SUFFIX)
    with suppress(FileNotFoundError):
        part.unlink()
    _create_private_file(part)
    try:
        source.execute("BEGIN")
        try:
            expected = row_counts(source)
            head = audit_head(source)
            dest = connect_copy(part, passphrase)
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                dest.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                problem = _integrity(dest)
                got = row_counts(dest)
                version = int(dest.execute("PRAGMA user_version").fetchone()[0])
            finally:
                dest.close()
        finally:
            source.execute("COMMIT")
        if problem != "ok":
            raise DatabaseError(
                f"The backup {target} failed its integrity check ({problem}); it was not kept."
            )
        if got != expected:
            raise DatabaseError(
                f"The backup {target} holds {got} rows where the database holds {expected}; it was not kept."
            )
        for suffix in ("-wal", "-shm", "-journal"):
            if part.with_name(part.name + suffix).exists():
                raise DatabaseError(f"The backup {target} was not written as one file; it was not kept.")
        fsync_file(part)
        manifest = {"counts": got, "audit_head": head, "sha256": sha256_of(part), "schema": version}
        write_manifest(target, manifest)
        os.replace(part, target)
        fsync_dir(target.parent)
    except BaseException:
        with suppress(OSError):
            part.unlink()
        raise
    return target


def check_backup_file(path: Path, passphrase: str | None = None) -> str:
    """'ok', or in a few words what is wrong with a database or backup file."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    if info.st_size == 0:
        return "the file is empty"
    try:
        conn = connect_file(path, passphrase, read_only=True)
    except Exception as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        result = "; ".join(str(r[0]) for r in rows[:3])
        if result != "ok":
            return result
        application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        tables = tracker_tables(conn)
        if application_id not in (0, APPLICATION_ID) or not set(COUNTED) <= tables:
            return "it is not a Permanence Tracker database"
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            return f"written by a newer version (schema {version})"
        try:
            manifest = read_manifest(path)
        except (ValueError, OSError) as exc:
            return f"its manifest cannot be read ({exc})"
        if manifest is None:
            return "ok"
        counts = row_counts(conn)
        if manifest.get("counts") != counts:
            return f"it holds {counts} rows where its manifest says {manifest.get('counts')}"
        heads = [manifest.get("audit_head")] + (  # and, mid-way through a change of key, the old one
            [manifest["previous_audit_head"]] if "previous_audit_head" in manifest else []
        )
        if audit_head(conn) not in heads:
            return "its newest audit entry is not the one its manifest names"
    except Exception as exc:
        return str(exc)
    finally:
        conn.close()
    digest = sha256_of(path)
    if digest not in (manifest.get("sha256"), manifest.get("previous_sha256")):
        return "its contents differ from its manifest (SHA-256)"
    return "ok"
