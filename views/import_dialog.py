"""File ▸ Import…: one dialog for every file a council has — journey files, Ofsted Annex A workbooks,
SSDA903 returns (a folder of CSV tables, or XML), the CIN census, and any CSV or XLSX through a
column mapping made here once and saved by name.

Pick files or a folder, see the format detected for each, map the spreadsheets, preview (per
source: children and events to add, update and leave; every problem with file, sheet, row and
column; what each source cannot hold and the `tracked_from` it sets, which can be changed), then
import all or nothing, or the valid children only. Preview and import run off the GUI thread (the
runner given, `desktop.work.run_in_background` in the application) with progress and Cancel;
a cancelled import is rolled back and writes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, QSize, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.domain.calendar import FIRST_YEAR, LAST_YEAR
from models.domain.journey import EVENT_TYPES
from models.io.journey_io import ImportCancelled, ImportError_, ImportResult
from models.io.sources import detect as detect_mod
from models.io.sources.common import SourceError
from models.io.sources.files import sheet_names
from models.io.sources.mapped import (
    MappingError,
    check_mapping,
    headers_of,
    load_mapping,
    mapping_names,
    save_mapping,
)
from models.io.sources.merge import Preview, import_preview, plan_import, read_sources
from models.storage.db import Database
from views import prompts
from views.live_rows import Runner, run_now
from views.screen_fit import fit_to_screen

#: Child fields a mapping may fill, with their labels.
MAPPED_FIELDS = (
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("date_of_birth", "Date of birth"),
    ("gender", "Gender"),
    ("social_worker", "Social worker"),
    ("team", "Team"),
    ("reviewing_officer", "Reviewing officer (IRO / CP chair)"),
)
EVENT_ROWS = 4
_NONE = "(not used)"


def _short(paths: list[Path]) -> str:
    """A source as the table shows it: a file's name, or a folder's name and its tables."""
    if len(paths) == 1:
        return paths[0].name
    return f"{paths[0].parent.name}/ ({len(paths)} tables)"


class _Progress(QObject):
    """Lives on the GUI thread; the worker emits, the dialog shows (a queued connection)."""

    changed = Signal(int, int, str)


class MappingEditor(QGroupBox):
    """The column mapping for a spreadsheet: a saved one, or one made here and saved by name."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__("Column mapping for spreadsheets", parent)
        self.db = db
        self.saved = QComboBox(self)
        self.saved.setObjectName("saved_mappings")
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("a name, e.g. court team tracker")
        self.sheet = QComboBox(self)
        self.header_row = QSpinBox(self)
        self.header_row.setRange(1, 20)
        self.child_id = QComboBox(self)
        self.fields = {name: QComboBox(self) for name, _label in MAPPED_FIELDS}
        self.event_types = [QComboBox(self) for _ in range(EVENT_ROWS)]
        self.event_dates = [QComboBox(self) for _ in range(EVENT_ROWS)]
        self.save_button = QPushButton("Save mapping", self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self._path: Path | None = None

        form = QFormLayout()
        form.addRow("Saved mappings", self.saved)
        form.addRow("Name", self.name)
        form.addRow("Sheet", self.sheet)
        form.addRow("Header row", self.header_row)
        form.addRow("Child ID column", self.child_id)
        for name, label in MAPPED_FIELDS:
            form.addRow(label, self.fields[name])
        events = QGridLayout()
        events.addWidget(QLabel("Event"), 0, 0)
        events.addWidget(QLabel("Date column"), 0, 1)
        for i in range(EVENT_ROWS):
            self.event_types[i].addItem(_NONE, None)
            for name, kind in EVENT_TYPES.items():
                self.event_types[i].addItem(kind.label, name)
            events.addWidget(self.event_types[i], i + 1, 0)
            events.addWidget(self.event_dates[i], i + 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(events)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.message, 1)
        layout.addLayout(row)
        self.saved.activated.connect(self._on_saved_activated)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.header_row.valueChanged.connect(self._on_header_row_changed)
        self.sheet.activated.connect(self._on_sheet_activated)
        #: The saved mapping last loaded: what the form does not show (an event's other fields,
        #: `untracked`, `tracked_from`) is kept from it.
        self._loaded: dict[str, Any] = {}
        self.reload_saved()

    def reload_saved(self, select: str | None = None) -> None:
        self.saved.clear()
        self.saved.addItem("(new mapping)", None)
        for name in mapping_names(self.db):
            self.saved.addItem(name, name)
        if select is not None:
            self.saved.setCurrentIndex(max(0, self.saved.findData(select)))

    def set_file(self, path: Path | None) -> None:
        """Offer the sheets (of a workbook) and the columns of this spreadsheet."""
        self._path = path
        self.sheet.clear()
        if path is not None and path.suffix.lower() in (".xlsx", ".xlsm"):
            try:
                self.sheet.addItems(sheet_names(path))
            except SourceError as exc:
                self.message.setText(str(exc))
        self.sheet.setEnabled(self.sheet.count() > 1)
        self._load_columns()

    def _on_sheet_activated(self, _index: int) -> None:
        self._load_columns()

    def _sheet(self) -> str | None:
        return self.sheet.currentText() or None

    def _load_columns(self) -> None:
        columns: list[str] = []
        if self._path is not None:
            try:
                columns = [c for c in headers_of(self._path, self._sheet(), self.header_row.value()) if c]
            except SourceError as exc:
                self.message.setText(str(exc))
        for combo in (self.child_id, *self.fields.values(), *self.event_dates):
            current = combo.currentText()
            combo.clear()
            if combo is not self.child_id:
                combo.addItem(_NONE)
            combo.addItems(columns)
            if current in columns:
                combo.setCurrentText(current)

    def _on_header_row_changed(self, _value: int) -> None:
        self._load_columns()

    def _on_saved_activated(self, index: int) -> None:
        name = self.saved.itemData(index)
        if name is None:
            return
        mapping = load_mapping(self.db, name)
        self._loaded = mapping
        self.name.setText(name)
        if mapping.get("sheet") and self.sheet.findText(mapping["sheet"]) >= 0:
            self.sheet.setCurrentText(mapping["sheet"])
        self.header_row.setValue(int(mapping.get("header_row", 1)))
        self.child_id.setCurrentText(mapping["child_id"])
        for field_name, combo in self.fields.items():
            combo.setCurrentText(mapping.get("fields", {}).get(field_name, _NONE))
        events = mapping.get("events", [])
        for i in range(EVENT_ROWS):
            event = events[i] if i < len(events) else None
            self.event_types[i].setCurrentIndex(
                max(0, self.event_types[i].findData(event["type"])) if event else 0
            )
            self.event_dates[i].setCurrentText(event["date"] if event else _NONE)

    def mapping(self) -> dict[str, Any]:
        """The mapping as the form shows it (checked), or a MappingError saying what is missing."""
        fields = {
            name: combo.currentText()
            for name, combo in self.fields.items()
            if combo.currentText() and combo.currentText() != _NONE
        }
        loaded = {(e.get("type"), e.get("date")): e for e in self._loaded.get("events", [])}
        events = []
        for kind, column in zip(self.event_types, self.event_dates, strict=True):
            if kind.currentData() is not None:
                if column.currentText() in ("", _NONE):
                    raise MappingError(f"Choose the date column of '{kind.currentText()}'.")
                key = (kind.currentData(), column.currentText())
                events.append(dict(loaded.get(key, {"type": key[0], "date": key[1]})))
        mapping: dict[str, Any] = {
            **{k: v for k, v in self._loaded.items() if k in ("untracked", "tracked_from")},
            "child_id": self.child_id.currentText(),
            "fields": fields,
            "events": events,
            "header_row": self.header_row.value(),
        }
        if self._sheet():
            mapping["sheet"] = self._sheet()
        return check_mapping(mapping)

    def chosen(self) -> tuple[str, dict[str, Any]]:
        name = self.name.text().strip()
        if not name:
            raise MappingError("Give the mapping a name: its events are known by it at the next import.")
        return name, self.mapping()

    def _on_save_clicked(self) -> None:
        try:
            name, mapping = self.chosen()
            save_mapping(self.db, name, mapping)
        except MappingError as exc:
            self.message.setText(str(exc))
            return
        self.reload_saved(select=name)
        self.message.setText(f"Mapping '{name}' saved.")


class ImportDialog(QDialog):
    """Signals:
    preview_ready(object): a `Preview` has been built (nothing written).
    imported(object): an `ImportResult`, after the children were written.
    work_ended(str): a background step ended: 'preview', 'import', 'cancelled' or 'failed'.
    """

    preview_ready = Signal(object)
    imported = Signal(object)
    work_ended = Signal(str)

    def __init__(
        self,
        db: Database,
        data_dir: Path | None = None,
        parent: QWidget | None = None,
        *,
        run: Runner = run_now,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.db = db
        self.data_dir = data_dir
        self._run = run
        self._today = today
        self.paths: list[Path] = []
        self.preview: Preview | None = None
        self.import_result: ImportResult | None = None
        self._cancel = threading.Event()
        self._progress = _Progress(self)
        self._progress.changed.connect(self._on_progress_changed)

        self.path_list = QListWidget(self)
        self.path_list.setMaximumHeight(90)
        self.add_files_button = QPushButton("Add files…", self)
        self.add_folder_button = QPushButton("Add folder…", self)
        self.remove_button = QPushButton("Remove", self)
        self.detected = QTableWidget(0, 2, self)
        self.detected.setHorizontalHeaderLabels(["File or folder", "Format detected"])
        self._table_style(self.detected)
        self.detected.setMinimumHeight(110)
        self.detected.setWordWrap(False)
        self.mapping_editor = MappingEditor(db, self)
        self.mapping_editor.setVisible(False)
        self.tracked_from_check = QCheckBox("Tracked from (the extract's date) for every source:", self)
        self.tracked_from = QDateEdit(self)
        self.tracked_from.setCalendarPopup(True)
        self.tracked_from.setDisplayFormat("dd/MM/yyyy")
        day = today()
        self.tracked_from.setDate(QDate(day.year, day.month, day.day))
        self.tracked_from.setEnabled(False)
        self.tracked_from.setDateRange(QDate(FIRST_YEAR, 1, 1), QDate(LAST_YEAR, 12, 31))
        self.source_wins = QCheckBox("Where a file and the record disagree, take the file's value", self)
        self.valid_only = QCheckBox("Import the valid children only (skip those with problems)", self)
        self.preview_button = QPushButton("Preview", self)
        self.import_button = QPushButton("Import", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.close_button = QPushButton("Close", self)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.status = QLabel("Add the files or folders to import.", self)
        self.status.setWordWrap(True)
        self.sources_table = QTableWidget(0, 5, self)
        self.sources_table.setHorizontalHeaderLabels(
            [
                "Source",
                "Tracked from",
                "Children: add / update / same / problems",
                "Events: add / update / same",
                "Cannot hold",
            ]
        )
        self._table_style(self.sources_table)
        for column in range(4):
            self.sources_table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(
            "The preview lists every problem here, with file, sheet, row and column."
        )

        picks = QHBoxLayout()
        for button in (self.add_files_button, self.add_folder_button, self.remove_button):
            picks.addWidget(button)
        picks.addStretch(1)
        options = QVBoxLayout()
        tracked = QHBoxLayout()
        tracked.addWidget(self.tracked_from_check)
        tracked.addWidget(self.tracked_from)
        tracked.addStretch(1)
        options.addLayout(tracked)
        options.addWidget(self.source_wins)
        options.addWidget(self.valid_only)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        for button in (self.preview_button, self.import_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(QLabel("Files and folders", self))
        left.addWidget(self.path_list)
        left.addLayout(picks)
        left.addWidget(self.detected, 1)
        left.addLayout(options)
        top = QHBoxLayout()
        top.addLayout(left, 3)
        top.addWidget(self.mapping_editor, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 2)
        layout.addWidget(self.sources_table, 1)
        layout.addWidget(self.details, 2)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(1280, 800))  # Import / Cancel / Close stay on a 1366 x 768 screen

        self.add_files_button.clicked.connect(self._on_add_files_clicked)
        self.add_folder_button.clicked.connect(self._on_add_folder_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.tracked_from_check.toggled.connect(self.tracked_from.setEnabled)
        self.tracked_from_check.toggled.connect(self._on_options_changed)
        self.source_wins.toggled.connect(self._on_options_changed)
        self.valid_only.toggled.connect(self._update_buttons)
        self.preview_button.clicked.connect(self.start_preview)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        self._working = False
        self._needs_mapping = False
        self._update_buttons()

    @staticmethod
    def _table_style(table: QTableWidget) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)

    # ---- choosing files ----------------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.paths:
                self.paths.append(path)
        self._paths_changed()

    def _on_add_files_clicked(self) -> None:
        self.add_paths(prompts.ask_open_import_files(self, self.data_dir))

    def _on_add_folder_clicked(self) -> None:
        folder = prompts.ask_open_import_folder(self, self.data_dir)
        if folder is not None:
            self.add_paths([folder])

    def _on_remove_clicked(self) -> None:
        row = self.path_list.currentRow()
        if 0 <= row < len(self.paths):
            del self.paths[row]
            self._paths_changed()

    def _paths_changed(self) -> None:
        self.path_list.clear()
        self.path_list.addItems([str(p) for p in self.paths])
        detection = detect_mod.detect(self.paths)
        rows = [(_short(f.paths), f.name, f.label) for f in detection.found] + [
            (r.split(":", 1)[0], r.split(":", 1)[0], r.split(":", 1)[-1].strip()) for r in detection.refused
        ]
        self.detected.setRowCount(len(rows))
        for i, (short, full, label) in enumerate(rows):
            name_item, label_item = QTableWidgetItem(short), QTableWidgetItem(label)
            name_item.setToolTip(full)
            label_item.setToolTip(label)
            self.detected.setItem(i, 0, name_item)
            self.detected.setItem(i, 1, label_item)
        self.detected.resizeColumnToContents(0)
        spreadsheets = [f.paths[0] for f in detection.found if f.format == detect_mod.MAPPED]
        self._needs_mapping = bool(spreadsheets)
        self.mapping_editor.setVisible(bool(spreadsheets))
        self.mapping_editor.set_file(spreadsheets[0] if spreadsheets else None)
        self._forget_preview()
        self.status.setText(
            f"{len(detection.found)} source(s) detected"
            + (f", {len(detection.refused)} refused" if detection.refused else "")
            + (
                "; map the spreadsheet's columns, then preview."
                if spreadsheets
                else "; preview to see what will come in."
            )
        )

    def _on_options_changed(self, _checked: bool) -> None:
        self._forget_preview()

    def _forget_preview(self) -> None:
        self.preview = None
        self.sources_table.setRowCount(0)
        self.details.clear()
        self._update_buttons()

    # ---- background work -----------------------------------------------------------------------

    def _update_buttons(self, *_args: Any) -> None:
        working = self._working
        for widget in (
            self.add_files_button,
            self.add_folder_button,
            self.remove_button,
            self.preview_button,
        ):
            widget.setEnabled(not working)
        self.preview_button.setEnabled(not working and bool(self.paths))
        can_import = self.preview is not None and (self.preview.clean or self.valid_only.isChecked())
        self.import_button.setEnabled(not working and can_import)
        self.cancel_button.setEnabled(working)
        self.close_button.setEnabled(not working)
        self.progress.setVisible(working)

    def _start(self, label: str, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self._working = True
        self.progress.setRange(0, 0)
        self.status.setText(label)
        self._update_buttons()
        self._run(fn, on_done, self._on_work_failed)

    def start_preview(self) -> None:
        mapping = None
        if self._needs_mapping:
            try:
                mapping = self.mapping_editor.chosen()
            except MappingError as exc:
                self.status.setText(str(exc))
                return
        paths = list(self.paths)
        qdate = self.tracked_from.date()
        tracked = (
            date(qdate.year(), qdate.month(), qdate.day()) if self.tracked_from_check.isChecked() else None
        )
        source_wins = self.source_wins.isChecked()
        cancel, progress, db, today = threading.Event(), self._progress, self.db, self._today()
        self._cancel = cancel

        def work() -> Preview:
            sources, refused, passed = read_sources(
                paths, mapping, progress=progress.changed.emit, cancelled=cancel.is_set
            )
            return plan_import(
                db,
                sources,
                refused=refused,
                passed_over=passed,
                tracked_from=tracked,
                source_wins=source_wins,
                cancelled=cancel.is_set,
                progress=progress.changed.emit,
                today=today,
            )

        self._start("Reading the files…", work, self._on_preview_done)

    def start_import(self) -> None:
        preview = self.preview
        if preview is None:
            return
        valid_only, db = self.valid_only.isChecked(), self.db
        cancel = threading.Event()
        self._cancel = cancel

        def work() -> ImportResult:
            return import_preview(db, preview, valid_only=valid_only, cancelled=cancel.is_set)

        self._start("Importing…", work, self._on_import_done)

    def cancel(self) -> None:
        self._cancel.set()
        self.status.setText("Cancelling… nothing will be written.")

    def _on_progress_changed(self, done: int, total: int, text: str) -> None:
        if self._working and total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status.setText(text)

    def _on_preview_done(self, preview: Preview) -> None:
        self._working = False
        self.preview = preview
        self.sources_table.setRowCount(len(preview.sources))
        for i, (source, counts) in enumerate(zip(preview.sources, preview.counts, strict=True)):
            cells = (
                f"{source.label}: {source.path.name}",
                f"{source.tracked_from:%d/%m/%Y}" if source.tracked_from else "",
                f"{counts.children_added} / {counts.children_updated} / {counts.children_unchanged} / {counts.children_invalid}",
                f"{counts.events_added} / {counts.events_updated} / {counts.events_unchanged}",
                ", ".join(source.untracked),
            )
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 1 and source.tracked_from_basis:
                    item.setToolTip(source.tracked_from_basis)
                if j == 4:
                    item.setToolTip(text)
                self.sources_table.setItem(i, j, item)
        self.details.setPlainText(
            preview.issues_text(limit=500)
            or "No problems. Hover over a source's tracked-from date to see where it comes from."
        )
        if preview.clean:
            self.status.setText("Nothing has been written yet. Import writes it all in one step.")
        else:
            self.status.setText(
                f"{len(preview.problems) + len(preview.refused)} problem(s): nothing can be imported as it is. "
                "Correct the files, or tick 'Import the valid children only'."
            )
        self._update_buttons()
        self.preview_ready.emit(preview)
        self.work_ended.emit("preview")

    def _on_import_done(self, result: ImportResult) -> None:
        self._working = False
        self.import_result = result
        self.preview = None
        self.status.setText(f"Imported: {result.summary()}")
        self._update_buttons()
        self.imported.emit(result)
        self.work_ended.emit("import")

    def _on_work_failed(self, exc: Exception) -> None:
        self._working = False
        self._update_buttons()
        if isinstance(exc, ImportCancelled):
            self.status.setText("Cancelled; nothing was written.")
            self.work_ended.emit("cancelled")
            return
        if isinstance(exc, ImportError_ | SourceError | MappingError):
            self.status.setText(str(exc))
        else:
            self.status.setText(f"The import failed ({type(exc).__name__}: {exc}); nothing was written.")
        self.work_ended.emit("failed")
