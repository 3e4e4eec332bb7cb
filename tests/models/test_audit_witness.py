"""The audit log as a witness (issue 14): a keyed chain, digests of the rows each entry touched, its
head beside the file and in each backup, and time that never runs backwards. One test per kind of
tampering that the attack tried (and the lost tail of a write-ahead log), each through `check-audit`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import stat
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from models.cli import main
from models.domain.records import ChildRecord, EventRecord
from models.storage import witness
from models.storage.audit import verify_chain, witness_findings
from models.storage.db import Database, open_database
from models.storage.settings import load_settings
from models.storage.store import AUDIT_HASHED, add_event, chain_hash, save_child, save_settings

PASSPHRASE = "correct horse battery"


def _made(path: Path, passphrase: str | None = None, children: int = 6) -> Database:
    db = open_database(path, passphrase=passphrase)
    for n in range(children):
        save_child(db, ChildRecord(f"C-{n}", {"given_name": f"Name{n}"}))
    add_event(db, "C-1", EventRecord("e1", "strategy_discussion", date(2025, 1, 6)))
    return db


def _check(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code = main(["--db", str(path), "check-audit"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


def _sql(db: Database, *statements: str) -> None:
    """What someone with the file and the sqlite3 tool can do: no audit, no key."""
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Database]:
    path = tmp_path / "t.sqlite"
    return path, _made(path)


def test_an_untouched_log_is_intact_and_keyed(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = made
    with db.engine.connect() as conn:
        versions = {v for (v,) in conn.execute(text("SELECT version FROM audit"))}
    assert versions == {witness.VERSION}
    key = witness.key_path(path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(bytes.fromhex(key.read_text())) == 32
    assert stat.S_IMODE(witness.head_path(path).stat().st_mode) == 0o600
    db.dispose()
    assert _check(capsys, path) == (0, "The audit log is intact: every entry chains to the one before.\n")


# --- the chain ------------------------------------------------------------------------------


def test_an_edited_entry_is_named(made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]) -> None:
    path, db = made
    _sql(db, "UPDATE audit SET user = 'someone-else' WHERE id = 3")
    code, out = _check(capsys, path)
    assert code == 1 and "audit entry 3: its content or its place in the log was changed" in out


def test_an_edited_entry_with_the_chain_recomputed_unkeyed_is_found(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack's best forgery: edit an entry, then recompute every hash after it with SHA-256."""
    path, db = made
    _sql(db, "UPDATE audit SET after = replace(after, 'Name2', 'Forged') WHERE id = 3")
    with db.engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM audit ORDER BY id")).mappings().all()
        previous = ""
        for row in rows:
            digest = chain_hash(previous, row)
            conn.execute(text("UPDATE audit SET hash = :h WHERE id = :id"), {"h": digest, "id": row["id"]})
            previous = digest
    code, out = _check(capsys, path)
    assert code == 1 and "audit entry 1: its content or its place in the log was changed" in out


def test_a_log_rewritten_as_unkeyed_entries_is_found(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    """Marking every entry version 1 and recomputing the SHA-256 chain: the head beside the file
    no longer matches, and opening does not seal the forged log."""
    path, db = made
    with db.engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM audit ORDER BY id")).mappings().all()
        previous = ""
        for row in rows:
            digest = chain_hash(previous, row)
            conn.execute(
                text("UPDATE audit SET hash = :h, version = 1, digests = NULL WHERE id = :id"),
                {"h": digest, "id": row["id"]},
            )
            previous = digest
    db.dispose()
    code, out = _check(capsys, path)
    assert code == 1 and "is not the entry the head beside the database names" in out
    again = open_database(path)
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit WHERE action = 'seal'")).scalar() == 0


def test_an_unkeyed_entry_added_after_keyed_ones_is_found(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = made
    with db.engine.begin() as conn:
        last = conn.execute(text("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")).scalar_one()
        row = dict.fromkeys(AUDIT_HASHED, None) | {
            "at": "2030-01-01T00:00:00+00:00",
            "user": "x",
            "action": "create",
            "entity": "child",
        }
        conn.execute(
            text(
                "INSERT INTO audit (at, user, action, entity, hash, version) VALUES (:at, :user, :action, :entity, :hash, 1)"
            ),
            {**row, "hash": chain_hash(last, row)},
        )
    code, out = _check(capsys, path)
    assert code == 1 and "audit entry 8: it was written without the audit key after keyed entries" in out


def test_a_deleted_middle_entry_is_named(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = made
    _sql(db, "DELETE FROM audit WHERE id = 4")
    code, out = _check(capsys, path)
    assert code == 1 and "audit entry 5: entry 4 before it are missing (deleted)" in out


def test_swapped_entries_are_found(made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]) -> None:
    path, db = made
    _sql(
        db,
        "UPDATE audit SET id = -1 WHERE id = 2",
        "UPDATE audit SET id = 2 WHERE id = 3",
        "UPDATE audit SET id = 3 WHERE id = -1",
    )
    code, out = _check(capsys, path)
    assert code == 1 and "audit entry 2:" in out and "audit entry 3:" in out


def test_an_entry_dated_back_is_found(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = made
    _sql(db, "UPDATE audit SET at = '2001-01-01T00:00:00+00:00' WHERE id = 4")
    code, out = _check(capsys, path)
    assert (
        code == 1
        and "audit entry 4: it is dated 2001-01-01T00:00:00+00:00, before the entry before it" in out
    )


def test_a_clock_set_back_never_dates_an_entry_before_the_last(
    made: tuple[Path, Database], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = made
    monkeypatch.setattr("models.storage.store.now_utc", lambda: "2001-01-01T00:00:00+00:00")
    save_child(db, ChildRecord("C-late"))
    with db.engine.connect() as conn:
        ats = [a for (a,) in conn.execute(text("SELECT at FROM audit ORDER BY id"))]
    assert ats == sorted(ats) and ats[-1] != "2001-01-01T00:00:00+00:00"
    assert _check(capsys, path)[0] == 0


def test_an_encrypted_database_is_keyed_by_its_passphrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "e.sqlite"
    db = _made(path, PASSPHRASE, children=2)
    assert db.audit_key == witness.derived_key(PASSPHRASE)
    assert not witness.key_path(path).exists()  # nothing beside the file says what the key is
    _sql(db, "UPDATE audit SET user = 'someone-else' WHERE id = 2")
    db.dispose()
    monkeypatch.setenv("PERMANENCE_TRACKER_PASSPHRASE", PASSPHRASE)
    code = main(["--db", str(path), "check-audit"])
    assert code == 1 and "audit entry 2:" in capsys.readouterr().out


def test_a_log_from_before_keys_still_verifies_and_is_sealed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An old file: version 1 entries (SHA-256) and no key file. Opened by this version it is sealed
    (one keyed entry with every child's digest) and verifies; from then on direct edits show."""
    path = tmp_path / "old.sqlite"
    db = _made(path, children=2)
    with db.engine.begin() as conn:  # as an old release wrote it
        rows = conn.execute(text("SELECT * FROM audit ORDER BY id")).mappings().all()
        previous = ""
        for row in rows:
            digest = chain_hash(previous, row)
            conn.execute(
                text("UPDATE audit SET hash = :h, version = 1, digests = NULL WHERE id = :id"),
                {"h": digest, "id": row["id"]},
            )
            previous = digest
    db.dispose()
    witness.head_path(path).unlink()
    witness.key_path(path).unlink()
    db = open_database(path)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit ORDER BY id DESC LIMIT 1")).scalar() == "seal"
    assert verify_chain(db) == [] and witness_findings(db) == []
    _sql(db, "UPDATE child SET given_name = 'Forged' WHERE id = 'C-0'")
    assert [str(f) for f in witness_findings(db)] == [
        f"Child C-0 was edited outside the tracker (it differs from audit entry {len(rows) + 1})."
    ]


# --- rows edited outside the tracker --------------------------------------------------------


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            ["UPDATE child SET given_name = 'Forged' WHERE id = 'C-2'"],
            "Child C-2 was edited outside the tracker (it differs from audit entry 3).",
        ),
        (
            ["UPDATE event SET date = '2024-01-01' WHERE child_id = 'C-1'"],
            "Child C-1 was edited outside the tracker (it differs from audit entry 7).",
        ),
        (
            ["DELETE FROM event WHERE child_id = 'C-1'"],
            "Child C-1 was edited outside the tracker (it differs from audit entry 7).",
        ),
        (
            ["INSERT INTO child (id, given_name) VALUES ('C-new', 'Ghost')"],
            "Child C-new was added outside the tracker (no audit entry records it).",
        ),
        (
            ["DELETE FROM child WHERE id = 'C-4'"],
            "Child C-4 was deleted outside the tracker (audit entry 5 left it there).",
        ),
        (
            ["UPDATE setting SET value = '\"Forged council\"' WHERE key = 'authority_name'"],
            "The settings were changed outside the tracker (they differ from audit entry 8).",
        ),
    ],
    ids=["child", "event", "event-deleted", "child-inserted", "child-deleted", "setting"],
)
def test_a_row_changed_outside_the_tracker_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], statements: list[str], expected: str
) -> None:
    path = tmp_path / "t.sqlite"
    db = _made(path)
    save_settings(db, dataclasses.replace(load_settings(db), authority_name="Testshire"))
    _sql(db, *statements)
    code, out = _check(capsys, path)
    assert code == 1 and expected in out


# --- entries missing at the end, and a lost WAL tail ----------------------------------------


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)", "the newest 1 entry is missing"),
        ("DELETE FROM audit WHERE id > (SELECT max(id) - 3 FROM audit)", "the newest 3 entries are missing"),
        ("DELETE FROM audit", "Every entry of the audit log is missing: 7 were written"),
    ],
    ids=["newest", "newest-three", "every"],
)
def test_entries_deleted_at_the_end_are_found_by_check_and_at_open(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str], statement: str, expected: str
) -> None:
    path, db = made
    _sql(db, statement)
    db.dispose()
    code, out = _check(capsys, path)
    assert code == 1 and expected in out
    again = open_database(path)
    assert any(expected in w for w in again.warnings)


def test_a_lost_wal_tail_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The file as a crash leaves it when the end of its write-ahead log is lost: the database
    (and its WAL) as they were three commits ago, the head beside it as it was at the last."""
    path = tmp_path / "t.sqlite"
    db = _made(path, children=2)
    kept = tmp_path / "kept"
    kept.mkdir()
    for name in (path.name, path.name + "-wal"):
        shutil.copy2(path.with_name(name), kept / name)
    for n in range(3):
        save_child(db, ChildRecord(f"D-{n}"))
    db.engine.dispose()
    for name in (path.name, path.name + "-wal"):
        shutil.copy2(kept / name, path.with_name(name))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    code, out = _check(capsys, path)
    assert (
        code == 1
        and "the newest 3 entries are missing (deleted, or lost with the end of the write-ahead log" in out
    )


def test_an_altered_head_file_is_found(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _db = made
    head = witness.head_path(path)
    body = json.loads(head.read_text())
    head.write_text(json.dumps({**body, "count": 2, "id": 2}))
    code, out = _check(capsys, path)
    assert code == 1 and "was altered: its signature does not match" in out


def test_a_deleted_head_file_is_found(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = made
    db.dispose()
    witness.head_path(path).unlink()
    code, out = _check(capsys, path)
    assert code == 1 and "is missing, so entries missing at the end cannot be ruled out" in out


def test_the_head_file_moves_forward_only_after_a_commit(made: tuple[Path, Database]) -> None:
    path, db = made
    before = witness.read_head(path, db.audit_key or b"")
    with pytest.raises(RuntimeError), db.engine.begin() as conn:
        from models.storage.store import audit

        audit(conn, "create", "child", "C-x", child_id="C-x")
        raise RuntimeError("rolled back")
    assert witness.read_head(path, db.audit_key or b"") == before
    save_child(db, ChildRecord("C-y"))
    after = witness.read_head(path, db.audit_key or b"")
    assert (
        after is not None
        and before is not None
        and (after.id, after.count) == (before.id + 1, before.count + 1)
    )


def test_the_newest_backup_names_the_head_and_truncation_below_it_shows(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    """Even with the head file removed, the newest backup's manifest still knows the head."""
    from models.storage.backup import make_backup
    from models.storage.backup_file import read_manifest

    path, db = made
    backup = make_backup(db, "manual")
    manifest = read_manifest(backup)
    assert manifest is not None and manifest["audit_head"] and manifest["counts"]["audit"] == 7
    _sql(db, "DELETE FROM audit WHERE id >= 6")
    db.dispose()
    witness.head_path(path).unlink()
    code, out = _check(capsys, path)
    assert code == 1 and f"The newest entry in the backup {backup.name} is no longer in the audit log" in out


# --- changes of key, and restores -------------------------------------------------------------


def test_encrypting_and_changing_the_passphrase_sign_the_chain_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key of an encrypted file comes from its passphrase: encrypting a plain file, and changing
    the passphrase, sign its chain (and its backups') again, and the head beside it."""
    from models.storage.backup import check_file, list_backups, set_passphrase

    path = tmp_path / "t.sqlite"
    db = _made(path, children=3)
    db = set_passphrase(db, PASSPHRASE)
    assert verify_chain(db) == [] and witness_findings(db) == [] and db.warnings == ()
    save_child(db, ChildRecord("C-after"))
    db = set_passphrase(db, PASSPHRASE + " again")
    assert verify_chain(db) == [] and witness_findings(db) == [] and db.warnings == ()
    assert all(check_file(b.path, PASSPHRASE + " again") == "ok" for b in list_backups(path))
    db.dispose()
    monkeypatch.setenv("PERMANENCE_TRACKER_PASSPHRASE", PASSPHRASE + " again")
    assert _check(capsys, path)[0] == 0


def test_a_restored_backup_is_not_reported_as_a_shortened_log(
    made: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    from models.storage.backup import make_backup, restore_backup

    path, db = made
    backup = make_backup(db, "manual")
    save_child(db, ChildRecord("C-later"))
    db.dispose()
    restore_backup(path, backup)
    again = open_database(path)
    assert again.warnings == ()
    again.dispose()
    assert _check(capsys, path)[0] == 0


# --- writers take turns -----------------------------------------------------------------------

_WRITER = """
import sys, time
from pathlib import Path
from models.domain.records import ChildRecord, EventRecord
from models.storage.db import open_database
from models.storage.store import add_event, save_child
from datetime import date

path, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
db = open_database(path)
while not go.exists():
    time.sleep(0.005)
failed = 0
for n in range(40):
    try:
        save_child(db, ChildRecord(f"{name}-{n}"))
        add_event(db, "SHARED", EventRecord(f"{name}{n}", "strategy_discussion", date(2025, 1, 6)))
    except Exception as exc:
        failed += 1
        print(type(exc).__name__, exc, file=sys.stderr)
print(failed)
"""


def test_two_writers_wait_their_turn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two processes saving at once: each write transaction begins IMMEDIATE, so the second waits
    for the first (busy_timeout) instead of being refused; all 80 saves (and 80 events) are kept."""
    import subprocess
    import sys

    path = tmp_path / "t.sqlite"
    db = open_database(path)
    save_child(db, ChildRecord("SHARED"))
    db.dispose()
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), name, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    time.sleep(1.5)  # both open and waiting
    go.touch()
    results = [w.communicate(timeout=120) for w in writers]
    assert [out.strip() for out, _ in results] == ["0", "0"], [err for _, err in results]
    db = open_database(path)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM child")).scalar() == 81
        assert conn.execute(text("SELECT count(*) FROM event")).scalar() == 80
    assert verify_chain(db) == [] and witness_findings(db) == []
    db.dispose()
    assert _check(capsys, path)[0] == 0


def test_the_command_lines_writers_honour_the_desktops_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While the window holds the database (its QLockFile), `demo` and `import` are refused in a
    sentence and change nothing; reading commands still run."""
    from PySide6.QtCore import QLockFile

    from desktop import instance_lock as desktop_lock

    path = tmp_path / "t.sqlite"
    open_database(path).dispose()
    window = desktop_lock.acquire(path)
    try:
        assert main(["--db", str(path), "demo", "--children", "10"]) == 1
        err = capsys.readouterr().err
        assert "is open in Permanence Tracker (process" in err and "Nothing was changed." in err
        assert "Traceback" not in err
        assert main(["--db", str(path), "check-audit"]) == 0
    finally:
        window.unlock()
    assert isinstance(window, QLockFile)
    assert main(["--db", str(path), "demo", "--children", "10"]) == 0
    assert not desktop_lock.lock_path_for(path).exists()  # released after the command


def test_the_desktop_is_refused_while_a_command_line_writer_holds_the_file(tmp_path: Path) -> None:
    from desktop import instance_lock as desktop_lock
    from models.storage import instance_lock

    path = tmp_path / "t.sqlite"
    with instance_lock.held(path):
        with pytest.raises(instance_lock.DatabaseInUse) as refused:
            desktop_lock.acquire(path)
        assert refused.value.holder is not None and refused.value.holder.pid == os.getpid()
    desktop_lock.acquire(path).unlock()


def test_a_stale_lock_is_removed_by_a_command_line_writer(tmp_path: Path) -> None:
    from models.storage import instance_lock

    path = tmp_path / "t.sqlite"
    lock = instance_lock.lock_path_for(path)
    lock.write_text(f"999999\npython3.11\n{socket.gethostname()}\n")  # a process that is gone
    with instance_lock.held(path):
        holder = instance_lock.read_holder(lock)
        assert holder is not None and holder.pid == os.getpid()


# --- who ---------------------------------------------------------------------------------------


def test_a_laptops_audit_names_the_computer_account_not_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$LOGNAME and $USER can be set to anything; the account comes from the process's user id,
    and the audit says plainly that it is the computer's account."""
    import pwd

    from models.storage.audit import entries

    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "the.director")
    db = open_database(tmp_path / "t.sqlite")
    save_child(db, ChildRecord("C-1"))
    (entry,) = entries(db)
    assert entry.user == f"computer account: {pwd.getpwuid(os.getuid()).pw_name}"
