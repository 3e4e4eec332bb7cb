"""Saving a new event from a page other than the child's record: on the shared undo stack.

The court page and the escalation pages record events for a child they do not show. They push the
same `SaveEventCommand` as the child page, through `push_or_explain`, so every change is checked
against the whole chronology, audited, undoable, and a read-only file or a full disk is explained.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import ParamSpec

import shiboken6
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from models.domain.records import EventRecord, issue_sentence
from models.storage.db import Database
from models.storage.store import ValidationError, get_child
from views import prompts
from views.undo import SaveEventCommand
from views.write_errors import push_or_explain

P = ParamSpec("P")


def while_alive(method: Callable[P, None]) -> Callable[P, None]:
    """A callback to a widget's method that holds the widget weakly and does nothing once it is
    deleted (the undo stack outlives the pages that push onto it)."""
    ref = weakref.WeakMethod(method)

    def call(*args: P.args, **kwargs: P.kwargs) -> None:
        bound = ref()
        if bound is not None and shiboken6.isValid(bound.__self__):  # type: ignore[attr-defined]
            bound(*args, **kwargs)

    return call


def save_new_event(
    parent: QWidget,
    db: Database,
    stack: QUndoStack,
    child_id: str,
    record: EventRecord,
    on_changed: Callable[[str], None] | None = None,
) -> bool:
    """Record `record` for the child as one undoable step; True when saved.

    A change the rules refuse is explained (it never reaches the stack); so is an undo or redo
    refused later because the record changed in between.
    """
    command = SaveEventCommand(db, child_id, record, None, on_changed)

    def failed(failed_child: str, error: Exception) -> None:
        prompts.show_error(
            None,
            "Undo not possible",
            f"The change to {failed_child} could not be undone or redone, because the record has "
            f"changed since:\n\n{error}",
        )

    command.on_failed = failed
    try:
        return push_or_explain(parent, stack, command)
    except ValidationError as exc:
        child = get_child(db, child_id)
        prompts.show_error(
            parent,
            "Not saved",
            "The change was refused:\n\n"
            + "\n".join(issue_sentence(i, child, record.id) for i in exc.issues),
        )
        return False
