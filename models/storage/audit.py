"""Reading the audit log: filtered views, export, and the check that the hash chain is unbroken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from models.storage.db import Database
from models.storage.store import AUDIT_HASHED, AUDIT_T, chain_hash


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


def verify_chain(db: Database) -> list[ChainBreak]:
    """Every place where the chain is broken: an edited, inserted or deleted entry."""
    breaks: list[ChainBreak] = []
    previous = ""
    t = AUDIT_T
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(t.c.id, t.c.hash, *(t.c[k] for k in AUDIT_HASHED)).order_by(t.c.id)
        ).mappings()
        for row in rows:
            expected = chain_hash(previous, row)
            if row["hash"] != expected:
                breaks.append(
                    ChainBreak(
                        row["id"], "its content or its place in the log was changed after it was written"
                    )
                )
            previous = row["hash"]
    return breaks


def break_report(breaks: Sequence[ChainBreak]) -> str:
    if not breaks:
        return "The audit log is intact: every entry chains to the one before."
    return (
        f"The audit log has been altered at {len(breaks)} place(s): " + "; ".join(map(str, breaks[:10])) + "."
    )
