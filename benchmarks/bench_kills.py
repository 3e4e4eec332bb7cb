"""The full kill loops of issue 14: SIGKILL at random moments during `backup` and during re-keying
(`set_passphrase`) of a seeded database, 100 kills each by default. Prints ONE JSON line.

    .venv/bin/python benchmarks/bench_kills.py [--kills 100] [--children 2000] [--fast-kdf]

Each kill lands at a random moment within one operation's measured duration (a backup, a change
of passphrase); after each, `tests/models/kill_kit.judge` checks that no file named like a backup
is bad, that nothing in clear sits beside an encrypted database (before and after opening), that no
re-keying leftover survives opening, and that every child is there. SQLCipher's real key derivation
is used unless `--fast-kdf` (the CI test's 4,000 rounds). `problems` lists what failed (empty when
all held); `*_kills_encrypted` counts re-keying kills that landed after the first encryption.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _duration(kind: str, folder: Path, children: int) -> float:
    from models.storage.backup import make_backup, set_passphrase
    from models.storage.db import open_database
    from tests.models.kill_kit import KEY_A, make_template

    path = make_template(folder, children, damaged_copy=kind == "rekey")
    db = open_database(path)
    started = time.monotonic()
    if kind == "backup":
        make_backup(db, "manual")
        db.dispose()
    else:
        set_passphrase(db, KEY_A).dispose()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--fast-kdf", action="store_true")
    args = parser.parse_args()

    from tests.models.kill_kit import fast_kdf, kill_loop

    result: dict[str, object] = {
        "kills_each": args.kills,
        "children": args.children,
        "fast_kdf": args.fast_kdf,
    }
    problems: list[str] = []
    with fast_kdf() if args.fast_kdf else nullcontext():
        for kind in ("backup", "rekey"):
            with tempfile.TemporaryDirectory() as tmp:
                probe = Path(tmp) / "probe"
                probe.mkdir()
                span = _duration(kind, probe, args.children)
                work = Path(tmp) / "loop"
                work.mkdir()
                outcome = kill_loop(kind, args.kills, work, children=args.children, span=span * 1.2)
            result[f"{kind}_one_s"] = round(span, 2)
            result[f"{kind}_kills"] = outcome.kills
            result[f"{kind}_backups_judged"] = outcome.backups_seen
            result[f"{kind}_loop_s"] = outcome.seconds
            if kind == "rekey":
                result["rekey_kills_encrypted"] = outcome.encrypted_after
            result[f"{kind}_problems"] = len(outcome.problems)
            problems += outcome.problems
    result["problems"] = problems[:20]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
