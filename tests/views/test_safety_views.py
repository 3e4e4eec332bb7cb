"""The data-safety widgets on their own: backup and audit models, refused writes, the lock screen,
the passphrase and security dialogs."""

from __future__ import annotations

import errno
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy.exc
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from models.domain.records import ChildRecord
from models.storage.audit import entries
from models.storage.backup import BackupInfo, list_backups, make_backup
from models.storage.db import Database, open_database
from models.storage.store import get_child, save_child
from views import prompts
from views.audit_page import AuditModel, AuditPage, local_time, pretty_json
from views.backups_page import CHECK, NOT_CHECKED, BackupModel, BackupsPage, size_text
from views.lock_screen import LockScreen
from views.passphrase_dialog import PassphraseDialog
from views.security_dialog import SecurityDialog, passphrase_problem
from views.undo import SaveChildCommand
from views.write_errors import (
    FULL_MESSAGE,
    READ_ONLY_MESSAGE,
    drop_unapplied,
    push_or_explain,
    write_failure_message,
)

# --- Refused writes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY_MESSAGE),
        (sqlite3.OperationalError("database or disk is full"), FULL_MESSAGE),
        (
            sqlalchemy.exc.OperationalError(
                "INSERT", {}, sqlite3.OperationalError("database or disk is full")
            ),
            FULL_MESSAGE,
        ),
        (OSError(errno.ENOSPC, "No space left on device"), FULL_MESSAGE),
        (OSError(errno.EROFS, "Read-only file system"), READ_ONLY_MESSAGE),
        (sqlite3.OperationalError("no such table: child"), None),
        (sqlite3.IntegrityError("UNIQUE constraint failed"), None),
        (ValueError("readonly"), None),
        (OSError(errno.ENOENT, "No such file"), None),
    ],
)
def test_a_refused_write_is_recognised(exc: BaseException, expected: str | None) -> None:
    assert write_failure_message(exc) == expected


def test_a_wrapped_cause_is_recognised() -> None:
    try:
        try:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        except sqlite3.OperationalError as inner:
            raise RuntimeError("saving failed") from inner
    except RuntimeError as outer:
        assert write_failure_message(outer) == READ_ONLY_MESSAGE


def test_push_or_explain_leaves_nothing_on_the_stack(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert example_db.path is not None
    read_only = open_database(example_db.path, read_only=True)
    told: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: told.append(text))
    stack = QUndoStack()
    changed: list[int] = []
    stack.indexChanged.connect(changed.append)  # a connected slot, as on the real stack
    try:
        command = SaveChildCommand(read_only, ChildRecord("NEW-1", {"given_name": "Dora"}), None)
        assert not push_or_explain(None, stack, command)
        assert stack.count() == 0 and changed == []
        assert "cannot be written" in told[0]
        ok = SaveChildCommand(example_db, ChildRecord("NEW-2", {"given_name": "Eve"}), None)
        assert push_or_explain(None, stack, ok)
        assert stack.count() == 1 and get_child(example_db, "NEW-2") is not None
        assert "apply" not in vars(ok)
    finally:
        read_only.dispose()


def test_drop_unapplied_removes_only_that_command(qtbot: QtBot, db: Database) -> None:
    stack = QUndoStack()
    first = SaveChildCommand(db, ChildRecord("A-1"), None)
    stack.push(first)
    second = SaveChildCommand(db, ChildRecord("A-2"), None)
    stack.push(second)
    drop_unapplied(stack, first)  # not on top: left alone
    assert stack.count() == 2
    drop_unapplied(stack, second)
    assert stack.count() == 1 and get_child(db, "A-2") is not None  # removed without undoing


# --- Backups --------------------------------------------------------------------------------------


def test_backup_model(qtmodeltester: object, qtbot: QtBot, db: Database) -> None:
    make_backup(db, "manual", datetime(2026, 1, 5, 9, 30))
    make_backup(db, "daily", datetime(2026, 1, 6, 8, 0))
    assert db.path is not None
    model = BackupModel()
    model.set_rows(list_backups(db.path))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.index(0, 0).data() == "06/01/2026  08:00:00"
    assert model.index(0, 1).data() == "Daily (automatic)"
    assert model.index(1, 1).data() == "Made on request"
    assert model.index(0, CHECK).data() == NOT_CHECKED
    model.set_check(model.row_at(0).path, "ok")
    model.set_check(model.row_at(1).path, "file is not a database")
    assert model.index(0, CHECK).data() == "Good"
    assert model.index(1, CHECK).data() == "Damaged: file is not a database"


def test_size_text() -> None:
    assert size_text(900) == "900 bytes"
    assert size_text(20_480) == "20 KB"
    assert size_text(3 * 1024 * 1024 // 2) == "1.5 MB"


def test_a_damaged_backup_shows_in_the_check(qtbot: QtBot, db: Database) -> None:
    good = make_backup(db, "manual", datetime(2026, 1, 5, 9, 30))
    bad = make_backup(db, "manual", datetime(2026, 1, 6, 9, 30))
    bad.write_bytes(b"not a database at all" * 100)
    page = BackupsPage(db)
    qtbot.addWidget(page)
    page.check_all()
    assert page.model.check_of(good) == "ok"
    assert page.model.check_of(bad) != "ok"
    assert "1 of 2 backups cannot be restored" in page.status.text()


def test_restore_asks_first(qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    make_backup(db, "manual")
    page = BackupsPage(db)
    qtbot.addWidget(page)
    answers = [False, True]
    monkeypatch.setattr(prompts, "confirm", lambda parent, title, text: answers.pop(0))
    requested: list[str] = []
    page.restore_requested.connect(requested.append)
    page.restore_button.click()
    assert requested == []
    page.restore_button.click()
    assert requested == [str(page.model.row_at(0).path)]


def test_backup_info_of_an_unknown_kind_shows_as_is(qtbot: QtBot) -> None:
    model = BackupModel()
    model.set_rows([BackupInfo(Path("/b/x"), datetime(2026, 1, 1), "pre-v2", 10)])
    assert model.index(0, 1).data() == "pre-v2"


# --- Audit ----------------------------------------------------------------------------------------


def test_audit_model(qtmodeltester: object, qtbot: QtBot, db: Database) -> None:
    save_child(db, ChildRecord("A-1", {"given_name": "Amira"}))
    save_child(db, ChildRecord("A-1", {"given_name": "Amira", "family_name": "Khan"}))
    model = AuditModel()
    model.set_rows(entries(db))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert [model.index(r, 2).data() for r in range(2)] == ["update", "create"]
    assert model.index(0, 5).data() == "A-1"


def test_audit_texts() -> None:
    assert local_time("not a time") == "not a time"
    assert len(local_time("2026-01-05T09:30:00+00:00")) == len("05/01/2026 09:30:00")
    assert pretty_json('{"b": 1, "a": [1]}') == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'
    assert pretty_json(None) == "(nothing)"
    assert pretty_json("plain") == "plain"


def test_a_read_only_audit_page_does_not_export(qtbot: QtBot, example_db: Database) -> None:
    assert example_db.path is not None
    read_only = open_database(example_db.path, read_only=True)
    try:
        page = AuditPage(read_only)
        qtbot.addWidget(page)
        assert not page.export_button.isEnabled()
        assert page.model.rowCount() == len(entries(read_only))
    finally:
        read_only.dispose()


# --- Lock screen, passphrase and security dialogs -------------------------------------------------


def test_the_lock_screen_covers_its_window_and_follows_its_size(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    screen = LockScreen(window, encrypted=True, user="officer", reason="Locked on request.")
    assert screen.geometry() == window.rect()
    window.resize(900, 700)
    assert screen.geometry() == window.rect()
    asked: list[str] = []
    screen.unlock_requested.connect(asked.append)
    qtbot.keyClicks(screen.passphrase_edit, "secret words")
    screen.unlock_button.click()
    assert asked == ["secret words"]
    window.resize(400, 200)  # a small dialog: the form, without the explanation
    assert screen.explanation.isHidden() and not screen.passphrase_edit.isHidden()


def test_the_lock_screen_without_a_passphrase_confirms_the_user(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    screen = LockScreen(window, encrypted=False, user="officer", reason="")
    assert screen.passphrase_edit.isHidden()
    assert screen.unlock_button.text() == "Unlock as officer"
    asked: list[str] = []
    screen.unlock_requested.connect(asked.append)
    screen.unlock_button.click()
    assert asked == [""]


def test_the_passphrase_dialog(qtbot: QtBot) -> None:
    dialog = PassphraseDialog(None, "Type the passphrase", "Wrong passphrase: 2 tries left.")
    qtbot.addWidget(dialog)
    assert not dialog.error_label.isHidden()
    assert not dialog.open_button.isEnabled()
    assert dialog.edit.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(dialog.edit, "words")
    assert dialog.open_button.isEnabled()
    dialog.show_check.setChecked(True)
    assert dialog.edit.echoMode() == QLineEdit.EchoMode.Normal
    with qtbot.waitSignal(dialog.accepted):
        dialog.open_button.click()
    assert dialog.passphrase() == "words"


@pytest.mark.parametrize(
    ("new", "again", "problem"),
    [
        ("", "", "Type the new passphrase."),
        ("short", "short", "at least 8"),
        ("long enough", "long enougH", "not the same"),
        (" padded words", " padded words", "space"),
        ("long enough", "long enough", None),
    ],
)
def test_passphrase_problems(new: str, again: str, problem: str | None) -> None:
    found = passphrase_problem(new, again)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_the_security_dialog_is_blocked_read_only(qtbot: QtBot, example_db: Database) -> None:
    assert example_db.path is not None
    read_only = open_database(example_db.path, read_only=True)
    try:
        dialog = SecurityDialog(read_only)
        qtbot.addWidget(dialog)
        assert not dialog.apply_button.isEnabled()
        assert "read-only" in dialog.message.text()
        assert dialog.idle_spin.isEnabled()
    finally:
        read_only.dispose()


def test_the_security_dialog_encrypts_by_itself(qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(tmp_path / "s.sqlite")
    save_child(db, ChildRecord("C-1", {"given_name": "Zebedee"}))
    dialog = SecurityDialog(db)
    qtbot.addWidget(dialog)
    dialog.new_edit.setText("long passphrase")
    dialog.again_edit.setText("long passphrase")
    with qtbot.waitSignal(dialog.passphrase_changed):
        dialog.apply_button.click()
    assert dialog.database.encrypted
    assert dialog.current_edit.isVisibleTo(dialog)
    assert b"Zebedee" not in (tmp_path / "s.sqlite").read_bytes()
    dialog.database.dispose()
