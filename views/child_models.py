"""The child page's two tables: the chronology and the deadlines, each sorted in Python.

Rows come in ready-made (`models.screens.child_view.ChronologyRow`, `models.domain.engine.Deadline`); `data()` only
formats them. A child has tens to hundreds of rows, so a Python sort is instant and no proxy model
is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from models.domain.engine import Deadline
from models.domain.rules import RAG_ORDER, RULES, Status, Unit
from models.screens.child_view import ChronologyRow
from views.labels import RAG_COLOURS, RAG_WORDS, STAGE_SHORT, STAGE_TITLES, fmt_date

#: The native value each column sorts by.
SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
#: The row's id: the event id (chronology) or the rule id (deadlines).
ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole

STATUS_WORDS: Final = {
    Status.MET: "Met",
    Status.MET_LATE: "Met late",
    Status.OVERDUE: "Overdue",
    Status.DUE_SOON: "Due soon",
    Status.PENDING: "Pending",
}
#: Most urgent first, for sorting by status.
_STATUS_ORDER: Final = {
    Status.OVERDUE: 0,
    Status.DUE_SOON: 1,
    Status.MET_LATE: 2,
    Status.PENDING: 3,
    Status.MET: 4,
}

_NOT_COUNTED_COLOUR: Final = QColor("#6b6b6b")


class _PythonSortedModel(QAbstractTableModel):
    """A table of plain rows with headers, a sort role and one `set_rows`."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Replace every row (keeping the sort the user chose, if any)."""
        self.beginResetModel()
        self._rows = list(rows)
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.headers):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [(self._rows[i.row()], i.column()) for i in persistent]
        self._sort = (column, order)
        self._sort_rows(column, order)
        position = {id(row): n for n, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            persistent, [self.index(position[id(row)], col) for row, col in before]
        )
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        key = self.sort_key(column)
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    def sort_key(self, column: int) -> Callable[[Any], Any]:
        raise NotImplementedError


# --- Chronology -------------------------------------------------------------------------------

DATE, STAGE, EVENT, DETAILS, RECORDED_BY = range(5)


class ChronologyModel(_PythonSortedModel):
    """A child's events (newest first as given); events after the as-of date are shown greyed."""

    headers = ("Date", "Stage", "Event", "Details", "Recorded by")

    def row_at(self, row: int) -> ChronologyRow:
        value: ChronologyRow = self._rows[row]
        return value

    def row_of(self, event_id: str) -> int:
        """The row of an event, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.event.id == event_id), -1)

    def sort_key(self, column: int) -> Callable[[Any], Any]:
        def key(row: ChronologyRow) -> Any:
            return (_chronology_sort_value(row, column), row.event.date)

        return key

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: ChronologyRow = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return _chronology_display(row, column)
        if role == SORT_ROLE:
            return _chronology_sort_value(row, column)
        if role == ID_ROLE:
            return row.event.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return _chronology_tip(row, column)
        if not row.counted:
            if role == Qt.ItemDataRole.ForegroundRole:
                return _NOT_COUNTED_COLOUR
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
        return None


def _chronology_display(row: ChronologyRow, column: int) -> str:
    if column == DATE:
        return fmt_date(row.event.date)
    if column == STAGE:
        return STAGE_SHORT[row.stage]
    if column == EVENT:
        return row.label
    if column == DETAILS:
        return row.summary
    if column == RECORDED_BY:
        return row.event.recorded_by or ""
    return ""


def _chronology_sort_value(row: ChronologyRow, column: int) -> Any:
    if column == DATE:
        return row.event.date
    if column == STAGE:
        return list(STAGE_SHORT).index(row.stage)
    return _chronology_display(row, column).lower()


def _chronology_tip(row: ChronologyRow, column: int) -> str | None:
    parts = []
    if column == STAGE:
        parts.append(STAGE_TITLES[row.stage])
    if column == DETAILS and row.summary:
        parts.append(row.summary)
    if column == DETAILS and row.event.note:
        parts.append(f"Note: {row.event.note}")
    if not row.counted:
        parts.append("Dated after the as-of date: not counted in the deadlines yet.")
    return "\n".join(parts) or None


# --- Deadlines --------------------------------------------------------------------------------

RULE, RULE_ID, TRIGGER, DUE, DONE, STATUS, RAG, LATE_BY, EXPLANATION = range(9)


def late_by_text(deadline: Deadline) -> str:
    """'81 days', '2 working days', or empty when not late."""
    if not deadline.late_by:
        return ""
    unit = "working day" if RULES[deadline.rule].unit is Unit.WORKING_DAYS else "day"
    return f"{deadline.late_by} {unit}{'s' if deadline.late_by != 1 else ''}"


class DeadlineModel(_PythonSortedModel):
    """A child's deadlines at an as-of date (due-date order as the engine gives them)."""

    headers = ("Rule", "Rule ID", "Trigger", "Due", "Done", "Status", "RAG", "Late by", "Explanation")

    def row_at(self, row: int) -> Deadline:
        value: Deadline = self._rows[row]
        return value

    def sort_key(self, column: int) -> Callable[[Any], Any]:
        def key(row: Deadline) -> Any:
            value = _deadline_sort_value(row, column)
            # Empty dates (not done) sort after every date.
            return (value is None, value if value is not None else 0, row.due)

        return key

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: Deadline = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return _deadline_display(row, column)
        if role == SORT_ROLE:
            return _deadline_sort_value(row, column)
        if role == ID_ROLE:
            return row.rule
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (RULE, RULE_ID):
                return f"{RULES[row.rule].title} ({row.rule})\nBasis: {RULES[row.rule].basis}"
            return row.explanation
        if column == RAG and role == Qt.ItemDataRole.BackgroundRole:
            return RAG_COLOURS[row.rag][0]
        if column in (RAG, STATUS) and role == Qt.ItemDataRole.ForegroundRole:
            return RAG_COLOURS[row.rag][1]
        if column == LATE_BY and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column in (RAG, STATUS) and role == Qt.ItemDataRole.FontRole and row.status is Status.OVERDUE:
            font = QFont()
            font.setBold(True)
            return font
        return None


def _deadline_display(row: Deadline, column: int) -> str:
    if column == RULE:
        title = RULES[row.rule].title
        return f"{title} – {row.ref}" if row.ref else title
    if column == RULE_ID:
        return row.rule
    if column == TRIGGER:
        return fmt_date(row.trigger)
    if column == DUE:
        return fmt_date(row.due)
    if column == DONE:
        return fmt_date(row.done)
    if column == STATUS:
        return STATUS_WORDS[row.status]
    if column == RAG:
        return RAG_WORDS[row.rag]
    if column == LATE_BY:
        return late_by_text(row)
    if column == EXPLANATION:
        return row.explanation
    return ""


def _deadline_sort_value(row: Deadline, column: int) -> Any:
    if column == TRIGGER:
        return row.trigger
    if column == DUE:
        return row.due
    if column == DONE:
        return row.done
    if column == STATUS:
        return _STATUS_ORDER[row.status]
    if column == RAG:
        return RAG_ORDER[row.rag]
    if column == LATE_BY:
        return row.late_by
    return _deadline_display(row, column).lower()
