"""Benchmark the printed reports (a script, not a test): a 2,000-row monthly tracker sheet.

Seeds a fresh database with the demo generator, reads the caseload at a fixed as-of date, gathers
the tracker's rows, keeps the first 2,000 (by officer section) and times turning them into a PDF.
Prints one JSON line:

    .venv/bin/python benchmarks/bench_reports.py [--rows 2000] [--children 3600] [--seed 1]

Target (issue 4): a 2,000-row tracker renders in under 2 s (plain strings in cells, tables in
chunks). Also reported: reading the caseload, gathering the rows, and the whole monthly pack.

Issue 19: the same 2,000 rows as one bare reportlab `Table` (plain strings, header repeated, no
RAG styling) for comparison (target: the tracker within 3 times it), and every report of the
registry rendered from a caseload of `--report-children` (3,000) children, each timed from the
caseload already read (target: each under 2 s), with the board report at a quarter.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from models.domain.period import Period, PeriodKind
from models.io import demo
from models.io.journey_io import import_journey
from models.reports import REPORT_NAMES, tracker
from models.reports import styles as S
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


def _cpu_reference() -> float:
    """The fixed loop of bench_engine.py: how fast the machine was during this run (it is shared)."""
    from bench_engine import _cpu_reference as reference

    return reference()


def _bare_table_s(data: tracker.TrackerData, repeat: int) -> float:
    """The tracker's rows as one plain reportlab Table (strings only, header repeated), best time."""
    header = [c.title for c in tracker.COLUMNS]
    rows = [
        [cell if isinstance(cell, str) else cell.text for cell in row]
        for section in data.sections
        for row in tracker.rows_of(section)
    ]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=S.PAGE_LANDSCAPE)
        grid = Table([header, *rows], repeatRows=1)
        grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), S.FONT, S.TABLE_SIZE)]))
        doc.build([grid])
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--children", type=int, default=3600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2025-10-01", help="fixed so runs are comparable")
    parser.add_argument("--repeat", type=int, default=3, help="render this many times, report the best")
    parser.add_argument("--keep", type=Path, help="write the tracker PDF here")
    parser.add_argument(
        "--report-children", type=int, default=3000, help="children for every report's timing"
    )
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
        bare = _bare_table_s(data, args.repeat)
        result["bare_table_s"] = round(bare, 3)
        result["tracker_vs_bare"] = round(min(timings) / bare, 2)
        db.engine.dispose()

        small = open_database(Path(tmp) / "reports.sqlite")
        import_journey(small, demo.generate(args.report_children, seed=args.seed, today=as_of))
        everyone = load_caseload(small, as_of)
        quarter = Period.last_complete_before(as_of, PeriodKind.QUARTER)
        each: dict[str, float] = {}
        for name in REPORT_NAMES:
            needs_child = name in ("chronology", "court-chronology")
            child = next(c.id for c in everyone.children if c.events) if needs_child else None
            request = make_request(name, as_of, quarter if name == "board" else period, child_id=child)
            times = []
            for _ in range(1 if name == "pack" else min(args.repeat, 2)):
                t = time.perf_counter()
                render(everyone, request)
                times.append(time.perf_counter() - t)
            each[name] = round(min(times), 2)
        result["report_children"] = args.report_children
        result["cpu_reference_s"] = round(_cpu_reference(), 3)
        result["render_each_s"] = each
        small.engine.dispose()
        result["target_met"] = {
            "tracker_2000_rows_under_2s": min(timings) < 2.0 and data.row_count >= args.rows,
            "tracker_within_3x_bare_table": min(timings) <= 3 * bare,
            "every_report_under_2s": all(v < 2.0 for k, v in each.items() if k != "pack"),
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
