"""One tracker per database file: a `QLockFile` beside it (`<database>.lock`).

Two copies writing one file would each undo the other's view of it, so a second start is refused
and told who holds the lock (process, program, computer). A lock left by a copy that crashed is
stale — its process is gone — and is removed by `tryLock`. The lock never goes stale by age (a
tracker stays open all day), so a lock left on a shared drive by another computer that crashed
must be deleted by hand; the message says which file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile

log = logging.getLogger("permanence.desktop.lock")


@dataclass(frozen=True)
class Holder:
    """Who holds a lock file, as `QLockFile.getLockInfo` reports it."""

    pid: int
    hostname: str
    appname: str

    def __str__(self) -> str:
        program = f" ({self.appname})" if self.appname else ""
        where = f" on the computer {self.hostname}" if self.hostname else ""
        return f"process {self.pid}{program}{where}"


class DatabaseInUse(Exception):
    """Another copy of the tracker has the database open; the message names it."""

    def __init__(self, database: Path, lock_path: Path, holder: Holder | None) -> None:
        who = f"It is held by {holder}." if holder else "Another copy of the tracker holds it."
        super().__init__(
            f"The database {database} is already open in another copy of Permanence Tracker. {who}\n\n"
            "Switch to that window, or close it and start again: only one copy may have a database "
            "open at a time, so that two never overwrite each other's changes.\n\n"
            f"If you are sure that copy is no longer running (it was on another computer that "
            f"crashed), delete the lock file {lock_path} and start again."
        )
        self.database = database
        self.lock_path = lock_path
        self.holder = holder


class LockUnavailable(Exception):
    """The lock file could not be created (a read-only folder, no permission)."""


def lock_path_for(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def holder_of(lock: QLockFile) -> Holder | None:
    pid, hostname, appname = lock.getLockInfo()  # (0, "", "") when the file cannot be read
    return Holder(int(pid), str(hostname), str(appname)) if pid else None


def acquire(database: Path) -> QLockFile:
    """Take the database's lock, removing a stale one; keep the returned object until quitting.

    Raises:
        DatabaseInUse: another live tracker holds it.
        LockUnavailable: the lock file cannot be created here.
    """
    path = lock_path_for(database)
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    if lock.tryLock(0):
        log.info("holding %s", path)
        return lock
    error = lock.error()
    if error == QLockFile.LockError.LockFailedError:
        holder = holder_of(lock)
        log.warning("%s is held by %s", path, holder)
        raise DatabaseInUse(database, path, holder)
    reason = "no permission" if error == QLockFile.LockError.PermissionError else "an unknown error"
    raise LockUnavailable(f"Cannot create the lock file {path} ({reason}).")
