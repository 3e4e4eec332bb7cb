"""One writer program per database file: the lock file beside it (`<database>.lock`).

The desktop holds it with Qt's `QLockFile` (`desktop.instance_lock`) for as long as it is open;
the command line's writers (`import`, `demo`, `mapping save`) hold the same file, in the same
format (process id, program, computer, machine id, boot id, one a line), for the length of the
command, without Qt. So an import is refused while the window is open, and the window is refused
while an import runs, each told who holds the file. A lock whose process is gone is stale and is
removed; a lock never goes stale by age.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("permanence.lock")


@dataclass(frozen=True)
class Holder:
    """Who holds a lock file, as the file says."""

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


def _program_name(pid: int) -> str:
    """The program's name as Qt's `QLockFile` reads it (the executable's file name)."""
    try:
        return Path(os.readlink(f"/proc/{pid}/exe")).name
    except OSError:
        return Path(sys.executable).name if pid == os.getpid() else ""


def _first_line(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def read_holder(path: Path) -> Holder | None:
    """The holder a lock file names; None when it cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return Holder(int(lines[0]), lines[2] if len(lines) > 2 else "", lines[1] if len(lines) > 1 else "")
    except (OSError, ValueError, IndexError):
        return None


def _alive(holder: Holder) -> bool:
    """Whether the holder is still running (a lock from another computer is taken to be)."""
    if holder.hostname and holder.hostname != socket.gethostname():
        return True
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    name = _program_name(holder.pid)
    return not (name and holder.appname and name != holder.appname)  # the pid was reused


@contextmanager
def held(database: Path) -> Iterator[Path]:
    """Hold the database's lock for the block (removing a stale one).

    Raises:
        DatabaseInUse: another live tracker holds it.
        LockUnavailable: the lock file cannot be created here.
    """
    path = lock_path_for(database)
    body = "\n".join(
        (
            str(os.getpid()),
            _program_name(os.getpid()),
            socket.gethostname(),
            _first_line("/etc/machine-id"),
            _first_line("/proc/sys/kernel/random/boot_id"),
        )
    )
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            holder = read_holder(path)
            if holder is not None and not _alive(holder):
                log.info("removing the stale lock %s left by %s", path, holder)
                with suppress(FileNotFoundError):
                    path.unlink()
                continue
            raise DatabaseInUse(database, path, holder) from None
        except OSError as exc:
            raise LockUnavailable(f"Cannot create the lock file {path} ({exc.strerror}).") from None
        break
    else:
        raise DatabaseInUse(database, path, read_holder(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body + "\n")
        yield path
    finally:
        with suppress(FileNotFoundError):
            path.unlink()
