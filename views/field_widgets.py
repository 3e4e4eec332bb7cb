"""Small editors shared by the event and child forms: yes/no/not recorded, and a message in place."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

#: Red text for an error in place (shared with `DateEdit`).
ERROR_STYLE: Final = "color: #b3261e;"
_HINT_STYLE: Final = "color: #5f6368;"
_NOTE_STYLE: Final = "color: #1f4e79;"


class TriStateBool(QWidget):
    """Yes / No / Not recorded, as three labelled radio buttons (never a half-ticked box).

    Signals:
        value_changed(object): the value (True, False or None for not recorded) changed.
    """

    value_changed = Signal(object)

    _VALUES: Final = {0: True, 1: False, 2: None}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.yes = QRadioButton("Yes", self)
        self.no = QRadioButton("No", self)
        self.unrecorded = QRadioButton("Not recorded", self)
        self._group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for i, button in enumerate((self.yes, self.no, self.unrecorded)):
            self._group.addButton(button, i)
            layout.addWidget(button)
        layout.addStretch(1)
        self.unrecorded.setChecked(True)
        self._group.idToggled.connect(self._on_group_id_toggled)

    def value(self) -> bool | None:
        return self._VALUES[self._group.checkedId()]

    def set_value(self, value: bool | None) -> None:
        button = self.unrecorded if value is None else (self.yes if value else self.no)
        button.setChecked(True)

    def _on_group_id_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.value_changed.emit(self._VALUES[button_id])


class FieldMessage(QLabel):
    """The line under a field: an error (red), a hint (grey) or a note (blue); hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setVisible(False)
        self.kind = ""

    def show_error(self, text: str) -> None:
        self._show(text, ERROR_STYLE, "error")

    def show_hint(self, text: str) -> None:
        self._show(text, _HINT_STYLE, "hint")

    def show_note(self, text: str) -> None:
        self._show(text, _NOTE_STYLE, "note")

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.setVisible(False)

    def _show(self, text: str, style: str, kind: str) -> None:
        self.kind = kind
        self.setStyleSheet(style)
        self.setText(text)
        self.setVisible(bool(text))


def with_message(editor: QWidget, parent: QWidget | None = None) -> tuple[QWidget, FieldMessage]:
    """The editor with a message line under it, as one widget for a form row."""
    box = QWidget(parent)
    message = FieldMessage(box)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(editor)
    layout.addWidget(message)
    box.setFocusProxy(editor)
    return box, message
