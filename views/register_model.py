"""The children register's table model: one `ChildSummary` per row, sorted and filtered in Python.

Fifty thousand rows are sorted with `list.sort` and filtered with one pass over precomputed
haystacks (`models.screens.overview.filter_rows`); no `QSortFilterProxyModel` sits in front of it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Final, cast

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from models.domain.rules import RAG_ORDER, RULES
from models.screens.overview import ChildSummary, RegisterFilter, filter_rows
from views.labels import RAG_COLOURS, RAG_WORDS, STAGE_SHORT, fmt_date
from views.row_model import ListTableModel

ID, NAME, AGE, RAG, NEXT_DUE, NEXT_RULE, STAGES, TEAM, WORKER, OFFICER = range(10)

HEADERS: Final = {
    ID: "ID",
    NAME: "Name",
    AGE: "Age",
    RAG: "Worst RAG",
    NEXT_DUE: "Next due",
    NEXT_RULE: "Next deadline",
    STAGES: "Current stages",
    TEAM: "Team",
    WORKER: "Social worker",
    OFFICER: "Reviewing officer",
}

#: The native value each column sorts by (None sorts last when ascending).
SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
#: The child's id, whatever the column.
ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2

_NO_RAG = len(RAG_ORDER)

#: The columns the engine fills in (blank, and the RAG "Working out…", while they are worked out).
_DEADLINE_COLUMNS: Final = frozenset({RAG, NEXT_DUE, NEXT_RULE})

_Index = QModelIndex | QPersistentModelIndex


def _sort_value(row: ChildSummary, column: int) -> Any:
    if column == ID:
        return row.id
    if column == NAME:
        return row.name.lower()
    if column == AGE:
        return row.age
    if column == TEAM:
        return row.team.lower()
    if column == STAGES:
        return tuple(s.value for s in row.stages)
    if column == WORKER:
        return row.social_worker.lower()
    if column == OFFICER:
        return row.reviewing_officer.lower()
    if column == NEXT_DUE:
        return row.next_due
    if column == NEXT_RULE:
        return RULES[row.next_rule].title if row.next_rule else None
    if column == RAG:
        # Worst first, then the most overdue.
        return (RAG_ORDER[row.worst_rag] if row.worst_rag else _NO_RAG, -row.overdue, -row.due_soon)
    raise IndexError(column)


def _key(row: ChildSummary, column: int) -> tuple[Any, str] | None:
    """The sort key of a row (ties broken by id), or None when it has nothing to sort by."""
    value = _sort_value(row, column)
    if value is None or (isinstance(value, str | tuple) and not value):
        return None
    return (value, row.id)


def rag_text(row: ChildSummary) -> str:
    """'Red – 2 overdue', 'Amber – 1 due soon', 'Green', or a dash when nothing is open."""
    if row.pending:
        return "Working out…"
    if row.worst_rag is None:
        return "—"
    parts = []
    if row.overdue:
        parts.append(f"{row.overdue} overdue")
    if row.due_soon:
        parts.append(f"{row.due_soon} due soon")
    word = RAG_WORDS[row.worst_rag]
    return f"{word} – {', '.join(parts)}" if parts else word


class RegisterModel(ListTableModel[ChildSummary]):
    """Every child's summary; `set_rows` for new data, `set_filter` for what is shown."""

    HEADERS = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[ChildSummary] = []
        self._filter = RegisterFilter()
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._pending = False

    # --- data in ------------------------------------------------------------------------------

    def set_pending(self, pending: bool) -> None:
        """Say the deadline columns are being worked out again (a new as-of date), keeping the rows:
        re-listing fifty thousand children to say so would hold the window for a second."""
        if pending == self._pending:
            return
        self._pending = pending
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))

    @property
    def pending(self) -> bool:
        return self._pending

    def set_rows(self, rows: Sequence[ChildSummary]) -> None:
        """Replace every row (keeping the current sort and filter)."""
        self._pending = False
        self.beginResetModel()
        self._all = list(rows)
        self._apply_sort()
        self._rows = filter_rows(self._all, self._filter)
        self.endResetModel()

    def update_children(self, rows: Sequence[ChildSummary], changed: Collection[str]) -> bool:
        """Take the new summaries of the `changed` children from `rows` in place, one row each (as
        Anki's browser updates the rows an operation changed): the selection, the scroll position
        and the other 50,000 rows stay as they are.

        False, with nothing done, when the change adds or removes a child, moves a row under the
        current sort, or moves it into or out of the filter: the caller then uses `set_rows`.
        """
        if self._pending or len(rows) != len(self._all):
            return False
        new = {r.id: r for r in rows if r.id in changed}
        if len(new) != len(set(changed)):
            return False  # a child added or deleted
        where = {r.id: i for i, r in enumerate(self._all) if r.id in new}
        if len(where) != len(new):
            return False
        for child_id, i in where.items():
            old, row = self._all[i], new[child_id]
            if self._sort_column >= 0 and _key(old, self._sort_column) != _key(row, self._sort_column):
                return False
            if bool(filter_rows([old], self._filter)) != bool(filter_rows([row], self._filter)):
                return False
        for child_id, i in where.items():
            self._all[i] = new[child_id]
            shown = self.row_of(child_id)
            if shown >= 0:
                self._rows[shown] = new[child_id]
                self.dataChanged.emit(self.index(shown, 0), self.index(shown, len(HEADERS) - 1))
        return True

    def set_filter(self, flt: RegisterFilter) -> None:
        if flt == self._filter:
            return
        self.beginResetModel()
        self._filter = flt
        self._rows = filter_rows(self._all, flt)
        self.endResetModel()

    @property
    def filter(self) -> RegisterFilter:
        return self._filter

    @property
    def all_rows(self) -> Sequence[ChildSummary]:
        return self._all

    def total_count(self) -> int:
        return len(self._all)

    def row_of(self, child_id: str) -> int:
        """The visible row of a child, or -1."""
        for i, r in enumerate(self._rows):
            if r.id == child_id:
                return i
        return -1

    # --- Qt model -----------------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if self._pending and column in _DEADLINE_COLUMNS:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Working out…" if column == RAG else ""
            if role not in (ID_ROLE, SORT_ROLE):
                return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == SORT_ROLE:
            return _sort_value(row, column)
        if column == RAG and row.worst_rag is not None:
            if role == Qt.ItemDataRole.BackgroundRole:
                return RAG_COLOURS[row.worst_rag][0]
            if role == Qt.ItemDataRole.ForegroundRole:
                return RAG_COLOURS[row.worst_rag][1]
        if role == Qt.ItemDataRole.ToolTipRole and column == NEXT_RULE and row.next_rule:
            return f"{RULES[row.next_rule].title}, due {fmt_date(row.next_due)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def display(row: ChildSummary, column: int) -> str:
        """The cell's text (pure: the CSV export formats on another thread with it)."""
        if column == ID:
            return row.id
        if column == NAME:
            return row.name
        if column == AGE:
            if row.age is not None:
                return str(row.age)
            return "unborn" if row.unborn else ""
        if column == TEAM:
            return row.team
        if column == STAGES:
            return ", ".join(STAGE_SHORT[s] for s in row.stages)
        if column == WORKER:
            return row.social_worker
        if column == OFFICER:
            return row.reviewing_officer
        if column == NEXT_DUE:
            return fmt_date(row.next_due)
        if column == NEXT_RULE:
            return RULES[row.next_rule].title if row.next_rule else ""
        if column == RAG:
            return rag_text(row)
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort every row in Python (33 ms for 100k rows, where a proxy takes seconds)."""
        if not 0 <= column < len(HEADERS) or (column, order) == (self._sort_column, self._sort_order):
            return  # the view asks twice for one click
        self.beginResetModel()
        self._sort_column, self._sort_order = column, order
        self._apply_sort()
        self._rows = filter_rows(self._all, self._filter)
        self.endResetModel()

    def _apply_sort(self) -> None:
        if self._sort_column < 0:
            return
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        keyed = [(_key(row, self._sort_column), row) for row in self._all]
        # Children with nothing to sort by stay at the bottom either way.
        filled = [pair for pair in keyed if pair[0] is not None]
        empty = [pair[1] for pair in keyed if pair[0] is None]
        filled.sort(key=lambda pair: cast(tuple[Any, str], pair[0]), reverse=descending)
        empty.sort(key=lambda row: row.id)
        self._all = [pair[1] for pair in filled] + empty

    def visible_rows(self) -> list[ChildSummary]:
        """The rows shown, in order: a copy, safe to read on another thread while the page changes."""
        return list(self._rows)

    def visible_ids(self) -> list[str]:
        return [r.id for r in self._rows]
