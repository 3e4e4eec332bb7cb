"""The Today page: what is overdue and what is due soon, by stage, at the as-of date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QMargins, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from models.domain.journey import Stage
from models.domain.rules import Rag, Status
from models.screens.overview import (
    AttentionItem,
    ChildSummary,
    RegisterFilter,
    attention_counts,
    distinct_values,
    filter_attention,
)
from views import today_model as tm
from views.filter_combos import any_combo, refill
from views.flow_layout import FlowLayout
from views.labels import RAG_COLOURS, STAGE_TITLES, fmt_long_date
from views.table_actions import TableActions
from views.why_pane import WhyPane

#: The filters remembered between sessions (keys of `filter_state`).
FILTER_KEYS = ("text", "team", "social_worker", "reviewing_officer")

WORKING_OUT = "Working out deadlines…"
NOTHING_DUE = "Nothing is overdue or due soon at this date."
NOTHING_DUE_FILTERED = "Nothing is overdue or due soon at this date for the filters chosen."
_NOTHING_DUE_STYLE = "color: #0f5132; font-size: 15px; padding: 24px;"
_WORKING_STYLE = "color: #5f6368; font-size: 15px; padding: 24px;"

DEFAULT_WIDTHS = {tm.STATUS: 130, tm.CHILD: 190, tm.CHILD_ID: 120, tm.DEADLINE: 400, tm.DUE: 100}


def _chip_style(rag: Rag) -> str:
    background, text = RAG_COLOURS[rag]
    return (
        f"QLabel {{ background: {background.name()}; color: {text.name()}; border-radius: 4px;"
        " padding: 6px 12px; font-size: 15px; }"
    )


class TodayPage(QWidget):
    """Counts and lists of the open deadlines that need action, grouped by stage.

    A "my caseload" filter (team, social worker, reviewing officer) and a text filter narrow the
    lines and the counts; the reason for the selected line is shown under the list.

    Signals:
        open_child_requested(str): a deadline was activated (double-click or Enter); its child's id.
        filter_changed(): the person changed a filter (the window remembers it for next time).
    """

    open_child_requested = Signal(str)
    filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = tm.TodayModel(self)
        self._items: Sequence[AttentionItem] = ()
        self._children: Sequence[ChildSummary] = ()
        self._as_of = date.today()
        self._complete = False
        self._wanted: dict[str, str | None] = {}

        self.search = QLineEdit(self)
        self.search.setObjectName("todaySearch")
        self.search.setPlaceholderText("Filter by child's name or ID, or deadline")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.team_filter = any_combo(self, "All teams")
        self.worker_filter = any_combo(self, "All social workers")
        self.officer_filter = any_combo(self, "All reviewing officers")
        self.clear_button = QPushButton("Clear filters", self)
        self.shown_label = QLabel(self)
        self.shown_label.setObjectName("todayShown")
        self.why = WhyPane(self)

        self.title = QLabel(self)
        self.title.setObjectName("todayTitle")
        self.overdue_label = QLabel(self)
        self.overdue_label.setObjectName("todayOverdue")
        self.overdue_label.setStyleSheet(_chip_style(Rag.RED))
        self.due_soon_label = QLabel(self)
        self.due_soon_label.setObjectName("todayDueSoon")
        self.due_soon_label.setStyleSheet(_chip_style(Rag.AMBER))

        self.stage_labels: dict[Stage, QLabel] = {}
        stages = QFrame(self)
        stages.setFrameShape(QFrame.Shape.StyledPanel)
        # One line of five stages, or two when the window is narrow.
        flow = FlowLayout(stages, spacing=12, line_spacing=8)
        flow.setContentsMargins(QMargins(9, 9, 9, 9))
        for stage in Stage:
            cell = QWidget(stages)
            lines = QVBoxLayout(cell)
            lines.setContentsMargins(0, 0, 0, 0)
            lines.setSpacing(4)
            name = QLabel(f"<b>{STAGE_TITLES[stage]}</b>", cell)
            count = QLabel(cell)
            self.stage_labels[stage] = count
            lines.addWidget(name)
            lines.addWidget(count)
            flow.add(cell, 1)

        #: "Nothing is overdue…" once the deadlines are worked out and none needs action; until
        #: then "Working out deadlines…": a list still being worked out never claims to be empty.
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("todayEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.tree = QTreeView(self)
        self.tree.setObjectName("todayTree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(14)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in DEFAULT_WIDTHS.items():
            header.resizeSection(column, width)

        counts = QHBoxLayout()
        counts.addWidget(self.overdue_label)
        counts.addWidget(self.due_soon_label)
        counts.addStretch(1)
        counts.addWidget(self.shown_label)
        filters = FlowLayout()
        filters.add(self.search, 2)
        for combo in self._filter_combos():
            filters.add(combo, 1)
        filters.add(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(counts)
        layout.addWidget(stages)
        layout.addLayout(filters)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.why)

        self.tree.activated.connect(self._on_tree_activated)
        open_action = QAction("Open child", self.tree)
        open_action.triggered.connect(self._on_open_action_triggered)
        self.tree.addAction(open_action)
        #: Copy, export and the right-click menu; exports once the main window gives the database.
        self.table_actions = TableActions(
            self.tree, what="today", file_stem="overdue-and-due-soon", group_header="Stage"
        )
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self.search.textChanged.connect(self._on_filter_edited)
        for combo in self._filter_combos():
            combo.currentIndexChanged.connect(self._on_filter_edited)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.set_items((), date.today(), complete=False)  # nothing is known until the first overview

    def _filter_combos(self) -> tuple[QComboBox, ...]:
        return (self.team_filter, self.worker_filter, self.officer_filter)

    # --- the filters ----------------------------------------------------------------------------

    def current_filter(self) -> RegisterFilter:
        """What the lines are narrowed to (the register's filter type: one way to filter children)."""
        return RegisterFilter(
            text=self.search.text(),
            team=self.team_filter.currentData(),
            social_worker=self.worker_filter.currentData(),
            reviewing_officer=self.officer_filter.currentData(),
        )

    def filter_state(self) -> dict[str, str | None]:
        """The filters as plain values, to remember between sessions (`FILTER_KEYS`)."""
        flt = self.current_filter()
        return {key: getattr(flt, key) for key in FILTER_KEYS}

    def set_filter_state(self, state: dict[str, str | None]) -> None:
        """Restore remembered filters; a person not (yet) listed is chosen once the lists hold them."""
        self._wanted = {k: state.get(k) for k in FILTER_KEYS[1:]}
        self.search.blockSignals(True)
        self.search.setText(state.get("text") or "")
        self.search.blockSignals(False)
        for combo, key in zip(self._filter_combos(), FILTER_KEYS[1:], strict=True):
            index = combo.findData(self._wanted[key]) if self._wanted[key] is not None else 0
            if index >= 0:
                combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(False)
        self._show()

    def _on_filter_edited(self, *_args: object) -> None:
        self._wanted = {}
        self._show()
        self.filter_changed.emit()

    def _on_clear_button_clicked(self) -> None:
        self.set_filter_state({})
        self.filter_changed.emit()

    def set_items(
        self,
        items: Sequence[AttentionItem],
        as_of: date,
        *,
        complete: bool = True,
        children: Sequence[ChildSummary] = (),
    ) -> None:
        """Show the open overdue and due-soon deadlines at `as_of` (ordered as the overview orders them).

        With `complete` False the deadlines are still being worked out: say so, not "0 overdue".
        `children` (the overview's rows) are what the caseload filters choose from.
        """
        self._items, self._children, self._as_of, self._complete = items, children, as_of, complete
        values = distinct_values(children)
        for combo, key in zip(self._filter_combos(), FILTER_KEYS[1:], strict=True):
            refill(combo, values[key], self._wanted.get(key))
        self._show()

    def _show(self) -> None:
        items, as_of, complete = self._items, self._as_of, self._complete
        flt = self.current_filter()
        if not flt.is_empty:
            items = filter_attention(items, self._children, flt)
        self.shown_label.setText(
            "" if flt.is_empty or not complete else f"{len(items):,} of {len(self._items):,} lines shown"
        )
        self.model.set_items(items)
        self.why.clear_reason()
        for row in range(self.model.group_count()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        counts = attention_counts(items)
        overdue = sum(n for (_, status), n in counts.items() if status is Status.OVERDUE)
        due_soon = sum(n for (_, status), n in counts.items() if status is Status.DUE_SOON)
        self.title.setText(f"<h2>Overdue and due soon at {fmt_long_date(as_of)}</h2>")
        if not complete:
            self.overdue_label.setText(WORKING_OUT)
            self.due_soon_label.setText("")
            for label in self.stage_labels.values():
                label.setText("…")
            self.empty_label.setText(WORKING_OUT)
            self.empty_label.setStyleSheet(_WORKING_STYLE)
            self.empty_label.setVisible(True)
            self.tree.setVisible(False)
            return
        self.empty_label.setText(NOTHING_DUE if flt.is_empty else NOTHING_DUE_FILTERED)
        self.empty_label.setStyleSheet(_NOTHING_DUE_STYLE)
        self.overdue_label.setText(f"<b>{overdue:,}</b> overdue")
        self.due_soon_label.setText(f"<b>{due_soon:,}</b> due soon")
        for stage, label in self.stage_labels.items():
            label.setText(
                f"{counts[(stage, Status.OVERDUE)]:,} overdue · {counts[(stage, Status.DUE_SOON)]:,} due soon"
            )
        self.empty_label.setVisible(not items)
        self.tree.setVisible(bool(items))

    def _on_open_action_triggered(self) -> None:
        index = self.tree.currentIndex()
        if index.isValid():
            self._on_tree_activated(index)

    def _on_tree_current_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        item = self.model.item(current)
        if item is None:
            self.why.clear_reason()
        else:
            self.why.explain(f"{item.child_name} ({item.child_id})", item.deadline)

    def _on_tree_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        child_id: Any = index.data(tm.ID_ROLE)
        if child_id:
            self.open_child_requested.emit(str(child_id))
