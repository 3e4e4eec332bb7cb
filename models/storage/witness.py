"""What makes the audit log a witness: its key, the digests of the rows it covers, and its head.

- **The key.** Entries of version 2 are chained by HMAC-SHA256, not a bare SHA-256, so an edited
  entry cannot be given a new, valid hash by whoever can open the file. An encrypted database's key
  is derived from its passphrase (PBKDF2, as slow as SQLCipher's own); a plain database's is 32
  random bytes in `<db>.audit-key` beside it (0600, made on first open). The key is never in a
  backup: a backup of an encrypted file is verified with its passphrase, one of a plain file with
  the key beside the database it was taken from.
- **The digests.** Each entry carries the digest of every row it left behind (the child with its
  events, and the settings), so a child, an event or a setting changed directly in SQLite no longer
  matches the newest entry that touched it.
- **The head.** `<db>.audit-head` (0600, HMAC-signed, replaced atomically after each commit that
  wrote an entry) names the newest entry and the count, so that deleting the newest entries, or
  losing the tail of the write-ahead log after a crash, shows.

Nothing here imports the rest of the storage layer: `db` wires it into the engine, `store` writes
the entries, `audit` checks them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

KEY_SUFFIX: Final = ".audit-key"
HEAD_SUFFIX: Final = ".audit-head"
#: The entry version this code writes on SQLite (1: unkeyed SHA-256, still verified).
VERSION: Final = 2
#: Key of `Connection.info` holding the audit key of an SQLite database's connections.
INFO_KEY: Final = "audit_key"
#: Key of `Connection.info` set when an entry was written (the head is rewritten at check-in).
INFO_WROTE: Final = "audit_wrote"
#: The digests' key for the settings table.
SETTINGS: Final = "settings"
#: The child's key prefix in an entry's digests.
CHILD: Final = "child:"

_PBKDF2_ROUNDS: Final = 256_000  # as SQLCipher 4 stretches the passphrase
_SALT: Final = b"permanence-tracker audit chain v2"
_derived: dict[bytes, bytes] = {}  # passphrase digest -> key, so each open does not stretch again


class KeyUnavailable(Exception):
    """The audit key of a plain database is not beside it (moved, deleted, or read-only)."""


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + KEY_SUFFIX)


def head_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + HEAD_SUFFIX)


def derived_key(passphrase: str) -> bytes:
    """The audit key of an encrypted database: PBKDF2-SHA256 of its passphrase."""
    ident = hashlib.sha256(passphrase.encode("utf-8")).digest()
    if ident not in _derived:
        _derived[ident] = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), _SALT, _PBKDF2_ROUNDS)
    return _derived[ident]


def database_key(db_path: Path, passphrase: str | None, *, create: bool) -> bytes | None:
    """The key of the database at `db_path`: derived from the passphrase, else read from (or, with
    `create`, made in) `<db>.audit-key`; None when there is none and none may be made."""
    if passphrase is not None:
        return derived_key(passphrase)
    path = key_path(db_path)
    with suppress(FileNotFoundError):
        return _read_key(path)
    if not create:
        return None
    tmp = path.with_name(f"{path.name}.new-{os.getpid()}")
    with suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, os.urandom(32).hex().encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # never replaces a key another process made a moment ago
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        text = fh.read(200).strip()
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise KeyUnavailable(f"{path} is not an audit key.") from None
    if len(key) != 32:
        raise KeyUnavailable(f"{path} is not an audit key.")
    return key


# --- Entries --------------------------------------------------------------------------------


def entry_mac(key: bytes, previous: str, fields: Sequence[Any], digests: str | None) -> str:
    """A version 2 entry's hash: the HMAC of the previous hash, its content and its digests."""
    payload = json.dumps([previous, *fields, digests, VERSION], ensure_ascii=False)
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _rows(cursor: Any, key: str) -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    """Each row as (its `key` column's value, its non-empty columns by name, without `pk`).

    By name and without empty columns, so that a schema step that adds a column (empty) or
    rebuilds a table in another column order changes no digest."""
    names = [d[0] for d in cursor.description]
    at = names.index(key)
    order = sorted((name, i) for i, name in enumerate(names) if name != "pk")
    for row in cursor:
        yield str(row[at]), [(name, row[i]) for name, i in order if row[i] is not None]


def _child_digest(row: list[tuple[str, Any]] | None, events: Sequence[list[tuple[str, Any]]]) -> str | None:
    """One child's digest: its row, then each of its events (in event id order), as stored."""
    if row is None and not events:
        return None
    digest = hashlib.sha256(repr(row).encode("utf-8", "surrogatepass"))
    for event in events:
        digest.update(b"\n" + repr(event).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


#: Above this many children, their digests are taken in one ordered pass over the tables.
_SCAN_ABOVE: Final = 200


def child_digests(dbapi: Any, child_ids: Iterable[str] | None = None) -> dict[str, str | None]:
    """Each child's digest (its row and its events, as stored), None for a child not there; every
    child when `child_ids` is None. `dbapi` is an SQLite driver connection.

    Many children are read in one pass over both tables in id order, a child at a time (memory
    stays flat: collecting a 20,000-child import's events first cost 480 MB)."""
    wanted = None if child_ids is None else {str(c) for c in child_ids}
    if wanted is not None and len(wanted) <= _SCAN_ABOVE:
        ids = sorted(wanted)
        marks = ", ".join("?" * len(ids))
        children: Any = dbapi.execute(f"SELECT * FROM child WHERE id IN ({marks}) ORDER BY id", ids)
        events: Any = dbapi.execute(
            f"SELECT * FROM event WHERE child_id IN ({marks}) ORDER BY child_id, event_id", ids
        )
    else:
        children = dbapi.cursor().execute("SELECT * FROM child ORDER BY id")
        events = dbapi.cursor().execute("SELECT * FROM event ORDER BY child_id, event_id")
    out: dict[str, str | None] = {}
    child_rows, event_rows = _rows(children, "id"), _rows(events, "child_id")
    child = next(child_rows, None)
    event = next(event_rows, None)
    while child is not None or event is not None:
        # The next child id in either stream (SQLite orders text as Python does: by code point).
        current = min(r[0] for r in (child, event) if r is not None)
        row = None
        if child is not None and child[0] == current:
            row, child = child[1], next(child_rows, None)
        own: list[list[tuple[str, Any]]] = []
        while event is not None and event[0] == current:
            own.append(event[1])
            event = next(event_rows, None)
        if wanted is None or current in wanted:
            out[current] = _child_digest(row, own)
    if wanted is not None:
        for child_id in wanted - out.keys():
            out[child_id] = None
    return out


def settings_digest(dbapi: Any) -> str:
    rows = dbapi.execute("SELECT key, value FROM setting ORDER BY key").fetchall()
    return _digest([list(r) for r in rows])


def entry_digests(dbapi: Any, child_ids: Iterable[str]) -> str:
    """The digests an entry carries: those of the children it touched, and of the settings."""
    found: dict[str, str | None] = {
        CHILD + child_id: digest for child_id, digest in child_digests(dbapi, child_ids).items()
    }
    found[SETTINGS] = settings_digest(dbapi)
    return json.dumps(found, sort_keys=True, ensure_ascii=False)


def read_digests(text: str | None) -> dict[str, str | None]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


# --- The head beside the file ---------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The newest entry (its id, hash and time) and the number of entries, as last committed."""

    count: int
    id: int
    hash: str
    at: str

    def fields(self) -> dict[str, Any]:
        return {"count": self.count, "id": self.id, "hash": self.hash, "at": self.at}


def current_head(dbapi: Any) -> Head | None:
    """The head of the log as the database holds it (None when the log is empty)."""
    count = int(dbapi.execute("SELECT count(*) FROM audit").fetchone()[0])
    row = dbapi.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else Head(count, int(row[0]), str(row[1]), str(row[2]))


def _head_mac(key: bytes, fields: Mapping[str, Any]) -> str:
    payload = json.dumps(dict(fields), sort_keys=True).encode("utf-8")
    return hmac.new(key, b"audit-head\x00" + payload, hashlib.sha256).hexdigest()


def write_head(db_path: Path, key: bytes, head: Head) -> None:
    """`<db>.audit-head`, signed: written under a private temporary name, fsynced, renamed."""
    final = head_path(db_path)
    part = final.with_name(f"{final.name}.part-{os.getpid()}")
    with suppress(FileNotFoundError):
        part.unlink()
    body = {**head.fields(), "mac": _head_mac(key, head.fields())}
    fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, final)
    except BaseException:
        with suppress(FileNotFoundError):
            part.unlink()
        raise


class HeadForged(Exception):
    """The head file beside the database is not one this tracker signed with this key."""


def read_head(db_path: Path, key: bytes) -> Head | None:
    """The head beside the database; None when there is none.

    Raises:
        HeadForged: it was altered (or signed with another key).
    """
    try:
        fd = os.open(head_path(db_path), os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HeadForged(f"it cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "r", encoding="utf-8") as fh:
        text = fh.read(4096)
    try:
        body = json.loads(text)
        head = Head(int(body["count"]), int(body["id"]), str(body["hash"]), str(body["at"]))
        mac = str(body["mac"])
    except (ValueError, KeyError, TypeError):
        raise HeadForged("it is not a head record") from None
    if not hmac.compare_digest(mac, _head_mac(key, head.fields())):
        raise HeadForged("its signature does not match")
    return head


def on_checkin(db_path: Path, key: bytes) -> Any:
    """The pool's check-in listener: after a connection that wrote an entry is returned (its
    transaction committed or rolled back), the head beside the file is brought up to date from
    what the database holds, so it never names an entry that was not committed."""

    def listener(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is None or not record.info.pop(INFO_WROTE, False):
            return
        with suppress(Exception):  # a head not written is reported later, never a failed save
            head = current_head(dbapi_connection)
            try:
                old = read_head(db_path, key)
            except HeadForged:
                old = None
            # Two writers may check in out of order: the head only moves forwards.
            if head is not None and (old is None or head.id >= old.id):
                write_head(db_path, key, head)

    return listener


def resign(dbapi: Any, old_key: bytes | None, new_key: bytes) -> bool:
    """Re-key the chain of the database behind `dbapi` (a change of passphrase changes the key):
    each keyed entry is checked with `old_key` and, only if every one checks, signed again with
    `new_key`. Returns whether it did; a chain that does not check keeps its hashes, so its breaks
    still show (with the new key, every keyed entry after the first break)."""
    rows = dbapi.execute(
        "SELECT id, hash, version, digests, at, user, action, entity, entity_id, child_id, before, after "
        "FROM audit ORDER BY id"
    ).fetchall()
    if not any(r[2] == VERSION for r in rows):
        return True
    if old_key is None:
        return False
    renewed: list[tuple[str, int]] = []
    old_previous = new_previous = ""
    for entry, digest, version, digests, *fields in rows:
        if version == VERSION:
            if digest != entry_mac(old_key, old_previous, fields, digests):
                return False
            new = entry_mac(new_key, new_previous, fields, digests)
            renewed.append((new, entry))
        else:
            new = digest
        old_previous, new_previous = digest, new
    dbapi.execute("BEGIN")
    try:
        dbapi.executemany("UPDATE audit SET hash = ? WHERE id = ?", renewed)
        dbapi.execute("COMMIT")
    except BaseException:
        dbapi.execute("ROLLBACK")
        raise
    return True
