"""File ▸ Import… in the running application: preview and import on the thread pool, and Cancel
pressed while they run writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from shared_files import shared_samples
from sqlalchemy import func, select

from desktop.actions import ActionId
from desktop.main_window import MainWindow
from models.storage.db import open_database
from models.storage.store import CHILD_T
from views import prompts
from views.import_dialog import ImportDialog

Start = Callable[..., MainWindow]


def _children(path: Path) -> int:
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CHILD_T)).scalar_one())
    finally:
        db.engine.dispose()


def test_cancel_while_the_preview_and_the_import_run(
    qtbot: QtBot, start: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = shared_samples() / "d2i-csc-validator-be-903"
    db_path = tmp_path / "empty.sqlite"
    window = start(db_path, wait=False)
    monkeypatch.setattr(prompts, "ask_open_import_folder", lambda parent, folder_=None: folder)
    window.action(ActionId.IMPORT_JOURNEY).trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None
    dialog.add_folder_button.click()
    with qtbot.waitSignal(dialog.work_ended, timeout=30_000) as ended:
        dialog.preview_button.click()
        assert dialog.cancel_button.isEnabled() and not dialog.close_button.isEnabled()
        dialog.cancel_button.click()
    assert ended.args == ["cancelled"] and dialog.preview is None
    with qtbot.waitSignal(dialog.preview_ready, timeout=30_000):
        dialog.preview_button.click()
    assert dialog.sources_table.item(1, 2).text() == "2675 / 0 / 0 / 0"
    with qtbot.waitSignal(dialog.work_ended, timeout=30_000) as ended:
        dialog.import_button.click()
        dialog.cancel_button.click()
    assert ended.args == ["cancelled"]
    assert _children(db_path) == 0
    with qtbot.waitSignal(window.overview_ready, timeout=30_000):
        with qtbot.waitSignal(dialog.preview_ready, timeout=30_000):
            dialog.preview_button.click()
        dialog.import_button.click()
    assert _children(db_path) == 2928  # header.csv's 2,675 and fake_903.xml's 253, none shared
