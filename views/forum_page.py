"""The permanence forum and caseloads on screen: the agenda for a date, and who carries how many.

Forum: the date of the forum (the main window's as-of date by default), the five groups of
`models.screens.forum` in one list, each child with why they are on it; double-click opens the
child, where the forum's outcome is recorded as a Permanence forum event; the minutes of the date
below. Caseloads: each social worker, reviewing officer and team with their children now and over
12 months, and a sentence against the standard for anyone above it.

Signals:
    open_child_requested(str): the person asked to open this child's record.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from models.domain.rules import Rag
from models.screens.caseloads import CaseloadRow, Caseloads, caseloads
from models.screens.facts import load_caseload
from models.screens.forum import Agenda, AgendaItem, MinuteItem, forum_agenda
from models.storage.db import Database
from views.date_edit import DateEdit
from views.labels import fmt_date
from views.live_rows import Runner, run_now
from views.row_model import RowTableModel
from views.tables import list_table


class AgendaModel(RowTableModel[AgendaItem]):
    HEADERS: ClassVar = {
        0: "Group",
        1: "Child",
        2: "Name",
        3: "Social worker",
        4: "Reviewing officer",
        5: "Why",
    }

    def display(self, row: AgendaItem, column: int) -> str:
        return [
            row.group_title,
            row.child_id,
            row.name,
            row.social_worker,
            row.reviewing_officer,
            row.reason,
        ][column]

    def sort_value(self, row: AgendaItem, column: int) -> Any:
        return [row.group, row.child_id, row.name, row.social_worker, row.reviewing_officer, row.key_date][
            column
        ]

    def row_id(self, row: AgendaItem) -> str:
        return row.child_id


class MinuteModel(RowTableModel[MinuteItem]):
    HEADERS: ClassVar = {0: "Child", 1: "Name", 2: "Outcome", 3: "Actions", 4: "Next review"}

    def display(self, row: MinuteItem, column: int) -> str:
        return [row.child_id, row.name, row.outcome, row.actions, fmt_date(row.next_review)][column]

    def sort_value(self, row: MinuteItem, column: int) -> Any:
        return [row.child_id, row.name, row.outcome, row.actions, row.next_review][column]

    def row_id(self, row: MinuteItem) -> str:
        return row.child_id


class CaseloadModel(RowTableModel[CaseloadRow]):
    HEADERS: ClassVar = {
        0: "Who",
        1: "Role",
        2: "Children now",
        3: "12 months ago",
        4: "Highest",
        5: "Against the standard",
    }
    RIGHT_ALIGNED: ClassVar = frozenset({2, 3, 4})

    def display(self, row: CaseloadRow, column: int) -> str:
        return [
            row.name,
            row.kind,
            str(row.now),
            str(row.counts[0]) if row.counts else "",
            str(max(row.counts, default=0)),
            ("Above the standard: " if row.over else "") + row.judgement,
        ][column]

    def sort_value(self, row: CaseloadRow, column: int) -> Any:
        return [
            row.name,
            row.kind,
            row.now,
            row.counts[0] if row.counts else 0,
            max(row.counts, default=0),
            row.over,
        ][column]

    def row_id(self, row: CaseloadRow) -> str:
        return f"{row.kind}:{row.name}"

    def rag(self, row: CaseloadRow, column: int) -> Rag | None:
        return Rag.RED if column == 5 and row.over else None


def _build(db: Database, day: date) -> tuple[Agenda, Caseloads]:
    caseload = load_caseload(db, day)
    return forum_agenda(caseload), caseloads(caseload)


class ForumPage(QWidget):
    open_child_requested = Signal(str)

    def __init__(
        self, db: Database, as_of: date, parent: QWidget | None = None, *, run: Runner = run_now
    ) -> None:
        super().__init__(parent)
        self.db = db
        self._run = run
        self._stale = True
        self.agenda: Agenda | None = None
        self.date_edit = DateEdit(self)
        self.date_edit.set_value(as_of)
        self.refresh_button = QPushButton("Show", self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.agenda_model = AgendaModel(self)
        self.agenda_view = list_table(
            self, self.agenda_model, widths={0: 260, 1: 110, 2: 150, 3: 110, 4: 110}, stretch_last=True
        )
        self.minute_model = MinuteModel(self)
        self.minute_view = list_table(
            self, self.minute_model, widths={0: 110, 1: 150, 2: 320}, stretch_last=True
        )
        self.caseload_model = CaseloadModel(self)
        self.caseload_view = list_table(
            self, self.caseload_model, widths={0: 160, 1: 130, 2: 100, 3: 100, 4: 80}, stretch_last=True
        )
        self.flags = QLabel(self)
        self.flags.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Forum on", self))
        top.addWidget(self.date_edit)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        forum = QWidget(self)
        forum_layout = QVBoxLayout(forum)
        forum_layout.addWidget(self.agenda_view, 3)
        forum_layout.addWidget(QLabel("Minutes: the Permanence forum events recorded for this date", forum))
        forum_layout.addWidget(self.minute_view, 1)
        loads = QWidget(self)
        loads_layout = QVBoxLayout(loads)
        loads_layout.addWidget(self.flags)
        loads_layout.addWidget(self.caseload_view, 1)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(forum, "Permanence forum agenda")
        self.tabs.addTab(loads, "Caseloads")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.agenda_view.doubleClicked.connect(self._on_agenda_view_double_clicked)
        self.minute_view.doubleClicked.connect(self._on_minute_view_double_clicked)

    def set_as_of(self, day: date) -> None:
        self.date_edit.set_value(day)
        self.refresh()

    def set_database(self, db: Database) -> None:
        self.db = db
        self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        day = self.date_edit.value()
        if day is None:
            self.status.setText(self.date_edit.error() or "Type the forum's date (dd/mm/yyyy).")
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self.status.setText(f"Gathering the agenda for {fmt_date(day)}…")
        db = self.db
        self._run(lambda: _build(db, day), self._on_built, self._on_failed)

    def _on_built(self, result: tuple[Agenda, Caseloads]) -> None:
        agenda, loads = result
        self.agenda = agenda
        self.agenda_model.set_rows(agenda.items)
        self.minute_model.set_rows(agenda.minutes)
        self.status.setText(
            f"Forum on {fmt_date(agenda.day)}: {len(agenda.children)} children, {len(agenda.items)} items; "
            f"{len(agenda.minutes)} decisions recorded. Double-click a child to open their record and record the "
            "forum's outcome as a Permanence forum event. Reports ▸ Permanence forum prints the agenda and minutes."
        )
        self.caseload_model.set_rows([*loads.workers, *loads.officers, *loads.teams])
        flagged = loads.flagged
        if len(flagged) == 1:
            self.flags.setText(flagged[0].judgement)
        elif flagged:
            self.flags.setText(
                f"{len(flagged)} people are above their caseload standard, each named with a sentence in the "
                "last column below (most children first)."
            )
        else:
            self.flags.setText("Nobody is above the caseload standard.")

    def _on_failed(self, exc: Exception) -> None:
        self.status.setText(f"The agenda could not be gathered: {exc}")

    def _on_agenda_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_child_requested.emit(self.agenda_model.row_at(index.row()).child_id)

    def _on_minute_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_child_requested.emit(self.minute_model.row_at(index.row()).child_id)
