"""Running a form until what it holds is saved: one mechanism for every record form.

A save that fails (a refused change, a read-only file, a full disk) has said why; the same dialog
is then shown again exactly as the person left it, so nothing they typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtWidgets import QDialog

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class RecordForm(Protocol[R_co]):
    """A modal form whose `record()` is the valid record entered, or None while it is not."""

    def exec(self) -> int: ...

    def record(self) -> R_co | None: ...

    def deleteLater(self) -> None: ...


def exec_until_saved(dialog: QDialog, save: Callable[[], bool]) -> bool:
    """Run a form modally until `save()` succeeds (True) or the person cancels (False)."""
    while dialog.exec() == QDialog.DialogCode.Accepted:
        if save():
            return True
    return False


def ask_until_saved(dialog: RecordForm[R], save: Callable[[R], bool] | None) -> R | None:
    """Run a record form (and delete it afterwards); the record, once `save(record)` succeeded.

    Without `save`, the first valid record is returned for the caller to save.
    """
    try:
        while dialog.exec() == QDialog.DialogCode.Accepted:
            record = dialog.record()
            if record is not None and (save is None or save(record)):
                return record
        return None
    finally:
        dialog.deleteLater()
