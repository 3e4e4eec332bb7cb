"""Reading the audit log: filtered views, export, and the check that the hash chain is unbroken."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from models.storage import witness
from models.storage.db import Database
from models.storage.store import AUDIT_HASHED, AUDIT_T, CHILD_T, SETTING_T, audit, chain_hash


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user: str
    action: str
    entity: str
    entity_id: str | None
    child_id: str | None
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ChainBreak:
    id: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.id}: {self.reason}"


def entries(
    db: Database,
    *,
    child_id: str | None = None,
    user: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit entries, newest first, filtered by child, user and date (inclusive)."""
    t = AUDIT_T
    query = select(*(t.c[name] for name in ("id", *AUDIT_HASHED))).order_by(t.c.id.desc())
    if child_id:
        query = query.where(t.c.child_id == child_id)
    if user:
        query = query.where(t.c.user == user)
    if since:
        query = query.where(t.c.at >= _utc_start_of(since))
    if until:
        query = query.where(t.c.at < _utc_start_of(until + timedelta(days=1)))
    if limit:
        query = query.limit(limit)
    with db.engine.connect() as conn:
        return [AuditEntry(*row) for row in conn.execute(query)]


def _utc_start_of(day: date) -> str:
    """The moment a local day begins, as the UTC timestamp text the audit rows are stamped with."""
    local = datetime.combine(day, time.min).astimezone()  # the machine's zone, summer time included
    return local.astimezone(UTC).isoformat(timespec="seconds")


def users(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(AUDIT_T.c.user).distinct().order_by(AUDIT_T.c.user))]


def _server_key(conn: Any) -> bytes | None:
    """On the team server: the key a laptop's keyed entries were moved in with (`move-in` keeps it
    in the settings); the server's own entries are version 1, append-only by its rights."""
    value = conn.execute(select(SETTING_T.c.value).where(SETTING_T.c.key == SERVER_KEY_SETTING)).scalar()
    return None if value is None else bytes.fromhex(str(json.loads(value)))


#: The setting that holds, on the team server, the key of the laptop chain moved in.
SERVER_KEY_SETTING = "audit_key:moved_in"


def verify_chain(db: Database) -> list[ChainBreak]:
    """Every place where the chain is broken: an edited, inserted or deleted entry, an entry dated
    before the one before it, and (on SQLite) an unkeyed entry after keyed ones."""
    breaks: list[ChainBreak] = []
    previous, previous_at, previous_id, keyed = "", "", None, False
    t = AUDIT_T
    with db.engine.connect() as conn:
        key = db.audit_key if db.is_sqlite else _server_key(conn)
        rows = conn.execute(
            select(t.c.id, t.c.hash, t.c.version, t.c.digests, *(t.c[k] for k in AUDIT_HASHED)).order_by(
                t.c.id
            )
        ).mappings()
        for row in rows:
            entry = int(row["id"])
            if db.is_sqlite and previous_id is not None and entry != previous_id + 1:
                missing = (
                    f"entry {previous_id + 1}"
                    if entry == previous_id + 2
                    else (f"entries {previous_id + 1} to {entry - 1}")
                )
                breaks.append(ChainBreak(entry, f"{missing} before it are missing (deleted)"))
            elif row["version"] == witness.VERSION:
                keyed = True
                if key is None:
                    breaks.append(
                        ChainBreak(entry, "it is keyed, and the audit key is not available to check it")
                    )
                elif row["hash"] != witness.entry_mac(
                    key, previous, [row[k] for k in AUDIT_HASHED], row["digests"]
                ):
                    breaks.append(ChainBreak(entry, _CHANGED))
            elif row["version"] == 1 and (keyed and db.is_sqlite):
                breaks.append(
                    ChainBreak(
                        entry, "it was written without the audit key after keyed entries (not by the tracker)"
                    )
                )
            elif row["version"] != 1 or row["hash"] != chain_hash(previous, row):
                breaks.append(ChainBreak(entry, _CHANGED))
            if str(row["at"]) < previous_at:
                breaks.append(
                    ChainBreak(entry, f"it is dated {row['at']}, before the entry before it ({previous_at})")
                )
            previous, previous_at, previous_id = row["hash"], max(previous_at, str(row["at"])), entry
    return breaks


_CHANGED = "its content or its place in the log was changed after it was written"


@dataclass(frozen=True)
class Finding:
    """Something the audit log's witnesses say that is not one entry's break, in a sentence."""

    text: str

    def __str__(self) -> str:
        return self.text


def head_findings(db: Database) -> list[Finding]:
    """The head beside the file against the log's own head: entries missing at the end (deleted,
    or lost with the tail of the write-ahead log after a crash), or a head file altered."""
    if db.path is None or db.audit_key is None:
        return []
    name = witness.head_path(db.path).name
    with db.engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        now = witness.current_head(dbapi)
        keyed = conn.execute(
            select(AUDIT_T.c.id).where(AUDIT_T.c.version == witness.VERSION).limit(1)
        ).scalar()
        try:
            head = witness.read_head(db.path, db.audit_key)
        except witness.HeadForged as exc:
            return [Finding(f"The audit head beside the database ({name}) was altered: {exc}.")]
        if head is None:
            if keyed is None:
                return []
            return [
                Finding(
                    f"The audit head beside the database ({name}) is missing, so entries missing at the end cannot be ruled out."
                )
            ]
        if now is None:
            return [
                Finding(
                    f"Every entry of the audit log is missing: {head.count} were written, the newest entry {head.id} at {head.at}."
                )
            ]
        if now.id < head.id:
            lost = head.id - now.id
            return [
                Finding(
                    f"The audit log ends at entry {now.id}, but entry {head.id} was written at {head.at}: the newest "
                    f"{lost} {'entry is' if lost == 1 else 'entries are'} missing (deleted, or lost with the end of the "
                    "write-ahead log after a crash)."
                )
            ]
        written = conn.execute(select(AUDIT_T.c.hash).where(AUDIT_T.c.id == head.id)).scalar()
        if written != head.hash:
            return [
                Finding(
                    f"Audit entry {head.id} is not the entry the head beside the database names (it was replaced)."
                )
            ]
        if now.count - head.count < now.id - head.id:
            return [
                Finding(
                    f"The audit log holds {now.count} entries where {head.count} were written by entry {head.id}: entries were deleted."
                )
            ]
    return []


def backup_findings(db: Database) -> list[Finding]:
    """The newest backup's manifest names the log's head when it was taken: the log must still hold
    it. Backups from before the newest restore (its `pre-restore` copy) are ahead of the log on
    purpose, and are not compared."""
    if db.path is None:
        return []
    from models.storage.backup import list_backups
    from models.storage.backup_file import read_manifest

    for info in sorted(list_backups(db.path), key=lambda b: (b.taken, b.kind == "pre-restore"), reverse=True):
        if info.kind == "pre-restore":
            return []
        try:
            manifest = read_manifest(info.path)
        except (ValueError, OSError):
            continue
        if not manifest or not manifest.get("audit_head"):
            continue
        with db.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(AUDIT_T)).scalar_one()
            held = conn.execute(select(AUDIT_T.c.id).where(AUDIT_T.c.hash == manifest["audit_head"])).scalar()
        wrote = int(manifest.get("counts", {}).get("audit", 0))
        if held is None:
            return [
                Finding(
                    f"The newest entry in the backup {info.path.name} is no longer in the audit log ({count} entries now, {wrote} then)."
                )
            ]
        return []
    return []


def row_findings(db: Database) -> list[Finding]:
    """Children, events and settings changed outside the tracker: each against the digest the
    newest audit entry that touched it recorded."""
    if not db.is_sqlite:
        return []
    latest: dict[str, tuple[int, str | None]] = {}
    unkeyed = sealed = False
    with db.engine.connect() as conn:
        for entry, version, action, digests in conn.execute(
            select(AUDIT_T.c.id, AUDIT_T.c.version, AUDIT_T.c.action, AUDIT_T.c.digests).order_by(
                AUDIT_T.c.id
            )
        ):
            if version != witness.VERSION:
                unkeyed = True
                continue
            sealed = sealed or action == SEAL
            for name, digest in witness.read_digests(digests).items():
                latest[name] = (int(entry), digest)
        if not latest:
            return []
        dbapi = conn.connection.dbapi_connection
        children = witness.child_digests(dbapi)
        settings = witness.settings_digest(dbapi)
    found: list[Finding] = []
    for name, (entry, digest) in sorted(latest.items()):
        if name == witness.SETTINGS:
            if digest != settings:
                found.append(
                    Finding(
                        f"The settings were changed outside the tracker (they differ from audit entry {entry})."
                    )
                )
            continue
        child_id = name.removeprefix(witness.CHILD)
        now = children.pop(child_id, None)
        if now == digest:
            continue
        if now is None:
            found.append(
                Finding(
                    f"Child {child_id} was deleted outside the tracker (audit entry {entry} left it there)."
                )
            )
        elif digest is None:
            found.append(
                Finding(
                    f"Child {child_id} was put back outside the tracker (audit entry {entry} deleted it)."
                )
            )
        else:
            found.append(
                Finding(
                    f"Child {child_id} was edited outside the tracker (it differs from audit entry {entry})."
                )
            )
    if sealed or not unkeyed:
        for child_id in sorted(children):
            found.append(
                Finding(f"Child {child_id} was added outside the tracker (no audit entry records it).")
            )
    return found


#: The action of the entry that records every child's digest when a log from before digests is
#: first opened by this version.
SEAL = "seal"


def seal(db: Database) -> None:
    """Give a log from before digests (or a file written outside the tracker) its first keyed
    entry, recording every child and the settings as they are now; nothing when already sealed.

    Never when the head beside the file exists: that log had keyed entries, and one rewritten
    without them is tampering to report, not a log to seal."""
    if db.path is not None and witness.head_path(db.path).exists():
        return
    with db.engine.begin() as conn:
        if conn.execute(select(AUDIT_T.c.id).where(AUDIT_T.c.version == witness.VERSION).limit(1)).scalar():
            return
        entries_ = conn.execute(select(func.count()).select_from(AUDIT_T)).scalar_one()
        ids = [str(r[0]) for r in conn.execute(select(CHILD_T.c.id))]
        if not entries_ and not ids:
            return
        audit(conn, SEAL, "audit", None, after={"entries": entries_, "children": len(ids)}, children=ids)


def open_time_warnings(db: Database) -> list[str]:
    """What opening says about the audit log (cheap checks only: the head against the file's)."""
    return [str(f) for f in head_findings(db)]


def witness_findings(db: Database) -> list[Finding]:
    """Everything `check-audit` finds beyond the chain itself."""
    return [*head_findings(db), *backup_findings(db), *row_findings(db)]


def break_report(breaks: Sequence[ChainBreak], findings: Sequence[Finding] = ()) -> str:
    if not breaks and not findings:
        return "The audit log is intact: every entry chains to the one before."
    parts = []
    if breaks:
        parts.append(
            f"The audit log has been altered at {len(breaks)} place(s): "
            + "; ".join(map(str, breaks[:10]))
            + "."
        )
    parts += [str(f) for f in findings[:20]]
    if len(findings) > 20:
        parts.append(f"And {len(findings) - 20} more.")
    return " ".join(parts)
