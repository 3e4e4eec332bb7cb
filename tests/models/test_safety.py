"""Data safety against real files: crashes, damage, backups, encryption, audit chain, exports."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from models.domain.records import ChildRecord, EventRecord
from models.io.audited_export import export_csv
from models.io.export import neutralise
from models.storage.audit import break_report, entries, verify_chain
from models.storage.backup import (
    BackupInfo,
    EncryptionCancelled,
    backups_to_keep,
    ensure_daily_backup,
    list_backups,
    make_backup,
    move_aside,
    newest_good_backup,
    restore_backup,
    set_passphrase,
    thin_backups,
)
from models.storage.db import (
    DatabaseDamaged,
    DatabaseError,
    PassphraseRequired,
    WrongPassphrase,
    open_database,
)
from models.storage.store import get_child, save_child, save_event

NAME = "Zebedee Quixotic-Ffoulkes"


def seeded(path: Path) -> None:
    db = open_database(path)
    save_child(db, ChildRecord("C-1", {"given_name": "Zebedee", "family_name": "Quixotic-Ffoulkes"}))
    db.dispose()


# --- Crashes -------------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, timedelta
    from models.storage.db import open_database
    from models.domain.records import ChildRecord, EventRecord
    from models.storage.store import save_child, save_event
    db = open_database(sys.argv[1])
    save_child(db, ChildRecord("K-1"))
    day = date(2020, 1, 1)
    n = 0
    while True:
        n += 1
        save_event(db, "K-1", EventRecord(f"v{n}", "cla_visit", day + timedelta(days=n)))
        print(n, flush=True)
    """
)


@pytest.mark.parametrize("iteration", range(8))
def test_kill_9_mid_write_loses_no_committed_change(tmp_path: Path, iteration: int) -> None:
    path = tmp_path / "crash.sqlite"
    committed = 0
    target = 5 + iteration * 7
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    ) as proc:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while committed < target and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            committed = int(line)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert committed >= target, "the writer did not get going"
    db = open_database(path)  # integrity check runs on opening
    child = get_child(db, "K-1")
    assert child is not None
    ids = {e.id for e in child.events}
    # Every change reported as committed is there; at most one more got in before the kill.
    assert {f"v{n}" for n in range(1, committed + 1)} <= ids
    assert len(ids) <= committed + 1


# --- Damage and restore --------------------------------------------------------------------------


def test_a_damaged_file_is_reported_kept_aside_and_restored(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    db = open_database(path)
    backup = make_backup(db, "manual")
    for n in range(200):  # grow the file past a few pages so the damage hits data, not the header
        save_child(db, ChildRecord(f"D-{n:03}", {"given_name": "x" * 200}))
    db.dispose()
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(os.urandom(8192))
    with pytest.raises(DatabaseDamaged) as exc:
        open_database(path)
    assert "damaged" in str(exc.value)
    good = newest_good_backup(path)
    assert good is not None and good.path == backup
    safety = restore_backup(path, good.path)
    assert safety is not None and "damaged" in safety.name and safety.exists()  # kept, never deleted
    restored = open_database(path)
    child = get_child(restored, "C-1")
    assert child is not None and child.name == NAME


def test_move_aside_keeps_every_byte(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    before = path.read_bytes()
    moved = move_aside(path)
    assert not path.exists() and moved.read_bytes() == before


def test_backup_restore_round_trip_backs_up_first(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    db = open_database(path)
    backup = make_backup(db)
    save_child(db, ChildRecord("C-2", {"given_name": "Later"}))
    db.dispose()
    safety = restore_backup(path, backup)
    db = open_database(path)
    assert get_child(db, "C-2") is None and get_child(db, "C-1") is not None
    assert safety is not None and "pre-restore" in safety.name
    db.dispose()
    restore_backup(path, safety)
    assert get_child(open_database(path), "C-2") is not None
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600
    assert stat.S_IMODE(safety.parent.stat().st_mode) == 0o700


def test_daily_backup_once_a_day_and_thinning(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    db = open_database(path)
    assert ensure_daily_backup(db, datetime(2026, 1, 5, 9, 0)) is not None
    assert ensure_daily_backup(db, datetime(2026, 1, 5, 17, 0)) is None
    assert len(list_backups(path)) == 1
    infos = [
        BackupInfo(Path(f"/b/{d}"), datetime.combine(d, datetime.min.time()), "daily", 1)
        for d in (date(2025, 1, 1) + timedelta(days=n) for n in range(400))
    ]
    keep = backups_to_keep(infos, date(2026, 2, 4))
    kept_days = sorted(Path(p).name for p in keep)
    assert len(keep) <= 7 + 4 + 12 + 1
    assert "2026-02-04" in kept_days and "2026-01-29" in kept_days  # the last 7 days
    assert "2025-03-31" in kept_days  # newest of March 2025, a kept month
    assert "2025-01-15" not in kept_days
    for n in range(3):
        make_backup(db, "manual", datetime(2025, 6, 1 + n, 12))
    removed = thin_backups(path, date(2026, 1, 5))
    assert len(removed) == 2  # June 2025 keeps its newest
    assert sum(b.taken.month == 6 for b in list_backups(path)) == 1


# --- Encryption at rest --------------------------------------------------------------------------


def test_encryption_in_place_hides_names_and_refuses_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    db = open_database(path)
    make_backup(db, "manual")
    assert b"Zebedee" in path.read_bytes() or b"Zebedee" in (tmp_path / "t.sqlite-wal").read_bytes()
    encrypted = set_passphrase(db, "correct horse battery")
    child = get_child(encrypted, "C-1")
    assert child is not None and child.name == NAME
    encrypted.dispose()
    for file in [path, *(b.path for b in list_backups(path))]:
        assert b"Zebedee" not in file.read_bytes(), file
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    with pytest.raises(PassphraseRequired):
        open_database(path)
    with pytest.raises(WrongPassphrase, match="passphrase does not open"):
        open_database(path, passphrase="wrong guess here")
    again = open_database(path, passphrase="correct horse battery")
    changed = set_passphrase(again, "a new passphrase")
    changed.dispose()
    with pytest.raises(WrongPassphrase):
        open_database(path, passphrase="correct horse battery")
    final = open_database(path, passphrase="a new passphrase")
    backup = make_backup(final)
    assert b"Zebedee" not in backup.read_bytes()
    final.dispose()
    # Backups of an encrypted database restore with its passphrase.
    restore_backup(path, backup, "a new passphrase")
    assert get_child(open_database(path, passphrase="a new passphrase"), "C-1") is not None


def test_cancelled_encryption_leaves_the_database_and_its_copies_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    db = open_database(path)
    make_backup(db, "manual")
    looks: list[int] = []

    def cancelled() -> bool:
        looks.append(1)
        return len(looks) >= 3  # after the database's encrypted copy and one backup's were made

    with pytest.raises(EncryptionCancelled, match="cancelled; nothing was changed"):
        set_passphrase(db, "correct horse battery", cancelled)
    assert len(looks) == 3
    leftovers = [
        p.name for p in tmp_path.rglob("*") if p.name.endswith((".encrypting", ".rekey", ".rekeying"))
    ]
    assert leftovers == []
    again = open_database(path)  # no passphrase: still in clear, and whole
    child = get_child(again, "C-1")
    assert child is not None and child.name == NAME
    again.dispose()
    backups = list_backups(path)
    assert backups
    for backup in backups:  # still readable without a passphrase: none was half re-keyed
        with sqlite3.connect(backup.path) as conn:
            assert conn.execute("SELECT count(*) FROM child").fetchone() == (1,)


def test_wrong_passphrase_is_told_apart_from_damage(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    set_passphrase(open_database(path), "correct horse battery").dispose()
    with pytest.raises(WrongPassphrase):
        open_database(path, passphrase="not it at all")
    plain = tmp_path / "p.sqlite"
    seeded(plain)
    with plain.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff" * 4000)
    with pytest.raises(DatabaseDamaged):
        open_database(plain)


def test_a_short_passphrase_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    with pytest.raises(DatabaseError, match="at least 8"):
        set_passphrase(open_database(path), "short")


# --- Read-only and a full disk -------------------------------------------------------------------


def test_read_only_mode_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    db = open_database(path, read_only=True)
    assert get_child(db, "C-1") is not None
    with pytest.raises(Exception, match=r"readonly|read-only"):
        save_child(db, ChildRecord("C-9"))
    assert get_child(db, "C-9") is None


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    mount = tmp_path / "small"
    mount.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root on Linux")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    # Lazily if a file on it is still open: a mount left behind makes pytest's next clean-up of
    # old temporary folders fail (device busy), and later runs trip over its warnings.
    if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_loses_nothing(small_disk: Path) -> None:
    path = small_disk / "t.sqlite"
    db = open_database(path)
    save_child(db, ChildRecord("C-1", {"date_of_birth": date(2010, 1, 1)}))
    saved = 0
    failure: Exception | None = None
    for n in range(1, 5000):
        try:
            save_event(db, "C-1", EventRecord(f"v{n}", "cla_visit", date(2011, 1, 1), {}, "x" * 2000))
        except Exception as exc:
            failure = exc
            break
        saved = n
    assert failure is not None, "the disk never filled"
    assert "full" in str(failure).lower()
    db.dispose()
    reopened = open_database(path, check=True, migrate=False)
    child = get_child(reopened, "C-1")
    reopened.dispose()
    assert child is not None
    assert {e.id for e in child.events} == {f"v{n}" for n in range(1, saved + 1)}


# --- Audit chain and exports ---------------------------------------------------------------------


def test_a_tampered_audit_entry_is_detected(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite")
    for n in range(5):
        save_child(db, ChildRecord(f"C-{n}"))
    assert verify_chain(db) == []
    assert "intact" in break_report([])
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit SET user = 'someone-else' WHERE id = 3"))
    breaks = verify_chain(db)
    assert [b.id for b in breaks] == [3]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit SET user = (SELECT user FROM audit WHERE id = 2) WHERE id = 3"))
        conn.execute(text("DELETE FROM audit WHERE id = 4"))
    assert [b.id for b in verify_chain(db)] == [5]
    assert len(entries(db, child_id="C-1")) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Amira", "Amira"),
        (-5, "-5"),
        (date(2025, 3, 3), "03/03/2025"),
        (None, ""),
    ],
)
def test_export_cells_are_neutralised(value: object, expected: str) -> None:
    assert neutralise(value) == expected


def test_csv_export_is_private_and_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    db = open_database(tmp_path / "t.sqlite")
    export_csv(db, path, ["id", "name"], [["C-1", "=cmd|' /C calc'!A0"]], what="register")
    db.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "'=cmd" in path.read_text(encoding="utf-8-sig")


def test_second_connection_sees_committed_data_only(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    seeded(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM child").fetchone()[0] == 1


def test_audit_dates_are_local_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        db = open_database(tmp_path / "t.sqlite")
        save_child(db, ChildRecord("C-1"))
        with db.engine.begin() as conn:  # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST)
            conn.execute(text("UPDATE audit SET at = '2025-06-30T23:30:00+00:00'"))
        assert [e.child_id for e in entries(db, since=date(2025, 7, 1), until=date(2025, 7, 1))] == ["C-1"]
        assert entries(db, since=date(2025, 6, 30), until=date(2025, 6, 30)) == []
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
