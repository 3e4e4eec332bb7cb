"""The screen that covers a window while the tracker is locked, and asks to unlock it.

It is an opaque child widget laid over the whole of its window (menus, toolbar and status bar
too), so nothing of the records shows through; it follows the window's size. It only asks: the
idle lock (`desktop.idle_lock`) checks what was typed and removes the screens.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from views.field_widgets import ERROR_STYLE

_STYLE: Final = """
QWidget#lockScreen { background: #1f2a37; }
QFrame#lockPanel { background: palette(window); border-radius: 8px; }
"""

_PANEL_WIDTH: Final = 480
_PANEL_MARGIN: Final = 24

#: Below this height the screen leaves out the explanation (a small dialog still gets the form).
_COMPACT_HEIGHT: Final = 320


class LockScreen(QWidget):
    """Covers `target` until unlocked.

    Args:
        target: the window to cover (the main window, or a dialog open when the lock came on).
        encrypted: ask for the passphrase; otherwise offer "Unlock as <user>".
        user: the operating-system user's name.
        reason: one line on why the tracker locked.

    Signals:
        unlock_requested(str): the person asked to unlock, with the passphrase typed ('' when the
            database is not encrypted and they confirmed who they are).
    """

    unlock_requested = Signal(str)

    def __init__(self, target: QWidget, *, encrypted: bool, user: str, reason: str) -> None:
        super().__init__(target)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self._target = target
        self.encrypted = encrypted

        panel = QFrame(self)
        panel.setObjectName("lockPanel")
        self.title = QLabel("<h2>Permanence Tracker is locked</h2>", panel)
        self.title.setObjectName("lockTitle")
        self.reason = QLabel(reason, panel)
        self.reason.setWordWrap(True)
        self.explanation = QLabel(panel)
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("color: #3c4043;")

        self.passphrase_edit = QLineEdit(panel)
        self.passphrase_edit.setObjectName("lockPassphrase")
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText("Passphrase")
        self.passphrase_edit.setAccessibleName("Passphrase")
        self.unlock_button = QPushButton(panel)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        if encrypted:
            self.explanation.setText("Type the database's passphrase to show the records again.")
            self.unlock_button.setText("Unlock")
        else:
            self.explanation.setText(
                f"This database has no passphrase. Confirm that you are {user} to show the records again."
            )
            self.unlock_button.setText(f"Unlock as {user}")
            self.passphrase_edit.setVisible(False)
        self.error_label = QLabel(panel)
        self.error_label.setObjectName("lockError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)

        row = QHBoxLayout()
        row.addWidget(self.passphrase_edit, 1)
        row.addWidget(self.unlock_button)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(_PANEL_MARGIN, 18, _PANEL_MARGIN, 18)
        inner.addWidget(self.title)
        inner.addWidget(self.reason)
        inner.addWidget(self.explanation)
        inner.addSpacing(8)
        inner.addLayout(row)
        inner.addWidget(self.error_label)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.panel = panel

        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.passphrase_edit.returnPressed.connect(self._on_unlock_button_clicked)

        target.installEventFilter(self)
        self._fit()
        self.show()
        self.raise_()

    def focus(self) -> None:
        (self.passphrase_edit if self.encrypted else self.unlock_button).setFocus()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(True)
        self._fit()
        self.passphrase_edit.selectAll()
        self.focus()

    def remove(self) -> None:
        """Uncover the window (the screen deletes itself)."""
        self._target.removeEventFilter(self)
        self.passphrase_edit.clear()
        self.hide()
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._target and event.type() in (QEvent.Type.Resize, QEvent.Type.ChildAdded):
            self._fit()
        return False

    def _fit(self) -> None:
        self.setGeometry(self._target.rect())
        compact = self._target.height() < _COMPACT_HEIGHT
        self.reason.setVisible(not compact and bool(self.reason.text()))
        self.explanation.setVisible(not compact)
        # A fixed width lets the wrapped lines work out their height (else they get one line's).
        width = min(_PANEL_WIDTH, max(200, self._target.width() - 24))
        self.panel.setFixedWidth(width)
        text_width = width - 2 * _PANEL_MARGIN
        for label in (self.reason, self.explanation, self.error_label):
            label.setMinimumHeight(label.heightForWidth(text_width) if label.text() else 0)
        self.raise_()

    def _on_unlock_button_clicked(self) -> None:
        self.unlock_requested.emit(self.passphrase_edit.text() if self.encrypted else "")
