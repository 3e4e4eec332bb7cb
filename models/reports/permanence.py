"""5. Permanence report: was there a permanence plan by the second looked-after review?

The cohort is measure M1's: children whose second review of a period of care was held in the
period, or fell due in it and was not held. For each: the plan in place by that review (type and
date), whether the IRO ratified it, and a plan made only afterwards; M1 and M2 against the
improvement plan's milestones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from reportlab.platypus import Flowable

from models.domain.period import Period
from models.domain.rules import Rag
from models.reports.common import ReportRequest, child_cell, label, measures_table, rag_cell
from models.reports.document import fmt, heading, para, table, title
from models.reports.tables import Cell, Column
from models.screens.facts import Caseload
from models.screens.measures import (
    Judgement,
    MeasureLine,
    Percent,
    PermanenceCase,
    percent,
    permanence_cohort,
)

TITLE: Final = "Permanence report"


@dataclass(frozen=True)
class PermanenceData:
    period: Period
    as_of: date
    cases: tuple[PermanenceCase, ...]
    m1: Percent
    m2: Percent
    m1_judged: Judgement
    m2_judged: Judgement


def gather(caseload: Caseload, period: Period) -> PermanenceData:
    cases = permanence_cohort(caseload, period)
    m1 = percent(c.plan_in_place for c in cases)
    m2 = percent(c.ratified for c in cases if c.plan_in_place)
    targets = caseload.settings
    return PermanenceData(
        period,
        caseload.as_of,
        tuple(cases),
        m1,
        m2,
        m1.judge(targets.target_for("M1")),
        m2.judge(targets.target_for("M2")),
    )


COLUMNS: Final = (
    Column("Child", 1.3),
    Column("Reviewing officer", 1.0),
    Column("Looked after from", 0.8),
    Column("First review", 0.75),
    Column("Second review", 1.1),
    Column("Plan by the review", 0.7),
    Column("Which plan", 1.5),
    Column("Ratified by the IRO", 0.75),
    Column("Plan made later", 1.2),
    Column("RAG", 0.7),
)


def _cells(c: PermanenceCase) -> list[Cell]:
    care = c.period_of_care
    review = f"held {fmt(c.review)}" if c.review else f"due {fmt(c.due)}, not held"
    plan = c.plan
    later = c.later_plan
    return [
        child_cell(c.child.id, c.child.name),
        str(c.child.fields.get("reviewing_officer") or ""),
        fmt(care.start),
        fmt(care.reviews[0]) if care.reviews else "not held",
        review,
        "Yes" if plan else "No",
        f"{label('plan', plan.plan, 'Plan')}\nmade {fmt(plan.date)}" if plan else "",
        ("Yes" if c.ratified else "No") if plan else "",
        f"{label('plan', later.plan, 'Plan')}, {fmt(later.date)}" if later else "",
        rag_cell(Rag.GREEN if plan else Rag.RED, "in place" if plan else "no plan"),
    ]


def story(data: PermanenceData) -> list[Flowable]:
    lines = [
        MeasureLine(
            "M1",
            "Permanence plan by the second looked-after review",
            data.m1.text,
            data.m1.counts,
            data.m1,
            data.m1_judged.rag,
            data.m1_judged.text,
        ),
        MeasureLine(
            "M2",
            "Of those plans, ratified by the IRO by that review",
            data.m2.text,
            data.m2.counts,
            data.m2,
            data.m2_judged.rag,
            data.m2_judged.text,
        ),
    ]
    return [
        title(TITLE),
        para(
            f"Children whose second looked-after review fell in {data.period.label} (held, or due and not held by "
            f"{fmt(data.as_of)}): {len(data.cases)}. A plan counts when it was recorded on or before the review's "
            "date (or its due date when not held)."
        ),
        *heading("Measures M1 and M2"),
        *measures_table(lines),
        *heading(f"Second reviews in {data.period.label}"),
        *table(COLUMNS, [_cells(c) for c in data.cases], empty="No second review fell in the period."),
    ]


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    return story(gather(caseload, request.period))
