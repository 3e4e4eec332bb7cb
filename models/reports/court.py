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
from models.screens.court_view import (
    STATUTORY_WEEKS,
    ConcludedRow,
    CourtRow,
    HearingMark,
    PendingIssueRow,
    court_view,
)
from models.screens.facts import Caseload
from models.screens.measures import Measures, compute_measures, measure_lines
from models.screens.words import deadline_of

TITLE: Final = "Court tracker"


@dataclass(frozen=True, slots=True)
class IssueRow:
    """The steps before issue: decision, documents to legal, issue (None while awaited)."""

    child_id: str
    name: str
    decision: date
    documents: date | None
    issued: date | None
    decision_to_documents: int | None
    documents_to_issue: int | None
    decision_to_issue: int | None
    state: str
    rag: Rag | None

    @classmethod
    def awaiting(cls, row: PendingIssueRow) -> IssueRow:
        """A decision awaiting issue, from the court page's row."""
        state = f"awaiting issue: {row.state}" if row.deadline is not None else "awaiting issue"
        return cls(
            row.child_id,
            row.name,
            row.decision,
            row.documents,
            None,
            row.decision_to_documents,
            None,
            None,
            state,
            row.rag,
        )


@dataclass(frozen=True)
class CourtData:
    """The court tracker: the court page's rows (`models.screens.court_view`) for the open,
    awaiting and concluded proceedings, so that the page and its report cannot disagree."""

    period: Period
    as_of: date
    standard_wd: int
    measures: Measures
    open: tuple[CourtRow, ...]
    issues: tuple[IssueRow, ...]
    concluded: tuple[ConcludedRow, ...]


def gather(caseload: Caseload, period: Period) -> CourtData:
    view = court_view(caseload)
    wd = caseload.calendar.working_days_between
    issues = [IssueRow.awaiting(r) for r in view.pending]
    # The steps before issue of the proceedings issued in the period (the page shows none of these).
    for facts in caseload.all_facts():
        child = facts.child
        for p in facts.proceedings:
            if p.decision is not None and period.contains(p.issued):
                clock = deadline_of(caseload.deadlines_of(child.id), "court.issue_after_decision", p.decision)
                docs = p.documents
                issues.append(
                    IssueRow(
                        child.id,
                        child.name,
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
    issues.sort(key=lambda r: (r.issued is not None, r.decision, r.child_id))
    return CourtData(
        period,
        view.as_of,
        view.standard_wd,
        compute_measures(caseload, period),
        tuple(sorted(view.open, key=lambda r: (r.end, r.child_id))),
        tuple(issues),
        tuple(view.concluded_between(period.start, period.end)),
    )


def _issue_state(clock: Deadline | None) -> str:
    if clock is None:
        return ""
    if clock.status is Status.MET:
        return "within the standard"
    return f"{clock.late_by} WD over the standard"


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


def _hearing(h: HearingMark) -> str:
    return f"{fmt(h.date)} {HEARING_SHORT.get(h.kind or '', 'Hearing')}"


def case_key(r: CourtRow) -> tuple[str, ...]:
    """Children in one case: the same case number, or (without one) the same issue day and sibling group."""
    if r.case_number:
        return ("case", r.case_number)
    return ("issued", r.issued.isoformat(), r.sibling_group or r.child_id)


def by_case(rows: Sequence[CourtRow]) -> list[list[CourtRow]]:
    """Open proceedings one case to a row, siblings together, in the order of each case's first row."""
    groups: dict[tuple[str, ...], list[CourtRow]] = {}
    for r in rows:
        groups.setdefault(case_key(r), []).append(r)
    return list(groups.values())


def _extension_text(r: CourtRow) -> str:
    return "\n".join(
        f"{fmt(e.granted)}: to {fmt(e.until)}, {label('reason', e.reason, 'no reason recorded').lower()}"
        for e in r.extensions
    )


def _case_cells(rows: Sequence[CourtRow]) -> list[Cell]:
    """One case: its children listed together; what they share said once, what differs per child."""
    first = rows[0]
    if len(rows) == 1:
        return _open_cells(first)
    cells = _open_cells(first)
    cells[0] = "\n".join(child_cell(r.child_id, r.name).replace("\n", " ") for r in rows)
    texts = [_extension_text(r) or "none" for r in rows]
    if len(set(texts)) > 1:
        cells[5] = "\n".join(f"{r.child_id}: {t}" for r, t in zip(rows, texts, strict=True))
    ends = {(r.end, r.end_week) for r in rows}
    if len(ends) > 1:
        cells[4] = "\n".join(f"{r.child_id}: {fmt(r.end)} (week {r.end_week})" for r in rows)
    worst_row = min(rows, key=lambda r: r.end)
    cells[8] = rag_cell(worst_row.rag, worst_row.state)
    return cells


def _open_cells(r: CourtRow) -> list[Cell]:
    end = f"{fmt(r.end)}\n(week {r.end_week}{', extended' if r.extended else ''})"
    last = _hearing(r.last_hearing) if r.last_hearing is not None else "none"
    upcoming = _hearing(r.next_hearing) if r.next_hearing is not None else "none listed"
    return [
        child_cell(r.child_id, r.name),
        "\n".join(x for x in (r.case_number or "no case number", r.court or "") if x),
        fmt(r.issued),
        f"{r.week} of {STATUTORY_WEEKS}",
        end,
        _extension_text(r) or "none",
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
                    child_cell(r.child_id, r.name),
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
                    child_cell(r.child_id, r.name),
                    r.proceedings.case_number or "",
                    fmt(r.proceedings.issued),
                    fmt(r.proceedings.final_order),
                    label("order", r.proceedings.order, "not recorded"),
                    f"{r.proceedings.duration_weeks:.1f}" if r.proceedings.duration_weeks is not None else "",
                    str(len(r.proceedings.extensions)),
                    yes_no(r.proceedings.within_26_weeks),
                    yes_no(r.proceedings.within_end),
                ]
                for r in data.concluded
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
