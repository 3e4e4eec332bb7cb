"""Shared fixtures: offscreen Qt, a private data folder per test, a fresh database file."""

from __future__ import annotations

import os

# Before any Qt import: no display needed, and never the real home folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import Database, open_database

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLES = SHARED / "domain" / "examples"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("PERMANENCE_TRACKER_DATA", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(data / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(data / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(data / "xdg-cache"))
    return data


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "test.sqlite")
    yield database
    database.engine.dispose()


@pytest.fixture
def examples() -> Path:
    if not (EXAMPLES / "journey.json").exists():
        pytest.skip("../shared/domain/examples is not present")
    return EXAMPLES


@pytest.fixture
def example_db(db: Database, examples: Path) -> Database:
    """The `db` fixture with the shared example children (EX-001 to EX-003) imported."""
    from models.journey_io import import_file

    import_file(db, examples / "journey.json")
    return db
