"""The children register, driven as a user drives it, against a real database."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from models.domain.journey import Stage
from models.domain.rules import Rag
from models.screens.overview import NONE, build_overview
from models.storage.db import Database
from views import register_model as rm
from views.register_page import RegisterPage

SEPTEMBER = date(2025, 9, 1)
MARCH = date(2025, 3, 3)


def _page(qtbot: QtBot, db: Database, as_of: date = SEPTEMBER) -> RegisterPage:
    page = RegisterPage()
    qtbot.addWidget(page)
    page.set_rows(build_overview(db, as_of).children)
    return page


def _ids(page: RegisterPage) -> list[str]:
    return page.model.visible_ids()


def _choose(combo: object, value: object) -> None:
    index = combo.findData(value)  # type: ignore[attr-defined]
    assert index >= 0, value
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def test_model_passes_qtmodeltester(qtmodeltester: ModelTester, example_db: Database) -> None:
    model = rm.RegisterModel()
    model.set_rows(build_overview(example_db, SEPTEMBER).children)
    qtmodeltester.check(model)
    model.sort(rm.NAME, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_every_column_shows_the_child(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    model = page.model
    row = model.row_of("EX-002")
    shown = {
        model.headerData(c, Qt.Orientation.Horizontal): model.index(row, c).data()
        for c in range(model.columnCount())
    }
    assert shown == {
        "ID": "EX-002",
        "Name": "Ben Example",
        "Age": "4",
        "Worst RAG": "Red – 3 overdue, 1 due soon",
        "Next due": "02/04/2025",
        "Next deadline": "Looked-after visit",
        "Current stages": "Court, Looked after",
        "Team": "Court Team",
        "Social worker": "K. Patel",
        "Reviewing officer": "P. Jones",
    }
    rag = model.index(row, rm.RAG)
    assert rag.data(Qt.ItemDataRole.BackgroundRole) is not None  # coloured and labelled
    assert rag.data(rm.ID_ROLE) == "EX-002"


def test_search_as_you_type_and_the_count(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    assert page.count_label.text() == "3 of 3 children"
    qtbot.keyClicks(page.search, "cara")
    assert _ids(page) == ["EX-003"]
    assert page.count_label.text() == "1 of 3 children"
    page.search.clear()
    qtbot.keyClicks(page.search, "ex-002")
    assert _ids(page) == ["EX-002"]
    page.search.clear()
    assert page.count_label.text() == "3 of 3 children"


def test_filters_by_rag_stage_team_and_people(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db, MARCH)
    _choose(page.rag_filter, Rag.RED.value)
    assert _ids(page) == ["EX-001"]
    _choose(page.rag_filter, NONE)
    assert _ids(page) == ["EX-003"]
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    assert _ids(page) == ["EX-001", "EX-002", "EX-003"]
    _choose(page.stage_filter, Stage.COURT.value)
    assert _ids(page) == ["EX-002"]
    page.clear_button.click()
    _choose(page.team_filter, "Child Protection East")
    assert _ids(page) == ["EX-001"]
    assert page.count_label.text() == "1 of 3 children"
    page.clear_button.click()
    _choose(page.officer_filter, "P. Jones")
    _choose(page.worker_filter, "K. Patel")
    assert _ids(page) == ["EX-002"]


def test_filters_survive_new_rows(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db, MARCH)
    _choose(page.stage_filter, Stage.LOOKED_AFTER.value)
    assert _ids(page) == ["EX-002"]
    page.set_rows(build_overview(example_db, SEPTEMBER).children)
    assert _ids(page) == ["EX-002", "EX-003"]


def test_sorting_by_clicking_a_column(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    page.show()
    header = page.table.horizontalHeader()
    page.table.sortByColumn(rm.NAME, Qt.SortOrder.DescendingOrder)
    assert _ids(page) == ["EX-003", "EX-002", "EX-001"]
    page.table.sortByColumn(rm.NEXT_DUE, Qt.SortOrder.AscendingOrder)
    assert _ids(page) == ["EX-001", "EX-002", "EX-003"]
    page.table.sortByColumn(rm.AGE, Qt.SortOrder.AscendingOrder)
    assert _ids(page) == ["EX-002", "EX-001", "EX-003"]
    assert header.sortIndicatorSection() == rm.AGE
    # Sorting keeps the search.
    qtbot.keyClicks(page.search, "a")  # "ava", "cara"; "ben example" has an a too
    page.table.sortByColumn(rm.ID, Qt.SortOrder.DescendingOrder)
    assert _ids(page) == ["EX-003", "EX-002", "EX-001"]


def test_every_column_sorts(example_db: Database) -> None:
    model = rm.RegisterModel()
    model.set_rows(build_overview(example_db, MARCH).children)
    for column in range(model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(column, order)
            assert sorted(model.visible_ids()) == ["EX-001", "EX-002", "EX-003"]
    model.sort(rm.RAG, Qt.SortOrder.AscendingOrder)
    assert model.visible_ids() == ["EX-001", "EX-002", "EX-003"]  # red, green, nothing open


def test_big_list_structure(qtbot: QtBot, example_db: Database) -> None:
    """Fixed, uniform row heights and no sorting proxy: what keeps 50,000 rows quick."""
    page = _page(qtbot, example_db)
    vertical = page.table.verticalHeader()
    assert vertical.sectionResizeMode(0) is QHeaderView.ResizeMode.Fixed
    assert not isinstance(page.table.model(), QSortFilterProxyModel)
    assert page.table.model() is page.model


def test_activating_a_row_asks_to_open_the_child(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    page.show()
    qtbot.waitExposed(page)
    index = page.model.index(page.model.row_of("EX-003"), rm.NAME)
    rect = page.table.visualRect(index)
    with qtbot.waitSignal(page.open_child_requested) as blocker:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["EX-003"]


def test_enter_in_the_search_opens_the_match(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    page.show()
    qtbot.waitExposed(page)
    qtbot.keyClicks(page.search, "Ben")
    assert _ids(page) == ["EX-002"]
    with qtbot.waitSignal(page.open_child_requested) as blocker:
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert blocker.args == ["EX-002"]


def test_down_in_the_search_moves_into_the_results(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.focus_search()
    qtbot.keyClicks(page.search, "EX-00")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.table.hasFocus()
    assert page.selected_child() == _ids(page)[0]
    # Down again walks the results; Enter opens the one reached.
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.selected_child() == _ids(page)[1]
    with qtbot.waitSignal(page.open_child_requested) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [_ids(page)[1]]


def test_the_reason_for_the_selected_child_is_shown_under_the_table(
    qtbot: QtBot, example_db: Database
) -> None:
    page = _page(qtbot, example_db)
    page.table.selectRow(page.model.row_of("EX-003"))
    assert page.why.text() == (
        "Cara Example (EX-003) — Looked-after visit (overdue): Next looked-after visit due 42 days after "
        "the visit on 28/05/2025, i.e. by 09/07/2025; not made by 01/09/2025: 54 days overdue."
    )
    page.set_rows(build_overview(example_db, MARCH).children)  # a new position: nothing selected
    assert page.why.text() == "Select a line to see why it is flagged."
    page.table.selectRow(page.model.row_of("EX-003"))
    assert page.why.text() == "Cara Example (EX-003) — Nothing is open."


def test_a_new_position_being_worked_out_keeps_the_rows_and_says_so(
    qtbot: QtBot, example_db: Database
) -> None:
    page = _page(qtbot, example_db)
    row = page.model.row_of("EX-003")
    assert page.model.index(row, rm.RAG).data() == "Red – 1 overdue"
    page.set_pending()
    assert page.model.index(row, rm.RAG).data() == "Working out…"
    assert (
        page.model.index(row, rm.NEXT_DUE).data() == ""
        and page.model.index(row, rm.NAME).data() == "Cara Example"
    )
    assert page.model.index(row, rm.RAG).data(Qt.ItemDataRole.BackgroundRole) is None  # no stale colour
    assert not page.loading_label.isHidden()
    page.table.selectRow(row)
    assert page.why.text() == "Cara Example (EX-003) — Working out deadlines…"
    page.set_rows(build_overview(example_db, MARCH).children)
    assert (
        page.model.index(page.model.row_of("EX-003"), rm.RAG).data() == "—" and page.loading_label.isHidden()
    )


def test_an_edit_of_one_child_updates_its_row_in_place(qtbot: QtBot, example_db: Database) -> None:
    """After an edit the register keeps its selection and its other rows: no reset of the list."""
    import dataclasses

    page = _page(qtbot, example_db)
    rows = list(page.model.all_rows)
    page.table.selectRow(page.model.row_of("EX-003"))
    resets: list[object] = []
    page.model.modelReset.connect(lambda: resets.append(True))
    changed = [dataclasses.replace(r, name="Cara Changed") if r.id == "EX-003" else r for r in rows]
    with qtbot.waitSignal(page.model.dataChanged):
        page.update_children(changed, ["EX-003"])
    assert resets == []
    row = page.model.row_of("EX-003")
    assert page.model.index(row, rm.NAME).data() == "Cara Changed"
    assert page.table.currentIndex().row() == row  # still selected
    assert page.why.text().startswith("Cara Changed (EX-003)")


def test_an_edit_that_moves_a_row_under_the_sort_shows_the_list_again(
    qtbot: QtBot, example_db: Database
) -> None:
    import dataclasses

    page = _page(qtbot, example_db)
    page.table.sortByColumn(rm.NAME, Qt.SortOrder.AscendingOrder)
    rows = list(page.model.all_rows)
    resets: list[object] = []
    page.model.modelReset.connect(lambda: resets.append(True))
    changed = [dataclasses.replace(r, name="Aaron First") if r.id == "EX-003" else r for r in rows]
    page.update_children(changed, ["EX-003"])
    assert resets  # the row moved: the list is shown again, sorted
    assert page.model.row_of("EX-003") == 0
