"""Start-up of the desktop application: one ordered, boring sequence.

1. Parse the arguments: `--db`, `--data-dir`, `--as-of` (a testing aid: start at another day),
   `--read-only`, `--verbose`; anything else is left for Qt.
   The process umask becomes 077 first: every file the tracker writes is private to its user.
2. Resolve the folders (`desktop.paths`): data folder, log folder, window-layout file.
3. Logging: a rotating log file in the data folder, Qt's own messages routed into it.
4. The excepthook: an uncaught error is logged and shown in a copyable dialog (a write refused
   for a read-only file or a full disk is said plainly instead).
5. The `QApplication` (an existing one is reused, as under pytest-qt): the prompts below need it.
6. One tracker per database file: its lock file (`desktop.instance_lock`); a second start is told
   who holds it and stops with exit status 3.
7. Open and migrate the database: an encrypted one asks for its passphrase (three tries); a damaged
   one offers to restore the newest good backup (the damaged file is moved aside, never deleted);
   any other `DatabaseError` is shown as a clear message and start-up stops with exit status 1.
8. The main window, holding the lock until it closes.
9. Today's automatic backup (not when read-only), thinned to the keeping policy, made in the
   background once the window is up.
10. The event loop — skipped by `run(exec=False)`, which tests use to get the app and window.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLockFile, QTimer
from PySide6.QtWidgets import QApplication

from desktop import instance_lock, paths
from desktop.logs import install_excepthook, install_qt_message_handler, setup_logging
from desktop.main_window import MainWindow
from desktop.work import run_in_background
from models.storage.backup import ensure_daily_backup, newest_good_backup, restore_backup
from models.storage.db import (
    Database,
    DatabaseDamaged,
    DatabaseError,
    PassphraseRequired,
    ServerPasswordRequired,
    WrongPassphrase,
    open_database,
)
from models.storage.store import parse_iso
from views import prompts

log = logging.getLogger("permanence.desktop")

APP_NAME = "Permanence Tracker"
EXIT_FAILED = 1
#: Another copy of the tracker has the database open.
EXIT_IN_USE = 3
#: Wrong passphrases allowed before start-up stops.
PASSPHRASE_TRIES = 3


class StartupFailed(Exception):
    """Start-up stopped after telling the person why; `status` is the exit status."""

    def __init__(self, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.status = status


def _as_of(value: str) -> date:
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="permanence-tracker", description="The Permanence Tracker desktop application."
    )
    parser.add_argument("--db", help="database file (default: tracker.sqlite in the data folder) or a URL")
    parser.add_argument("--data-dir", help="folder for the database, logs and window layout")
    parser.add_argument(
        "--as-of", type=_as_of, default=None, help="start at this date (YYYY-MM-DD) instead of today"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="open the database without changing it: every action that would write is disabled",
    )
    parser.add_argument("--verbose", action="store_true", help="log debug messages to stderr too")
    # The bundle's smoke test (scripts/bundle.sh --smoke): close the window after this many seconds.
    parser.add_argument("--quit-after", type=float, default=None, help=argparse.SUPPRESS)
    return parser


def _application(qt_args: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *qt_args])
    app.setApplicationName(APP_NAME)
    # No display name: Qt would add it to every title bar, the main window's after "Permanence
    # Tracker — <authority>" too (it said the name twice).
    app.setStyle("Fusion")
    return app


def run(argv: Sequence[str] | None = None, exec: bool = True) -> tuple[QApplication, MainWindow]:
    """Start the application; with `exec=False`, return the app and the shown window without the loop.

    Raises:
        StartupFailed: the database is in use, or could not be opened (the person has been told why).
    """
    os.umask(0o077)  # every file the tracker makes (logs, lock, layout, exports) is its user's alone
    args, qt_args = build_parser().parse_known_args(list(argv) if argv is not None else sys.argv[1:])
    folders = paths.resolve(args.data_dir, args.db)
    log_file = setup_logging(folders.logs, verbose=args.verbose)
    install_qt_message_handler()
    install_excepthook()
    log.info("starting; data folder %s, log %s", folders.data, log_file)
    app = _application(qt_args)
    lock = _lock(folders.database, read_only=args.read_only)
    try:
        db = open_with_prompts(folders.database, read_only=args.read_only)
        window = MainWindow(db, folders.data, as_of=args.as_of)
    except BaseException:
        if lock is not None:
            lock.unlock()
        raise
    window.instance_lock = lock
    window.show()
    _tell_open_warnings(window, db)
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
    _daily_backup(window)
    if exec:
        app.exec()
    return app, window


def _fail(title: str, text: str, status: int = EXIT_FAILED) -> StartupFailed:
    """Tell the person why the tracker cannot start; the exception to raise."""
    log.error("%s: %s", title, text)
    prompts.show_error(None, title, f"{text}\n\nThe tracker will now close.")
    return StartupFailed(text, status)


def _file_of(target: str | Path) -> Path | None:
    """The database file (resolved as `open_database` does), or None for a server URL."""
    if "://" in str(target):
        return None
    return Path(target).expanduser().resolve()


def _lock(target: str | Path, *, read_only: bool) -> QLockFile | None:
    """Hold the database's lock file (none for a server database, or read-only where none can be made)."""
    path = _file_of(target)
    if path is None:
        return None
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return instance_lock.acquire(path)
    except instance_lock.DatabaseInUse as exc:
        raise _fail("The database is already open", str(exc), EXIT_IN_USE) from exc
    except instance_lock.LockUnavailable as exc:
        if read_only:
            log.warning("%s; opening read-only without a lock", exc)
            return None
        raise _fail("Cannot open the database", str(exc)) from exc


def open_with_prompts(target: str | Path, *, read_only: bool = False) -> Database:
    """`open_database`, asking for the passphrase of an encrypted file and offering a backup for a
    damaged one.

    Raises:
        StartupFailed: the person chose to quit, or the database cannot be used (they were told why).
    """
    path = _file_of(target)
    passphrase: str | None = None
    error: str | None = None
    wrong = 0
    password: str | None = None
    while True:
        try:
            return open_database(target, read_only=read_only, passphrase=passphrase, password=password)
        except ServerPasswordRequired as exc:
            # The team server asks for a password that neither a service file nor ~/.pgpass holds.
            password = prompts.ask_server_password(None, str(exc))
            if password is None:
                log.info("no server password given: closing")
                raise StartupFailed("The team server's password was not given.") from None
            continue
        except PassphraseRequired as exc:
            if path is None or not _could_be_encrypted(path):
                raise _fail("Cannot open the database", str(exc)) from exc
            error = None
        except WrongPassphrase:
            wrong += 1
            log.warning("wrong passphrase (%d of %d)", wrong, PASSPHRASE_TRIES)
            left = PASSPHRASE_TRIES - wrong
            if left <= 0:
                raise _fail(
                    "Wrong passphrase",
                    f"The passphrase was wrong {PASSPHRASE_TRIES} times, so the database was not opened. "
                    "The file is unchanged. If the passphrase is lost, the records cannot be recovered.",
                ) from None
            error = (
                "Wrong passphrase: it does not open this database. "
                f"{left} {'try' if left == 1 else 'tries'} left."
            )
        except DatabaseDamaged as exc:
            _restore_damaged(exc, passphrase, read_only)
            continue
        except DatabaseError as exc:
            raise _fail("Cannot open the database", str(exc)) from exc
        assert path is not None  # only files are encrypted here
        passphrase = prompts.ask_passphrase(None, path, error)
        if passphrase is None:
            log.info("no passphrase given: closing")
            raise StartupFailed("The passphrase was not given.")


def _could_be_encrypted(path: Path) -> bool:
    """An SQLCipher file is whole pages of random-looking bytes; a document or a note is not."""
    size = path.stat().st_size
    return size >= 512 and size % 512 == 0


def _restore_damaged(exc: DatabaseDamaged, passphrase: str | None, read_only: bool) -> None:
    """Offer the newest good backup in place of a damaged file; returns once it is restored."""
    log.error("damaged database %s: %s", exc.path, exc.detail)
    if read_only:
        raise _fail(
            "The database is damaged",
            f"{exc}\n\nStart the tracker without --read-only to restore a backup.",
        )
    # A backup whose stored values read clean: one taken since the damage holds it too.
    good = newest_good_backup(exc.path, passphrase, values=True)
    if good is None:
        raise _fail(
            "The database is damaged",
            f"{exc}\n\nThere is no good backup to restore. The file has not been changed; please "
            "ask the IT service desk for help.",
        )
    if not prompts.ask_restore_damaged(None, exc.path, exc.detail, good):
        log.info("restore declined: closing")
        raise StartupFailed(str(exc))
    try:
        kept = restore_backup(exc.path, good.path, passphrase)
    except (DatabaseError, OSError) as err:
        raise _fail(
            "The backup was not restored", f"{err}\n\nThe damaged file has not been deleted."
        ) from err
    where = (
        f"\n\nThe damaged file was kept (not deleted) as {kept.name} in {kept.parent}."
        if kept is not None
        else ""
    )
    log.warning("restored %s in place of the damaged database; damaged file kept as %s", good.path, kept)
    prompts.show_info(
        None,
        "Backup restored",
        f"The backup taken on {good.taken:%d/%m/%Y at %H:%M} is now the database. Changes made after that "
        f"time need entering again.{where}",
    )


def _tell_open_warnings(window: MainWindow, db: Database) -> None:
    """What opening found that the person should know (a shortened audit log, say): told once,
    logged, and run `check-audit` for the whole story."""
    if not db.warnings:
        return
    for warning in db.warnings:
        log.warning("%s", warning)
    prompts.show_warning(
        window,
        "The audit log needs checking",
        "\n\n".join(db.warnings)
        + "\n\nThe records can still be used. Tell your data protection officer; the Audit page "
        "(and the check-audit command) says more.",
    )


def _daily_backup(window: MainWindow) -> None:
    """Today's automatic backup, made off the GUI thread (copying a large file takes seconds); a
    problem is shown in the status bar, and never stops the tracker."""
    db = window.db
    if db.read_only or db.path is None:
        return

    def done(made: Path | None) -> None:
        if made is not None:
            log.info("daily backup %s", made)
            window.backups_page.reload()

    def failed(exc: Exception) -> None:
        log.error("the daily backup failed: %s", exc)
        window.statusBar().showMessage(f"Today's automatic backup could not be made: {exc}", 60_000)

    run_in_background(lambda: ensure_daily_backup(db), done, failed)


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point of `python -m desktop` and of `permanence-tracker` with no subcommand."""
    try:
        app, window = run(argv, exec=False)
    except StartupFailed as exc:
        return exc.status
    status = app.exec()
    log.info("closed with status %d", status)
    window.db.engine.dispose()
    window.release_instance_lock()
    return status
