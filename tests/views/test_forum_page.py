"""The permanence forum and caseloads on screen: the agenda's rows are `forum_agenda`'s, a child
opens from it, and a caseload above its standard says so in a sentence."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from models.io import demo
from models.io.journey_io import import_journey
from models.screens.caseloads import caseloads
from models.screens.facts import load_caseload
from models.screens.forum import forum_agenda
from models.storage.db import Database
from models.storage.settings import Settings
from models.storage.store import save_settings
from views.forum_page import ForumPage

DAY = date(2025, 10, 8)


def test_the_forum_page(qtbot: QtBot, db: Database) -> None:
    import_journey(db, demo.generate(300, seed=7, today=DAY))
    save_settings(db, Settings(worker_caseload=(2, 3)))  # 300 children: someone carries more than 3
    page = ForumPage(db, DAY)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    caseload = load_caseload(db, DAY)
    expected = forum_agenda(caseload)
    assert page.agenda is not None and page.agenda_model.rowCount() == len(expected.items) > 0
    assert [r.child_id for r in page.agenda_model.rows()] == [i.child_id for i in expected.items]
    loads = caseloads(caseload)
    assert page.caseload_model.rowCount() == len(loads.workers) + len(loads.officers) + len(loads.teams)
    flagged = loads.flagged
    assert (
        len(flagged) > 1 and f"{len(flagged)} people are above their caseload standard" in page.flags.text()
    )
    over = page.caseload_model.find(lambda r: r.over)
    assert page.caseload_model.display(page.caseload_model.row_at(over), 5).startswith("Above the standard: ")
    opened: list[str] = []
    page.open_child_requested.connect(opened.append)
    rect = page.agenda_view.visualRect(page.agenda_model.index(0, 1))
    qtbot.mouseClick(page.agenda_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.agenda_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [expected.items[0].child_id]
    page.date_edit.line_edit.setText("31/02/2025")
    page.refresh()
    assert "date" in page.status.text().lower()
