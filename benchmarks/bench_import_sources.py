"""Benchmark importing a council's files (a script, not a test). Prints one JSON line.

    .venv/bin/python benchmarks/bench_import_sources.py [--children 12000] [--samples ../shared/samples]

1. The SSDA903 sample (`d2i-csc-validator-be-903`: header, episodes and reviews of 2,675
   children) read, previewed and imported into a fresh database. Target (issue 17): under 5 s.
2. A generated Annex A workbook of `--children` children (Lists 5, 7 and 8, the layout of the
   Ofsted template: a title row, then the header) read, previewed and imported in a separate
   process, whose peak resident memory is reported. Target: 12,000 children under 30 s and 500 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from models.io.annex_a_export import WRITTEN
from models.io.annex_a_layout import LISTS
from models.io.sources.merge import import_preview, plan_import, read_sources
from models.storage.db import open_database

ROOT = Path(__file__).resolve().parents[1]


def _timed_import(paths: list[Path], db_path: Path) -> dict[str, float | int]:
    db = open_database(db_path)
    t0 = time.perf_counter()
    sources, refused, passed = read_sources(paths)
    t1 = time.perf_counter()
    preview = plan_import(db, sources, refused=refused, passed_over=passed)
    t2 = time.perf_counter()
    result = import_preview(db, preview, valid_only=True)
    t3 = time.perf_counter()
    db.engine.dispose()
    return {
        "children": result.children_added,
        "events": result.events_added,
        "read_s": round(t1 - t0, 2),
        "preview_s": round(t2 - t1, 2),
        "import_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
    }


def make_annex_a(path: Path, children: int, seed: int = 1) -> None:
    """A synthetic Annex A workbook: every child in List 8, a third in List 7, a third in List 5."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    sheets = {}
    for name in WRITTEN:
        title, columns = LISTS[name]
        ws = wb.create_sheet(name)
        ws.append([title])
        ws.append([c.header for c in columns])
        sheets[name] = (ws, columns)
    start = date(2019, 4, 1)
    for n in range(children):
        dob = start - timedelta(days=rng.randint(400, 6000))
        base = {
            "id": f"A{n:06d}",
            "gender": rng.choice(("a) Male", "b) Female")),
            "ethnicity": "a) WBRI",
            "dob": dob,
            "team": f"Team {n % 40}",
            "worker": f"Worker\u00a0{n % 900}",
        }
        day = start + timedelta(days=rng.randint(0, 1400))
        rows: dict[str, dict[str, object]] = {
            "List 8": {
                **base,
                "start": day,
                "status_start": day + timedelta(days=rng.randint(0, 200)),
                "status": rng.choice(("C1: ICO", "C2: FCO", "V2: Single period under S20")),
                "review": day + timedelta(days=rng.randint(20, 300)),
                "visit": day + timedelta(days=rng.randint(5, 300)),
            }
        }
        if n % 3 == 0:
            icpc = day - timedelta(days=rng.randint(60, 300))
            rows["List 7"] = {
                **base,
                "start": icpc,
                "initial_category": "a) Neglect",
                "review": icpc + timedelta(days=90),
                "visit": icpc + timedelta(days=20),
                "end": day,
            }
            rows["List 5"] = {
                **base,
                "s47": icpc - timedelta(days=rng.randint(5, 25)),
                "icpc_unnecessary": "b) No",
                "icpc": icpc,
                "icpc_plan": "a) Yes",
            }
        for name, row in rows.items():
            ws, columns = sheets[name]
            ws.append([row.get(c.key) if c.key else None for c in columns])
    wb.save(path)


def measure(path: Path, db_path: Path) -> None:
    """In its own process, so that its peak memory is the import's alone."""
    figures = _timed_import([path], db_path)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=12_000)
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return 0
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.samples / "d2i-csc-validator-be-903"
        tables = [folder / f"{name}.csv" for name in ("header", "episodes", "reviews")]
        out["ssda903"] = _timed_import(tables, Path(tmp) / "903.sqlite")
        book = Path(tmp) / "annex.xlsx"
        t0 = time.perf_counter()
        make_annex_a(book, args.children)
        out["annex_a_generate_s"] = round(time.perf_counter() - t0, 2)
        out["annex_a_bytes"] = book.stat().st_size
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(book), str(Path(tmp) / "a.sqlite")],
            check=True,
            capture_output=True,
            text=True,
        )
        out["annex_a"] = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
