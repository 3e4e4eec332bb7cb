"""Security: the database's passphrase (encryption at rest) and the idle lock.

Setting a passphrase encrypts the database in place with SQLCipher and re-encrypts every backup in
its backups folder (`models.storage.backup.set_passphrase`, which backs up first). Changing it needs the
current one. The dialog does not swap the database itself: the main window passes
`apply_passphrase`, which closes the database, re-keys it and returns the reopened one. Whatever
goes wrong is said in the dialog, which stays open with what was typed.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.storage.db import Database, DatabaseError
from views.field_widgets import ERROR_STYLE
from views.write_errors import write_failure_message

log = logging.getLogger("permanence.security_dialog")

MIN_LENGTH: Final = 8
_OK_STYLE: Final = "color: #0f5132;"

WARNING_TEXT: Final = (
    "The database and every backup in its backups folder are encrypted with this passphrase (a backup "
    "is taken first). <b>There is no way to recover the records without it:</b> nobody, not even the "
    "IT service desk, can open the file if the passphrase is forgotten. Keep it where your council's "
    "information-security policy says. A few unrelated words are long and easy to remember."
)

ApplyPassphrase = Callable[[str], Database]


def passphrase_problem(new: str, again: str) -> str | None:
    """Why a new passphrase cannot be used, or None."""
    if not new:
        return "Type the new passphrase."
    if len(new) < MIN_LENGTH:
        return f"The passphrase must be at least {MIN_LENGTH} characters long."
    if new != again:
        return "The two new passphrases are not the same."
    if new.strip() != new:
        return "The passphrase cannot begin or end with a space (it would be easy to mistype)."
    return None


class SecurityDialog(QDialog):
    """Set or change the passphrase, and choose the idle-lock time.

    Args:
        db: the open database.
        idle_minutes: the idle-lock time shown.
        apply_passphrase: encrypts (or re-keys) the database with a passphrase and returns it
            reopened; raises `DatabaseError` with a message for a person.

    Signals:
        passphrase_changed(): the database is now encrypted with a new passphrase.
        idle_minutes_changed(int): the idle-lock time was changed (minutes).
    """

    passphrase_changed = Signal()
    idle_minutes_changed = Signal(int)

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        idle_minutes: int = 10,
        min_minutes: int = 1,
        max_minutes: int = 240,
        apply_passphrase: ApplyPassphrase | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("securityDialog")
        self.setWindowTitle("Security")
        self._db = db
        self._apply = apply_passphrase

        self.encryption_box = QGroupBox("Encryption of the database file", self)
        self.status_label = QLabel(self.encryption_box)
        self.status_label.setObjectName("encryptionStatus")
        self.status_label.setWordWrap(True)
        self.current_edit = self._password_edit("currentPassphrase")
        self.new_edit = self._password_edit("newPassphrase")
        self.again_edit = self._password_edit("againPassphrase")
        warning = QLabel(WARNING_TEXT, self.encryption_box)
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.TextFormat.RichText)
        self.apply_button = QPushButton(self.encryption_box)
        self.apply_button.setObjectName("applyPassphrase")
        self.message = QLabel(self.encryption_box)
        self.message.setObjectName("securityMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        form = QFormLayout()
        self.current_label = QLabel("Current passphrase", self.encryption_box)
        form.addRow(self.current_label, self.current_edit)
        form.addRow("New passphrase", self.new_edit)
        form.addRow("Type it again", self.again_edit)
        button_row = QHBoxLayout()
        button_row.addStretch(1)
        button_row.addWidget(self.apply_button)
        box_layout = QVBoxLayout(self.encryption_box)
        box_layout.addWidget(self.status_label)
        box_layout.addLayout(form)
        box_layout.addWidget(warning)
        box_layout.addWidget(self.message)
        box_layout.addLayout(button_row)

        self.idle_box = QGroupBox("Idle lock", self)
        self.idle_spin = QSpinBox(self.idle_box)
        self.idle_spin.setObjectName("idleMinutes")
        self.idle_spin.setRange(min_minutes, max_minutes)
        self.idle_spin.setValue(idle_minutes)
        self.idle_spin.setSuffix(" minutes")
        idle_note = QLabel(
            "After this long without the mouse or keyboard being used, the tracker hides the records "
            "until the passphrase is typed again (or, without a passphrase, until you confirm who you "
            "are). This is a setting of this computer.",
            self.idle_box,
        )
        idle_note.setWordWrap(True)
        idle_row = QHBoxLayout()
        idle_row.addWidget(QLabel("Lock after", self.idle_box))
        idle_row.addWidget(self.idle_spin)
        idle_row.addStretch(1)
        idle_layout = QVBoxLayout(self.idle_box)
        idle_layout.addLayout(idle_row)
        idle_layout.addWidget(idle_note)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.encryption_box)
        layout.addWidget(self.idle_box)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.idle_spin.valueChanged.connect(self.idle_minutes_changed)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.current_edit, self.new_edit, self.again_edit):
            edit.returnPressed.connect(self._on_apply_button_clicked)
        self._show_state()
        self.setMinimumWidth(560)

    def _password_edit(self, name: str) -> QLineEdit:
        edit = QLineEdit(self.encryption_box)
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    @property
    def database(self) -> Database:
        """The database as it is now (a new object after the passphrase changed)."""
        return self._db

    def _show_state(self) -> None:
        db = self._db
        encrypted = db.encrypted
        if encrypted:
            self.status_label.setText(
                "This database is <b>encrypted</b>: the file cannot be read without its passphrase."
            )
            self.status_label.setStyleSheet(_OK_STYLE)
        else:
            self.status_label.setText(
                "This database is <b>not encrypted</b>: anyone who can copy the file can read the records."
            )
            self.status_label.setStyleSheet(ERROR_STYLE)
        self.current_label.setVisible(encrypted)
        self.current_edit.setVisible(encrypted)
        self.apply_button.setText("Change the passphrase" if encrypted else "Encrypt with this passphrase")
        blocked = None
        if db.path is None:
            blocked = "A database server is encrypted by its administrator, not here."
        elif db.read_only:
            blocked = "The database is open read-only: the passphrase cannot be set or changed."
        for widget in (self.current_edit, self.new_edit, self.again_edit, self.apply_button):
            widget.setEnabled(blocked is None)
        if blocked:
            self._say(blocked, error=True)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else _OK_STYLE)
        self.message.setVisible(True)

    def _on_apply_button_clicked(self) -> None:
        if not self.apply_button.isEnabled():
            return
        if self._db.encrypted:
            current = self._db.passphrase or ""
            if not hmac.compare_digest(self.current_edit.text().encode(), current.encode()):
                self._say("The current passphrase is not right.", error=True)
                self.current_edit.setFocus()
                self.current_edit.selectAll()
                return
        problem = passphrase_problem(self.new_edit.text(), self.again_edit.text())
        if problem is not None:
            self._say(problem, error=True)
            return
        was_encrypted = self._db.encrypted
        # The application's `apply_passphrase` works off the GUI thread behind its own progress
        # dialog with Cancel; without one, the work is done here under a wait cursor.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor) if self._apply is None else None
        try:
            if self._apply is not None:
                self._db = self._apply(self.new_edit.text())
            else:
                from models.storage.backup import set_passphrase

                self._db = set_passphrase(self._db, self.new_edit.text())
        except DatabaseError as exc:
            self._say(f"The passphrase was not set: {exc}", error=True)
            return
        except Exception as exc:
            message = write_failure_message(exc)
            if message is None:
                raise
            self._say(message.replace("The change was not saved", "The passphrase was not set"), error=True)
            return
        finally:
            if self._apply is None:
                QGuiApplication.restoreOverrideCursor()
        for edit in (self.current_edit, self.new_edit, self.again_edit):
            edit.clear()
        self._show_state()
        self._say(
            "The database and its backups are now encrypted with the new passphrase."
            if not was_encrypted
            else "The passphrase was changed; the backups were re-encrypted with it.",
            error=False,
        )
        log.info("passphrase %s", "changed" if was_encrypted else "set")
        self.passphrase_changed.emit()
