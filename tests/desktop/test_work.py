"""Long work off the GUI thread: the busy dialog, and Cancel for work that writes nothing."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop.work import run_cancellable, run_with_progress, wait_for_background


def _cancel_the_dialog() -> None:
    """What the person does: click the dialog's Cancel button."""
    (dialog,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()


def test_cancel_frees_the_window_before_the_work_ends(qtbot: QtBot) -> None:
    release = threading.Event()
    still_running: list[bool] = []

    def slow() -> bytes:
        release.wait(10)
        return b"%PDF"

    QTimer.singleShot(50, _cancel_the_dialog)
    assert run_cancellable(None, "Making the report…", slow) is None
    still_running.append(not release.is_set())
    release.set()
    assert wait_for_background()
    assert still_running == [True]  # it returned while the work was still going: nothing waited on it


def test_the_result_comes_back_when_not_cancelled(qtbot: QtBot) -> None:
    assert run_cancellable(None, "Making the report…", lambda: b"%PDF-1.4") == b"%PDF-1.4"
    assert run_with_progress(None, "Importing…", lambda: 42) == 42


def test_an_error_in_the_work_reaches_the_caller(qtbot: QtBot) -> None:
    def broken() -> bytes:
        raise ValueError("no such report")

    with pytest.raises(ValueError, match="no such report"):
        run_cancellable(None, "Making the report…", broken)
