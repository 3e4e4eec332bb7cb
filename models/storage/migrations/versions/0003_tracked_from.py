"""The child's opening balance: `tracked_from` (a date) and `untracked` (event types).

Before this step an import kept both among the child's unknown keys (`extra`, JSON): they move to
their columns, so the engine reads them. Columns already there (a file stamped at an earlier
revision that a later release made) are left as they are. Frozen.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    present = {c["name"] for c in sa.inspect(bind).get_columns("child")}
    missing = [
        sa.Column(name, kind, nullable=True)
        for name, kind in (("tracked_from", sa.Date()), ("untracked", sa.String()))
        if name not in present
    ]
    if missing:
        with op.batch_alter_table("child") as batch:
            for column in missing:
                batch.add_column(column)
    rows = bind.execute(sa.text("SELECT id, extra FROM child WHERE extra IS NOT NULL")).all()
    for child_id, extra in rows:
        keys = json.loads(extra)
        if not isinstance(keys, dict) or not ({"tracked_from", "untracked"} & keys.keys()):
            continue
        tracked_from, untracked = keys.pop("tracked_from", None), keys.pop("untracked", None)
        bind.execute(
            sa.text("UPDATE child SET tracked_from = :t, untracked = :u, extra = :e WHERE id = :id"),
            {
                "t": tracked_from if isinstance(tracked_from, str) else None,
                "u": ",".join(sorted(set(untracked))) if isinstance(untracked, list) and untracked else None,
                "e": json.dumps(keys, sort_keys=True) if keys else None,
                "id": child_id,
            },
        )
