"""The desktop on both backends: another person's change since a form opened is refused, with who
and when, and the form comes back as the person left it; two people adding events keep both."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from models.domain.records import EventRecord
from models.io.journey_io import import_file
from models.storage import store
from models.storage.db import Database, open_database
from tests.conftest import cluster_action, open_as
from views import prompts
from views.child_dialog import ChildDialog
from views.undo import SaveEventCommand, push
from views.write_errors import KEPT, UNREACHABLE_MESSAGE

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server

Start = Callable[..., MainWindow]


def target_of(db: Database) -> str:
    return str(db.path) if db.path is not None else db.engine.url.render_as_string(hide_password=False)


def test_the_desktop_opens_the_database_and_shows_its_children(start: Start, example_db: Database) -> None:
    window = start(target_of(example_db), "--as-of", "2025-03-03")
    assert window.register_page.count_label.text() == "3 of 3 children"
    assert window.today_page.overdue_label.text() == "<b>1</b> overdue"
    if not example_db.is_sqlite:  # no file to encrypt, and no driver name or password in the status bar
        assert window.encryption_status.text() == "Team server"
        assert window.db_status.text().endswith(f"on 127.0.0.1:{example_db.engine.url.port}")


def test_a_change_made_by_someone_else_since_the_form_opened_is_refused_and_the_form_kept(
    start: Start, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = start(target_of(example_db), "--as-of", "2025-03-03")
    told: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: told.append(text))
    other = open_as(example_db, "officer.b")
    shown: list[str] = []

    def exec_(dialog: ChildDialog) -> int:
        if shown:  # shown again after the refusal: as the person left it
            shown.append(dialog.text_edits["given_name"].text())
            return QDialog.DialogCode.Rejected.value
        # Meanwhile another officer, on their own machine, changes the same child's details.
        opened = store.get_child(other, "EX-003")
        assert opened is not None
        store.save_child(
            other,
            dataclasses.replace(opened, fields={**opened.fields, "team": "North"}),
            user="officer.b",
            expected=opened,
        )
        dialog.text_edits["given_name"].setText("Typed by me")
        shown.append(dialog.text_edits["given_name"].text())
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ChildDialog, "exec", exec_)
    try:
        window.open_child("EX-003")
        window.child_page.edit_details()
        assert shown == ["Typed by me", "Typed by me"]
        assert len(told) == 1
        assert told[0].startswith("Not saved: officer.b changed child EX-003's details at ")
        assert told[0].endswith("What you typed is still in the form.")
        assert window.undo_stack.count() == 0
        stored = store.get_child(example_db, "EX-003")
        assert stored is not None and stored.fields["team"] == "North"
        assert stored.fields.get("given_name") != "Typed by me"
    finally:
        other.dispose()


def test_two_people_adding_an_event_to_one_child_keep_both(start: Start, example_db: Database) -> None:
    """The case of issue 18: both forms propose the same id; the second save used to replace the first."""
    window = start(target_of(example_db), "--as-of", "2025-03-03")
    other = open_database(target_of(example_db))
    try:
        mine, theirs = store.get_child(window.db, "EX-002"), store.get_child(other, "EX-002")
        assert mine is not None and theirs is not None
        proposed = store.new_event_id(mine)
        their_stack = QUndoStack()
        push(
            their_stack,
            SaveEventCommand(
                other, "EX-002", EventRecord(proposed, "cla_visit", date(2025, 8, 1), note="B"), None
            ),
        )
        command = SaveEventCommand(
            window.db, "EX-002", EventRecord(proposed, "cla_visit", date(2025, 8, 2), note="A"), None
        )
        push(window.undo_stack, command)
        stored = {e.id: e.note for e in (store.get_child(example_db, "EX-002") or mine).events}
        assert stored[proposed] == "B" and stored[command.new.id] == "A"
        window.undo_stack.undo()  # my undo takes away my event, not theirs
        stored = {e.id: e.note for e in (store.get_child(example_db, "EX-002") or mine).events}
        assert stored[proposed] == "B" and "A" not in stored.values()
        their_stack.clear()
    finally:
        other.dispose()


# --- Other people's screens (the team server only) --------------------------------------------------

OTHER_OFFICER = """
import sys
from datetime import date
from models.domain.records import EventRecord
from models.storage import store
from models.storage.db import open_database
db = open_database(sys.argv[1])
store.add_event(db, "EX-002", EventRecord("x", "cla_visit", date(2025, 2, 20)), user="officer.b")
db.dispose()
"""


@pytest.mark.postgresql_only
def test_another_persons_change_shows_within_seconds(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    window = start(target_of(example_db), "--as-of", "2025-03-03")
    window.open_child("EX-002")
    assert window.team_listener is not None
    qtbot.waitUntil(lambda: window.team_listener is not None and window.team_listener.connected, timeout=5000)
    rows = window.child_page.chronology_model.rowCount()
    # Another officer's tracker: a process of its own (a change from this process is already shown).
    subprocess.run(
        [sys.executable, "-c", OTHER_OFFICER, target_of(example_db)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    began = time.monotonic()
    qtbot.waitUntil(lambda: window.child_page.chronology_model.rowCount() == rows + 1, timeout=5000)
    assert time.monotonic() - began < 5


@pytest.mark.postgresql_only
def test_the_listener_says_unreachable_and_reconnects_by_itself(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    window = start(target_of(example_db), "--as-of", "2025-03-03")
    listener = window.team_listener
    assert listener is not None
    qtbot.waitUntil(lambda: listener.connected, timeout=5000)
    with example_db.engine.begin() as conn:  # the server drops the listener's session
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%%'"
        )
    qtbot.waitUntil(lambda: not window.team_status.isHidden(), timeout=5000)
    assert window.team_status.text() == "Team server unreachable — reconnecting…"
    qtbot.waitUntil(lambda: window.team_status.isHidden(), timeout=10_000)
    assert listener.connected


# --- The server restarted mid-work (a private cluster, so that stopping it disturbs nothing else) -------


def test_a_server_restart_keeps_the_form_and_the_tracker_reconnects_by_itself(
    qtbot: QtBot, start: Start, own_cluster: dict[str, str], examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    admin = own_cluster["PERMANENCE_TEST_POSTGRES_URL"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE DATABASE team")
    url = admin.rsplit("/", 1)[0] + "/team"
    seeded = open_database(url)
    import_file(seeded, examples / "journey.json")
    seeded.dispose()

    window = start(url, "--as-of", "2025-03-03")
    listener = window.team_listener
    assert listener is not None
    qtbot.waitUntil(lambda: listener.connected, timeout=5000)
    told: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: told.append(text))

    window.open_child("EX-003")
    shown: list[str] = []

    def exec_(dialog: ChildDialog) -> int:
        if not shown:  # the form is open when the server goes down
            dialog.text_edits["given_name"].setText("Typed while the server was down")
            cluster_action("down", own_cluster)
            qtbot.waitUntil(lambda: not window.team_status.isHidden(), timeout=10_000)
            assert window.team_status.text() == "Team server unreachable — reconnecting…"
        shown.append(dialog.text_edits["given_name"].text())
        if len(shown) == 2:  # told, the person waits and saves again once the server is back
            cluster_action("up", own_cluster)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ChildDialog, "exec", exec_)
    window.child_page.edit_details()
    assert shown == ["Typed while the server was down"] * 2
    assert len(told) == 1 and told[0] == UNREACHABLE_MESSAGE + KEPT
    stored = store.get_child(window.db, "EX-003")  # the pool reconnected by itself
    assert stored is not None and stored.fields["given_name"] == "Typed while the server was down"
    qtbot.waitUntil(lambda: window.team_status.isHidden(), timeout=15_000)


def test_the_desktop_asks_for_the_team_servers_password(
    qtbot: QtBot, start: Start, own_cluster: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A server that signs people in with a password none of libpq's places holds: a dialog asks."""
    import psycopg

    admin = own_cluster["PERMANENCE_TEST_POSTGRES_URL"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE ROLE jo LOGIN PASSWORD 'correct horse'")
        conn.execute("CREATE DATABASE team OWNER jo")
    hba = Path(own_cluster["PERMANENCE_PG_CLUSTER"]) / "data" / "pg_hba.conf"
    hba.write_text(
        "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    asked: list[str] = []
    monkeypatch.setattr(
        prompts, "ask_server_password", lambda parent, message: asked.append(message) or "correct horse"
    )
    url = admin.replace("postgres@", "jo@").rsplit("/", 1)[0] + "/team"
    window = start(url, wait=False)
    assert len(asked) == 1 and "asks for a password" in asked[0]
    assert not window.db.is_sqlite and window.team_listener is not None
    qtbot.waitUntil(
        lambda: window.team_listener is not None and window.team_listener.connected, timeout=10_000
    )


@pytest.mark.postgresql_only
def test_a_child_out_on_a_laptop_says_so_on_its_page(
    start: Start, example_db: Database, tmp_path: Path
) -> None:
    from models.io.handover import check_in, check_out

    check_out(example_db, tmp_path / "day.sqlite", ["EX-002"], "laptop passphrase")
    window = start(target_of(example_db), "--as-of", "2025-03-03")
    window.open_child("EX-002")
    label = window.child_page.handover_label
    assert not label.isHidden()
    assert label.text().startswith("Out on a laptop with postgres since ")
    window.open_child("EX-001")
    assert label.isHidden()
    check_in(example_db, tmp_path / "day.sqlite", "laptop passphrase", tmp_path / "r.json")
    window.open_child("EX-002")
    assert label.isHidden()
