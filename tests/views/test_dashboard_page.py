"""The Dashboard: the measures of a period, the trend chart of one, the children behind a figure,
and a child opened from there; the same figures as `measure_set` on the same database."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from models.domain.period import Period, PeriodKind
from models.io import demo
from models.io.journey_io import import_journey
from models.screens.facts import load_caseload
from models.screens.measures import MEASURE_IDS, measure_set
from models.storage.db import Database
from views.dashboard_page import DashboardPage

AS_OF = date(2025, 10, 6)


def test_the_dashboard_shows_the_measures_and_the_children_behind_one(qtbot: QtBot, db: Database) -> None:
    import_journey(db, demo.generate(300, seed=5, today=AS_OF))
    page = DashboardPage(db, AS_OF)
    qtbot.addWidget(page)
    page.resize(1300, 720)
    page.show()
    qtbot.waitExposed(page)
    page.picker.kind_combo.setCurrentIndex(page.picker.kind_combo.findData(PeriodKind.QUARTER))
    assert page.picker.period() == Period.parse("2025-Q3")
    assert page.found is not None and page.found.period == Period.parse("2025-Q3")
    assert page.figures.ids() == list(MEASURE_IDS)
    expected = measure_set(load_caseload(db, AS_OF), Period.parse("2025-Q3"))
    m1 = expected.figure("M1")
    shown = page.figures.display(page.figures.row_at(0), 2)
    assert shown == f"{m1.text} ({m1.counts})"
    # The first measure is chosen: its trend is drawn and its cohort listed.
    assert len(page.chart.series()) >= 2  # the line and the target (with milestones)
    assert page.child_lines.rowCount() == len(m1.children)
    assert sum(1 for line in page.child_lines.rows() if line.counts) == m1.now.numerator  # type: ignore[union-attr]
    # A count: bars.
    page.figure_view.selectRow(MEASURE_IDS.index("M15a"))
    assert page.chart.series()[0].type().name == "SeriesTypeBar"
    assert page.child_lines.rowCount() == len(expected.figure("M15a").children)
    opened: list[str] = []
    page.open_child_requested.connect(opened.append)
    rect = page.child_view.visualRect(page.child_lines.index(0, 0))
    qtbot.mouseClick(page.child_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.child_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [page.child_lines.row_at(0).child_id]
