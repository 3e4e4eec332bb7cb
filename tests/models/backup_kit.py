"""Seeded databases for the backup and re-keying tests: synthetic children, two events each, one
audit row per row written, inserted in one transaction (fast enough for kill loops)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from models.domain.records import ChildRecord, EventRecord
from models.storage.db import Database, open_database, transaction
from models.storage.store import CHILD_T, EVENT_T, audit, child_row_values, event_row_values, insert_rows

PASSPHRASE = "correct horse battery"
#: A name that must never be found in clear in an encrypted database's folder.
SECRET_NAME = "Zebedee"


def seed_database(path: Path, children: int, passphrase: str | None = None) -> None:
    """`children` children C-00001…, each with two events and their audit rows."""
    db = open_database(path, passphrase=passphrase)
    day = date(2024, 1, 1)
    kids = [
        ChildRecord(f"C-{n:05}", {"given_name": SECRET_NAME, "family_name": f"Synthetic{n}"})
        for n in range(1, children + 1)
    ]
    with transaction(db) as conn:
        insert_rows(conn, CHILD_T, [child_row_values(kid) for kid in kids])
        events = []
        for n, kid in enumerate(kids):
            for k in range(2):
                events.append(
                    event_row_values(
                        kid.id, EventRecord(f"e{k}", "cla_visit", day + timedelta(days=n % 300 + k))
                    )
                )
        insert_rows(conn, EVENT_T, events)
        for kid in kids:
            audit(conn, "create", "child", kid.id, child_id=kid.id, user="seed")
            for k in range(2):
                audit(conn, "create", "event", f"e{k}", child_id=kid.id, user="seed")
    db.dispose()


def count_children(db: Database) -> int:
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM child")).scalar_one())
    finally:
        db.dispose()
