"""The escalation register's table model: one escalation (or good practice alert) per row.

Each clock is shown as its due date and its state with the RAG as a word ("Red – overdue 1 WD"),
never colour alone; the tooltip of a clock is the engine's explanation.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from models.domain.engine import Deadline
from models.domain.rules import RAG_ORDER, Rag, Status
from models.screens.drp_view import AlertKind, EscalationRow, StageClock, category_label, no_clock_reason
from views.labels import RAG_WORDS, fmt_date
from views.row_model import RowTableModel

_NO_RAG: Final = len(RAG_ORDER)


def clock_text(deadline: Deadline | None, state: str) -> str:
    """'Red – overdue 1 WD', 'Green – met 14/07/2025', 'Red – met 7 WD late' (the date is in the
    tooltip: the cell stays narrow)."""
    if deadline is None:
        return state
    if deadline.status is Status.MET_LATE:
        state = f"met {deadline.late_by} WD late"
    return f"{RAG_WORDS[deadline.rag]} – {state}"


def stage_clock_text(clock: StageClock) -> str:
    if clock.deadline is None:
        reason = no_clock_reason(clock.stage)
        return reason.split(":")[0] + ": no clock" if reason else clock.state.capitalize()
    return clock_text(clock.deadline, clock.state)


class EscalationModel(RowTableModel[EscalationRow]):
    """The register's rows in the order given (newest raised first) or sorted by a column."""

    REF, CHILD, RAISED, RAISER, CATEGORY, STAGE, STAGE_DUE, STAGE_CLOCK, TOTAL_DUE, TOTAL_CLOCK = range(10)
    RESOLVED, OUTCOME = range(10, 12)
    HEADERS: ClassVar[dict[int, str]] = {
        REF: "Ref",
        CHILD: "Child",
        RAISED: "Raised",
        RAISER: "Raised by (role)",
        CATEGORY: "Category",
        STAGE: "Current stage",
        STAGE_DUE: "Stage due",
        STAGE_CLOCK: "Stage clock",
        TOTAL_DUE: "20 WD due",
        TOTAL_CLOCK: "20 WD clock",
        RESOLVED: "Resolved",
        OUTCOME: "Outcome",
    }

    def row_id(self, row: EscalationRow) -> str:
        return row.child_id

    def display(self, row: EscalationRow, column: int) -> str:
        e = row.escalation
        good = row.kind is AlertKind.GOOD_PRACTICE
        if column == self.REF:
            return e.ref
        if column == self.CHILD:
            return f"{row.child_name} ({row.child_id})" if row.child_name != row.child_id else row.child_id
        if column == self.RAISED:
            return fmt_date(e.raised)
        if column == self.RAISER:
            return row.raiser
        if column == self.CATEGORY:
            return category_label(e.category) or "not recorded"
        if column == self.STAGE:
            if good:
                return (
                    "Good practice alert"
                    if row.current.stage == 0
                    else f"{row.current.label} (good practice)"
                )
            return row.current.label
        if column == self.STAGE_DUE:
            d = row.current.deadline
            return fmt_date(d.due) if d is not None else "—"
        if column == self.STAGE_CLOCK:
            return "No clock" if good and row.current.deadline is None else stage_clock_text(row.current)
        if column == self.TOTAL_DUE:
            return fmt_date(row.resolution.due) if row.resolution is not None else "—"
        if column == self.TOTAL_CLOCK:
            if row.resolution is None:
                return "No clock" if good else "None yet (informal)"
            return clock_text(row.resolution, row.resolution_state)
        if column == self.RESOLVED:
            if e.resolved is None:
                return "not acknowledged" if good else "open"
            return fmt_date(e.resolved) + (f" ({row.working_days} WD)" if not good else "")
        if column == self.OUTCOME:
            return e.outcome or ""
        return ""

    def sort_value(self, row: EscalationRow, column: int) -> Any:
        e = row.escalation
        if column == self.REF:
            return (e.ref, e.raised)
        if column == self.CHILD:
            return (row.child_name.lower(), row.child_id, e.raised)
        if column == self.RAISED:
            return (e.raised, e.ref)
        if column == self.RAISER:
            return (row.raiser.lower(), e.raised) if row.raiser else None
        if column == self.CATEGORY:
            return (category_label(e.category), e.raised) if e.category else None
        if column == self.STAGE:
            return (row.kind is AlertKind.GOOD_PRACTICE, row.current.stage, e.raised)
        if column == self.STAGE_DUE:
            d = row.current.deadline
            return (d.due, e.ref) if d is not None else None
        if column == self.STAGE_CLOCK:
            d = row.current.deadline
            return (RAG_ORDER[d.rag], -d.late_by, d.due) if d is not None else None
        if column == self.TOTAL_DUE:
            return (row.resolution.due, e.ref) if row.resolution is not None else None
        if column == self.TOTAL_CLOCK:
            d = row.resolution
            return (RAG_ORDER[d.rag], -d.late_by, d.due) if d is not None else None
        if column == self.RESOLVED:
            return (e.resolved, e.ref) if e.resolved is not None else None
        if column == self.OUTCOME:
            return e.outcome.lower() if e.outcome else None
        raise IndexError(column)

    def rag(self, row: EscalationRow, column: int) -> Rag | None:
        if column == self.STAGE_CLOCK and row.current.deadline is not None:
            return row.current.deadline.rag
        if column == self.TOTAL_CLOCK and row.resolution is not None:
            return row.resolution.rag
        return None

    def tooltip(self, row: EscalationRow, column: int) -> str | None:
        if column in (self.STAGE_DUE, self.STAGE_CLOCK, self.STAGE):
            return row.current.explanation
        if column in (self.TOTAL_DUE, self.TOTAL_CLOCK):
            if row.resolution is not None:
                return row.resolution.explanation
            return "The 20-working-day clock runs from the first formal stage (1 to 4); none was reached."
        if column == self.OUTCOME and row.escalation.outcome:
            return row.escalation.outcome
        if column == self.CHILD:
            return f"Team: {row.team or 'not recorded'}"
        return None
