"""Slow work off the GUI thread: one helper on `QThreadPool` that delivers results on the GUI thread.

A task is a plain function (it must not touch a widget, and opens its own database connection);
its result or its exception comes back through a queued signal to callbacks run on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QGuiApplication

from models.storage import collector

log = logging.getLogger("permanence.desktop.work")

T = TypeVar("T")


class _Relay(QObject):
    """Lives on the GUI thread; its signals cross back from the worker (queued connections)."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # delivered to the caller's on_error
            log.exception("background task failed")
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


_RUNNING: set[_Relay] = set()


def _hold_gc() -> None:
    """No cyclic garbage collection while a task runs: a collection triggered on the worker
    thread would destroy unreachable Qt objects there, off their thread, and crash. The first
    task's hold collects the young generations first, here on the GUI thread (a full collection
    walks the whole heap: it blocked the window 0.35 s at 300 children, seconds at 50,000)."""
    collector.hold(collect_first=True)


def _release_gc() -> None:
    # What the task built (a caseload, a report: millions of objects at 50,000 children) is all in
    # the youngest generation; the first collection would walk it on the GUI thread for seconds.
    # Aged at once, it waits for a full collection like other long-lived data.
    collector.release(age_survivors=True)


def run_in_background(
    fn: Callable[[], T],
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None],
) -> None:
    """Run `fn` on the thread pool; call `on_done(result)` or `on_error(exc)` on the GUI thread."""
    relay = _Relay()
    _hold_gc()
    _RUNNING.add(relay)

    def done(result: Any) -> None:
        _RUNNING.discard(relay)
        _release_gc()
        on_done(result)

    def failed(exc: Any) -> None:
        _RUNNING.discard(relay)
        _release_gc()
        on_error(exc)

    relay.succeeded.connect(done)
    relay.failed.connect(failed)
    QThreadPool.globalInstance().start(_Task(fn, relay))


def wait_for_background(msecs: int = 30_000) -> bool:
    """Block until every background task has finished (shutdown and tests)."""
    return QThreadPool.globalInstance().waitForDone(msecs)


def busy() -> bool:
    return bool(_RUNNING)


@contextmanager
def wait_cursor() -> Iterator[None]:
    """The wait cursor while short work runs on the GUI thread."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def run_with_progress(parent: Any, label: str, fn: Callable[[], T]) -> T:
    """Run `fn` off the GUI thread behind a modal busy dialog, and return its result (or raise).

    For work the person waits for (importing a large file, making demonstration data): the window
    keeps painting and says what is happening instead of freezing for a minute. No Cancel: a
    half-done import is rolled back, but not stopped midway.
    """
    outcome = _wait_behind_dialog(parent, label, fn, cancellable=False)
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["result"]
    return value


def run_cancellable(parent: Any, label: str, fn: Callable[[], T]) -> T | None:
    """`run_with_progress` with a Cancel button, for work that writes nothing (a report to preview):
    None once the person cancels. The window is free again at once; the task runs on to its end
    in the background and its result is dropped."""
    outcome = _wait_behind_dialog(parent, label, fn, cancellable=True)
    if "cancelled" in outcome:
        log.info("cancelled: %s", label)
        return None
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["result"]
    return value


def run_stoppable(parent: Any, label: str, fn: Callable[[Callable[[], bool]], T]) -> T | None:
    """`run_with_progress` with a Cancel button, for work that writes (an export, encrypting).

    `fn` is given a `cancelled()` to poll at its safe points; once it is true, `fn` undoes what it
    began and raises. Cancel says "Stopping…" and waits for that, so nothing is left half-written and
    nothing runs on behind the person's back. None once cancelled; the result if `fn` had got past
    its last safe point (the work is then done, and the caller says so).
    """
    stop = threading.Event()
    outcome = _wait_behind_dialog(parent, label, lambda: fn(stop.is_set), cancellable=False, stop=stop)
    if "error" in outcome:
        if stop.is_set():
            log.info("cancelled: %s (%s)", label, outcome["error"])
            return None
        raise outcome["error"]
    value: T = outcome["result"]
    return value


def wait_until_idle(parent: Any, label: str) -> None:
    """Wait for every background task to end, with the window painting and `label` shown (quitting
    or swapping the database during a recompute): a message, never a frozen window."""
    if not _RUNNING:
        return
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QProgressDialog

    loop = QEventLoop()
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setWindowTitle("Please wait")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setValue(0)  # starts the clock of minimumDuration: without it the dialog never shows
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: None if _RUNNING else loop.quit())
    poll.start()
    loop.exec()
    poll.stop()
    dialog.reset()
    dialog.deleteLater()
    wait_for_background()  # the pool's threads are returning: no task of ours is left


def _wait_behind_dialog(
    parent: Any,
    label: str,
    fn: Callable[[], Any],
    *,
    cancellable: bool,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """Run `fn` in the background while a local event loop keeps the window painting; the outcome.

    `cancellable`: Cancel settles at once and the task's result is dropped. `stop`: Cancel sets it
    and the dialog waits, saying so, for the task to stop.
    """
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QProgressDialog

    outcome: dict[str, Any] = {}
    loop = QEventLoop()
    dialog = QProgressDialog(label, "Cancel" if cancellable or stop else "", 0, 0, parent)
    if not (cancellable or stop):
        dialog.setCancelButton(None)
    dialog.setWindowTitle("Please wait")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setValue(0)  # starts the clock of minimumDuration: without it the dialog never shows

    def settle(key: str, value: Any) -> None:
        if not outcome:  # the first word wins: a result after Cancel is dropped
            outcome[key] = value
            loop.quit()

    def stopping() -> None:
        assert stop is not None
        stop.set()
        dialog.setCancelButton(None)
        dialog.setLabelText("Stopping… nothing is left half-written.")
        dialog.show()

    if cancellable:
        dialog.canceled.connect(lambda: settle("cancelled", True))
    elif stop is not None:
        dialog.canceled.connect(stopping)
    run_in_background(fn, lambda result: settle("result", result), lambda exc: settle("error", exc))
    if not outcome:
        loop.exec()
    dialog.reset()
    dialog.hide()
    dialog.deleteLater()
    return outcome
