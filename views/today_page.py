"""The Today page: what is overdue and what is due soon, by stage, at the as-of date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QMargins, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from models.domain.journey import Stage
from models.domain.rules import Rag, Status
from models.screens.overview import AttentionItem, attention_counts
from views import today_model as tm
from views.flow_layout import FlowLayout
from views.labels import RAG_COLOURS, STAGE_TITLES, fmt_long_date

WORKING_OUT = "Working out deadlines…"
NOTHING_DUE = "Nothing is overdue or due soon at this date."
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

    Signals:
        open_child_requested(str): a deadline was activated (double-click or Enter); its child's id.
    """

    open_child_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = tm.TodayModel(self)

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
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(counts)
        layout.addWidget(stages)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.tree, 1)

        self.tree.activated.connect(self._on_tree_activated)
        self.set_items((), date.today(), complete=False)  # nothing is known until the first overview

    def set_items(self, items: Sequence[AttentionItem], as_of: date, *, complete: bool = True) -> None:
        """Show the open overdue and due-soon deadlines at `as_of` (ordered as the overview orders them).

        With `complete` False the deadlines are still being worked out: say so, not "0 overdue".
        """
        self.model.set_items(items)
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
        self.empty_label.setText(NOTHING_DUE)
        self.empty_label.setStyleSheet(_NOTHING_DUE_STYLE)
        self.overdue_label.setText(f"<b>{overdue:,}</b> overdue")
        self.due_soon_label.setText(f"<b>{due_soon:,}</b> due soon")
        for stage, label in self.stage_labels.items():
            label.setText(
                f"{counts[(stage, Status.OVERDUE)]:,} overdue · {counts[(stage, Status.DUE_SOON)]:,} due soon"
            )
        self.empty_label.setVisible(not items)
        self.tree.setVisible(bool(items))

    def _on_tree_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        child_id: Any = index.data(tm.ID_ROLE)
        if child_id:
            self.open_child_requested.emit(str(child_id))
