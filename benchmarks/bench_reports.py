"""Benchmark the printed reports (a script, not a test): a 2,000-row monthly tracker sheet.

Seeds a fresh database with the demo generator, reads the caseload at a fixed as-of date, gathers
the tracker's rows, keeps the first 2,000 (by officer section) and times turning them into a PDF.
Prints one JSON line:

    .venv/bin/python benchmarks/bench_reports.py [--rows 2000] [--children 3600] [--seed 1]

Target (issue 4): a 2,000-row tracker renders in under 2 s (plain strings in cells, tables in
chunks). Also reported: reading the caseload, gathering the rows, and the whole monthly pack.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from models.domain.period import Period
from models.io import demo
from models.io.journey_io import import_journey
from models.reports import tracker
from models.reports.common import page_header
from models.reports.document import build_pdf
from models.reports.registry import make_request, page_count, render
from models.screens.facts import load_caseload
from models.storage.db import open_database


def _first_rows(data: tracker.TrackerData, rows: int) -> tracker.TrackerData:
    sections = []
    left = rows
    for section in data.sections:
        if left <= 0:
            break
        sections.append(replace(section, rows=section.rows[:left]))
        left -= len(sections[-1].rows)
    return replace(data, sections=tuple(sections))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--children", type=int, default=3600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2025-10-01", help="fixed so runs are comparable")
    parser.add_argument("--repeat", type=int, default=3, help="render this many times, report the best")
    parser.add_argument("--keep", type=Path, help="write the tracker PDF here")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    period = Period.last_complete_before(as_of)
    result: dict[str, object] = {"children": args.children, "seed": args.seed, "as_of": args.as_of}

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.sqlite")
        import_journey(db, demo.generate(args.children, seed=args.seed, today=as_of))
        t = time.perf_counter()
        caseload = load_caseload(db, as_of)
        result["load_caseload_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        data = tracker.gather(caseload, period)
        result["gather_s"] = round(time.perf_counter() - t, 2)
        data = _first_rows(data, args.rows)
        result["rows"] = data.row_count
        if data.row_count < args.rows:
            print(f"only {data.row_count} rows: raise --children", file=sys.stderr)
        header = page_header(caseload, tracker.TITLE, period)
        timings = []
        pdf = b""
        for _ in range(args.repeat):
            t = time.perf_counter()
            pdf = build_pdf(tracker.story(data), header)
            timings.append(time.perf_counter() - t)
        result["render_tracker_s"] = round(min(timings), 3)
        result["pages"] = page_count(pdf)
        result["pdf_kb"] = round(len(pdf) / 1024)
        if args.keep:
            args.keep.write_bytes(pdf)
        t = time.perf_counter()
        pack = render(caseload, make_request("pack", as_of, period))
        result["render_pack_s"] = round(time.perf_counter() - t, 2)
        result["pack_pages"] = page_count(pack)
        result["target_met"] = {
            "tracker_2000_rows_under_2s": min(timings) < 2.0 and data.row_count >= args.rows
        }
        db.engine.dispose()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
