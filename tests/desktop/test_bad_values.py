"""A value read back damaged (issue 14, "damage read as data"): the desktop says which child and
event in a sentence and offers the newest good backup, as it does for a file that fails its check."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.work import wait_for_background
from models.io.journey_io import import_journey
from models.storage.backup import make_backup
from models.storage.db import open_database
from models.storage.store import get_child
from views import prompts

Start = Callable[..., MainWindow]
DOC = {
    "format": "journey",
    "version": 1,
    "children": [
        {
            "id": "C-1",
            "events": [
                {"id": "e1", "type": "became_looked_after", "date": "2025-01-06"},
                {"id": "e2", "type": "cla_review", "date": "2025-01-20"},
            ],
        }
    ],
}


@pytest.fixture
def bad_value_db(tmp_path: Path) -> Path:
    """A well-formed database (with a good backup) in which one event's date became 'garbage'."""
    path = tmp_path / "tracker.sqlite"
    db = open_database(path)
    import_journey(db, json.loads(json.dumps(DOC)))
    make_backup(db, "manual")
    db.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE event SET date = 'garbage' WHERE event_id = 'e2'")
    return path


def test_a_bad_stored_value_offers_the_newest_good_backup(
    start: Start, qtbot: QtBot, bad_value_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str] = []
    errors: list[str] = []
    info: list[str] = []

    def ask_restore(parent: object, path: Path, detail: str, good: object) -> bool:
        offered.append(detail)
        return True

    monkeypatch.setattr(prompts, "ask_restore_damaged", ask_restore)
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: errors.append(text))
    monkeypatch.setattr(prompts, "show_info", lambda parent, title, text: info.append(text))
    window = start(bad_value_db, wait=False)
    qtbot.waitUntil(lambda: bool(info), timeout=20_000)
    wait_for_background()
    assert offered == ["child C-1, event e2, field 'date' holds 'garbage', which is not a date (YYYY-MM-DD)"]
    assert errors == []
    assert "is now the database" in info[0]
    record = get_child(window.db, "C-1")  # the backup's good values
    assert record is not None and [e.id for e in record.events] == ["e1", "e2"]


def test_without_a_good_backup_it_is_explained_in_a_sentence(
    start: Start, qtbot: QtBot, bad_value_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for backup in (bad_value_db.parent / "backups").iterdir():
        backup.unlink()
    errors: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: errors.append(text))
    start(bad_value_db, wait=False)
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    wait_for_background()
    assert "child C-1, event e2, field 'date' holds 'garbage'" in errors[0]
    assert "There is no good backup to restore" in errors[0]
    assert "Traceback" not in errors[0]


def test_at_start_up_a_damaged_file_is_offered_a_backup_whose_values_read_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer backup taken after a value went bad passes the file check but is no cure."""
    from datetime import datetime

    from desktop import app
    from models.storage.db import DatabaseDamaged

    path = tmp_path / "tracker.sqlite"
    db = open_database(path)
    import_journey(db, json.loads(json.dumps(DOC)))
    clean = make_backup(db, "manual", now=datetime(2026, 1, 1, 9, 0))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE event SET date = 'garbage' WHERE event_id = 'e2'")
    make_backup(db, "manual", now=datetime(2026, 1, 2, 9, 0))  # passes check_file, holds the bad value
    db.dispose()
    offered: list[Path] = []

    def ask_restore(parent: object, damaged: Path, detail: str, good: object) -> bool:
        offered.append(good.path)  # type: ignore[attr-defined]
        return False

    monkeypatch.setattr(prompts, "ask_restore_damaged", ask_restore)
    with pytest.raises(app.StartupFailed):
        app._restore_damaged(DatabaseDamaged(path, "header damaged"), None, read_only=False)
    assert offered == [clean]
