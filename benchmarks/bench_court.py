"""The court page and the escalation register with a large caseload, offscreen. Prints ONE JSON line.

    .venv/bin/python benchmarks/bench_court.py --db /tmp/c50k.sqlite --as-of 2026-11-20

(make the database with `permanence-tracker --db /tmp/c50k.sqlite demo --children 50000 --today
2026-11-20`). Measures, in the real main window: the rows built off the GUI thread (s), the time
from asking for the page to rows shown (s), the longest the GUI thread was blocked meanwhile (ms,
from a 10 ms timer), filling the table model on the GUI thread (ms), a search keystroke (ms), and
one recorded change merged in (ms: one child rebuilt, not fifty thousand).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--as-of", default="2026-11-20")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest

    from desktop.app import run
    from desktop.logs import shutdown_logging
    from desktop.work import wait_for_background
    from models.screens.court_view import build_court_view
    from models.screens.drp_view import build_escalation_register
    from models.storage.db import open_database

    db = open_database(Path(args.db))
    t = time.perf_counter()
    court = build_court_view(db, as_of)
    court_build = time.perf_counter() - t
    t = time.perf_counter()
    register = build_escalation_register(db, as_of)
    register_build = time.perf_counter() - t
    db.engine.dispose()

    with tempfile.TemporaryDirectory() as data:
        app, window = run(["--db", args.db, "--data-dir", data, "--as-of", as_of.isoformat()], exec=False)
        while window._loading:  # the overview of every child, first
            app.processEvents()
            time.sleep(0.005)
        wait_for_background()
        app.processEvents()

        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)

        def shown(page: object, show: object) -> tuple[float, float]:
            done: list[float] = []
            page.view_ready.connect(lambda: done.append(time.perf_counter()))  # type: ignore[attr-defined]
            gaps.clear()
            last[0] = time.perf_counter()
            timer.start()
            start = time.perf_counter()
            show()  # type: ignore[operator]
            while not done:
                app.processEvents()
                time.sleep(0.002)
            timer.stop()
            return done[0] - start, max(gaps, default=0.0)

        court_shown, court_gap = shown(window.court_page, window.show_court)
        page = window.court_page
        t = time.perf_counter()
        page.model.set_rows(page.view.open)
        set_rows_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        QTest.keyClicks(page.search, "smi")
        app.processEvents()
        search_ms = (time.perf_counter() - t) * 1000 / 3
        page.search.clear()
        child_id = page.view.open[0].child_id
        t = time.perf_counter()
        page.live.children_changed([child_id])
        app.processEvents()
        merge_ms = (time.perf_counter() - t) * 1000
        register_shown, register_gap = shown(window.escalations_page, window.show_escalations)

        result = {
            "benchmark": "court_and_escalations",
            "as_of": as_of.isoformat(),
            "open_proceedings": len(court.open),
            "awaiting_issue": len(court.pending),
            "concluded": len(court.concluded),
            "escalations": len(register.rows),
            "court_rows_built_s": round(court_build, 2),
            "register_rows_built_s": round(register_build, 2),
            "court_page_shown_s": round(court_shown, 2),
            "court_page_longest_gui_block_ms": round(court_gap * 1000, 1),
            "court_model_fill_ms": round(set_rows_ms, 1),
            "court_search_keystroke_ms": round(search_ms, 1),
            "one_child_change_merged_ms": round(merge_ms, 1),
            "register_page_shown_s": round(register_shown, 2),
            "register_page_longest_gui_block_ms": round(register_gap * 1000, 1),
        }
        window.close()
        window.db.engine.dispose()
        shutdown_logging()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
