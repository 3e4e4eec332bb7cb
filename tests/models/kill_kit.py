"""Kill loops: a child process backs up (or re-keys) a seeded database over and over, is sent
SIGKILL at a random moment, and what it left is judged. Used by `tests/models/test_backup_kills.py`
(30 kills each) and `benchmarks/bench_kills.py` (100 each).

After each kill, before anything opens the database:
- when the database is encrypted, no file in its folder (backups, leftovers, damaged copies moved
  aside, WAL companions) is plain SQLite or holds a child's name in clear;
then the database is opened (which finishes or cleans up an interrupted change of passphrase), and:
- it holds every seeded child;
- every file named like a backup passes `check_file` with the database's key;
- no re-keying leftover (`.rekey`, `.encrypting`, the marker) remains, and the encrypted rule holds.
"""

from __future__ import annotations

import importlib
import os
import random
import shutil
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from models.storage.backup import check_file, list_backups, make_backup, set_passphrase
from models.storage.db import SQLITE_MAGIC, DatabaseError, PassphraseRequired, WrongPassphrase, open_database
from tests.models.backup_kit import SECRET_NAME, count_children, seed_database

KEY_A = "first passphrase here"
KEY_B = "second passphrase here"


def _backup_worker(path: Path, key: str | None) -> None:
    db = open_database(path, passphrase=key, migrate=False)
    _ready()
    while True:
        make_backup(db, "manual")


def _rekey_worker(path: Path, key: str | None) -> None:
    db = open_database(path, passphrase=key, migrate=False)
    _ready()
    while True:
        key = KEY_B if key == KEY_A else KEY_A
        db = set_passphrase(db, key)


_ready_fd: list[int] = []


def _ready() -> None:
    os.write(_ready_fd[0], b"r")


@contextmanager
def fast_kdf(iterations: int = 4000) -> Iterator[None]:
    """Fewer PBKDF2 rounds for every SQLCipher file this process (and its forks) makes or opens
    inside the block; SQLCipher's own default again afterwards.

    The kill loops judge renames and leftovers, not the key derivation; at SQLCipher's default
    (256,000 rounds) a change of passphrase takes seconds, which the loops cannot afford in CI.
    """
    sqlcipher3 = importlib.import_module("sqlcipher3")

    def default(value: int | None = None) -> int:
        conn = sqlcipher3.connect(":memory:")
        try:
            if value is not None:
                conn.execute(f"PRAGMA cipher_default_kdf_iter = {int(value)}")
            return int(conn.execute("PRAGMA cipher_default_kdf_iter").fetchone()[0])
        finally:
            conn.close()

    before = default()
    default(iterations)
    try:
        yield
    finally:
        default(before)


@dataclass
class Outcome:
    kills: int = 0
    problems: list[str] = field(default_factory=list)
    #: Kills that landed after the database was first encrypted (re-keying only).
    encrypted_after: int = 0
    backups_seen: int = 0
    seconds: float = 0.0


def make_template(folder: Path, children: int, *, damaged_copy: bool = False) -> Path:
    """A seeded database with two backups (and, if asked, a damaged copy moved aside) in `folder`."""
    path = folder / "t.sqlite"
    seed_database(path, children)
    db = open_database(path)
    make_backup(db, "daily")
    make_backup(db, "manual")
    db.dispose()
    if damaged_copy:
        shutil.copyfile(path, path.with_name(path.name + ".damaged-20260101-000000"))
    return path


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def plaintext_files(folder: Path) -> list[str]:
    """Files in `folder` that are plain SQLite or hold a seeded child's name in clear."""
    found = []
    for file in _files(folder):
        data = file.read_bytes()
        if data.startswith(SQLITE_MAGIC) or SECRET_NAME.encode() in data:
            found.append(file.name)
    return found


def _open_with_some_key(path: Path) -> tuple[str | None, int]:
    for key in (None, KEY_A, KEY_B):
        try:
            db = open_database(path, passphrase=key, migrate=False)
        except (PassphraseRequired, WrongPassphrase):
            continue
        except DatabaseError as exc:
            if key is not None and "not encrypted" in str(exc):
                continue
            raise
        return key, count_children(db)
    raise AssertionError(f"{path} opens with none of the passphrases")


def _is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) != SQLITE_MAGIC


def judge(path: Path, children: int, outcome: Outcome, label: str) -> None:
    folder = path.parent
    if _is_encrypted(path):
        outcome.encrypted_after += 1
        clear = plaintext_files(folder)
        if clear:
            outcome.problems.append(
                f"{label}: in clear beside the encrypted database before opening: {clear}"
            )
    try:
        key, count = _open_with_some_key(path)
    except (AssertionError, DatabaseError) as exc:
        outcome.problems.append(f"{label}: {exc}")
        return
    if count != children:
        outcome.problems.append(f"{label}: {count} of {children} children after opening")
    for backup in list_backups(path):
        outcome.backups_seen += 1
        verdict = check_file(backup.path, key)
        if verdict != "ok":
            outcome.problems.append(f"{label}: {backup.path.name} is named like a backup but {verdict}")
    leftovers = [p.name for p in _files(folder) if p.name.endswith((".rekey", ".encrypting", ".rekeying"))]
    if leftovers:
        outcome.problems.append(f"{label}: re-keying leftovers after opening: {leftovers}")
    if key is not None:
        clear = plaintext_files(folder)
        if clear:
            outcome.problems.append(f"{label}: in clear beside the encrypted database after opening: {clear}")


def _kill_once(worker: Callable[[Path, str | None], None], path: Path, key: str | None, delay: float) -> None:
    """Fork a worker (modules already imported: no start-up cost), let it run `delay` s once ready,
    then SIGKILL it."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the caller
        status = 1
        try:
            os.close(read_end)
            _ready_fd[:] = [write_end]
            worker(path, key)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        if os.read(read_end, 1) != b"r":
            os.waitpid(pid, 0)
            raise AssertionError("the worker stopped before it was ready")
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    finally:
        os.close(read_end)


def kill_loop(
    kind: str, kills: int, work: Path, *, children: int, seed: int = 14, span: float = 3.0
) -> Outcome:
    """`kills` SIGKILLs during `kind` ("backup" or "rekey"), each at a random moment up to `span` s."""
    rng = random.Random(seed)
    outcome = Outcome()
    started = time.monotonic()
    template_dir = work / "template"
    template_dir.mkdir()
    template = make_template(template_dir, children, damaged_copy=kind == "rekey")
    encrypted_template: Path | None = None
    if kind == "rekey":  # half the runs start from a database already encrypted with KEY_A
        enc_dir = work / "template-encrypted"
        shutil.copytree(template_dir, enc_dir)
        set_passphrase(open_database(enc_dir / "t.sqlite"), KEY_A).dispose()
        encrypted_template = enc_dir / "t.sqlite"
    for n in range(kills):
        run_dir = work / f"run-{n:03}"
        source = encrypted_template if encrypted_template is not None and n % 2 else template
        shutil.copytree(source.parent, run_dir)
        path = run_dir / "t.sqlite"
        delay = rng.uniform(0.0, span)
        key = KEY_A if source is encrypted_template else None
        _kill_once(_backup_worker if kind == "backup" else _rekey_worker, path, key, delay)
        outcome.kills += 1
        judge(path, children, outcome, f"{kind} kill {n} at {delay:.2f} s")
        shutil.rmtree(run_dir)
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome
