"""The date field: what people type, what it says when that is not a date, and the calendar."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from views.date_edit import DateEdit, parse_typed_date


@pytest.mark.parametrize(
    "text",
    ["01/02/2025", "1/2/2025", "2025-02-01", "01.02.2025", "1-2-2025", "  01/02/2025 "],
)
def test_accepts_day_first_and_iso(text: str) -> None:
    assert parse_typed_date(text) == (date(2025, 2, 1), None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2025", "31/02/2025 is not a real date"),
        ("2025-02-31", "2025-02-31 is not a real date"),
        ("29/02/2023", "29/02/2023 is not a real date"),
        ("1/2/25", "Type the year of 1/2/25 in full (dd/mm/yyyy)"),
        ("next week", "“next week” is not a date: type it as dd/mm/yyyy"),
        ("01/01/1900", "01/01/1900 is outside the dates the tracker accepts (01/01/1990 to 31/12/2070)"),
    ],
)
def test_explains_what_is_wrong(text: str, message: str) -> None:
    assert parse_typed_date(text) == (None, message)


def test_empty_is_no_date_and_no_error() -> None:
    assert parse_typed_date("   ") == (None, None)


def test_leap_day_is_a_real_date() -> None:
    assert parse_typed_date("29/02/2024") == (date(2024, 2, 29), None)


@pytest.fixture
def edit(qtbot: QtBot) -> DateEdit:
    widget = DateEdit()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_typing_a_date(qtbot: QtBot, edit: DateEdit) -> None:
    seen: list[object] = []
    edit.date_changed.connect(seen.append)
    qtbot.keyClicks(edit.line_edit, "14/04/2025")
    # Every keystroke changes the text's validity; the last one makes it a date.
    assert seen[-1] == date(2025, 4, 14)
    assert edit.value() == date(2025, 4, 14)
    assert edit.error() is None
    assert not edit.error_label.isVisible()


def test_impossible_date_shown_in_place(qtbot: QtBot, edit: DateEdit) -> None:
    qtbot.keyClicks(edit.line_edit, "31/02/2025")
    assert edit.value() is None
    assert edit.error() == "31/02/2025 is not a real date"
    assert edit.error_label.isVisible()
    assert edit.error_label.text() == "31/02/2025 is not a real date"
    assert edit.line_edit.toolTip() == "31/02/2025 is not a real date"
    # Mending it clears the message.
    edit.line_edit.clear()
    qtbot.keyClicks(edit.line_edit, "28/02/2025")
    assert edit.value() == date(2025, 2, 28)
    assert not edit.error_label.isVisible()


def test_signal_when_validity_changes_even_if_value_stays_none(qtbot: QtBot, edit: DateEdit) -> None:
    qtbot.keyClicks(edit.line_edit, "31/02/202")
    with qtbot.waitSignal(edit.date_changed) as blocker:
        qtbot.keyClicks(edit.line_edit, "5")
    assert blocker.args == [None]
    assert edit.error() == "31/02/2025 is not a real date"


def test_form_can_hide_the_message(qtbot: QtBot) -> None:
    edit = DateEdit(show_error=False)
    qtbot.addWidget(edit)
    edit.show()
    qtbot.keyClicks(edit.line_edit, "31/02/2025")
    assert edit.error() == "31/02/2025 is not a real date"
    assert not edit.error_label.isVisible()


def test_set_value_formats_day_first(edit: DateEdit) -> None:
    edit.set_value(date(2025, 1, 3))
    assert edit.text() == "03/01/2025"
    assert edit.value() == date(2025, 1, 3)
    edit.set_value(None)
    assert edit.text() == ""
    assert edit.value() is None
    assert edit.is_empty()


def test_calendar_popup_picks_a_date(qtbot: QtBot, edit: DateEdit) -> None:
    edit.set_value(date(2025, 3, 1))
    qtbot.mouseClick(edit.calendar_button, Qt.MouseButton.LeftButton)
    calendar = edit.calendar()
    assert calendar.isVisible()
    assert calendar.selectedDate() == QDate(2025, 3, 1)
    assert calendar.firstDayOfWeek() == Qt.DayOfWeek.Monday
    with qtbot.waitSignal(edit.date_changed) as blocker:
        calendar.clicked.emit(QDate(2025, 3, 4))
    assert blocker.args == [date(2025, 3, 4)]
    assert edit.text() == "04/03/2025"
    assert not calendar.isVisible()


def test_read_only_has_no_calendar(edit: DateEdit) -> None:
    edit.set_read_only(True)
    assert not edit.calendar_button.isEnabled()
    edit.show_calendar()
    assert edit._calendar is None
