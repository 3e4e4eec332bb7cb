"""Start-up of the desktop application: one ordered, boring sequence.

1. Parse the arguments: `--db`, `--data-dir`, `--as-of` (a testing aid: start at another day),
   `--verbose`; anything else is left for Qt.
2. Resolve the folders (`desktop.paths`): data folder, log folder, window-layout file.
3. Logging: a rotating log file in the data folder, Qt's own messages routed into it.
4. The excepthook: an uncaught error is logged and shown in a copyable dialog.
5. Open and migrate the database; a `DatabaseError` is shown as a clear message and start-up
   stops with exit status 1.
6. The `QApplication` (an existing one is reused, as under pytest-qt).
7. The main window.
8. The event loop — skipped by `run(exec=False)`, which tests use to get the app and window.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import QApplication

from desktop import paths
from desktop.logs import install_excepthook, install_qt_message_handler, setup_logging
from desktop.main_window import MainWindow
from models.db import DatabaseError, open_database
from models.store import parse_iso
from views import prompts

log = logging.getLogger("permanence.desktop")

APP_NAME = "Permanence Tracker"
EXIT_FAILED = 1


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
    parser.add_argument("--verbose", action="store_true", help="log debug messages to stderr too")
    return parser


def _application(qt_args: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setStyle("Fusion")
    return app


def run(argv: Sequence[str] | None = None, exec: bool = True) -> tuple[QApplication, MainWindow]:
    """Start the application; with `exec=False`, return the app and the shown window without the loop.

    Raises:
        StartupFailed: the database could not be opened (the person has been told why).
    """
    args, qt_args = build_parser().parse_known_args(list(argv) if argv is not None else sys.argv[1:])
    folders = paths.resolve(args.data_dir, args.db)
    log_file = setup_logging(folders.logs, verbose=args.verbose)
    install_qt_message_handler()
    install_excepthook()
    log.info("starting; data folder %s, log %s", folders.data, log_file)
    try:
        db = open_database(folders.database)
    except DatabaseError as exc:
        log.error("cannot open the database: %s", exc)
        _application(qt_args)
        prompts.show_error(None, "Cannot open the database", f"{exc}\n\nThe tracker will now close.")
        raise StartupFailed(str(exc)) from exc
    app = _application(qt_args)
    window = MainWindow(db, folders.data, as_of=args.as_of)
    window.show()
    if exec:
        app.exec()
    return app, window


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point of `python -m desktop` and of `permanence-tracker` with no subcommand."""
    try:
        app, window = run(argv, exec=False)
    except StartupFailed as exc:
        return exc.status
    status = app.exec()
    log.info("closed with status %d", status)
    window.db.engine.dispose()
    return status
