"""6. Child chronology: one child's events and deadlines (portrait), and a chronology for the court.

The child's details and where they are on the journey; for each set of care proceedings a drawn
26-week timeline (issue, hearings, extensions, the as-of date, the final order, any overrun); every
event to the as-of date in date order, visits summarised one line a month; and every deadline with
its RAG and the engine's plain English explanation.

The chronology for the court (`court-chronology`) keeps to what matters to the court: the events
with a source column, visits summarised by month, escalations (an internal process) and the RAG
ledger left out, and says who prepared it and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from reportlab.platypus import Flowable, Spacer

from models.domain.engine import Deadline
from models.domain.journey import DRP_TYPES, EVENT_TYPES
from models.domain.period import Period
from models.domain.records import ChildRecord, EventRecord
from models.reports.charts import Mark, court_timeline
from models.reports.common import HEARING_SHORT, RULE_SHORT, ReportError, ReportRequest, label, rag_cell
from models.reports.document import fmt, frame_width, heading, note, para, table, title
from models.reports.tables import Cell, Column
from models.screens.child_view import birth_text, event_summary, journey_position
from models.screens.facts import Caseload, Proceedings, counted_events
from models.screens.words import STATUS_WORDS

TITLE: Final = "Child chronology"


@dataclass(frozen=True)
class ChronologyData:
    period: Period
    as_of: date
    child: ChildRecord
    events: tuple[EventRecord, ...]
    later_events: int
    deadlines: tuple[Deadline, ...]
    proceedings: tuple[Proceedings, ...]


def gather(caseload: Caseload, period: Period, child_id: str) -> ChronologyData:
    child = caseload.child(child_id)
    if child is None:
        raise ReportError(f"There is no child with the id {child_id!r}.")
    events = counted_events(child, caseload.as_of)
    events.sort(key=lambda e: e.date)
    return ChronologyData(
        period,
        caseload.as_of,
        child,
        tuple(events),
        sum(1 for e in child.events if e.date > caseload.as_of),
        tuple(caseload.deadlines_of(child.id)),
        caseload.facts(child).proceedings,
    )


def timeline_marks(p: Proceedings, as_of: date) -> list[Mark]:
    marks = [
        Mark(h.date, f"{HEARING_SHORT.get(h.kind or '', 'Hearing')} {h.date:%d/%m}", "hearing")
        for h in p.hearings
    ]
    marks += [
        Mark(h.date, f"{HEARING_SHORT.get(h.kind or '', 'Hearing')} {h.date:%d/%m} (listed)", "hearing")
        for h in p.listed
    ]
    marks += [Mark(e.granted, f"Extension granted {e.granted:%d/%m}", "extension") for e in p.extensions]
    if p.final_order is not None:
        order = label("order", p.order, "Final order")
        marks.append(Mark(p.final_order, f"{order} {p.final_order:%d/%m/%Y}", "final"))
    else:
        marks.append(Mark(as_of, f"As of {as_of:%d/%m/%Y}: week {p.week_on(as_of)}", "today"))
    return marks


# --- The PDF story ----------------------------------------------------------------------------

DETAIL_COLUMNS: Final = (Column("", 0.9), Column("", 1.6), Column("", 0.9), Column("", 1.6))
JOURNEY_COLUMNS: Final = (Column("Step", 0.9), Column("State", 0.8), Column("Detail", 3.3))
EVENT_COLUMNS: Final = (
    Column("Date", 0.75),
    Column("Stage", 0.8),
    Column("Event", 1.6),
    Column("Details", 3.0),
)
DEADLINE_COLUMNS: Final = (
    Column("Due", 0.75),
    Column("Clock", 1.2),
    Column("RAG", 0.75),
    Column("Explanation", 3.9),
)


def _details(child: ChildRecord, as_of: date) -> list[list[Cell]]:
    f = child.fields

    def text(name: str) -> str:
        value = f.get(name)
        return str(value) if value not in (None, "") else "not recorded"

    return [
        ["Child", child.id, "Name", child.name],
        ["Birth", birth_text(child, as_of), "Gender", label("gender", f.get("gender"), "not recorded")],
        ["Team", text("team"), "Social worker", text("social_worker")],
        ["Reviewing officer", text("reviewing_officer"), "Sibling group", text("sibling_group")],
    ]


VISIT_TYPES: Final = ("cla_visit", "cp_visit")


@dataclass(frozen=True, slots=True)
class ChronologyLine:
    """One line of the chronology: an event, or a month's visits of one kind."""

    day: date
    when: str
    stage: str
    event: str
    details: str
    source: str


def _stage(event_type: str) -> str:
    stage = EVENT_TYPES[event_type].stage.value
    return stage[0].upper() + stage[1:]


def chronology_lines(
    events: Sequence[EventRecord], *, leave_out: frozenset[str] = frozenset()
) -> list[ChronologyLine]:
    """The events in date order, each month's visits of a kind on one line (dated the month, and
    placed at its first visit, so that a visit never reads as coming before the event it followed)."""
    lines: list[ChronologyLine] = []
    visits: dict[tuple[int, int, str], list[EventRecord]] = {}
    for e in events:
        if e.type in leave_out:
            continue
        if e.type in VISIT_TYPES:
            visits.setdefault((e.date.year, e.date.month, e.type), []).append(e)
            continue
        spec = EVENT_TYPES[e.type]
        lines.append(
            ChronologyLine(
                e.date,
                fmt(e.date),
                _stage(e.type),
                spec.label,
                event_summary(e),
                e.recorded_by or "case record",
            )
        )
    for (year, month, event_type), group in visits.items():
        days = [f"{v.date:%d/%m}" for v in group]
        alone = sum(1 for v in group if v.fields.get("seen_alone"))
        on = ", ".join(days[:-1]) + f" and {days[-1]}" if len(days) > 1 else days[0]
        label_text = EVENT_TYPES[event_type].label
        sources = sorted({v.recorded_by or "case record" for v in group})
        lines.append(
            ChronologyLine(
                min(v.date for v in group),
                f"{month:02d}/{year}",
                _stage(event_type),
                f"{label_text}s: {len(group)}" if len(group) > 1 else label_text,
                f"On {on}; seen alone at {alone}." if alone else f"On {on}.",
                ", ".join(sources),
            )
        )
    lines.sort(key=lambda line: line.day)
    return lines


def _line_cells(line: ChronologyLine) -> list[Cell]:
    return [line.when, line.stage, line.event, line.details]


def _deadline_cells(d: Deadline) -> list[Cell]:
    what = RULE_SHORT[d.rule] + (f"\n{d.ref}" if d.ref else "")
    return [fmt(d.due), what, rag_cell(d.rag, STATUS_WORDS[d.status]), d.explanation]


def story(data: ChronologyData) -> list[Flowable]:
    child = data.child
    out: list[Flowable] = [
        title(f"{child.name} ({child.id})" if child.name != child.id else child.id),
        *table(DETAIL_COLUMNS, _details(child, data.as_of), header=False, bold_columns=frozenset({0, 2})),
        *heading(f"Where {child.name} is at {fmt(data.as_of)}"),
        *table(
            JOURNEY_COLUMNS,
            [[s.title, s.state.value, s.detail] for s in journey_position(child, data.as_of)],
        ),
    ]
    width = frame_width(portrait=True)
    for i, p in enumerate(data.proceedings, start=1):
        which = f" {i}" if len(data.proceedings) > 1 else ""
        case = f", case {p.case_number}" if p.case_number else ""
        out += heading(f"Court timeline{which}{case}")
        status = (
            f"final order {fmt(p.final_order)} after {p.duration_weeks:.1f} weeks"
            if p.final_order is not None and p.duration_weeks is not None
            else f"week {p.week_on(data.as_of)} of 26 at {fmt(data.as_of)}"
        )
        out.append(
            para(
                f"Issued {fmt(p.issued)}{' at ' + p.court if p.court else ''}; 26 weeks end {fmt(p.statutory_end)}"
                + (f", extended to {fmt(p.end)}" if p.extensions else "")
                + f"; {status}."
            )
        )
        out.append(court_timeline(p.issued, p.statutory_end, p.end, timeline_marks(p, data.as_of), width))
        out.append(Spacer(1, 4))
    out += heading(f"Events to {fmt(data.as_of)}")
    out += table(
        EVENT_COLUMNS, [_line_cells(x) for x in chronology_lines(data.events)], empty="No events recorded."
    )
    out.append(note("Visits are summarised one line a month (dated mm/yyyy), with the day of each visit."))
    if data.later_events:
        out.append(note(f"{data.later_events} events dated after the as-of date are not shown."))
    out += heading(f"Deadlines at {fmt(data.as_of)}")
    out += table(DEADLINE_COLUMNS, [_deadline_cells(d) for d in data.deadlines], empty="No deadlines.")
    return out


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    if request.child_id is None:
        raise ReportError("The chronology report is for one child: give the child's id.")
    return story(gather(caseload, request.period, request.child_id))


# --- The chronology for the court -------------------------------------------------------------

COURT_TITLE: Final = "Chronology for the court"

#: Internal processes the court's chronology leaves out (the escalations between the IRO and the
#: authority's managers).
NOT_FOR_COURT: Final = frozenset(DRP_TYPES)

COURT_COLUMNS: Final = (
    Column("Date", 0.75),
    Column("Event", 1.5),
    Column("Details", 3.2),
    Column("Source", 1.0),
)


def court_story(data: ChronologyData, prepared_by: str, prepared_on: date | None) -> list[Flowable]:
    child = data.child
    f = child.fields
    born = birth_text(child, data.as_of)
    lines = chronology_lines(data.events, leave_out=NOT_FOR_COURT)
    cases = ", ".join(p.case_number for p in data.proceedings if p.case_number) or "not recorded"
    return [
        title(f"{COURT_TITLE}: {child.name}" if child.name != child.id else f"{COURT_TITLE}: {child.id}"),
        *table(
            DETAIL_COLUMNS,
            [
                ["Child", child.name, "Local authority reference", child.id],
                ["Birth", born, "Case number", cases],
                [
                    "Prepared by",
                    prepared_by or "not recorded",
                    "Prepared on",
                    fmt(prepared_on) or "not recorded",
                ],
                [
                    "Events to",
                    fmt(data.as_of),
                    "Social worker",
                    str(f.get("social_worker") or "not recorded"),
                ],
            ],
            header=False,
            bold_columns=frozenset({0, 2}),
        ),
        para(
            "The significant events of the child's journey in date order, each with its source. Visits are "
            "summarised one line a month; the authority's internal escalations and its timeliness ratings are "
            "not part of this chronology."
        ),
        *table(
            COURT_COLUMNS,
            [[x.when, x.event, x.details, x.source] for x in lines],
            empty="No events recorded.",
        ),
    ]


def court_flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    if request.child_id is None:
        raise ReportError("The chronology for the court is for one child: give the child's id.")
    data = gather(caseload, request.period, request.child_id)
    return court_story(data, request.prepared_by, request.prepared_on)
