"""The Backups page: the copies of the database kept beside it, checked on demand, restored on request.

Backups are made by `models.storage.backup` (a daily one on the first start of each day, thinned to the
newest of each of the last 7 days, 4 weeks and 12 months). The page makes one on request and checks
them; restoring needs the database closed, so the page asks the main window to do it
(`restore_requested`), which closes, restores, reopens and refreshes everything.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.storage.backup import BackupInfo, check_file, list_backups, make_backup
from models.storage.db import Database, DatabaseError
from views import prompts
from views.row_model import ListTableModel
from views.tables import list_table
from views.write_errors import write_failure_message

log = logging.getLogger("permanence.backups_page")

TAKEN, KIND, SIZE, CHECK = range(4)

HEADERS: Final = {TAKEN: "Taken", KIND: "Kind", SIZE: "Size", CHECK: "Check"}

#: Why each kind of backup was made, in the users' words.
KIND_WORDS: Final = {
    "daily": "Daily (automatic)",
    "manual": "Made on request",
    "pre-restore": "Before a restore",
    "pre-encryption": "Before encryption",
}

SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
#: The backup file's path (str), whatever the column.
PATH_ROLE: Final = Qt.ItemDataRole.UserRole + 2

NOT_CHECKED: Final = "not checked"
_GOOD = (QColor("#d1e7dd"), QColor("#0f5132"))
_BAD = (QColor("#f8d7da"), QColor("#842029"))

_Index = QModelIndex | QPersistentModelIndex


def size_text(size: int) -> str:
    """'812 KB', '1.4 MB' (powers of 1024, as file managers show)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    if size < 1024**3:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024**3:.2f} GB"


class BackupModel(ListTableModel[BackupInfo]):
    """One `BackupInfo` per row, newest first, with the result of its last check."""

    HEADERS = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._checks: dict[Path, str] = {}

    def set_rows(self, rows: Sequence[BackupInfo]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._checks = {p: r for p, r in self._checks.items() if any(b.path == p for b in rows)}
        self.endResetModel()

    def set_check(self, path: Path, result: str) -> None:
        self._checks[path] = result
        for row, backup in enumerate(self._rows):
            if backup.path == path:
                index = self.index(row, CHECK)
                self.dataChanged.emit(index, index)

    def check_of(self, path: Path) -> str | None:
        return self._checks.get(path)

    def rows(self) -> list[BackupInfo]:
        return list(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        backup = self._rows[index.row()]
        column = index.column()
        check = self._checks.get(backup.path)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TAKEN:
                return f"{backup.taken:%d/%m/%Y  %H:%M:%S}"
            if column == KIND:
                return KIND_WORDS.get(backup.kind, backup.kind)
            if column == SIZE:
                return size_text(backup.size)
            if column == CHECK:
                if check is None:
                    return NOT_CHECKED
                return "Good" if check == "ok" else f"Damaged: {check}"
            return None
        if role == SORT_ROLE:
            return (backup.taken, backup.kind, backup.size, check or "")[column]
        if role == PATH_ROLE:
            return str(backup.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(backup.path)
        if column == CHECK and check is not None:
            colours = _GOOD if check == "ok" else _BAD
            if role == Qt.ItemDataRole.BackgroundRole:
                return colours[0]
            if role == Qt.ItemDataRole.ForegroundRole:
                return colours[1]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class BackupsPage(QWidget):
    """The list of backups with Back up now, Check, Restore… and Open folder.

    Signals:
        restore_requested(str): the person confirmed restoring this backup file (its path).
        backup_made(str): a backup was made on request (its path).
    """

    restore_requested = Signal(str)
    backup_made = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupsPage")
        self._db = db
        self.model = BackupModel(self)

        title = QLabel("<h2>Backups</h2>", self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.folder_label = QLabel(self)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setStyleSheet("color: #5f6368;")

        self.backup_button = QPushButton("Back up now", self)
        self.backup_button.setObjectName("backupNow")
        self.check_button = QPushButton("Check all", self)
        self.check_button.setObjectName("checkBackups")
        self.check_button.setToolTip("Read every backup through and say whether it can be restored")
        self.restore_button = QPushButton("Restore…", self)
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.setToolTip("Put the selected backup in place of the database")
        self.folder_button = QPushButton("Open folder", self)
        self.folder_button.setToolTip("Show the backups folder in the file manager")
        buttons = QHBoxLayout()
        for button in (self.backup_button, self.check_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.folder_button)

        self.table = list_table(
            self,
            self.model,
            row_height=self.fontMetrics().height() + 10,
            widths=dict(((TAKEN, 180), (KIND, 170), (SIZE, 100))),
            stretch_last=True,
            sortable=False,
        )
        self.table.setObjectName("backupsTable")

        self.status = QLabel(self)
        self.status.setObjectName("backupsStatus")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.intro)
        layout.addWidget(self.folder_label)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

        self.backup_button.clicked.connect(self.back_up_now)
        self.check_button.clicked.connect(self.check_all)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.set_database(db)

    # --- the contract with the main window --------------------------------------------------------

    def set_database(self, db: Database) -> None:
        """Show the backups of another (or a reopened) database."""
        self._db = db
        encrypted = "They are encrypted with the database's passphrase. " if db.encrypted else ""
        self.intro.setText(
            "A backup is made on the first start of each day; the newest of each of the last 7 days, "
            f"4 weeks and 12 months is kept. {encrypted}Restoring one backs up the database as it is "
            "first, so a restore can itself be undone."
        )
        if db.path is None:
            self.folder_label.setText("A database server keeps its own backups; ask its administrator.")
        else:
            self.folder_label.setText(f"Folder: {db.path.parent / 'backups'}")
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(list_backups(self._db.path) if self._db.path is not None else [])
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def selected_backup(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_backup(self, path: Path) -> None:
        for row, backup in enumerate(self.model.rows()):
            if backup.path == path:
                self.table.selectRow(row)

    # --- actions ----------------------------------------------------------------------------------

    def back_up_now(self) -> Path | None:
        """Make a checked backup of the database now; returns its path (None if it failed)."""
        try:
            made = make_backup(self._db, "manual")
        except (DatabaseError, OSError) as exc:
            self._say(f"No backup was made: {exc}", error=True)
            return None
        except Exception as exc:
            message = write_failure_message(exc)
            if message is None:
                raise
            self._say(f"No backup was made: {message}", error=True)
            return None
        self.reload()
        self.select_backup(made)
        self.model.set_check(made, "ok")  # make_backup checks the copy it writes
        self._say(f"Backed up to {made.name}.")
        self.backup_made.emit(str(made))
        return made

    def check_all(self) -> None:
        """Read every backup through (SQLite's quick check) and show the result in its row."""
        bad = 0
        for backup in self.model.rows():
            result = check_file(backup.path, self._db.passphrase)
            self.model.set_check(backup.path, result)
            bad += result != "ok"
        count = self.model.rowCount()
        if not count:
            self._say("There are no backups to check yet.")
        elif bad:
            self._say(f"{bad} of {count} backups cannot be restored.", error=True)
        else:
            self._say(f"All {count} backups are good.")

    def _on_restore_button_clicked(self) -> None:
        backup = self.selected_backup()
        if backup is None:
            return
        question = (
            f"Put the backup taken on {backup.taken:%d/%m/%Y at %H:%M:%S} in place of the database?\n\n"
            "Changes made since then will no longer be in the database. The database as it is now is "
            "backed up first (as “Before a restore”), so you can go back to it."
        )
        if prompts.confirm(self, "Restore a backup", question):
            self.restore_requested.emit(str(backup.path))

    def _on_folder_button_clicked(self) -> None:
        if self._db.path is not None:
            folder = self._db.path.parent / "backups"
            folder.mkdir(mode=0o700, exist_ok=True)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _update_buttons(self) -> None:
        writable = self._db.path is not None and not self._db.read_only
        self.backup_button.setEnabled(writable)
        self.restore_button.setEnabled(writable and self.selected_backup() is not None)
        self.check_button.setEnabled(self.model.rowCount() > 0)
        self.folder_button.setEnabled(self._db.path is not None)
        reason = "" if writable else "Not available: the database is open read-only."
        for button in (self.backup_button, self.restore_button):
            button.setStatusTip(reason)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b3261e;" if error else "color: #0f5132;")

    def showEvent(self, event: QShowEvent) -> None:
        self.reload()  # a daily backup or a restore may have changed the folder
        super().showEvent(event)
