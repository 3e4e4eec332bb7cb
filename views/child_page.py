"""One child: who they are, where they are on their journey, what happened, and what is due.

The page reads one child (its record, its deadlines at the as-of date, its siblings) and changes it
only through undoable commands (`views.undo`) on the shared undo stack, so every change, undo and
redo is validated and audited by `models.storage.store` and the page redraws after each.
"""

from __future__ import annotations

import logging
import weakref
from collections import Counter
from collections.abc import Callable, Collection
from datetime import date, datetime
from html import escape
from typing import Final, ParamSpec
from urllib.parse import quote, unquote

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.domain.engine import Deadline
from models.domain.journey import EVENT_TYPES, Stage
from models.domain.records import ChildRecord, EventRecord, closed_on, issue_sentence, with_closed
from models.domain.rules import Status
from models.io import handover
from models.screens.child_view import (
    JourneyStep,
    Sibling,
    StepState,
    birth_text,
    choice_label,
    chronology_rows,
    journey_position,
    siblings,
    tracked_from_text,
    work_first,
)
from models.storage import store
from models.storage.db import Database
from models.storage.settings import GOOD_PRACTICE, load_settings
from views import prompts
from views.child_dialog import ChildDialog
from views.child_models import (
    DETAILS,
    EXPLANATION,
    RULE,
    ChronologyModel,
    DeadlineModel,
)
from views.drp_dialogs import DrpActions
from views.event_dialog import EventDialog
from views.labels import STAGE_TITLES, fmt_date
from views.undo import (
    ChangeChildIdCommand,
    DeleteChildCommand,
    DeleteEventCommand,
    SaveChildCommand,
    SaveEventCommand,
)
from views.write_errors import StoreCommand, push_or_explain

log = logging.getLogger("permanence.child_page")

P = ParamSpec("P")

_STATE_WORDS: Final = {
    StepState.DONE: "✓ Done",
    StepState.CURRENT: "● Now",
    StepState.NOT_REACHED: "○ Not reached",
}

_STEP_STYLE: Final = """
QFrame#journeyStep[state="current"] { background: #e7f0fa; border: 2px solid #1f4e79; border-radius: 4px; }
QFrame#journeyStep[state="done"] { background: #eef5ee; border: 1px solid #7aa37a; border-radius: 4px; }
QFrame#journeyStep[state="not reached"] { background: transparent; border: 1px dashed #b0b0b0; border-radius: 4px; }
QFrame#journeyStep[state="not reached"] QLabel { color: #6b6b6b; }
"""


class JourneyStrip(QWidget):
    """The path CP → PLO → court → looked after → permanence, each step with its state in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STEP_STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._layout = layout
        self.steps: list[JourneyStep] = []
        self._frames: list[tuple[QFrame, QLabel, QLabel, QLabel]] = []

    def set_steps(self, steps: list[JourneyStep]) -> None:
        self.steps = steps
        while len(self._frames) < len(steps):
            if self._frames:
                arrow = QLabel("→", self)
                arrow.setAlignment(Qt.AlignmentFlag.AlignCenter)
                arrow.setAccessibleName("then")
                self._layout.addWidget(arrow)
            self._frames.append(self._make_frame())
        for (frame, title, state, detail), step in zip(self._frames, steps, strict=False):
            frame.setProperty("state", step.state.value)
            title.setText(step.title)
            state.setText(_STATE_WORDS[step.state])
            detail.setText(step.detail)
            frame.setToolTip(f"{step.title}: {step.state.value}. {step.detail}")
            frame.setAccessibleName(f"{step.title}: {step.state.value}, {step.detail}")
            frame.style().unpolish(frame)
            frame.style().polish(frame)
            for label in (title, state, detail):
                label.style().unpolish(label)
                label.style().polish(label)

    def _make_frame(self) -> tuple[QFrame, QLabel, QLabel, QLabel]:
        frame = QFrame(self)
        frame.setObjectName("journeyStep")
        frame.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        title = QLabel(frame)
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        state = QLabel(frame)
        detail = QLabel(frame)
        detail.setWordWrap(True)
        column = QVBoxLayout(frame)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(1)
        column.addWidget(title)
        column.addWidget(state)
        column.addWidget(detail)
        column.addStretch(1)
        self._layout.addWidget(frame, 1)
        return frame, title, state, detail

    def text(self) -> str:
        """The strip in words, one step a line (for tests and screen readers)."""
        return "\n".join(f"{s.title}: {s.state.value} – {s.detail}" for s in self.steps)


class ChildPage(QWidget):
    """The page of one child: header, journey strip, deadlines and chronology.

    Args:
        db: the database the child is read from and written to.
        undo_stack: the application's undo stack; every change is pushed onto it.

    Signals:
        child_changed(str): a child's record changed through this page, or an undo or redo of
            such a change was applied (carries the child's id).
        open_child_requested(str): the user asked to open another child (a sibling link).
    """

    child_changed = Signal(str)
    open_child_requested = Signal(str)

    def __init__(self, db: Database, undo_stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read_only = False
        self.db = db
        self.undo_stack = undo_stack
        self._child: ChildRecord | None = None
        self._shown_id: str | None = None  # asked for, even when (no longer) recorded
        self._as_of = date.today()
        self._siblings: list[Sibling] = []
        self._deadlines: list[Deadline] = []
        #: Raise, escalate, answer and resolve the child's escalations (issue 5).
        self.drp = DrpActions(
            self, lambda: self.db, undo_stack, lambda: self._as_of, _while_alive(self._on_command_applied)
        )

        self.placeholder = QLabel("Open a child from the register to see their journey.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #5f6368;")
        content = QWidget(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        layout = QVBoxLayout(content)
        layout.addWidget(self._build_header(content))
        self.journey = JourneyStrip(content)
        layout.addWidget(self.journey)

        splitter = QSplitter(Qt.Orientation.Vertical, content)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_deadlines(splitter))
        splitter.addWidget(self._build_chronology(splitter))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        # The stack outlives the page (and empties itself, signalling, as it goes): connect and
        # hand out callbacks that hold the page weakly and do nothing once it is gone.
        undo_stack.indexChanged.connect(_while_alive(self._on_undo_stack_index_changed))

    # --- building ---------------------------------------------------------------------------------

    def _build_header(self, parent: QWidget) -> QWidget:
        header = QFrame(parent)
        header.setObjectName("childHeader")
        grid = QGridLayout(header)
        grid.setContentsMargins(0, 0, 0, 0)
        self.name_label = QLabel(header)
        self.name_label.setObjectName("childName")
        font = QFont(self.name_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity_label = QLabel(header)
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.people_label = QLabel(header)
        self.people_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.siblings_label = QLabel(header)
        self.siblings_label.setTextFormat(Qt.TextFormat.RichText)
        self.siblings_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.siblings_label.linkActivated.connect(self._on_siblings_label_link_activated)

        self.add_event_button = QPushButton("Record event…", header)
        self.add_event_button.setToolTip("Record an event in this child's chronology (Ctrl+E)")
        self.edit_details_button = QPushButton("Edit details…", header)
        self.add_event_button.clicked.connect(self.add_event)
        self.edit_details_button.clicked.connect(self.edit_details)
        self.drp_button = QPushButton("Escalation (DRP)", header)
        self.drp_button.setToolTip(
            "Raise an escalation or a good practice alert; escalate, answer or resolve one"
        )
        self.drp_menu = QMenu(self.drp_button)
        self.drp_button.setMenu(self.drp_menu)
        self.drp_menu.aboutToShow.connect(self._on_drp_menu_about_to_show)
        # The record itself: an ID typed wrong, a record made in error, a child no longer tracked.
        self.record_button = QPushButton("The record", header)
        self.record_button.setToolTip(
            "Correct the ID, close or reopen the record, or delete a record made in error"
        )
        self.record_menu = QMenu(self.record_button)
        self.correct_id_action = self.record_menu.addAction("Correct the ID…")
        self.close_action = self.record_menu.addAction("Close the record…")
        self.record_menu.addSeparator()
        self.delete_child_action = self.record_menu.addAction("Delete this record (made in error)…")
        self.record_button.setMenu(self.record_menu)
        self.correct_id_action.triggered.connect(self.correct_id)
        self.close_action.triggered.connect(self.close_or_reopen)
        self.delete_child_action.triggered.connect(self.delete_child)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_event_button)
        buttons.addWidget(self.edit_details_button)
        buttons.addWidget(self.drp_button)
        buttons.addWidget(self.record_button)
        buttons.addStretch(1)

        #: An imported record's opening balance: "Record complete from ... — before that, only ...".
        self.tracked_label = QLabel(header)
        self.tracked_label.setObjectName("trackedLabel")
        self.tracked_label.setWordWrap(True)
        self.tracked_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tracked_label.hide()

        #: On the team server: "Out on a laptop with ... since ..." while the child is checked out.
        self.handover_label = QLabel(header)
        self.handover_label.setObjectName("handoverLabel")
        self.handover_label.setStyleSheet("color: #842029; font-weight: bold;")
        self.handover_label.hide()

        grid.addWidget(self.name_label, 0, 0)
        grid.addWidget(self.identity_label, 1, 0)
        grid.addWidget(self.people_label, 2, 0)
        grid.addWidget(self.siblings_label, 3, 0)
        grid.addWidget(self.tracked_label, 4, 0)
        grid.addWidget(self.handover_label, 5, 0)
        grid.addLayout(buttons, 0, 1, 6, 1)
        grid.setColumnStretch(0, 1)
        return header

    def _build_deadlines(self, parent: QWidget) -> QWidget:
        box = QGroupBox("Deadlines", parent)
        self.deadlines_box = box
        self.deadline_summary = QLabel(box)
        self.deadline_model = DeadlineModel(self)
        view = QTableView(box)
        view.setModel(self.deadline_model)
        _table_defaults(view)
        view.setWordWrap(True)
        header = view.horizontalHeader()
        for column in range(self.deadline_model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RULE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(EXPLANATION, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(RULE, 300)
        self.deadlines_view = view
        # Wrapped explanations: fit the row heights once the column widths settle (a child has a
        # few dozen deadlines at most, so measuring them is cheap).
        self._fit_rows = QTimer(self)
        self._fit_rows.setSingleShot(True)
        self._fit_rows.setInterval(0)
        self._fit_rows.timeout.connect(view.resizeRowsToContents)
        header.sectionResized.connect(self._on_deadline_header_section_resized)
        layout = QVBoxLayout(box)
        layout.addWidget(self.deadline_summary)
        layout.addWidget(view)
        return box

    def _build_chronology(self, parent: QWidget) -> QWidget:
        box = QGroupBox("Chronology", parent)
        self.stage_filter = QComboBox(box)
        self.stage_filter.addItem("All stages", None)
        for stage in Stage:
            self.stage_filter.addItem(STAGE_TITLES[stage], stage.value)
        self.stage_filter.setAccessibleName("Show events of stage")
        self.stage_filter.currentIndexChanged.connect(self._on_stage_filter_current_index_changed)
        self.event_count_label = QLabel(box)
        self.edit_hint = hint = QLabel("Double-click an event to edit it; Delete removes it.", box)
        hint.setStyleSheet("color: #5f6368;")
        top = QHBoxLayout()
        show = QLabel("&Show:", box)
        show.setBuddy(self.stage_filter)
        top.addWidget(show)
        top.addWidget(self.stage_filter)
        top.addWidget(self.event_count_label)
        top.addStretch(1)
        top.addWidget(hint)

        self.chronology_model = ChronologyModel(self)
        view = QTableView(box)
        view.setModel(self.chronology_model)
        _table_defaults(view)
        header = view.horizontalHeader()
        for column in range(self.chronology_model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)
        rows = view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
        view.doubleClicked.connect(self._on_chronology_view_double_clicked)
        self.chronology_view = view

        self.edit_event_action = QAction("Edit event…", view)
        self.edit_event_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.edit_event_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.edit_event_action.triggered.connect(self.edit_selected_event)
        self.delete_event_action = QAction("Delete event…", view)
        self.delete_event_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_event_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_event_action.triggered.connect(self.delete_selected_event)
        view.addAction(self.edit_event_action)
        view.addAction(self.delete_event_action)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(view)
        return box

    # --- the contract with the main window ------------------------------------------------------------

    def show_child(self, child_id: str, as_of: date) -> None:
        """Show a child at an as-of date (reads that child only)."""
        self._as_of = as_of
        if child_id != self._shown_id:
            self.chronology_view.clearSelection()  # event ids repeat between children (e1, e2, ...)
            self.chronology_view.setCurrentIndex(QModelIndex())
        self._load(child_id)
        self.chronology_view.scrollToTop()
        self.deadlines_view.scrollToTop()

    def reload(self, child_ids: Collection[str] | None = None) -> None:
        """Read the shown child again (if it is among `child_ids`): someone else changed it."""
        if self._shown_id is not None and (child_ids is None or self._shown_id in child_ids):
            self._load(self._shown_id)

    def set_as_of(self, as_of: date) -> None:
        """Judge the deadlines (and the journey, and the age) at another date."""
        self._as_of = as_of
        if self._child is not None:
            self._deadlines = store.compute_deadlines(self.db, as_of, self._child.id)
            self._redraw()

    def as_of(self) -> date:
        return self._as_of

    def current_child_id(self) -> str | None:
        return self._child.id if self._child is not None else None

    def current_child(self) -> ChildRecord | None:
        return self._child

    def add_event(self) -> None:
        """Open the event form for the shown child and record what it returns."""
        child = self._child
        if child is None:
            return

        saved: list[EventRecord] = []

        def save(record: EventRecord) -> bool:
            command = SaveEventCommand(
                self.db, child.id, record, None, _while_alive(self._on_command_applied)
            )
            if not self._push(command):
                return False
            saved.append(command.new)  # as saved: another writer may have taken the proposed id
            return True

        record = EventDialog.ask(self, child, save=save, drp_categories=self._drp_categories())
        if record is not None and saved:
            self._select_event(saved[-1].id)

    def edit_details(self) -> None:
        """Open the child details form for the shown child."""
        child = self._child
        if child is None:
            return

        def save(record: ChildRecord) -> bool:
            return self._push(
                SaveChildCommand(self.db, record, child, _while_alive(self._on_command_applied))
            )

        ChildDialog.ask(self, self.db, existing=child, save=save)

    def correct_id(self) -> None:
        """Correct a mistyped ID: the child and its chronology move to the ID typed (undoable)."""
        child = self._child
        if child is None:
            return
        new_id = prompts.ask_text(
            self, "Correct the ID", f"The correct ID for {child.name} (now {child.id}):", child.id
        )
        if new_id is None or new_id.strip() == child.id:
            return
        command = ChangeChildIdCommand(self.db, child.id, new_id, _while_alive(self._on_command_applied))
        if self._push(command):
            self.open_child_requested.emit(command.new_id)

    def close_or_reopen(self) -> None:
        """Close the record (it leaves Today, stays in the register) or reopen a closed one (undoable)."""
        child = self._child
        if child is None:
            return
        closed = closed_on(child)
        if closed is None:
            if not prompts.confirm(
                self,
                "Close the record",
                f"Close the record of {child.name} ({child.id}) as at {fmt_date(self._as_of)}? It stays in the "
                "register and can be reopened, but its deadlines no longer show in Today.",
            ):
                return
            record, text = with_closed(child, self._as_of), f"Close the record of {child.id}"
        else:
            record, text = with_closed(child, None), f"Reopen the record of {child.id}"
        self._push(
            SaveChildCommand(self.db, record, child, _while_alive(self._on_command_applied), text=text)
        )

    def delete_child(self) -> None:
        """Delete a record made in error, with its chronology, after asking (undoable)."""
        child = self._child
        if child is None:
            return
        events = len(child.events)
        if not prompts.confirm(
            self,
            "Delete the record",
            f"Delete the record of {child.name} ({child.id}) and its {events} "
            f"{'event' if events == 1 else 'events'}? Only for a record made in error: a child who is no "
            "longer tracked is closed instead. Undo (Ctrl+Z) puts it back.",
        ):
            return
        self._push(DeleteChildCommand(self.db, child, _while_alive(self._on_command_applied)))

    def edit_selected_event(self) -> None:
        record = self.selected_event()
        child = self._child
        if record is None or child is None:
            return

        def save(new: EventRecord) -> bool:
            return self._push(
                SaveEventCommand(self.db, child.id, new, record, _while_alive(self._on_command_applied))
            )

        new = EventDialog.ask(self, child, existing=record, save=save, drp_categories=self._drp_categories())
        if new is not None:
            self._select_event(new.id)

    def delete_selected_event(self) -> None:
        record = self.selected_event()
        child = self._child
        if record is None or child is None:
            return
        label = EVENT_TYPES[record.type].label
        question = (
            f"Delete the {label.lower()} of {fmt_date(record.date)} from {child.name}'s chronology?\n\n"
            "The deadlines will be worked out again without it. You can undo this (Ctrl+Z)."
        )
        if prompts.confirm(self, "Delete event", question):
            self._push(DeleteEventCommand(self.db, child.id, record, _while_alive(self._on_command_applied)))

    def selected_event(self) -> EventRecord | None:
        selection = self.chronology_view.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        index = rows[0] if rows else self.chronology_view.currentIndex()
        if not index.isValid():
            return None
        return self.chronology_model.row_at(index.row()).event

    # --- reading and drawing ----------------------------------------------------------------------------

    def _load(self, child_id: str) -> None:
        self._shown_id = child_id
        child = store.get_child(self.db, child_id)
        self._child = child
        if child is None:
            self._siblings, self._deadlines = [], []
            self.placeholder.setText(f"There is no child with ID {child_id}.")
            self.pages.setCurrentWidget(self.placeholder)
            return
        self._deadlines = store.compute_deadlines(self.db, self._as_of, child.id)
        self._siblings = siblings(self.db, child.fields.get("sibling_group"), exclude=child.id)
        out = None if self.db.is_sqlite else handover.checked_out(self.db).get(child.id)
        if out is not None:
            when = datetime.fromisoformat(out.at).astimezone()
            self.handover_label.setText(
                f"Out on a laptop with {out.by} since {when:%H:%M on %d/%m/%Y}: their changes come back at check-in."
            )
        self.handover_label.setVisible(out is not None)
        self.pages.setCurrentIndex(1)
        self._redraw()

    def _redraw(self) -> None:
        child = self._child
        if child is None:
            return
        self._draw_header(child)
        self.journey.set_steps(journey_position(child, self._as_of))
        self._draw_deadlines()
        self._draw_chronology()

    def _draw_header(self, child: ChildRecord) -> None:
        f = child.fields
        self.name_label.setText(child.name)
        identity = [f"ID {child.id}", birth_text(child, self._as_of)]
        if f.get("gender"):
            identity.append(choice_label("gender", f["gender"]))
        closed = closed_on(child)
        if closed is not None:
            identity.append(f"Record closed on {fmt_date(closed)} (not in Today)")
        self.identity_label.setText("  ·  ".join(identity))
        self.close_action.setText("Reopen the record" if closed is not None else "Close the record…")
        people = [
            f"Team: {f.get('team') or 'not recorded'}",
            f"Social worker: {f.get('social_worker') or 'not recorded'}",
            f"Reviewing officer: {f.get('reviewing_officer') or 'not recorded'}",
        ]
        self.people_label.setText("  ·  ".join(people))
        group = f.get("sibling_group")
        if not group:
            self.siblings_label.setText("No sibling group recorded")
        elif not self._siblings:
            self.siblings_label.setText(f"Sibling group {escape(group)}: no siblings recorded")
        else:
            links = ", ".join(
                f'<a href="{quote(s.id, safe="")}">{escape(s.name)} ({escape(s.id)})</a>'
                for s in self._siblings
            )
            self.siblings_label.setText(f"Sibling group {escape(group)}: {links}")
        tracked = tracked_from_text(child)
        self.tracked_label.setText(tracked + "." if tracked else "")
        self.tracked_label.setVisible(bool(tracked))

    def _draw_deadlines(self) -> None:
        self.deadlines_box.setTitle(f"Deadlines at {fmt_date(self._as_of)}")
        self.deadline_model.set_rows(work_first(self._deadlines))
        counts = Counter(d.status for d in self._deadlines)
        opening = self._child.opening if self._child is not None else None
        if opening is not None and self._as_of < opening.tracked_from:
            summary = (
                f"Nothing to judge at this date: the record is complete from "
                f"{fmt_date(opening.tracked_from)}."
            )
        elif not self._deadlines:
            summary = "No deadlines: nothing in the chronology starts a clock by this date."
        else:
            parts = [f"{len(self._deadlines)} deadline{'s' if len(self._deadlines) != 1 else ''}"]
            for status, word in (
                (Status.OVERDUE, "overdue"),
                (Status.DUE_SOON, "due soon"),
                (Status.MET_LATE, "met late"),
            ):
                if counts[status]:
                    parts.append(f"{counts[status]} {word}")
            summary = ", ".join(parts)
        self.deadline_summary.setText(summary)
        self._fit_rows.start()

    def _draw_chronology(self) -> None:
        child = self._child
        if child is None:
            return
        selected = self.selected_event()
        stage = self.stage_filter.currentData()
        rows = chronology_rows(child, self._as_of, Stage(stage) if stage else None)
        self.chronology_model.set_rows(rows)
        total = len(child.events)
        shown = (
            f"{len(rows)} of {total} events"
            if len(rows) != total
            else f"{total} event{'s' if total != 1 else ''}"
        )
        later = sum(1 for r in rows if not r.counted)
        if later:
            shown += f" ({later} after {fmt_date(self._as_of)}, not counted)"
        self.event_count_label.setText(shown)
        if selected is not None:
            self._select_event(selected.id)

    def _select_event(self, event_id: str) -> None:
        row = self.chronology_model.row_of(event_id)
        if row < 0:
            return
        index = self.chronology_model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        selection = self.chronology_view.selectionModel()
        if selection is not None:
            selection.setCurrentIndex(index, flags)
        self.chronology_view.scrollTo(index)

    # --- changes ------------------------------------------------------------------------------------------

    def _push(self, command: StoreCommand) -> bool:
        """Apply a change through the undo stack; False (after saying why) when it was not saved."""
        command.on_failed = _while_alive(self._on_command_failed)
        try:
            return push_or_explain(self, self.undo_stack, command)
        except store.ValidationError as exc:
            prompts.show_error(
                self,
                "Not saved",
                "The change was refused:\n\n"
                + "\n".join(issue_sentence(i, self._child, None) for i in exc.issues),
            )
            return False

    def _on_command_applied(self, child_id: str) -> None:
        self.child_changed.emit(child_id)

    def _on_undo_stack_index_changed(self, _index: int) -> None:
        # Any change, undo or redo on the shared stack (the shell's "new child" too) may concern
        # the child shown or a sibling's name: reading one child again is cheap.
        if self._shown_id is not None:
            self._load(self._shown_id)

    def _on_command_failed(self, child_id: str, error: Exception) -> None:
        prompts.show_error(
            self,
            "Undo not possible",
            f"The change to {child_id} could not be undone or redone, because the record has changed "
            f"since:\n\n{error}",
        )
        if self._shown_id is not None:
            self._load(self._shown_id)

    # --- handlers -------------------------------------------------------------------------------------------

    def _on_drp_menu_about_to_show(self) -> None:
        if self._child is not None:
            self.drp.fill_menu(self.drp_menu, self._child)

    def _on_siblings_label_link_activated(self, link: str) -> None:
        self.open_child_requested.emit(unquote(link))

    def _on_deadline_header_section_resized(self, _section: int, _old: int, _new: int) -> None:
        self._fit_rows.start()

    def _on_stage_filter_current_index_changed(self, _index: int) -> None:
        self._draw_chronology()

    def _drp_categories(self) -> tuple[str, ...]:
        """The authority's escalation categories (and good practice), for the event form."""
        categories = load_settings(self.db).drp_categories
        return (*categories, GOOD_PRACTICE) if GOOD_PRACTICE not in categories else categories

    def set_read_only(self, read_only: bool) -> None:
        """Reading only (a database opened --read-only): nothing on the page offers to change it."""
        self._read_only = read_only
        for widget in (self.add_event_button, self.edit_details_button, self.record_button):
            widget.setEnabled(not read_only)
        for action in (self.edit_event_action, self.delete_event_action):
            action.setEnabled(not read_only)
        self.edit_hint.setVisible(not read_only)

    def _on_chronology_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and not self._read_only:
            self.edit_selected_event()


def _while_alive(method: Callable[P, None]) -> Callable[P, None]:
    """A callback to a page method that holds the page weakly and does nothing once it is deleted."""
    ref = weakref.WeakMethod(method)

    def call(*args: P.args, **kwargs: P.kwargs) -> None:
        bound = ref()
        if bound is not None and shiboken6.isValid(bound.__self__):  # type: ignore[attr-defined]
            bound(*args, **kwargs)

    return call


def _table_defaults(view: QTableView) -> None:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    # No sort until the user clicks a header: the rows keep the order they were given in.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setHighlightSections(False)
