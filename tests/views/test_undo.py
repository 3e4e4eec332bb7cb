"""Undoable changes: each step goes through the store, is audited, and a refused change is never pushed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from models.domain.records import ChildRecord, EventRecord
from models.storage import store
from models.storage.db import Database
from models.storage.store import ValidationError
from models.storage.tables import AuditRow
from views.undo import DeleteEventCommand, SaveChildCommand, SaveEventCommand, push


@pytest.fixture
def stack(qtbot: QtBot) -> QUndoStack:
    return QUndoStack()


def events_of(db: Database, child_id: str) -> dict[str, EventRecord]:
    child = store.get_child(db, child_id)
    assert child is not None
    return {e.id: e for e in child.events}


def audit_rows(db: Database, after: int = 0) -> list[AuditRow]:
    """The audit rows written after row `after` (the import writes its own first)."""
    with Session(db.engine) as session:
        rows = session.exec(select(AuditRow).order_by(AuditRow.id)).all()  # type: ignore[arg-type]
    return [r for r in rows if (r.id or 0) > after]


def last_audit(db: Database) -> int:
    rows = audit_rows(db)
    return rows[-1].id or 0 if rows else 0


REVIEW = EventRecord("new-1", "cla_review", date(2025, 8, 1))


def test_add_undo_redo(example_db: Database, stack: QUndoStack) -> None:
    mark = last_audit(example_db)
    changed: list[str] = []
    push(stack, SaveEventCommand(example_db, "EX-002", REVIEW, None, changed.append))
    assert events_of(example_db, "EX-002")["new-1"] == REVIEW
    assert stack.undoText() == "Record looked-after review for EX-002"

    stack.undo()
    assert "new-1" not in events_of(example_db, "EX-002")
    stack.redo()
    assert events_of(example_db, "EX-002")["new-1"] == REVIEW
    assert changed == ["EX-002"] * 3

    rows = audit_rows(example_db, mark)
    assert [(r.action, r.entity, r.entity_id, r.child_id) for r in rows] == [
        ("create", "event", "new-1", "EX-002"),
        ("delete", "event", "new-1", "EX-002"),
        ("create", "event", "new-1", "EX-002"),
    ]
    assert json.loads(rows[1].before or "{}")["date"] == "2025-08-01"


def test_edit_undo_restores_the_previous_version(example_db: Database, stack: QUndoStack) -> None:
    mark = last_audit(example_db)
    previous = events_of(example_db, "EX-002")["ex2-13"]
    edited = EventRecord(previous.id, previous.type, date(2025, 3, 13), note="moved")
    push(stack, SaveEventCommand(example_db, "EX-002", edited, previous))
    assert events_of(example_db, "EX-002")["ex2-13"] == edited
    stack.undo()
    assert events_of(example_db, "EX-002")["ex2-13"] == previous
    assert [r.action for r in audit_rows(example_db, mark)] == ["update", "update"]


def test_delete_undo_puts_back_the_same_event(example_db: Database, stack: QUndoStack) -> None:
    mark = last_audit(example_db)
    extension = events_of(example_db, "EX-002")["ex2-14"]
    push(stack, DeleteEventCommand(example_db, "EX-002", extension))
    assert "ex2-14" not in events_of(example_db, "EX-002")
    stack.undo()
    assert events_of(example_db, "EX-002")["ex2-14"] == extension
    stack.redo()
    assert "ex2-14" not in events_of(example_db, "EX-002")
    assert [r.action for r in audit_rows(example_db, mark)] == ["delete", "create", "delete"]


def test_refused_change_is_not_pushed(example_db: Database, stack: QUndoStack) -> None:
    mark = last_audit(example_db)
    order = EventRecord("fo", "final_order", date(2025, 1, 1), {"order": "care_order"})  # before issue
    with pytest.raises(ValidationError, match="final order needs proceedings issued"):
        push(stack, SaveEventCommand(example_db, "EX-002", order, None))
    assert stack.count() == 0
    assert "fo" not in events_of(example_db, "EX-002")
    assert audit_rows(example_db, mark) == []

    issued = events_of(example_db, "EX-002")["ex2-9"]
    with pytest.raises(ValidationError, match="extension needs open proceedings"):
        push(stack, DeleteEventCommand(example_db, "EX-002", issued))
    assert stack.count() == 0
    assert "ex2-9" in events_of(example_db, "EX-002")


def test_undo_refused_later_drops_the_command(example_db: Database, stack: QUndoStack) -> None:
    failures: list[tuple[str, str]] = []
    issued = EventRecord("pi", "proceedings_issued", date(2025, 4, 1))
    command = SaveEventCommand(
        example_db, "EX-003", issued, None, on_failed=lambda cid, exc: failures.append((cid, str(exc)))
    )
    push(stack, command)
    # Changed outside the stack (an import, another window): the issue can no longer be removed.
    store.save_event(example_db, "EX-003", EventRecord("fo", "final_order", date(2025, 5, 1)))
    stack.undo()
    assert "pi" in events_of(example_db, "EX-003")
    assert stack.count() == 0
    assert failures and failures[0][0] == "EX-003"
    assert "final order needs proceedings issued" in failures[0][1]


def test_add_child_undo_removes_it(db: Database, stack: QUndoStack) -> None:
    child = ChildRecord("C-1", {"given_name": "Dee", "date_of_birth": date(2020, 1, 1)})
    push(stack, SaveChildCommand(db, child, None))
    assert store.get_child(db, "C-1") == child
    with pytest.raises(ValidationError, match="already exists"):
        push(stack, SaveChildCommand(db, child, None))
    stack.undo()
    assert store.get_child(db, "C-1") is None
    stack.redo()
    assert store.get_child(db, "C-1") == child
    assert [r.action for r in audit_rows(db)] == ["create", "delete", "create"]


def test_edit_details_undo_restores_them(example_db: Database, stack: QUndoStack) -> None:
    before = store.get_child(example_db, "EX-002")
    assert before is not None
    after = ChildRecord(before.id, {**before.fields, "team": "Court Team South"}, before.extra, before.events)
    push(stack, SaveChildCommand(example_db, after, before))
    assert store.get_child(example_db, "EX-002") == after
    stack.undo()
    assert store.get_child(example_db, "EX-002") == before

    born_late = ChildRecord(before.id, {**before.fields, "date_of_birth": date(2025, 1, 1)}, before.extra)
    with pytest.raises(ValidationError, match="before the child's date of birth"):
        push(stack, SaveChildCommand(example_db, born_late, before))
    assert stack.index() == 0


def test_change_refused_by_the_store_during_push_is_not_pushed(
    example_db: Database, stack: QUndoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The record changed between the check and the write (another window, an import).
    monkeypatch.setattr(SaveEventCommand, "problems", lambda self: [])
    order = EventRecord("fo", "final_order", date(2025, 1, 1))
    with pytest.raises(ValidationError, match="final order needs proceedings issued"):
        push(stack, SaveEventCommand(example_db, "EX-002", order, None))
    assert stack.count() == 0
    assert "fo" not in events_of(example_db, "EX-002")
