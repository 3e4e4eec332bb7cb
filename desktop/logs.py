"""Logging: a rotating file in the data folder, Qt's own messages routed in, and the crash dialog.

`setup_logging` is idempotent (it replaces the handlers it added before). The Qt message handler
and the excepthook both hand on to whatever was installed before them, so a test harness that
captures Qt warnings or exceptions keeps seeing them.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from sqlalchemy.exc import DBAPIError

from models.storage.db import DatabaseDamaged
from views.error_dialog import ErrorDialog
from views.write_errors import TITLE as WRITE_FAILED_TITLE
from views.write_errors import write_failure_message

LOG_FILE = "permanence-tracker.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

log = logging.getLogger("permanence.desktop")
qt_log = logging.getLogger("permanence.qt")

_OURS = "_permanence_handler"
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

QtHandler = Callable[[QtMsgType, QMessageLogContext, str], Any]
_previous_qt_handler: QtHandler | None = None


def setup_logging(log_dir: Path, *, verbose: bool = False) -> Path:
    """Log to `log_dir`/permanence-tracker.log (1 MB × 5) and warnings to stderr; returns the file."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = log_dir / LOG_FILE
    root = logging.getLogger("permanence")
    shutdown_logging()
    file_handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stderr_handler.setFormatter(logging.Formatter(_FORMAT))
    for handler in (file_handler, stderr_handler):
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return path


def shutdown_logging() -> None:
    """Close and remove the handlers `setup_logging` added."""
    root = logging.getLogger("permanence")
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()


def _qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)
    if _previous_qt_handler is not None:
        _previous_qt_handler(kind, context, message)


def install_qt_message_handler() -> None:
    """Route Qt's warnings into logging, chaining to the handler installed before ours."""
    global _previous_qt_handler
    previous = qInstallMessageHandler(_qt_message_handler)
    if previous is not _qt_message_handler:
        _previous_qt_handler = previous


# --- Uncaught exceptions ------------------------------------------------------------------------

_dialogs: list[QDialog] = []


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    log.critical("uncaught exception", exc_info=(kind, value, tb))
    _previous_excepthook(kind, value, tb)
    if QApplication.instance() is None or issubclass(kind, KeyboardInterrupt):
        return
    parent: QWidget | None = QApplication.activeWindow()
    dialog = _dialog_for(value, tb, parent)
    _dialogs.append(dialog)
    dialog.finished.connect(lambda _result: _dialogs.remove(dialog) if dialog in _dialogs else None)
    dialog.open()  # not exec(): an error must never block the event loop (or a test)


def _dialog_for(value: BaseException, tb: TracebackType | None, parent: QWidget | None) -> QDialog:
    """A known failure (a write refused by a read-only file or a full disk, a damaged value read back)
    is not a bug: say it plainly (`models.storage.errors`); anything else shows its traceback."""
    if isinstance(value, DatabaseDamaged):  # a damaged stored value (read_check): a sentence, no traceback
        return QMessageBox(
            QMessageBox.Icon.Critical,
            "The database is damaged",
            str(value),
            QMessageBox.StandardButton.Ok,
            parent,
        )
    message = write_failure_message(value)
    if message is not None:
        title = WRITE_FAILED_TITLE if isinstance(value, (OSError, DBAPIError)) else "Permanence Tracker"
        return QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, parent)
    return ErrorDialog("".join(traceback.format_exception(type(value), value, tb)), parent)


_previous_excepthook: Callable[[type[BaseException], BaseException, TracebackType | None], Any] = (
    sys.excepthook
)


def install_excepthook() -> None:
    """Log uncaught exceptions and show them in a copyable dialog instead of dying silently."""
    global _previous_excepthook
    if sys.excepthook is not _excepthook:
        _previous_excepthook = sys.excepthook
        sys.excepthook = _excepthook
