"""Data safety in the desktop application, against real files: one instance per database, the
passphrase on opening, a damaged file restored from a backup, read-only mode, the Backups page,
encryption from the Security dialog, the idle lock, the audit log and audited CSV exports."""

from __future__ import annotations

import csv
import os
import socket
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile, Qt, QTimer
from PySide6.QtWidgets import QDialog, QMainWindow, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from desktop import app as desktop_app
from desktop.actions import WRITES, ActionId
from desktop.instance_lock import lock_path_for
from desktop.logs import shutdown_logging
from desktop.main_window import MainWindow
from desktop.work import wait_for_background
from models.domain.records import ChildRecord
from models.storage.audit import entries
from models.storage.backup import list_backups, make_backup, set_passphrase
from models.storage.db import Database, open_database
from models.storage.store import COMPUTER_ACCOUNT, current_user, get_child, save_child
from views import prompts
from views.child_dialog import ChildDialog
from views.event_dialog import EventDialog
from views.lock_screen import LockScreen
from views.security_dialog import SecurityDialog

Start = Callable[..., MainWindow]
PASSPHRASE = "correct horse battery"


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What the prompts told the person, instead of modal boxes."""
    said: dict[str, list[str]] = {"error": [], "info": [], "warning": []}
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: said["error"].append(text))
    monkeypatch.setattr(prompts, "show_info", lambda parent, title, text: said["info"].append(text))
    monkeypatch.setattr(prompts, "show_warning", lambda parent, title, text: said["warning"].append(text))
    return said


@pytest.fixture
def encrypted_db(example_db: Database) -> Iterator[Path]:
    """The example database, encrypted with PASSPHRASE (and closed)."""
    assert example_db.path is not None
    path = example_db.path
    set_passphrase(example_db, PASSPHRASE).dispose()
    yield path


def _passphrases(monkeypatch: pytest.MonkeyPatch, answers: list[str | None]) -> list[str | None]:
    """Answer the passphrase prompt from `answers`; returns the error shown at each ask."""
    errors: list[str | None] = []

    def ask(parent: object, path: Path, error: str | None = None) -> str | None:
        errors.append(error)
        return answers.pop(0)

    monkeypatch.setattr(prompts, "ask_passphrase", ask)
    return errors


def _run(db_path: Path, data_dir: Path, *args: str) -> None:
    try:
        desktop_app.run(["--db", str(db_path), "--data-dir", str(data_dir), *args], exec=False)
    finally:
        shutdown_logging()


# --- One instance per database file ----------------------------------------------------------------


def test_a_second_start_is_refused_and_told_who_holds_the_database(
    qtbot: QtBot, example_db: Database, told: dict[str, list[str]], _private_data_dir: Path
) -> None:
    assert example_db.path is not None
    holder = QLockFile(str(lock_path_for(example_db.path)))
    assert holder.tryLock(0)
    try:
        with pytest.raises(desktop_app.StartupFailed) as failed:
            _run(example_db.path, _private_data_dir)
        assert failed.value.status == desktop_app.EXIT_IN_USE
        message = told["error"][0]
        assert "already open" in message
        assert f"process {os.getpid()}" in message
        assert socket.gethostname() in message
        assert str(lock_path_for(example_db.path)) in message
    finally:
        holder.unlock()


def test_main_exits_non_zero_when_the_database_is_in_use(
    qtbot: QtBot, example_db: Database, told: dict[str, list[str]], _private_data_dir: Path
) -> None:
    assert example_db.path is not None
    holder = QLockFile(str(lock_path_for(example_db.path)))
    assert holder.tryLock(0)
    try:
        status = desktop_app.main(["--db", str(example_db.path), "--data-dir", str(_private_data_dir)])
    finally:
        holder.unlock()
        shutdown_logging()
    assert status == desktop_app.EXIT_IN_USE


def test_the_lock_is_held_while_open_and_released_on_closing(start: Start, example_db: Database) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    other = QLockFile(str(lock_path_for(example_db.path)))
    assert not other.tryLock(0)
    window.close()
    assert other.tryLock(0)
    other.unlock()


def test_a_stale_lock_left_by_a_crash_is_cleared(start: Start, example_db: Database) -> None:
    assert example_db.path is not None
    gone = subprocess.Popen(["true"])
    gone.wait()
    lock_path = lock_path_for(example_db.path)
    lock_path.write_text(f"{gone.pid}\npermanence-tracker\n{socket.gethostname()}\n")
    window = start(example_db.path)
    assert window.instance_lock is not None and window.instance_lock.isLocked()
    assert lock_path.read_text().split("\n")[0] == str(os.getpid())


# --- Opening: passphrase, damage ------------------------------------------------------------------


def test_an_encrypted_database_asks_for_its_passphrase(
    start: Start, encrypted_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = _passphrases(monkeypatch, [PASSPHRASE])
    window = start(encrypted_db)
    assert errors == [None]
    assert window.db.encrypted
    assert window.register_page.model.visible_ids() == ["EX-001", "EX-002", "EX-003"]
    assert window.encryption_status.text() == "Encrypted"


def test_a_wrong_passphrase_is_said_and_asked_again(
    start: Start, encrypted_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = _passphrases(monkeypatch, ["not the passphrase", PASSPHRASE])
    window = start(encrypted_db)
    assert errors[0] is None
    assert errors[1] is not None and "Wrong passphrase" in errors[1] and "2 tries left" in errors[1]
    assert "damaged" not in errors[1]
    assert window.db.encrypted


def test_three_wrong_passphrases_close_the_tracker(
    qtbot: QtBot,
    encrypted_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    told: dict[str, list[str]],
    _private_data_dir: Path,
) -> None:
    errors = _passphrases(monkeypatch, ["wrong one", "wrong two", "wrong three"])
    with pytest.raises(desktop_app.StartupFailed) as failed:
        _run(encrypted_db, _private_data_dir)
    assert failed.value.status == desktop_app.EXIT_FAILED
    assert "1 try left" in (errors[2] or "")
    assert "wrong 3 times" in told["error"][0]
    assert "damaged" not in told["error"][0]
    lock = QLockFile(str(lock_path_for(encrypted_db)))
    assert lock.tryLock(0)  # released on the way out
    lock.unlock()


def test_cancelling_the_passphrase_closes_quietly(
    qtbot: QtBot,
    encrypted_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    told: dict[str, list[str]],
    _private_data_dir: Path,
) -> None:
    _passphrases(monkeypatch, [None])
    with pytest.raises(desktop_app.StartupFailed) as failed:
        _run(encrypted_db, _private_data_dir)
    assert failed.value.status == desktop_app.EXIT_FAILED
    assert told["error"] == []


def _damage(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(os.urandom(8192))


@pytest.fixture
def damaged_db(tmp_path: Path) -> Path:
    """A database with a good backup holding C-1, then damaged after more children were added."""
    path = tmp_path / "damaged.sqlite"
    db = open_database(path)
    save_child(db, ChildRecord("C-1", {"given_name": "Zebedee", "family_name": "Quixotic"}))
    make_backup(db, "manual")
    for n in range(200):  # grow the file so the damage hits data, not the header
        save_child(db, ChildRecord(f"D-{n:03}", {"given_name": "x" * 200}))
    db.dispose()
    _damage(path)
    return path


def test_a_damaged_database_offers_the_newest_good_backup(
    start: Start, damaged_db: Path, monkeypatch: pytest.MonkeyPatch, told: dict[str, list[str]]
) -> None:
    damaged_bytes = damaged_db.read_bytes()
    offered: list[tuple[str, str]] = []

    def ask_restore(parent: object, path: Path, detail: str, backup: object) -> bool:
        offered.append((str(path), detail))
        return True

    monkeypatch.setattr(prompts, "ask_restore_damaged", ask_restore)
    window = start(damaged_db)
    assert offered and offered[0][0] == str(damaged_db)
    assert window.register_page.model.visible_ids() == ["C-1"]
    kept = [
        p
        for p in damaged_db.parent.iterdir()
        if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged_bytes  # moved aside, never deleted
    assert kept[0].name in told["info"][0]


def test_declining_the_restore_leaves_the_damaged_file_alone(
    qtbot: QtBot,
    damaged_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    told: dict[str, list[str]],
    _private_data_dir: Path,
) -> None:
    before = damaged_db.read_bytes()
    monkeypatch.setattr(prompts, "ask_restore_damaged", lambda *args: False)
    with pytest.raises(desktop_app.StartupFailed):
        _run(damaged_db, _private_data_dir)
    assert damaged_db.read_bytes() == before


def test_a_damaged_database_without_a_good_backup_is_explained(
    qtbot: QtBot, tmp_path: Path, told: dict[str, list[str]], _private_data_dir: Path
) -> None:
    path = tmp_path / "lost.sqlite"
    db = open_database(path)
    for n in range(200):
        save_child(db, ChildRecord(f"D-{n:03}", {"given_name": "x" * 200}))
    db.dispose()
    _damage(path)
    with pytest.raises(desktop_app.StartupFailed):
        _run(path, _private_data_dir)
    assert "no good backup" in told["error"][0]
    assert path.exists()


# --- Read-only mode -------------------------------------------------------------------------------


def test_read_only_disables_every_editing_action(start: Start, example_db: Database) -> None:
    assert example_db.path is not None
    window = start(example_db.path, "--read-only")
    assert window.db.read_only
    for action_id in WRITES:
        assert not window.action(action_id).isEnabled(), action_id
    window.open_child("EX-001")  # which enables "Add event" in a writable database
    assert not window.action(ActionId.ADD_EVENT).isEnabled()
    assert not window.child_page.add_event_button.isEnabled()
    assert not window.child_page.edit_details_button.isEnabled()
    assert not window.read_only_status.isHidden()
    assert window.windowTitle().endswith("(read-only)")
    window.show_backups()
    assert not window.backups_page.backup_button.isEnabled()
    assert not window.backups_page.restore_button.isEnabled()
    assert not window.audit_page.export_button.isEnabled()
    assert list_backups(example_db.path) == []  # no daily backup of a read-only database
    assert window.action(ActionId.FIND).isEnabled() and window.action(ActionId.SECURITY).isEnabled()
    # Reports are previewed and printed from a copy reviewed read-only.
    assert window.action(ActionId.PRINT).isEnabled()


def test_a_refused_write_is_explained_and_the_form_kept(
    start: Start, example_db: Database, told: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert example_db.path is not None
    window = start(example_db.path, "--read-only")
    shown: list[str] = []

    def exec_(dialog: ChildDialog) -> int:
        if shown:  # shown again after the failure: as the person left it
            shown.append(dialog.id_edit.text())
            return QDialog.DialogCode.Rejected.value
        dialog.id_edit.setText("NEW-1")
        dialog.text_edits["given_name"].setText("Dora")
        shown.append(dialog.id_edit.text())
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ChildDialog, "exec", exec_)
    window._on_new_child()  # the action is disabled; a file turned read-only behaves the same
    assert shown == ["NEW-1", "NEW-1"]
    assert "cannot be written" in told["error"][0] and "still in the form" in told["error"][0]
    assert window.undo_stack.count() == 0  # the failed change is not left to undo
    assert get_child(window.db, "NEW-1") is None


# --- Backups page ---------------------------------------------------------------------------------


def test_backups_page_backs_up_and_restores_swapping_the_database(
    qtbot: QtBot,
    start: Start,
    example_db: Database,
    told: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    wait_for_background()  # the daily backup is made off the GUI thread at start
    qtbot.waitUntil(lambda: window.backups_page.model.rowCount() == 1)
    window.show_backups()
    page = window.backups_page
    assert window.stack.currentWidget() is page
    assert [b.kind for b in page.model.rows()] == ["daily"]  # made on start
    page.backup_button.click()
    manual = page.selected_backup()
    assert manual is not None and manual.kind == "manual"
    assert page.model.rowCount() == 2
    page.check_button.click()
    assert all(page.model.check_of(b.path) == "ok" for b in page.model.rows())
    assert "All 2 backups are good" in page.status.text()

    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        save_child(window.db, ChildRecord("LATE-1", {"given_name": "Later"}))
        window.refresh()
    assert "LATE-1" in window.register_page.model.visible_ids()

    old_db = window.db
    monkeypatch.setattr(prompts, "confirm", lambda parent, title, text: True)
    page.select_backup(manual.path)
    with (
        qtbot.waitSignal(window.database_changed) as changed,
        qtbot.waitSignal(window.overview_ready, timeout=20_000),
    ):
        page.restore_button.click()
    assert changed.args == [window.db] and window.db is not old_db
    assert window.child_page.db is window.db
    assert "LATE-1" not in window.register_page.model.visible_ids()
    assert get_child(window.db, "LATE-1") is None
    kinds = sorted(b.kind for b in list_backups(example_db.path))
    assert kinds == ["daily", "manual", "pre-restore"]
    assert "pre-restore" in told["info"][0]
    # The restore can itself be undone: the safety copy still has the later child.
    safety = next(b for b in list_backups(example_db.path) if b.kind == "pre-restore")
    check = open_database(safety.path, migrate=False)
    assert get_child(check, "LATE-1") is not None
    check.dispose()


def test_a_restore_is_audited_and_the_restored_trail_is_shown(
    qtbot: QtBot,
    start: Start,
    example_db: Database,
    told: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    wait_for_background()
    manual = make_backup(window.db, "manual")
    save_child(window.db, ChildRecord("LATE-1", {"given_name": "Later"}))
    window.open_child("LATE-1")  # a child the backup does not have
    monkeypatch.setattr(prompts, "confirm", lambda parent, title, text: True)
    window.show_backups()
    window.backups_page.select_backup(manual)
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        window.backups_page.restore_button.click()
    newest = entries(window.db, limit=1)[0]
    assert (newest.action, newest.entity, newest.entity_id) == ("restore", "database", manual.name)
    # LATE-1 is not in the restored file: no dead end on its page.
    assert not window.action(ActionId.ADD_EVENT).isEnabled()
    assert window.stack.currentWidget() is not window.child_page
    # The Audit page shows the restored file's trail: the import of the examples, then the restore.
    window.show_audit()
    page = window.audit_page
    assert page.model.rowCount() == len(entries(window.db)) > 1
    assert page.model.index(0, 2).data() == "restore" or "restore" in str(page.model.index(0, 2).data())
    # "Add event" still leads to the form for the open child, on the restored database.
    window.open_child("EX-001")
    asked: list[str] = []

    def ask(parent: object, child: ChildRecord, *args: object, **kwargs: object) -> None:
        asked.append(child.id)
        return None

    monkeypatch.setattr(EventDialog, "ask", ask)
    assert window.action(ActionId.ADD_EVENT).isEnabled()
    window.action(ActionId.ADD_EVENT).trigger()
    assert asked == ["EX-001"]


def test_encrypting_and_a_new_passphrase_are_audited(example_db: Database) -> None:
    encrypted = set_passphrase(example_db, PASSPHRASE)
    newest = entries(encrypted, limit=1)[0]
    assert (newest.action, newest.entity) == ("encrypt", "database")
    assert PASSPHRASE not in (newest.after or "")
    again = set_passphrase(encrypted, PASSPHRASE + " and more")
    newest = entries(again, limit=1)[0]
    assert (newest.action, newest.entity) == ("passphrase", "database")
    assert PASSPHRASE not in (newest.after or "")
    again.dispose()


# --- Encryption from the Security dialog ---------------------------------------------------------


def _security_dialog(window: MainWindow) -> SecurityDialog:
    window.action(ActionId.SECURITY).trigger()
    dialog = window.findChild(SecurityDialog)
    assert dialog is not None
    return dialog


def test_setting_a_passphrase_encrypts_the_database_and_its_backups(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    dialog = _security_dialog(window)
    assert "not encrypted" in dialog.status_label.text()
    dialog.new_edit.setText("short")
    dialog.again_edit.setText("short")
    dialog.apply_button.click()
    assert "at least 8" in dialog.message.text()
    dialog.new_edit.setText(PASSPHRASE)
    dialog.again_edit.setText(PASSPHRASE + "x")
    dialog.apply_button.click()
    assert "not the same" in dialog.message.text()
    assert not window.db.encrypted
    dialog.again_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        dialog.apply_button.click()
    assert window.db.encrypted and window.db.passphrase == PASSPHRASE
    assert "now encrypted" in dialog.message.text()
    assert window.encryption_status.text() == "Encrypted"
    assert window.register_page.model.visible_ids() == ["EX-001", "EX-002", "EX-003"]
    window.close()
    window.db.dispose()
    files = [p for p in example_db.path.parent.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert any(p.parent.name == "backups" for p in files)
    for file in files:
        data = file.read_bytes()
        # Seven-byte and longer plaintexts: a three-byte name ("Ava") turns up in random ciphertext
        # about once in a hundred runs. The audit row holds the names as JSON ('"Ava"').
        assert not data.startswith(b"SQLite format 3"), file
        assert b"CREATE TABLE" not in data and b"Example" not in data and b'"Ava"' not in data, file


def test_cancel_while_encrypting_leaves_the_database_as_it_was(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    dialog = _security_dialog(window)
    dialog.new_edit.setText(PASSPHRASE)
    dialog.again_edit.setText(PASSPHRASE)
    clicked: list[str] = []

    def cancel_when_asked() -> None:
        for progress in window.findChildren(QProgressDialog):
            if progress.labelText().startswith("Encrypting") and not clicked:
                button = progress.findChild(QPushButton)
                assert button is not None
                clicked.append(progress.labelText())
                button.click()

    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(cancel_when_asked)
    poll.start()
    dialog.apply_button.click()  # the work runs off the GUI thread: the poll keeps turning meanwhile
    poll.stop()
    assert clicked == ["Encrypting the database and its backups…"]
    assert "cancelled; nothing was changed" in dialog.message.text()
    assert not window.db.encrypted and window.encryption_status.text() == "Not encrypted"
    assert get_child(window.db, "EX-001") is not None  # the database reopened, in use as before
    assert not [p for p in example_db.path.parent.rglob("*") if p.name.endswith((".encrypting", ".rekey"))]


def test_changing_the_passphrase_needs_the_current_one(
    qtbot: QtBot, start: Start, encrypted_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _passphrases(monkeypatch, [PASSPHRASE])
    window = start(encrypted_db)
    dialog = _security_dialog(window)
    dialog.current_edit.setText("a guess at it")
    dialog.new_edit.setText("a brand new passphrase")
    dialog.again_edit.setText("a brand new passphrase")
    dialog.apply_button.click()
    assert "current passphrase is not right" in dialog.message.text()
    dialog.current_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        dialog.apply_button.click()
    assert window.db.passphrase == "a brand new passphrase"
    assert window.idle_lock.try_unlock("a brand new passphrase")


def test_the_idle_time_is_kept_in_the_ui_settings(start: Start, example_db: Database) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    assert window.idle_lock.minutes == 10
    dialog = _security_dialog(window)
    dialog.idle_spin.setValue(3)
    assert window.idle_lock.minutes == 3
    window.close()
    again = start(example_db.path)
    assert again.idle_lock.minutes == 3


# --- Idle lock ------------------------------------------------------------------------------------


def _lock_screen(widget: QMainWindow | QDialog) -> LockScreen:
    screen = widget.findChild(LockScreen)
    assert screen is not None and screen.isVisible()
    return screen


def test_the_idle_lock_hides_the_records_and_unlocks_as_the_user(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    window.show_register()
    with qtbot.waitSignal(window.idle_lock.locked, timeout=5_000):
        window.idle_lock.set_timeout_ms(150)
    screen = _lock_screen(window)
    assert screen.geometry() == window.rect()  # menus, toolbar and status bar covered too
    assert "not used for 0.15 seconds" in screen.reason.text()
    assert screen.unlock_button.text() == f"Unlock as {current_user()}"
    window.idle_lock.set_timeout_ms(60_000)
    # Input aimed anywhere but the lock screen is swallowed.
    qtbot.keyClicks(window.register_page.search, "Ava")
    assert window.register_page.search.text() == ""
    with qtbot.waitSignal(window.idle_lock.unlocked):
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert window.findChild(LockScreen) is None or not window.findChild(LockScreen).isVisible()
    qtbot.keyClicks(window.register_page.search, "Ava")
    assert window.register_page.search.text() == "Ava"


def test_an_encrypted_database_unlocks_only_with_its_passphrase(
    qtbot: QtBot, start: Start, encrypted_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _passphrases(monkeypatch, [PASSPHRASE])
    window = start(encrypted_db)
    window.action(ActionId.LOCK).trigger()
    assert window.idle_lock.is_locked
    screen = _lock_screen(window)
    assert "Locked on request" in screen.reason.text()
    qtbot.keyClicks(screen.passphrase_edit, "not it")
    qtbot.keyClick(screen.passphrase_edit, Qt.Key.Key_Return)
    assert window.idle_lock.is_locked
    assert "Wrong passphrase" in screen.error_label.text()
    screen.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.idle_lock.unlocked):
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.idle_lock.is_locked


def test_a_dialog_open_at_lock_time_is_covered_and_keeps_what_was_typed(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    window.action(ActionId.SETTINGS).trigger()
    from views.settings_dialog import SettingsDialog

    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.authority_name.setText("Typed before the lock")
    window.lock_now()
    assert len(window.idle_lock.screens()) == 2
    screen = _lock_screen(dialog)  # the dialog is modal: it is where the person unlocks
    with qtbot.waitSignal(window.idle_lock.unlocked):
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.authority_name.text() == "Typed before the lock"
    dialog.reject()


# --- Audit log and exports ------------------------------------------------------------------------


def test_the_audit_page_filters_and_detects_a_tampered_entry(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    assert example_db.path is not None
    save_child(example_db, ChildRecord("A-1", {"given_name": "Amira"}))
    save_child(example_db, ChildRecord("A-2", {"given_name": "Bo"}))
    save_child(example_db, ChildRecord("A-1", {"given_name": "Amira", "family_name": "Khan"}))
    window = start(example_db.path)
    window.show_audit()
    page = window.audit_page
    assert window.stack.currentWidget() is page
    total = len(entries(window.db))
    assert page.model.rowCount() == total == 5
    page.set_filters(child_id="A-1")
    assert [e.action for e in page.model.rows()] == ["update", "create"]
    assert {e.child_id for e in page.model.rows()} == {"A-1"}
    page.table.selectRow(0)
    assert '"family_name": "Khan"' in page.after_text.toPlainText()
    assert '"family_name"' not in page.before_text.toPlainText() or "null" in page.before_text.toPlainText()
    page.set_filters(user="nobody-at-all")
    assert page.model.rowCount() == total  # an unknown user is not offered: all users
    page.set_filters(user=COMPUTER_ACCOUNT + current_user())
    assert page.model.rowCount() == total
    # (The log keeps UTC times: a day either side keeps this test right at any hour.)
    page.set_filters(since=date.today() + timedelta(days=2))
    assert page.model.rowCount() == 0
    page.set_filters(since=date.today() - timedelta(days=1), until=date.today() + timedelta(days=1))
    assert page.model.rowCount() == total
    page.set_filters()

    page.table.selectRow(page.model.rowCount() - 1)  # the oldest: the import
    assert page.after_text.toPlainText().startswith("{\n  ")
    assert page.check_integrity() == []
    assert "intact" in page.integrity_label.text()

    with window.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit SET user = 'someone-else' WHERE id = 2"))
    page.check_button.click()
    assert "altered at 1 place" in page.integrity_label.text()
    assert page.model.is_broken(2)
    row = next(i for i, e in enumerate(page.model.rows()) if e.id == 2)
    assert page.model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None

    with window.db.engine.begin() as conn:  # a record changed with the sqlite3 tool, not the tracker
        conn.execute(text("UPDATE child SET given_name = 'Forged' WHERE id = 'A-2'"))
    page.check_button.click()
    assert "Child A-2 was edited outside the tracker" in page.integrity_label.text()


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_the_register_exports_to_a_neutralised_audited_csv(
    qtbot: QtBot, start: Start, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert example_db.path is not None
    save_child(
        example_db, ChildRecord("INJ-1", {"given_name": '=HYPERLINK("http://x")', "family_name": "Smith"})
    )
    window = start(example_db.path)
    window.register_page.search.setText("Example")
    target = tmp_path / "register.csv"
    monkeypatch.setattr(prompts, "ask_save_csv", lambda parent, suggested, title="": target)
    window.action(ActionId.EXPORT_REGISTER).trigger()
    rows = _read_csv(target)
    assert rows[0][:2] == ["ID", "Name"] and rows[0][-1] == "Why"
    assert [r[0] for r in rows[1:]] == ["EX-001", "EX-002", "EX-003"]  # the rows shown
    assert rows[1][-1].startswith("Child protection visit (overdue): Next child protection visit due")
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    window.register_page.search.setText("")
    window.action(ActionId.EXPORT_REGISTER).trigger()
    rows = _read_csv(target)
    injected = next(r for r in rows if r[0] == "INJ-1")
    assert injected[1].startswith("'=HYPERLINK")
    newest = entries(window.db, limit=2)
    assert [(e.action, e.entity, e.entity_id) for e in newest] == [("export", "register", str(target))] * 2
    assert '"rows": 4' in (newest[0].after or "") and '"text": "Example"' in (newest[1].after or "")


def test_the_audit_log_exports_and_the_export_is_audited(
    qtbot: QtBot, start: Start, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    window.show_audit()
    target = tmp_path / "audit.csv"
    monkeypatch.setattr(prompts, "ask_save_csv", lambda parent, suggested, title="": target)
    told: list[str] = []
    monkeypatch.setattr(prompts, "show_info", lambda parent, title, text: told.append(text))
    window.audit_page.set_filters(child_id="EX-002")
    shown = window.audit_page.model.rowCount()
    with qtbot.waitSignal(window.audit_page.exported):
        window.audit_page.export_button.click()
    rows = _read_csv(target)
    assert rows[0][0] == "Entry" and len(rows) == shown + 1
    assert all(r[6] == "EX-002" for r in rows[1:])
    newest = entries(window.db, limit=1)[0]
    assert (newest.action, newest.entity, newest.entity_id) == ("export", "audit", str(target))
    assert f"{shown} entries" in told[0]


def test_a_refused_write_that_reaches_the_excepthook_is_said_plainly(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop import logs
    from views.error_dialog import ErrorDialog

    refused = logs._dialog_for(sqlite3.OperationalError("database or disk is full"), None, None)
    qtbot.addWidget(refused)
    assert isinstance(refused, QMessageBox) and "disk holding the database is full" in refused.text()
    other = logs._dialog_for(RuntimeError("a bug"), None, None)
    qtbot.addWidget(other)
    assert isinstance(other, ErrorDialog)


def test_a_backup_that_cannot_be_restored_leaves_the_database_as_it_was(
    qtbot: QtBot,
    start: Start,
    example_db: Database,
    told: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert example_db.path is not None
    window = start(example_db.path)
    window.show_backups()
    made = window.backups_page.back_up_now()
    assert made is not None
    made.write_bytes(b"not a database" * 1000)
    monkeypatch.setattr(prompts, "confirm", lambda parent, title, text: True)
    window.backups_page.select_backup(made)
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        window.backups_page.restore_button.click()
    assert "cannot be restored" in told["error"][0] and "not changed" in told["error"][0]
    assert window.register_page.model.visible_ids() == ["EX-001", "EX-002", "EX-003"]
    assert get_child(window.db, "EX-001") is not None


def test_every_file_the_tracker_makes_is_private(
    start: Start, tmp_path: Path, _private_data_dir: Path
) -> None:
    import stat

    previous = os.umask(0o022)  # a usual desktop umask: the tracker must not rely on it
    try:
        window = start(tmp_path / "new" / "t.sqlite", wait=False)
        wait_for_background()
        window.save_ui_state()
    finally:
        os.umask(previous)
    for folder in (tmp_path / "new", _private_data_dir):
        for path in folder.rglob("*"):
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_a_shortened_audit_log_is_told_at_start(
    start: Start, tmp_path: Path, told: dict[str, list[str]]
) -> None:
    """The newest audit entries deleted (or lost with the WAL's tail after a crash): the desktop says so
    when it opens, in a sentence, and still opens."""
    db_path = tmp_path / "shortened.sqlite"
    db = open_database(db_path)
    for n in range(4):
        save_child(db, ChildRecord(f"C-{n}"))
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit WHERE id > 2"))
    db.dispose()
    window = start(db_path)
    assert window.isVisible()
    assert len(told["warning"]) == 1 and "the newest 2 entries are missing" in told["warning"][0]
