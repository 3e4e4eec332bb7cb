"""The escalation register: every IRO / CP chair escalation with its clocks, and good practice alerts.

Open or all; filtered by stage, category, raiser and team; good practice alerts are a kind of their
own, counted apart. The selected escalation's stages, clocks (each with its RAG and the engine's
explanation), responses and next step are shown beside the table, with the DRP actions: escalate,
record a response, resolve (acknowledge, for good practice) — each an undoable, audited step.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any, Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from models.domain.engine import Deadline
from models.domain.journey import DRP_STAGE_NAMES
from models.screens.drp_view import (
    AlertKind,
    EscalationFilter,
    EscalationRegister,
    EscalationRow,
    build_escalation_register,
    category_label,
    distinct_values,
    filter_escalations,
    register_counts,
    stage_label,
)
from models.storage.db import Database
from views import prompts
from views.drp_dialogs import DrpActions
from views.escalation_model import EscalationModel, stage_clock_text
from views.flow_layout import FlowLayout
from views.labels import RAG_COLOURS, RAG_WORDS, fmt_date
from views.live_rows import LiveRows, Runner, run_now
from views.recording import while_alive
from views.row_model import ID_ROLE
from views.table_actions import TableActions
from views.tables import list_table

_WIDTHS: Final = {
    EscalationModel.REF: 92,
    EscalationModel.CHILD: 165,
    EscalationModel.RAISED: 80,
    EscalationModel.RAISER: 130,
    EscalationModel.CATEGORY: 135,
    EscalationModel.STAGE: 125,
    EscalationModel.STAGE_DUE: 80,
    EscalationModel.STAGE_CLOCK: 172,
    EscalationModel.TOTAL_DUE: 80,
    EscalationModel.TOTAL_CLOCK: 172,
    EscalationModel.RESOLVED: 125,
}

_KINDS: Final = (
    ("Escalations", AlertKind.ESCALATION.value),
    ("Good practice alerts", AlertKind.GOOD_PRACTICE.value),
    ("Both", ""),
)


def chosen(combo: QComboBox) -> Any:
    """A filter's value; None for its first entry ("any")."""
    return None if combo.currentIndex() <= 0 else combo.currentData()


def _rag_html(d: Deadline | None, text: str) -> str:
    if d is None:
        return escape(text)
    background, colour = RAG_COLOURS[d.rag]
    return (
        f"<span style='background:{background.name()}; color:{colour.name()}; padding: 0 3px;'>"
        f"<b>{escape(RAG_WORDS[d.rag])}</b></span> {escape(text)}"
    )


def details_html(row: EscalationRow) -> str:
    """The selected escalation in full: who, what, each stage's clock, the 20 WD clock, next step."""
    e = row.escalation
    good = row.kind is AlertKind.GOOD_PRACTICE
    what = "Good practice alert" if good else "Escalation"
    parts = [
        f"<h3>{what} {escape(e.ref)}</h3>",
        f"<p><b>{escape(row.child_name)}</b> ({escape(row.child_id)}), team {escape(row.team or 'not recorded')}"
        f"<br>Raised {fmt_date(e.raised)} by {escape(row.raiser or 'not recorded')}"
        + ("" if good else f"; category: {escape(category_label(e.category) or 'not recorded')}")
        + f"<br><b>{escape(row.status)}</b>"
        + (
            ""
            if good
            else f"; {row.working_days} working days " + ("to resolution" if e.resolved else "open so far")
        )
        + "</p>",
    ]
    if row.wanted or row.wanted_by:
        by = f" — by {fmt_date(row.wanted_by)}" if row.wanted_by else ""
        late = (
            " <i>(that date has passed)</i>"
            if row.wanted_by is not None and e.is_open and row.wanted_by < row.as_of
            else ""
        )
        parts.append(f"<p><b>Wanted:</b> {escape(row.wanted or 'not said')}{by}{late}</p>")
    if not good:
        parts.append("<p><b>Stages</b></p><ol style='margin-top:0'>")
        for clock in row.stages:
            to = clock.addressed_to
            addressed = (
                f" (to {escape(to)})"
                if to and to.lower() != DRP_STAGE_NAMES.get(clock.stage, "").lower()
                else ""
            )
            state = _rag_html(clock.deadline, stage_clock_text(clock).split(" – ", 1)[-1])
            due = f" — due {fmt_date(clock.deadline.due)}" if clock.deadline is not None else ""
            parts.append(
                f"<li>Stage {escape(clock.label)}{addressed}, from {fmt_date(clock.started)}{due}: {state}"
                f"<br><small>{escape(clock.explanation)}</small></li>"
            )
        parts.append("</ol>")
        if row.resolution is not None:
            parts.append(
                f"<p><b>20 working days:</b> due {fmt_date(row.resolution.due)} — "
                f"{_rag_html(row.resolution, row.resolution_state)}"
                f"<br><small>{escape(row.resolution.explanation)}</small></p>"
            )
        else:
            parts.append("<p><b>20 working days:</b> starts at the first formal stage (1 to 4).</p>")
    if e.responses:
        answers = ", ".join(
            f"{fmt_date(day)} ({'satisfactory' if ok else 'not satisfactory' if ok is False else 'not said'})"
            for day, ok in e.responses
        )
        parts.append(f"<p><b>Responses:</b> {answers}</p>")
    if e.resolved is not None:
        parts.append(f"<p><b>Outcome:</b> {escape(e.outcome or 'not recorded')}</p>")
    if row.next_step:
        parts.append(f"<p><b>Next:</b> {escape(row.next_step)}</p>")
    return "".join(parts)


class EscalationsPage(QWidget):
    """The escalation register.

    Args:
        db: the database; `set_database` follows a restore.
        undo_stack: the application's undo stack (every DRP step goes on it).
        as_of: the date the page starts at; `set_as_of` moves it.
        run: where the rows are built (`desktop.work.run_in_background` in the application).

    Signals:
        open_child_requested(str): open a child's record (carries its id).
        child_changed(str): a child's record changed through this page, or an undo or redo of
            such a change was applied (carries the child's id).
        view_ready(): the page shows freshly built rows.
    """

    open_child_requested = Signal(str)
    child_changed = Signal(str)
    view_ready = Signal()

    def __init__(
        self,
        db: Database,
        undo_stack: QUndoStack,
        as_of: date,
        parent: QWidget | None = None,
        *,
        run: Runner = run_now,
    ) -> None:
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.register = EscalationRegister(as_of)
        self.live: LiveRows[EscalationRegister] = LiveRows(
            self,
            db,
            as_of,
            build_escalation_register,
            lambda old, partial, ids: old.merged(partial, ids),
            self._show_register,
            run,
        )
        self.live.watch(undo_stack)
        self.live.loading_changed.connect(self._on_live_loading_changed)
        self.live.failed.connect(self._on_live_failed)
        self.drp = DrpActions(
            self,
            lambda: self.live.db,
            undo_stack,
            lambda: self.live.as_of,
            while_alive(self._on_command_applied),
        )

        title = QLabel("<h2>Escalations (DRP)</h2>", self)
        self.count_label = QLabel(self)
        self.count_label.setWordWrap(True)  # a long summary wraps rather than widening the window
        self.count_label.setObjectName("escalationCounts")
        self.busy_label = QLabel("", self)
        self.busy_label.setStyleSheet("color: #5f6368;")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(12)
        heading.addWidget(self.count_label, 1)
        heading.addWidget(self.busy_label)

        self.show_filter = self._combo("Open only", True)
        self.show_filter.addItem("Open and closed", False)
        self.show_filter.setAccessibleName("Show")
        self.kind_filter = QComboBox(self)
        for text, value in _KINDS:
            self.kind_filter.addItem(text, value)
        self.kind_filter.setAccessibleName("Kind")
        self.stage_filter = self._combo("Any stage", None)
        for stage in sorted(DRP_STAGE_NAMES):
            self.stage_filter.addItem(f"Stage {stage_label(stage)}", stage)
        self.category_filter = self._combo("Any category", None)
        self.raiser_filter = self._combo("Anyone", None)
        self.team_filter = self._combo("All teams", None)
        self.clear_button = QPushButton("Clear filters", self)
        filters = FlowLayout()
        for label, combo in (
            ("Show", self.show_filter),
            ("Kind", self.kind_filter),
            ("Stage", self.stage_filter),
            ("Category", self.category_filter),
            ("Raised by", self.raiser_filter),
            ("Team", self.team_filter),
        ):
            caption = QLabel(label + ":", self)
            caption.setBuddy(combo)
            combo.setAccessibleName(label)
            filters.add(caption, with_next=True)
            filters.add(combo, 1)
        filters.add(self.clear_button)

        self.model = EscalationModel(self)
        self.table = list_table(self, self.model, widths=_WIDTHS, stretch_last=True)
        self.table.setObjectName("escalationTable")

        self.details = QTextBrowser(self)
        self.details.setObjectName("escalationDetails")
        self.details.setOpenLinks(False)
        self.open_button = QPushButton("&Open child", self)
        self.escalate_button = QPushButton("&Escalate…", self)
        self.response_button = QPushButton("Record &response…", self)
        self.resolve_button = QPushButton("Re&solve…", self)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.escalate_button, self.response_button, self.resolve_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        side = QGroupBox("Selected", self)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.details, 1)
        side_layout.addLayout(buttons)

        self.table_actions = TableActions(
            self.table,
            what="escalations",
            file_stem="escalations",
            database=lambda: self.db,
            row_buttons=(self.open_button, self.escalate_button, self.response_button, self.resolve_button),
        )

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([520, 300])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        for combo in self._filter_combos():
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.table.activated.connect(self._on_table_activated)  # Enter, or a double-click
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.escalate_button.clicked.connect(self.escalate_selected)
        self.response_button.clicked.connect(self.record_response_selected)
        self.resolve_button.clicked.connect(self.resolve_selected)
        self._show_details()

    def _combo(self, any_text: str, value: object) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(any_text, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _filter_combos(self) -> tuple[QComboBox, ...]:
        return (
            self.show_filter,
            self.kind_filter,
            self.stage_filter,
            self.category_filter,
            self.raiser_filter,
            self.team_filter,
        )

    # --- the contract with the main window ------------------------------------------------------

    @property
    def db(self) -> Database:
        return self.live.db

    @property
    def as_of(self) -> date:
        return self.live.as_of

    def set_as_of(self, as_of: date) -> None:
        self.live.set_as_of(as_of)

    def set_database(self, db: Database) -> None:
        self.live.set_database(db)

    def invalidate(self) -> None:
        self.live.invalidate()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.live.ensure()

    # --- filtering and showing ------------------------------------------------------------------

    def current_filter(self) -> EscalationFilter:
        kind = self.kind_filter.currentData()
        return EscalationFilter(
            open_only=bool(self.show_filter.currentData()),
            kind=AlertKind(kind) if kind else None,
            stage=chosen(self.stage_filter),
            category=chosen(self.category_filter),
            raiser=chosen(self.raiser_filter),
            team=chosen(self.team_filter),
        )

    def _show_register(self, register: EscalationRegister) -> None:
        self.register = register
        values = distinct_values(register.rows)
        for combo, key, shown in (
            (self.category_filter, "category", category_label),
            (self.raiser_filter, "raiser", str),
            (self.team_filter, "team", str),
        ):
            self._refill(combo, values[key], shown)
        self._apply_filter()
        counts = register_counts(register.rows)
        self.count_label.setText(
            f"At {fmt_date(register.as_of)}: {counts.open_escalations:,} open escalations of "
            f"{counts.escalations:,}, {counts.overdue:,} with a clock overdue · good practice alerts: "
            f"{counts.good_practice:,} (counted separately)"
        )
        self.view_ready.emit()

    def _refill(self, combo: QComboBox, values: list[str], shown: object) -> None:
        current = chosen(combo)
        combo.blockSignals(True)
        try:
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                text = shown(value) if callable(shown) else value
                combo.addItem(str(text) or "(not recorded)", value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            combo.blockSignals(False)

    def _apply_filter(self) -> None:
        selected = self.selected()
        flt = self.current_filter()
        # Open escalations have no resolution date or outcome: room for the clocks.
        for column in (EscalationModel.RESOLVED, EscalationModel.OUTCOME):
            self.table.setColumnHidden(column, flt.open_only)
        rows = filter_escalations(self.register.rows, flt)
        self.model.set_rows(rows)
        if selected is not None:
            self.select(selected[0], selected[1])
        self._show_details()

    def selected(self) -> tuple[str, str] | None:
        """The (child id, ref) of the selected row."""
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        if not rows:
            return None
        row = self.model.row_at(rows[0].row())
        return row.child_id, row.ref

    def selected_row(self) -> EscalationRow | None:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, child_id: str, ref: str) -> bool:
        row = self.model.find(lambda r: r.child_id == child_id and r.ref == ref)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _show_details(self) -> None:
        row = self.selected_row()
        writable = not self.db.read_only
        if row is None:
            self.details.setHtml(
                "<p>Select an escalation to see its stages and clocks.</p><p>An escalation is raised from the "
                "child's record (<i>Escalation (DRP)</i> on the child page).</p>"
            )
        else:
            self.details.setHtml(details_html(row))
        good = row is not None and row.kind is AlertKind.GOOD_PRACTICE
        open_ = row is not None and row.is_open
        self.open_button.setEnabled(row is not None)
        self.escalate_button.setEnabled(
            writable and open_ and not good and row is not None and row.current.stage < 5
        )
        self.response_button.setEnabled(writable and open_ and not good)
        self.resolve_button.setEnabled(writable and open_)
        self.resolve_button.setText("Ac&knowledge…" if good else "Re&solve…")

    # --- actions --------------------------------------------------------------------------------

    def escalate_selected(self) -> bool:
        chosen = self.selected()
        return chosen is not None and self.drp.escalate(*chosen)

    def record_response_selected(self) -> bool:
        chosen = self.selected()
        return chosen is not None and self.drp.record_response(*chosen)

    def resolve_selected(self) -> bool:
        chosen = self.selected()
        return chosen is not None and self.drp.resolve(*chosen)

    # --- handlers -------------------------------------------------------------------------------

    def _on_command_applied(self, child_id: str) -> None:
        self.child_changed.emit(child_id)

    def _on_live_loading_changed(self, loading: bool) -> None:
        self.busy_label.setText("Working out the escalation clocks…" if loading else "")

    def _on_live_failed(self, reason: str) -> None:
        prompts.show_error(
            self, "Cannot show the escalations", f"The escalation clocks could not be worked out: {reason}"
        )

    def _on_filter_changed(self, _index: int) -> None:
        self._apply_filter()

    def _on_clear_button_clicked(self) -> None:
        for combo in self._filter_combos():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._apply_filter()

    def _on_selection_changed(self, *_args: object) -> None:
        self._show_details()

    def _on_open_button_clicked(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.open_child_requested.emit(chosen[0])

    def _on_table_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        child_id = index.data(ID_ROLE)
        if isinstance(child_id, str):
            self.open_child_requested.emit(child_id)
