"""The court page's table models: open proceedings (with the week ruler), awaiting issue, concluded.

Each shows plain rows of `models.screens.court_view`; the open proceedings come in the order the court
team reads them (least time left first, a sibling group together), and a click on a header sorts
in Python. Sorting by weeks left keeps a sibling group together too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from models.domain.rules import RAG_ORDER, Rag
from models.screens.child_view import choice_label
from models.screens.court_view import STATUTORY_WEEKS, ConcludedRow, CourtRow, PendingIssueRow
from views.labels import RAG_WORDS, fmt_date
from views.row_model import RowTableModel
from views.week_ruler import HEARING_SHORT_NAMES, ruler_tooltip

_Index = QModelIndex | QPersistentModelIndex

_NO_RAG: Final = len(RAG_ORDER)


def rag_text(rag: Rag | None, state: str) -> str:
    """'Amber – due in 25 days': the RAG as a word, never colour alone."""
    if rag is None:
        return state
    return f"{RAG_WORDS[rag]} – {state}" if state else RAG_WORDS[rag]


def _child_text(child_id: str, name: str, group: str | None) -> str:
    family = f" · family {group}" if group else ""
    return f"{name}\n{child_id}{family}" if name != child_id else f"{child_id}{family}"


def weeks_left_text(row: CourtRow) -> str:
    """'3.6 weeks left', 'ends today', '2.1 weeks over'."""
    if row.days_left == 0:
        return "ends today"
    if row.days_left > 0:
        return f"{row.weeks_left:.1f} weeks left"
    return f"{-row.weeks_left:.1f} weeks over"


class CourtModel(RowTableModel[CourtRow]):
    """Every open proceedings at the as-of date, one child a row."""

    CHILD, CASE, ISSUED, WEEK, RULER, END, LEFT, STATUS, NEXT = range(9)
    HEADERS: ClassVar[dict[int, str]] = {
        CHILD: "Child",
        CASE: "Case number",
        ISSUED: "Issued",
        WEEK: "Week",
        RULER: f"Weeks 1–{STATUTORY_WEEKS} and beyond",
        END: "Projected end",
        LEFT: "Time left",
        STATUS: "RAG",
        NEXT: "Next hearing",
    }
    RIGHT_ALIGNED: ClassVar[frozenset[int]] = frozenset({WEEK, LEFT})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._group_first: dict[str, int] = {}

    def set_rows(self, rows: Sequence[CourtRow]) -> None:
        self._group_first = {}
        for row in rows:
            best = self._group_first.get(row.group)
            if best is None or row.days_left < best:
                self._group_first[row.group] = row.days_left
        super().set_rows(rows)

    def row_id(self, row: CourtRow) -> str:
        return row.child_id

    def follows_sibling(self, index: int) -> bool:
        """The row continues the sibling group of the row above it."""
        return 0 < index < len(self.rows()) and self.rows()[index - 1].group == self.rows()[index].group

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = super().data(index, role)
        if (
            role == Qt.ItemDataRole.DisplayRole
            and index.column() == self.CHILD
            and self.follows_sibling(index.row())
        ):
            return "↳ " + str(value)  # the sibling group continues
        return value

    def display(self, row: CourtRow, column: int) -> str:
        if column == self.CHILD:
            return _child_text(row.child_id, row.name, row.sibling_group)
        if column == self.CASE:
            return "\n".join(x for x in (row.case_number or "no case number", row.court or "") if x)
        if column == self.ISSUED:
            return fmt_date(row.issued)
        if column == self.WEEK:
            return f"{row.week} of {STATUTORY_WEEKS}"
        if column == self.END:
            return (
                f"{fmt_date(row.end)}\nextended, week {row.end_week}"
                if row.extended
                else f"{fmt_date(row.end)}\nweek {row.end_week}"
            )
        if column == self.LEFT:
            return weeks_left_text(row)
        if column == self.STATUS:
            return rag_text(row.rag, row.state)
        if column == self.NEXT:
            h = row.next_hearing
            return (
                f"{fmt_date(h.date)}\n{HEARING_SHORT_NAMES.get(h.kind or '', 'hearing')}"
                if h
                else "none listed"
            )
        return ""

    def sort_value(self, row: CourtRow, column: int) -> Any:
        if column == self.CHILD:
            return (row.name.lower(), row.child_id)
        if column == self.CASE:
            return row.case_number
        if column == self.ISSUED:
            return (row.issued, row.child_id)
        if column in (self.WEEK, self.RULER):
            return (row.week, row.child_id)
        if column == self.END:
            return (row.end, row.child_id)
        if column == self.LEFT:
            return (self._group_first.get(row.group, row.days_left), row.group, row.days_left, row.child_id)
        if column == self.STATUS:
            return (RAG_ORDER[row.rag] if row.rag else _NO_RAG, row.days_left, row.child_id)
        if column == self.NEXT:
            h = row.next_hearing
            return (h.date, row.child_id) if h else None
        raise IndexError(column)

    def rag(self, row: CourtRow, column: int) -> Rag | None:
        return row.rag if column == self.STATUS else None

    def tooltip(self, row: CourtRow, column: int) -> str | None:
        if column == self.RULER:
            return ruler_tooltip(row)
        if column == self.STATUS:
            return row.explanation
        if column == self.CHILD:
            return f"{row.name} ({row.child_id}); team: {row.team or 'not recorded'}" + (
                f"; sibling group {row.sibling_group}" if row.sibling_group else ""
            )
        if column == self.END and row.extensions:
            latest = row.extensions[-1]
            reason = choice_label("reason", latest.reason) if latest.reason else "no reason recorded"
            return f"26 weeks end {fmt_date(row.statutory_end)}; extended on {fmt_date(latest.granted)}: {reason}"
        return None


class PendingIssueModel(RowTableModel[PendingIssueRow]):
    """Decisions to issue not yet followed by an issue: the steps in working days."""

    CHILD, DECISION, DOCUMENTS, TO_DOCUMENTS, WAITING, DUE, STATUS = range(7)
    HEADERS: ClassVar[dict[int, str]] = {
        CHILD: "Child",
        DECISION: "Decision to issue",
        DOCUMENTS: "Documents to legal",
        TO_DOCUMENTS: "Decision to documents (WD)",
        WAITING: "Since the decision (WD)",
        DUE: "Issue due by",
        STATUS: "Against the standard",
    }
    RIGHT_ALIGNED: ClassVar[frozenset[int]] = frozenset({TO_DOCUMENTS, WAITING})

    def row_id(self, row: PendingIssueRow) -> str:
        return row.child_id

    def display(self, row: PendingIssueRow, column: int) -> str:
        if column == self.CHILD:
            return _child_text(row.child_id, row.name, row.sibling_group)
        if column == self.DECISION:
            return fmt_date(row.decision)
        if column == self.DOCUMENTS:
            return fmt_date(row.documents) or "not yet"
        if column == self.TO_DOCUMENTS:
            return "" if row.decision_to_documents is None else str(row.decision_to_documents)
        if column == self.WAITING:
            return str(row.waiting)
        if column == self.DUE:
            return f"{fmt_date(row.due)}\n{row.standard} WD standard"
        if column == self.STATUS:
            return rag_text(row.rag, row.state)
        return ""

    def sort_value(self, row: PendingIssueRow, column: int) -> Any:
        if column == self.CHILD:
            return (row.name.lower(), row.child_id)
        if column == self.DECISION:
            return (row.decision, row.child_id)
        if column == self.DOCUMENTS:
            return (row.documents, row.child_id) if row.documents else None
        if column == self.TO_DOCUMENTS:
            return row.decision_to_documents
        if column == self.WAITING:
            return row.waiting
        if column == self.DUE:
            return row.due
        if column == self.STATUS:
            return (RAG_ORDER[row.rag] if row.rag else _NO_RAG, row.decision, row.child_id)
        raise IndexError(column)

    def rag(self, row: PendingIssueRow, column: int) -> Rag | None:
        return row.rag if column == self.STATUS else None

    def tooltip(self, row: PendingIssueRow, column: int) -> str | None:
        return row.explanation if column == self.STATUS else None


class ConcludedModel(RowTableModel[ConcludedRow]):
    """Proceedings concluded in the chosen period, with their durations in weeks."""

    CHILD, CASE, ISSUED, FINAL, ORDER, WEEKS, EXTENSIONS, WITHIN_26, WITHIN_END = range(9)
    HEADERS: ClassVar[dict[int, str]] = {
        CHILD: "Child",
        CASE: "Case number",
        ISSUED: "Issued",
        FINAL: "Final order",
        ORDER: "Order",
        WEEKS: "Weeks",
        EXTENSIONS: "Extensions",
        WITHIN_26: "Within 26 weeks",
        WITHIN_END: "Within the extended end",
    }
    RIGHT_ALIGNED: ClassVar[frozenset[int]] = frozenset({WEEKS, EXTENSIONS})

    def row_id(self, row: ConcludedRow) -> str:
        return row.child_id

    def display(self, row: ConcludedRow, column: int) -> str:
        p = row.proceedings
        if column == self.CHILD:
            return _child_text(row.child_id, row.name, row.sibling_group)
        if column == self.CASE:
            return p.case_number or ""
        if column == self.ISSUED:
            return fmt_date(p.issued)
        if column == self.FINAL:
            return fmt_date(row.final_order)
        if column == self.ORDER:
            return choice_label("order", p.order) if p.order else "not recorded"
        if column == self.WEEKS:
            return f"{row.duration_weeks:.1f}"
        if column == self.EXTENSIONS:
            return str(len(p.extensions))
        if column == self.WITHIN_26:
            return "Yes" if p.within_26_weeks else "No"
        if column == self.WITHIN_END:
            return "Yes" if p.within_end else "No"
        return ""

    def sort_value(self, row: ConcludedRow, column: int) -> Any:
        p = row.proceedings
        if column == self.CHILD:
            return (row.name.lower(), row.child_id)
        if column == self.CASE:
            return p.case_number
        if column == self.ISSUED:
            return (p.issued, row.child_id)
        if column == self.FINAL:
            return (row.final_order, row.child_id)
        if column == self.ORDER:
            return p.order
        if column == self.WEEKS:
            return row.duration_weeks
        if column == self.EXTENSIONS:
            return len(p.extensions)
        if column == self.WITHIN_26:
            return (bool(p.within_26_weeks), row.child_id)
        if column == self.WITHIN_END:
            return (bool(p.within_end), row.child_id)
        raise IndexError(column)

    def rag(self, row: ConcludedRow, column: int) -> Rag | None:
        if column == self.WITHIN_26:
            return Rag.GREEN if row.proceedings.within_26_weeks else Rag.RED
        if column == self.WITHIN_END:
            return Rag.GREEN if row.proceedings.within_end else Rag.RED
        return None
