"""Desktop responsiveness with a large demonstration caseload, offscreen. Prints ONE JSON line.

    .venv/bin/python benchmarks/bench_desktop.py [--children 50000] [--db PATH]

Measures, each with the longest the GUI thread was blocked meanwhile (`gui_block_ms`: the largest
gap between the ticks of a 10 ms timer on the GUI thread; over 100 ms a person notices, over a few
seconds the window manager says "Not responding"): launch to a usable register (s: every child
listed, searchable and openable) and to the deadlines shown (s: the background overview done, RAG
and Today filled), one search keystroke filtering the register (ms, the slowest of typing "smith"),
a change of as-of date (s, until every page shows the new position), opening a child on the child
page (ms), each report made from the Reports menu to its preview shown (s; the tracker for one
reviewing officer, a chronology for one child), the register's CSV export, encrypting the database
and quitting during a recompute. The demonstration database is made once and kept in
benchmarks/out/ (git-ignored); the run works on a copy in a temporary folder (it is encrypted).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
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

    class BlockMeter:
        """The longest gap between ticks of a 10 ms timer on the GUI thread since `reset`."""

        def __init__(self) -> None:
            from PySide6.QtCore import QTimer

            self.timer = QTimer()
            self.timer.setInterval(10)
            self.timer.timeout.connect(self._tick)
            self.reset()
            self.timer.start()

        def reset(self) -> None:
            self.last = time.perf_counter()
            self.worst = 0.0

        def _tick(self) -> None:
            now = time.perf_counter()
            self.worst = max(self.worst, now - self.last)
            self.last = now

        def read_ms(self) -> float:
            self._tick()
            return round(self.worst * 1000, 1)

    def wait_for(window: object, start: float) -> float:
        done: list[float] = []
        window.overview_ready.connect(lambda: done.append(time.perf_counter()))  # type: ignore[attr-defined]
        while not done:
            QApplication.processEvents()
            time.sleep(0.005)
        window.overview_ready.disconnect()  # type: ignore[attr-defined]
        return done[0] - start

    with tempfile.TemporaryDirectory() as data:
        work = Path(data) / "records" / db_path.name
        work.parent.mkdir(mode=0o700)
        shutil.copy2(db_path, work)
        start = time.perf_counter()
        # Launch blocks the one thread until the window exists: that span is its block.
        app, window = run(["--db", str(work), "--data-dir", data, "--as-of", TODAY.isoformat()], exec=False)
        app.processEvents()
        listed = time.perf_counter() - start  # every child listed, searchable and openable
        listed_rows = window.register_page.model.total_count()
        launch_block_ms = round(listed * 1000, 1)
        meter = BlockMeter()
        launch = wait_for(window, start)  # deadlines, RAG and Today filled in
        deadlines_block_ms = meter.read_ms()
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

        meter.reset()
        start = time.perf_counter()
        window.set_as_of(date(2025, 6, 2))
        as_of_change = wait_for(window, start)
        as_of_block_ms = meter.read_ms()

        reports = _reports(window, meter)

        child_id = window.register_page.model.row_at(0).id
        t = time.perf_counter()
        window.open_child(child_id)
        app.processEvents()
        open_child_ms = round((time.perf_counter() - t) * 1000, 1)

        window.register_page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        t = time.perf_counter()
        window.register_page.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        sort_ms = (time.perf_counter() - t) * 1000

        export_s, export_block_ms = _csv_export(window, meter, Path(data))
        _progress("csv export", {"s": export_s, "block_ms": export_block_ms})
        encrypt_s, encrypt_block_ms = _encryption(window, meter)
        _progress("encryption", {"s": encrypt_s, "block_ms": encrypt_block_ms})

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
            "reports_s": {name: r["s"] for name, r in reports.items()},
            "reports_pages": {name: r["pages"] for name, r in reports.items()},
            "csv_export_s": export_s,
            "encryption_s": encrypt_s,
            "gui_block_ms": {
                "launch": launch_block_ms,
                "deadlines_shown": deadlines_block_ms,
                "as_of_change": as_of_block_ms,
                **{f"report_{name}": r["block_ms"] for name, r in reports.items()},
                "csv_export": export_block_ms,
                "encryption": encrypt_block_ms,
            },
        }
        # Quitting during a recompute: the window waits for it with a message, painting.
        window.set_as_of(date(2025, 3, 3))
        meter.reset()
        t = time.perf_counter()
        window.close()
        result["quit_during_recompute_s"] = round(time.perf_counter() - t, 2)
        result["gui_block_ms"]["quit_during_recompute"] = meter.read_ms()  # type: ignore[index]
        window.db.engine.dispose()
        shutdown_logging()
    print(json.dumps(result))


def _progress(what: str, figures: object) -> None:
    """A line on stderr as each step ends (a run at 50,000 children takes many minutes)."""
    print(f"bench_desktop: {what}: {figures}", file=sys.stderr, flush=True)


def _reports(window: object, meter: object) -> dict[str, dict[str, float]]:
    """Each report from the Reports menu to its preview shown: seconds, GUI block, pages."""
    from models.domain.period import Period
    from models.reports.registry import REPORTS, make_request
    from models.screens.child_view import known_values
    from views import report_dialog

    db = window.db  # type: ignore[attr-defined]
    as_of = window.as_of  # type: ignore[attr-defined]
    officer = known_values(db)["reviewing_officer"][0]
    child = window.register_page.model.row_at(0).id  # type: ignore[attr-defined]
    shown: list[object] = []
    real = report_dialog.ReportPreview.show
    report_dialog.ReportPreview.show = lambda self: (shown.append(self), real(self))[-1]  # type: ignore[method-assign]
    out: dict[str, dict[str, float]] = {}
    for name, spec in REPORTS.items():
        request = make_request(
            name,
            as_of,
            Period.last_complete_before(as_of),
            officer=officer if name == "tracker" else None,
            child_id=child if spec.needs_child else None,
        )
        report_dialog.ReportDialog.ask = classmethod(lambda cls, *a, r=request, **k: r)  # type: ignore[method-assign,assignment,misc]
        shown.clear()
        meter.reset()  # type: ignore[attr-defined]
        start = time.perf_counter()
        window.open_reports()  # type: ignore[attr-defined]
        seconds = round(time.perf_counter() - start, 2)
        block = meter.read_ms()  # type: ignore[attr-defined]
        pages = shown[0].page_count() if shown else 0  # type: ignore[attr-defined]
        for preview in shown:
            preview.close()  # type: ignore[attr-defined]
        out[name] = {"s": seconds, "block_ms": block, "pages": pages}
        _progress(f"report {name}", out[name])
    return out


def _csv_export(window: object, meter: object, folder: Path) -> tuple[float, float]:
    """File ▸ Export the register as CSV, every child (no filter): seconds and GUI block."""
    from desktop.actions import ActionId
    from views import prompts

    target = folder / "register.csv"
    prompts.ask_save_csv = lambda parent, suggested, title="": target  # type: ignore[assignment]
    meter.reset()  # type: ignore[attr-defined]
    start = time.perf_counter()
    window.action(ActionId.EXPORT_REGISTER).trigger()  # type: ignore[attr-defined]
    seconds = round(time.perf_counter() - start, 2)
    assert target.exists()
    return seconds, meter.read_ms()  # type: ignore[attr-defined,no-any-return]


def _encryption(window: object, meter: object) -> tuple[float, float]:
    """Edit ▸ Security: encrypting the database and its backups, then the pages recomputed."""
    meter.reset()  # type: ignore[attr-defined]
    start = time.perf_counter()
    window.change_passphrase("benchmark passphrase")  # type: ignore[attr-defined]
    seconds = round(time.perf_counter() - start, 2)
    return seconds, meter.read_ms()  # type: ignore[attr-defined,no-any-return]


if __name__ == "__main__":
    main()
