"""Backups that are always good under their names, and opening that never turns damage into a new
tracker: real SQLite and SQLCipher files in a temporary folder."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models.domain.records import ChildRecord, EventRecord
from models.storage.backup import check_file, list_backups, make_backup, newest_good_backup, restore_backup
from models.storage.backup_file import manifest_path, sha256_of
from models.storage.db import (
    APPLICATION_ID,
    DatabaseDamaged,
    DatabaseError,
    WrongPassphrase,
    open_database,
)
from models.storage.store import get_child, save_child, save_event
from tests.models.backup_kit import PASSPHRASE, count_children, seed_database

REPO = Path(__file__).parents[2]


# --- Backups -------------------------------------------------------------------------------------


def test_a_backup_is_one_checked_file_with_a_manifest(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 30)
    db = open_database(path)
    backup = make_backup(db, "manual")
    db.dispose()
    companions = [p.name for p in backup.parent.iterdir() if p.name != backup.name]
    assert companions == [manifest_path(backup).name]  # no -wal, -shm or .part beside it
    header = backup.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01"  # rollback journal, not WAL: one self-contained file
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID
    manifest = json.loads(manifest_path(backup).read_text())
    assert manifest["counts"]["child"] == 30 and manifest["counts"]["event"] == 60
    assert manifest["counts"]["audit"] >= 90 and manifest["audit_head"]
    assert manifest["sha256"] == sha256_of(backup)
    assert oct(manifest_path(backup).stat().st_mode & 0o777) == "0o600"
    assert check_file(backup) == "ok"


def test_an_empty_file_named_like_a_backup_is_not_good(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 5)
    db = open_database(path)
    good = make_backup(db, "manual")
    db.dispose()
    killed = good.with_name(good.name.replace("-manual", "-daily").replace(good.name[2:10], "29991231"))
    killed.touch(mode=0o600)  # what a kill part-way through the old writer left
    assert list_backups(path)[0].path == killed
    assert check_file(killed) == "the file is empty"
    found = newest_good_backup(path)
    assert found is not None and found.path == good


def test_another_programs_sqlite_file_is_not_a_good_backup(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 3)
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    foreign = folder / "t-29991231-120000-manual.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, caption TEXT)")
    assert check_file(foreign) == "it is not a Permanence Tracker database"
    assert newest_good_backup(path) is None


def test_a_backup_whose_rows_disagree_with_its_manifest_is_not_good(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 10)
    db = open_database(path)
    older = make_backup(db, "manual")
    save_child(db, ChildRecord("LATE-1"))
    newer = make_backup(db, "daily")
    db.dispose()
    with sqlite3.connect(newer) as conn:  # a copy that lost rows after it was written
        conn.execute("DELETE FROM event")
    assert "manifest" in check_file(newer)
    found = newest_good_backup(path)
    assert found is not None and found.path == older


def test_a_damaged_database_restores_the_older_good_backup_not_the_newer_killed_one(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 400)
    db = open_database(path)
    good = make_backup(db, "manual")
    db.dispose()
    killed = good.with_name(good.name.replace(good.name[2:17], "29991231-235959"))
    killed.touch(mode=0o600)
    with path.open("r+b") as fh:  # damage in the middle of the file
        fh.seek(path.stat().st_size // 2)
        fh.write(os.urandom(8192))
    with pytest.raises(DatabaseDamaged):
        open_database(path)
    offered = newest_good_backup(path)
    assert offered is not None and offered.path == good
    restore_backup(path, offered.path)
    assert count_children(open_database(path)) == 400


# --- Opening -------------------------------------------------------------------------------------


def test_an_empty_existing_file_is_damage_not_a_new_tracker(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    path.touch(mode=0o600)
    with pytest.raises(DatabaseDamaged, match="empty"):
        open_database(path)
    assert path.stat().st_size == 0


def test_a_new_database_carries_the_trackers_application_id(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    open_database(path).dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert [p.name for p in tmp_path.iterdir() if ".new-" in p.name] == []


def test_another_programs_sqlite_file_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "photos.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, caption TEXT)")
        conn.execute("INSERT INTO photos (caption) VALUES ('a beach')")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="another program's SQLite database") as refused:
        open_database(path)
    assert str(refused.value).count(". ") == 0  # one sentence
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos.sqlite"]


OPEN_FIFO = textwrap.dedent(
    """
    import sys
    from models.storage.db import DatabaseError, open_database
    try:
        open_database(sys.argv[1])
    except DatabaseError as exc:
        print(exc)
    """
)


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "t.sqlite"
    os.mkfifo(fifo, 0o600)
    try:
        done = subprocess.run(
            [sys.executable, "-c", OPEN_FIFO, str(fifo)], cwd=REPO, capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("opening a FIFO hung")
    assert "not a regular file" in done.stdout, done.stderr


def test_a_dangling_symlink_is_refused_and_its_target_not_created(tmp_path: Path) -> None:
    link = tmp_path / "t.sqlite"
    target = tmp_path / "elsewhere" / "made-up.sqlite"
    (tmp_path / "elsewhere").mkdir()
    link.symlink_to(target)
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(link)
    assert not target.exists()


# --- Damage or a wrong passphrase ----------------------------------------------------------------


def test_a_zeroed_header_on_a_plain_file_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 20)
    with path.open("r+b") as fh:
        fh.write(bytes(100))
    with pytest.raises(DatabaseDamaged):
        open_database(path)


def test_a_flipped_bit_in_page_one_of_an_encrypted_file_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 50, passphrase=PASSPHRASE)
    data = bytearray(path.read_bytes())
    data[1000] ^= 0x10  # inside page 1, past the salt
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged):
        open_database(path, passphrase=PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        open_database(path, passphrase="not the passphrase")


def test_a_wrong_passphrase_on_a_sound_file_is_still_a_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seed_database(path, 50, passphrase=PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        open_database(path, passphrase="not the passphrase")
    db = open_database(path, passphrase=PASSPHRASE)
    child = get_child(db, "C-00001")
    assert child is not None
    save_event(db, "C-00001", EventRecord("extra", "cla_visit", child.events[0].date))
    db.dispose()
