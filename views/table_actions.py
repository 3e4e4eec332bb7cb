"""What every list offers besides its own buttons: many rows selected, Ctrl+C, and a right-click menu.

`TableActions(view, ...)` is the one helper each list's view gets (Today, the register, the
court tabs, the escalations, the audit log), not a copy per page. It lets many rows be selected;
Ctrl+C (and "Copy") puts the selected rows, headers first, on the clipboard as tab-separated text,
which pastes into a spreadsheet as cells; the right-click menu offers the row's own actions (the
view's actions and the page's row buttons, enabled as they are) and then "Copy", "Export to CSV…"
and "Export to XLSX…". An export writes every row the list shows through the one audited path
(`models.io.audited_export.export_table`: neutralised, 0600, an audit row, or no file at all).

A tree (Today) is copied and exported as its leaf rows, each with its group's title first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QMenu

from models.io.audited_export import export_table
from models.storage.db import Database
from views import prompts
from views.write_errors import explain_write_failure

#: The formats an export offers: (format, menu text).
FORMATS: Final = (("csv", "Export to &CSV…"), ("xlsx", "Export to &XLSX…"))


def _rows(
    model: QAbstractItemModel, parent: QModelIndex | None = None
) -> Iterable[tuple[str | None, int, QModelIndex]]:
    """Every leaf row of `model`: (its group's title or None, row, parent index)."""
    parent = parent if parent is not None else QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if model.rowCount(index) > 0:
            title = index.data()
            for _, child_row, child_parent in _rows(model, index):
                yield (str(title) if title is not None else ""), child_row, child_parent
        else:
            yield None, row, parent


class TableActions(QObject):
    """Copy, export and the right-click menu of one list's view (see the module's docstring).

    Args:
        view: the list's table or tree view.
        what: what an export is of, as the audit log names it ("register", "court").
        file_stem: the start of a suggested file name ("children-register").
        database: the database in use (an export is audited there); None until it is given with
            `set_database` (the main window's pages do not hold one).
        row_buttons: the page's buttons acting on the selected row, offered in the menu too.
        skip_columns: columns that are pictures, not text (the court ruler).
        group_header: the header of the group column of a tree.
        details: more to record in the export's audit row (the filter shown).
    """

    def __init__(
        self,
        view: QAbstractItemView,
        *,
        what: str,
        file_stem: str,
        database: Callable[[], Database] | None = None,
        row_buttons: Sequence[QAbstractButton] = (),
        skip_columns: Iterable[int] = (),
        group_header: str = "Group",
        details: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.what = what
        self.file_stem = file_stem
        self._database = database
        self._row_buttons = list(row_buttons)
        self._skip = frozenset(skip_columns)
        self._group_header = group_header
        self._details = details
        #: The view's own row actions, as the page gave them (before ours were added).
        self._row_actions = list(view.actions())

        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.copy_action = QAction("&Copy", view)
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy)
        view.addAction(self.copy_action)
        self.export_actions: dict[str, QAction] = {}
        for fmt, text in FORMATS:
            action = QAction(text, view)
            action.triggered.connect(lambda _=False, f=fmt: self.export(f))
            self.export_actions[fmt] = action
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._on_view_custom_context_menu_requested)
        # The view's own Ctrl+C copies one cell, without headers, and wins over a shortcut.
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            self.copy()
            return True
        return super().eventFilter(watched, event)

    def set_database(self, database: Callable[[], Database]) -> None:
        self._database = database

    # --- reading the list -------------------------------------------------------------------

    def _columns(self) -> list[int]:
        model = self.view.model()
        return [c for c in range(model.columnCount()) if c not in self._skip]

    def _is_tree(self) -> bool:
        model = self.view.model()
        return any(model.rowCount(model.index(r, 0)) > 0 for r in range(model.rowCount()))

    def header(self) -> list[str]:
        model = self.view.model()
        names = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in self._columns()]
        return [self._group_header, *names] if self._is_tree() else names

    def rows(self, *, selected: bool = False) -> list[list[Any]]:
        """The list's rows as shown (all, or the selected ones), each a list of cells."""
        model = self.view.model()
        chosen: set[tuple[int, int, int]] | None = None
        if selected:
            chosen = set()
            for index in self.view.selectionModel().selectedRows():
                if model.rowCount(index) > 0:  # a group: all its rows
                    chosen.update((r, index.row(), 1) for r in range(model.rowCount(index)))
                else:
                    parent = index.parent()
                    chosen.add((index.row(), parent.row(), 1 if parent.isValid() else 0))
        columns, tree = self._columns(), self._is_tree()
        lines = []
        for group, row, parent in _rows(model):
            key = (row, parent.row(), 1 if parent.isValid() else 0)
            if chosen is None or key in chosen:
                cells = [model.index(row, c, parent).data() for c in columns]
                lines.append([group or "", *cells] if tree else cells)
        return lines

    def text(self) -> str:
        """The selected rows, headers first, as tab-separated lines (pastes into a spreadsheet)."""
        lines = [self.header(), *self.rows(selected=True)]
        return "\n".join("\t".join(_cell_text(v) for v in line) for line in lines) + "\n"

    # --- doing --------------------------------------------------------------------------------

    def copy(self) -> None:
        if not self.view.selectionModel().selectedRows():
            return
        QGuiApplication.clipboard().setText(self.text())

    def export(self, fmt: str) -> Path | None:
        """Ask where, then write every row shown as CSV or XLSX (audited); the file, or None."""
        db = self._database() if self._database is not None else None
        parent = self.view.window()
        if db is None:
            return None
        if db.read_only:  # before a file is asked for, let alone written
            prompts.show_error(
                parent,
                "Nothing was exported",
                "This database is open read-only, and an export is recorded in its audit log, so "
                "nothing can be exported from it.",
            )
            return None
        folder = db.path.parent if db.path is not None else Path.home()
        suggested = folder / f"{self.file_stem}-{date.today():%Y-%m-%d}.{fmt}"
        title = f"Export {self.what} to {fmt.upper()}"
        path = (
            prompts.ask_save_csv(parent, suggested, title)
            if fmt == "csv"
            else prompts.ask_save_xlsx(parent, suggested, title)
        )
        if path is None:
            return None
        details = dict(self._details()) if self._details is not None else {}
        try:
            count = export_table(
                db, path, self.header(), self.rows(), what=self.what, fmt=fmt, details=details
            )
        except OSError as exc:
            prompts.show_error(parent, "Nothing was exported", f"Cannot write {path}: {exc.strerror or exc}.")
            return None
        except Exception as exc:
            if not explain_write_failure(parent, exc):
                raise
            return None
        window = self.view.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(f"{count:,} rows exported to {path}", 10_000)
        return path

    # --- the right-click menu ---------------------------------------------------------------------

    def menu(self) -> QMenu:
        """The menu a right-click shows: the row's actions, then Copy and the exports."""
        menu = QMenu(self.view)
        has_rows = bool(self.view.selectionModel().selectedRows())
        for action in self._row_actions:  # enabled as the page keeps them
            menu.addAction(action)
        for button in self._row_buttons:
            if button.isHidden():
                continue
            item = menu.addAction(button.text().replace("&", ""))
            item.setEnabled(button.isEnabled())
            item.triggered.connect(button.click)
        if self._row_actions or self._row_buttons:
            menu.addSeparator()
        self.copy_action.setEnabled(has_rows)
        menu.addAction(self.copy_action)
        writable = self._database is not None
        for action in self.export_actions.values():
            action.setEnabled(writable and self.view.model().rowCount() > 0)
            menu.addAction(action)
        return menu

    def _on_view_custom_context_menu_requested(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row(), index.parent()):
            self.view.setCurrentIndex(index)  # a right-click on another row acts on that row
        menu = self.menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))


def _cell_text(value: Any) -> str:
    """A cell as the clipboard carries it: on one line, no tabs (they would split the cell)."""
    if value is None:
        return ""
    return " ".join(str(value).split())
