"""The DRP workflow through its forms, the escalation register and the child page: raise, escalate,
answer, resolve — each with the right clocks, each undoable and audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from models.domain.records import EventRecord, Issue, issue_sentence
from models.domain.rules import Status
from models.screens.drp_view import AlertKind, open_escalations
from models.storage import audit, store
from models.storage.db import Database
from models.storage.settings import Settings, load_settings
from models.storage.store import save_settings
from views import prompts
from views.child_page import ChildPage
from views.drp_dialogs import EscalateDialog, RaiseDialog, ResolveDialog, ResponseDialog
from views.escalation_model import EscalationModel
from views.escalations_page import EscalationsPage
from views.recording import save_new_event
from views.settings_dialog import SettingsDialog

AS_OF = date(2025, 7, 31)


def _page(qtbot: QtBot, db: Database, as_of: date = AS_OF) -> EscalationsPage:
    stack = QUndoStack()
    page = EscalationsPage(db, stack, as_of)
    page._test_stack = stack  # type: ignore[attr-defined]
    qtbot.addWidget(page)
    page.resize(1400, 800)
    with qtbot.waitSignal(page.view_ready, timeout=5000):
        page.show()
    return page


def _row(page: EscalationsPage, ref: str) -> dict[str, str]:
    model = page.model
    row = model.find(lambda r: r.ref == ref)
    assert row >= 0, (ref, [r.ref for r in model.rows()])
    return {
        str(model.headerData(c, Qt.Orientation.Horizontal)): str(model.index(row, c).data())
        for c in range(model.columnCount())
    }


def _patch_exec(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], fill: Callable[..., None]) -> list[str]:
    """Run `fill(dialog)` in place of the modal loop, then press OK; returns the messages seen."""
    messages: list[str] = []

    def run(self: QDialog) -> int:
        fill(self)
        messages.append(self.message_text())  # type: ignore[attr-defined]
        self.ok_button.click()  # type: ignore[attr-defined]
        return self.result()

    monkeypatch.setattr(cls, "exec", run)
    return messages


def _choose(combo: object, data: object) -> None:
    index = combo.findData(data)  # type: ignore[attr-defined]
    assert index >= 0, data
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def test_raise_escalate_answer_resolve_with_clocks_and_undo(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # EX-001 (on a CP plan) gets an escalation with the same dates as EX-003's DRP-25-014.
    page = _page(qtbot, example_db)

    def raise_form(d: RaiseDialog) -> None:
        assert d.ref_edit.text() == "DRP-25-015"  # the next reference of the year
        assert d.role_combo.currentData() == "cp_chair"  # on a CP plan, not in care
        d.date_edit.line_edit.setText("01/07/2025")
        _choose(d.stage_combo, 1)
        _choose(d.category_combo, "drift_and_delay")
        d.wanted_edit.setPlainText("Core group to meet and update the plan")
        d.wanted_by_edit.line_edit.setText("11/07/2025")
        assert d.addressed_combo.currentText() == "Team manager"
        assert d.clock_label.text() == (
            "A response is due by 08/07/2025 (5 working days); the formal process should end by "
            "29/07/2025 (20 working days)."
        )

    _patch_exec(monkeypatch, RaiseDialog, raise_form)
    with qtbot.waitSignal(page.child_changed):
        assert page.drp.raise_escalation("EX-001")
    page.show_filter.setCurrentIndex(1)  # open and closed
    page.select("EX-001", "DRP-25-015")
    row = _row(page, "DRP-25-015")
    assert row["Current stage"] == "1 – team manager"
    assert row["Stage due"] == "08/07/2025"
    assert row["Stage clock"] == "Red – overdue 17 WD"
    assert row["20 WD clock"] == "Red – overdue 2 WD"
    assert row["Raised by (role)"] == "P. Jones (CP chair)"
    assert "Core group to meet and update the plan — by 11/07/2025" in page.details.toPlainText()

    def escalate_form(d: EscalateDialog) -> None:
        stages = [d.stage_combo.itemData(i) for i in range(d.stage_combo.count())]
        assert stages == [2, 3, 4, 5]  # any higher stage: stages may be skipped
        d.date_edit.line_edit.setText("09/07/2025")
        _choose(d.stage_combo, 2)
        assert d.addressed_combo.currentText() == "Service manager"

    _patch_exec(monkeypatch, EscalateDialog, escalate_form)
    assert page.escalate_selected()
    row = _row(page, "DRP-25-015")
    assert row["Current stage"] == "2 – service manager"
    assert row["Stage due"] == "16/07/2025"
    assert row["Stage clock"] == "Red – overdue 11 WD"

    def response_form(d: ResponseDialog) -> None:
        d.date_edit.line_edit.setText("14/07/2025")
        assert not d.ok_button.isEnabled()
        assert "Say whether the response was satisfactory." in d.message_text()
        d.satisfactory.setChecked(True)

    _patch_exec(monkeypatch, ResponseDialog, response_form)
    assert page.record_response_selected()
    row = _row(page, "DRP-25-015")
    assert row["Stage clock"] == "Green – met 14/07/2025"
    assert row["20 WD clock"] == "Red – overdue 2 WD"

    def resolve_form(d: ResolveDialog) -> None:
        d.date_edit.line_edit.setText("15/07/2025")
        d.outcome_edit.setText("Plan updated and shared")

    _patch_exec(monkeypatch, ResolveDialog, resolve_form)
    assert page.resolve_selected()
    rows = {r.ref: r for r in page.register.rows}
    done, example = rows["DRP-25-015"], rows["DRP-25-014"]
    # The same clocks as EX-003's DRP-25-014 (timescales.md): stage 1 overdue by 1 WD, closed by the
    # escalation; stage 2 met; resolution met.
    for r in (done, example):
        first, second = r.stages
        assert first.deadline is not None and (first.deadline.status, first.deadline.late_by) == (
            Status.OVERDUE,
            1,
        )
        assert second.deadline is not None and second.deadline.status is Status.MET
        assert r.resolution is not None and r.resolution.status is Status.MET
        assert r.status == "Resolved 15/07/2025" and r.working_days == 10
    row = _row(page, "DRP-25-015")
    assert row["Stage clock"] == "Green – met 14/07/2025"
    assert row["20 WD clock"] == "Green – met 15/07/2025"
    assert row["Resolved"] == "15/07/2025 (10 WD)"
    assert row["Outcome"] == "Plan updated and shared"
    details = page.details.toPlainText()
    assert "Stage 1 – team manager, from 01/07/2025 — due 08/07/2025: Red overdue 1 WD" in details
    assert "20 working days: due 29/07/2025 — Green met 15/07/2025" in details

    # Four undoable steps, each audited.
    stack = page.undo_stack
    assert stack.count() == 4
    created = [
        e
        for e in audit.entries(example_db, child_id="EX-001")
        if e.action == "create" and e.entity == "event"
    ]
    assert len(created) == 4
    stack.undo()  # the resolution
    assert _row(page, "DRP-25-015")["Resolved"] == "open"
    stack.undo()  # the response
    assert _row(page, "DRP-25-015")["Stage clock"] == "Red – overdue 11 WD"
    stack.undo()
    stack.undo()  # back to nothing
    assert page.model.find(lambda r: r.ref == "DRP-25-015") == -1
    for _ in range(4):
        stack.redo()
    assert _row(page, "DRP-25-015")["20 WD clock"] == "Green – met 15/07/2025"


def test_escalate_may_skip_stages_and_cannot_go_down(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = store.get_child(example_db, "EX-003")
    assert child is not None
    [escalation] = [e for e in open_escalations(child)] or [None]  # DRP-25-014 is resolved
    assert escalation is None
    settings = load_settings(example_db)
    raise_dialog = RaiseDialog(None, child, settings=settings, ref="DRP-25-020", day=date(2025, 8, 1))
    qtbot.addWidget(raise_dialog)
    assert raise_dialog.role_combo.currentData() == "iro"  # looked after
    _choose(raise_dialog.category_combo, "care_planning")
    record = raise_dialog.record()
    assert record is not None and record.fields["stage"] == 1
    store.save_event(example_db, "EX-003", record)
    child = store.get_child(example_db, "EX-003")
    assert child is not None
    [escalation] = open_escalations(child)
    dialog = EscalateDialog(None, child, escalation, settings=settings, day=date(2025, 7, 30))
    qtbot.addWidget(dialog)
    assert "The date cannot be before 01/08/2025" in dialog.message_text()
    dialog.date_edit.line_edit.setText("05/08/2025")
    _choose(dialog.stage_combo, 4)  # stage 1 to 4: skipping is allowed
    assert dialog.ok_button.isEnabled()
    assert dialog.clock_label.text() == "A response to stage 4 – director is due by 12/08/2025."
    event = dialog.record()
    assert event is not None and (event.type, event.fields["stage"], event.fields["ref"]) == (
        "drp_escalated",
        4,
        "DRP-25-020",
    )
    _choose(dialog.stage_combo, 5)
    assert dialog.clock_label.text() == "Cafcass: outside the authority, no response clock."


def test_raise_refuses_a_reference_already_open(qtbot: QtBot, example_db: Database) -> None:
    child = store.get_child(example_db, "EX-001")
    assert child is not None
    from models.domain.records import EventRecord

    store.save_event(
        example_db,
        "EX-001",
        EventRecord(
            "r",
            "drp_raised",
            date(2025, 8, 1),
            {"ref": "DRP-25-030", "stage": 0, "category": "care_planning"},
        ),
    )
    child = store.get_child(example_db, "EX-001")
    assert child is not None
    dialog = RaiseDialog(None, child, settings=Settings(), ref="DRP-25-030", day=date(2025, 8, 4))
    qtbot.addWidget(dialog)
    _choose(dialog.category_combo, "care_planning")
    assert not dialog.ok_button.isEnabled()
    assert "Escalation DRP-25-030 is already open for this child" in dialog.message_text()
    dialog.ref_edit.setText("DRP-25-031")
    assert dialog.ok_button.isEnabled()
    dialog.wanted_by_edit.line_edit.setText("01/08/2025")
    assert "cannot be before the date raised" in dialog.message_text()


def test_categories_come_from_the_configurable_list(qtbot: QtBot, example_db: Database) -> None:
    save_settings(example_db, Settings(drp_categories=("drift_and_delay", "sibling_contact")))
    child = store.get_child(example_db, "EX-001")
    assert child is not None
    dialog = RaiseDialog(None, child, settings=load_settings(example_db), ref="DRP-25-040", day=AS_OF)
    qtbot.addWidget(dialog)
    combo = dialog.category_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Choose…",
        "Drift and delay",
        "Sibling contact",
    ]


def test_settings_dialog_edits_the_category_list(qtbot: QtBot, db: Database) -> None:
    dialog = SettingsDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.drp_categories()[0] == "drift_and_delay"
    assert dialog.category_list.item(0).text() == "Drift and delay"
    dialog.category_edit.setText("Sibling contact")
    dialog.add_category_button.click()
    dialog.category_edit.setText("Good practice")
    dialog.add_category_button.click()  # refused: a kind of its own
    assert "alert of its own" in dialog.message.text()
    dialog.category_list.setCurrentRow(0)
    dialog.remove_category_button.click()
    dialog.category_list.setCurrentRow(dialog.category_list.count() - 1)
    dialog.category_up_button.click()
    with qtbot.waitSignal(dialog.settings_saved):
        dialog.buttons.accepted.emit()
    saved = load_settings(db).drp_categories
    assert "drift_and_delay" not in saved
    assert saved[-2:] == ("sibling_contact", "no_allocated_worker")
    dialog2 = SettingsDialog(db)
    qtbot.addWidget(dialog2)
    dialog2.restore_categories_button.click()
    assert dialog2.drp_categories()[0] == "drift_and_delay"


def test_good_practice_from_the_child_page_counted_separately(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = QUndoStack()
    child_page = ChildPage(example_db, stack)
    qtbot.addWidget(child_page)
    child_page.show_child("EX-003", date(2025, 9, 1))
    register = EscalationsPage(example_db, stack, date(2025, 9, 1))
    qtbot.addWidget(register)
    with qtbot.waitSignal(register.view_ready):
        register.show()

    child_page.drp_menu.aboutToShow.emit()
    texts = [a.text() for a in child_page.drp_menu.actions()]
    assert texts[:2] == ["Raise an escalation…", "Record a good practice alert…"]
    assert len(texts) == 2  # DRP-25-014 is resolved: nothing open to act on

    def good_form(d: RaiseDialog) -> None:
        assert d.kind() is AlertKind.GOOD_PRACTICE
        assert not d.stage_combo.isEnabled() and d.stage_combo.currentData() == 0
        assert not d.category_combo.isVisibleTo(d)
        assert (
            d.clock_label.text()
            == "A good practice alert starts no clock; it is counted apart from escalations."
        )
        d.date_edit.line_edit.setText("20/08/2025")
        d.addressed_combo.setCurrentText("L. Brown")

    _patch_exec(monkeypatch, RaiseDialog, good_form)
    child_page.drp_menu.actions()[1].trigger()
    assert stack.count() == 1
    child = store.get_child(example_db, "EX-003")
    assert child is not None and any(e.fields.get("category") == "good_practice" for e in child.events)
    assert "good practice alerts: 1 (counted separately)" in register.count_label.text()
    assert "0 open escalations of 1" in register.count_label.text()
    assert register.model.rowCount() == 0  # open escalations only, by default
    _choose(register.kind_filter, AlertKind.GOOD_PRACTICE.value)
    row = _row(register, "DRP-25-015")
    assert (row["Current stage"], row["Stage clock"], row["20 WD clock"]) == (
        "Good practice alert",
        "No clock",
        "No clock",
    )
    # The child page offers to acknowledge it.
    child_page.drp_menu.aboutToShow.emit()
    sub = child_page.drp_menu.actions()[-1].menu()
    assert isinstance(sub, QMenu)
    assert [a.text() for a in sub.actions()] == ["Acknowledge…"]
    register.select("EX-003", "DRP-25-015")
    assert register.resolve_button.text() == "Ac&knowledge…"
    assert not register.escalate_button.isEnabled() and not register.response_button.isEnabled()
    stack.undo()
    assert "good practice alerts: 0" in register.count_label.text()


def test_register_filters(qtbot: QtBot, example_db: Database) -> None:
    from models.domain.records import EventRecord

    store.save_event(
        example_db,
        "EX-001",
        EventRecord(
            "r",
            "drp_raised",
            date(2025, 8, 4),
            {
                "ref": "DRP-25-031",
                "stage": 1,
                "category": "visits_overdue",
                "raised_by": "P. Jones",
                "role": "cp_chair",
            },
        ),
    )
    page = _page(qtbot, example_db, date(2025, 9, 1))
    assert page.model.ids() == ["EX-001"]  # open only
    _choose(page.show_filter, False)
    assert [r.ref for r in page.model.rows()] == ["DRP-25-031", "DRP-25-014"]
    _choose(page.stage_filter, 2)
    assert [r.ref for r in page.model.rows()] == ["DRP-25-014"]
    page.clear_button.click()
    _choose(page.show_filter, False)
    _choose(page.category_filter, "visits_overdue")
    assert [r.ref for r in page.model.rows()] == ["DRP-25-031"]
    _choose(page.category_filter, None)
    _choose(page.raiser_filter, "R. Singh")
    assert [r.ref for r in page.model.rows()] == ["DRP-25-014"]
    _choose(page.raiser_filter, None)
    _choose(page.team_filter, "Child Protection East")
    assert [r.ref for r in page.model.rows()] == ["DRP-25-031"]
    assert "1 open escalations of 2, 1 with a clock overdue" in page.count_label.text()


def test_escalation_model_passes_qtmodeltester(
    qtmodeltester: ModelTester, qtbot: QtBot, example_db: Database
) -> None:
    page = _page(qtbot, example_db, date(2025, 9, 1))
    _choose(page.show_filter, False)
    qtmodeltester.check(page.model)
    page.model.sort(EscalationModel.TOTAL_CLOCK, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(page.model)


def test_raised_and_resolved_on_one_day_through_the_forms_is_resolved(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, example_db)

    def raise_form(d: RaiseDialog) -> None:
        d.date_edit.line_edit.setText("01/07/2025")
        _choose(d.stage_combo, 1)
        _choose(d.category_combo, "drift_and_delay")

    _patch_exec(monkeypatch, RaiseDialog, raise_form)
    with qtbot.waitSignal(page.child_changed):
        assert page.drp.raise_escalation("EX-001")
    page.show_filter.setCurrentIndex(1)  # open and closed
    page.select("EX-001", "DRP-25-015")

    def resolve_form(d: ResolveDialog) -> None:
        d.date_edit.line_edit.setText("01/07/2025")
        d.outcome_edit.setText("Agreed with the team manager's plan")

    messages = _patch_exec(monkeypatch, ResolveDialog, resolve_form)
    assert page.resolve_selected()
    assert messages == ["Ready to save."]
    row = _row(page, "DRP-25-015")
    assert row["Resolved"] == "01/07/2025 (0 WD)"
    assert row["Stage clock"] == "Green – met 01/07/2025"
    assert row["20 WD clock"] == "Green – met 01/07/2025"
    child = store.get_child(example_db, "EX-001")
    assert child is not None and open_escalations(child) == []


def test_form_messages_are_shown_as_text_not_entities(qtbot: QtBot, example_db: Database) -> None:
    child = store.get_child(example_db, "EX-003")
    assert child is not None
    dialog = RaiseDialog(
        None, child, settings=load_settings(example_db), ref="DRP-25-020", day=date(2025, 8, 1)
    )
    qtbot.addWidget(dialog)
    dialog._show(["The team manager's reply is due."], error=True)
    assert dialog.message_area.textFormat() == Qt.TextFormat.RichText  # `&#x27;` is read as an apostrophe
    assert dialog.message_text() == "The team manager's reply is due."


def test_a_refused_drp_step_says_so_in_plain_words(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: said.append(text))
    response = EventRecord(
        "e-new", "drp_response", date(2025, 8, 4), {"ref": "DRP-25-099", "satisfactory": True}
    )
    widget = QWidget()
    qtbot.addWidget(widget)
    assert not save_new_event(widget, example_db, QUndoStack(), "EX-001", response)
    assert len(said) == 1
    text = said[0]
    assert "Escalation DRP-25-099 was never raised" in text
    # No HTML escapes, no quoted codes, no internal names or ids.
    for internal in ("&#", "'DRP", "drp_", "e-new"):
        assert internal not in text, (internal, text)


def test_a_problem_at_another_event_names_it_by_type_and_date(example_db: Database) -> None:
    child = store.get_child(example_db, "EX-002")
    assert child is not None
    issue = Issue("the letter must come after the meeting", child_id="EX-002", event_id="ex2-1")
    assert issue_sentence(issue, child, "mine") == (
        "Elsewhere in the chronology (Legal planning meeting of 02/09/2024): "
        "the letter must come after the meeting"
    )
    gone = Issue("something", child_id="EX-002", event_id="no-such-id")
    assert "no-such-id" not in issue_sentence(gone, child, "mine")
    assert issue_sentence(Issue("x is wrong", event_id="mine"), child, "mine") == "X is wrong"


def test_an_escalations_state_is_shown_as_written(qtbot: QtBot, example_db: Database) -> None:
    store.save_event(
        example_db,
        "EX-001",
        EventRecord(
            "r",
            "drp_raised",
            date(2025, 8, 1),
            {"ref": "DRP-25-030", "stage": 0, "category": "care_planning"},
        ),
    )
    child = store.get_child(example_db, "EX-001")
    assert child is not None
    escalation = next(e for e in open_escalations(child) if e.ref == "DRP-25-030")
    dialog = ResponseDialog(None, child, escalation, day=date(2025, 8, 4))
    qtbot.addWidget(dialog)
    state = dialog.findChild(QLabel, "escalationState")
    assert state is not None
    assert state.textFormat() == Qt.TextFormat.PlainText
    assert state.text().startswith("DRP-25-030: raised 01/08/2025, now at stage 0")
    assert "&#" not in dialog.message_text()
