"""The shared long-list table: fixed row heights, sorting left to the model, no proxy."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QHeaderView, QWidget
from pytestqt.qtbot import QtBot

from views.tables import list_table


def test_list_table_has_fixed_rows_and_sorts_through_its_own_model(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    model = QStringListModel(["b", "a"])
    view = list_table(parent, model, row_height=31, widths={0: 120}, stretch_last=True)
    rows = view.verticalHeader()
    assert rows.sectionResizeMode(0) is QHeaderView.ResizeMode.Fixed
    assert rows.defaultSectionSize() == 31 and rows.isHidden()
    assert view.model() is model  # no proxy in between
    assert view.isSortingEnabled()
    assert view.horizontalHeader().sectionSize(0) == 120
    assert view.horizontalHeader().stretchLastSection()
