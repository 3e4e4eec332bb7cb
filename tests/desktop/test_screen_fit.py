"""Every window and dialog fits a 1366 x 768 laptop screen, title bar included.

The test application's offscreen screen is 800 x 800, so the check runs in a child process whose
offscreen platform is given one 1366 x 768 screen (`offscreen:configfile=`), on 200 fictional
children. Offscreen windows have no frame: the frame a window manager adds is allowed for with
`views.screen_fit.FRAME_ALLOWANCE`. Each window is shown, then its frame, its own minimum and its
position must lie within the screen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

CHECK = textwrap.dedent(
    """
    import json, sys
    from datetime import date
    from pathlib import Path

    from PySide6.QtCore import QRect, QSize
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.app import run
    from models.domain.journey import EVENT_TYPES
    from models.domain.period import Period
    from models.io import demo
    from models.io.journey_io import import_journey
    from models.reports.registry import build_report, make_request
    from models.screens.child_view import known_values
    from models.screens.facts import child_choices
    from models.storage.db import open_database
    from models.storage.settings import load_settings
    from models.storage.store import get_child
    from views.child_dialog import ChildDialog
    from views.commentary_dialog import CommentaryDialog
    from views.drp_dialogs import RaiseDialog
    from views.error_dialog import ErrorDialog
    from views.event_dialog import EventDialog
    from views.import_dialog import ImportDialog
    from views.passphrase_dialog import PassphraseDialog
    from views.report_dialog import ReportDialog
    from views.report_preview import ReportPreview
    from views.screen_fit import FRAME_ALLOWANCE
    from views.security_dialog import SecurityDialog
    from views.settings_dialog import SettingsDialog

    folder = Path(sys.argv[1])
    today = date(2025, 9, 1)
    path = folder / "fit.sqlite"
    db = open_database(path)
    import_journey(db, demo.generate(200, seed=3, today=today), source="fit check")
    db.dispose()
    app, window = run(["--db", str(path), "--data-dir", str(folder / "data"), "--as-of", "2025-09-01"], exec=False)
    screen = app.primaryScreen().availableGeometry()
    misfits = {}

    def check(name: str, widget: QWidget) -> None:
        widget.show()
        app.processEvents()
        outer = widget.frameGeometry()
        if outer.size() == widget.geometry().size():  # offscreen: no frame drawn, allow for one
            outer = QRect(outer.topLeft(), outer.size() + FRAME_ALLOWANCE)
        least = widget.minimumSizeHint().expandedTo(widget.minimumSize()) + FRAME_ALLOWANCE
        if not screen.contains(outer) or least.width() > screen.width() or least.height() > screen.height():
            misfits[name] = {"frame": [outer.x(), outer.y(), outer.width(), outer.height()],
                             "minimum": [least.width(), least.height()]}
        widget.hide()

    check("main window", window)
    for index in range(window.stack.count()):  # every page in the window, at its size
        window.stack.setCurrentIndex(index)
        check(f"main window, page {index}", window.stack.widget(index).window())
    db = window.db
    child = get_child(db, window.register_page.model.row_at(0).id)
    settings = load_settings(db)
    check("child dialog", ChildDialog(window, db, child))
    event = EventDialog(window, child, drp_categories=settings.drp_categories)
    for name in EVENT_TYPES:
        try:
            event.set_event_type(name)
        except KeyError:
            continue
        check(f"event dialog: {name}", event)
    check("raise an escalation", RaiseDialog(window, child, settings=settings, ref="R1", day=today))
    check("commentary", CommentaryDialog(db, Period(2025, 8), window))
    check("error", ErrorDialog("Traceback (most recent call last):\\n" * 80, window))
    check("import", ImportDialog(db, folder, window))
    check("passphrase", PassphraseDialog(window, "Type the passphrase of " + str(path) * 3))
    officers = known_values(db)["reviewing_officer"]
    check("reports", ReportDialog(officers, child_choices(db), today, window))
    request = make_request("pack", today, Period(2025, 8))
    check("report preview", ReportPreview(build_report(db, request), request, db, window))
    check("security", SecurityDialog(db, window))
    check("settings", SettingsDialog(db, window))
    print(json.dumps({"screen": [screen.width(), screen.height()], "misfits": misfits}))
    window.close()
    """
)


def test_every_window_and_dialog_fits_a_1366_by_768_screen(tmp_path: Path) -> None:
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768}]})
    )
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    run = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path)], capture_output=True, text=True, timeout=600, env=env
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["screen"] == [1366, 768]
    assert found["misfits"] == {}
