"""Undoable changes to a child's record: each step, forward or back, goes through `models.storage.store`.

Every redo and every undo is a store call, so each one is validated against the whole chronology
and audited like any other change. Push commands with `push()`, never `QUndoStack.push` directly:
it checks the change first and raises `ValidationError` without pushing anything when it is
refused, so a refused change never sits on the stack.

A command whose undo or redo is refused later (the record was changed outside the stack, by an
import for instance) makes itself obsolete, so Qt drops it, and reports through `on_failed`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from models.domain.journey import EVENT_TYPES
from models.domain.records import ChildRecord, EventRecord, Issue, check_chronology
from models.storage import store
from models.storage.db import Database
from models.storage.store import ValidationError

log = logging.getLogger("permanence.undo")

#: Called with the child's id after a change, an undo or a redo was applied.
ChangedCallback = Callable[[str], None]
#: Called with the child's id and the error when an undo or redo was refused.
FailedCallback = Callable[[str, Exception], None]


class _StoreCommand(QUndoCommand):
    """A change to one child, applied and reverted through store functions."""

    def __init__(
        self,
        db: Database,
        child_id: str,
        text: str,
        on_changed: ChangedCallback | None,
        on_failed: FailedCallback | None,
    ) -> None:
        super().__init__(text)
        self.db = db
        self.child_id = child_id
        self.on_changed = on_changed
        self.on_failed = on_failed
        #: The error of the last redo or undo, if it was refused (read by `push`).
        self.error: Exception | None = None

    # Subclasses: the change forward and back, and the check made before the first push.
    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def problems(self) -> list[Issue]:
        raise NotImplementedError

    def redo(self) -> None:
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, step: Callable[[], None]) -> None:
        # Exceptions must not escape into Qt's C++ caller: keep the error and drop the command.
        # Besides refusals (ValidationError, a vanished record), a write the disk refuses (a
        # read-only file, a full disk) lands here too; `push` re-raises it to the caller.
        try:
            step()
        except Exception as exc:
            log.warning("%s refused for %s: %s", self.text(), self.child_id, exc)
            self.error = exc
            self.setObsolete(True)
            if self.on_failed is not None:
                self.on_failed(self.child_id, exc)
            return
        self.error = None
        if self.on_changed is not None:
            self.on_changed(self.child_id)


def push(stack: QUndoStack, command: _StoreCommand) -> None:
    """Check a change, then push it (which applies it); raises `ValidationError` and pushes nothing
    when the change is refused."""
    problems = command.problems()
    if problems:
        raise ValidationError(problems)
    failed = command.on_failed
    command.on_failed = None  # the caller hears about a refusal from the exception below
    stack.push(command)  # redo() runs here; an obsolete command is deleted, not pushed
    if command.error is not None:
        raise command.error
    command.on_failed = failed


def _current(db: Database, child_id: str) -> ChildRecord:
    child = store.get_child(db, child_id)
    if child is None:
        raise ValidationError([Issue(f"there is no child {child_id}", child_id=child_id)])
    return child


class SaveEventCommand(_StoreCommand):
    """Add an event (`previous` None) or replace one with a new version of the same id."""

    def __init__(
        self,
        db: Database,
        child_id: str,
        new: EventRecord,
        previous: EventRecord | None,
        on_changed: ChangedCallback | None = None,
        *,
        on_failed: FailedCallback | None = None,
    ) -> None:
        label = EVENT_TYPES[new.type].label.lower()
        verb = "Record" if previous is None else "Edit"
        super().__init__(db, child_id, f"{verb} {label} for {child_id}", on_changed, on_failed)
        self.new = new
        self.previous = previous

    def problems(self) -> list[Issue]:
        child = _current(self.db, self.child_id)
        return store.validate_event_change(child, self.new, replacing=self.new.id)

    def apply(self) -> None:
        # Each step is made against what this command last saw: a record someone else changed
        # since is refused (ConflictError), never overwritten.
        if self.previous is None:
            self.new = store.add_event(self.db, self.child_id, self.new)  # its id may be settled anew
        else:
            store.save_event(self.db, self.child_id, self.new, expected=self.previous)

    def revert(self) -> None:
        if self.previous is None:
            store.delete_event(self.db, self.child_id, self.new.id, expected=self.new)
        else:
            store.save_event(self.db, self.child_id, self.previous, expected=self.new)


class DeleteEventCommand(_StoreCommand):
    """Delete an event; undo puts it back with the same id and fields."""

    def __init__(
        self,
        db: Database,
        child_id: str,
        record: EventRecord,
        on_changed: ChangedCallback | None = None,
        *,
        on_failed: FailedCallback | None = None,
    ) -> None:
        label = EVENT_TYPES[record.type].label.lower()
        super().__init__(db, child_id, f"Delete {label} for {child_id}", on_changed, on_failed)
        self.record = record

    def problems(self) -> list[Issue]:
        child = _current(self.db, self.child_id)
        if not any(e.id == self.record.id for e in child.events):
            return [Issue("the event is no longer recorded", child_id=self.child_id, event_id=self.record.id)]
        return store.validate_event_change(child, None, replacing=self.record.id)

    def apply(self) -> None:
        store.delete_event(self.db, self.child_id, self.record.id, expected=self.record)

    def revert(self) -> None:
        self.record = store.add_event(self.db, self.child_id, self.record)


class SaveChildCommand(_StoreCommand):
    """Create a child (`previous` None) or change a child's details; undo restores or removes it."""

    def __init__(
        self,
        db: Database,
        new: ChildRecord,
        previous: ChildRecord | None,
        on_changed: ChangedCallback | None = None,
        *,
        on_failed: FailedCallback | None = None,
        text: str | None = None,
    ) -> None:
        verb = "Add child" if previous is None else "Edit details of"
        super().__init__(db, new.id, text or f"{verb} {new.id}", on_changed, on_failed)
        self.new = new
        self.previous = previous

    def problems(self) -> list[Issue]:
        existing = store.get_child(self.db, self.new.id)
        if self.previous is None:
            if existing is not None:
                return [
                    Issue(f"a child with ID {self.new.id} already exists", child_id=self.new.id, field="id")
                ]
            return []
        if existing is None:
            return [Issue(f"there is no child {self.new.id}", child_id=self.new.id)]
        return check_chronology(self.new, existing.events)

    def apply(self) -> None:
        store.save_child(self.db, self.new, expected=self.previous)

    def revert(self) -> None:
        if self.previous is None:
            store.delete_child(self.db, self.new.id, expected=self.new)
        else:
            store.save_child(self.db, self.previous, expected=self.new)


class DeleteChildCommand(_StoreCommand):
    """Delete a child's record made in error, with its events; undo puts it all back as it was."""

    def __init__(
        self,
        db: Database,
        record: ChildRecord,
        on_changed: ChangedCallback | None = None,
        *,
        on_failed: FailedCallback | None = None,
    ) -> None:
        super().__init__(db, record.id, f"Delete the record of {record.id}", on_changed, on_failed)
        self.record = record

    def problems(self) -> list[Issue]:
        if store.get_child(self.db, self.record.id) is None:
            return [Issue(f"there is no child {self.record.id}", child_id=self.record.id)]
        return []

    def apply(self) -> None:
        self.record = store.delete_child(self.db, self.record.id, expected=self.record)

    def revert(self) -> None:
        store.restore_child(self.db, self.record)


class ChangeChildIdCommand(_StoreCommand):
    """Correct a mistyped ID (the child and its events move to the new one); undo moves them back.

    Both IDs are told to `on_changed`: one disappears from the lists, the other appears.
    """

    def __init__(
        self,
        db: Database,
        old_id: str,
        new_id: str,
        on_changed: ChangedCallback | None = None,
        *,
        on_failed: FailedCallback | None = None,
    ) -> None:
        super().__init__(db, new_id, f"Correct ID {old_id} to {new_id}", on_changed, on_failed)
        self.old_id, self.new_id = old_id, new_id.strip()

    def problems(self) -> list[Issue]:
        if not self.new_id or self.new_id == self.old_id:
            return [Issue("type the correct ID", child_id=self.old_id, field="id")]
        if store.get_child(self.db, self.old_id) is None:
            return [Issue(f"there is no child {self.old_id}", child_id=self.old_id)]
        if store.get_child(self.db, self.new_id) is not None:
            return [Issue(f"a child with ID {self.new_id} already exists", child_id=self.old_id, field="id")]
        return []

    def apply(self) -> None:
        store.change_child_id(self.db, self.old_id, self.new_id)
        self._gone(self.old_id, now=self.new_id)

    def revert(self) -> None:
        store.change_child_id(self.db, self.new_id, self.old_id)
        self._gone(self.new_id, now=self.old_id)

    def _gone(self, gone: str, *, now: str) -> None:
        self.child_id = now  # told last, by `_run`
        if self.on_changed is not None:
            self.on_changed(gone)
