"""One tracker per database file: a `QLockFile` beside it (`<database>.lock`), the file the
command line's writers also hold (`models.storage.instance_lock`).

Two copies writing one file would each undo the other's view of it, so a second start is refused
and told who holds the lock (process, program, computer). A lock left by a copy that crashed is
stale — its process is gone — and is removed by `tryLock`. The lock never goes stale by age (a
tracker stays open all day), so a lock left on a shared drive by another computer that crashed
must be deleted by hand; the message says which file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLockFile

# One definition of the lock, its holder and its refusals: the command line's writers hold the
# same file in the same format without Qt (`models.storage.instance_lock`).
from models.storage.instance_lock import DatabaseInUse, Holder, LockUnavailable, lock_path_for

log = logging.getLogger("permanence.desktop.lock")


__all__ = ["DatabaseInUse", "Holder", "LockUnavailable", "acquire", "holder_of", "lock_path_for"]


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
