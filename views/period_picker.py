"""Choosing a reporting period: its kind (month, quarter, ISO week, financial year) and which one.

Shared by the report dialog and the dashboard, so both offer the same periods in the same words.

Signals:
    period_changed(): the kind or the period chosen changed.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from models.domain.period import Period, PeriodKind

#: How many periods back each list goes: three years.
PERIODS_OFFERED: Final = {
    PeriodKind.MONTH: 36,
    PeriodKind.QUARTER: 12,
    PeriodKind.WEEK: 156,
    PeriodKind.YEAR: 3,
}
KIND_LABELS: Final = {
    PeriodKind.MONTH: "Month",
    PeriodKind.QUARTER: "Quarter",
    PeriodKind.WEEK: "ISO week",
    PeriodKind.YEAR: "Financial year",
}


class PeriodPicker(QWidget):
    """A kind combo and a period combo side by side; the newest period (the as-of date's) first."""

    period_changed = Signal()

    def __init__(self, as_of: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._as_of = as_of
        self.kind_combo = QComboBox(self)
        for kind, words in KIND_LABELS.items():
            self.kind_combo.addItem(words, kind)
        self.month_combo = QComboBox(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.kind_combo)
        row.addWidget(self.month_combo, 1)
        self.fill(as_of, Period.last_complete_before(as_of))
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        self.month_combo.currentIndexChanged.connect(lambda _i: self.period_changed.emit())

    def kind(self) -> PeriodKind:
        data = self.kind_combo.currentData()  # Qt hands a StrEnum back as a plain str
        return PeriodKind(data) if data else PeriodKind.MONTH

    def period(self) -> Period | None:
        data = self.month_combo.currentData()
        return data if isinstance(data, Period) else None

    def fill(self, as_of: date, selected: Period | None) -> None:
        """Offer the periods of the chosen kind up to the as-of date's, keeping `selected` if listed."""
        self._as_of = as_of
        kind = self.kind()
        if selected is not None and selected.kind is not kind:
            selected = Period.last_complete_before(as_of, kind)
        blocked = self.month_combo.blockSignals(True)
        self.month_combo.clear()
        newest = Period.of(as_of, kind)
        for k in range(PERIODS_OFFERED[kind]):
            period = newest.shifted(-k)
            self.month_combo.addItem(period.label, period)
        if selected is not None:
            index = next(
                (i for i in range(self.month_combo.count()) if self.month_combo.itemData(i) == selected), 1
            )
            self.month_combo.setCurrentIndex(min(index, self.month_combo.count() - 1))
        self.month_combo.blockSignals(blocked)
        self.period_changed.emit()

    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        self.fill(self._as_of, Period.last_complete_before(self._as_of, self.kind()))
