"""The audit log: who changed, exported or printed what and when, and a check that nobody altered it.

Entries are read through `models.storage.audit` (newest first), filtered by child, user and date range. The
selected entry's record before and after the change is shown as indented JSON. "Check integrity"
follows the hash chain (`verify_chain`) and marks the entries where it breaks; "Export…" writes the
filtered entries to a CSV file (neutralised, and itself audited).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.io.audited_export import ExportFailed, export_csv
from models.storage.audit import (
    AuditEntry,
    ChainBreak,
    break_report,
    entries,
    users,
    verify_chain,
    witness_findings,
)
from models.storage.db import Database
from views import prompts
from views.date_edit import DateEdit
from views.row_model import ListTableModel
from views.table_actions import TableActions
from views.tables import list_table
from views.write_errors import explain_write_failure

log = logging.getLogger("permanence.audit_page")

TIME, USER, ACTION, ENTITY, ENTITY_ID, CHILD = range(6)

HEADERS: Final = {
    TIME: "Time",
    USER: "User",
    ACTION: "Action",
    ENTITY: "Record",
    ENTITY_ID: "Record ID",
    CHILD: "Child",
}

SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
#: The audit entry's id, whatever the column.
ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2

#: At most this many entries are shown (the newest); the filters narrow down the rest.
ROW_LIMIT: Final = 10_000

EXPORT_HEADER: Final = (
    "Entry",
    "Time (UTC)",
    "User",
    "Action",
    "Record",
    "Record ID",
    "Child",
    "Before",
    "After",
)

_BROKEN = (QColor("#f8d7da"), QColor("#842029"))

_Index = QModelIndex | QPersistentModelIndex


def local_time(at: str) -> str:
    """An audit time (ISO, UTC) as local dd/mm/yyyy hh:mm:ss; the text itself if unreadable."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment:%d/%m/%Y %H:%M:%S}"


def pretty_json(text: str | None) -> str:
    """Indented JSON, or the text as stored when it is not JSON; '(nothing)' when empty."""
    if not text:
        return "(nothing)"
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return text


def changed_keys(before: str | None, after: str | None) -> list[str]:
    """The top-level fields that differ between two JSON objects (none unless both are objects)."""
    try:
        old, new = json.loads(before or "null"), json.loads(after or "null")
    except ValueError:
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


class AuditModel(ListTableModel[AuditEntry]):
    """Audit entries, newest first; entries whose chain is broken are marked in red."""

    HEADERS = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._broken: dict[int, str] = {}

    def set_rows(self, rows: Sequence[AuditEntry]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_breaks(self, breaks: Sequence[ChainBreak]) -> None:
        """Mark the entries where the chain breaks (only colours change: the selection stays)."""
        self._broken = {b.id: b.reason for b in breaks}
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))

    def rows(self) -> list[AuditEntry]:
        return list(self._rows)

    def is_broken(self, entry_id: int) -> bool:
        return entry_id in self._broken

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TIME:
                return local_time(entry.at)
            return (
                None,
                entry.user,
                entry.action,
                entry.entity,
                entry.entity_id or "",
                entry.child_id or "",
            )[column]
        if role == SORT_ROLE:
            return (entry.id, entry.user, entry.action, entry.entity, entry.entity_id, entry.child_id)[column]
        if role == ID_ROLE:
            return entry.id
        if entry.id in self._broken:
            if role == Qt.ItemDataRole.BackgroundRole:
                return _BROKEN[0]
            if role == Qt.ItemDataRole.ForegroundRole:
                return _BROKEN[1]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Entry {entry.id}: {self._broken[entry.id]}"
        return None


class AuditPage(QWidget):
    """The audit log with its filters, the details of one entry, the integrity check and export.

    Signals:
        exported(str): the filtered entries were exported to this CSV file.
    """

    exported = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPage")
        self._db = db
        self.model = AuditModel(self)

        title = QLabel("<h2>Audit log</h2>", self)
        intro = QLabel(
            "Every change, import, export and print, with who did it and when. Each entry is chained "
            "to the one before it, so an entry edited or removed outside the tracker is detected.",
            self,
        )
        intro.setWordWrap(True)

        self.child_edit = QLineEdit(self)
        self.child_edit.setObjectName("auditChild")
        self.child_edit.setPlaceholderText("Any child")
        self.child_edit.setClearButtonEnabled(True)
        self.user_combo = QComboBox(self)
        self.user_combo.setObjectName("auditUser")
        self.user_combo.setMinimumWidth(160)
        self.since_edit = DateEdit(self, show_error=False)
        self.until_edit = DateEdit(self, show_error=False)
        self.check_button = QPushButton("Check integrity", self)
        self.check_button.setObjectName("checkIntegrity")
        self.export_button = QPushButton("Export…", self)
        self.export_button.setObjectName("exportAudit")
        self.export_button.setToolTip("Write the entries shown to a CSV file (the export is itself audited)")

        filters = QGridLayout()
        filters.addWidget(QLabel("Child ID", self), 0, 0)
        filters.addWidget(QLabel("User", self), 0, 1)
        filters.addWidget(QLabel("From", self), 0, 2)
        filters.addWidget(QLabel("To", self), 0, 3)
        filters.addWidget(self.child_edit, 1, 0)
        filters.addWidget(self.user_combo, 1, 1)
        filters.addWidget(self.since_edit, 1, 2)
        filters.addWidget(self.until_edit, 1, 3)
        filters.setColumnStretch(4, 1)
        filters.addWidget(self.check_button, 1, 5)
        filters.addWidget(self.export_button, 1, 6)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("auditCount")
        self.integrity_label = QLabel(self)
        self.integrity_label.setObjectName("auditIntegrity")
        self.integrity_label.setWordWrap(True)
        self.integrity_label.setVisible(False)

        self.table = list_table(
            self,
            self.model,
            row_height=self.fontMetrics().height() + 8,
            widths=dict(((TIME, 160), (USER, 120), (ACTION, 90), (ENTITY, 90), (ENTITY_ID, 240))),
            stretch_last=True,
            sortable=False,
        )
        self.table.setObjectName("auditTable")
        self.table_actions = TableActions(
            self.table, what="audit log", file_stem="audit-log", database=lambda: self._db
        )

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.before_text = QPlainTextEdit(self)
        self.after_text = QPlainTextEdit(self)
        for edit, name in ((self.before_text, "auditBefore"), (self.after_text, "auditAfter")):
            edit.setObjectName(name)
            edit.setReadOnly(True)
            edit.setFont(mono)
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_box = QGroupBox("Details", self)
        self.details_label = QLabel(
            "Select an entry to see the record before and after it.", self.details_box
        )
        self.details_label.setWordWrap(True)
        panes = QGridLayout()
        panes.addWidget(QLabel("<b>Before</b>", self.details_box), 0, 0)
        panes.addWidget(QLabel("<b>After</b>", self.details_box), 0, 1)
        panes.addWidget(self.before_text, 1, 0)
        panes.addWidget(self.after_text, 1, 1)
        details_layout = QVBoxLayout(self.details_box)
        details_layout.addWidget(self.details_label)
        details_layout.addLayout(panes, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        counts = QHBoxLayout()
        counts.addWidget(self.count_label)
        counts.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(filters)
        layout.addWidget(self.integrity_label)
        layout.addLayout(counts)
        layout.addWidget(splitter, 1)

        # Typing in the filters reloads after a short pause, not on every key.
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(250)
        self._reload_timer.timeout.connect(self.reload)
        self.child_edit.textChanged.connect(self._on_filter_changed)
        self.user_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.since_edit.date_changed.connect(self._on_filter_changed)
        self.until_edit.date_changed.connect(self._on_filter_changed)
        self.check_button.clicked.connect(self.check_integrity)
        self.export_button.clicked.connect(self.export)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.model.modelReset.connect(self._on_model_reset)
        self.set_database(db)

    # --- the contract with the main window --------------------------------------------------------

    def set_database(self, db: Database) -> None:
        self._db = db
        self.export_button.setEnabled(not db.read_only)
        self.export_button.setStatusTip(
            ""
            if not db.read_only
            else "Not available read-only: an export must be recorded in the audit log."
        )
        self.model.set_breaks([])
        self.integrity_label.setVisible(False)
        self.reload()

    def reload(self) -> None:
        """Read the entries again with the current filters (and the user list)."""
        self._reload_timer.stop()
        self._refill_users()
        found = entries(self._db, limit=ROW_LIMIT + 1, **self.filters())
        more = len(found) > ROW_LIMIT
        self.model.set_rows(found[:ROW_LIMIT])
        shown = self.model.rowCount()
        text = f"{shown:,} {'entry' if shown == 1 else 'entries'}"
        if more:
            text = f"The newest {ROW_LIMIT:,} entries (narrow the filters to see older ones)"
        self.count_label.setText(text)

    def filters(self) -> dict[str, Any]:
        """The filters as `models.storage.audit.entries` takes them."""
        user = self.user_combo.currentData()
        return {
            "child_id": self.child_edit.text().strip() or None,
            "user": user or None,
            "since": self.since_edit.value(),
            "until": self.until_edit.value(),
        }

    def set_filters(
        self,
        *,
        child_id: str = "",
        user: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> None:
        for widget in (self.child_edit, self.user_combo, self.since_edit, self.until_edit):
            widget.blockSignals(True)
        self.child_edit.setText(child_id)
        self._refill_users()
        self.user_combo.setCurrentIndex(max(0, self.user_combo.findData(user)) if user else 0)
        self.since_edit.set_value(since)
        self.until_edit.set_value(until)
        for widget in (self.child_edit, self.user_combo, self.since_edit, self.until_edit):
            widget.blockSignals(False)
        self.reload()

    def check_integrity(self) -> list[ChainBreak]:
        """Follow the whole hash chain; mark and report the entries where it breaks.

        The entries are read again first, so what is shown is what was checked.
        """
        current = self.table.currentIndex()
        selected = self.model.row_at(current.row()).id if current.isValid() else None
        self.reload()
        if selected is not None:
            self.select_entry(selected)
        breaks = verify_chain(self._db)
        findings = witness_findings(self._db)  # rows changed outside the tracker, a shortened log
        self.model.set_breaks(breaks)
        self.integrity_label.setText(break_report(breaks, findings))
        self.integrity_label.setStyleSheet(
            "QLabel { padding: 6px; border-radius: 4px; "
            + (
                "background: #f8d7da; color: #842029; font-weight: bold; }"
                if breaks or findings
                else "background: #d1e7dd; color: #0f5132; }"
            )
        )
        self.integrity_label.setVisible(True)
        current = self.table.currentIndex()
        self._show_details(self.model.row_at(current.row()) if current.isValid() else None)
        return breaks

    def select_entry(self, entry_id: int) -> None:
        for row, entry in enumerate(self.model.rows()):
            if entry.id == entry_id:
                self.table.selectRow(row)
                return

    def export(self) -> None:
        """Ask where, then write the entries shown to a CSV file (audited as an export)."""
        folder = self._db.path.parent if self._db.path is not None else Path.home()
        name = f"audit-log-{date.today():%Y-%m-%d}.csv"
        path = prompts.ask_save_csv(self, folder / name, "Export the audit log")
        if path is None:
            return
        rows = [
            (e.id, e.at, e.user, e.action, e.entity, e.entity_id, e.child_id, e.before, e.after)
            for e in self.model.rows()
        ]
        flt = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.filters().items()}
        try:
            count = export_csv(self._db, path, EXPORT_HEADER, rows, what="audit", details={"filter": flt})
        except ExportFailed as exc:
            prompts.show_error(self, "Not exported", str(exc))
            return
        except OSError as exc:
            prompts.show_error(self, "Not exported", f"Cannot write {path}: {exc.strerror or exc}.")
            return
        except Exception as exc:
            if not explain_write_failure(self, exc):
                raise
            return
        self.reload()
        prompts.show_info(self, "Audit log exported", f"{count:,} entries written to {path}.")
        self.exported.emit(str(path))

    # --- internals --------------------------------------------------------------------------------

    def _refill_users(self) -> None:
        current = self.user_combo.currentData()
        known = users(self._db)
        wanted = [None, *known]
        if [self.user_combo.itemData(i) for i in range(self.user_combo.count())] == wanted:
            return
        self.user_combo.blockSignals(True)
        self.user_combo.clear()
        self.user_combo.addItem("All users", None)
        for user in known:
            self.user_combo.addItem(user, user)
        index = self.user_combo.findData(current) if current else 0
        self.user_combo.setCurrentIndex(max(0, index))
        self.user_combo.blockSignals(False)

    def _on_filter_changed(self, *_args: object) -> None:
        self._reload_timer.start()

    def _on_model_reset(self) -> None:
        self._show_details(None)

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_details(self.model.row_at(current.row()) if current.isValid() else None)

    def _show_details(self, entry: AuditEntry | None) -> None:
        if entry is None:
            self.details_label.setText("Select an entry to see the record before and after it.")
            self.before_text.setPlainText("")
            self.after_text.setPlainText("")
            return
        what = f"{entry.action} of {entry.entity}" + (f" {entry.entity_id}" if entry.entity_id else "")
        child = f" (child {entry.child_id})" if entry.child_id and entry.child_id != entry.entity_id else ""
        text = f"Entry {entry.id}: {what}{child} by {entry.user} at {local_time(entry.at)}."
        changed = changed_keys(entry.before, entry.after)
        if changed:
            text += " Changed: " + ", ".join(changed) + "."
        if self.model.is_broken(entry.id):
            text += " This entry was changed after it was written, or its place in the log was."
        self.details_label.setText(text)
        self.before_text.setPlainText(pretty_json(entry.before))
        self.after_text.setPlainText(pretty_json(entry.after))

    def showEvent(self, event: QShowEvent) -> None:
        self.reload()  # changes made elsewhere since it was last shown
        super().showEvent(event)
