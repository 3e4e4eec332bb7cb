"""The first schema: children, their events, settings and the audit log.

Frozen: the tables as the first release made them, written out column by column. Never edit this
file; change the schema in a new revision.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("given_name", sa.String(), nullable=True),
        sa.Column("family_name", sa.String(), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("expected_date_of_birth", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(), nullable=True),
        sa.Column("ethnicity", sa.String(), nullable=True),
        sa.Column("disability", sa.Boolean(), nullable=True),
        sa.Column("sibling_group", sa.String(), nullable=True),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("social_worker", sa.String(), nullable=True),
        sa.Column("reviewing_officer", sa.String(), nullable=True),
        sa.Column("extra", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("sibling_group", "team", "social_worker", "reviewing_officer"):
        op.create_index(f"ix_child_{column}", "child", [column])

    op.create_table(
        "event",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=True),
        sa.Column("s47", sa.Boolean(), nullable=True),
        sa.Column("icpc_needed", sa.Boolean(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("seen_alone", sa.Boolean(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("decision", sa.String(), nullable=True),
        sa.Column("fgc_stage", sa.String(), nullable=True),
        sa.Column("weeks", sa.Integer(), nullable=True),
        sa.Column("case_number", sa.String(), nullable=True),
        sa.Column("court", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("order_made", sa.String(), nullable=True),
        sa.Column("legal_status", sa.String(), nullable=True),
        sa.Column("plan", sa.String(), nullable=True),
        sa.Column("ratified_by_iro", sa.Boolean(), nullable=True),
        sa.Column("ref", sa.String(), nullable=True),
        sa.Column("drp_stage", sa.Integer(), nullable=True),
        sa.Column("raised_by", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("addressed_to", sa.String(), nullable=True),
        sa.Column("satisfactory", sa.Boolean(), nullable=True),
        sa.Column("extra", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("child_id", "event_id", name="uq_event_child_event_id"),
    )
    op.create_index("ix_event_type", "event", ["type"])
    op.create_index("ix_event_ref", "event", ["ref"])
    op.create_index("ix_event_child_date", "event", ["child_id", "date"])

    op.create_table(
        "setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=True),
        sa.Column("child_id", sa.String(), nullable=True),
        sa.Column("before", sa.String(), nullable=True),
        sa.Column("after", sa.String(), nullable=True),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_child_id", "audit", ["child_id"])
