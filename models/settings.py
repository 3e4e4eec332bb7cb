"""Application settings kept in the database: the local standards, authority name and marking."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, select

from models.db import Database
from models.rules import Standards
from models.tables import SettingRow

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
DEFAULT_AUTHORITY = "Example Borough Council"


@dataclass(frozen=True)
class Settings:
    """Everything an authority sets: the standards the engine reads, and how pages are labelled."""

    standards: Standards = field(default_factory=Standards)
    authority_name: str = DEFAULT_AUTHORITY
    protective_marking: str = DEFAULT_MARKING

    def to_json(self) -> dict[str, Any]:
        return {
            "standards": self.standards.to_json(),
            "authority_name": self.authority_name,
            "protective_marking": self.protective_marking,
        }

    def validate(self) -> list[str]:
        problems = self.standards.validate()
        if not self.authority_name.strip():
            problems.append("The authority's name cannot be empty.")
        if not self.protective_marking.strip():
            problems.append("The protective marking cannot be empty.")
        return problems


def read_settings(conn: Connection) -> Settings:
    rows = {row.key: row.value for row in conn.execute(select(SettingRow.key, SettingRow.value))}  # type: ignore[call-overload]
    settings = Settings()
    if "standards" in rows:
        settings = replace(settings, standards=Standards.from_json(json.loads(rows["standards"])))
    if "authority_name" in rows:
        settings = replace(settings, authority_name=json.loads(rows["authority_name"]))
    if "protective_marking" in rows:
        settings = replace(settings, protective_marking=json.loads(rows["protective_marking"]))
    return settings


def load_settings(db: Database) -> Settings:
    with db.engine.connect() as conn:
        return read_settings(conn)
