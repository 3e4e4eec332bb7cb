"""Moving a laptop's SQLite database into an empty team database: everything, the audit chain intact."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from models.domain.records import EventRecord
from models.io.journey_io import import_file
from models.io.move_in import MoveInError, move_in
from models.storage import store
from models.storage.audit import entries, verify_chain
from models.storage.db import Database, open_database
from models.storage.settings import read_settings
from tests.conftest import server_database


@pytest.fixture
def laptop(tmp_path: Path, examples: Path) -> Path:
    path = tmp_path / "laptop.sqlite"
    db = open_database(path)
    import_file(db, examples / "journey.json")
    child = store.get_child(db, "EX-003")
    assert child is not None
    store.save_child(db, dataclasses.replace(child, fields={**child.fields, "team": "North"}), user="ppo")
    with db.engine.connect() as conn:
        settings = read_settings(conn)
    store.save_settings(db, dataclasses.replace(settings, authority_name="Example Borough"), user="ppo")
    db.dispose()
    return path


@pytest.fixture
def team() -> Iterator[Database]:
    with server_database() as url:
        db = open_database(url)
        yield db
        db.dispose()


def test_everything_moves_in_with_the_audit_chain_intact(laptop: Path, team: Database) -> None:
    before = open_database(laptop, read_only=True)
    try:
        with before.engine.connect() as conn:
            children = list(store.iter_children(conn))
            settings = read_settings(conn)
        history = entries(before)
        deadlines = store.compute_deadlines(before, date(2025, 9, 1))
    finally:
        before.dispose()
    result = move_in(team, laptop)
    assert (result.children, result.audit_rows) == (3, len(history))
    with team.engine.connect() as conn:
        assert list(store.iter_children(conn)) == children
        assert read_settings(conn) == settings
    assert store.compute_deadlines(team, date(2025, 9, 1)) == deadlines
    moved = entries(team)
    assert moved[0].action == "move-in" and moved[1:] == history  # the same rows, ids, people and times
    assert verify_chain(team) == []
    # The team database carries on from there: new ids do not collide with the moved ones.
    store.add_event(team, "EX-003", EventRecord("e1", "cla_visit", date(2025, 8, 1)))
    assert verify_chain(team) == []


def test_a_team_database_already_in_use_is_refused_untouched(
    laptop: Path, team: Database, examples: Path
) -> None:
    import_file(team, examples / "journey.json")
    count = len(entries(team))
    with pytest.raises(MoveInError, match="not empty"):
        move_in(team, laptop)
    assert len(entries(team)) == count


def test_a_laptop_with_a_broken_audit_chain_is_refused(laptop: Path, team: Database) -> None:
    db = open_database(laptop)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit SET user = 'someone' WHERE id = 1")
    db.dispose()
    with pytest.raises(MoveInError, match="broken at entry 1"):
        move_in(team, laptop)
    assert entries(team) == []


def test_move_in_needs_a_team_database(laptop: Path, tmp_path: Path) -> None:
    target = open_database(tmp_path / "other.sqlite")
    try:
        with pytest.raises(MoveInError, match="postgresql://"):
            move_in(target, laptop)
    finally:
        target.dispose()


def test_the_move_in_command(laptop: Path, team: Database, capsys: pytest.CaptureFixture[str]) -> None:
    from models.cli import main

    url = team.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "move-in", str(laptop)]) == 0
    assert "3 children, 30 events" in capsys.readouterr().out
    assert main(["--db", url, "move-in", str(laptop)]) == 1
    assert capsys.readouterr().err.startswith("permanence-tracker: The team database is not empty")
    assert main(["--db", url, "check-audit"]) == 0
