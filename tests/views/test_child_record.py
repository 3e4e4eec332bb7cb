"""The record itself, from the child page: a record made in error deleted, a mistyped ID corrected,
a record closed (out of Today, still in the register) and reopened; each audited and undoable."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot

from models.domain.records import closed_on
from models.screens.overview import build_overview
from models.storage import audit, store
from models.storage.db import Database
from views import prompts
from views.child_page import ChildPage

AS_OF = date(2025, 9, 1)


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def page(qtbot: QtBot, example_db: Database, stack: QUndoStack) -> ChildPage:
    widget = ChildPage(example_db, stack)
    qtbot.addWidget(widget)
    widget.show_child("EX-002", AS_OF)
    return widget


def _last_audit(db: Database) -> tuple[str, str, str | None]:
    entry = audit.entries(db, limit=1)[0]
    return entry.action, entry.entity, entry.entity_id


def test_a_record_made_in_error_is_deleted_and_undo_puts_it_back(
    page: ChildPage, example_db: Database, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.get_child(example_db, "EX-002")
    assert before is not None and before.events
    asked: list[str] = []
    monkeypatch.setattr(prompts, "confirm", lambda parent, title, text: asked.append(text) or True)
    page.delete_child_action.trigger()
    assert "made in error" in asked[0]
    assert store.get_child(example_db, "EX-002") is None
    assert _last_audit(example_db) == ("delete", "child", "EX-002")
    assert page.placeholder.text() == "There is no child with ID EX-002."
    stack.undo()
    assert store.get_child(example_db, "EX-002") == before  # every event back, as it was
    assert _last_audit(example_db) == ("create", "child", "EX-002")


def test_a_mistyped_id_is_corrected_with_its_chronology(
    qtbot: QtBot, page: ChildPage, example_db: Database, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.get_child(example_db, "EX-002")
    assert before is not None
    monkeypatch.setattr(prompts, "ask_text", lambda parent, title, label, text: "EX-020")
    with qtbot.waitSignal(page.open_child_requested) as opened:
        page.correct_id_action.trigger()
    assert opened.args == ["EX-020"]
    assert store.get_child(example_db, "EX-002") is None
    moved = store.get_child(example_db, "EX-020")
    assert moved is not None and moved.events == before.events and moved.fields == before.fields
    entry = audit.entries(example_db, limit=1)[0]
    assert (entry.action, entry.entity_id, entry.before, entry.after) == (
        "update",
        "EX-020",
        '{"id": "EX-002"}',
        '{"id": "EX-020"}',
    )
    stack.undo()
    assert store.get_child(example_db, "EX-002") == before
    assert store.get_child(example_db, "EX-020") is None


def test_an_id_already_taken_is_refused_in_one_sentence(
    page: ChildPage, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(prompts, "ask_text", lambda parent, title, label, text: "EX-001")
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: said.append(text))
    page.correct_id_action.trigger()
    assert said and "A child with ID EX-001 already exists" in said[0]
    assert store.get_child(example_db, "EX-002") is not None


def test_a_closed_record_leaves_today_and_can_be_reopened(
    page: ChildPage, example_db: Database, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert any(a.child_id == "EX-002" for a in build_overview(example_db, AS_OF).attention)
    monkeypatch.setattr(prompts, "confirm", lambda parent, title, text: True)
    page.close_action.trigger()
    child = store.get_child(example_db, "EX-002")
    assert child is not None and closed_on(child) == AS_OF
    assert _last_audit(example_db) == ("update", "child", "EX-002")
    overview = build_overview(example_db, AS_OF)
    assert not any(a.child_id == "EX-002" for a in overview.attention)
    assert overview.child("EX-002") is not None  # still in the register
    assert "Record closed on 01/09/2025" in page.identity_label.text()
    assert page.close_action.text() == "Reopen the record"
    page.close_action.trigger()  # reopen
    child = store.get_child(example_db, "EX-002")
    assert child is not None and closed_on(child) is None
    assert any(a.child_id == "EX-002" for a in build_overview(example_db, AS_OF).attention)
    stack.undo()  # the reopening undone: closed again
    child = store.get_child(example_db, "EX-002")
    assert child is not None and closed_on(child) == AS_OF


def test_read_only_offers_no_change_to_the_record(page: ChildPage) -> None:
    page.set_read_only(True)
    assert not page.record_button.isEnabled()
