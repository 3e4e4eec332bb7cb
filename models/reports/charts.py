"""Small drawings for the reports: a bar per month, a measure's trend, and the 26-week court timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from models.reports import styles as S


def month_bars(
    labels: Sequence[str], values: Sequence[int], width: float, height: float = 45 * mm
) -> Drawing:
    """One labelled bar per month, its count above it."""
    drawing = Drawing(width, height)
    base, top = 12.0, height - 12.0
    most = max(values, default=0) or 1
    slot = width / max(len(values), 1)
    bar = slot * 0.6
    drawing.add(Line(0, base, width, base, strokeColor=S.RULE_LINE, strokeWidth=0.6))
    for i, (text, value) in enumerate(zip(labels, values, strict=True)):
        x = i * slot + (slot - bar) / 2
        h = (top - base) * value / most
        drawing.add(Rect(x, base, bar, h, fillColor=S.BAR_FILL, strokeColor=S.RULE_LINE, strokeWidth=0.4))
        drawing.add(
            String(
                x + bar / 2, base + h + 2, str(value), fontName=S.FONT_BOLD, fontSize=7, textAnchor="middle"
            )
        )
        drawing.add(String(x + bar / 2, 3, text, fontName=S.FONT, fontSize=6.5, textAnchor="middle"))
    return drawing


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One period of a measure's trend: its short label, its value (None: no cases), and whether it
    is too few to judge (drawn hollow) or an unfinished period (labelled "to date")."""

    label: str
    value: float | None
    too_few: bool = False
    to_date: bool = False


def trend_chart(
    points: Sequence[TrendPoint],
    width: float,
    height: float,
    *,
    percent: bool,
    target: float | None = None,
    milestones: Sequence[float] = (),
) -> Drawing:
    """A measure over its periods: a line of points for a percentage (0 to 100%, with the target as
    a solid line and each milestone dashed, each labelled at the right), bars for a count.

    It reads in black and white: the target and milestones are told apart by line style and label,
    a point on too few children is hollow, and a period not yet ended is labelled "to date".
    """
    drawing = Drawing(width, height)
    left, right, base, top = 22.0, width - 26.0, 14.0, height - 6.0
    values = [p.value for p in points]
    known = [v for v in values if v is not None]
    high = 100.0 if percent else max([*known, 1.0]) * 1.15
    slot = (right - left) / max(len(points), 1)

    def y(value: float) -> float:
        return base + (top - base) * min(value, high) / high

    def cx(i: int) -> float:
        return left + slot * (i + 0.5)

    axis = S.RULE_LINE
    drawing.add(Line(left, base, right, base, strokeColor=axis, strokeWidth=0.6))
    drawing.add(Line(left, base, left, top, strokeColor=axis, strokeWidth=0.6))
    ticks = (0.0, 50.0, 100.0) if percent else (0.0, round(high / 1.15))
    for tick in ticks:
        text = f"{tick:g}%" if percent else f"{tick:g}"
        drawing.add(String(left - 2, y(tick) - 2, text, fontName=S.FONT, fontSize=5.5, textAnchor="end"))
    if percent:
        lines: list[tuple[float, str, list[float] | None, float]] = [
            (m, f"{m:g}%", [1.5, 1.5], 0.5) for m in milestones
        ]
        if target is not None:
            lines.append((target, f"target {target:g}%", None, 0.9))
        for value, words, dash, stroke in lines:
            drawing.add(
                Line(
                    left,
                    y(value),
                    right,
                    y(value),
                    strokeColor=S.MUTED,
                    strokeWidth=stroke,
                    strokeDashArray=dash,
                )
            )
            drawing.add(String(right + 1.5, y(value) - 2, words, fontName=S.FONT, fontSize=5))
    step = max(1, len(points) // 6)
    for i, point in enumerate(points):
        if (len(points) - 1 - i) % step == 0:
            words = point.label + (" (to date)" if point.to_date else "")
            drawing.add(
                String(
                    cx(i),
                    base - 7,
                    words,
                    fontName=S.FONT,
                    fontSize=5,
                    textAnchor="middle",
                    fillColor=S.MUTED,
                )
            )
    if percent:
        run: list[float] = []
        for i, point_value in enumerate(values):
            if point_value is None:
                if len(run) >= 4:
                    drawing.add(PolyLine(run, strokeColor=S.TIMELINE_AXIS, strokeWidth=1))
                run = []
                continue
            run += [cx(i), y(point_value)]
        if len(run) >= 4:
            drawing.add(PolyLine(run, strokeColor=S.TIMELINE_AXIS, strokeWidth=1))
        for i, point in enumerate(points):
            if point.value is None:
                continue
            hollow = point.too_few or point.to_date
            drawing.add(
                Circle(
                    cx(i),
                    y(point.value),
                    1.8,
                    fillColor=colors.white if hollow else S.TIMELINE_AXIS,
                    strokeColor=S.TIMELINE_AXIS,
                    strokeWidth=0.7,
                )
            )
    else:
        bar = slot * 0.6
        for i, point in enumerate(points):
            if point.value is None:
                continue
            h = y(point.value) - base
            fill = colors.white if point.to_date else S.BAR_FILL
            drawing.add(
                Rect(cx(i) - bar / 2, base, bar, h, fillColor=fill, strokeColor=S.RULE_LINE, strokeWidth=0.4)
            )
    last = points[-1].value if points else None
    if last is not None:
        words = f"{last:.1f}%" if percent else f"{last:g}"
        drawing.add(
            String(
                cx(len(points) - 1), y(last) + 3, words, fontName=S.FONT_BOLD, fontSize=6, textAnchor="middle"
            )
        )
    return drawing


@dataclass(frozen=True, slots=True)
class Mark:
    """One dated mark on the court timeline."""

    day: date
    text: str
    kind: str  # "hearing", "extension", "today", "final"


TIMELINE_HEIGHT = 62 * mm


def court_timeline(
    issued: date,
    statutory_end: date,
    end: date,
    marks: Sequence[Mark],
    width: float,
) -> Drawing:
    """The 26 weeks from issue drawn to scale, with the extended end, hearings, today and the final order.

    Above the band: issue, the end of week 26, the extended end and the as-of date, as labelled flags.
    The band: the 26 weeks shaded and labelled, any extension hatched in amber and labelled (so it
    reads in black and white). Below: week ticks, then hearings, extensions and the final order as
    triangles with labels on staggered rows so that neighbours do not overlap.
    """
    last = max([end, statutory_end, *(m.day for m in marks)])
    span_days = max((last - issued).days + 10, 189)
    left, right = 6.0, width - 6.0

    def x(day: date) -> float:
        return left + (right - left) * (day - issued).days / span_days

    # Events: sorted by day, each label on the first row below the band where it fits.
    events = sorted((m for m in marks if m.kind != "today"), key=lambda m: m.day)
    rows = label_rows([_label_extent(x(m.day), m.text, m.kind == "final", width) for m in events])
    band_y, band_h = max(24 * mm, _EVENT_ROWS_TOP + _ROW * (max(rows, default=0) + 1)), 5 * mm
    drawing = Drawing(width, TIMELINE_HEIGHT)
    labels: list[tuple[float, float, str, bool, object]] = []

    def text(tx: float, ty: float, words: str, bold: bool = False, colour: object = None) -> None:
        labels.append((tx, ty, words, bold, colour))

    week26 = x(statutory_end + timedelta(days=1))
    drawing.add(
        Rect(
            x(issued),
            band_y,
            week26 - x(issued),
            band_h,
            fillColor=S.TIMELINE_PERIOD,
            strokeColor=S.TIMELINE_AXIS,
            strokeWidth=0.5,
        )
    )
    drawing.add(
        String(
            (x(issued) + week26) / 2,
            band_y + 4.5,
            "26 weeks",
            fontName=S.FONT_BOLD,
            fontSize=7,
            textAnchor="middle",
        )
    )
    if end > statutory_end:
        ext_end = x(end + timedelta(days=1))
        drawing.add(
            Rect(
                week26,
                band_y,
                ext_end - week26,
                band_h,
                fillColor=S.TIMELINE_EXTENDED,
                strokeColor=S.TIMELINE_AXIS,
                strokeWidth=0.5,
                strokeDashArray=[2, 1.5],
            )
        )
        drawing.add(
            String(
                (week26 + ext_end) / 2,
                band_y + 4.5,
                "extended",
                fontName=S.FONT,
                fontSize=6.5,
                textAnchor="middle",
            )
        )

    # The overrun: past the (extended) end to the final order, or to today while still open, drawn
    # in a band of its own, labelled with its length so that it reads without colour.
    finals = [m.day for m in marks if m.kind == "final"]
    todays = [m.day for m in marks if m.kind == "today"]
    reached = finals[0] if finals else (todays[0] if todays else None)
    if reached is not None and reached > end:
        start_x, stop_x = x(end + timedelta(days=1)), x(reached + timedelta(days=1))
        drawing.add(
            Rect(
                start_x,
                band_y,
                stop_x - start_x,
                band_h,
                fillColor=S.OVERRUN_FILL,
                strokeColor=S.TIMELINE_TODAY,
                strokeWidth=0.6,
                strokeDashArray=[1, 1],
            )
        )
        words = f"overrun {(reached - end).days} days"
        drawing.add(
            String(
                (start_x + stop_x) / 2,
                band_y + 4.5,
                words if stringWidth(words, S.FONT_BOLD, 6.5) < stop_x - start_x else "overrun",
                fontName=S.FONT_BOLD,
                fontSize=6.5,
                textAnchor="middle",
                fillColor=S.TIMELINE_TODAY,
            )
        )

    # Week ticks under the band, labelled every 4 weeks.
    for week in range(0, span_days // 7 + 1, 2):
        tx = x(issued + timedelta(days=7 * week))
        drawing.add(
            Line(
                tx,
                band_y,
                tx,
                band_y - (5 if week % 4 == 0 else 3),
                strokeColor=S.TIMELINE_AXIS,
                strokeWidth=0.5,
            )
        )
        if week % 4 == 0:
            drawing.add(
                String(
                    tx,
                    band_y - 11,
                    f"wk {week}",
                    fontName=S.FONT,
                    fontSize=6,
                    textAnchor="middle",
                    fillColor=S.MUTED,
                )
            )

    # Flags above the band.
    flags = [(x(issued), f"Issued {issued:%d/%m/%Y}", False, None)]
    flags.append((week26, f"26 weeks end {statutory_end:%d/%m/%Y}", False, None))
    if end != statutory_end:
        flags.append((x(end + timedelta(days=1)), f"Extended to {end:%d/%m/%Y}", True, None))
    for mark in marks:
        if mark.kind == "today":
            flags.append((x(mark.day), mark.text, True, S.TIMELINE_TODAY))
    for level, (fx, words, bold, colour) in enumerate(sorted(flags, key=lambda f: f[0])):
        top = band_y + band_h + 5 + 9 * level
        stroke = colour or S.TIMELINE_AXIS
        dash = [3, 2] if colour is not None else None
        drawing.add(
            Line(
                fx,
                band_y - (2 if colour is None else 8),
                fx,
                top + 7,
                strokeColor=stroke,
                strokeWidth=1.2 if colour is not None else 0.6,
                strokeDashArray=dash,
            )
        )
        text(fx, top, words, bold=bold, colour=colour)

    # Events: a line across the band at the date, a marker under the week labels, and a label below
    # on the row chosen above, so that no two labels overlap however close their days are.
    marker_top = band_y - 14
    for mark, row in zip(events, rows, strict=True):
        mx = x(mark.day)
        ty = marker_top - 16 - _ROW * row
        fill = S.TIMELINE_TODAY if mark.kind == "final" else S.TIMELINE_AXIS
        drawing.add(Line(mx, band_y, mx, band_y + band_h, strokeColor=fill, strokeWidth=1))
        if mark.kind == "extension":
            drawing.add(
                Rect(
                    mx - 2.5,
                    marker_top - 6,
                    5,
                    5,
                    fillColor=S.TIMELINE_EXTENDED,
                    strokeColor=fill,
                    strokeWidth=0.6,
                )
            )
        else:
            drawing.add(
                Polygon(
                    [mx, marker_top, mx - 3, marker_top - 6, mx + 3, marker_top - 6],
                    fillColor=fill,
                    strokeColor=fill,
                )
            )
        drawing.add(Line(mx, marker_top - 6, mx, ty + 7, strokeColor=S.GRID, strokeWidth=0.4))
        text(mx, ty, mark.text, bold=mark.kind == "final")

    # Labels last, each on a white ground so that no line runs through its words.
    size = _LABEL_SIZE
    for tx, ty, words, bold, colour in labels:
        font = S.FONT_BOLD if bold else S.FONT
        start, stop = _label_extent(tx, words, bold, width)
        room = stop - start
        drawing.add(
            Rect(
                start - 1,
                ty - 2,
                room + 2,
                size + 2.5,
                fillColor=colors.white,
                strokeColor=colors.white,
                strokeWidth=0,
            )
        )
        drawing.add(String(start, ty, words, fontName=font, fontSize=size, fillColor=colour or S.TEXT))
    drawing.height = band_y + band_h + 5 + 9 * len(flags) + 4
    return drawing


_LABEL_SIZE = 6.5
_ROW = 9.0  # points between label rows
_EVENT_ROWS_TOP = 32.0  # from the band's foot down to the first event label row, plus a margin
_GAP = 3.0  # points of white between two labels on one row


def _label_extent(tx: float, words: str, bold: bool, width: float) -> tuple[float, float]:
    """Where a label at `tx` is printed: to the right of its mark, or to the left near the edge."""
    room = stringWidth(words, S.FONT_BOLD if bold else S.FONT, _LABEL_SIZE)
    start = tx - 2 - room if tx + 2 + room > width else tx + 2
    return start, start + room


def label_rows(extents: Sequence[tuple[float, float]]) -> list[int]:
    """A row for each label (left to right), the lowest-numbered one where it overlaps no other."""
    ends: list[float] = []  # the right edge of the last label on each row
    rows: list[int] = []
    for start, stop in extents:
        row = next((r for r, edge in enumerate(ends) if start >= edge + _GAP), len(ends))
        if row == len(ends):
            ends.append(stop)
        else:
            ends[row] = max(ends[row], stop)
        rows.append(row)
    return rows
