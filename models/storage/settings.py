"""Application settings kept in the database: the local standards, authority name and marking,
and the categories an escalation (DRP) may be raised under."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Final

from sqlalchemy import Connection, select

from models.domain.journey import DRP_CATEGORIES
from models.domain.rules import Standards
from models.storage.db import Database
from models.storage.tables import SettingRow

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
DEFAULT_AUTHORITY = "Example Borough Council"

#: The category of a positive "good practice" alert: a kind of its own, never one of the
#: escalation categories below (see `models.screens.drp_view`).
GOOD_PRACTICE: Final = "good_practice"
#: The escalation categories an authority starts with (journey-file codes, shown tidied).
DEFAULT_DRP_CATEGORIES: Final = tuple(c for c in DRP_CATEGORIES if c != GOOD_PRACTICE)


@dataclass(frozen=True)
class Settings:
    """Everything an authority sets: the standards the engine reads, and how pages are labelled."""

    standards: Standards = field(default_factory=Standards)
    authority_name: str = DEFAULT_AUTHORITY
    protective_marking: str = DEFAULT_MARKING
    drp_categories: tuple[str, ...] = DEFAULT_DRP_CATEGORIES

    def to_json(self) -> dict[str, Any]:
        return {
            "standards": self.standards.to_json(),
            "authority_name": self.authority_name,
            "protective_marking": self.protective_marking,
            "drp_categories": list(self.drp_categories),
        }

    def validate(self) -> list[str]:
        problems = self.standards.validate()
        if not self.authority_name.strip():
            problems.append("The authority's name cannot be empty.")
        if not self.protective_marking.strip():
            problems.append("The protective marking cannot be empty.")
        problems.extend(_category_problems(self.drp_categories))
        return problems


def _category_problems(categories: tuple[str, ...]) -> list[str]:
    problems = []
    if not categories:
        problems.append("The list of escalation categories cannot be empty.")
    if any(not c.strip() for c in categories):
        problems.append("An escalation category cannot be blank.")
    if len(set(categories)) != len(categories):
        problems.append("An escalation category is listed twice.")
    if GOOD_PRACTICE in categories:
        problems.append("Good practice is an alert of its own, not an escalation category.")
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
    if "drp_categories" in rows:
        settings = replace(settings, drp_categories=tuple(str(c) for c in json.loads(rows["drp_categories"])))
    return settings


def load_settings(db: Database) -> Settings:
    with db.engine.connect() as conn:
        return read_settings(conn)
