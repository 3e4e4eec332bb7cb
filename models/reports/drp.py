"""2. DRP report: IRO and CP chair escalations (the dispute resolution process).

Escalations raised in the period with their highest stage, category and the raiser's role; open
escalations with their stage clocks; escalations resolved in the period with their working days
(mean, median, share within 20 working days); and a count by month over the last 12 months. More
escalations are read as IROs challenging, which is good: the month-on-month direction is green
when the count rises.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from reportlab.platypus import Flowable, KeepTogether, Spacer

from models.domain.engine import Deadline
from models.domain.period import Period
from models.reports.charts import month_bars
from models.reports.common import (
    ReportRequest,
    child_cell,
    label,
    measures_table,
    plural,
    rag_cell,
    stage_text,
    yes_no,
)
from models.reports.document import fmt, frame_width, heading, heading_text, note, para, table, title
from models.reports.tables import Cell, Column
from models.screens.drp_view import AlertKind, EscalationRow, escalation_register, no_clock_reason
from models.screens.facts import Caseload, Escalation
from models.screens.measures import (
    DRP_RESOLUTION_WD,
    Measures,
    compute_measures,
    escalations_raised,
    escalations_resolved,
    good_practice_raised,
    measure_lines,
)

TITLE: Final = "DRP report (IRO escalations)"


@dataclass(frozen=True, slots=True)
class MonthCount:
    period: Period
    formal: int
    informal: int


@dataclass(frozen=True)
class DrpData:
    period: Period
    as_of: date
    measures: Measures
    #: The escalation register's rows (`models.screens.drp_view`): the page and its report share them.
    raised: tuple[EscalationRow, ...]
    open: tuple[EscalationRow, ...]
    resolved: tuple[EscalationRow, ...]
    by_stage: dict[int, int]
    by_category: dict[str, int]
    by_role: dict[str, int]
    by_month: tuple[MonthCount, ...]
    #: Good-practice alerts raised in the period, by who raised them (IRO or CP chair).
    good_practice_by_officer: dict[str, int] = field(default_factory=dict)


def gather(caseload: Caseload, period: Period) -> DrpData:
    register = escalation_register(caseload)
    rows = {_key(r.escalation): r for r in register.rows}
    raised = escalations_raised(caseload, period)
    resolved = escalations_resolved(caseload, period)
    open_rows = [r for r in register.rows if r.is_open and r.kind is AlertKind.ESCALATION]
    open_rows.sort(key=lambda r: (r.escalation.raised, r.ref))
    by_month = []
    for month in period.last_months(12):
        in_month = escalations_raised(caseload, month)
        formal = sum(1 for e in in_month if e.formal)
        by_month.append(MonthCount(month, formal, len(in_month) - formal))
    return DrpData(
        period,
        caseload.as_of,
        compute_measures(caseload, period),
        tuple(rows[_key(e)] for e in raised),
        tuple(open_rows),
        tuple(rows[_key(e)] for e in resolved),
        dict(sorted(Counter(e.highest_stage for e in raised).items())),
        dict(sorted(Counter(e.category or "" for e in raised).items())),
        dict(sorted(Counter(e.role or "" for e in raised).items())),
        tuple(by_month),
        dict(
            sorted(
                Counter(
                    e.raised_by or "not recorded" for e in good_practice_raised(caseload, period)
                ).items(),
                key=lambda kv: (-kv[1], kv[0].lower()),
            )
        ),
    )


def _key(e: Escalation) -> tuple[str, str, date]:
    return e.child_id, e.ref, e.raised


# --- The PDF story ----------------------------------------------------------------------------

RAISED_COLUMNS: Final = (
    Column("Ref", 0.95),
    Column("Child", 1.3),
    Column("Raised", 0.75),
    Column("Raised by", 1.1),
    Column("Category", 1.5),
    Column("First stage", 1.05),
    Column("Highest stage", 1.15),
    Column("Status", 1.6),
)

OPEN_COLUMNS: Final = (
    Column("Ref", 0.95),
    Column("Child", 1.3),
    Column("Raised", 0.75),
    Column("Current stage", 1.5),
    Column("Stage response", 1.75),
    Column("RAG", 0.65),
    Column("Resolution (20 WD)", 1.75),
    Column("RAG", 0.65),
    Column("Open (WD)", 0.6, "RIGHT"),
)

RESOLVED_COLUMNS: Final = (
    Column("Ref", 0.95),
    Column("Child", 1.3),
    Column("Raised", 0.75),
    Column("Resolved", 0.75),
    Column("Highest stage", 1.15),
    Column("WD from first formal stage", 0.8, "RIGHT"),
    Column("Within 20 WD", 0.7),
    Column("Outcome", 2.4),
)

COUNT_COLUMNS: Final = (Column("Breakdown", 1.2), Column("Value", 2.4), Column("Escalations", 0.8, "RIGHT"))

MONTH_COLUMNS: Final = (
    Column("Month", 1.0),
    Column("Formal (stage 1+)", 1.0, "RIGHT"),
    Column("Informal only", 1.0, "RIGHT"),
    Column("All", 0.8, "RIGHT"),
)


def _raiser(e: Escalation) -> str:
    role = label("role", e.role)
    return "\n".join(p for p in (e.raised_by or "", role) if p)


def _status(e: Escalation, working_days: int | None) -> str:
    if e.resolved is not None:
        return f"Resolved {fmt(e.resolved)} ({working_days} WD)"
    return f"Open at stage {stage_text(e.current.stage)}"


def _clock_cells(deadline: Deadline | None, state: str, no_clock: str) -> tuple[str, Cell]:
    """A clock as words and a RAG cell: 'due 14/07/2025: overdue 3 WD'."""
    if deadline is None:
        return no_clock, ""
    return f"due {fmt(deadline.due)}: {state}", rag_cell(deadline.rag)


def story(data: DrpData) -> list[Flowable]:
    m = data.measures
    out: list[Flowable] = [
        title(TITLE),
        para(
            f"Escalations raised in {data.period.label}: {m.m7_formal} formal (stage 1 or above) and "
            f"{m.m7_informal} informal, against {m.m7_previous} formal in the period before "
            "(counted at the same distance from its end); "
            f"{m.m7_good_practice} good-practice alert(s), counted apart. More escalations are "
            "read as IROs and CP chairs challenging, which is good. "
            f"Open at {fmt(data.as_of)}: {plural(len(data.open), 'escalation')}."
        ),
        *heading("Measures M7 to M9"),
        *measures_table([line for line in measure_lines(m) if line.id in ("M7", "M8", "M9")]),
        *heading(f"Escalations raised in {data.period.label}"),
        *table(
            RAISED_COLUMNS,
            [
                [
                    r.escalation.ref,
                    child_cell(r.escalation.child_id, r.child_name),
                    fmt(r.escalation.raised),
                    _raiser(r.escalation),
                    label("category", r.escalation.category, "not recorded"),
                    stage_text(r.escalation.stages[0].stage),
                    stage_text(r.escalation.highest_stage),
                    _status(r.escalation, r.resolution_wd),
                ]
                for r in data.raised
            ],
            empty="No escalation was raised in the period.",
        ),
        *heading("Escalations raised in the period, by highest stage, category and role"),
    ]
    counts: list[list[Cell]] = []
    for stage, count in data.by_stage.items():
        counts.append(["Highest stage", stage_text(stage), str(count)])
    for category, count in data.by_category.items():
        counts.append(["Category", label("category", category, "not recorded"), str(count)])
    for role, count in data.by_role.items():
        counts.append(["Raised by", label("role", role, "not recorded"), str(count)])
    out += table(COUNT_COLUMNS, counts, empty="No escalation was raised in the period.")

    out += heading(f"Good-practice alerts raised in {data.period.label}, by officer")
    out += table(
        (Column("Raised by", 1.6), Column("Good-practice alerts", 0.8, "RIGHT")),
        [[who, str(n)] for who, n in data.good_practice_by_officer.items()],
        empty="No good-practice alert was raised in the period.",
        fraction=0.5,
    )

    out += heading(f"Open escalations at {fmt(data.as_of)}, with their stage clocks")
    open_rows: list[list[Cell]] = []
    for r in data.open:
        e = r.escalation
        stage_line, stage_rag = _clock_cells(
            r.current.deadline, r.current.state, no_clock_reason(e.current.stage)
        )
        res_line, res_rag = _clock_cells(r.resolution, r.resolution_state, "")
        addressed = f"\n{e.current.addressed_to}" if e.current.addressed_to else ""
        open_rows.append(
            [
                e.ref,
                child_cell(e.child_id, r.child_name),
                fmt(e.raised),
                f"{stage_text(e.current.stage)} since {fmt(e.current.date)}{addressed}",
                stage_line,
                stage_rag,
                res_line,
                res_rag,
                str(r.working_days),
            ]
        )
    out += table(OPEN_COLUMNS, open_rows, empty="No escalation is open.")

    out += heading(f"Escalations resolved in {data.period.label}")
    out.append(
        para(
            f"{m.m9_count} formal escalations resolved, counted from the first formal stage: mean "
            f"{_num(m.m9_mean_wd)} working days, median {_num(m.m9_median_wd)}; {m.m9_within_20.text} within 20 "
            f"working days ({m.m9_within_20.counts}): "
            f"{m.m9_within_20.judge(m.settings.target_for('M9'), m.span.end).text}."
        )
    )
    out += table(
        RESOLVED_COLUMNS,
        [
            [
                r.escalation.ref,
                child_cell(r.escalation.child_id, r.child_name),
                fmt(r.escalation.raised),
                fmt(r.escalation.resolved),
                stage_text(r.escalation.highest_stage),
                "" if r.resolution_wd is None else str(r.resolution_wd),
                "informal: no clock"
                if r.resolution_wd is None
                else yes_no(r.resolution_wd <= DRP_RESOLUTION_WD),
                r.escalation.outcome or "",
            ]
            for r in data.resolved
        ],
        empty="No escalation was resolved in the period.",
    )

    chart = month_bars(
        [m.period.short_label for m in data.by_month],
        [m.formal + m.informal for m in data.by_month],
        frame_width() * 0.7,
    )
    out.append(
        KeepTogether(
            [
                heading_text("Escalations raised by month, last 12 months"),
                note("A rise is good: it shows IROs and CP chairs challenging drift and delay."),
                chart,
                Spacer(1, 4),
            ]
        )
    )
    out += table(
        MONTH_COLUMNS,
        [[m.period.label, str(m.formal), str(m.informal), str(m.formal + m.informal)] for m in data.by_month],
        fraction=0.5,
    )
    return out


def _num(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f}"


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    return story(gather(caseload, request.period))
