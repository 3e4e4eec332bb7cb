"""The passphrase of an encrypted database, asked for on opening it.

`PassphraseDialog.ask` runs it modally (tests patch `views.prompts.ask_passphrase`, which calls it).
A wrong passphrase is said in the dialog itself, in red, with the tries left.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from views.field_widgets import ERROR_STYLE


class PassphraseDialog(QDialog):
    """Asks for a passphrase; `passphrase()` is what was typed.

    Args:
        message: what is being opened and why the passphrase is needed.
        error: why the last passphrase was refused, shown in red (None the first time).
        accept_text / reject_text: the buttons' words ("Open" / "Quit" on start-up).
    """

    def __init__(
        self,
        parent: QWidget | None,
        message: str,
        error: str | None = None,
        *,
        title: str = "Encrypted database",
        accept_text: str = "Open",
        reject_text: str = "Quit",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle(title)
        heading = QLabel("<b>This database is encrypted</b>", self)
        self.message = QLabel(message, self)
        self.message.setWordWrap(True)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("passphraseEdit")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName("Passphrase")
        self.edit.setPlaceholderText("Passphrase")
        self.show_check = QCheckBox("Show the passphrase", self)
        self.error_label = QLabel(error or "", self)
        self.error_label.setObjectName("passphraseError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(bool(error))
        self.buttons = QDialogButtonBox(self)
        self.open_button: QPushButton = self.buttons.addButton(
            accept_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.open_button.setDefault(True)
        self.buttons.addButton(reject_text, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addWidget(self.edit)
        layout.addWidget(self.show_check)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.show_check.toggled.connect(self._on_show_check_toggled)
        self._on_edit_text_changed(self.edit.text())
        self.edit.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, message: str, error: str | None = None) -> str | None:
        """Run it modally: the passphrase typed, or None when the person chose to quit."""
        dialog = cls(parent, message, error)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.passphrase()
            return None
        finally:
            dialog.deleteLater()

    def passphrase(self) -> str:
        return self.edit.text()

    def accept(self) -> None:
        if not self.edit.text():
            return
        super().accept()

    def _on_edit_text_changed(self, text: str) -> None:
        self.open_button.setEnabled(bool(text))

    def _on_show_check_toggled(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
