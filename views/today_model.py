"""The Today page's tree model: one group per stage, and under it the deadlines to act on.

Top-level rows are stages (only those with something overdue or due soon); their children are
`AttentionItem`s, overdue first then by due date, as `models.screens.overview` orders them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from models.domain.journey import Stage
from models.domain.rules import Status
from models.screens.overview import AttentionItem
from views.labels import RAG_COLOURS, STAGE_TITLES, fmt_date

STATUS, CHILD, CHILD_ID, DEADLINE, DUE, WHEN = range(6)

HEADERS: Final = {
    STATUS: "Status",
    CHILD: "Child",
    CHILD_ID: "ID",
    DEADLINE: "Deadline",
    DUE: "Due",
    WHEN: "How late",
}

SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2

STATUS_WORDS: Final = {Status.OVERDUE: "OVERDUE", Status.DUE_SOON: "DUE SOON"}

_GROUP: Final = 0  # internal id of a group row; an item row holds its group's row + 1

_Index = QModelIndex | QPersistentModelIndex


def group_title(stage: Stage, items: Sequence[AttentionItem]) -> str:
    overdue = sum(1 for i in items if i.status is Status.OVERDUE)
    due_soon = len(items) - overdue
    return f"{STAGE_TITLES[stage]} — {overdue:,} overdue, {due_soon:,} due soon"


class TodayModel(QAbstractItemModel):
    """Overdue and due-soon deadlines grouped by stage."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[Stage, list[AttentionItem]]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_items(self, items: Sequence[AttentionItem]) -> None:
        """Replace every line; `items` come ordered by stage, overdue first, then due date."""
        by_stage: dict[Stage, list[AttentionItem]] = {}
        for item in items:
            by_stage.setdefault(item.stage, []).append(item)
        self.beginResetModel()
        self._groups = [(stage, by_stage[stage]) for stage in Stage if stage in by_stage]
        self.endResetModel()

    def group_count(self) -> int:
        return len(self._groups)

    def item_count(self) -> int:
        return sum(len(items) for _, items in self._groups)

    def item(self, index: _Index) -> AttentionItem | None:
        """The deadline at an index, or None for a group row."""
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        return self._groups[index.internalId() - 1][1][index.row()]

    # --- Qt model -----------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            return self._group_data(index, role)
        item = self._groups[index.internalId() - 1][1][index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == ID_ROLE:
            return item.child_id
        if role == SORT_ROLE:
            return self._sort_value(item, column)
        if column == STATUS:
            if role == Qt.ItemDataRole.BackgroundRole:
                return RAG_COLOURS[item.rag][0]
            if role == Qt.ItemDataRole.ForegroundRole:
                return RAG_COLOURS[item.rag][1]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (DEADLINE, WHEN):
            extra = f" (escalation {item.ref})" if item.ref else ""
            return f"{item.title}{extra}: due {fmt_date(item.due)}, {item.when}"
        return None

    def _group_data(self, index: _Index, role: int) -> Any:
        stage, items = self._groups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
            return group_title(stage, items)
        if role == Qt.ItemDataRole.FontRole and index.column() == 0:
            return self._bold
        return None

    @staticmethod
    def _sort_value(item: AttentionItem, column: int) -> Any:
        if column == STATUS:
            return item.status.value
        if column == CHILD:
            return item.child_name
        if column == CHILD_ID:
            return item.child_id
        if column == DEADLINE:
            return item.title
        if column == DUE:
            return item.due
        return item.days

    @staticmethod
    def _display(item: AttentionItem, column: int) -> str:
        if column == STATUS:
            return STATUS_WORDS.get(item.status, item.status.value)
        if column == CHILD:
            return item.child_name
        if column == CHILD_ID:
            return item.child_id
        if column == DEADLINE:
            return item.title + (f" ({item.ref})" if item.ref else "")
        if column == DUE:
            return fmt_date(item.due)
        if column == WHEN:
            return item.when
        return ""
