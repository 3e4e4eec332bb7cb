"""The event form, driven through its real widgets against the shared example children."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from models.domain.journey import EVENT_TYPES
from models.domain.records import ChildRecord, EventRecord
from models.storage import store
from models.storage.db import Database
from views.date_edit import DateEdit
from views.event_dialog import TYPE_ROLE, EventDialog
from views.field_widgets import TriStateBool


def child(db: Database, child_id: str) -> ChildRecord:
    record = store.get_child(db, child_id)
    assert record is not None
    return record


def open_dialog(
    qtbot: QtBot, record: ChildRecord, existing: EventRecord | None = None, event_type: str | None = None
) -> EventDialog:
    dialog = EventDialog(None, record, existing, event_type)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose_type(dialog: EventDialog, name: str) -> None:
    """Pick a type in the chooser as a person would: by its row in the combo."""
    combo = dialog.type_combo
    assert combo is not None
    row = next(r for r in range(combo.count()) if combo.model().index(r, 0).data(TYPE_ROLE) == name)
    combo.setCurrentIndex(row)


def type_date(qtbot: QtBot, edit: DateEdit, text: str) -> None:
    edit.line_edit.clear()
    qtbot.keyClicks(edit.line_edit, text)


def choose(combo: QWidget, text: str) -> None:
    assert isinstance(combo, QComboBox)
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


# --- the type chooser --------------------------------------------------------------------------


def test_type_chooser_groups_every_type_by_stage(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"))
    combo = dialog.type_combo
    assert combo is not None
    model = combo.model()
    names = [model.index(r, 0).data(TYPE_ROLE) for r in range(model.rowCount())]
    assert [n for n in names if n] == list(EVENT_TYPES)
    headings = [model.index(r, 0).data() for r, n in enumerate(names) if n is None]
    assert headings == [
        "Child protection",
        "Pre-proceedings (PLO)",
        "Care proceedings",
        "Looked after",
        "Dispute resolution (DRP)",
    ]
    for r, n in enumerate(names):
        selectable = bool(model.flags(model.index(r, 0)) & Qt.ItemFlag.ItemIsSelectable)
        assert selectable == (n is not None)


def test_nothing_chosen_yet_asks_for_type_and_date(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"))
    assert dialog.event_type() is None
    assert not dialog.ok_button.isEnabled()
    assert dialog.field_message("type") == "Choose the type of event"
    assert dialog.field_message("date") == "Required"
    assert dialog.message_text() == "To save, fill in: the type of event, date."
    assert dialog.record() is None


def test_one_form_per_type_generated_from_the_field_specs(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"))
    choose_type(dialog, "strategy_discussion")
    assert isinstance(dialog.field_editor("s47"), TriStateBool)
    choose_type(dialog, "icpc")
    outcome = dialog.field_editor("outcome")
    assert isinstance(outcome, QComboBox)
    assert [outcome.itemText(i) for i in range(outcome.count())] == ["—", "Plan made", "No plan"]
    choose_type(dialog, "pre_proceedings_extended")
    weeks = dialog.field_editor("weeks")
    assert isinstance(weeks, QSpinBox)
    assert (weeks.minimum() + 1, weeks.maximum()) == (1, 16)  # the lowest position is "not chosen"
    choose_type(dialog, "extension")
    assert isinstance(dialog.field_editor("until"), DateEdit)
    choose_type(dialog, "proceedings_issued")
    assert isinstance(dialog.field_editor("case_number"), QLineEdit)
    assert dialog.date_label.text() == "Date issued *"
    with pytest.raises(KeyError):
        dialog.field_editor("s47")


def _tab_stops(dialog: EventDialog, start: QWidget, count: int) -> list[QWidget]:
    """The widgets Tab reaches from `start`, in order (the focus chain, as Tab walks it)."""
    stops: list[QWidget] = []
    widget = start
    while len(stops) < count:
        widget = widget.nextInFocusChain()
        proxied = widget.focusProxy() or widget
        if (
            proxied is widget
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisibleTo(dialog)
            and widget.isEnabled()
            and widget not in stops
        ):
            stops.append(widget)
    return stops


def test_tab_goes_through_the_types_own_fields_first(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"))
    choose_type(dialog, "extension")
    until = dialog.field_editor("until")
    reason = dialog.field_editor("reason")
    assert isinstance(until, DateEdit) and isinstance(reason, QComboBox)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    expected = [
        until.line_edit,
        reason,
        dialog.date_edit.line_edit,
        dialog.note_edit,
        dialog.recorded_by_edit,
        cancel,  # "Save event" is disabled until the event can be saved
    ]
    assert dialog.type_combo is not None
    assert _tab_stops(dialog, dialog.type_combo, len(expected)) == expected

    # And as a person presses Tab: from the type, through the new end, the reason, to the date.
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    dialog.type_combo.setFocus()
    reached = []
    for _ in range(len(expected)):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == expected


def test_a_form_opened_on_a_type_starts_in_its_first_field(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"), event_type="final_order")
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    first = dialog.field_editor(EVENT_TYPES["final_order"].fields[0].name)
    assert first.isAncestorOf(QApplication.focusWidget()) or QApplication.focusWidget() is first


# --- recording ---------------------------------------------------------------------------------


def test_records_a_review(qtbot: QtBot, example_db: Database) -> None:
    record = child(example_db, "EX-002")
    dialog = open_dialog(qtbot, record)
    choose_type(dialog, "cla_review")
    type_date(qtbot, dialog.date_edit, "01/08/2025")
    qtbot.keyClicks(dialog.note_edit, "Held at the foster home")
    assert dialog.ok_button.isEnabled()
    assert dialog.message_text() == "Ready to save."
    event = dialog.record()
    assert event is not None
    assert (event.id, event.type, event.date) == (store.new_event_id(record), "cla_review", date(2025, 8, 1))
    assert event.note == "Held at the foster home"
    assert event.recorded_by == store.current_user()


def test_fields_become_journey_values(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-001"), event_type="icpc")
    type_date(qtbot, dialog.date_edit, "02/06/2025")
    choose(dialog.field_editor("outcome"), "Plan made")
    choose(dialog.field_editor("category"), "Emotional abuse")
    event = dialog.record()
    assert event is not None
    assert dict(event.fields) == {"outcome": "plan", "category": "emotional"}

    dialog = open_dialog(qtbot, child(example_db, "EX-001"), event_type="strategy_discussion")
    type_date(qtbot, dialog.date_edit, "02/06/2025")
    s47 = dialog.field_editor("s47")
    assert isinstance(s47, TriStateBool)
    assert s47.value() is None  # not recorded until someone says
    qtbot.mouseClick(s47.yes, Qt.MouseButton.LeftButton)
    event = dialog.record()
    assert event is not None and event.fields == {"s47": True}


def test_required_number_must_be_chosen(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"), event_type="pre_proceedings_extended")
    type_date(qtbot, dialog.date_edit, "01/10/2024")
    assert dialog.field_message("weeks") == "Required"
    assert not dialog.ok_button.isEnabled()
    weeks = dialog.field_editor("weeks")
    assert isinstance(weeks, QSpinBox)
    weeks.setValue(4)
    assert dialog.field_message("weeks") == ""
    event = dialog.record()
    assert event is not None and event.fields["weeks"] == 4


# --- validation in place -----------------------------------------------------------------------


def test_impossible_date_shown_next_to_the_date(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"), event_type="cla_visit")
    type_date(qtbot, dialog.date_edit, "31/02/2025")
    assert dialog.field_message("date") == "31/02/2025 is not a real date"
    assert dialog.date_message.isVisible()
    assert not dialog.ok_button.isEnabled()
    assert dialog.record() is None
    type_date(qtbot, dialog.date_edit, "28/02/2025")
    assert dialog.field_message("date") == ""
    assert dialog.ok_button.isEnabled()


def test_date_before_birth(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"), event_type="cla_visit")
    type_date(qtbot, dialog.date_edit, "01/01/2020")
    assert dialog.field_message("date") == "01/01/2020 is before the child's date of birth 19/08/2021"
    assert not dialog.ok_button.isEnabled()


def test_extension_beyond_eight_weeks_names_the_latest_allowed(qtbot: QtBot, example_db: Database) -> None:
    # EX-002: issued 03/02/2025, extended on 28/07/2025 to 26/09/2025.
    dialog = open_dialog(qtbot, child(example_db, "EX-002"), event_type="extension")
    type_date(qtbot, dialog.date_edit, "01/09/2025")
    until = dialog.field_editor("until")
    assert isinstance(until, DateEdit)
    # Before the new end is typed, the form already says how far it may go.
    assert dialog.field_message("until") == "Required"
    type_date(qtbot, until, "30/01/2026")
    message = dialog.field_message("until")
    assert "more than 8 weeks (56 days)" in message
    assert "the latest allowed is 21/11/2025" in message
    # Shown in full, however many lines it wraps onto.
    form = dialog.form()
    assert form is not None
    label = form.messages["until"]
    assert label.wordWrap()
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert dialog.layout().totalHeightForWidth(dialog.width()) <= dialog.height()
    assert not dialog.ok_button.isEnabled()
    assert dialog.message_text() == "Correct the field marked in red to save this event."

    type_date(qtbot, until, "21/11/2025")
    assert dialog.field_message("until") == (
        "Latest allowed: 21/11/2025 (8 weeks after the later of the current end 26/09/2025 "
        "and the date granted)"
    )
    assert dialog.ok_button.isEnabled()
    event = dialog.record()
    assert event is not None and event.fields["until"] == date(2025, 11, 21)


def test_final_order_before_issue_refused_in_place(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"), event_type="final_order")
    type_date(qtbot, dialog.date_edit, "31/01/2025")  # issued 03/02/2025
    assert dialog.field_message("type") == "A final order needs proceedings issued on or before it"
    assert dialog.type_message.isVisible()
    assert not dialog.ok_button.isEnabled()
    type_date(qtbot, dialog.date_edit, "01/09/2025")
    assert dialog.field_message("type") == ""
    choose(dialog.field_editor("order"), "Care order")
    event = dialog.record()
    assert event is not None and event.fields == {"order": "care_order"}


def test_drp_reference_offers_the_childs_escalations(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-003"), event_type="drp_escalated")
    ref = dialog.field_editor("ref")
    assert isinstance(ref, QComboBox)
    assert [ref.itemText(i) for i in range(ref.count())] == ["DRP-25-014"]
    assert dialog.field_message("ref") == (
        "Raised 01/07/2025, at stage 2 – service manager, resolved 15/07/2025"
    )
    stage = dialog.field_editor("stage")
    assert isinstance(stage, QComboBox)
    assert stage.currentText() == "3 – head of service"  # one up from where it stands

    ref.setEditText("DRP-99-999")
    type_date(qtbot, dialog.date_edit, "01/08/2025")
    assert "DRP-99-999 was never raised" in dialog.field_message("ref")
    assert not dialog.ok_button.isEnabled()


def test_problem_elsewhere_in_the_chronology_is_shown_below(qtbot: QtBot, example_db: Database) -> None:
    # Editing the issue of proceedings to a date after the extension makes that extension wrong.
    record = child(example_db, "EX-002")
    issued = next(e for e in record.events if e.type == "proceedings_issued")
    dialog = open_dialog(qtbot, record, existing=issued)
    type_date(qtbot, dialog.date_edit, "01/08/2025")
    assert not dialog.ok_button.isEnabled()
    assert "cannot be saved yet" in dialog.message_text()
    assert "Extension of the timetable of 28/07/2025" in dialog.message_text()


# --- editing -----------------------------------------------------------------------------------


def test_edit_keeps_id_and_type_and_unknown_keys(qtbot: QtBot, example_db: Database) -> None:
    record = child(example_db, "EX-002")
    review = next(e for e in record.events if e.id == "ex2-13")
    review = EventRecord(review.id, review.type, review.date, review.fields, None, None, {"source": "LCS"})
    dialog = open_dialog(qtbot, record, existing=review)
    assert dialog.type_combo is None
    assert dialog.date_edit.text() == "12/03/2025"
    assert not dialog.ok_button.isEnabled()
    assert dialog.message_text() == "Nothing has been changed yet."
    with pytest.raises(ValueError, match="cannot be changed"):
        dialog.set_event_type("cla_visit")
    type_date(qtbot, dialog.date_edit, "13/03/2025")
    assert dialog.ok_button.isEnabled()
    event = dialog.record()
    assert event is not None
    assert (event.id, event.type, event.date, dict(event.extra)) == (
        "ex2-13",
        "cla_review",
        date(2025, 3, 13),
        {"source": "LCS"},
    )


def test_edit_shows_the_existing_fields(qtbot: QtBot, example_db: Database) -> None:
    record = child(example_db, "EX-003")
    raised = next(e for e in record.events if e.type == "drp_raised")
    dialog = open_dialog(qtbot, record, existing=raised)
    ref = dialog.field_editor("ref")
    assert isinstance(ref, QLineEdit) and ref.text() == "DRP-25-014"
    stage = dialog.field_editor("stage")
    assert isinstance(stage, QComboBox) and stage.currentData() == 1
    category = dialog.field_editor("category")
    assert isinstance(category, QComboBox) and category.currentText() == "Drift and delay"
    assert dialog.record() == raised


def test_ask_returns_the_record_or_none(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = child(example_db, "EX-002")

    def fill_and_accept(self: EventDialog) -> int:
        choose_type(self, "cla_visit")
        self.date_edit.set_value(date(2025, 8, 5))
        self.ok_button.click()
        return self.result()

    monkeypatch.setattr(EventDialog, "exec", fill_and_accept)
    event = EventDialog.ask(None, record)
    assert event is not None and (event.type, event.date) == ("cla_visit", date(2025, 8, 5))

    monkeypatch.setattr(EventDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert EventDialog.ask(None, record) is None


def test_ok_does_nothing_while_invalid(qtbot: QtBot, example_db: Database) -> None:
    dialog = open_dialog(qtbot, child(example_db, "EX-002"), event_type="cla_visit")
    with qtbot.assertNotEmitted(dialog.accepted):
        dialog.accept()
    assert dialog.isVisible()


def test_a_drp_raise_offers_the_configured_categories(qtbot: QtBot, example_db: Database) -> None:
    from models.storage.store import get_child

    child = get_child(example_db, "EX-003")
    assert child is not None
    dialog = EventDialog(None, child, None, "drp_raised", ("sibling_contact", "drift_and_delay"))
    qtbot.addWidget(dialog)
    dialog.show()
    editor = dialog._forms["drp_raised"].editors["category"]
    combo = editor.widget
    values = [combo.itemText(i) for i in range(combo.count())]
    assert "Sibling contact" in values and "Care planning" not in values


# --- the same-day order (timescales.md): the order things are entered in never matters ---------


def _save(qtbot: QtBot, db: Database, child_id: str, event_type: str, day: str, **values: str) -> None:
    dialog = open_dialog(qtbot, child(db, child_id), event_type=event_type)
    type_date(qtbot, dialog.date_edit, day)
    for name, value in values.items():
        editor = dialog.field_editor(name)
        if isinstance(editor, DateEdit):
            type_date(qtbot, editor, value)
        elif isinstance(editor, QComboBox):
            choose(editor, value)
        else:
            assert isinstance(editor, QLineEdit)
            editor.setText(value)
    assert dialog.ok_button.isEnabled(), dialog.message_text()
    record = dialog.record()
    assert record is not None
    store.add_event(db, child_id, record)


@pytest.mark.parametrize("extension_first", [True, False])
def test_an_extension_on_the_final_order_day_in_either_order(
    qtbot: QtBot, example_db: Database, extension_first: bool
) -> None:
    # EX-002: issued 03/02/2025, extended on 28/07/2025 to 26/09/2025.
    steps = [
        ("extension", {"until": "20/10/2025", "reason": "Timetable for the child"}),
        ("final_order", {"order": "Care order"}),
    ]
    for event_type, values in steps if extension_first else reversed(steps):
        _save(qtbot, example_db, "EX-002", event_type, "01/10/2025", **values)
    saved = sorted(e.type for e in child(example_db, "EX-002").events if e.date == date(2025, 10, 1))
    assert saved == ["extension", "final_order"]


def test_a_family_group_conference_offered_and_held_on_one_day(qtbot: QtBot, example_db: Database) -> None:
    # EX-002 had one offered on 09/09/2024; it is held the same day.
    _save(qtbot, example_db, "EX-002", "family_group_conference", "09/09/2024", stage="Held")
    stages = sorted(
        e.fields["stage"] for e in child(example_db, "EX-002").events if e.type == "family_group_conference"
    )
    assert stages == ["held", "offered"]
