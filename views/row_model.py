"""A table model over a list of plain read rows, sorted in Python: the pattern of `register_model`,
shared by the court page and the escalation register.

A subclass names its columns (`HEADERS`) and says, per row and column, what is shown
(`display`), what it sorts by (`sort_value`, a native value; None sorts last), its RAG if the cell
is one, its tooltip and alignment. `data()` formats; it decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Final, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from models.domain.rules import Rag
from views.labels import RAG_COLOURS

#: The native value a column sorts by.
SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
#: The child's id, whatever the column.
ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2
#: The plain row itself (for delegates and details panes).
ROW_ROLE: Final = Qt.ItemDataRole.UserRole + 3

R = TypeVar("R")

_Index = QModelIndex | QPersistentModelIndex

RIGHT: Final = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class ListTableModel(QAbstractTableModel, Generic[R]):
    """The structure every table of plain rows shares: `_rows` shown in order, `HEADERS` by column.

    Subclasses fill `_rows` (inside a model reset) and answer `data()`.
    """

    HEADERS: ClassVar[Mapping[int, str]] = {}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS.get(section)
        return None


class RowTableModel(ListTableModel[R]):
    """Plain rows in the order given (`set_rows`), or sorted in Python by a clicked column."""

    #: Columns aligned right (numbers).
    RIGHT_ALIGNED: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._given: list[R] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    # --- for subclasses -----------------------------------------------------------------------

    def display(self, row: R, column: int) -> str:
        raise NotImplementedError

    def sort_value(self, row: R, column: int) -> Any:
        raise NotImplementedError

    def row_id(self, row: R) -> str:
        raise NotImplementedError

    def rag(self, row: R, column: int) -> Rag | None:
        return None

    def tooltip(self, row: R, column: int) -> str | None:
        return None

    # --- data in ------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[R]) -> None:
        """Replace every row (keeping a sort chosen by the user)."""
        self.beginResetModel()
        self._given = list(rows)
        self._rows = self._sorted(self._given)
        self.endResetModel()

    def rows(self) -> Sequence[R]:
        return self._rows

    def find(self, match: Callable[[R], bool]) -> int:
        """The first visible row that matches, or -1."""
        for i, r in enumerate(self._rows):
            if match(r):
                return i
        return -1

    def ids(self) -> list[str]:
        return [self.row_id(r) for r in self._rows]

    # --- Qt model -----------------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == ID_ROLE:
            return self.row_id(row)
        if role == SORT_ROLE:
            return self.sort_value(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            rag = self.rag(row, column)
            if rag is None:
                return None
            background, text = RAG_COLOURS[rag]
            return background if role == Qt.ItemDataRole.BackgroundRole else text
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT_ALIGNED:
            return RIGHT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python (no proxy model): rows with nothing to sort by stay at the bottom.

        Column -1 puts back the order the rows were given in.
        """
        if column >= len(self.HEADERS) or (column, order) == (self._sort_column, self._sort_order):
            return  # the view asks twice for one click
        self.beginResetModel()
        self._sort_column, self._sort_order = column, order
        self._rows = self._sorted(self._given)
        self.endResetModel()

    def _sorted(self, rows: list[R]) -> list[R]:
        column = self._sort_column
        if column < 0:
            return list(rows)
        keyed = [(self.sort_value(r, column), r) for r in rows]
        filled = [pair for pair in keyed if pair[0] is not None and pair[0] != ""]
        empty = [pair[1] for pair in keyed if pair[0] is None or pair[0] == ""]
        filled.sort(key=lambda pair: pair[0], reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return [pair[1] for pair in filled] + empty
