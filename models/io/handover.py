"""The laptop hand-over: chosen children taken out of the team database to an encrypted SQLite file
for a day offline, and brought back with the changes of both sides merged.

Check-out writes an encrypted file (SQLCipher, the passphrase at least 8 characters) holding the
children, their events, the settings, and the children as they were when taken out (the base of
the merge, in the `handover` setting). On the server the audit records `check-out` for each child,
naming the person: a child is *out* until a later `check-in` (`checked_out`).

Check-in compares, for each child and each event, the base, the laptop and the server:

- changed on one side only: that side's version is kept (a change, an addition or a deletion);
- the same change on both: nothing to do;
- changed differently on both (the same event edited in both places, or edited in one and deleted
  in the other): a **conflict**. The server's version stays and the laptop's is written, with the
  base and the server's, to the conflict report for the person to decide: nothing is overwritten
  silently and nothing is lost;
- events added on both sides are both kept (an id taken on the server is settled anew).

Every change made by check-in goes through the audited store functions, made against the
server's current record, and the file is left as it was (delete it once the report is dealt with).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.domain.records import ChildRecord, parse_child
from models.io.audited_export import export_audited
from models.storage import server, store
from models.storage.db import Database, DatabaseError, open_database
from models.storage.settings import read_settings
from models.storage.store import AUDIT_T, SETTING_T

HANDOVER_KEY = "handover"


class HandoverError(Exception):
    """A check-out or check-in refused (nothing written), said for a person."""


@dataclass(frozen=True)
class CheckedOut:
    child_id: str
    by: str
    at: str
    file: str


def checked_out(db: Database) -> dict[str, CheckedOut]:
    """The children out on a laptop now: the latest check-out without a check-in after it."""
    t = AUDIT_T
    query = (
        select(t.c.child_id, t.c.action, t.c.user, t.c.at, t.c.entity_id)
        .where(t.c.entity == "handover", t.c.action.in_(("check-out", "check-in")))
        .order_by(t.c.id)
    )
    out: dict[str, CheckedOut] = {}
    with db.engine.connect() as conn:
        for child_id, action, user, at, file in conn.execute(query):
            if action == "check-out":
                out[child_id] = CheckedOut(child_id, user, at, file or "")
            else:
                out.pop(child_id, None)
    return out


def check_out(team: Database, target: Path, child_ids: list[str], passphrase: str) -> int:
    """Write the children to a new encrypted file and mark them out; returns how many."""
    if team.is_sqlite:
        raise HandoverError("Children are checked out of a team database: give --db a postgresql:// URL.")
    if len(passphrase) < 8:
        raise HandoverError("The laptop file's passphrase must be at least 8 characters long.")
    if target.exists():
        raise HandoverError(f"{target} already exists; choose a new file for the hand-over.")
    already = checked_out(team)
    taken = [c for c in child_ids if c in already]
    if taken:
        first = already[taken[0]]
        raise HandoverError(
            f"{taken[0]} is already out with {first.by} (since {first.at}); nothing was written."
        )
    with team.engine.connect() as conn:
        children = list(store.iter_children(conn, child_ids))
        settings = read_settings(conn)
    missing = sorted(set(child_ids) - {c.id for c in children})
    if missing:
        raise HandoverError(f"There is no child {missing[0]} in the team database; nothing was written.")
    try:
        laptop = open_database(target, passphrase=passphrase)
    except DatabaseError as exc:
        raise HandoverError(str(exc)) from None
    try:
        store.save_settings(laptop, settings)
        with laptop.engine.begin() as conn:
            for child in children:
                store.insert_rows(conn, store.CHILD_T, [store.child_row_values(child)])
                store.insert_rows(
                    conn, store.EVENT_T, [store.event_row_values(child.id, e) for e in child.events]
                )
            base = {
                "from": server.describe(team.engine.url),
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "children": {c.id: c.to_json() for c in children},
            }
            conn.execute(SETTING_T.insert(), {"key": HANDOVER_KEY, "value": json.dumps(base)})
            store.audit(
                conn, "check-out", "handover", str(target), after={"children": child_ids}, children=child_ids
            )
    except BaseException:
        laptop.dispose()
        for path in (target, *(target.with_name(target.name + s) for s in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)
        raise
    laptop.dispose()
    with team.engine.begin() as conn:
        for child in children:
            store.audit(
                conn, "check-out", "handover", str(target), child_id=child.id, after={"file": target.name}
            )
    return len(children)


@dataclass
class CheckInResult:
    applied: list[str] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.applied)} change(s) from the laptop merged in; {len(self.conflicts)} conflict(s) "
            "for you to decide"
            + ("." if not self.conflicts else " (the server's version was kept: see the report).")
        )


def check_in(team: Database, source: Path, passphrase: str, report: Path) -> CheckInResult:
    """Merge the laptop file's changes into the team database; conflicts go to `report` (JSON)."""
    if team.is_sqlite:
        raise HandoverError("Children are checked in to a team database: give --db a postgresql:// URL.")
    try:
        laptop = open_database(source, passphrase=passphrase, read_only=True)
    except DatabaseError as exc:
        raise HandoverError(str(exc)) from None
    try:
        with laptop.engine.connect() as conn:
            row = conn.execute(select(SETTING_T.c.value).where(SETTING_T.c.key == HANDOVER_KEY)).scalar()
            if row is None:
                raise HandoverError(f"{source} is not a hand-over file (it was not made by check-out).")
            base_json: dict[str, Any] = json.loads(row)["children"]
            on_laptop = {c.id: c for c in store.iter_children(conn)}
    finally:
        laptop.dispose()
    out = checked_out(team)
    result = CheckInResult()
    for child_id, raw in sorted(base_json.items()):
        if child_id not in out:
            raise HandoverError(f"{child_id} is not checked out in the team database; nothing was merged.")
        base, _issues = parse_child(raw)
        if base is None:
            raise HandoverError(
                f"The hand-over record of {child_id} in {source} cannot be read; nothing was merged."
            )
        mine = on_laptop.get(child_id)
        theirs = store.get_child(team, child_id)
        if mine is None or theirs is None:
            result.conflicts.append({"child": child_id, "what": "the child was deleted on one side"})
            continue
        _merge_child(team, base, mine, theirs, result)
        with team.engine.begin() as conn:
            store.audit(
                conn, "check-in", "handover", str(source), child_id=child_id, after={"file": source.name}
            )
    text = json.dumps({"file": str(source), "conflicts": result.conflicts}, indent=1, default=str)
    # The conflicts name children and what was typed about them: a file of children's data, written
    # by the one export path (0600, never through a link, audited, complete or not there at all).
    export_audited(
        team,
        report,
        lambda fh: {"bytes": fh.write(text.encode("utf-8")), "conflicts": len(result.conflicts)},
        what="check-in-conflicts",
        details={"file": source.name},
    )
    return result


def _merge_child(
    team: Database, base: ChildRecord, mine: ChildRecord, theirs: ChildRecord, result: CheckInResult
) -> None:
    details = store._child_details  # the record without its events
    b, m, t = details(base), details(mine), details(theirs)
    if m != b and m != t:
        if t == b:
            _apply(
                result,
                f"{mine.id}: details",
                lambda: store.save_child(team, mine.with_events(theirs.events), expected=theirs),
            )
        else:
            result.conflicts.append(
                {"child": mine.id, "what": "details", "base": b, "laptop": m, "server": t}
            )
    base_ev = {e.id: e for e in base.events}
    mine_ev = {e.id: e for e in mine.events}
    for event_id in sorted(set(base_ev) | set(mine_ev)):
        was, now = base_ev.get(event_id), mine_ev.get(event_id)
        current = next(
            (e for e in (store.get_child(team, mine.id) or theirs).events if e.id == event_id), None
        )
        if now in (was, current):
            continue  # not changed on the laptop, or changed the same way on both
        if was is None and now is not None:
            _apply(result, f"{mine.id}: added {event_id}", lambda n=now: store.add_event(team, mine.id, n))
        elif current == was and was is not None:
            if now is None:
                _apply(
                    result,
                    f"{mine.id}: deleted {event_id}",
                    lambda w=was: store.delete_event(team, mine.id, w.id, expected=w),
                )
            else:
                _apply(
                    result,
                    f"{mine.id}: changed {event_id}",
                    lambda n=now, w=was: store.save_event(team, mine.id, n, expected=w),
                )
        else:
            result.conflicts.append(
                {
                    "child": mine.id,
                    "event": event_id,
                    "base": was.to_json() if was else None,
                    "laptop": now.to_json() if now else None,
                    "server": current.to_json() if current else None,
                }
            )


def _apply(result: CheckInResult, what: str, change: Any) -> None:
    try:
        change()
    except (store.ValidationError, store.ConflictError, store.PermissionRefused) as exc:
        result.conflicts.append({"what": what, "refused": str(exc)})
    else:
        result.applied.append(what)
