"""SIGKILL at random moments while backing up and while re-keying a seeded database (30 kills
each): no file named like a backup is bad, no copy in clear sits beside an encrypted database
(backups, `.rekey` leftovers, damaged copies moved aside), and the database opens with every
child. The full loops (100 kills each, SQLCipher's real key derivation) are
`benchmarks/bench_kills.py`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.models.kill_kit import fast_kdf, kill_loop

KILLS = 30
CHILDREN = 300


@pytest.fixture
def quick_keys() -> Iterator[None]:
    with fast_kdf():
        yield


def test_kills_during_backup_leave_only_good_backups(tmp_path: Path, quick_keys: None) -> None:
    outcome = kill_loop("backup", KILLS, tmp_path, children=CHILDREN, span=0.8)
    assert outcome.kills == KILLS
    assert outcome.problems == []
    assert outcome.backups_seen > KILLS * 2  # the kills landed while backups were being made


def test_kills_during_rekeying_leave_nothing_in_clear_and_every_child(
    tmp_path: Path, quick_keys: None
) -> None:
    outcome = kill_loop("rekey", KILLS, tmp_path, children=CHILDREN, span=2.0, seed=3)
    assert outcome.kills == KILLS
    assert outcome.problems == []
    assert outcome.encrypted_after >= KILLS // 2  # many kills landed after the first encryption
