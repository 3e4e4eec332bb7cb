"""The court page: every child in care proceedings against the 26 weeks, read weekly by the court team.

Three tabs: the open proceedings (one row per child with its week ruler, least time left first,
a sibling group together), the decisions to issue awaiting issue (in working days against the
local standard), and the proceedings concluded in a chosen period with their durations in weeks.

From a row: open the child, or record a hearing, an extension or a final order through the
ordinary event form (`EventDialog`, so an extension beyond 8 weeks is refused there with the latest
allowed date), saved as one undoable, audited step on the shared undo stack.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.domain.calendar import add_months
from models.domain.period import Period
from models.domain.records import ChildRecord
from models.domain.rules import Status
from models.screens.court_view import CourtView, build_court_view, summarise_concluded
from models.storage import store
from models.storage.db import Database
from views import prompts
from views.court_models import ConcludedModel, CourtModel, PendingIssueModel
from views.date_edit import DateEdit
from views.event_dialog import EventDialog
from views.flow_layout import FlowLayout
from views.labels import fmt_date
from views.live_rows import LiveRows, Runner, run_now
from views.recording import save_new_event, while_alive
from views.row_model import ID_ROLE
from views.table_actions import TableActions
from views.tables import list_table
from views.week_ruler import ROW_HEIGHT, RulerLegend, WeekRulerDelegate

#: The event types recorded from a row, with the button text (and mnemonic).
RECORDS: Final = {
    "hearing": "Record &hearing…",
    "extension": "Record e&xtension…",
    "final_order": "Record &final order…",
}

#: Starting column widths of the open proceedings (the ruler takes the rest: about 290 px in a
#: 1366-wide window, where these columns at their old widths left it 95 px for 26-70 weeks).
_OPEN_WIDTHS: Final = {
    CourtModel.CHILD: 170,
    CourtModel.CASE: 100,
    CourtModel.ISSUED: 82,
    CourtModel.WEEK: 62,
    CourtModel.END: 100,
    CourtModel.LEFT: 92,
    CourtModel.STATUS: 130,
    CourtModel.NEXT: 90,
}

PERIODS: Final = (
    "Last 3 months",
    "Last complete month",
    "Last 12 months",
    "This year to date",
    "Chosen dates",
)


def period_dates(choice: str, as_of: date) -> tuple[date, date] | None:
    """The [start, end] of a named period at the as-of date (None for chosen dates)."""
    if choice == "Last complete month":
        month = Period.last_complete_before(as_of)
        return month.start, month.end
    if choice == "Last 3 months":
        return add_months(as_of, -3) + timedelta(days=1), as_of
    if choice == "Last 12 months":
        return add_months(as_of, -12) + timedelta(days=1), as_of
    if choice == "This year to date":
        return date(as_of.year, 1, 1), as_of
    return None


class CourtPage(QWidget):
    """The court team's view of every open proceedings, what awaits issue, and what concluded.

    Args:
        db: the database; `set_database` follows a restore.
        undo_stack: the application's undo stack (every recording goes on it).
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
        self.view = CourtView(as_of, 10)
        self.live: LiveRows[CourtView] = LiveRows(
            self,
            db,
            as_of,
            build_court_view,
            lambda old, partial, ids: old.merged(partial, ids),
            self._show_view,
            run,
        )
        self.live.watch(undo_stack)
        self.live.loading_changed.connect(self._on_live_loading_changed)
        self.live.failed.connect(self._on_live_failed)

        title = QLabel("<h2>Court</h2>", self)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)  # a long summary wraps rather than widening the window
        self.summary_label.setObjectName("courtSummary")
        self.busy_label = QLabel("", self)
        self.busy_label.setStyleSheet("color: #5f6368;")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(12)
        heading.addWidget(self.summary_label, 1)
        heading.addWidget(self.busy_label)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_open_tab(), "Open proceedings")
        self.tabs.addTab(self._build_pending_tab(), "Awaiting issue")
        self.tabs.addTab(self._build_concluded_tab(), "Concluded")

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.tabs, 1)
        self._update_actions()

    # --- building -----------------------------------------------------------------------------

    def _build_open_tab(self) -> QWidget:
        page = QWidget(self)
        self.search = QLineEdit(page)
        self.search.setPlaceholderText("Find by name, ID, case number or sibling group")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        self.open_count_label = QLabel(page)
        self.legend = RulerLegend(page)
        self.model = CourtModel(self)
        self.table = list_table(page, self.model, row_height=ROW_HEIGHT)
        self.table.setObjectName("courtTable")
        self.table.setItemDelegateForColumn(CourtModel.RULER, WeekRulerDelegate(self.table))
        header = self.table.horizontalHeader()
        for column, width in _OPEN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(CourtModel.RULER, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(200)

        self.open_button = QPushButton("&Open child", page)
        self.record_buttons: dict[str, QPushButton] = {}
        buttons = FlowLayout()
        buttons.add(self.open_button)
        for event_type, text in RECORDS.items():
            button = QPushButton(text, page)
            button.setObjectName(f"record_{event_type}")
            button.clicked.connect(lambda _=False, t=event_type: self.record_event(t))
            self.record_buttons[event_type] = button
            buttons.add(button)
        hint = QLabel("Enter opens the child; right-click for the same actions.", page)
        hint.setStyleSheet("color: #5f6368;")
        hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        buttons.add(hint, 1)  # the spare width, so the hint sits at the right as before

        # The same actions on the table: a context menu and keys.
        self.open_action = QAction("Open child", self.table)
        self.open_action.triggered.connect(self.open_selected)
        self.table.addAction(self.open_action)
        self.record_actions: dict[str, QAction] = {}
        for event_type, text in RECORDS.items():
            action = QAction(text.replace("&", ""), self.table)
            action.triggered.connect(lambda _=False, t=event_type: self.record_event(t))
            self.table.addAction(action)
            self.record_actions[event_type] = action
        self.table_actions = TableActions(
            self.table,
            what="court proceedings",
            file_stem="court-open-proceedings",
            database=lambda: self.db,
            skip_columns=(CourtModel.RULER,),
        )

        top = QHBoxLayout()
        top.addWidget(self.search)
        top.addWidget(self.open_count_label)
        top.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.open_button.clicked.connect(self.open_selected)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.table.activated.connect(self._on_table_activated)  # Enter, or a double-click
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._on_selection_changed)
        return page

    def _build_pending_tab(self) -> QWidget:
        page = QWidget(self)
        self.pending_label = QLabel(page)
        self.pending_label.setWordWrap(True)
        self.pending_model = PendingIssueModel(self)
        self.pending_table = list_table(
            page, self.pending_model, row_height=self.fontMetrics().height() * 2 + 10
        )
        self.pending_table.setObjectName("pendingTable")
        header = self.pending_table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((215, 120, 130, 185, 170, 130)):
            header.resizeSection(column, width)
        self.pending_table.activated.connect(self._on_table_activated)
        self.pending_actions = TableActions(
            self.pending_table,
            what="court awaiting issue",
            file_stem="court-awaiting-issue",
            database=lambda: self.db,
        )
        layout = QVBoxLayout(page)
        layout.addWidget(self.pending_label)
        layout.addWidget(self.pending_table, 1)
        return page

    def _build_concluded_tab(self) -> QWidget:
        page = QWidget(self)
        self.period_combo = QComboBox(page)
        self.period_combo.addItems(PERIODS)
        self.period_combo.setAccessibleName("Period")
        self.from_edit = DateEdit(page)
        self.to_edit = DateEdit(page)
        self.from_edit.line_edit.setAccessibleName("From")
        self.to_edit.line_edit.setAccessibleName("To")
        self.concluded_label = QLabel(page)
        self.concluded_label.setObjectName("concludedSummary")
        self.concluded_label.setWordWrap(True)
        self.concluded_model = ConcludedModel(self)
        self.concluded_table = list_table(
            page, self.concluded_model, row_height=self.fontMetrics().height() * 2 + 10
        )
        self.concluded_table.setObjectName("concludedTable")
        header = self.concluded_table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((215, 120, 90, 90, 250, 70, 90, 120)):
            header.resizeSection(column, width)
        self.concluded_table.activated.connect(self._on_table_activated)
        self.concluded_actions = TableActions(
            self.concluded_table,
            what="court concluded",
            file_stem="court-concluded",
            database=lambda: self.db,
        )
        row = QHBoxLayout()
        period = QLabel("&Period:", page)
        period.setBuddy(self.period_combo)
        row.addWidget(period)
        row.addWidget(self.period_combo)
        row.addSpacing(12)
        row.addWidget(QLabel("From", page))
        row.addWidget(self.from_edit)
        row.addWidget(QLabel("to", page))
        row.addWidget(self.to_edit)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.concluded_label)
        layout.addWidget(self.concluded_table, 1)
        self.period_combo.currentIndexChanged.connect(self._on_period_combo_current_index_changed)
        self.from_edit.date_changed.connect(self._on_period_date_changed)
        self.to_edit.date_changed.connect(self._on_period_date_changed)
        self._set_period_dates()
        return page

    # --- the contract with the main window ------------------------------------------------------

    @property
    def db(self) -> Database:
        return self.live.db

    @property
    def as_of(self) -> date:
        return self.live.as_of

    def set_as_of(self, as_of: date) -> None:
        """Show the position at another date (rebuilt now if shown, else when next shown)."""
        self.live.set_as_of(as_of)
        self._set_period_dates()

    def set_database(self, db: Database) -> None:
        self.live.set_database(db)
        self._update_actions()

    def invalidate(self) -> None:
        """Everything may have changed (an import, new settings): rebuild."""
        self.live.invalidate()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.live.ensure()

    # --- showing ---------------------------------------------------------------------------------

    def _show_view(self, view: CourtView) -> None:
        selected = self.selected_child()
        self.view = view
        self._apply_search()
        self.pending_model.set_rows(view.pending)
        self._show_concluded()
        open_rows = view.open
        overrun = sum(1 for r in open_rows if r.days_left < 0)
        extended = sum(1 for r in open_rows if r.extended)
        amber = sum(1 for r in open_rows if r.deadline is not None and r.deadline.status is Status.DUE_SOON)
        self.summary_label.setText(
            f"At {fmt_date(view.as_of)}: {len(open_rows):,} open proceedings — {overrun:,} past their end, "
            f"{amber:,} ending within 4 weeks, {extended:,} extended; {len(view.pending):,} awaiting issue."
        )
        late = sum(1 for r in view.pending if r.deadline is not None and r.deadline.status is Status.OVERDUE)
        self.pending_label.setText(
            f"Decisions to issue not yet followed by an issue: {len(view.pending):,}, of which {late:,} past "
            f"the local standard of {view.standard_wd} working days from the decision. The steps are counted "
            "in working days (decision → documents to legal → issue)."
        )
        self.tabs.setTabText(0, f"Open proceedings ({len(open_rows):,})")
        self.tabs.setTabText(1, f"Awaiting issue ({len(view.pending):,})")
        if selected is not None:
            self.select_child(selected)
        self._update_actions()
        self.view_ready.emit()

    def _apply_search(self) -> None:
        needle = self.search.text().strip().lower()
        rows = self.view.open
        if needle:
            rows = tuple(
                r
                for r in rows
                if needle in f"{r.child_id} {r.name} {r.case_number or ''} {r.sibling_group or ''}".lower()
            )
        self.model.set_rows(rows)
        total = len(self.view.open)
        self.open_count_label.setText(
            f"{len(rows):,} of {total:,} shown" if needle else f"{total:,} open, least time left first"
        )

    def _show_concluded(self) -> None:
        start, end = self.from_edit.value(), self.to_edit.value()
        if start is None or end is None or start > end:
            self.concluded_model.set_rows([])
            self.concluded_label.setText("Choose a period: a start date on or before the end date.")
            return
        rows = self.view.concluded_between(start, end)
        self.concluded_model.set_rows(rows)
        s = summarise_concluded(rows)
        if not s.count:
            self.concluded_label.setText(
                f"No proceedings concluded from {fmt_date(start)} to {fmt_date(end)}."
            )
            return
        self.concluded_label.setText(
            f"Concluded from {fmt_date(start)} to {fmt_date(end)}: {s.count:,} — {s.within_26:,} within 26 weeks "
            f"({100 * s.within_26 / s.count:.0f}%), {s.within_end:,} within the timetable as extended; mean "
            f"{s.mean_weeks:.1f} weeks, median {s.median_weeks:.1f} weeks."
        )

    def _set_period_dates(self) -> None:
        dates = period_dates(self.period_combo.currentText(), self.as_of)
        if dates is None:
            return
        for edit, value in zip((self.from_edit, self.to_edit), dates, strict=True):
            edit.blockSignals(True)
            edit.set_value(value)
            edit.blockSignals(False)
        # DateEdit parses its text on change; re-read what was set.
        self._show_concluded()

    # --- actions --------------------------------------------------------------------------------

    def selected_child(self) -> str | None:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        return self.model.row_at(rows[0].row()).child_id if rows else None

    def select_child(self, child_id: str) -> bool:
        row = self.model.find(lambda r: r.child_id == child_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def open_selected(self) -> None:
        child_id = self.selected_child()
        if child_id is not None:
            self.open_child_requested.emit(child_id)

    def record_event(self, event_type: str) -> bool:
        """Record a hearing, an extension or a final order for the selected child."""
        child_id = self.selected_child()
        if child_id is None or self.db.read_only:
            return False
        child: ChildRecord | None = store.get_child(self.db, child_id)
        if child is None:
            prompts.show_error(self, "Not found", f"There is no child with ID {child_id}.")
            return False
        record = EventDialog.ask(self, child, None, event_type)
        if record is None:
            return False
        return save_new_event(
            self, self.db, self.undo_stack, child_id, record, while_alive(self._on_command_applied)
        )

    def _update_actions(self) -> None:
        chosen = self.selected_child() is not None
        writable = not self.db.read_only
        self.open_button.setEnabled(chosen)
        self.open_action.setEnabled(chosen)
        for event_type, button in self.record_buttons.items():
            button.setEnabled(chosen and writable)
            self.record_actions[event_type].setEnabled(chosen and writable)

    # --- handlers ---------------------------------------------------------------------------------

    def _on_command_applied(self, child_id: str) -> None:
        self.child_changed.emit(child_id)

    def _on_live_loading_changed(self, loading: bool) -> None:
        self.busy_label.setText("Working out the court timetables…" if loading else "")

    def _on_live_failed(self, reason: str) -> None:
        self.busy_label.setText("")
        prompts.show_error(
            self, "Cannot show the court page", f"The court timetables could not be worked out: {reason}"
        )

    def _on_search_text_changed(self, _text: str) -> None:
        self._apply_search()
        self._update_actions()

    def _on_selection_changed(self, *_args: object) -> None:
        self._update_actions()

    def _on_table_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        child_id = index.data(ID_ROLE)
        if isinstance(child_id, str):
            self.open_child_requested.emit(child_id)

    def _on_period_combo_current_index_changed(self, _index: int) -> None:
        self._set_period_dates()

    def _on_period_date_changed(self, _value: object) -> None:
        chosen = PERIODS.index("Chosen dates")
        if self.period_combo.currentIndex() != chosen:
            self.period_combo.blockSignals(True)
            self.period_combo.setCurrentIndex(chosen)
            self.period_combo.blockSignals(False)
        self._show_concluded()
