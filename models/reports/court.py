"""3. Court tracker: care proceedings against the 26 weeks of s32(1)(a) Children Act 1989.

Open proceedings with their case number, issue date, week N of 26, end date with each extension and
its reason, last and next hearing and RAG; the steps from the decision to issue through documents to
legal to issue, in working days, against the local standard; and the proceedings concluded in the
period with their durations in weeks and the share within 26 weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from reportlab.platypus import Flowable

from models.domain.engine import Deadline
from models.domain.period import Period
from models.domain.records import ChildRecord
from models.domain.rules import Rag, Status
from models.reports.common import (
    HEARING_SHORT,
    ReportRequest,
    child_cell,
    label,
    measures_table,
    plural,
    rag_cell,
    yes_no,
)
from models.reports.document import fmt, heading, para, table, title
from models.reports.tables import Cell, Column
from models.screens.facts import Caseload, Hearing, PendingIssue, Proceedings
from models.screens.measures import Measures, compute_measures, concluded_proceedings, measure_lines
from models.screens.words import deadline_state

TITLE: Final = "Court tracker"


@dataclass(frozen=True, slots=True)
class OpenProceedingsRow:
    child: ChildRecord
    proceedings: Proceedings
    week: int
    end_week: int
    state: str
    rag: Rag | None


@dataclass(frozen=True, slots=True)
class IssueRow:
    """The steps before issue: decision, documents to legal, issue (None while awaited)."""

    child: ChildRecord
    decision: date
    documents: date | None
    issued: date | None
    decision_to_documents: int | None
    documents_to_issue: int | None
    decision_to_issue: int | None
    state: str
    rag: Rag | None


@dataclass(frozen=True)
class CourtData:
    period: Period
    as_of: date
    standard_wd: int
    measures: Measures
    open: tuple[OpenProceedingsRow, ...]
    issues: tuple[IssueRow, ...]
    concluded: tuple[tuple[ChildRecord, Proceedings], ...]


def gather(caseload: Caseload, period: Period) -> CourtData:
    as_of = caseload.as_of
    wd = caseload.calendar.working_days_between
    open_rows: list[OpenProceedingsRow] = []
    issues: list[IssueRow] = []
    for facts in caseload.all_facts():
        child = facts.child
        deadlines = caseload.deadlines_of(child.id)
        for p in facts.proceedings:
            if p.final_order is None:
                clock = _deadline(deadlines, "court.final_26w", p.issued)
                open_rows.append(
                    OpenProceedingsRow(
                        child,
                        p,
                        p.week_on(as_of),
                        p.week_on(p.end),
                        deadline_state(caseload, clock) if clock else "",
                        clock.rag if clock else None,
                    )
                )
            if p.decision is not None and period.contains(p.issued):
                clock = _deadline(deadlines, "court.issue_after_decision", p.decision)
                docs = p.documents
                issues.append(
                    IssueRow(
                        child,
                        p.decision,
                        docs,
                        p.issued,
                        wd(p.decision, docs) if docs else None,
                        wd(docs, p.issued) if docs else None,
                        wd(p.decision, p.issued),
                        _issue_state(clock),
                        clock.rag if clock else None,
                    )
                )
        for pending in facts.pending_issues:
            issues.append(_pending_row(caseload, child, pending, deadlines))
    open_rows.sort(key=lambda r: (r.proceedings.end, r.child.id))
    issues.sort(key=lambda r: (r.issued is not None, r.decision, r.child.id))
    return CourtData(
        period,
        as_of,
        caseload.settings.standards.issue_after_decision_wd,
        compute_measures(caseload, period),
        tuple(open_rows),
        tuple(issues),
        tuple(concluded_proceedings(caseload, period)),
    )


def _deadline(deadlines: Sequence[Deadline], rule: str, trigger: date) -> Deadline | None:
    return next((d for d in deadlines if d.rule == rule and d.trigger == trigger), None)


def _issue_state(clock: Deadline | None) -> str:
    if clock is None:
        return ""
    if clock.status is Status.MET:
        return "within the standard"
    return f"{clock.late_by} WD over the standard"


def _pending_row(
    caseload: Caseload, child: ChildRecord, pending: PendingIssue, deadlines: Sequence[Deadline]
) -> IssueRow:
    clock = _deadline(deadlines, "court.issue_after_decision", pending.decision)
    wd = caseload.calendar.working_days_between
    docs = pending.documents
    return IssueRow(
        child,
        pending.decision,
        docs,
        None,
        wd(pending.decision, docs) if docs else None,
        None,
        None,
        f"awaiting issue: {deadline_state(caseload, clock)}" if clock else "awaiting issue",
        clock.rag if clock else None,
    )


# --- The PDF story ----------------------------------------------------------------------------

OPEN_COLUMNS: Final = (
    Column("Child", 1.2),
    Column("Case number\nCourt", 1.1),
    Column("Issued", 0.7),
    Column("Week", 0.6),
    Column("End date", 0.85),
    Column("Extensions (granted: new end, reason)", 2.6),
    Column("Last hearing", 0.95),
    Column("Next hearing", 0.9),
    Column("RAG", 1.05),
)

ISSUE_COLUMNS: Final = (
    Column("Child", 1.3),
    Column("Decision to issue", 0.9),
    Column("Documents to legal", 0.9),
    Column("Decision to documents (WD)", 0.9, "RIGHT"),
    Column("Issued", 0.8),
    Column("Documents to issue (WD)", 0.9, "RIGHT"),
    Column("Decision to issue (WD)", 0.9, "RIGHT"),
    Column("Against the standard", 1.6),
    Column("RAG", 0.6),
)

CONCLUDED_COLUMNS: Final = (
    Column("Child", 1.3),
    Column("Case number", 1.0),
    Column("Issued", 0.75),
    Column("Final order", 0.75),
    Column("Order", 1.5),
    Column("Weeks", 0.6, "RIGHT"),
    Column("Extensions", 0.7, "RIGHT"),
    Column("Within 26 weeks", 0.8),
    Column("Within the extended end", 0.9),
)


def _hearing(h: Hearing) -> str:
    return f"{fmt(h.date)} {HEARING_SHORT.get(h.kind or '', 'Hearing')}"


def case_key(r: OpenProceedingsRow) -> tuple[str, ...]:
    """Children in one case: the same case number, or (without one) the same issue day and sibling group."""
    p = r.proceedings
    if p.case_number:
        return ("case", p.case_number)
    return ("issued", p.issued.isoformat(), str(r.child.fields.get("sibling_group") or r.child.id))


def by_case(rows: Sequence[OpenProceedingsRow]) -> list[list[OpenProceedingsRow]]:
    """Open proceedings one case to a row, siblings together, in the order of each case's first row."""
    groups: dict[tuple[str, ...], list[OpenProceedingsRow]] = {}
    for r in rows:
        groups.setdefault(case_key(r), []).append(r)
    return list(groups.values())


def _extension_text(p: Proceedings) -> str:
    return "\n".join(
        f"{fmt(e.granted)}: to {fmt(e.until)}, {label('reason', e.reason, 'no reason recorded').lower()}"
        for e in p.extensions
    )


def _case_cells(rows: Sequence[OpenProceedingsRow]) -> list[Cell]:
    """One case: its children listed together; what they share said once, what differs per child."""
    first = rows[0]
    if len(rows) == 1:
        return _open_cells(first)
    cells = _open_cells(first)
    cells[0] = "\n".join(child_cell(r.child.id, r.child.name).replace("\n", " ") for r in rows)
    texts = [_extension_text(r.proceedings) or "none" for r in rows]
    if len(set(texts)) > 1:
        cells[5] = "\n".join(f"{r.child.id}: {t}" for r, t in zip(rows, texts, strict=True))
    ends = {(r.proceedings.end, r.end_week) for r in rows}
    if len(ends) > 1:
        cells[4] = "\n".join(f"{r.child.id}: {fmt(r.proceedings.end)} (week {r.end_week})" for r in rows)
    worst_row = min(rows, key=lambda r: r.proceedings.end)
    cells[8] = rag_cell(worst_row.rag, worst_row.state)
    return cells


def _open_cells(r: OpenProceedingsRow) -> list[Cell]:
    p = r.proceedings
    extensions = _extension_text(p)
    end = f"{fmt(p.end)}\n(week {r.end_week}{', extended' if p.extensions else ''})"
    last = _hearing(p.hearings[-1]) if p.hearings else "none"
    upcoming = _hearing(p.listed[0]) if p.listed else "none listed"
    return [
        child_cell(r.child.id, r.child.name),
        "\n".join(x for x in (p.case_number or "no case number", p.court or "") if x),
        fmt(p.issued),
        f"{r.week} of 26",
        end,
        extensions or "none",
        last,
        upcoming,
        rag_cell(r.rag, r.state),
    ]


def story(data: CourtData) -> list[Flowable]:
    m = data.measures
    out: list[Flowable] = [
        title(TITLE),
        para(
            f"Proceedings open at {fmt(data.as_of)}: {plural(len(data.open), 'child', 'children')} in "
            f"{plural(len(by_case(data.open)), 'case')} (siblings in one case share a row). The week is counted with the issue day as "
            "day 1 of week 1; the end date is 26 weeks from issue, or the latest extension's new end. "
            f"The local standard for issue is {data.standard_wd} working days after the decision to issue."
        ),
        *heading("Measures M3 and M4"),
        *measures_table([line for line in measure_lines(m) if line.id in ("M3", "M4")]),
        *heading(f"Open proceedings at {fmt(data.as_of)}"),
        *table(
            OPEN_COLUMNS, [_case_cells(case) for case in by_case(data.open)], empty="No proceedings are open."
        ),
        *heading("Decision to issue, documents to legal, issue"),
        para(
            f"Decisions awaiting issue, and the steps before issue of the proceedings issued in {data.period.label}."
        ),
        *table(
            ISSUE_COLUMNS,
            [
                [
                    child_cell(r.child.id, r.child.name),
                    fmt(r.decision),
                    fmt(r.documents) or "not yet",
                    _count(r.decision_to_documents),
                    fmt(r.issued) or "not yet",
                    _count(r.documents_to_issue),
                    _count(r.decision_to_issue),
                    r.state,
                    rag_cell(r.rag),
                ]
                for r in data.issues
            ],
            empty="No decision to issue is recorded for these proceedings.",
        ),
        *heading(f"Proceedings concluded in {data.period.label}"),
        para(
            f"Final orders: {len(data.concluded)}; {m.m4_within_26.text} within 26 weeks "
            f"({m.m4_within_26.counts}), {m.m4_within_end.text} within the timetable as extended; "
            f"mean {_weeks(m.m4_mean_weeks)}, median {_weeks(m.m4_median_weeks)}."
        ),
        *table(
            CONCLUDED_COLUMNS,
            [
                [
                    child_cell(child.id, child.name),
                    p.case_number or "",
                    fmt(p.issued),
                    fmt(p.final_order),
                    label("order", p.order, "not recorded"),
                    f"{p.duration_weeks:.1f}" if p.duration_weeks is not None else "",
                    str(len(p.extensions)),
                    yes_no(p.within_26_weeks),
                    yes_no(p.within_end),
                ]
                for child, p in data.concluded
            ],
            empty="No proceedings concluded in the period.",
        ),
    ]
    return out


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _weeks(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f} weeks"


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    return story(gather(caseload, request.period))
