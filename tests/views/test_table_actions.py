"""Every list's many-row selection, Ctrl+C, right-click menu and audited CSV / XLSX export
(`views.table_actions`), on the real pages' views against a real database."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from models.domain.records import ChildRecord, EventRecord
from models.screens.overview import build_overview
from models.storage import audit, store
from models.storage.db import Database, open_database
from views import prompts
from views import register_model as rm
from views.court_page import CourtPage
from views.escalations_page import EscalationsPage
from views.register_page import RegisterPage
from views.today_page import TodayPage

SEPTEMBER = date(2025, 9, 1)


def _register(qtbot: QtBot, db: Database) -> RegisterPage:
    page = RegisterPage()
    qtbot.addWidget(page)
    page.set_rows(build_overview(db, SEPTEMBER).children)
    page.table_actions.set_database(lambda: db)
    page.show()
    qtbot.waitExposed(page)
    return page


def _select(view: QAbstractItemView, *rows: int) -> None:
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().clearSelection()
    for row in rows:
        view.selectionModel().select(view.model().index(row, 0), flags)


def test_many_rows_copy_with_headers_as_tab_separated_text(qtbot: QtBot, example_db: Database) -> None:
    page = _register(qtbot, example_db)
    table = page.table
    assert table.selectionMode() is QAbstractItemView.SelectionMode.ExtendedSelection
    # Click the first row, shift-click the third: three rows selected, as a person selects them.
    model = page.model
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(model.index(0, 1)).center()
    )
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        table.visualRect(model.index(2, 1)).center(),
    )
    assert len(table.selectionModel().selectedRows()) == 3
    QGuiApplication.clipboard().clear()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    header = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    assert lines[0].split("\t") == header
    assert [line.split("\t")[rm.ID] for line in lines[1:]] == ["EX-001", "EX-002", "EX-003"]
    assert lines[2].split("\t")[rm.NAME] == "Ben Example"
    assert lines[1].split("\t")[rm.RAG] == model.index(0, rm.RAG).data()


def test_the_right_click_menu_offers_the_rows_actions_then_copy_and_export(
    qtbot: QtBot, example_db: Database
) -> None:
    store.save_event(
        example_db,
        "EX-001",
        EventRecord(
            "r",
            "drp_raised",
            date(2025, 8, 1),
            {"ref": "DRP-25-030", "stage": 0, "category": "care_planning"},
        ),
    )
    page = EscalationsPage(example_db, QUndoStack(), SEPTEMBER)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.view_ready, timeout=5000):
        page.show()
    assert page.model.rowCount() > 0
    page.select("EX-001", "DRP-25-030")
    assert page.open_button.isEnabled()
    menu = page.table_actions.menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    buttons = [b.text().replace("&", "") for b in (page.open_button, page.escalate_button)]
    assert texts[: len(buttons)] == buttons
    assert texts[-3:] == ["&Copy", "Export to &CSV…", "Export to &XLSX…"]
    # An entry does what its button does, and is enabled as the button is.
    entries = {a.text(): a for a in menu.actions()}
    assert entries["Resolve…"].isEnabled() == page.resolve_button.isEnabled()
    with qtbot.waitSignal(page.open_child_requested) as opened:
        entries["Open child"].trigger()
    assert opened.args == ["EX-001"]


def test_court_right_click_keeps_its_actions(qtbot: QtBot, example_db: Database) -> None:
    page = CourtPage(example_db, QUndoStack(), SEPTEMBER)
    qtbot.addWidget(page)
    texts = [a.text() for a in page.table_actions.menu().actions() if not a.isSeparator()]
    assert texts[0] == "Open child"
    assert texts[-3:] == ["&Copy", "Export to &CSV…", "Export to &XLSX…"]
    for view in (page.table, page.pending_table, page.concluded_table):
        assert view.contextMenuPolicy() is Qt.ContextMenuPolicy.CustomContextMenu
        assert view.selectionMode() is QAbstractItemView.SelectionMode.ExtendedSelection


def test_export_to_xlsx_reads_back_and_is_audited(
    qtbot: QtBot, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _register(qtbot, example_db)
    target = tmp_path / "register.xlsx"
    monkeypatch.setattr(prompts, "ask_save_xlsx", lambda parent, suggested, title: target)
    assert page.table_actions.export("xlsx") == target
    assert target.stat().st_mode & 0o777 == 0o600
    sheet = openpyxl.load_workbook(target, read_only=True).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    model = page.model
    assert rows[0] == [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert [r[rm.ID] for r in rows[1:]] == ["EX-001", "EX-002", "EX-003"]
    entry = audit.entries(example_db, limit=1)[0]
    assert (entry.action, entry.entity, entry.entity_id) == ("export", "register", str(target))


def test_export_to_csv_neutralises_formulas(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_child(db, ChildRecord("T-1", {"given_name": '=HYPERLINK("x")', "family_name": "Test"}))
    page = _register(qtbot, db)
    target = tmp_path / "register.csv"
    monkeypatch.setattr(prompts, "ask_save_csv", lambda parent, suggested, title: target)
    page.table_actions.export("csv")
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][rm.NAME].startswith("'=HYPERLINK")


def test_export_is_refused_on_a_read_only_database_before_any_file(
    qtbot: QtBot, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert example_db.path is not None
    read_only = open_database(example_db.path, read_only=True)
    page = _register(qtbot, read_only)
    said: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: said.append(text))
    monkeypatch.setattr(prompts, "ask_save_csv", lambda *a: pytest.fail("asked where to write"))
    assert page.table_actions.export("csv") is None
    assert len(said) == 1 and "read-only" in said[0]
    assert not list(tmp_path.glob("*.csv"))
    read_only.engine.dispose()


def test_today_copies_its_rows_with_their_stage(qtbot: QtBot, example_db: Database) -> None:
    page = TodayPage()
    qtbot.addWidget(page)
    overview = build_overview(example_db, SEPTEMBER)
    page.set_items(overview.attention, SEPTEMBER)
    tree = page.tree
    assert tree.selectionMode() is QAbstractItemView.SelectionMode.ExtendedSelection
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    group = next(
        page.model.index(r, 0)
        for r in range(page.model.rowCount())
        if page.model.rowCount(page.model.index(r, 0)) > 1
    )
    tree.selectionModel().select(page.model.index(0, 0, group), flags)
    tree.selectionModel().select(page.model.index(1, 0, group), flags)
    page.table_actions.copy()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[0] == "Stage"
    assert len(lines) == 3
    assert all(line.split("\t")[0] == group.data() for line in lines[1:])
