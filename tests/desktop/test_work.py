"""Long work off the GUI thread: the busy dialog, and Cancel for work that writes nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop.work import (
    busy,
    run_cancellable,
    run_in_background,
    run_stoppable,
    run_with_progress,
    wait_for_background,
    wait_until_idle,
)


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


def _visible_progress() -> QProgressDialog:
    (dialog,) = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()
    ]
    return dialog


def test_cancel_of_work_that_writes_waits_for_it_to_stop(qtbot: QtBot) -> None:
    seen: list[str] = []

    def write(cancelled: Callable[[], bool]) -> int:
        while not cancelled():
            time.sleep(0.01)
        seen.append("stopped at a safe point")
        time.sleep(0.2)  # undoing what it began
        seen.append("undone")
        raise RuntimeError("cancelled")

    def cancel_then_look() -> None:
        _cancel_the_dialog()
        dialog = _visible_progress()  # still up, saying so, until the work has stopped
        seen.append(dialog.labelText())

    QTimer.singleShot(400, cancel_then_look)
    assert run_stoppable(None, "Exporting…", write) is None
    assert seen == ["Stopping… nothing is left half-written.", "stopped at a safe point", "undone"]
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog))


def test_stoppable_work_returns_its_result_or_raises(qtbot: QtBot) -> None:
    assert run_stoppable(None, "Exporting…", lambda cancelled: 7 if not cancelled() else 0) == 7

    def broken(_cancelled: Callable[[], bool]) -> int:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_stoppable(None, "Exporting…", broken)


def test_waiting_for_the_background_keeps_the_window_painting(qtbot: QtBot) -> None:
    release = threading.Event()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    run_in_background(lambda: release.wait(10), lambda _r: None, lambda _e: None)
    QTimer.singleShot(300, release.set)
    start = time.perf_counter()
    wait_until_idle(None, "Closing once the deadlines being worked out are done…")
    assert time.perf_counter() - start >= 0.25 and not busy()
    timer.stop()
    assert len(ticks) > 10  # the GUI thread kept turning while it waited
    wait_until_idle(None, "nothing to wait for")  # returns at once


def test_the_busy_dialog_shows_itself_when_the_work_takes_a_while(qtbot: QtBot) -> None:
    seen: list[str] = []
    QTimer.singleShot(500, lambda: seen.extend(_visible_progress().labelText() for _ in [0]))
    assert run_with_progress(None, "Importing…", lambda: time.sleep(0.8) or 1) == 1
    assert seen == ["Importing…"]
