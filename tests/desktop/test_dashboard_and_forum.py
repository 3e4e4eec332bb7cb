"""The Dashboard and the Forum and caseloads page inside the application: in the navigation, built
when shown (off the GUI thread), following the as-of date, and opening a child's record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pytestqt.qtbot import QtBot

from desktop.main_window import NAV_DASHBOARD, NAV_FORUM, MainWindow
from desktop.work import wait_for_background
from models.domain.period import Period
from models.storage.db import Database

Start = Callable[..., MainWindow]


def test_the_dashboard_and_the_forum_in_the_window(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-09-01")
    assert window.nav.item(NAV_DASHBOARD).text() == "Dashboard"
    assert window.nav.item(NAV_FORUM).text() == "Forum and caseloads"
    assert window.dashboard_page.found is None  # nothing built until shown
    window.nav.setCurrentRow(NAV_DASHBOARD)
    wait_for_background()
    qtbot.waitUntil(lambda: window.dashboard_page.found is not None, timeout=20_000)
    found = window.dashboard_page.found
    assert found is not None and found.period == Period(2025, 8)
    # A new as-of date moves the Dashboard's periods with it.
    window.as_of_edit.set_value(date(2025, 10, 6))
    wait_for_background()
    qtbot.waitUntil(
        lambda: (
            window.dashboard_page.found is not None and window.dashboard_page.found.measures.as_of.month == 10
        ),
        timeout=20_000,
    )
    window.nav.setCurrentRow(NAV_FORUM)
    wait_for_background()
    qtbot.waitUntil(lambda: window.forum_page.agenda is not None, timeout=20_000)
    # A child opened from the Dashboard's list shows its record.
    window.dashboard_page.open_child_requested.emit("EX-002")
    assert window.stack.currentWidget() is window.child_page
    assert window.child_page.current_child_id() == "EX-002"
