"""Application settings kept in the database: the local standards, authority name and marking,
the categories an escalation (DRP) may be raised under, and each measure's target and milestones."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
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
class MeasureTarget:
    """A percentage measure's target and the milestones on the way to it (ascending, below it).

    `due` holds, for each milestone, the date by which the improvement plan means it to be reached
    (None for an undated one); empty when no milestone is dated. A measure judged at a date is then
    held to the highest milestone already due.
    """

    target: float
    milestones: tuple[float, ...]
    due: tuple[date | None, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"target": self.target, "milestones": list(self.milestones)}
        if any(self.due):
            out["milestone_dates"] = [d.isoformat() if d else None for d in self.due]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeasureTarget:
        dates = tuple(date.fromisoformat(d) if d else None for d in data.get("milestone_dates", ()))
        return cls(float(data["target"]), tuple(float(m) for m in data.get("milestones", ())), dates)

    def problems(self, measure: str) -> list[str]:
        out = []
        if not 0 < self.target <= 100:
            out.append(f"The target of {measure} must be a percentage above 0 and at most 100.")
        if any(not 0 <= m < self.target for m in self.milestones):
            out.append(f"Each milestone of {measure} must lie between 0% and its target.")
        if list(self.milestones) != sorted(set(self.milestones)):
            out.append(f"The milestones of {measure} must rise, each listed once.")
        if self.due and len(self.due) != len(self.milestones):
            out.append(f"Each milestone of {measure} has one date or none.")
        dated = [d for d in self.due if d is not None]
        if dated != sorted(set(dated)):
            out.append(
                f"The milestones of {measure} must fall due in the order they rise, each on its own date."
            )
        return out

    def dated(self) -> list[tuple[float, date]]:
        """The milestones that have a date, in order."""
        return [(m, d) for m, d in zip(self.milestones, self.due, strict=False) if d is not None]

    def due_by(self, at: date) -> tuple[float, date] | None:
        """The highest milestone due by `at` (None before the first date, or with none dated)."""
        passed = [(m, d) for m, d in self.dated() if d <= at]
        return passed[-1] if passed else None

    @property
    def milestone_text(self) -> str:
        """The milestones as a person types them: '70 by 31/03/2027, 80 by 30/09/2027, 90'."""
        due = self.due or (None,) * len(self.milestones)
        return ", ".join(
            f"{m:g}" + (f" by {d:%d/%m/%Y}" if d else "") for m, d in zip(self.milestones, due, strict=True)
        )

    @classmethod
    def parse(cls, target: float, text: str, measure: str) -> MeasureTarget:
        """A target from typed milestones ('70 by 31/03/2027, 80, 90'); ValueError says what is wrong."""
        values: list[float] = []
        dates: list[date | None] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            number, _, when = part.partition(" by ")
            try:
                values.append(float(number.strip().rstrip("%")))
            except ValueError:
                raise ValueError(
                    f"The milestones of {measure} must be numbers separated by commas, each with "
                    f"'by DD/MM/YYYY' if it has a date ('{part}' is not)."
                ) from None
            if not when.strip():
                dates.append(None)
                continue
            try:
                dates.append(datetime.strptime(when.strip(), "%d/%m/%Y").date())
            except ValueError:
                raise ValueError(
                    f"The date of the {number.strip()}% milestone of {measure} must be DD/MM/YYYY "
                    f"('{when.strip()}' is not)."
                ) from None
        return cls(float(target), tuple(values), tuple(dates) if any(dates) else ())


#: `timescales.md`: the improvement plan sets 100% for M1 and tracks milestones of 70% and 80%
#: towards 90%; every other percentage measure starts at a 90% target with the 70% and 80% milestones.
DEFAULT_TARGET: Final = MeasureTarget(90.0, (70.0, 80.0))
DEFAULT_MEASURE_TARGETS: Final = {"M1": MeasureTarget(100.0, (70.0, 80.0, 90.0))}

#: Caseload standards (children per person): a social worker 15 to 18 (local), a reviewing
#: officer 50 to 70 (IRO Handbook 2010, 2.7).
DEFAULT_WORKER_CASELOAD: Final = (15, 18)
DEFAULT_IRO_CASELOAD: Final = (50, 70)


@dataclass(frozen=True)
class Settings:
    """Everything an authority sets: the standards the engine reads, and how pages are labelled."""

    standards: Standards = field(default_factory=Standards)
    authority_name: str = DEFAULT_AUTHORITY
    protective_marking: str = DEFAULT_MARKING
    drp_categories: tuple[str, ...] = DEFAULT_DRP_CATEGORIES
    #: Targets set in Settings, by measure id; a measure not listed has its default.
    measure_targets: dict[str, MeasureTarget] = field(default_factory=dict)
    worker_caseload: tuple[int, int] = DEFAULT_WORKER_CASELOAD
    iro_caseload: tuple[int, int] = DEFAULT_IRO_CASELOAD

    def target_for(self, measure: str) -> MeasureTarget:
        """The target and milestones of a percentage measure (as set, else the default)."""
        found = self.measure_targets.get(measure)
        if found is not None:
            return found
        return DEFAULT_MEASURE_TARGETS.get(measure, DEFAULT_TARGET)

    def to_json(self) -> dict[str, Any]:
        return {
            "standards": self.standards.to_json(),
            "authority_name": self.authority_name,
            "protective_marking": self.protective_marking,
            "drp_categories": list(self.drp_categories),
            "measure_targets": {k: v.to_json() for k, v in sorted(self.measure_targets.items())},
            "worker_caseload": list(self.worker_caseload),
            "iro_caseload": list(self.iro_caseload),
        }

    def validate(self) -> list[str]:
        problems = self.standards.validate()
        if not self.authority_name.strip():
            problems.append("The authority's name cannot be empty.")
        if not self.protective_marking.strip():
            problems.append("The protective marking cannot be empty.")
        problems.extend(_category_problems(self.drp_categories))
        for measure, target in sorted(self.measure_targets.items()):
            problems.extend(target.problems(measure))
        for who, (low, high) in (
            ("a social worker", self.worker_caseload),
            ("a reviewing officer", self.iro_caseload),
        ):
            if not 1 <= low <= high:
                problems.append(
                    f"The caseload standard of {who} must be a range of at least 1 child, lowest first."
                )
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
    if "measure_targets" in rows:
        targets = {str(k): MeasureTarget.from_json(v) for k, v in json.loads(rows["measure_targets"]).items()}
        settings = replace(settings, measure_targets=targets)
    if "worker_caseload" in rows:
        low, high = json.loads(rows["worker_caseload"])
        settings = replace(settings, worker_caseload=(int(low), int(high)))
    if "iro_caseload" in rows:
        low, high = json.loads(rows["iro_caseload"])
        settings = replace(settings, iro_caseload=(int(low), int(high)))
    return settings


def load_settings(db: Database) -> Settings:
    with db.engine.connect() as conn:
        return read_settings(conn)
