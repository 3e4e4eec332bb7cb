"""The child page on the shared example: header, journey, deadlines, recording, undo, as-of."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import event
from sqlmodel import Session, select

from models.domain.journey import EVENT_TYPES
from models.domain.records import ChildRecord, EventRecord
from models.storage import audit, store
from models.storage.db import Database
from models.storage.tables import AuditRow
from views import prompts
from views.child_dialog import ChildDialog
from views.child_models import RULE_ID, STATUS, ChronologyModel, DeadlineModel
from views.child_page import ChildPage
from views.event_dialog import TYPE_ROLE, EventDialog
from views.undo import SaveChildCommand, push

AS_OF = date(2025, 9, 1)


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def page(qtbot: QtBot, example_db: Database, stack: QUndoStack) -> ChildPage:
    store.save_child(
        example_db,
        ChildRecord("EX-004", {"given_name": "Dan", "family_name": "Example", "sibling_group": "F-EX2"}),
    )
    widget = ChildPage(example_db, stack)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show_child("EX-002", AS_OF)
    widget.show()
    return widget


def deadline(page: ChildPage, rule: str, nth: int = 0) -> tuple[str, ...]:
    """One deadline row as shown: (rule id, trigger, due, done, status, RAG, late by)."""
    model = page.deadline_model
    rows = [r for r in range(model.rowCount()) if model.index(r, RULE_ID).data() == rule]
    row = rows[nth]
    return tuple(model.index(row, c).data() for c in range(RULE_ID, RULE_ID + 7))


def shown_event_ids(page: ChildPage) -> list[str]:
    model = page.chronology_model
    return [model.row_at(r).event.id for r in range(model.rowCount())]


def driving_event_dialog(
    qtbot: QtBot, fill: Callable[[EventDialog], None]
) -> Callable[..., EventRecord | None]:
    """A stand-in for `EventDialog.ask` that fills a real, non-modal dialog and presses Save."""

    def ask(
        parent: QWidget | None,
        child: ChildRecord,
        existing: EventRecord | None = None,
        event_type: str | None = None,
        save: Callable[[EventRecord], bool] | None = None,
        drp_categories: tuple[str, ...] | None = None,
    ) -> EventRecord | None:
        dialog = EventDialog(parent, child, existing, event_type, drp_categories)
        qtbot.addWidget(dialog)
        dialog.show()
        fill(dialog)
        with qtbot.waitSignal(dialog.accepted):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        record = dialog.record()
        if record is not None and save is not None and not save(record):
            return None  # the real form would stay open; a test stops here
        return record

    return ask


def record_review_on_1_august(qtbot: QtBot) -> Callable[..., EventRecord | None]:
    def fill(dialog: EventDialog) -> None:
        combo = dialog.type_combo
        assert combo is not None
        combo.setCurrentIndex(
            next(r for r in range(combo.count()) if combo.model().index(r, 0).data(TYPE_ROLE) == "cla_review")
        )
        qtbot.keyClicks(dialog.date_edit.line_edit, "01/08/2025")

    return driving_event_dialog(qtbot, fill)


# --- reading ---------------------------------------------------------------------------------------


def test_header(page: ChildPage) -> None:
    assert page.current_child_id() == "EX-002"
    assert page.name_label.text() == "Ben Example"
    assert page.identity_label.text() == "ID EX-002  ·  Born 19/08/2021 (4 years)  ·  Male"
    assert page.people_label.text() == (
        "Team: Court Team  ·  Social worker: K. Patel  ·  Reviewing officer: P. Jones"
    )
    assert "Dan Example (EX-004)" in page.siblings_label.text()
    assert 'href="EX-004"' in page.siblings_label.text()


def test_sibling_link_asks_to_open_the_sibling(qtbot: QtBot, page: ChildPage) -> None:
    label = page.siblings_label
    # Click on the link text itself.
    start = label.text().index("Dan")
    prefix = label.text()[:start]
    assert prefix.startswith("Sibling group F-EX2: ")
    x = label.fontMetrics().horizontalAdvance("Sibling group F-EX2: ") + 10
    with qtbot.waitSignal(page.open_child_requested) as blocker:
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(x, label.height() // 2))
    assert blocker.args == ["EX-004"]


def test_child_without_siblings_or_birth_date(page: ChildPage, example_db: Database) -> None:
    page.show_child("EX-004", AS_OF)
    assert page.identity_label.text() == "ID EX-004  ·  Date of birth not recorded"
    assert "Ben Example (EX-002)" in page.siblings_label.text()
    page.show_child("EX-003", AS_OF)
    assert page.siblings_label.text() == "No sibling group recorded"


def test_unknown_child(page: ChildPage) -> None:
    page.show_child("NOPE", AS_OF)
    assert page.current_child_id() is None
    assert page.pages.currentWidget() is page.placeholder
    assert "NOPE" in page.placeholder.text()
    page.add_event()  # nothing to add to: no dialog, no error


def test_journey_strip(page: ChildPage) -> None:
    assert page.journey.text().splitlines() == [
        "Child protection: not reached – No child protection plan",
        "Pre-proceedings: done – Ended 20/01/2025: issue proceedings",
        "Court: current – Issued 03/02/2025; timetable ends 26/09/2025",
        "Looked after: current – Since 14/02/2025 (C1)",
        "Permanence: not reached – No permanence plan",
    ]


def test_deadlines_table(page: ChildPage) -> None:
    assert page.deadlines_box.title() == "Deadlines at 01/09/2025"
    assert page.deadline_summary.text() == "8 deadlines, 3 overdue, 1 due soon, 1 met late"
    assert deadline(page, "cla.review_second_3m") == (
        "cla.review_second_3m",
        "12/03/2025",
        "12/06/2025",
        "",
        "Overdue",
        "Red",
        "81 days",
    )
    model = page.deadline_model
    row = next(r for r in range(model.rowCount()) if model.index(r, RULE_ID).data() == "court.final_26w")
    assert model.index(row, 0).data() == "Final order within 26 weeks of issue"
    assert model.index(row, STATUS + 1).data(Qt.ItemDataRole.BackgroundRole) is not None  # RAG colour...
    assert model.index(row, STATUS + 1).data() == "Amber"  # ...and its word
    assert (
        "Final order due by 26/09/2025: the 26 weeks from issue on 03/02/2025"
        in model.index(row, model.columnCount() - 1).data()
    )


def test_chronology_newest_first_and_filtered_by_stage(page: ChildPage) -> None:
    ids = shown_event_ids(page)
    assert ids[0] == "ex2-14" and ids[-1] == "ex2-1"
    assert page.event_count_label.text() == "14 events"
    page.stage_filter.setCurrentIndex(page.stage_filter.findText("Looked after"))
    assert shown_event_ids(page) == ["ex2-13", "ex2-12", "ex2-11"]
    assert page.event_count_label.text() == "3 of 14 events"


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, page: ChildPage) -> None:
    qtmodeltester.check(page.chronology_model)
    qtmodeltester.check(page.deadline_model)
    page.deadline_model.sort(STATUS, Qt.SortOrder.DescendingOrder)
    page.chronology_model.sort(1, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(page.chronology_model)
    qtmodeltester.check(page.deadline_model)
    qtmodeltester.check(ChronologyModel())
    qtmodeltester.check(DeadlineModel())


def test_sorting_by_a_header_is_python_side(page: ChildPage) -> None:
    page.deadlines_view.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    statuses = [page.deadline_model.index(r, STATUS).data() for r in range(page.deadline_model.rowCount())]
    assert statuses[:3] == ["Overdue"] * 3


def test_opening_reads_one_child_only(page: ChildPage, example_db: Database) -> None:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(example_db.engine, "before_cursor_execute", record)
    try:
        page.show_child("EX-003", AS_OF)
    finally:
        event.remove(example_db.engine, "before_cursor_execute", record)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 6
    for sql in reads:
        if "FROM event" in sql or "FROM child" in sql:
            assert "WHERE" in sql, sql


# --- recording and undo ------------------------------------------------------------------------


def test_record_an_event_recomputes_the_deadlines(
    qtbot: QtBot,
    page: ChildPage,
    stack: QUndoStack,
    example_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(EventDialog, "ask", record_review_on_1_august(qtbot))
    with qtbot.waitSignal(page.child_changed) as blocker:
        page.add_event()
    assert blocker.args == ["EX-002"]

    # Second review due 12/06/2025, held 01/08/2025: 50 days late.
    assert deadline(page, "cla.review_second_3m") == (
        "cla.review_second_3m",
        "12/03/2025",
        "12/06/2025",
        "01/08/2025",
        "Met late",
        "Red",
        "50 days",
    )
    # The permanence plan is now due by the second review as held, and 31 days overdue.
    assert deadline(page, "cla.permanence_by_second_review")[2:] == (
        "01/08/2025",
        "",
        "Overdue",
        "Red",
        "31 days",
    )
    # And the next review is 6 months on.
    assert deadline(page, "cla.review_6m")[1:5] == ("01/08/2025", "01/02/2026", "", "Pending")
    assert shown_event_ids(page)[0] == "e15"  # the newest
    assert page.selected_event() is not None and page.selected_event().id == "e15"  # type: ignore[union-attr]
    assert stack.count() == 1
    assert "e15" in {e.id for e in store.get_child(example_db, "EX-002").events}  # type: ignore[union-attr]

    # Undo: gone from the database and from the screen.
    with qtbot.waitSignal(page.child_changed):
        stack.undo()
    assert "e15" not in {e.id for e in store.get_child(example_db, "EX-002").events}  # type: ignore[union-attr]
    assert "e15" not in shown_event_ids(page)
    assert deadline(page, "cla.review_second_3m")[4] == "Overdue"

    # Redo puts it back.
    stack.redo()
    assert deadline(page, "cla.review_second_3m")[4] == "Met late"
    assert "e15" in shown_event_ids(page)

    with Session(example_db.engine) as session:
        actions = [
            (r.action, r.entity_id)
            for r in session.exec(select(AuditRow).where(AuditRow.entity == "event").order_by(AuditRow.id))  # type: ignore[arg-type]
        ]
    assert actions == [("create", "e15"), ("delete", "e15"), ("create", "e15")]


def test_cancelled_form_changes_nothing(
    page: ChildPage, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EventDialog, "ask", lambda *args, **kwargs: None)
    page.add_event()
    assert stack.count() == 0


def test_double_click_edits_the_event(
    qtbot: QtBot, page: ChildPage, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(dialog: EventDialog) -> None:
        assert dialog.existing is not None and dialog.existing.id == "ex2-13"
        dialog.date_edit.line_edit.clear()
        qtbot.keyClicks(dialog.date_edit.line_edit, "10/03/2025")

    monkeypatch.setattr(EventDialog, "ask", driving_event_dialog(qtbot, fill))
    view = page.chronology_view
    row = page.chronology_model.row_of("ex2-13")
    rect = view.visualRect(page.chronology_model.index(row, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert deadline(page, "cla.review_second_3m")[1:3] == ("10/03/2025", "10/06/2025")
    stack.undo()
    assert deadline(page, "cla.review_second_3m")[1:3] == ("12/03/2025", "12/06/2025")


def test_delete_key_deletes_after_confirming_and_undo_restores_the_same_event(
    qtbot: QtBot,
    page: ChildPage,
    stack: QUndoStack,
    example_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {e.id: e for e in store.get_child(example_db, "EX-002").events}  # type: ignore[union-attr]
    questions: list[str] = []

    def answer(_parent: object, _title: str, text: str) -> bool:
        questions.append(text)
        return len(questions) > 1  # "no" the first time, "yes" the second

    monkeypatch.setattr(prompts, "confirm", answer)
    view = page.chronology_view
    view.setFocus()
    view.selectRow(page.chronology_model.row_of("ex2-14"))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert "ex2-14" in shown_event_ids(page)  # said no
    assert questions[0].startswith("Delete the extension of the timetable of 28/07/2025")
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert "ex2-14" not in shown_event_ids(page)
    assert deadline(page, "court.final_26w")[2] == "03/08/2025"

    stack.undo()
    after = {e.id: e for e in store.get_child(example_db, "EX-002").events}  # type: ignore[union-attr]
    assert after["ex2-14"] == before["ex2-14"]
    assert "ex2-14" in shown_event_ids(page)
    assert deadline(page, "court.final_26w")[2] == "26/09/2025"


def test_refused_delete_is_explained(
    qtbot: QtBot, page: ChildPage, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []
    monkeypatch.setattr(prompts, "confirm", lambda *args: True)
    monkeypatch.setattr(prompts, "show_error", lambda _parent, _title, text: errors.append(text))
    page.chronology_view.selectRow(page.chronology_model.row_of("ex2-9"))  # the issue of proceedings
    page.delete_selected_event()
    assert stack.count() == 0
    assert "ex2-9" in shown_event_ids(page)
    # The event the problem is at, by its type and date (never its id).
    assert errors and (
        "Elsewhere in the chronology (Extension of the timetable of 28/07/2025): an extension needs open "
        "proceedings" in errors[0]
    )


def test_edit_details_and_undo(
    qtbot: QtBot, page: ChildPage, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ask(
        parent: QWidget | None,
        db: Database,
        existing: ChildRecord | None = None,
        save: Callable[[ChildRecord], bool] | None = None,
    ) -> ChildRecord | None:
        dialog = ChildDialog(parent, db, existing)
        qtbot.addWidget(dialog)
        combo = dialog.combos["social_worker"]
        combo.setEditText("A. New")
        assert dialog.ok_button.isEnabled()
        record = dialog.record()
        assert record is not None and save is not None
        return record if save(record) else None

    monkeypatch.setattr(ChildDialog, "ask", ask)
    with qtbot.waitSignal(page.child_changed):
        page.edit_details()
    assert "Social worker: A. New" in page.people_label.text()
    stack.undo()
    assert "Social worker: K. Patel" in page.people_label.text()


def test_as_of_changes_the_statuses(page: ChildPage) -> None:
    assert deadline(page, "court.final_26w")[2:5] == ("26/09/2025", "", "Due soon")
    page.set_as_of(date(2025, 3, 3))
    assert page.deadlines_box.title() == "Deadlines at 03/03/2025"
    # The extension of 28/07/2025 is not yet recorded at that date, nor the first review.
    assert deadline(page, "court.final_26w")[2:5] == ("03/08/2025", "", "Pending")
    assert deadline(page, "cla.review_first_20wd")[2:5] == ("14/03/2025", "", "Pending")
    assert (
        page.journey.text().splitlines()[2] == "Court: current – Issued 03/02/2025; timetable ends 03/08/2025"
    )
    later = [page.chronology_model.row_at(r) for r in range(page.chronology_model.rowCount())]
    assert [r.event.id for r in later if not r.counted] == ["ex2-14", "ex2-13"]
    assert page.event_count_label.text() == "14 events (2 after 03/03/2025, not counted)"
    page.set_as_of(AS_OF)
    assert deadline(page, "court.final_26w")[4] == "Due soon"


def test_undo_of_another_childs_change_does_not_disturb_the_page(
    qtbot: QtBot, page: ChildPage, stack: QUndoStack, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EventDialog, "ask", record_review_on_1_august(qtbot))
    page.add_event()
    page.show_child("EX-001", AS_OF)
    with qtbot.waitSignal(page.child_changed) as blocker:
        stack.undo()
    assert blocker.args == ["EX-002"]
    assert page.current_child_id() == "EX-001"
    assert page.name_label.text() == "Ava Example"


def test_follows_changes_pushed_by_others_on_the_shared_stack(
    page: ChildPage, stack: QUndoStack, example_db: Database
) -> None:
    # The shell's "New child" pushes its own command; the page shows the child, then its undo.
    push(stack, SaveChildCommand(example_db, ChildRecord("N-1", {"given_name": "Nia"}), None))
    page.show_child("N-1", AS_OF)
    assert page.name_label.text() == "Nia"
    stack.undo()
    assert page.current_child_id() is None
    assert page.pages.currentWidget() is page.placeholder
    stack.redo()
    assert page.current_child_id() == "N-1"
    assert page.name_label.text() == "Nia"


def test_tracked_from_set_and_cleared_in_the_form_shown_on_the_record_audited_and_undoable(
    qtbot: QtBot, page: ChildPage, stack: QUndoStack, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A child in care whose record came from an SSDA903 return.
    for record in (
        EventRecord("a", "became_looked_after", date(2024, 9, 2), {"legal_status": "C2"}),
        EventRecord("b", "cla_review", date(2024, 9, 27)),
        EventRecord("c", "cla_visit", date(2025, 4, 10)),
    ):
        store.add_event(example_db, "EX-004", record)
    page.show_child("EX-004", AS_OF)
    assert not page.tracked_label.isVisible()
    ssda903 = sorted(
        n
        for n in EVENT_TYPES
        if n not in ("became_looked_after", "legal_status_changed", "ceased_looked_after", "cla_review")
    )
    fill: dict[str, Callable[[ChildDialog], None]] = {}

    def ask(
        parent: QWidget | None,
        db: Database,
        existing: ChildRecord | None = None,
        save: Callable[[ChildRecord], bool] | None = None,
    ) -> ChildRecord | None:
        dialog = ChildDialog(parent, db, existing)
        qtbot.addWidget(dialog)
        fill["now"](dialog)
        assert dialog.ok_button.isEnabled(), dialog.message_area.text()
        record = dialog.record()
        assert record is not None and save is not None
        return record if save(record) else None

    def set_both(dialog: ChildDialog) -> None:
        assert not dialog.untracked_list.isEnabled()  # nothing to choose until the day is given
        dialog.tracked_edit.line_edit.setText("31/03/2025")
        assert dialog.untracked_list.isEnabled()
        dialog.set_untracked(ssda903)

    fill["now"] = set_both
    monkeypatch.setattr(ChildDialog, "ask", ask)
    with qtbot.waitSignal(page.child_changed):
        page.edit_details()
    assert page.tracked_label.isVisible()
    assert page.tracked_label.text() == (
        "Record complete from 31/03/2025 — before that, only what the SSDA903 return held: no visits or "
        "permanence plans."
    )
    saved = store.get_child(example_db, "EX-004")
    assert saved is not None and saved.fields["tracked_from"] == date(2025, 3, 31)
    assert list(saved.fields["untracked"]) == ssda903
    [entry] = [
        e for e in audit.entries(example_db, child_id="EX-004") if (e.entity, e.action) == ("child", "update")
    ]
    assert entry.after is not None
    assert json.loads(entry.after)["tracked_from"] == "2025-03-31"

    # At an as-of date before it, the child has nothing to judge.
    page.set_as_of(date(2025, 3, 3))
    assert page.deadline_model.rowCount() == 0
    assert page.deadline_summary.text() == (
        "Nothing to judge at this date: the record is complete from 31/03/2025."
    )
    page.set_as_of(AS_OF)

    def clear(dialog: ChildDialog) -> None:
        assert sorted(dialog.untracked()) == ssda903
        dialog.tracked_edit.line_edit.setText("")

    fill["now"] = clear
    with qtbot.waitSignal(page.child_changed):
        page.edit_details()
    cleared = store.get_child(example_db, "EX-004")
    assert cleared is not None and "tracked_from" not in cleared.fields and "untracked" not in cleared.fields
    assert not page.tracked_label.isVisible()

    stack.undo()  # the clearing
    assert page.tracked_label.isVisible()
    stack.undo()  # the setting
    assert not page.tracked_label.isVisible()
    back = store.get_child(example_db, "EX-004")
    assert back is not None and "tracked_from" not in back.fields
