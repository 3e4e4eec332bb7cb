"""Choosing a report: which one, for which period, at which as-of date, for which officer or child.

The period is a month by default; a quarter, an ISO week or a financial year can be chosen instead
(the board report is usually run for a quarter). The board report's PIRO commentary for the chosen
period is written from here (*Commentary…*).

The main window calls `open_reports(parent, db, as_of)` from its Reports menu (Ctrl+P): it asks with
`ReportDialog.ask`, builds the PDF and shows it in a `ReportPreview` with Print and Save as PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.domain.period import Period
from models.reports.common import ReportError, ReportRequest
from models.reports.registry import (
    READ_ONLY_SAVE,
    REPORTS,
    build_report,
    make_request,
    render_per_officer,
    save_rendered,
)
from models.screens.child_view import known_values
from models.screens.facts import child_choices
from models.storage.db import Database
from views import prompts
from views.commentary_dialog import CommentaryDialog
from views.date_edit import DateEdit
from views.field_widgets import ERROR_STYLE
from views.period_picker import PeriodPicker
from views.report_preview import ReportPreview

ALL_OFFICERS = "All reviewing officers"


class ReportDialog(QDialog):
    """Pick a report, its month, its as-of date, and the officer (tracker) or child (chronology).

    Args:
        officers: the reviewing officers to offer for the tracker.
        children: (id, name) of the children to offer for the chronology.
        as_of: the as-of date to start from (the main window's).
        name: the report to start on; child_id: the child to start on (the one on screen).
    """

    def __init__(
        self,
        officers: list[str],
        children: list[tuple[str, str]],
        as_of: date,
        parent: QWidget | None = None,
        *,
        name: str = "tracker",
        child_id: str | None = None,
        run: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reports")
        self._request: ReportRequest | None = None
        self._run: Runner = run or _here

        self.report_combo = QComboBox(self)
        for spec in REPORTS.values():
            self.report_combo.addItem(spec.title, spec.name)
        self.report_combo.setCurrentIndex(max(self.report_combo.findData(name), 0))

        self.as_of_edit = DateEdit(self)
        self.as_of_edit.set_value(as_of)
        self.period_picker = PeriodPicker(as_of, self)
        self.kind_combo = self.period_picker.kind_combo
        self.month_combo = self.period_picker.month_combo
        self.commentary_button = QPushButton("&Commentary…", self)
        self.commentary_button.setToolTip(
            "The PIRO's commentary for this period, printed in the board report"
        )
        self.per_officer_button = QPushButton("One file per officer…", self)
        self.per_officer_button.setToolTip(
            "Write the tracker as one PDF per reviewing officer into a folder, each numbered from page 1"
        )

        self.officer_combo = QComboBox(self)
        self.officer_combo.addItem(ALL_OFFICERS, None)
        for officer in officers:
            self.officer_combo.addItem(officer, officer)

        self.child_combo = QComboBox(self)
        self.child_combo.setEditable(True)
        self.child_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for cid, child_name in children:
            self.child_combo.addItem(f"{cid} – {child_name}" if child_name != cid else cid, cid)
        completer = self.child_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.child_combo.setCurrentIndex(self.child_combo.findData(child_id) if child_id else -1)
        if child_id is None:
            self.child_combo.setEditText("")
        self.child_combo.lineEdit().setPlaceholderText("Child's id or name")  # type: ignore[union-attr]

        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)

        form = QFormLayout()
        form.addRow("&Report:", self.report_combo)
        period_row = QHBoxLayout()
        period_row.addWidget(self.period_picker, 1)
        period_row.addWidget(self.commentary_button)
        form.addRow("&Period:", period_row)
        form.addRow("&As of:", self.as_of_edit)
        officer_row = QHBoxLayout()
        officer_row.addWidget(self.officer_combo, 1)
        officer_row.addWidget(self.per_officer_button)
        form.addRow("Reviewing &officer:", officer_row)
        form.addRow("C&hild:", self.child_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.preview_button = buttons.addButton("&Preview", QDialogButtonBox.ButtonRole.AcceptRole)
        self.preview_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.report_combo.currentIndexChanged.connect(self._on_report_combo_current_index_changed)
        self.commentary_button.clicked.connect(self._on_commentary_button_clicked)
        self.per_officer_button.clicked.connect(self._on_per_officer_button_clicked)
        self._db: Database | None = None
        self.as_of_edit.date_changed.connect(self._on_as_of_edit_date_changed)
        self._update_fields()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        db: Database,
        as_of: date,
        *,
        name: str = "tracker",
        child_id: str | None = None,
        run: Runner | None = None,
    ) -> ReportRequest | None:
        """Ask which report to make; None if cancelled. `run` makes the officers' files (see
        `Runner`)."""
        officers = known_values(db).get("reviewing_officer", [])
        dialog = cls(officers, child_choices(db), as_of, parent, name=name, child_id=child_id, run=run)
        dialog._db = db
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.request()

    # --- Values -----------------------------------------------------------------------------

    def report_name(self) -> str:
        return str(self.report_combo.currentData())

    def period(self) -> Period | None:
        return self.period_picker.period()

    def officer(self) -> str | None:
        data = self.officer_combo.currentData()
        return str(data) if data else None

    def child_id(self) -> str | None:
        text = self.child_combo.currentText().strip()
        if not text:
            return None
        index = self.child_combo.findText(text)
        if index >= 0:
            return str(self.child_combo.itemData(index))
        return text.split(" – ", 1)[0].strip()

    def request(self) -> ReportRequest | None:
        """The request the fields describe, or None (with the reason shown) when they do not make one."""
        as_of = self.as_of_edit.value()
        if as_of is None:
            self._fail(self.as_of_edit.error() or "Type the as-of date (dd/mm/yyyy).")
            return None
        name = self.report_name()
        try:
            return make_request(
                name,
                as_of,
                self.period(),
                self.officer() if name == "tracker" else None,
                self.child_id() if REPORTS[name].needs_child else None,
            )
        except ReportError as exc:
            self._fail(str(exc).replace(" (--child ID)", ""))
            return None

    def _fail(self, reason: str) -> None:
        self.error_label.setText(reason)
        self.error_label.setVisible(True)
        return None

    def accept(self) -> None:
        request = self.request()
        if request is None:
            return
        self._request = request
        super().accept()

    # --- Reacting ---------------------------------------------------------------------------

    def _update_fields(self) -> None:
        name = self.report_name()
        self.officer_combo.setEnabled(name == "tracker")
        self.child_combo.setEnabled(REPORTS[name].needs_child)
        self.commentary_button.setVisible(name == "board")
        # The commentary is saved in the database: not while it is open read-only.
        self.commentary_button.setEnabled(self._db is None or not self._db.read_only)
        self.per_officer_button.setVisible(name == "tracker")
        self.error_label.setVisible(False)

    def _on_report_combo_current_index_changed(self, _index: int) -> None:
        self._update_fields()

    def _on_commentary_button_clicked(self) -> None:
        period = self.period()
        if self._db is not None and period is not None:
            CommentaryDialog.ask(self, self._db, period)

    def _on_per_officer_button_clicked(self) -> None:
        """Every officer's tracker sheet as its own PDF in a folder the person picks."""
        request = self.request()
        if request is None or self._db is None:
            return
        if self._db.read_only:  # said before a folder is asked for, let alone written to
            self._fail(READ_ONLY_SAVE)
            return
        folder = prompts.ask_folder(self, "Folder for the officers' tracker sheets")
        if folder is None:
            return
        db = self._db
        try:
            # Made in the background (Cancel writes nothing), then written here: quick, and audited.
            made = self._run(
                self,
                "Making the officers' tracker sheets…",
                lambda: render_per_officer(db, replace(request, officer=None)),
            )
            if made is None:
                return
            written = save_rendered(db, made, folder)
        except (ReportError, OSError) as exc:
            self._fail(str(exc))
            return
        prompts.show_info(
            self,
            "Tracker sheets written",
            f"{len(written)} officers' tracker sheets were written to {folder}.",
        )

    def _on_as_of_edit_date_changed(self, value: object) -> None:
        if isinstance(value, date):
            self.period_picker.fill(value, self.period() or Period.last_complete_before(value))


_T = TypeVar("_T")


class Runner(Protocol):
    """Runs the making of a report for the person waiting and returns it, or None once they cancel.
    The application passes `desktop.work.run_cancellable` (off the GUI thread, with Cancel)."""

    def __call__(self, parent: QWidget | None, label: str, fn: Callable[[], _T], /) -> _T | None: ...


def _here(_parent: QWidget | None, _label: str, fn: Callable[[], _T], /) -> _T | None:
    return fn()


def show_report(
    parent: QWidget | None, db: Database, request: ReportRequest, run: Runner = _here
) -> ReportPreview | None:
    """Build the report and show it in a preview (not modal); None, with a message, if it cannot be
    made, or if the person cancelled while it was being made."""
    try:
        pdf = run(
            parent, f"Making the {REPORTS[request.name].title.lower()}…", lambda: build_report(db, request)
        )
    except ReportError as exc:
        prompts.show_error(parent, "The report cannot be made", str(exc))
        return None
    if pdf is None:
        return None
    preview = ReportPreview(pdf, request, db, parent)
    preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    preview.show()
    return preview


def open_reports(
    parent: QWidget | None,
    db: Database,
    as_of: date,
    *,
    name: str = "tracker",
    child_id: str | None = None,
    run: Runner = _here,
) -> ReportPreview | None:
    """The Reports menu (Ctrl+P): pick a report, then preview it with Print and Save as PDF.

    Args:
        as_of: the main window's as-of date; name: the report to offer first; child_id: the child
            on screen, offered for the chronology; run: where the PDF is made (see `Runner`).

    Returns:
        The preview shown, or None if the person cancelled or the report could not be made.
    """
    request = ReportDialog.ask(parent, db, as_of, name=name, child_id=child_id, run=run)
    if request is None:
        return None
    return show_report(parent, db, request, run)
