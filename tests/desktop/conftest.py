"""Start the real application (database, window, pages) without entering the event loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import run
from desktop.logs import shutdown_logging
from desktop.main_window import MainWindow
from desktop.work import wait_for_background

Start = Callable[..., MainWindow]


@pytest.fixture
def start(qtbot: QtBot, _private_data_dir: Path) -> Iterator[Start]:
    """`start(db_path, *args)`: the app as `run(exec=False)` leaves it, pages filled if there are children."""
    windows: list[MainWindow] = []

    def _start(db_path: Path, *args: str, wait: bool = True) -> MainWindow:
        _app, window = run(["--db", str(db_path), "--data-dir", str(_private_data_dir), *args], exec=False)
        qtbot.addWidget(window)
        windows.append(window)
        if wait:
            with qtbot.waitSignal(window.overview_ready, timeout=20_000):
                pass
        return window

    yield _start
    wait_for_background()
    for window in windows:
        window.close()
        window.db.engine.dispose()
    shutdown_logging()
