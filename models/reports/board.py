"""The improvement board's report: every measure for a period, with no child in it.

Two to four landscape pages for a board with councillors on it. The first page holds the PIRO's
commentary for the period and every measure at a glance: this period, the previous period (counted
like with like), the change with an arrow and the words "better" or "worse" by the measure's good
direction, and the judgement against its target ("too few to judge" under 5 children). Then a trend
chart per measure over the 12 periods to this one, with its target and milestone lines. No child's
name or ID appears anywhere: the measures' figures only.
"""

from __future__ import annotations

from typing import Final

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Table, TableStyle

from models.reports import styles as S
from models.reports.charts import TrendPoint, trend_chart
from models.reports.common import ReportRequest, plural
from models.reports.document import fmt, frame_width, heading, heading_text, note, para, table, title
from models.reports.tables import Cell, Column, RagCell
from models.screens.facts import Caseload
from models.screens.measures import Figure, MeasureSet, Percent, measure_set

TITLE: Final = "Improvement board report"

#: Periods in each trend chart.
TREND_PERIODS: Final = 12
#: Charts per row and rows per page.
CHART_COLUMNS: Final = 3
CHART_ROWS: Final = 3

KEY: Final = (
    "A percentage is judged against its own target and milestones (Settings); on fewer than 5 children "
    "it is too few to judge and is not coloured. ▲ rose, ▼ fell, ► level: 'better' or 'worse' follows "
    "the measure's good direction. In the charts the solid line is the target and the dashed lines the "
    "milestones; a hollow point is too few to judge or a period to date; counts are drawn as bars."
)

GLANCE_COLUMNS: Final = (
    Column("Measure", 0.5),
    Column("What it counts", 2.8),
    Column("This period", 0.9, "RIGHT"),
    Column("Previous", 0.55, "RIGHT"),
    Column("Change", 1.05),
    Column("Good direction", 0.75),
    Column("Against the target", 1.95),
)


def _this(f: Figure) -> str:
    return f"{f.text} ({f.counts})" if f.counts else f.text


def _judged(f: Figure) -> Cell:
    judgement = f.judgement
    if judgement is None:
        return "a count: no target"
    return RagCell(judgement.rag, judgement.text, ": ")


def glance_rows(found: MeasureSet) -> list[list[Cell]]:
    return [
        [f.id, f.definition.title, _this(f), f.previous_text, f.direction_text, f.good_text, _judged(f)]
        for f in found.figures
    ]


def _points(f: Figure, found: MeasureSet) -> list[TrendPoint]:
    out = []
    last = len(f.trend) - 1
    for i, (period, value) in enumerate(f.trend):
        too_few = False
        if i == last and isinstance(f.now, Percent):
            too_few = f.now.too_few
        out.append(TrendPoint(period.short_label, value, too_few, i == last and found.measures.to_date))
    return out


def _card(f: Figure, found: MeasureSet, width: float) -> list[Flowable]:
    target = f.target
    first = f"{f.id} {f.definition.title}"
    second = f"{_this(f)}; previous {f.previous_text}; {f.direction_text}"
    if f.judgement is not None:
        second += f"; {f.judgement.text}"
    chart = trend_chart(
        _points(f, found),
        width,
        30 * mm,
        percent=f.definition.is_percent,
        target=target.target if target else None,
        milestones=target.milestones if target else (),
    )
    cell: list[Flowable] = [para(first), note(second), chart]
    if f.detail:
        cell.append(note(f.detail))
    return cell


def _charts(found: MeasureSet) -> list[Flowable]:
    width = frame_width() / CHART_COLUMNS
    cards = [_card(f, found, width - 6) for f in found.figures]
    per_page = CHART_COLUMNS * CHART_ROWS
    out: list[Flowable] = []
    for start in range(0, len(cards), per_page):
        page = cards[start : start + per_page]
        rows = [page[i : i + CHART_COLUMNS] for i in range(0, len(page), CHART_COLUMNS)]
        rows[-1] = rows[-1] + [[] for _ in range(CHART_COLUMNS - len(rows[-1]))]
        grid = Table(rows, colWidths=[width] * CHART_COLUMNS)
        grid.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOX", (0, 0), (-1, -1), 0.4, S.GRID),
                    ("INNERGRID", (0, 0), (-1, -1), 0.4, S.GRID),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        out += [PageBreak(), grid]
    return out


def story(found: MeasureSet, authority: str, commentary: str) -> list[Flowable]:
    m, before = found.measures, found.previous
    period = found.period
    to_date = m.to_date
    out: list[Flowable] = [
        title(f"Improvement board: {period.label}" + (" (to date)" if to_date else "")),
        para(
            f"{authority}: the improvement plan's measures for {period.label}, {fmt(m.span.start)} to "
            f"{fmt(m.span.end)}, as the records stood at {fmt(m.as_of)}; figures only, no child named or "
            f"identified. Previous period: {before.period.label} ({fmt(before.span.start)} to "
            f"{fmt(before.span.end)}), counted like with like"
            + (
                f"; {period.label} had not ended, so each is counted over its first {plural((m.span.end - m.span.start).days + 1, 'day')}."
                if to_date
                else "."
            )
        ),
    ]
    out += heading("Commentary from the PIRO")
    paragraphs = [p.strip() for p in commentary.split("\n\n") if p.strip()]
    out += [para(p) for p in paragraphs] or [para("No commentary has been written for this period.")]
    # After a long commentary the table runs on to the next page, its header repeated.
    glance: list[Flowable] = [
        heading_text("The measures at a glance"),
        *table(GLANCE_COLUMNS, glance_rows(found)),
    ]
    out += glance
    charts = _charts(found)
    # How to read the page and the charts: at the top of the first page of charts.
    charts.insert(1, note(KEY))
    out += charts
    return out


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    found = measure_set(caseload, request.period, trend=TREND_PERIODS)
    return story(found, caseload.settings.authority_name, request.commentary)
