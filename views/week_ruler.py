"""The week ruler of the court page: one child's proceedings drawn on weeks 1 to 26 and beyond.

Each row shows a tick per week, the line at the end of week 26, today's week (a triangle and a
line), the hearings as markers whose shape and letter say their kind (filled once held, hollow
with a dashed edge while only listed), each extension as a band labelled with its reason, the
projected end (a thick bar) and, once past it, the overrun hatched. Nothing relies on colour
alone: `RulerLegend` spells out every shape, and the tooltip gives the details in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from models.domain.choices import EXTENSION_REASONS, HEARING_KINDS
from models.screens.child_view import choice_label
from models.screens.court_view import REASON_SHORT, STATUTORY_WEEKS, CourtRow, ExtensionBand, HearingMark
from views.flow_layout import FlowLayout
from views.labels import fmt_date
from views.row_model import ROW_ROLE

#: The height a row needs for the ruler (scale, track, hearings).
ROW_HEIGHT: Final = 48


class Shape(Enum):
    CIRCLE = "circle"
    SQUARE = "square"
    DIAMOND = "diamond"
    TRIANGLE = "triangle"
    HEXAGON = "hexagon"


@dataclass(frozen=True)
class Mark:
    letter: str
    shape: Shape
    colour: QColor
    name: str


#: Every hearing kind: a letter, a shape and a colour (the shape and letter carry the meaning).
HEARING_MARKS: Final = {
    "ico": Mark("I", Shape.CIRCLE, QColor("#59359a"), "Interim care order hearing (ICO)"),
    "cmh": Mark("C", Shape.SQUARE, QColor("#0a58ca"), "Case management hearing (CMH)"),
    "fcmh": Mark("C2", Shape.SQUARE, QColor("#084298"), "Further case management hearing (FCMH)"),
    "irh": Mark("R", Shape.DIAMOND, QColor("#9a4a00"), "Issues resolution hearing (IRH)"),
    "final": Mark("F", Shape.TRIANGLE, QColor("#0f5132"), "Final hearing"),
    "other": Mark("O", Shape.HEXAGON, QColor("#41464b"), "Other hearing"),
}
_UNKNOWN_MARK: Final = Mark("?", Shape.HEXAGON, QColor("#41464b"), "Hearing (kind not recorded)")

_TRACK = QColor("#e3e8ec")
_TRACK_BEYOND = QColor("#f6f7f8")
_TICK = QColor("#aab4bd")
_WEEK_26 = QColor("#212529")
_TODAY = QColor("#b3261e")
_END = QColor("#1f4e79")
_BAND = QColor("#cfe2ff")
_BAND_EDGE = QColor("#084298")
_OVERRUN = QColor("#842029")
_SCALE_TEXT = QColor("#495057")

_MARGIN_X: Final = 6
_SCALE_H: Final = 12
_TRACK_H: Final = 16
_MARK: Final = 12  # marker size (pixels)


def mark_of(kind: str | None) -> Mark:
    return HEARING_MARKS.get(kind or "", _UNKNOWN_MARK)


def _small_font(base: QFont, points: float = 7.0, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _shape_path(shape: Shape, rect: QRectF) -> QPainterPath:
    path = QPainterPath()
    c = rect.center()
    if shape is Shape.CIRCLE:
        path.addEllipse(rect)
    elif shape is Shape.SQUARE:
        path.addRect(rect)
    elif shape is Shape.DIAMOND:
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(c.x(), rect.top() - 1),
                    QPointF(rect.right() + 1, c.y()),
                    QPointF(c.x(), rect.bottom() + 1),
                    QPointF(rect.left() - 1, c.y()),
                ]
            )
        )
        path.closeSubpath()
    elif shape is Shape.TRIANGLE:
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(c.x(), rect.top() - 1),
                    QPointF(rect.right() + 1, rect.bottom()),
                    QPointF(rect.left() - 1, rect.bottom()),
                ]
            )
        )
        path.closeSubpath()
    else:
        w = rect.width()
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(rect.left() + w * 0.25, rect.top()),
                    QPointF(rect.left() + w * 0.75, rect.top()),
                    QPointF(rect.right(), c.y()),
                    QPointF(rect.left() + w * 0.75, rect.bottom()),
                    QPointF(rect.left() + w * 0.25, rect.bottom()),
                    QPointF(rect.left(), c.y()),
                ]
            )
        )
        path.closeSubpath()
    return path


def draw_hearing(painter: QPainter, centre: QPointF, kind: str | None, listed: bool, font: QFont) -> QRectF:
    """One hearing marker: filled once held, hollow with a dashed edge while listed. Returns its box."""
    mark = mark_of(kind)
    letter_font = _small_font(font, 6.5, bold=True)
    width = max(_MARK, QFontMetrics(letter_font).horizontalAdvance(mark.letter) + 5)
    rect = QRectF(centre.x() - width / 2, centre.y() - _MARK / 2, width, _MARK)
    path = _shape_path(mark.shape, rect)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(mark.colour, 1.2)
    if listed:
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setBrush(QColor("white"))
    else:
        painter.setBrush(mark.colour)
    painter.setPen(pen)
    painter.drawPath(path)
    painter.setFont(letter_font)
    painter.setPen(mark.colour if listed else QColor("white"))
    text_rect = rect.adjusted(0, 2 if mark.shape is Shape.TRIANGLE else 0, 0, 1)
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, mark.letter)
    painter.restore()
    return rect


class RulerGeometry:
    """Where days fall on a row's ruler: weeks 1 to `row.ruler_weeks` across the cell."""

    def __init__(self, rect: QRect, row: CourtRow) -> None:
        self.row = row
        self.left = rect.left() + _MARGIN_X
        self.width = max(1, rect.width() - 2 * _MARGIN_X)
        self.days = row.ruler_weeks * 7
        self.scale_top = rect.top() + 2
        self.track_top = self.scale_top + _SCALE_H
        self.track_bottom = self.track_top + _TRACK_H
        self.marks_y = self.track_bottom + 2 + _MARK / 2
        self.top = rect.top()
        self.bottom = rect.bottom()

    def x(self, day: float) -> float:
        """The x of the start of a day counted from issue (day 0 is the issue day)."""
        return self.left + self.width * min(max(day, 0.0), float(self.days)) / self.days

    def days_from_issue(self, day: date) -> int:
        return (day - self.row.issued).days

    def band_rect(self, band: ExtensionBand) -> QRectF:
        start = self.days_from_issue(band.previous_end) + 1
        stop = self.days_from_issue(band.until) + 1
        lo, hi = min(start, stop), max(start, stop)
        return QRectF(self.x(lo), self.track_top + 2, max(2.0, self.x(hi) - self.x(lo)), _TRACK_H - 4)

    def hearing_centre(self, hearing: HearingMark) -> QPointF:
        return QPointF(self.x(hearing.day + 0.5), self.marks_y)

    def today_x(self) -> float:
        return self.x(self.days_from_issue(self.row.as_of) + 0.5)

    def end_x(self) -> float:
        return self.x(self.days_from_issue(self.row.end) + 1)

    def label_step(self, metrics: QFontMetrics) -> int:
        """Label every n-th week so the numbers do not touch."""
        per_week = self.width / max(1, self.row.ruler_weeks)
        needed = metrics.horizontalAdvance("88") + 6
        for step in (1, 2, 4, 5, 10, 20, 26, 52):
            if per_week * step >= needed:
                return step
        return 104


def paint_ruler(painter: QPainter, rect: QRect, row: CourtRow, font: QFont) -> None:
    g = RulerGeometry(rect, row)
    painter.save()
    painter.setClipRect(rect)
    # The track: the 26 statutory weeks, then the weeks beyond.
    week26 = g.x(STATUTORY_WEEKS * 7)
    painter.fillRect(QRectF(g.x(0), g.track_top, week26 - g.x(0), _TRACK_H), _TRACK)
    painter.fillRect(QRectF(week26, g.track_top, g.x(g.days) - week26, _TRACK_H), _TRACK_BEYOND)
    # Extension bands, labelled with their reason.
    band_font = _small_font(font, 6.5, bold=True)
    painter.setFont(band_font)
    metrics = QFontMetrics(band_font)
    for band in row.extensions:
        box = g.band_rect(band)
        painter.setPen(QPen(_BAND_EDGE, 1))
        painter.setBrush(_BAND)
        painter.drawRect(box)
        text = band.reason_short
        if metrics.horizontalAdvance(text) + 4 <= box.width():
            painter.setPen(_BAND_EDGE)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    # Overrun past the projected end, hatched.
    today = g.today_x()
    end = g.end_x()
    if row.as_of > row.end:
        painter.fillRect(
            QRectF(end, g.track_top, today - end, _TRACK_H), QBrush(_OVERRUN, Qt.BrushStyle.BDiagPattern)
        )
    # A tick per week; the end of week 26 drawn heavy.
    painter.setPen(QPen(_TICK, 1))
    for week in range(1, row.ruler_weeks):
        x = g.x(week * 7)
        painter.drawLine(QPointF(x, g.track_top + _TRACK_H * 0.45), QPointF(x, g.track_bottom))
    painter.setPen(QPen(_WEEK_26, 2))
    painter.drawLine(QPointF(week26, g.scale_top + _SCALE_H - 2), QPointF(week26, g.track_bottom + 2))
    # Week numbers.
    scale_font = _small_font(font, 6.5)
    bold = _small_font(font, 6.5, bold=True)
    for text, box in scale_labels(g, QFontMetrics(scale_font), QFontMetrics(bold)):
        is_26 = text == str(STATUTORY_WEEKS)
        painter.setFont(bold if is_26 else scale_font)
        painter.setPen(_WEEK_26 if is_26 else _SCALE_TEXT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    # The projected end: a thick bar across the track.
    painter.setPen(QPen(_END, 3))
    painter.drawLine(QPointF(end, g.track_top - 1), QPointF(end, g.track_bottom + 1))
    # Today: a line and a triangle above the track.
    draw_today(painter, today, g.track_top, g.track_bottom)
    # Hearings under the track (those that would overprint one drawn are named by the tooltip).
    for hearing in shown_hearings(g, font):
        draw_hearing(painter, g.hearing_centre(hearing), hearing.kind, hearing.listed, font)
    painter.restore()


def scale_labels(g: RulerGeometry, metrics: QFontMetrics, bold: QFontMetrics) -> list[tuple[str, QRectF]]:
    """The week numbers above the track and their boxes: week 26 always (bold), week 1 and every
    `label_step`-th week where they fit; none touches another or runs past the cell's edge, however
    narrow the column (fewer numbers, never overprinted or cut ones)."""
    lo, hi = float(g.left - _MARGIN_X + 1), float(g.left + g.width + _MARGIN_X - 1)
    gap = 3.0

    def box(week: int, m: QFontMetrics) -> QRectF:
        width = m.horizontalAdvance(str(week)) + 2.0
        centre = g.x((week - 0.5) * 7)
        left = min(max(centre - width / 2, lo), hi - width)  # kept inside the cell
        return QRectF(left, g.scale_top, width, _SCALE_H)

    out = [(str(STATUTORY_WEEKS), box(STATUTORY_WEEKS, bold))]
    step = g.label_step(metrics)
    weeks = [1] + [w for w in range(step, g.row.ruler_weeks + 1, step) if w - 1 >= max(2, step * 0.75)]
    for week in weeks:
        if week == STATUTORY_WEEKS:
            continue
        candidate = box(week, metrics)
        if candidate.left() < lo or candidate.right() > hi:
            continue
        if any(candidate.adjusted(-gap, 0, gap, 0).intersects(other) for _, other in out):
            continue
        out.append((str(week), candidate))
    return sorted(out, key=lambda pair: pair[1].left())


def shown_hearings(g: RulerGeometry, font: QFont) -> list[HearingMark]:
    """The hearings drawn on a ruler, in date order: one that would overprint a marker already
    drawn is left off (the tooltip at that place lists every hearing there)."""
    letter = QFontMetrics(_small_font(font, 6.5, bold=True))
    drawn: list[tuple[HearingMark, float, float]] = []
    for hearing in sorted(g.row.hearings, key=lambda h: (h.day, not h.listed)):
        half = max(_MARK, letter.horizontalAdvance(mark_of(hearing.kind).letter) + 5) / 2 + 1
        x = g.hearing_centre(hearing).x()
        if any(abs(x - other) < half + other_half for _, other, other_half in drawn):
            continue
        drawn.append((hearing, x, half))
    return [h for h, _, _ in drawn]


def draw_today(painter: QPainter, x: float, top: float, bottom: float) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(_TODAY, 2))
    painter.drawLine(QPointF(x, top), QPointF(x, bottom))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_TODAY)
    painter.drawPolygon(QPolygonF([QPointF(x - 4, top - 6), QPointF(x + 4, top - 6), QPointF(x, top)]))
    painter.restore()


# --- Words ------------------------------------------------------------------------------------


def hearing_text(h: HearingMark) -> str:
    """'14/02/2025 Case management hearing (CMH), week 2, held'."""
    state = "listed" if h.listed else "held"
    outcome = f": {h.outcome}" if h.outcome else ""
    return f"{fmt_date(h.date)} {mark_of(h.kind).name}, week {h.week}, {state}{outcome}"


def extension_text(band: ExtensionBand) -> str:
    reason = choice_label("reason", band.reason) if band.reason else "no reason recorded"
    return (
        f"Extended on {fmt_date(band.granted)} from {fmt_date(band.previous_end)} to {fmt_date(band.until)} "
        f"(+{band.added_weeks:.1f} weeks): {reason.lower()}"
    )


def ruler_tooltip(row: CourtRow) -> str:
    """The whole ruler in words."""
    lines = [
        f"Week {row.week} of {STATUTORY_WEEKS} at {fmt_date(row.as_of)}; issued {fmt_date(row.issued)}.",
        f"26 weeks end {fmt_date(row.statutory_end)}; projected end {fmt_date(row.end)} (week {row.end_week}).",
    ]
    lines += [extension_text(b) + "." for b in row.extensions]
    lines += [hearing_text(h) + "." for h in row.hearings] or ["No hearing recorded."]
    return "\n".join(lines)


# --- The delegate -----------------------------------------------------------------------------


class WeekRulerDelegate(QStyledItemDelegate):
    """Paints the ruler of the row's `CourtRow` (read through `ROW_ROLE`); a tooltip names what
    is under the pointer (a hearing, an extension), or the whole ruler."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        row = index.data(ROW_ROLE)
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            # The selection and the alternate background, as for any cell, without text.
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        if isinstance(row, CourtRow):
            paint_ruler(painter, option.rect, row, option.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(420, ROW_HEIGHT)

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        row = index.data(ROW_ROLE)
        if event is None or event.type() != QEvent.Type.ToolTip or not isinstance(row, CourtRow):
            return super().helpEvent(event, view, option, index)
        text = tooltip_at(row, option.rect, event.pos())
        QToolTip.showText(event.globalPos(), text, view)
        return True


def tooltip_at(row: CourtRow, rect: QRect, pos: QPoint) -> str:
    """What is under the pointer: a hearing, an extension band, or the whole ruler in words."""
    g = RulerGeometry(rect, row)
    near = [h for h in row.hearings if abs(g.hearing_centre(h).x() - pos.x()) <= _MARK / 2 + 1]
    if near and pos.y() >= g.track_bottom:
        return "\n".join(hearing_text(h) for h in near)
    for band in row.extensions:
        if g.band_rect(band).adjusted(0, -2, 0, 2).contains(QPointF(pos)):
            return extension_text(band)
    return ruler_tooltip(row)


# --- The legend -------------------------------------------------------------------------------


def _legend_icon(paint: str, font: QFont, kind: str | None = None, listed: bool = False) -> QPixmap:
    pixmap = QPixmap(QSize(26, 18))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        if paint == "hearing":
            draw_hearing(painter, QPointF(13, 9), kind, listed, font)
        elif paint == "today":
            draw_today(painter, 13, 7, 17)
        elif paint == "end":
            painter.setPen(QPen(_END, 3))
            painter.drawLine(QPointF(13, 2), QPointF(13, 16))
        elif paint == "week26":
            painter.setPen(QPen(_WEEK_26, 2))
            painter.drawLine(QPointF(13, 1), QPointF(13, 17))
        elif paint == "band":
            painter.setPen(QPen(_BAND_EDGE, 1))
            painter.setBrush(_BAND)
            painter.drawRect(QRectF(1, 4, 24, 10))
        elif paint == "overrun":
            painter.fillRect(QRectF(1, 4, 24, 10), QBrush(_OVERRUN, Qt.BrushStyle.BDiagPattern))
    finally:
        painter.end()
    return pixmap


class RulerLegend(QWidget):
    """What every shape of the ruler means, in words beside a drawing of it (two lines)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rulerLegend")
        font = self.font()
        first: list[tuple[QPixmap, str]] = [
            (_legend_icon("hearing", font, kind), HEARING_SHORT_NAMES[kind]) for kind in HEARING_MARKS
        ]
        first += [
            (_legend_icon("hearing", font, "cmh", listed=True), "listed, not yet held (hollow)"),
            (_legend_icon("today", font), "today"),
            (_legend_icon("week26", font), "end of week 26"),
            (_legend_icon("end", font), "projected end"),
            (_legend_icon("overrun", font), "overrun"),
        ]
        second = [
            (_legend_icon("band", font), "Extension, by reason:"),
            *((None, f"{short} = {_REASON_WORDS[reason]}") for reason, short in REASON_SHORT.items()),
        ]
        self.texts: list[str] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for entries in (first, second):
            # A drawing stays on the line of its words; the entries wrap when the page is narrow.
            line = FlowLayout(spacing=12, inner_spacing=4, line_spacing=0)
            for pixmap, text in entries:
                if pixmap is not None:
                    icon = QLabel(self)
                    icon.setPixmap(pixmap)
                    line.add(icon, with_next=True)
                label = QLabel(text, self)
                label.setStyleSheet("color: #3c4043;")
                line.add(label)
                self.texts.append(text)
            column.addLayout(line)


#: Hearings and extension reasons as the legend and tooltips say them inside a sentence.
HEARING_SHORT_NAMES: Final = {c.value: c.in_a_sentence for c in HEARING_KINDS}

_REASON_WORDS: Final = {c.value: c.in_a_sentence for c in EXTENSION_REASONS}
