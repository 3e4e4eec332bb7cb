"""Logging to the data folder, Qt's messages routed in, and the copyable error dialog."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import qWarning
from pytestqt.qtbot import QtBot

from desktop import logs
from views.error_dialog import ErrorDialog


@pytest.fixture
def log_file(tmp_path: Path) -> object:
    path = logs.setup_logging(tmp_path / "logs")
    yield path
    logs.shutdown_logging()


@pytest.mark.qt_log_ignore("a warning from Qt for the test")
def test_qt_messages_reach_the_log_file(qtbot: QtBot, log_file: Path) -> None:
    logs.install_qt_message_handler()
    qWarning("a warning from Qt for the test")
    for handler in logging.getLogger("permanence").handlers:
        handler.flush()
    assert "permanence.qt: a warning from Qt for the test" in log_file.read_text()


def test_an_uncaught_error_is_logged_and_shown(
    qtbot: QtBot, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_previous_excepthook", lambda *args: None)
    try:
        raise RuntimeError("something unexpected")
    except RuntimeError as exc:
        logs._excepthook(RuntimeError, exc, exc.__traceback__)
    dialog = logs._dialogs[-1]
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ErrorDialog)
    assert dialog.isVisible()
    assert "RuntimeError: something unexpected" in dialog.details.toPlainText()
    assert dialog.details.isReadOnly()
    assert "something unexpected" in log_file.read_text()
    dialog.reject()
    assert dialog not in logs._dialogs
