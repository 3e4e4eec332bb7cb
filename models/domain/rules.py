"""The rule catalogue of `timescales.md`: ids, units, amber windows and the local standards.

`Standards` holds every value an authority may change in settings, with the catalogue's defaults.
The engine takes one as an argument and never reads settings itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Final

from models.domain.journey import Stage


class Unit(StrEnum):
    WORKING_DAYS = "WD"
    DAYS = "d"


class Status(StrEnum):
    MET = "met"
    MET_LATE = "met_late"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


RAG_OF: Final = {
    Status.MET: Rag.GREEN,
    Status.MET_LATE: Rag.RED,
    Status.OVERDUE: Rag.RED,
    Status.DUE_SOON: Rag.AMBER,
    Status.PENDING: Rag.GREEN,
}

#: Worst first, for sorting and for "worst RAG" of a child.
RAG_ORDER: Final = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    stage: Stage
    unit: Unit
    amber: int
    basis: str


RULES: Final[dict[str, Rule]] = {
    r.id: r
    for r in (
        Rule(
            "cp.icpc_15wd",
            "ICPC within 15 working days of the strategy discussion",
            Stage.CP,
            Unit.WORKING_DAYS,
            5,
            "Working Together 2023",
        ),
        Rule(
            "cp.core_group_10wd",
            "First core group within 10 working days of the ICPC",
            Stage.CP,
            Unit.WORKING_DAYS,
            5,
            "Working Together 2023",
        ),
        Rule(
            "cp.review_3m",
            "First review conference within 3 months of the ICPC",
            Stage.CP,
            Unit.DAYS,
            7,
            "Working Together 2023",
        ),
        Rule(
            "cp.review_6m",
            "Next review conference within 6 months",
            Stage.CP,
            Unit.DAYS,
            7,
            "Working Together 2023",
        ),
        Rule(
            "cp.visit",
            "Child protection visit",
            Stage.CP,
            Unit.WORKING_DAYS,
            3,
            "Local standard; there is no national frequency",
        ),
        Rule(
            "cp.plan_length",
            "Child protection plan length",
            Stage.CP,
            Unit.DAYS,
            0,
            "DfE measure of plans lasting 2 years or more (local limit)",
        ),
        Rule(
            "plo.pre_proceedings_16w",
            "Pre-proceedings within 16 weeks of the letter",
            Stage.PLO,
            Unit.DAYS,
            28,
            "Public Law Working Group 2021",
        ),
        Rule(
            "court.issue_after_decision",
            "Proceedings issued after the decision to issue",
            Stage.COURT,
            Unit.WORKING_DAYS,
            3,
            "Local standard: time for legal to issue",
        ),
        Rule(
            "court.final_26w",
            "Final order within 26 weeks of issue",
            Stage.COURT,
            Unit.DAYS,
            28,
            "Children Act 1989 s32(1)(a), s32(5)-(8)",
        ),
        Rule(
            "cla.review_first_20wd",
            "First looked-after review within 20 working days",
            Stage.LOOKED_AFTER,
            Unit.WORKING_DAYS,
            5,
            "Care Planning Regulations 2010 reg 33(1)",
        ),
        Rule(
            "cla.review_second_3m",
            "Second looked-after review within 3 months of the first",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            7,
            "Care Planning Regulations 2010 reg 33(2)",
        ),
        Rule(
            "cla.review_6m",
            "Next looked-after review within 6 months",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            7,
            "Care Planning Regulations 2010 reg 33(2)",
        ),
        Rule(
            "cla.permanence_by_second_review",
            "Permanence plan by the second looked-after review",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            14,
            "Statutory guidance vol. 2 ch. 2; local procedures",
        ),
        Rule(
            "cla.visit",
            "Looked-after visit",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            7,
            "Care Planning Regulations 2010 reg 28",
        ),
        Rule(
            "drp.stage_response",
            "Response to an escalation stage",
            Stage.DRP,
            Unit.WORKING_DAYS,
            2,
            "IRO Handbook ch. 6; local protocols",
        ),
        Rule(
            "drp.resolution_20wd",
            "Escalation resolved within 20 working days",
            Stage.DRP,
            Unit.WORKING_DAYS,
            5,
            "IRO Handbook 6.2",
        ),
    )
}

RULE_ORDER: Final = {rule_id: i for i, rule_id in enumerate(RULES)}


def _default_amber() -> dict[str, int]:
    return {rule_id: rule.amber for rule_id, rule in RULES.items() if rule_id != "cp.plan_length"}


@dataclass(frozen=True)
class Standards:
    """The local standards and amber windows an authority may set (catalogue defaults).

    Attributes:
        cp_visit_wd: working days between child protection visits.
        issue_after_decision_wd: working days from the decision to issue to issue.
        drp_stage_response_wd: working days for a response to each formal DRP stage.
        cp_plan_length_months: months after which a CP plan is overdue for ending.
        cp_plan_amber_months: months open after which a CP plan shows amber.
        cla_first_visit_days: days from becoming looked after to the first visit.
        cla_visit_days: days between looked-after visits.
        amber: the amber window of each rule, in the rule's unit.
        closure_days: the authority's extra closure days (not working days).
    """

    cp_visit_wd: int = 10
    issue_after_decision_wd: int = 10
    drp_stage_response_wd: int = 5
    cp_plan_length_months: int = 18
    cp_plan_amber_months: int = 12
    cla_first_visit_days: int = 7
    cla_visit_days: int = 42
    amber: dict[str, int] = field(default_factory=_default_amber)
    closure_days: tuple[date, ...] = ()

    def amber_for(self, rule_id: str) -> int:
        return self.amber.get(rule_id, RULES[rule_id].amber)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["closure_days"] = [d.isoformat() for d in self.closure_days]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Standards:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "closure_days" in values:
            values["closure_days"] = tuple(sorted(date.fromisoformat(d) for d in values["closure_days"]))
        if "amber" in values:
            values["amber"] = {**_default_amber(), **{k: int(v) for k, v in values["amber"].items()}}
        return cls(**values)

    def validate(self) -> list[str]:
        """Problems with these values, as sentences (empty when all is well)."""
        problems = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and value < (0 if "amber" in f.name else 1):
                problems.append(f"{f.name.replace('_', ' ')} must be at least 1 (got {value}).")
        if self.cp_plan_amber_months > self.cp_plan_length_months:
            problems.append("The CP plan amber point cannot come after the plan-length limit.")
        for rule_id, days in self.amber.items():
            if rule_id not in RULES:
                problems.append(f"Unknown rule {rule_id!r} in the amber windows.")
            elif days < 0:
                problems.append(f"The amber window of {rule_id} cannot be negative.")
        return problems
