"""The children register: every child, searchable as you type, filtered, sorted on any column."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.domain.journey import Stage
from models.domain.rules import Rag
from models.screens.overview import NONE, ChildSummary, RegisterFilter, distinct_values
from views import register_model as rm
from views.filter_combos import any_combo, refill
from views.flow_layout import FlowLayout
from views.labels import STAGE_TITLES
from views.table_actions import TableActions
from views.tables import list_table
from views.why_pane import WhyPane

#: Starting widths (pixels) until the user's own are remembered.
DEFAULT_WIDTHS = {
    rm.ID: 110,
    rm.NAME: 150,
    rm.AGE: 50,
    rm.RAG: 170,
    rm.NEXT_DUE: 90,
    rm.NEXT_RULE: 260,
    rm.STAGES: 120,
    rm.TEAM: 160,
    rm.WORKER: 110,
    rm.OFFICER: 110,
}

_RAG_CHOICES = (
    ("Red – overdue", Rag.RED.value),
    ("Amber – due soon", Rag.AMBER.value),
    ("Green – on track", Rag.GREEN.value),
    ("Nothing open", NONE),
)


class RegisterPage(QWidget):
    """The table of every child with its search box and filters.

    Signals:
        open_child_requested(str): a child was activated (double-click or Enter); carries its id.
    """

    open_child_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = rm.RegisterModel(self)

        self.search = QLineEdit(self)
        self.search.setObjectName("registerSearch")
        self.search.setPlaceholderText("Search by name or ID  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)

        self.stage_filter = self._combo("All stages")
        for stage in Stage:
            self.stage_filter.addItem(STAGE_TITLES[stage], stage.value)
        self.stage_filter.addItem("No current stage", NONE)
        self.rag_filter = self._combo("Any RAG")
        for text, value in _RAG_CHOICES:
            self.rag_filter.addItem(text, value)
        self.team_filter = self._combo("All teams")
        self.worker_filter = self._combo("All social workers")
        self.officer_filter = self._combo("All reviewing officers")
        self.clear_button = QPushButton("Clear filters", self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("registerCount")
        #: Shown while the deadline columns are still being worked out (the rows are listed at once).
        self.loading_label = QLabel("Working out deadlines…", self)
        self.loading_label.setObjectName("registerLoading")
        self.loading_label.setStyleSheet("color: #5f6368;")
        self.loading_label.hide()

        self.table = list_table(self, self.model, widths=DEFAULT_WIDTHS, stretch_last=True)
        self.table.setObjectName("registerTable")
        self.table.sortByColumn(rm.ID, Qt.SortOrder.AscendingOrder)
        open_action = QAction("Open child", self.table)
        open_action.triggered.connect(self._on_open_action_triggered)
        self.table.addAction(open_action)
        #: Copy, export and the right-click menu; exports once the main window gives the database.
        self.table_actions = TableActions(
            self.table, what="register", file_stem="children-register", details=self._export_details
        )
        self.why = WhyPane(self)

        filters = FlowLayout()
        filters.add(self.search, 2)
        for combo in (
            self.stage_filter,
            self.rag_filter,
            self.team_filter,
            self.worker_filter,
            self.officer_filter,
        ):
            filters.add(combo, 1)
        filters.add(self.clear_button)
        heading = QHBoxLayout()
        title = QLabel("<h2>Children</h2>", self)
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.loading_label)
        heading.addSpacing(12)
        heading.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.why)

        # Enter opens the match; Down moves into the results, on the first (or selected) row.
        into_results = QAction("Go to the results", self.search)
        into_results.setShortcut(QKeySequence(Qt.Key.Key_Down))
        into_results.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.search.addAction(into_results)
        into_results.triggered.connect(self._on_into_results_triggered)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.search.textChanged.connect(self._on_search_text_changed)
        for combo in self._filter_combos():
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.table.activated.connect(self._on_table_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.model.modelReset.connect(self._on_model_reset)
        self._update_count()

    def _combo(self, any_text: str) -> QComboBox:
        return any_combo(self, any_text)

    def _filter_combos(self) -> tuple[QComboBox, ...]:
        return (self.stage_filter, self.rag_filter, self.team_filter, self.worker_filter, self.officer_filter)

    # --- data in ------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[ChildSummary], *, complete: bool = True) -> None:
        """Show a new overview, keeping the search, the filters (where still present) and the sort.

        With `complete` False the deadline columns are still being worked out, and the page says so.
        """
        self.loading_label.setVisible(not complete)
        values = distinct_values(rows)
        for combo, key in (
            (self.team_filter, "team"),
            (self.worker_filter, "social_worker"),
            (self.officer_filter, "reviewing_officer"),
        ):
            refill(combo, values[key])
        self.model.set_rows(rows)
        self._apply_filter()

    def update_children(self, rows: Sequence[ChildSummary], changed: Collection[str]) -> None:
        """After an edit of a few children: their rows updated in place where they stay where they
        are (`RegisterModel.update_children`), else the whole list shown again."""
        values = distinct_values(rows)
        for combo, key in (
            (self.team_filter, "team"),
            (self.worker_filter, "social_worker"),
            (self.officer_filter, "reviewing_officer"),
        ):
            refill(combo, values[key])
        if not self.model.update_children(rows, changed):
            self.model.set_rows(rows)
        self._apply_filter()
        current = self.table.currentIndex()  # the selected child's reason may have changed with it
        self._on_table_current_row_changed(current, current)

    def set_pending(self) -> None:
        """The deadlines are being worked out again (a new as-of date): the rows stay listed, their
        deadline columns say so until `set_rows` brings the new position."""
        self.model.set_pending(True)
        self.loading_label.setVisible(True)
        self.why.clear_reason()

    def current_filter(self) -> RegisterFilter:
        stage = self.stage_filter.currentData()
        rag = self.rag_filter.currentData()
        return RegisterFilter(
            text=self.search.text(),
            stage=None if stage is None else (Stage(stage) if stage else NONE),
            rag=None if rag is None else (Rag(rag) if rag else NONE),
            team=self.team_filter.currentData(),
            social_worker=self.worker_filter.currentData(),
            reviewing_officer=self.officer_filter.currentData(),
        )

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def selected_child(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).id if rows else None

    # --- handlers -----------------------------------------------------------------------------

    def _apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count()
        noun = "child" if total == 1 else "children"
        self.count_label.setText(f"{shown:,} of {total:,} {noun}")

    def _on_search_text_changed(self, _text: str) -> None:
        self._apply_filter()

    def _export_details(self) -> dict[str, object]:
        flt = {
            name: getattr(value, "value", value)
            for name, value in dataclasses.asdict(self.model.filter).items()
            if value not in (None, "")
        }
        return {"filter": flt, "of_children": self.model.total_count()}

    def _on_open_action_triggered(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._on_table_activated(index)

    def _on_search_return_pressed(self) -> None:
        index = self._current_or_first()
        if index is not None:
            self._on_table_activated(index)

    def _on_into_results_triggered(self) -> None:
        index = self._current_or_first()
        if index is None:
            return
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        self.table.setFocus(Qt.FocusReason.TabFocusReason)

    def _current_or_first(self) -> QModelIndex | None:
        """The selected row, else the first one shown (the match the search found)."""
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0]
        return self.model.index(0, 0) if self.model.rowCount() else None

    def _on_filter_changed(self, _index: int) -> None:
        self._apply_filter()

    def _on_clear_button_clicked(self) -> None:
        for combo in self._filter_combos():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._apply_filter()

    def _on_table_current_row_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        if not current.isValid():
            self.why.clear_reason()
            return
        row = self.model.row_at(current.row())
        if row.pending or self.model.pending:
            self.why.explain(f"{row.name} ({row.id})", None, "Working out deadlines…")
            return
        self.why.explain(f"{row.name} ({row.id})", row.reason)

    def _on_model_reset(self) -> None:
        self.why.clear_reason()

    def _on_table_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        child_id: Any = index.data(rm.ID_ROLE)
        if child_id:
            self.open_child_requested.emit(str(child_id))
