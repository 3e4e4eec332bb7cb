"""SQLModel tables: children, their events (the chronology), settings and the audit log.

Event type-specific fields are typed columns named as in `journey-format.md`, except two that
clash: `stage` is `fgc_stage` (text, family group conference) or `drp_stage` (integer, DRP), and
`order` (an SQL keyword) is `order_made`. `column_of` / `field_of` translate.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel


class Child(SQLModel, table=True):
    __tablename__ = "child"

    id: str = Field(primary_key=True, description="The case-management system's ID")
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: dt.date | None = None
    expected_date_of_birth: dt.date | None = None
    gender: str | None = None
    ethnicity: str | None = None
    disability: bool | None = None
    sibling_group: str | None = Field(default=None, index=True)
    team: str | None = Field(default=None, index=True)
    social_worker: str | None = Field(default=None, index=True)
    reviewing_officer: str | None = Field(default=None, index=True)
    tracked_from: dt.date | None = Field(default=None, description="The record is complete from this day")
    untracked: str | None = Field(
        default=None, description="Event types the record does not hold before tracked_from, comma-separated"
    )
    extra: str | None = Field(default=None, description="Unknown keys of the journey file, as JSON")


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("child_id", "event_id", name="uq_event_child_event_id"),
        Index("ix_event_child_date", "child_id", "date"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    child_id: str = Field(
        sa_column=Column(String, ForeignKey("child.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: str
    type: str = Field(index=True)
    date: dt.date
    note: str | None = None
    recorded_by: str | None = None
    s47: bool | None = None
    icpc_needed: bool | None = None
    outcome: str | None = None
    category: str | None = None
    seen_alone: bool | None = None
    reason: str | None = None
    decision: str | None = None
    fgc_stage: str | None = None
    weeks: int | None = None
    case_number: str | None = None
    court: str | None = None
    kind: str | None = None
    until: dt.date | None = None
    order_made: str | None = None
    legal_status: str | None = None
    plan: str | None = None
    ratified_by_iro: bool | None = None
    ref: str | None = Field(default=None, index=True)
    drp_stage: int | None = None
    raised_by: str | None = None
    role: str | None = None
    addressed_to: str | None = None
    satisfactory: bool | None = None
    actions: str | None = None
    next_review: dt.date | None = None
    extra: str | None = None


class SettingRow(SQLModel, table=True):
    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class AuditRow(SQLModel, table=True):
    """Who changed what, when, with the record before and after (JSON).

    Tamper-evident: `hash` chains each row to the one before (version 1: SHA-256 of the previous
    row's hash and this row's content; version 2: an HMAC of them and `digests` with the audit key,
    `models.storage.witness`), so editing or deleting a row breaks the chain from there on
    (`models.storage.audit.verify_chain`). `digests` (JSON) are the digests of the rows the entry
    left behind, so a direct edit of a child, an event or a setting shows.
    """

    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(description="UTC timestamp, ISO 8601")
    user: str
    action: str
    entity: str
    entity_id: str | None = None
    child_id: str | None = Field(default=None, index=True)
    before: str | None = None
    after: str | None = None
    hash: str = ""
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    digests: str | None = None


#: Event field names (journey file) that are stored under another column name.
_RENAMED: Final = {"order": "order_made"}


def column_of(event_type: str, field_name: str) -> str:
    if field_name == "stage":
        return "drp_stage" if event_type.startswith("drp_") else "fgc_stage"
    return _RENAMED.get(field_name, field_name)


def field_of(column: str) -> str:
    if column in ("drp_stage", "fgc_stage"):
        return "stage"
    if column == "order_made":
        return "order"
    return column
