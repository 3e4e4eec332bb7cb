"""A date field that takes what people type (dd/mm/yyyy) and says in place what is wrong with it.

`QDateEdit` cannot be empty, cannot show "31/02/2025 is not a real date" and fights people typing
day-first dates; this is a line edit with a calendar button and the parse rules written down once in
`parse_typed_date`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.screens.child_view import EARLIEST_DATE, LATEST_DATE
from views.field_widgets import ERROR_STYLE
from views.labels import fmt_date, qdate

_DAY_FIRST: Final = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_ISO: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

_INVALID_EDIT_STYLE: Final = "QLineEdit { border: 1px solid #b3261e; border-radius: 2px; padding: 1px; }"


def parse_typed_date(
    text: str, minimum: date = EARLIEST_DATE, maximum: date = LATEST_DATE
) -> tuple[date | None, str | None]:
    """The date a person typed, or the reason it is not one; ("", None) means empty.

    Accepts dd/mm/yyyy and d/m/yyyy (with '/', '.' or '-') and ISO yyyy-mm-dd.
    """
    text = text.strip()
    if not text:
        return None, None
    iso = _ISO.match(text)
    day_first = None if iso else _DAY_FIRST.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif day_first:
        day, month, year_text = int(day_first[1]), int(day_first[2]), day_first[3]
        if len(year_text) != 4:
            return None, f"Type the year of {text} in full (dd/mm/yyyy)"
        year = int(year_text)
    else:
        return None, f"“{text}” is not a date: type it as dd/mm/yyyy"
    try:
        value = date(year, month, day)
    except ValueError:
        return None, f"{text} is not a real date"
    if not minimum <= value <= maximum:
        return None, (
            f"{text} is outside the dates the tracker accepts ({fmt_date(minimum)} to {fmt_date(maximum)})"
        )
    return value, None


class DateEdit(QWidget):
    """A date typed as dd/mm/yyyy (or d/m/yyyy, yyyy-mm-dd) or picked from a calendar; may be empty.

    Args:
        show_error: show the parse error under the field; a form that lays out its own
            messages passes False and reads `error()`.

    Signals:
        date_changed(object): the value (a `date`, or None when empty or not a real date), or
            the reason it is not a date, changed; whether typed, picked or set.
    """

    date_changed = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        show_error: bool = True,
        minimum: date = EARLIEST_DATE,
        maximum: date = LATEST_DATE,
    ) -> None:
        super().__init__(parent)
        self._minimum = minimum
        self._maximum = maximum
        self._value: date | None = None
        self._error: str | None = None

        self.line_edit = QLineEdit(self)
        self.line_edit.setPlaceholderText("dd/mm/yyyy")
        self.line_edit.setMaxLength(10)
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.setAccessibleName("Date, dd/mm/yyyy")
        self.line_edit.setMinimumWidth(self.line_edit.fontMetrics().horizontalAdvance("00/00/00000") + 40)

        self.calendar_button = QToolButton(self)
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)
        self.calendar_button.setToolTip("Choose from a calendar (Alt+Down)")
        self.calendar_button.setAccessibleName("Choose from a calendar")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self._show_error = show_error

        self._calendar: QCalendarWidget | None = None

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.calendar_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.error_label)
        self.setFocusProxy(self.line_edit)

        popup = QAction("Choose from a calendar", self.line_edit)
        popup.setShortcuts([QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Down), QKeySequence(Qt.Key.Key_F4)])
        popup.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.line_edit.addAction(popup)

        self.line_edit.textChanged.connect(self._on_line_edit_text_changed)
        self.calendar_button.clicked.connect(self.show_calendar)
        popup.triggered.connect(self.show_calendar)

    # --- value ----------------------------------------------------------------------------------

    def value(self) -> date | None:
        """The date, or None when the field is empty or does not hold a real date."""
        return self._value

    def set_value(self, value: date | None) -> None:
        self.line_edit.setText(fmt_date(value) if value is not None else "")

    def text(self) -> str:
        return self.line_edit.text()

    def error(self) -> str | None:
        """Why the text is not a date, or None when it is one or the field is empty."""
        return self._error

    def is_empty(self) -> bool:
        return not self.line_edit.text().strip()

    def set_read_only(self, read_only: bool) -> None:
        self.line_edit.setReadOnly(read_only)
        self.calendar_button.setEnabled(not read_only)

    def _on_line_edit_text_changed(self, text: str) -> None:
        value, error = parse_typed_date(text, self._minimum, self._maximum)
        changed = (value, error) != (self._value, self._error)
        self._value, self._error = value, error
        self.line_edit.setStyleSheet(_INVALID_EDIT_STYLE if error else "")
        self.line_edit.setToolTip(error or "")
        self.error_label.setText(error or "")
        self.error_label.setVisible(self._show_error and error is not None)
        if changed:
            self.date_changed.emit(value)

    # --- calendar -------------------------------------------------------------------------------

    def calendar(self) -> QCalendarWidget:
        """The popup calendar (made on first use)."""
        if self._calendar is None:
            calendar = QCalendarWidget(self)
            calendar.setWindowFlags(Qt.WindowType.Popup)
            calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            calendar.setGridVisible(True)
            calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
            calendar.setMinimumDate(qdate(self._minimum))
            calendar.setMaximumDate(qdate(self._maximum))
            calendar.clicked.connect(self._on_calendar_clicked)
            calendar.activated.connect(self._on_calendar_clicked)
            self._calendar = calendar
        return self._calendar

    def show_calendar(self) -> None:
        if self.line_edit.isReadOnly():
            return
        calendar = self.calendar()
        current = self._value or date.today()
        calendar.setSelectedDate(qdate(current))
        calendar.adjustSize()
        calendar.move(self.line_edit.mapToGlobal(QPoint(0, self.line_edit.height())))
        calendar.show()
        calendar.setFocus()

    def _on_calendar_clicked(self, picked: QDate) -> None:
        self.set_value(picked.toPython())  # type: ignore[arg-type]
        if self._calendar is not None:
            self._calendar.hide()
        self.line_edit.setFocus()
