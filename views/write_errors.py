"""A write refused — a read-only file, a full disk, a record someone else changed since it was read,
or the team server unreachable — said plainly, with the form kept.

SQLite reports these as `OperationalError` ("attempt to write a readonly database", "database or
disk is full"), whether raised by `sqlite3`, `sqlcipher3` or wrapped by SQLAlchemy, and Python as
`OSError` (ENOSPC, EROFS). They are not bugs: the person must be told what happened and keep what
they typed, so they can save again once there is room (or use a writable copy).

Use `push_or_explain` instead of `views.undo.push` (with `views.forms` to keep a form open), or call
`explain_write_failure` in an `except` block; the shell's excepthook uses `write_failure_message`
for any write that slips through.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from typing import Final

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from models.storage.store import ConflictError, PermissionRefused
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

READ_ONLY_MESSAGE: Final = (
    "The change was not saved: the database cannot be written. It is open read-only (started with "
    "--read-only), or the file or its folder is read-only. Nothing already saved was lost."
)
FULL_MESSAGE: Final = (
    "The change was not saved: the disk holding the database is full. Free some space (or ask the IT "
    "service desk), then save again. Nothing already saved was lost."
)
UNREACHABLE_MESSAGE: Final = (
    "The team server is unreachable (restarting, or the network is down), so nothing was saved or read "
    "just now; a change is saved whole or not at all, and nothing already saved was lost. Try again in a "
    "moment: the tracker reconnects by itself."
)
KEPT: Final = " What you typed is still in the form."

_READ_ONLY_WORDS: Final = ("readonly", "read-only", "read only")
#: libpq's words for a server that went away or never answered.
_UNREACHABLE_WORDS: Final = (
    "server closed the connection",
    "connection refused",
    "could not connect",
    "connection failed",
    "terminating connection",
    "consuming input failed",
    "connection timeout expired",
    "the connection is closed",
)
_FULL_WORDS: Final = ("disk is full", "database or disk is full", "no space left")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (SQLAlchemy's `.orig`) and what caused it."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        todo.extend(
            [current.__cause__, current.__context__, orig if isinstance(orig, BaseException) else None]
        )


def write_failure_message(exc: BaseException) -> str | None:
    """What to tell the person when `exc` is a refused write; None for any other error."""
    for item in _chain(exc):
        if isinstance(item, (ConflictError, PermissionRefused)):  # who changed it / the role needed
            return str(item)
        if isinstance(item, OSError) and not _is_operational(item):
            if item.errno == errno.ENOSPC:
                return FULL_MESSAGE
            if item.errno == errno.EROFS:
                return READ_ONLY_MESSAGE
            continue
        if not _is_operational(item):
            continue
        text = str(item).lower()
        if any(word in text for word in _UNREACHABLE_WORDS):
            return UNREACHABLE_MESSAGE
        if any(word in text for word in _FULL_WORDS):
            return FULL_MESSAGE
        if any(word in text for word in _READ_ONLY_WORDS):
            return READ_ONLY_MESSAGE
    return None


def _is_operational(exc: BaseException) -> bool:
    # sqlite3, sqlcipher3 and SQLAlchemy each have their own OperationalError class.
    return any(cls.__name__ == "OperationalError" for cls in type(exc).__mro__)


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
