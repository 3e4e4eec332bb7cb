"""The audit as a witness: each entry's `version` (1: SHA-256 chain, 2: keyed HMAC chain) and
`digests`, the digests of the rows the entry touched (JSON), so that a direct edit of a child,
an event or a setting shows. Existing entries are version 1 with no digests. Frozen.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("audit")}
    with op.batch_alter_table("audit") as batch:
        if "version" not in present:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        if "digests" not in present:
            batch.add_column(sa.Column("digests", sa.String(), nullable=True))
