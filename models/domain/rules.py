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
    """One rule of the catalogue, declared once with every word the engine, pages and reports use.

    Attributes:
        id: the catalogue's id (its suffix names the fixed period: `_15wd`, `_3m`, `_16w`).
        title: the rule in a sentence, as the catalogue names it.
        stage: the part of the journey it belongs to.
        unit: the unit of its amber window (working days or calendar days).
        amber: the catalogue's amber window, in `unit` (an authority may change it).
        basis: the statute, guidance or local standard it comes from.
        period: the fixed period from the trigger to the due date, in `span_unit`; None where a
            local standard (`Standards`) sets it, or where it is not a period from the trigger.
        span_unit: the unit the period is counted in, in words ("working days", "months").
        short: its name in a table cell.
        due: what falls due, as the explanation starts ("ICPC", "First core group").
        met_verb: the verb of the event that meets it ("held", "made").
        met_by: the event types that meet it.
        not_held: what a partial source's record may not hold before `tracked_from`.
    """

    id: str
    title: str
    stage: Stage
    unit: Unit
    amber: int
    basis: str
    period: int | None
    span_unit: str
    short: str
    due: str
    met_verb: str
    met_by: frozenset[str]
    not_held: str

    def fixed_period(self) -> int:
        """The rule's fixed period; an error for a rule whose period a local standard sets."""
        if self.period is None:
            raise ValueError(f"{self.id} has no fixed period")
        return self.period


RULES: Final[dict[str, Rule]] = {
    r.id: r
    for r in (
        Rule(
            "cp.icpc_15wd",
            "ICPC within 15 working days of the strategy discussion",
            Stage.CP,
            Unit.WORKING_DAYS,
            amber=5,
            basis="Working Together 2023",
            period=15,
            span_unit="working days",
            short="ICPC",
            due="ICPC",
            met_verb="held",
            met_by=frozenset(["icpc"]),
            not_held="ICPCs",
        ),
        Rule(
            "cp.core_group_10wd",
            "First core group within 10 working days of the ICPC",
            Stage.CP,
            Unit.WORKING_DAYS,
            amber=5,
            basis="Working Together 2023",
            period=10,
            span_unit="working days",
            short="First core group",
            due="First core group",
            met_verb="held",
            met_by=frozenset(["core_group"]),
            not_held="core groups",
        ),
        Rule(
            "cp.review_3m",
            "First review conference within 3 months of the ICPC",
            Stage.CP,
            Unit.DAYS,
            amber=7,
            basis="Working Together 2023",
            period=3,
            span_unit="months",
            short="First review conference",
            due="First review conference",
            met_verb="held",
            met_by=frozenset(["cp_review"]),
            not_held="review conferences",
        ),
        Rule(
            "cp.review_6m",
            "Next review conference within 6 months",
            Stage.CP,
            Unit.DAYS,
            amber=7,
            basis="Working Together 2023",
            period=6,
            span_unit="months",
            short="Review conference",
            due="Next review conference",
            met_verb="held",
            met_by=frozenset(["cp_review"]),
            not_held="review conferences",
        ),
        Rule(
            "cp.visit",
            "Child protection visit",
            Stage.CP,
            Unit.WORKING_DAYS,
            amber=3,
            basis="Local standard; there is no national frequency",
            period=None,  # Standards.cp_visit_wd
            span_unit="working days",
            short="CP visit",
            due="Next child protection visit",
            met_verb="made",
            met_by=frozenset(["cp_visit"]),
            not_held="child protection visits",
        ),
        Rule(
            "cp.plan_length",
            "Child protection plan length",
            Stage.CP,
            Unit.DAYS,
            amber=0,
            basis="DfE measure of plans lasting 2 years or more (local limit)",
            period=None,  # Standards.cp_plan_length_months
            span_unit="months",
            short="CP plan length",
            due="Child protection plan to end",
            met_verb="ended",
            met_by=frozenset(["cp_plan_ended", "cp_review"]),
            not_held="ends of plans",
        ),
        Rule(
            "plo.pre_proceedings_16w",
            "Pre-proceedings within 16 weeks of the letter",
            Stage.PLO,
            Unit.DAYS,
            amber=28,
            basis="Public Law Working Group 2021",
            period=16,
            span_unit="weeks",
            short="Pre-proceedings to end",
            due="Pre-proceedings to end",
            met_verb="ended",
            met_by=frozenset(["pre_proceedings_ended"]),
            not_held="ends of pre-proceedings",
        ),
        Rule(
            "court.issue_after_decision",
            "Proceedings issued after the decision to issue",
            Stage.COURT,
            Unit.WORKING_DAYS,
            amber=3,
            basis="Local standard: time for legal to issue",
            period=None,  # Standards.issue_after_decision_wd
            span_unit="working days",
            short="Issue after decision",
            due="Issue of proceedings",
            met_verb="issued",
            met_by=frozenset(["proceedings_issued"]),
            not_held="issues of proceedings",
        ),
        Rule(
            "court.final_26w",
            "Final order within 26 weeks of issue",
            Stage.COURT,
            Unit.DAYS,
            amber=28,
            basis="Children Act 1989 s32(1)(a), s32(5)-(8)",
            period=26,
            span_unit="weeks",
            short="Final order",
            due="Final order",
            met_verb="made",
            met_by=frozenset(["final_order"]),
            not_held="final orders",
        ),
        Rule(
            "cla.review_first_20wd",
            "First looked-after review within 20 working days",
            Stage.LOOKED_AFTER,
            Unit.WORKING_DAYS,
            amber=5,
            basis="Care Planning Regulations 2010 reg 33(1)",
            period=20,
            span_unit="working days",
            short="First LAC review",
            due="First looked-after review",
            met_verb="held",
            met_by=frozenset(["cla_review"]),
            not_held="looked-after reviews",
        ),
        Rule(
            "cla.review_second_3m",
            "Second looked-after review within 3 months of the first",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            amber=7,
            basis="Care Planning Regulations 2010 reg 33(2)",
            period=3,
            span_unit="months",
            short="Second LAC review",
            due="Second looked-after review",
            met_verb="held",
            met_by=frozenset(["cla_review"]),
            not_held="looked-after reviews",
        ),
        Rule(
            "cla.review_6m",
            "Next looked-after review within 6 months",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            amber=7,
            basis="Care Planning Regulations 2010 reg 33(2)",
            period=6,
            span_unit="months",
            short="LAC review",
            due="Next looked-after review",
            met_verb="held",
            met_by=frozenset(["cla_review"]),
            not_held="looked-after reviews",
        ),
        Rule(
            "cla.permanence_by_second_review",
            "Permanence plan by the second looked-after review",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            amber=14,
            basis="Statutory guidance vol. 2 ch. 2; local procedures",
            period=None,  # the second review's date, or 3 months after the first
            span_unit="days",
            short="Permanence plan",
            due="Permanence plan",
            met_verb="made",
            met_by=frozenset(["permanence_plan"]),
            not_held="permanence plans",
        ),
        Rule(
            "cla.visit",
            "Looked-after visit",
            Stage.LOOKED_AFTER,
            Unit.DAYS,
            amber=7,
            basis="Care Planning Regulations 2010 reg 28",
            period=None,  # Standards.cla_visit_days
            span_unit="days",
            short="LAC visit",
            due="Next looked-after visit",
            met_verb="made",
            met_by=frozenset(["cla_visit"]),
            not_held="looked-after visits",
        ),
        Rule(
            "drp.stage_response",
            "Response to an escalation stage",
            Stage.DRP,
            Unit.WORKING_DAYS,
            amber=2,
            basis="IRO Handbook ch. 6; local protocols",
            period=None,  # Standards.drp_stage_response_wd
            span_unit="working days",
            short="DRP stage response",
            due="Response",
            met_verb="received",
            met_by=frozenset(["drp_resolved", "drp_response"]),
            not_held="DRP responses",
        ),
        Rule(
            "drp.resolution_20wd",
            "Escalation resolved within 20 working days",
            Stage.DRP,
            Unit.WORKING_DAYS,
            amber=5,
            basis="IRO Handbook 6.2",
            period=20,
            span_unit="working days",
            short="DRP resolution",
            due="Resolution",
            met_verb="resolved",
            met_by=frozenset(["drp_resolved"]),
            not_held="DRP resolutions",
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
