"""How every output grows with the caseload (issue 20): a script, not a test.

For 3,000, 12,000 and 50,000 children (and 150,000 with `--max`) side by side: `import` of a
journey file against a raw executemany of the same rows, `drift --json` and `drift --csv`
against a raw scan of the same database, `drift --child`, one officer's tracker sheet and the
monthly pack. Each is run in a fresh process of its own, which reports the CPU and wall time of
the work and its peak memory (the whole process's, interpreter and imports included). Prints one
JSON line and appends it to `benchmarks/results.jsonl`, with `cpu_reference_s` (bench_engine's
fixed loop, timed in the same run) so that figures compare across machines as ratios:

    .venv/bin/python benchmarks/bench_scale.py [--sizes 3000,12000] [--max] [--pack-up-to 12000]

Journey files and databases are kept in `benchmarks/out/` (git-ignored); a database is imported
afresh on every run (the import is measured).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "results.jsonl"
AS_OF = "2026-11-02"
SIZES = (3_000, 12_000, 50_000)
MAX_SIZE = 150_000


def _cpu_reference() -> float:
    """The fixed loop of bench_engine.py: how fast the machine was during this run (it is shared)."""
    sys.path.insert(0, str(HERE))
    from bench_engine import _cpu_reference as reference

    return reference()


# --- One measurement, in a process of its own ---------------------------------------------------


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _reset_peak() -> None:
    """Start this process's peak memory afresh (Linux). A process started by fork and exec carries
    its parent's peak at the fork in `ru_maxrss`: the first run at 50,000 children reported the
    parent's 371 MB (it had just generated the journey file) as every operation's peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """The peak resident memory since `_reset_peak` (imports included), in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(kib / 1024, 1)


def _cli(argv: list[str], stdout: Path) -> None:
    from models.cli import main

    with stdout.open("w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh):
        code = main(argv)
    if code != 0:
        raise SystemExit(f"{argv}: exit status {code}")


def _raw_insert(db: Path, journey: Path) -> None:
    """The same rows as `import` writes, in one transaction, with nothing but json and executemany."""
    from models.storage.store import column_of

    with journey.open(encoding="utf-8") as fh:
        children = json.load(fh)["children"]
    conn = sqlite3.connect(db)
    child_cols = [r[1] for r in conn.execute("PRAGMA table_info(child)")]
    event_cols = [r[1] for r in conn.execute("PRAGMA table_info(event)") if r[1] != "pk"]
    where = {c: i for i, c in enumerate(event_cols)}
    child_rows, event_rows = [], []
    for child in children:
        child_rows.append(tuple(_plain(child.get(c)) for c in child_cols))
        for ev in child["events"]:
            row: list[Any] = [None] * len(event_cols)
            row[where["child_id"]], row[where["event_id"]] = child["id"], ev["id"]
            for key, value in ev.items():
                if key != "id":
                    row[where[key if key in where else column_of(ev["type"], key)]] = _plain(value)
            event_rows.append(tuple(row))
    conn.execute("PRAGMA cache_size=-65536")
    with conn:
        conn.executemany(f"INSERT INTO child VALUES ({', '.join('?' * len(child_cols))})", child_rows)
        conn.executemany(
            f"INSERT INTO event ({', '.join(event_cols)}) VALUES ({', '.join('?' * len(event_cols))})",
            event_rows,
        )
    conn.close()


def _plain(value: Any) -> Any:
    return (
        ",".join(value)
        if isinstance(value, list)
        else json.dumps(value)
        if isinstance(value, dict)
        else value
    )


def _raw_scan(db: Path) -> None:
    """Every row of the child and event tables through the driver, each row touched once."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for table in ("child", "event"):
        for _ in conn.execute(f"SELECT * FROM {table}"):
            pass
    conn.close()


def _one(op: str, db: Path, extra: list[str], scratch: Path) -> dict[str, float]:
    """Run one operation here and say what it cost (called in the measured process).

    The application's modules are imported first, outside the timing: `process_s` (measured by the
    caller) is the whole process, Python's start and the imports included.
    """
    import models.cli  # noqa: F401
    from models.storage.db import open_database

    if op == "raw_insert":
        open_database(db).engine.dispose()  # the schema, as the import makes it
    _reset_peak()
    cpu, wall = _cpu(), time.perf_counter()
    base = ["--db", str(db)]
    if op == "import":
        _cli([*base, "import", extra[0]], scratch / "import.txt")
    elif op == "raw_insert":
        _raw_insert(db, Path(extra[0]))
    elif op == "raw_scan":
        _raw_scan(db)
    elif op == "drift_json":
        _cli([*base, "drift", "--as-of", AS_OF, "--json"], scratch / "drift.json")
    elif op == "drift_csv":
        _cli([*base, "drift", "--as-of", AS_OF, "--csv", str(scratch / "drift.csv")], scratch / "drift.txt")
    elif op == "drift_child":
        _cli([*base, "drift", "--as-of", AS_OF, "--child", extra[0], "--json"], scratch / "child.json")
    elif op == "officer_sheet":
        pdf = scratch / "officer.pdf"
        _cli(
            [*base, "report", "tracker", "--as-of", AS_OF, "--officer", extra[0], "-o", str(pdf)],
            scratch / "r.txt",
        )
    elif op == "pack":
        _cli([*base, "report", "pack", "--as-of", AS_OF, "-o", str(scratch / "pack.pdf")], scratch / "r.txt")
    else:
        raise SystemExit(f"unknown operation {op}")
    figures = {
        "cpu_s": round(_cpu() - cpu, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "peak_mb": _peak_mb(),
    }
    if op == "drift_child":
        # The child's read and judging alone, the database open (its quick_check reads the whole
        # file) and the calendar (bank holidays to 2075) already done by the command above.
        from models.storage.store import compute_deadlines

        opened = open_database(db)
        t = time.perf_counter()
        compute_deadlines(opened, date.fromisoformat(AS_OF), extra[0])
        figures["read_and_judge_ms"] = round((time.perf_counter() - t) * 1000, 1)
        t = time.perf_counter()
        open_database(db).engine.dispose()
        figures["open_database_s"] = round(time.perf_counter() - t, 2)
        opened.engine.dispose()
    return figures


def _measure(op: str, db: Path, *extra: str) -> dict[str, float]:
    scratch = OUT / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--one", op, str(db), *extra],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )
    if proc.returncode != 0:
        raise SystemExit(f"{op} failed:\n{proc.stderr}")
    figures: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["process_s"] = round(time.perf_counter() - started, 2)  # with Python's start and imports
    return figures


# --- The side-by-side run -----------------------------------------------------------------------


def _journey(children: int) -> Path:
    """A demo journey file of `children` (made once and kept)."""
    path = OUT / f"scale-{children}.json"
    if not path.exists():
        from models.io import demo
        from models.io.journey_io import write_journey

        write_journey(demo.generate(children, seed=1, today=date.fromisoformat(AS_OF)), path)
    return path


def _busiest_officer(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT reviewing_officer FROM child WHERE reviewing_officer IS NOT NULL "
            "GROUP BY reviewing_officer ORDER BY count(*) DESC, reviewing_officer LIMIT 1"
        ).fetchone()
        first = conn.execute("SELECT min(id) FROM child").fetchone()
    finally:
        conn.close()
    return f"{row[0]}\x00{first[0]}"


def _size(children: int, pack_up_to: int) -> dict[str, Any]:
    journey = _journey(children)
    db, raw_db = OUT / f"scale-{children}.sqlite", OUT / f"scale-{children}-raw.sqlite"
    for path in (db, raw_db):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    out: dict[str, Any] = {"journey_file_mb": round(journey.stat().st_size / 1e6, 1)}
    out["import"] = _measure("import", db, str(journey))
    out["raw_insert"] = _measure("raw_insert", raw_db, str(journey))
    out["raw_scan"] = _measure("raw_scan", db)
    out["drift_json"] = _measure("drift_json", db)
    out["drift_csv"] = _measure("drift_csv", db)
    officer, first_child = _busiest_officer(db).split("\x00")
    out["drift_child"] = _measure("drift_child", db, first_child)
    out["officer_sheet"] = {"officer": officer, **_measure("officer_sheet", db, officer)}
    if children <= pack_up_to:
        out["pack"] = _measure("pack", db)
    out["ratios"] = {
        "import_vs_raw_insert_cpu": round(out["import"]["cpu_s"] / out["raw_insert"]["cpu_s"], 2),
        "import_vs_raw_insert_wall": round(out["import"]["wall_s"] / out["raw_insert"]["wall_s"], 2),
        "drift_json_vs_raw_scan_cpu": round(out["drift_json"]["cpu_s"] / out["raw_scan"]["cpu_s"], 2),
        "drift_csv_vs_raw_scan_cpu": round(out["drift_csv"]["cpu_s"] / out["raw_scan"]["cpu_s"], 2),
    }
    for path in (raw_db,):
        path.unlink(missing_ok=True)
    return out


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        op, db, *extra = sys.argv[2:]
        scratch = OUT / "scratch"
        print(json.dumps(_one(op, Path(db), extra, scratch)))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="children, comma-separated")
    parser.add_argument("--max", action="store_true", help=f"also {MAX_SIZE:,} children")
    parser.add_argument(
        "--pack-up-to", type=int, default=12_000, help="time the pack up to this many children"
    )
    parser.add_argument("--note", default="", help="a word about the run (the machine's load, the branch)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([MAX_SIZE] if args.max else [])
    OUT.mkdir(exist_ok=True)
    result: dict[str, Any] = {
        "bench": "scale",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": AS_OF,
        "note": args.note,
        "load_average": round(os.getloadavg()[0], 1),
        "cpu_reference_s": round(_cpu_reference(), 3),
    }
    for children in sizes:
        result[str(children)] = _size(children, args.pack_up_to)
        print(f"{children}: {json.dumps(result[str(children)])}", file=sys.stderr, flush=True)
    result["cpu_reference_after_s"] = round(_cpu_reference(), 3)
    line = json.dumps(result)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
