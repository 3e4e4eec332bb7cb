"""Keeping a page's rows current: built in the background when needed, patched after each change.

A page over the whole caseload (the court page, the escalation register) must not freeze the
window: its rows are built by a `Runner` — the main window passes `desktop.work.run_in_background`;
the default runs at once, for tests and tools — and only while the page is shown (a hidden page
is marked stale and built when it is next shown). After a change on the shared undo stack (from
any page, or an undo or redo), only the children the command touched are rebuilt and merged in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from models.storage.db import Database
from views.recording import while_alive

V = TypeVar("V")

#: Runs `fn` somewhere, then calls `on_done(result)` or `on_error(exc)` on the GUI thread.
Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]


def run_now(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None]
) -> None:
    """A `Runner` that runs the work at once, on the calling thread."""
    try:
        result = fn()
    except Exception as exc:
        on_error(exc)
    else:
        on_done(result)


def touched_children(command: QUndoCommand | None) -> set[str] | None:
    """The children a command (or a macro of commands) changed; None when it cannot be told."""
    if command is None:
        return None
    found: set[str] = set()
    child_id = getattr(command, "child_id", None)
    if isinstance(child_id, str):
        found.add(child_id)
    for i in range(command.childCount()):
        inner = touched_children(command.child(i))
        if inner is None:
            return None
        found |= inner
    return found or None


class LiveRows(QObject, Generic[V]):
    """The data of one page at the as-of date.

    Args:
        widget: the page; its visibility decides whether a stale build starts now or later.
        build: `build(db, as_of, child_ids)` — every child when `child_ids` is None.
        merge: `merge(old, partial, child_ids)` — the old data with those children replaced.
        run: where full builds run (see `Runner`); partial ones run at once (one child is quick).

    Signals:
        loading_changed(bool): a full build started (True) or ended (False).
        failed(str): a full build failed; carries the reason.
    """

    loading_changed = Signal(bool)
    failed = Signal(str)

    def __init__(
        self,
        widget: QWidget,
        db: Database,
        as_of: date,
        build: Callable[[Database, date, Sequence[str] | None], V],
        merge: Callable[[V, V, Sequence[str]], V],
        on_ready: Callable[[V], None],
        run: Runner = run_now,
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self.db = db
        self.as_of = as_of
        self._build = build
        self._merge = merge
        self._on_ready = on_ready
        self._run = run
        self.data: V | None = None
        self.stale = True
        self.loading = False
        self._generation = 0
        self._dirty: set[str] = set()
        self._stack: QUndoStack | None = None
        self._stack_index = 0

    # --- what the page calls ------------------------------------------------------------------

    def set_as_of(self, as_of: date) -> None:
        self.as_of = as_of
        self.invalidate()

    def set_database(self, db: Database) -> None:
        self.db = db
        self.invalidate()

    def invalidate(self) -> None:
        """Everything may have changed: rebuild now if the page is shown, else when it is."""
        self.stale = True
        if self._widget.isVisible():
            self.reload()

    def ensure(self) -> None:
        """Build if stale (the page is being shown)."""
        if self.stale and not self.loading:
            self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation, db, as_of = self._generation, self.db, self.as_of
        self.stale = False
        self.loading = True
        self._dirty.clear()
        self.loading_changed.emit(True)
        self._run(
            lambda: self._build(db, as_of, None),
            lambda data: self._on_built(generation, data),
            lambda exc: self._on_failed(generation, exc),
        )

    def children_changed(self, child_ids: Sequence[str] | None) -> None:
        """Rebuild some children (None: all of them) after a change."""
        if child_ids is None:
            self.invalidate()
            return
        if self.loading:
            self._dirty.update(child_ids)
            return
        if self.data is None or self.stale:
            return  # the next full build reads them anyway
        ids = sorted(set(child_ids))
        self.data = self._merge(self.data, self._build(self.db, self.as_of, ids), ids)
        self._on_ready(self.data)

    def watch(self, stack: QUndoStack) -> None:
        """Rebuild the children of every command applied, undone or redone on `stack`."""
        self._stack = stack
        self._stack_index = stack.index()
        # The stack outlives the page: hold the page weakly.
        stack.indexChanged.connect(while_alive(self._on_stack_index_changed))

    def _on_stack_index_changed(self, index: int) -> None:
        stack = self._stack
        old, self._stack_index = self._stack_index, index
        if stack is None or not shiboken6.isValid(stack):
            return  # the stack is being destroyed (the window is closing)
        if stack.count() == 0:
            return  # cleared (another database): clearing changes no record
        touched: set[str] = set()
        for i in range(min(old, index), max(old, index)):
            ids = touched_children(stack.command(i))
            if ids is None:  # cleared, or a command that does not say which child it changed
                self.children_changed(None)
                return
            touched |= ids
        if touched:
            self.children_changed(sorted(touched))

    # --- results ------------------------------------------------------------------------------

    def _on_built(self, generation: int, data: V) -> None:
        if generation != self._generation:
            return  # a newer build is on its way
        self.loading = False
        self.data = data
        if self._dirty:
            ids = sorted(self._dirty)
            self._dirty.clear()
            self.data = self._merge(data, self._build(self.db, self.as_of, ids), ids)
        self.loading_changed.emit(False)
        self._on_ready(self.data)

    def _on_failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.stale = True
        self.loading_changed.emit(False)
        self.failed.emit(str(exc))
