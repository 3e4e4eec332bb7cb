"""Moving in: a laptop's SQLite database copied into an empty team database, audit chain intact.

Every child, event and setting, and every audit row as it was written (its time, its person, its
hash), so that `check-audit` on the server verifies the laptop's history too; then one more audit
row, chained after them, says who moved it in and from where. All in one transaction: a failure
leaves the team database as empty as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from models.storage.audit import SERVER_KEY_SETTING, verify_chain
from models.storage.db import Database, DatabaseError, open_database
from models.storage.store import AUDIT_T, CHILD_T, EVENT_T, SETTING_T, audit, insert_rows


class MoveInError(Exception):
    """The move was refused (nothing was written), said for a person."""


@dataclass(frozen=True)
class MoveInResult:
    children: int
    events: int
    settings: int
    audit_rows: int

    def summary(self) -> str:
        return (
            f"{self.children} children, {self.events} events, {self.settings} settings and "
            f"{self.audit_rows} audit entries moved in; the audit chain is intact."
        )


_BATCH = 5000


def move_in(team: Database, source: Path, passphrase: str | None = None) -> MoveInResult:
    """Copy the SQLite database at `source` into `team`, which must be a team database with no
    children and no audit entries yet (a first start makes only the tables)."""
    if team.is_sqlite:
        raise MoveInError("move-in copies into a team database: give --db a postgresql:// URL.")
    try:
        laptop = open_database(source, read_only=True, passphrase=passphrase)
    except DatabaseError as exc:
        raise MoveInError(str(exc)) from None
    try:
        breaks = verify_chain(laptop)
        if breaks:
            raise MoveInError(
                f"The audit log of {source} is broken at entry {breaks[0].id}, so it cannot be moved in intact; "
                "nothing was copied."
            )
        with laptop.engine.connect() as src, team.engine.begin() as dst:
            children = dst.execute(select(func.count()).select_from(CHILD_T)).scalar_one()
            entries = dst.execute(select(func.count()).select_from(AUDIT_T)).scalar_one()
            if children or entries:
                raise MoveInError(
                    f"The team database is not empty ({children} children, {entries} audit entries): "
                    "move-in only fills a new one; nothing was copied."
                )
            counts = {}
            for table, order in ((CHILD_T, CHILD_T.c.id), (EVENT_T, EVENT_T.c.pk), (AUDIT_T, AUDIT_T.c.id)):
                result = src.execute(select(table).order_by(order)).mappings()
                n = 0
                while batch := result.fetchmany(_BATCH):
                    insert_rows(dst, table, [dict(r) for r in batch])
                    n += len(batch)
                counts[table.name] = n
            settings = [dict(r) for r in src.execute(select(SETTING_T)).mappings()]
            dst.execute(SETTING_T.delete())
            if laptop.audit_key is not None:
                # The laptop's keyed entries verify on the server with its key (the server's own
                # entries are unkeyed: its audit is append-only by its rights).
                settings.append({"key": SERVER_KEY_SETTING, "value": json.dumps(laptop.audit_key.hex())})
            insert_rows(dst, SETTING_T, settings)
            for table, column in ((EVENT_T, "pk"), (AUDIT_T, "id")):
                dst.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                        f"coalesce((SELECT max({column}) FROM {table.name}), 0) + 1, false)"
                    )
                )
            audit(
                dst,
                "move-in",
                "database",
                str(source),
                after={"children": counts["child"], "events": counts["event"], "audit": counts["audit"]},
            )
    finally:
        laptop.dispose()
    if verify_chain(team):
        raise MoveInError(
            "The audit chain did not verify after moving in."
        )  # pragma: no cover - checked above
    return MoveInResult(counts["child"], counts["event"], len(settings), counts["audit"])
