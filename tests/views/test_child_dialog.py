"""The child details form: new child, edited details, problems shown in place."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from models.storage import store
from models.storage.db import Database
from views.child_dialog import ChildDialog


def open_dialog(qtbot: QtBot, db: Database, child_id: str | None = None) -> ChildDialog:
    existing = store.get_child(db, child_id) if child_id else None
    dialog = ChildDialog(None, db, existing)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_new_child(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, example_db)
    assert not dialog.ok_button.isEnabled()
    assert dialog.field_message("id") == "Required: the case-management system's ID"
    qtbot.keyClicks(dialog.id_edit, "EX-002")
    assert dialog.field_message("id") == "A child with ID EX-002 is already recorded"
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.id_edit, "b")
    qtbot.keyClicks(dialog.text_edits["given_name"], "Bea")
    qtbot.keyClicks(dialog.birth_edit.line_edit, "1/2/2024")
    dialog.gender_combo.setCurrentIndex(dialog.gender_combo.findData("female"))
    qtbot.mouseClick(dialog.disability_edit.no, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.text_edits["sibling_group"], "F-EX2")
    assert dialog.ok_button.isEnabled()
    record = dialog.record()
    assert record is not None
    assert record.id == "EX-002b"
    assert dict(record.fields) == {
        "given_name": "Bea",
        "date_of_birth": date(2024, 2, 1),
        "gender": "female",
        "disability": False,
        "sibling_group": "F-EX2",
    }


def test_team_worker_officer_offer_known_values(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, example_db)
    combo = dialog.combos["team"]
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Child Protection East",
        "Children in Care",
        "Court Team",
    ]
    assert combo.isEditable() and combo.currentText() == ""
    qtbot.keyClicks(dialog.id_edit, "N-1")
    combo.setEditText("A brand new team")
    record = dialog.record()
    assert record is not None and record.fields["team"] == "A brand new team"


def test_edit_keeps_the_id_and_events(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, example_db, "EX-002")
    assert dialog.id_edit.isReadOnly()
    assert dialog.birth_edit.text() == "19/08/2021"
    assert dialog.combos["social_worker"].currentText() == "K. Patel"
    assert not dialog.ok_button.isEnabled()  # nothing changed yet
    dialog.text_edits["given_name"].setText("Benjamin")
    record = dialog.record()
    assert record is not None
    assert record.fields["given_name"] == "Benjamin"
    assert len(record.events) == 14


def test_birth_date_after_events_refused_in_place(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, example_db, "EX-002")
    dialog.birth_edit.set_value(date(2024, 10, 1))
    assert "is before the child's date of birth 01/10/2024" in dialog.field_message("date_of_birth")
    assert not dialog.ok_button.isEnabled()
    dialog.birth_edit.line_edit.setText("31/02/2021")
    assert dialog.field_message("date_of_birth") == "31/02/2021 is not a real date"
    assert not dialog.ok_button.isEnabled()


def test_ask(qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def fill_and_accept(self: ChildDialog) -> int:
        self.id_edit.setText("N-2")
        self.ok_button.click()
        return self.result()

    monkeypatch.setattr(ChildDialog, "exec", fill_and_accept)
    record = ChildDialog.ask(None, example_db)
    assert record is not None and record.id == "N-2"
    monkeypatch.setattr(ChildDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert ChildDialog.ask(None, example_db) is None
