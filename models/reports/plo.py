"""4. PLO tracker: pre-proceedings under the Public Law Outline against 16 weeks (plus extensions).

Open pre-proceedings with the letter's date, week N of 16 (or of 16 plus the extensions), the
meetings and reviews, the family group conference offered and held, and the RAG of the
`plo.pre_proceedings_16w` clock; then the pre-proceedings that ended in the period with their
outcome (step down or issue) and length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from reportlab.platypus import Flowable

from models.domain.period import Period
from models.domain.records import ChildRecord
from models.domain.rules import Rag
from models.reports.common import ReportRequest, child_cell, label, measures_table, plural, rag_cell
from models.reports.document import fmt, heading, para, table, title
from models.reports.tables import Cell, Column
from models.screens.facts import Caseload, PreProceedings
from models.screens.measures import Measures, compute_measures, measure_lines
from models.screens.words import deadline_state

TITLE: Final = "PLO tracker (pre-proceedings)"


@dataclass(frozen=True, slots=True)
class PloRow:
    child: ChildRecord
    episode: PreProceedings
    week: int
    due: date | None
    state: str
    rag: Rag | None


@dataclass(frozen=True)
class PloData:
    period: Period
    as_of: date
    open: tuple[PloRow, ...]
    ended: tuple[PloRow, ...]
    started_in_period: int
    measures: Measures


def gather(caseload: Caseload, period: Period) -> PloData:
    open_rows: list[PloRow] = []
    ended: list[PloRow] = []
    started = 0
    for facts in caseload.all_facts():
        deadlines = caseload.deadlines_of(facts.child.id)
        for episode in facts.pre_proceedings:
            started += period.contains(episode.letter)
            if episode.ended is not None and not period.contains(episode.ended):
                continue
            clock = next(
                (d for d in deadlines if d.rule == "plo.pre_proceedings_16w" and d.trigger == episode.letter),
                None,
            )
            last_day = episode.ended or caseload.as_of
            row = PloRow(
                facts.child,
                episode,
                episode.week_on(last_day),
                clock.due if clock else None,
                deadline_state(caseload, clock) if clock else "",
                clock.rag if clock else None,
            )
            (open_rows if episode.ended is None else ended).append(row)
    open_rows.sort(key=lambda r: (r.due or date.max, r.child.id))
    ended.sort(key=lambda r: (r.episode.ended or date.min, r.child.id))
    return PloData(
        period, caseload.as_of, tuple(open_rows), tuple(ended), started, compute_measures(caseload, period)
    )


# --- The PDF story ----------------------------------------------------------------------------

OPEN_COLUMNS: Final = (
    Column("Child", 1.3),
    Column("Letter", 0.75),
    Column("Week", 0.95),
    Column("Due to end", 0.8),
    Column("Meetings", 0.9),
    Column("Reviews", 0.9),
    Column("Family group conference", 1.3),
    Column("Extensions", 1.6),
    Column("RAG", 1.0),
)

ENDED_COLUMNS: Final = (
    Column("Child", 1.3),
    Column("Letter", 0.75),
    Column("Ended", 0.75),
    Column("Weeks", 0.6, "RIGHT"),
    Column("Allowed", 0.8),
    Column("Meetings", 0.9),
    Column("Reviews", 0.9),
    Column("Family group conference", 1.3),
    Column("Outcome", 1.0),
    Column("RAG", 1.0),
)


def _dates(days: tuple[date, ...]) -> str:
    return "\n".join(fmt(d) for d in days) or "none"


def _fgc(p: PreProceedings) -> str:
    lines = []
    for stage in ("offered", "declined", "held"):
        days = p.fgc_dates(stage)
        if days:
            lines.append(f"{stage.capitalize()} {', '.join(fmt(d) for d in days)}")
    return "\n".join(lines) or "not offered"


def _allowed(p: PreProceedings) -> str:
    return f"16 + {p.extension_weeks} weeks" if p.extension_weeks else "16 weeks"


def _extensions(p: PreProceedings) -> str:
    return (
        "\n".join(
            f"{fmt(e.granted)}: {e.weeks} weeks{', ' + e.reason if e.reason else ''}" for e in p.extensions
        )
        or "none"
    )


def _open_cells(r: PloRow) -> list[Cell]:
    p = r.episode
    return [
        child_cell(r.child.id, r.child.name),
        fmt(p.letter),
        f"{r.week} of {p.weeks_allowed}" + (f"\n(16 + {p.extension_weeks})" if p.extension_weeks else ""),
        fmt(r.due),
        _dates(p.meetings),
        _dates(p.reviews),
        _fgc(p),
        _extensions(p),
        rag_cell(r.rag, r.state),
    ]


def _ended_cells(r: PloRow) -> list[Cell]:
    p = r.episode
    return [
        child_cell(r.child.id, r.child.name),
        fmt(p.letter),
        fmt(p.ended),
        f"{p.duration_weeks:.1f}" if p.duration_weeks is not None else "",
        _allowed(p),
        _dates(p.meetings),
        _dates(p.reviews),
        _fgc(p),
        label("outcome", p.outcome, "not recorded"),
        rag_cell(r.rag, r.state),
    ]


def story(data: PloData) -> list[Flowable]:
    return [
        title(TITLE),
        para(
            f"In pre-proceedings at {fmt(data.as_of)}: {plural(len(data.open), 'child', 'children')}. In "
            f"{data.period.label}: {plural(data.started_in_period, 'letter')} before proceedings sent, "
            f"{len(data.ended)} pre-proceedings ended. "
            "Pre-proceedings should end within 16 weeks of the letter, plus any extension; the letter's day is "
            "day 1 of week 1."
        ),
        *heading("Measures M10 to M12"),
        *measures_table([line for line in measure_lines(data.measures) if line.id in ("M10", "M11", "M12")]),
        *heading(f"Open pre-proceedings at {fmt(data.as_of)}"),
        *table(OPEN_COLUMNS, [_open_cells(r) for r in data.open], empty="No child is in pre-proceedings."),
        *heading(f"Pre-proceedings ended in {data.period.label}"),
        *table(
            ENDED_COLUMNS,
            [_ended_cells(r) for r in data.ended],
            empty="No pre-proceedings ended in the period.",
        ),
    ]


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    return story(gather(caseload, request.period))
