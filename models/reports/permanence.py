"""5. Permanence report: was there a permanence plan by the second looked-after review?

The cohort is measure M1's: children whose second review of a period of care was held in the
period, or fell due in it and was not held. For each: the plan in place by that review (type and
date), whether the IRO ratified it, and a plan made only afterwards; M1 and M2 against the
improvement plan's milestones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from reportlab.platypus import Flowable

from models.domain.engine import Deadline
from models.domain.period import Period
from models.domain.records import ChildRecord
from models.domain.rules import Rag
from models.reports.common import ReportRequest, child_cell, label, measures_table, rag_cell
from models.reports.document import fmt, heading, para, table, title
from models.reports.tables import Cell, Column
from models.screens.facts import Caseload
from models.screens.forum import without_plan
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
    at = min(period.end, caseload.as_of)
    return PermanenceData(
        period,
        caseload.as_of,
        tuple(cases),
        m1,
        m2,
        m1.judge(targets.target_for("M1"), at),
        m2.judge(targets.target_for("M2"), at),
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


#: How far the report looks ahead for second reviews without a plan.
AHEAD_WEEKS: Final = 12

AHEAD_COLUMNS: Final = (
    Column("Child", 1.3),
    Column("Reviewing officer", 1.0),
    Column("Social worker", 1.0),
    Column("Looked after from", 0.8),
    Column("Second review", 1.4),
    Column("Came to the forum", 0.9),
)

OFFICER_COLUMNS: Final = (
    Column("Reviewing officer", 1.4),
    Column("Second reviews in the period", 0.9, "RIGHT"),
    Column("With a plan by the review", 0.9, "RIGHT"),
    Column("Share", 0.6, "RIGHT"),
    Column(f"Due within {AHEAD_WEEKS} weeks, no plan", 0.9, "RIGHT"),
    Column("Review passed, still no plan", 0.9, "RIGHT"),
)


def _officer(child: ChildRecord) -> str:
    return str(child.fields.get("reviewing_officer") or "") or "not recorded"


def looking_ahead(caseload: Caseload, data: PermanenceData) -> list[Flowable]:
    """Who is coming up to their second review without a plan, who passed it still without one,
    and each reviewing officer's part: the report looks forward as well as back."""
    as_of = caseload.as_of
    horizon = as_of + timedelta(weeks=AHEAD_WEEKS)
    pending = without_plan(caseload, horizon)
    ahead = [(c, d) for c, d in pending if d.due >= as_of]
    passed = [(c, d) for c, d in pending if d.due < as_of]

    def row(child: ChildRecord, d: Deadline) -> list[Cell]:
        facts = caseload.facts(child)
        care = next((p for p in facts.care_periods if p.start == d.trigger), None)
        when = f"due {fmt(d.due)}" + (f", {(d.due - as_of).days} days away" if d.due >= as_of else ", passed")
        forums = care.forums if care is not None else ()
        return [
            child_cell(child.id, child.name),
            _officer(child),
            str(child.fields.get("social_worker") or ""),
            fmt(d.trigger),
            when,
            fmt(forums[-1]) if forums else "No",
        ]

    officers: dict[str, list[int]] = {}
    for c in data.cases:
        counts = officers.setdefault(_officer(c.child), [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += c.plan_in_place
    for index, group in ((2, ahead), (3, passed)):
        for child, _ in group:
            officers.setdefault(_officer(child), [0, 0, 0, 0])[index] += 1
    officer_rows: list[list[Cell]] = [
        [
            name,
            str(n),
            str(with_plan),
            percent([True] * with_plan + [False] * (n - with_plan)).text,
            str(a),
            str(p),
        ]
        for name, (n, with_plan, a, p) in sorted(officers.items(), key=lambda kv: kv[0].lower())
    ]
    return [
        *heading(
            f"Coming up: second reviews due within {AHEAD_WEEKS} weeks with no permanence plan ({len(ahead)})"
        ),
        *table(
            AHEAD_COLUMNS,
            [row(c, d) for c, d in ahead],
            empty="No child is coming up to a second review without a plan.",
        ),
        *heading(f"Second review passed, still no permanence plan ({len(passed)})"),
        *table(
            AHEAD_COLUMNS,
            [row(c, d) for c, d in passed],
            empty="Every child past the second review has a plan.",
        ),
        *heading("By reviewing officer"),
        *table(OFFICER_COLUMNS, officer_rows, empty="No second review to count."),
    ]


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    data = gather(caseload, request.period)
    return story(data) + looking_ahead(caseload, data)
