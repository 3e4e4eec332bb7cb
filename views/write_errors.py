"""A write refused — a read-only file, a full disk, a record someone else changed since it was read,
or the team server unreachable — said plainly, with the form kept.

Which failures these are, and their sentences, is `models.storage.errors` (shared with the command
line and the excepthook); this module shows them and keeps the form.

Use `push_or_explain` instead of `views.undo.push` (with `views.forms` to keep a form open), or call
`explain_write_failure` in an `except` block; the shell's excepthook uses `write_failure_message`
for any write that slips through.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from models.storage import errors
from views import prompts
from views.undo import (
    ChangeChildIdCommand,
    DeleteChildCommand,
    DeleteEventCommand,
    SaveChildCommand,
    SaveEventCommand,
    push,
)

StoreCommand = (
    SaveEventCommand | DeleteEventCommand | SaveChildCommand | DeleteChildCommand | ChangeChildIdCommand
)

TITLE: Final = "Not saved"

READ_ONLY_MESSAGE: Final = errors.READ_ONLY
FULL_MESSAGE: Final = errors.FULL
#: The window reconnects to the team server by itself (`desktop.team_listener`).
UNREACHABLE_MESSAGE: Final = errors.UNREACHABLE + " The tracker reconnects by itself."
KEPT: Final = " What you typed is still in the form."


def write_failure_message(exc: BaseException) -> str | None:
    """What to tell the person when `exc` is a refused write; None for any other error."""
    message = errors.known_failure(exc)
    return UNREACHABLE_MESSAGE if message == errors.UNREACHABLE else message


def explain_write_failure(parent: QWidget | None, exc: BaseException, *, form_kept: bool = False) -> bool:
    """Tell the person about a refused write; False (and nothing shown) for any other error."""
    message = write_failure_message(exc)
    if message is None:
        return False
    prompts.show_error(parent, TITLE, message + (KEPT if form_kept else ""))
    return True


def drop_unapplied(stack: QUndoStack, command: QUndoCommand) -> None:
    """Take a command whose first redo failed off the top of the stack, without undoing it.

    `QUndoStack.push` keeps a command even when its redo raised; an obsolete command is removed
    by `undo()` without its own undo being run.
    """
    index = stack.index()
    if index > 0 and stack.command(index - 1) is command:
        command.setObsolete(True)
        stack.undo()


def push_or_explain(parent: QWidget | None, stack: QUndoStack, command: StoreCommand) -> bool:
    """`views.undo.push`, except that a refused write is explained and leaves nothing on the stack.

    Returns True when the change was saved. `ValidationError` (a change the rules refuse) and any
    other error propagate as from `push`.
    """
    try:
        push(stack, command)
    except Exception as exc:
        if explain_write_failure(parent, exc, form_kept=True):
            return False
        raise
    return True
