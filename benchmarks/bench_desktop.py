"""Desktop responsiveness with a large demonstration caseload, offscreen. Prints ONE JSON line.

    .venv/bin/python benchmarks/bench_desktop.py [--children 50000] [--db PATH]

Measures: launch to a usable register (s: every child listed, searchable and openable) and to
the deadlines shown (s: the background overview done, RAG and Today filled), one search
keystroke filtering the register (ms, the slowest of typing "smith"), a change of as-of date (s,
until every page shows the new position), and opening a child on the child page (ms). The demonstration database is made once and kept
in benchmarks/out/ (git-ignored).
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

TODAY = date(2025, 9, 1)


def _demo_database(path: Path, children: int) -> None:
    if path.exists():
        return
    from models.io.demo import generate
    from models.io.journey_io import import_journey
    from models.storage.db import open_database

    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(path)
    import_journey(db, generate(children, seed=1, today=TODAY), source="benchmark")
    db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db_path = args.db or Path(__file__).parent / "out" / f"desktop-{args.children}.sqlite"
    _demo_database(db_path, args.children)

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop.app import run
    from desktop.logs import shutdown_logging

    def wait_for(window: object, start: float) -> float:
        done: list[float] = []
        window.overview_ready.connect(lambda: done.append(time.perf_counter()))  # type: ignore[attr-defined]
        while not done:
            QApplication.processEvents()
            time.sleep(0.005)
        window.overview_ready.disconnect()  # type: ignore[attr-defined]
        return done[0] - start

    with tempfile.TemporaryDirectory() as data:
        start = time.perf_counter()
        app, window = run(
            ["--db", str(db_path), "--data-dir", data, "--as-of", TODAY.isoformat()], exec=False
        )
        app.processEvents()
        listed = time.perf_counter() - start  # every child listed, searchable and openable
        listed_rows = window.register_page.model.total_count()
        launch = wait_for(window, start)  # deadlines, RAG and Today filled in
        window.focus_search()
        app.processEvents()
        search = window.register_page.search
        keystrokes = []
        for char in "smith":
            t = time.perf_counter()
            QTest.keyClicks(search, char)
            app.processEvents()
            keystrokes.append((time.perf_counter() - t) * 1000)
        shown = window.register_page.model.rowCount()
        search.clear()
        app.processEvents()

        start = time.perf_counter()
        window.set_as_of(date(2025, 6, 2))
        as_of_change = wait_for(window, start)

        child_id = window.register_page.model.row_at(0).id
        t = time.perf_counter()
        window.open_child(child_id)
        app.processEvents()
        open_child_ms = round((time.perf_counter() - t) * 1000, 1)

        window.register_page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        t = time.perf_counter()
        window.register_page.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        sort_ms = (time.perf_counter() - t) * 1000

        result = {
            "benchmark": "desktop",
            "children": window.register_page.model.total_count(),
            "launch_to_listed_register_s": round(listed, 2),
            "listed_rows": listed_rows,
            "launch_to_deadlines_shown_s": round(launch, 2),
            "search_keystroke_ms_max": round(max(keystrokes), 1),
            "search_keystroke_ms": [round(k, 1) for k in keystrokes],
            "search_shown": shown,
            "sort_column_ms": round(sort_ms, 1),
            "as_of_change_s": round(as_of_change, 2),
            "open_child_ms": open_child_ms,
        }
        window.close()
        window.db.engine.dispose()
        shutdown_logging()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
