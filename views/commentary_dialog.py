"""The PIRO's commentary for a reporting period, printed on the board report's first page.

Kept per period in the database (`models.storage.store.save_commentary`), each save audited with
the text before and after. Clearing the text and saving removes it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from models.domain.period import Period
from models.storage.db import Database
from models.storage.store import COMMENTARY_LIMIT, ValidationError, read_commentary, save_commentary
from views.field_widgets import ERROR_STYLE


class CommentaryDialog(QDialog):
    """Write or change the commentary of one period; Save writes it (audited), Cancel leaves it."""

    def __init__(self, db: Database, period: Period, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.period = period
        self.setWindowTitle(f"Commentary: {period.label}")
        intro = QLabel(
            f"The PIRO's commentary on the measures for {period.label}, printed on the first page of the "
            f"board report. Blank lines start a new paragraph; up to {COMMENTARY_LIMIT:,} characters. "
            "Write about practice, never name a child.",
            self,
        )
        intro.setWordWrap(True)
        self.editor = QPlainTextEdit(self)
        self.editor.setPlainText(read_commentary(db, period.key))
        self.editor.setMinimumSize(520, 260)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def accept(self) -> None:
        try:
            save_commentary(self.db, self.period.key, self.editor.toPlainText())
        except ValidationError as exc:
            self.error_label.setText(str(exc))
            self.error_label.setVisible(True)
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, period: Period) -> bool:
        """Show the dialog; True when the commentary was saved."""
        return cls(db, period, parent).exec() == QDialog.DialogCode.Accepted
