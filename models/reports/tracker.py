"""1. Monthly tracker sheet: one section per reviewing officer (IRO or CP chair).

Each child with an open child protection or looked-after clock at the as-of date: the last and next
review with its due date, the permanence plan (type, date, ratified), open escalations, the worst
RAG of the child's open CP, looked-after and DRP clocks, and the overdue and due-soon lines. Children
with something overdue come first, then those with something due soon, each by the earliest date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from reportlab.platypus import Flowable, PageBreak

from models.domain.engine import Deadline
from models.domain.journey import Stage
from models.domain.period import Period
from models.domain.rules import RULES, Rag, Status
from models.reports.common import (
    ReportError,
    ReportRequest,
    child_cell,
    deadline_line,
    label,
    open_deadlines,
    plural,
    rag_cell,
    worst,
)
from models.reports.document import SectionMark, fmt, note, para, table, title
from models.reports.tables import Cell, Column
from models.screens.facts import Caseload, ChildFacts
from models.screens.words import short_state

TITLE: Final = "Monthly tracker sheet"
NO_OFFICER: Final = "No reviewing officer recorded"

CP_REVIEW_RULES: Final = ("cp.review_3m", "cp.review_6m")
CLA_REVIEW_RULES: Final = ("cla.review_first_20wd", "cla.review_second_3m", "cla.review_6m")
#: The clocks whose lines an officer's sheet shows.
#: The clocks a row shows; court clocks too (a final order due soon belongs on the IRO's sheet),
#: though only a child with a CP or looked-after clock has a row.
TRACKED_STAGES: Final = frozenset({Stage.CP, Stage.LOOKED_AFTER, Stage.DRP, Stage.COURT})

#: The abbreviations the sheet uses, spelt out under every officer's table.
KEY: Final = (
    "Key: ICPC initial child protection conference; RCPC review child protection conference; LAC review "
    "looked-after child review; CP child protection; WD working days; DRP dispute resolution (an escalation "
    "by the IRO or CP chair) and its stage; RAG red (overdue), amber (due soon), green (on track). Court "
    "clocks: issue after the decision, and the final order by the end of the 26 weeks or the extended end."
)


@dataclass(frozen=True, slots=True)
class TrackerRow:
    child_id: str
    name: str
    stages: tuple[str, ...]
    last_review: tuple[str, ...]
    next_review: tuple[str, ...]
    plan: str
    escalations: tuple[str, ...]
    rag: Rag | None
    attention: tuple[str, ...]
    overdue: int
    due_soon: int
    first_due: date | None

    @property
    def sort_key(self) -> tuple[int, date, str]:
        rank = 0 if self.overdue else (1 if self.due_soon else 2)
        return (rank, self.first_due or date.max, self.child_id)


@dataclass(frozen=True, slots=True)
class OfficerSection:
    officer: str
    rows: tuple[TrackerRow, ...]
    reviews_held: int
    reviews_on_time: int

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    @property
    def due_soon(self) -> int:
        return sum(1 for r in self.rows if not r.overdue and r.due_soon)


@dataclass(frozen=True, slots=True)
class TrackerData:
    period: Period
    as_of: date
    sections: tuple[OfficerSection, ...]

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


def gather(caseload: Caseload, period: Period, officer: str | None = None) -> TrackerData:
    """The sheet's rows, by officer (pure: the caseload in, plain rows out)."""
    if officer is not None and officer not in caseload.officers:
        raise unknown_officer(officer, caseload.officers)
    by_officer: dict[str, list[TrackerRow]] = {}
    reviews: dict[str, list[Deadline]] = {}
    for child in caseload.children:
        name = str(child.fields.get("reviewing_officer") or "") or NO_OFFICER
        if officer is not None and name != officer:
            continue
        reviews.setdefault(name, []).extend(
            d
            for d in caseload.deadlines_of(child.id)
            if d.rule in CP_REVIEW_RULES + CLA_REVIEW_RULES and period.contains(d.done)
        )
        row = _row(caseload, caseload.facts(child))
        if row is not None:
            by_officer.setdefault(name, []).append(row)
    sections = []
    for name in sorted(by_officer, key=lambda n: (n == NO_OFFICER, n.lower())):
        rows = sorted(by_officer[name], key=lambda r: r.sort_key)
        held = reviews.get(name, [])
        on_time = sum(1 for d in held if d.status is Status.MET)
        sections.append(OfficerSection(name, tuple(rows), len(held), on_time))
    return TrackerData(period, caseload.as_of, tuple(sections))


def unknown_officer(officer: str, officers: Sequence[str]) -> ReportError:
    """The error for a sheet asked of an officer no child has."""
    known = ", ".join(officers) or "none recorded"
    return ReportError(f"No child has {officer!r} as reviewing officer (officers: {known}).")


def _row(caseload: Caseload, facts: ChildFacts) -> TrackerRow | None:
    child = facts.child
    open_ = [d for d in open_deadlines(caseload, child.id) if RULES[d.rule].stage in TRACKED_STAGES]
    if not any(RULES[d.rule].stage in (Stage.CP, Stage.LOOKED_AFTER) for d in open_):
        return None
    plan = facts.open_cp_plan
    care = facts.open_care_period
    stages = []
    if plan is not None:
        stages.append("CP plan")
    elif any(RULES[d.rule].stage is Stage.CP for d in open_):
        stages.append("s47 enquiry")
    if care is not None:
        stages.append("Looked after")
    for p in facts.proceedings:
        if p.final_order is None:
            stages.append(f"Proceedings wk {p.week_on(caseload.as_of)}, end {fmt(p.end)}")

    last: list[str] = []
    if plan is not None:
        last.append(f"RCPC {fmt(plan.reviews[-1])}" if plan.reviews else f"ICPC {fmt(plan.icpc)}")
    if care is not None:
        last.append(f"LAC {fmt(care.reviews[-1])}" if care.reviews else "LAC none yet")

    upcoming: list[str] = []
    for rules, word in ((CP_REVIEW_RULES, "RCPC"), (CLA_REVIEW_RULES, "LAC")):
        for d in open_:
            if d.rule in rules:
                upcoming.append(f"{word} {fmt(d.due)}, {short_state(caseload, d)}")

    plan_text = ""
    if care is not None:
        current = care.plans[-1] if care.plans else None
        if current is not None:
            ratified = "ratified by IRO" if current.ratified else "not ratified"
            plan_text = f"{label('plan', current.plan, 'Plan')}, {fmt(current.date)}, {ratified}"
        else:
            due = next((d for d in open_ if d.rule == "cla.permanence_by_second_review"), None)
            plan_text = f"None; due {fmt(due.due)}" if due is not None else "None"

    escalations = tuple(
        f"{e.ref}: stage {e.current.stage} since {fmt(e.current.date)}"
        for e in facts.escalations
        if e.is_open
    )
    flagged = sorted(
        (d for d in open_ if d.status in (Status.OVERDUE, Status.DUE_SOON)),
        key=lambda d: (d.status is not Status.OVERDUE, d.due),
    )
    return TrackerRow(
        child.id,
        child.name,
        tuple(stages),
        tuple(last),
        tuple(upcoming),
        plan_text,
        escalations,
        worst(d.rag for d in open_),
        tuple(deadline_line(caseload, d) for d in flagged),
        sum(1 for d in open_ if d.status is Status.OVERDUE),
        sum(1 for d in open_ if d.status is Status.DUE_SOON),
        min((d.due for d in flagged), default=None),
    )


# --- The PDF story ----------------------------------------------------------------------------

COLUMNS: Final = (
    Column("Child", 1.2),
    Column("Stage", 0.75),
    Column("Last review", 0.95),
    Column("Next review due", 1.6),
    Column("Permanence plan", 1.45),
    Column("Open DRPs", 1.3),
    Column("RAG", 0.6),
    Column("Overdue and due soon", 3.0),
)


def rows_of(section: OfficerSection) -> list[list[Cell]]:
    return [
        [
            child_cell(r.child_id, r.name),
            "\n".join(r.stages),
            "\n".join(r.last_review),
            "\n".join(r.next_review),
            r.plan,
            "\n".join(r.escalations),
            rag_cell(r.rag),
            "\n".join(r.attention) or "Nothing overdue or due soon",
        ]
        for r in section.rows
    ]


def story(data: TrackerData) -> list[Flowable]:
    out: list[Flowable] = [
        title(TITLE),
        para(
            f"Children with an open child protection or looked-after clock at {fmt(data.as_of)}, by reviewing "
            f"officer: {plural(data.row_count, 'child', 'children')}, {plural(len(data.sections), 'officer')}. Within each officer, children "
            "with something overdue come first, then those with something due soon."
        ),
        note(KEY),
    ]
    if not data.sections:
        out.append(para("No child has an open child protection or looked-after clock."))
    for i, section in enumerate(data.sections):
        if i:
            out.append(PageBreak())
        out.append(SectionMark(section.officer, f"tracker-{i}", level=1))
        out.append(title(section.officer))
        out.append(
            para(
                f"{plural(len(section.rows), 'child', 'children')}; {section.overdue} with something overdue, {section.due_soon} "
                f"more with something due soon. Reviews held in {data.period.label}: {section.reviews_held} "
                f"({section.reviews_on_time} in timescale)."
            )
        )
        out += table(COLUMNS, rows_of(section))
    return out


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    return story(gather(caseload, request.period, request.officer))
