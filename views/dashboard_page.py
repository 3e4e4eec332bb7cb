"""The Dashboard: every measure for a period, its trend chart, and the children behind a figure.

The same figures as `measures` and the board report (`models.screens.measures.measure_set`): a
table of measures (this period, the previous one like with like, the change and the judgement
against its target, in words as well as colour); choosing one draws its 12-period trend with the
target and milestones (QtCharts) and lists the children it counts. Double-clicking a child opens
their record. The figures are built off the GUI thread by the page's runner.

Signals:
    open_child_requested(str): the person asked to open this child's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Final

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from models.domain.period import Period
from models.domain.rules import Rag
from models.screens.facts import load_caseload
from models.screens.measures import Figure, MeasureSet, measure_set
from models.storage.db import Database
from views.live_rows import Runner, run_now
from views.period_picker import PeriodPicker
from views.row_model import RowTableModel
from views.tables import list_table

#: Periods in the trend chart.
TREND_PERIODS: Final = 12


@dataclass(frozen=True, slots=True)
class ChildLine:
    """One child behind a figure: counted towards it (a percentage's numerator) or not."""

    child_id: str
    name: str
    counts: bool


class FigureModel(RowTableModel[Figure]):
    HEADERS: ClassVar = {
        0: "Measure",
        1: "What it counts",
        2: "This period",
        3: "Previous",
        4: "Change",
        5: "Against the target",
    }
    RIGHT_ALIGNED: ClassVar = frozenset({2, 3})

    def display(self, row: Figure, column: int) -> str:
        judgement = row.judgement
        return [
            row.id,
            row.definition.title,
            f"{row.text} ({row.counts})" if row.counts else row.text,
            row.previous_text,
            f"{row.direction_text} ({row.good_text})",
            judgement.text if judgement is not None else "a count: no target",
        ][column]

    def sort_value(self, row: Figure, column: int) -> Any:
        return [row.id, row.definition.title, row.value, row.previous_value, row.change, None][column]

    def row_id(self, row: Figure) -> str:
        return row.id

    def rag(self, row: Figure, column: int) -> Rag | None:
        judgement = row.judgement
        return judgement.rag if column == 5 and judgement is not None else None


class ChildLineModel(RowTableModel[ChildLine]):
    HEADERS: ClassVar = {0: "Child", 1: "Name", 2: "Counted"}

    def display(self, row: ChildLine, column: int) -> str:
        return [row.child_id, row.name, "yes" if row.counts else "no"][column]

    def sort_value(self, row: ChildLine, column: int) -> Any:
        return [row.child_id, row.name, row.counts][column]

    def row_id(self, row: ChildLine) -> str:
        return row.child_id


def build_figures(db: Database, as_of: date, period: Period) -> tuple[MeasureSet, dict[str, str]]:
    """The period's figures with their trends, and every child's name (off the GUI thread)."""
    caseload = load_caseload(db, as_of)
    return measure_set(caseload, period, trend=TREND_PERIODS), {c.id: c.name for c in caseload.children}


class DashboardPage(QWidget):
    open_child_requested = Signal(str)

    def __init__(
        self, db: Database, as_of: date, parent: QWidget | None = None, *, run: Runner = run_now
    ) -> None:
        super().__init__(parent)
        self.db = db
        self._as_of = as_of
        self._run = run
        self._names: dict[str, str] = {}
        self.found: MeasureSet | None = None
        self._stale = True

        self.picker = PeriodPicker(as_of, self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.figures = FigureModel(self)
        self.figure_view = list_table(
            self, self.figures, widths={0: 60, 1: 330, 2: 130, 3: 80, 4: 220}, stretch_last=True
        )
        self.chart = QChart()
        self.chart.legend().setVisible(False)
        self.chart_view = QChartView(self.chart, self)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(220)
        self.children_label = QLabel("Choose a measure to see the children behind it.", self)
        self.children_label.setWordWrap(True)
        self.child_lines = ChildLineModel(self)
        self.child_view = list_table(self, self.child_lines, widths={0: 120, 1: 200}, stretch_last=True)

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.chart_view)
        side = QWidget(lower)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.children_label)
        side_layout.addWidget(self.child_view, 1)
        lower.addWidget(side)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([760, 520])
        self.chart_view.setMinimumWidth(420)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.figure_view)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

        self.picker.period_changed.connect(self._on_picker_period_changed)
        selection = self.figure_view.selectionModel()
        selection.currentRowChanged.connect(self._on_figure_view_current_row_changed)
        self.child_view.doubleClicked.connect(self._on_child_view_double_clicked)

    # --- data in ------------------------------------------------------------------------------

    def set_as_of(self, day: date) -> None:
        self._as_of = day
        self.picker.fill(day, self.picker.period())

    def set_database(self, db: Database) -> None:
        self.db = db
        self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the figures now if shown, else when next shown."""
        period = self.picker.period()
        if period is None:
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self.status.setText(f"Working out the measures for {period.label}…")
        db, as_of = self.db, self._as_of
        self._run(lambda: build_figures(db, as_of, period), self._on_built, self._on_failed)

    def _on_built(self, result: tuple[MeasureSet, dict[str, str]]) -> None:
        found, names = result
        if found.period != self.picker.period():
            return  # the person chose another period meanwhile; its build is on its way
        self.found, self._names = found, names
        m = found.measures
        to_date = " (to date)" if m.to_date else ""
        self.status.setText(
            f"{found.period.label}{to_date}: {m.span.start:%d/%m/%Y} to {m.span.end:%d/%m/%Y}, as of "
            f"{m.as_of:%d/%m/%Y}; compared with {found.previous.period.label}, counted like with like."
        )
        self.figures.set_rows(found.figures)
        if found.figures:
            self.figure_view.selectRow(0)

    def _on_failed(self, exc: Exception) -> None:
        self.status.setText(f"The measures could not be worked out: {exc}")

    # --- one figure ---------------------------------------------------------------------------

    def show_figure(self, figure: Figure) -> None:
        """Draw the figure's trend and list the children behind it."""
        self._draw(figure)
        lines = [ChildLine(cid, self._names.get(cid, ""), counts) for cid, counts in figure.children]
        lines.sort(key=lambda line: line.counts)  # those not counted (the gap to the target) first
        self.child_lines.set_rows(lines)
        counted = sum(1 for line in lines if line.counts)
        if figure.definition.is_percent:
            words = (
                f"{figure.id}: {len(lines)} children in the cohort, {counted} counted towards the percentage."
            )
        else:
            words = f"{figure.id}: {len(lines)} counted."
        self.children_label.setText(words + " Double-click a child to open their record.")

    def _draw(self, figure: Figure) -> None:
        # A fresh chart each time: the view takes it over and deletes the one before, axes and all.
        chart = self.chart = QChart()
        chart.legend().setVisible(False)
        self.chart_view.setChart(chart)
        chart.setTitle(f"{figure.id} {figure.definition.title}: {len(figure.trend)} periods")
        labels = [p.short_label.replace(" 20", " '") for p, _ in figure.trend]
        x_axis = QBarCategoryAxis()
        x_axis.append(labels)
        x_axis.setLabelsAngle(-45)
        small = QFont(x_axis.labelsFont())
        small.setPointSizeF(max(small.pointSizeF() - 2, 6.0))
        x_axis.setLabelsFont(small)
        y_axis = QValueAxis()
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        if figure.definition.is_percent:
            y_axis.setRange(0, 100)
            y_axis.setLabelFormat("%d%%")
            series = QLineSeries()
            series.setName(figure.id)
            series.setPointsVisible(True)
            for i, (_, value) in enumerate(figure.trend):
                if value is not None:
                    series.append(i, value)
            self._add(series, x_axis, y_axis)
            target = figure.target
            if target is not None:
                lines = [(target.target, Qt.PenStyle.SolidLine)] + [
                    (m, Qt.PenStyle.DashLine) for m in target.milestones
                ]
                for value, style in lines:
                    line = QLineSeries()
                    line.append(0, value)
                    line.append(max(len(labels) - 1, 1), value)
                    line.setPen(QPen(QColor("#495057"), 1, style))
                    self._add(line, x_axis, y_axis)
        else:
            bars = QBarSet(figure.id)
            bars.append([value or 0.0 for _, value in figure.trend])
            series_bars = QBarSeries()
            series_bars.append(bars)
            chart.addSeries(series_bars)
            series_bars.attachAxis(x_axis)
            series_bars.attachAxis(y_axis)
            y_axis.setRange(0, max([v or 0.0 for _, v in figure.trend] + [1.0]) * 1.15)
            y_axis.setLabelFormat("%d")

    def _add(self, series: QLineSeries, x_axis: QBarCategoryAxis, y_axis: QValueAxis) -> None:
        self.chart.addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    # --- handlers -----------------------------------------------------------------------------

    def _on_picker_period_changed(self) -> None:
        self.refresh()

    def _on_figure_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_figure(self.figures.row_at(current.row()))

    def _on_child_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_child_requested.emit(self.child_lines.row_at(index.row()).child_id)
