"""The table view every long list uses: whole rows selected, read-only, fixed row heights.

Fixed heights matter: with `ResizeToContents` on the vertical header, a view measures every one of
fifty thousand rows. Sorting is left to the model (in Python), never to a proxy.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def list_table(
    parent: QWidget,
    model: QAbstractItemModel,
    *,
    row_height: int | None = None,
    widths: dict[int, int] | None = None,
    stretch_last: bool = False,
    sortable: bool = True,
) -> QTableView:
    """A read-only table of whole rows over `model`, rows `row_height` high (one line by default),
    columns `widths` wide, in the order the model gives until a header is clicked."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(row_height if row_height is not None else view.fontMetrics().height() + 10)
    rows.hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch_last)
    header.setHighlightSections(False)
    for column, width in (widths or {}).items():
        header.resizeSection(column, width)
    if sortable:  # the model sorts itself, in Python
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)
    return view
