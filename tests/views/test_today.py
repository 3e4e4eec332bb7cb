"""The Today page: overdue and due-soon deadlines by stage, as at the shared examples' dates."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from models.screens.overview import build_overview
from models.storage.db import Database
from views import today_model as tm
from views.today_page import TodayPage

MARCH = date(2025, 3, 3)
SEPTEMBER = date(2025, 9, 1)


def _page(qtbot: QtBot, db: Database, as_of: date) -> TodayPage:
    page = TodayPage()
    qtbot.addWidget(page)
    page.set_items(build_overview(db, as_of).attention, as_of)
    return page


def _lines(model: tm.TodayModel) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        out.append((group.data(),))
        for r in range(model.rowCount(group)):
            out.append(tuple(model.index(r, c, group).data() for c in range(model.columnCount())))
    return out


def test_model_passes_qtmodeltester(qtmodeltester: ModelTester, example_db: Database) -> None:
    model = tm.TodayModel()
    model.set_items(build_overview(example_db, SEPTEMBER).attention)
    qtmodeltester.check(model)
    model.set_items(())
    qtmodeltester.check(model)


def test_march(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db, MARCH)
    assert _lines(page.model) == [
        ("Child protection — 1 overdue, 0 due soon",),
        (
            "OVERDUE",
            "Ava Example",
            "EX-001",
            "Child protection visit",
            "24/02/2025",
            "5 working days overdue",
        ),
    ]
    assert page.overdue_label.text() == "<b>1</b> overdue"
    assert page.due_soon_label.text() == "<b>0</b> due soon"


def test_september_groups_by_stage(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db, SEPTEMBER)
    lines = _lines(page.model)
    assert lines == [
        ("Child protection — 1 overdue, 0 due soon",),
        (
            "OVERDUE",
            "Ava Example",
            "EX-001",
            "Child protection visit",
            "24/02/2025",
            "130 working days overdue",
        ),
        ("Care proceedings — 0 overdue, 1 due soon",),
        (
            "DUE SOON",
            "Ben Example",
            "EX-002",
            "Final order within 26 weeks of issue",
            "26/09/2025",
            "due in 25 days",
        ),
        ("Looked after — 4 overdue, 0 due soon",),
        ("OVERDUE", "Ben Example", "EX-002", "Looked-after visit", "02/04/2025", "152 days overdue"),
        (
            "OVERDUE",
            "Ben Example",
            "EX-002",
            "Permanence plan by the second looked-after review",
            "12/06/2025",
            "81 days overdue",
        ),
        (
            "OVERDUE",
            "Ben Example",
            "EX-002",
            "Second looked-after review within 3 months of the first",
            "12/06/2025",
            "81 days overdue",
        ),
        ("OVERDUE", "Cara Example", "EX-003", "Looked-after visit", "09/07/2025", "54 days overdue"),
    ]
    assert page.overdue_label.text() == "<b>5</b> overdue"
    assert page.due_soon_label.text() == "<b>1</b> due soon"
    status = page.model.index(0, tm.STATUS, page.model.index(0, 0))
    assert status.data(Qt.ItemDataRole.BackgroundRole) is not None  # a label and a colour


def test_nothing_to_do(qtbot: QtBot, db: Database) -> None:
    page = _page(qtbot, db, MARCH)
    assert page.model.rowCount() == 0
    assert not page.empty_label.isHidden()
    assert page.tree.isHidden()


def test_while_the_deadlines_are_worked_out_it_never_claims_nothing_is_due(
    qtbot: QtBot, db: Database
) -> None:
    page = TodayPage()
    qtbot.addWidget(page)
    for shown in (page, _page(qtbot, db, MARCH)):
        shown.set_items((), MARCH, complete=False)  # the quick listing at start-up or a new as-of date
        assert shown.empty_label.text() == "Working out deadlines…"
        assert not shown.empty_label.isHidden() and shown.tree.isHidden()
        assert "Nothing" not in shown.empty_label.text() + shown.overdue_label.text()
        assert shown.overdue_label.text() == "Working out deadlines…"
    page.set_items((), MARCH)  # worked out: now it may say so
    assert page.empty_label.text() == "Nothing is overdue or due soon at this date."


def _choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_the_reason_for_the_selected_line_is_shown_under_the_list(qtbot: QtBot, example_db: Database) -> None:
    page = TodayPage()
    qtbot.addWidget(page)
    overview = build_overview(example_db, SEPTEMBER)
    page.set_items(overview.attention, SEPTEMBER, children=overview.children)
    assert page.why.text() == "Select a line to see why it is flagged."
    page.tree.setCurrentIndex(page.model.index(0, tm.DEADLINE, page.model.index(0, 0)))
    assert page.why.text() == (
        "Ava Example (EX-001) — Child protection visit (overdue): Next child protection visit due 10 "
        "working days after the visit on 10/02/2025, i.e. by 24/02/2025; not made by 01/09/2025: "
        "130 working days overdue."
    )


def test_my_caseload_and_text_filters_narrow_the_lines_and_the_counts(
    qtbot: QtBot, example_db: Database
) -> None:
    page = TodayPage()
    qtbot.addWidget(page)
    overview = build_overview(example_db, SEPTEMBER)
    page.set_items(overview.attention, SEPTEMBER, children=overview.children)
    changed: list[bool] = []
    page.filter_changed.connect(lambda: changed.append(True))
    _choose(page.officer_filter, "P. Jones")  # Ava and Ben's reviewing officer
    assert {line[2] for line in _lines(page.model) if len(line) > 1} == {"EX-001", "EX-002"}
    assert page.overdue_label.text() == "<b>4</b> overdue" and page.shown_label.text() == "5 of 6 lines shown"
    _choose(page.worker_filter, "K. Patel")
    assert {line[2] for line in _lines(page.model) if len(line) > 1} == {"EX-002"}
    page.search.setText("permanence")  # the deadline's words
    assert [line[3] for line in _lines(page.model) if len(line) > 1] == [
        "Permanence plan by the second looked-after review"
    ]
    page.search.setText("ava")  # a child not in this caseload
    assert page.model.item_count() == 0
    assert page.empty_label.text() == "Nothing is overdue or due soon at this date for the filters chosen."
    assert page.filter_state() == {
        "text": "ava",
        "team": None,
        "social_worker": "K. Patel",
        "reviewing_officer": "P. Jones",
    }
    assert len(changed) == 4
    page.clear_button.click()
    assert page.model.item_count() == 6 and page.shown_label.text() == ""
    # Remembered filters name people the lists do not hold yet: chosen once they do.
    fresh = TodayPage()
    qtbot.addWidget(fresh)
    fresh.set_filter_state({"team": "Children in Care"})
    fresh.set_items(overview.attention, SEPTEMBER, children=overview.children)
    assert fresh.team_filter.currentData() == "Children in Care"
    assert {line[2] for line in _lines(fresh.model) if len(line) > 1} == {"EX-003"}


def test_double_click_asks_to_open_the_child(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db, SEPTEMBER)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    group = page.model.index(2, 0)  # looked after
    index = page.model.index(3, tm.CHILD, group)  # Cara
    rect = page.tree.visualRect(index)
    with qtbot.waitSignal(page.open_child_requested) as blocker:
        qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["EX-003"]
    # A group line opens nothing.
    with qtbot.assertNotEmitted(page.open_child_requested):
        rect = page.tree.visualRect(page.model.index(0, 0, QModelIndex()))
        qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
