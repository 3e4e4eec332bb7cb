"""The laptop hand-over: children out to an encrypted file, back with both sides' changes merged,
every conflict reported, nothing overwritten silently and nothing lost."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from models.domain.records import EventRecord
from models.io.handover import HandoverError, check_in, check_out, checked_out
from models.io.journey_io import import_file
from models.storage import store
from models.storage.audit import verify_chain
from models.storage.db import Database, PassphraseRequired, open_database
from tests.conftest import server_database

KEY = "laptop passphrase"


@pytest.fixture
def team(examples: Path) -> Iterator[Database]:
    with server_database() as url:
        db = open_database(url)
        import_file(db, examples / "journey.json")
        yield db
        db.dispose()


def events(db: Database, child_id: str) -> dict[str, EventRecord]:
    child = store.get_child(db, child_id)
    assert child is not None
    return {e.id: e for e in child.events}


def test_check_out_writes_an_encrypted_file_and_marks_the_children_out(
    team: Database, tmp_path: Path
) -> None:
    laptop = tmp_path / "out.sqlite"
    assert check_out(team, laptop, ["EX-002", "EX-003"], KEY) == 2
    with pytest.raises(PassphraseRequired):
        open_database(laptop)
    db = open_database(laptop, passphrase=KEY)
    try:
        assert store.child_ids(db) == ["EX-002", "EX-003"]
        assert events(db, "EX-002") == events(team, "EX-002")
    finally:
        db.dispose()
    out = checked_out(team)
    assert sorted(out) == ["EX-002", "EX-003"] and out["EX-002"].by == "postgres"
    with pytest.raises(HandoverError, match="EX-003 is already out with postgres"):
        check_out(team, tmp_path / "again.sqlite", ["EX-003"], KEY)
    assert not (tmp_path / "again.sqlite").exists()


def test_check_in_merges_both_sides_and_reports_each_conflict(team: Database, tmp_path: Path) -> None:
    laptop_path = tmp_path / "out.sqlite"
    check_out(team, laptop_path, ["EX-002"], KEY)
    base = events(team, "EX-002")
    deleted_on_laptop = max(
        base.values(), key=lambda e: (e.date, e.id)
    ).id  # deleting the latest keeps it valid
    same, laptop_only, server_only = sorted(set(base) - {deleted_on_laptop})[:3]

    laptop = open_database(laptop_path, passphrase=KEY)
    try:
        store.save_event(
            laptop, "EX-002", dataclasses.replace(base[same], note="laptop"), expected=base[same]
        )
        store.save_event(
            laptop,
            "EX-002",
            dataclasses.replace(base[laptop_only], note="laptop only"),
            expected=base[laptop_only],
        )
        store.delete_event(laptop, "EX-002", deleted_on_laptop, expected=base[deleted_on_laptop])
        added_there = store.add_event(
            laptop, "EX-002", EventRecord("e1", "cla_visit", date(2025, 8, 1), note="added on the laptop")
        )
    finally:
        laptop.dispose()
    store.save_event(team, "EX-002", dataclasses.replace(base[same], note="server"), expected=base[same])
    store.save_event(
        team, "EX-002", dataclasses.replace(base[server_only], note="server only"), expected=base[server_only]
    )
    added_here = store.add_event(
        team, "EX-002", EventRecord(added_there.id, "cla_visit", date(2025, 8, 2), note="added on the server")
    )

    report = tmp_path / "conflicts.json"
    result = check_in(team, laptop_path, KEY, report)
    merged = events(team, "EX-002")
    assert merged[same].note == "server"  # the conflict: the server's version stays...
    assert [c["event"] for c in result.conflicts] == [same]  # ...and the laptop's is reported
    written = json.loads(report.read_text())["conflicts"]
    assert written[0]["laptop"]["note"] == "laptop" and written[0]["server"]["note"] == "server"
    assert merged[laptop_only].note == "laptop only"
    assert merged[server_only].note == "server only"
    assert deleted_on_laptop not in merged
    notes = {e.note for e in merged.values()}
    assert {"added on the laptop", "added on the server"} <= notes  # both additions kept
    assert merged[added_here.id].note == "added on the server"
    assert checked_out(team) == {}
    assert verify_chain(team) == []
    assert report.stat().st_mode & 0o777 == 0o600
    with team.engine.connect() as conn:  # the conflicts file names children: its export is audited
        exported = conn.execute(
            select(store.AUDIT_T.c.entity_id).where(store.AUDIT_T.c.entity == "check-in-conflicts")
        ).all()
    assert exported == [(str(report),)]


def test_a_child_not_checked_out_is_not_merged(team: Database, tmp_path: Path) -> None:
    laptop_path = tmp_path / "out.sqlite"
    check_out(team, laptop_path, ["EX-001"], KEY)
    check_in(team, laptop_path, KEY, tmp_path / "r.json")
    with pytest.raises(HandoverError, match="EX-001 is not checked out"):
        check_in(team, laptop_path, KEY, tmp_path / "r2.json")


def test_the_commands(
    team: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.cli import main

    monkeypatch.setenv("PERMANENCE_TRACKER_PASSPHRASE", KEY)
    url = team.engine.url.render_as_string(hide_password=False)
    laptop = tmp_path / "out.sqlite"
    assert main(["--db", url, "check-out", str(laptop), "--child", "EX-003"]) == 0
    assert main(["--db", url, "check-out"]) == 0
    assert "EX-003  out with postgres" in capsys.readouterr().out
    # Each command takes the passphrase out of the environment as it reads it (models.storage.secrets),
    # as each would in its own process: set it again for the next.
    monkeypatch.setenv("PERMANENCE_TRACKER_PASSPHRASE", KEY)
    assert main(["--db", str(laptop), "drift", "--as-of", "2025-09-01"]) == 0  # the laptop file works offline
    monkeypatch.setenv("PERMANENCE_TRACKER_PASSPHRASE", KEY)
    assert main(["--db", url, "check-in", str(laptop)]) == 0
    assert "0 conflict(s)" in capsys.readouterr().out
    assert (tmp_path / "out.sqlite.conflicts.json").exists()
