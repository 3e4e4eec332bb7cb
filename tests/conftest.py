"""Shared fixtures: offscreen Qt, a private data folder per test, a fresh database file."""

from __future__ import annotations

import gc
import os
import sys

# Before any Qt import: no display needed, and never the real home folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from shared_files import shared_examples, shared_samples

from models.storage.db import Database, open_database


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("PERMANENCE_TRACKER_DATA", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(data / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(data / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(data / "xdg-cache"))
    return data


@pytest.fixture(autouse=True)
def _undo_stacks_emptied(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a Qt test (its widgets already closed by pytest-qt), empty every undo stack it left.

    The tests make stacks without a parent, which Python owns. Left with their commands, such a
    stack can end up in one garbage cycle with its commands' Python wrappers, and the collector
    then frees them in an order shiboken does not survive (a segfault in a later test's
    gc.collect()). Emptied here, deleting a stack no longer deletes any Python-made command. The
    application's own stack has the main window as its parent and lives as long as the window.
    """
    yield
    if "qtbot" not in request.fixturenames or "PySide6.QtGui" not in sys.modules:
        return
    import shiboken6
    from PySide6.QtGui import QUndoStack

    for obj in gc.get_objects():
        if isinstance(obj, QUndoStack) and shiboken6.isValid(obj):
            obj.clear()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "test.sqlite")
    yield database
    database.engine.dispose()


@pytest.fixture
def samples() -> Path:
    return shared_samples()


@pytest.fixture
def examples() -> Path:
    return shared_examples()


@pytest.fixture
def example_db(db: Database, examples: Path) -> Database:
    """The `db` fixture with the shared example children (EX-001 to EX-003) imported."""
    from models.io.journey_io import import_file

    import_file(db, examples / "journey.json")
    return db
