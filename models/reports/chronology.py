"""6. Child chronology: one child's events and deadlines, the court team's bundle page (portrait).

The child's details and where they are on the journey; for each set of care proceedings a drawn
26-week timeline (issue, hearings, extensions, the as-of date, the final order); every event to the
as-of date in date order; and every deadline with its RAG and the engine's plain English explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from reportlab.platypus import Flowable, Spacer

from models.domain.engine import Deadline
from models.domain.journey import EVENT_TYPES
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


def _event_cells(e: EventRecord) -> list[Cell]:
    spec = EVENT_TYPES[e.type]
    stage = spec.stage.value
    return [fmt(e.date), stage[0].upper() + stage[1:], spec.label, event_summary(e)]


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
    out += table(EVENT_COLUMNS, [_event_cells(e) for e in data.events], empty="No events recorded.")
    if data.later_events:
        out.append(note(f"{data.later_events} events dated after the as-of date are not shown."))
    out += heading(f"Deadlines at {fmt(data.as_of)}")
    out += table(DEADLINE_COLUMNS, [_deadline_cells(d) for d in data.deadlines], empty="No deadlines.")
    return out


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    if request.child_id is None:
        raise ReportError("The chronology report is for one child: give the child's id.")
    return story(gather(caseload, request.period, request.child_id))
