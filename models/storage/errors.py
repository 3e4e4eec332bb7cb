"""Known failures: what went wrong that is not a bug, said once for the command line and the window.

After qutebrowser's split of `KnownError` from `BugError`: a write refused because the file is
read-only, the disk is full or the team server went away, a save against a record someone else
changed, an action the person's role does not allow — each is the world, not the code, and the
person is told in one sentence what happened and that nothing already saved was lost. Anything else
is a bug, shown with its traceback.

SQLite reports the first three as `OperationalError` ("attempt to write a readonly database",
"database or disk is full"), whether raised by `sqlite3`, `sqlcipher3` or wrapped by SQLAlchemy;
Python as `OSError` (ENOSPC, EROFS); libpq in its own words. `known_failure` looks through the whole
chain (SQLAlchemy's `.orig`, `__cause__`, `__context__`). The command line (`models.cli.main`), the
desktop's forms (`views.write_errors`) and its excepthook (`desktop.logs`) all ask it.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from typing import Final


class KnownError(Exception):
    """A failure that is not a bug; its message is a sentence for a person."""


READ_ONLY: Final = (
    "The database cannot be written: it is open read-only (started with --read-only), or the file or "
    "its folder is read-only. Nothing was changed, and nothing already saved was lost."
)
FULL: Final = (
    "The disk holding the database is full, so nothing was written. Free some space (or ask the IT "
    "service desk), then try again. Nothing already saved was lost."
)
UNREACHABLE: Final = (
    "The team server stopped answering during the operation (restarting, or the network is down): a "
    "change is saved whole or not at all, and nothing already saved was lost. Try again in a moment."
)

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


def chain(exc: BaseException) -> Iterator[BaseException]:
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


#: The database drivers' classes whose words say what happened: sqlite3, sqlcipher3 and SQLAlchemy
#: each have their own OperationalError; a read-only PostgreSQL transaction is an InternalError.
_DRIVER_ERRORS: Final = frozenset({"OperationalError", "InternalError"})


def _is_operational(exc: BaseException) -> bool:
    return any(cls.__name__ in _DRIVER_ERRORS for cls in type(exc).__mro__)


def known_failure(exc: BaseException) -> str | None:
    """The sentence for a known failure anywhere in `exc`'s chain; None when it is a bug."""
    for item in chain(exc):
        if isinstance(item, KnownError):  # a conflict (who changed it), a role refused, ...
            return str(item)
        if getattr(item, "connection_invalidated", False):  # SQLAlchemy: the connection was lost
            return UNREACHABLE
        if isinstance(item, OSError) and not _is_operational(item):
            if item.errno == errno.ENOSPC:
                return FULL
            if item.errno == errno.EROFS:
                return READ_ONLY
            continue
        if not _is_operational(item):
            continue
        text = str(item).lower()
        if any(word in text for word in _UNREACHABLE_WORDS):
            return UNREACHABLE
        if any(word in text for word in _FULL_WORDS):
            return FULL
        if any(word in text for word in _READ_ONLY_WORDS):
            return READ_ONLY
    return None
