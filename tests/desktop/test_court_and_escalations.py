"""The court page and the escalation register inside the application: navigation, as-of, changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from desktop.actions import MENUS, ActionId
from desktop.main_window import NAV_COURT, NAV_ESCALATIONS, MainWindow
from desktop.work import wait_for_background
from models.storage.db import Database
from views.court_models import CourtModel
from views.event_dialog import EventDialog

Start = Callable[..., MainWindow]


def _week(window: MainWindow) -> str:
    model = window.court_page.model
    return str(model.index(model.find(lambda r: r.child_id == "EX-002"), CourtModel.WEEK).data())


def test_court_page_in_the_navigation_follows_the_as_of_date(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    assert window.nav.item(NAV_COURT).text() == "Court"
    assert window.nav.item(NAV_ESCALATIONS).text() == "Escalations (DRP)"
    assert ActionId.SHOW_COURT in MENUS["&View"] and ActionId.SHOW_ESCALATIONS in MENUS["&View"]
    assert window.court_page.live.stale  # not built until shown
    with qtbot.waitSignal(window.court_page.view_ready, timeout=20_000):
        window.action(ActionId.SHOW_COURT).trigger()
    assert window.stack.currentWidget() is window.court_page
    assert _week(window) == "5 of 26"
    with qtbot.waitSignal(window.court_page.view_ready, timeout=20_000):
        window.as_of_edit.set_value(date(2025, 9, 1))
    wait_for_background()
    assert _week(window) == "31 of 26"
    # Opening the child from a row shows its record.
    window.court_page.select_child("EX-002")
    window.court_page.open_button.click()
    assert window.stack.currentWidget() is window.child_page
    assert window.child_page.current_child_id() == "EX-002"


def test_a_hearing_recorded_on_the_court_page_reaches_every_page_and_undoes(
    qtbot: QtBot, start: Start, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = start(example_db.path, "--as-of", "2025-09-01")
    with qtbot.waitSignal(window.court_page.view_ready, timeout=20_000):
        window.show_court()
    page = window.court_page
    page.select_child("EX-002")

    def fill(self: EventDialog) -> int:
        self.date_edit.line_edit.setText("15/09/2025")
        self.field_editor("kind").setCurrentIndex(self.field_editor("kind").findData("irh"))  # type: ignore[attr-defined]
        self.ok_button.click()
        return self.result()

    monkeypatch.setattr(EventDialog, "exec", fill)
    page.record_buttons["hearing"].click()
    model = page.model
    assert str(model.index(0, CourtModel.NEXT).data()) == "15/09/2025\nIRH"
    assert window.undo_stack.count() == 1
    assert window.action(ActionId.UNDO).text() == "&Undo Record hearing for EX-002"
    window.action(ActionId.UNDO).trigger()
    assert str(model.index(0, CourtModel.NEXT).data()) == "none listed"


def test_escalation_register_in_the_application(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-07-10")
    with qtbot.waitSignal(window.escalations_page.view_ready, timeout=20_000):
        window.action(ActionId.SHOW_ESCALATIONS).trigger()
    page = window.escalations_page
    assert window.stack.currentWidget() is page
    assert [r.ref for r in page.model.rows()] == ["DRP-25-014"]
    row = page.model.find(lambda r: r.ref == "DRP-25-014")
    assert page.model.index(row, 7).data() == "Green – due in 4 WD"
    page.select("EX-003", "DRP-25-014")
    assert page.escalate_button.isEnabled() and page.response_button.isEnabled()
    with qtbot.waitSignal(page.open_child_requested):
        page.open_button.click()
    assert window.child_page.current_child_id() == "EX-003"
    assert window.as_of == date(2025, 7, 10)
