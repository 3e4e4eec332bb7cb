"""The reason for the selected row, under a list (Today, the register): the engine's explanation
in the words the child page shows (`models.screens.words.why`), so the officer need not open the
child to see why a line is red.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from models.domain.engine import Deadline
from models.screens.words import why

NOTHING_SELECTED = "Select a line to see why it is flagged."


class WhyPane(QLabel):
    """A few wrapped lines of plain text, selectable (to copy into a case note)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(NOTHING_SELECTED, parent)
        self.setObjectName("whyPane")
        self.setTextFormat(Qt.TextFormat.PlainText)  # names and notes are never read as markup
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMargin(6)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 16)
        self.setStyleSheet("QLabel#whyPane { background: #f8f9fa; }")

    def explain(self, who: str, deadline: Deadline | None, none_text: str = "Nothing is open.") -> None:
        """Say why `who`'s line is flagged (`deadline`), or `none_text` when there is no deadline."""
        self.setText(f"{who} — {why(deadline)}" if deadline is not None else f"{who} — {none_text}")

    def clear_reason(self, text: str = NOTHING_SELECTED) -> None:
        self.setText(text)
