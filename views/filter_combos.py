"""The drop-down filters of the lists (a team, a social worker, a reviewing officer): "any" first,
then the values present, refilled as the rows change while keeping the choice where it is still
there. The register and Today share them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QWidget


def any_combo(parent: QWidget, any_text: str) -> QComboBox:
    """A filter list whose first entry (data None) means any value."""
    combo = QComboBox(parent)
    combo.addItem(any_text, None)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    return combo


def refill(combo: QComboBox, values: Sequence[str], wanted: str | None = None) -> None:
    """Offer `values` ("" as "(not recorded)"), keeping the current choice, or else choosing
    `wanted` (a choice remembered from the last session), where present; no signal is emitted."""
    current = combo.currentData()
    if current is None:
        current = wanted
    combo.blockSignals(True)
    try:
        while combo.count() > 1:
            combo.removeItem(1)
        for value in values:
            combo.addItem(value or "(not recorded)", value)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
    finally:
        combo.blockSignals(False)
