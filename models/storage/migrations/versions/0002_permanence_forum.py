"""The `permanence_forum` event's fields: `actions` (text) and `next_review` (a date).

A file stamped at revision 0001 may already have them (releases before Alembic made version 1 files
with the tables of their day), so each column is added only when it is missing. Frozen.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("event")}
    missing = [
        sa.Column(name, kind, nullable=True)
        for name, kind in (("actions", sa.String()), ("next_review", sa.Date()))
        if name not in present
    ]
    if missing:
        with op.batch_alter_table("event") as batch:
            for column in missing:
                batch.add_column(column)
