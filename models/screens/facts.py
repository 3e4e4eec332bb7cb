"""What happened to each child, in episodes the reports print: the facts behind the deadlines.

The engine judges clocks; the printed reports also need the things around them (a case number, an
extension's reason, the family group conference, who raised an escalation). This module reads them
from the chronology with the engine's own conventions: events after the as-of date do not count
(except hearings already listed, which the court tracker shows as "next hearing"), same-type
events of one date (and DRP reference) count once, and on one date the events that close an
episode apply before those that open one.

`Caseload` bundles the children, their deadlines at the as-of date and the settings: the one
input of every report and of the measures, built by `load_caseload` or, in tests, from records.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from models.domain.calendar import WorkingCalendar
from models.domain.engine import (
    COURT_LAST_DAY_OFFSET,
    Deadline,
    Episode,
    all_deadlines,
    ends_plan,
    episodes_of,
    makes_plan,
    prepare,
)
from models.domain.journey import DRP_TYPES, Event
from models.domain.records import ChildRecord, EventRecord
from models.storage.db import Database
from models.storage.settings import GOOD_PRACTICE, Settings, read_settings
from models.storage.store import CHILD_T, EVENT_T, calendar_of, child_from_row, event_from_row, iter_children

# --- Episodes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CpPlan:
    """A child protection plan: from an ICPC with outcome `plan` to its end (None while open)."""

    icpc: date
    category: str | None
    reviews: tuple[date, ...]
    ended: date | None


@dataclass(frozen=True, slots=True)
class PermanencePlan:
    date: date
    plan: str | None
    ratified: bool


@dataclass(frozen=True, slots=True)
class CarePeriod:
    """A period of care: from becoming looked after to ceasing (None while open)."""

    start: date
    legal_status: str | None
    reviews: tuple[date, ...]
    plans: tuple[PermanencePlan, ...]
    ceased: date | None
    #: Permanence forums that discussed the child during the period (M13).
    forums: tuple[date, ...] = ()

    def plan_on(self, day: date) -> PermanencePlan | None:
        """The permanence plan in place on a date (the latest made on or before it)."""
        found = None
        for plan in self.plans:
            if plan.date <= day:
                found = plan
        return found


@dataclass(frozen=True, slots=True)
class Extension:
    granted: date
    until: date
    reason: str | None


@dataclass(frozen=True, slots=True)
class Hearing:
    date: date
    kind: str | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class Proceedings:
    """Care proceedings from issue to final order, with the steps before issue.

    `decision` and `documents` are the decision to issue (whose episode this issue closed) and the
    documents sent to legal between the decision and issue; `listed` are hearings dated after the
    as-of date while the proceedings are open (already listed, so shown as the next hearing).
    """

    issued: date
    case_number: str | None
    court: str | None
    extensions: tuple[Extension, ...]
    hearings: tuple[Hearing, ...]
    listed: tuple[Hearing, ...]
    final_order: date | None
    order: str | None
    decision: date | None
    documents: date | None

    @property
    def statutory_end(self) -> date:
        """The last day of the 26 weeks beginning with the issue day."""
        return self.issued + COURT_LAST_DAY_OFFSET

    @property
    def end(self) -> date:
        """The timetable's end: the statutory end, or the latest extension's new end."""
        latest: Extension | None = None
        for extension in self.extensions:
            if latest is None or extension.granted >= latest.granted:
                latest = extension
        return latest.until if latest is not None else self.statutory_end

    def week_on(self, day: date) -> int:
        """The week of the proceedings a date falls in (the issue day is day 1 of week 1)."""
        return (day - self.issued).days // 7 + 1

    @property
    def duration_weeks(self) -> float | None:
        """Weeks from issue to final order, to one decimal place, as the MoJ reports them."""
        if self.final_order is None:
            return None
        return round((self.final_order - self.issued).days / 7, 1)

    @property
    def within_26_weeks(self) -> bool | None:
        return None if self.final_order is None else self.final_order <= self.statutory_end

    @property
    def within_end(self) -> bool | None:
        return None if self.final_order is None else self.final_order <= self.end


@dataclass(frozen=True, slots=True)
class PendingIssue:
    """A decision to issue that proceedings have not yet followed."""

    decision: date
    documents: date | None


@dataclass(frozen=True, slots=True)
class PlanExtension:
    granted: date
    weeks: int
    reason: str | None


@dataclass(frozen=True, slots=True)
class PreProceedings:
    """Pre-proceedings under the PLO: from the letter before proceedings to its end."""

    letter: date
    meetings: tuple[date, ...]
    reviews: tuple[date, ...]
    family_group_conferences: tuple[tuple[date, str], ...]
    extensions: tuple[PlanExtension, ...]
    ended: date | None
    outcome: str | None

    @property
    def extension_weeks(self) -> int:
        return sum(e.weeks for e in self.extensions)

    @property
    def weeks_allowed(self) -> int:
        return 16 + self.extension_weeks

    def week_on(self, day: date) -> int:
        """The week of pre-proceedings a date falls in (the letter's day is day 1 of week 1)."""
        return (day - self.letter).days // 7 + 1

    @property
    def duration_weeks(self) -> float | None:
        if self.ended is None:
            return None
        return round((self.ended - self.letter).days / 7, 1)

    def fgc_dates(self, stage: str) -> tuple[date, ...]:
        return tuple(d for d, s in self.family_group_conferences if s == stage)


@dataclass(frozen=True, slots=True)
class EscalationStage:
    stage: int
    date: date
    addressed_to: str | None


@dataclass(frozen=True, slots=True)
class Escalation:
    """One IRO / CP chair escalation (DRP) from raising to resolution (None while open)."""

    child_id: str
    ref: str
    raised: date
    raised_by: str | None
    role: str | None
    category: str | None
    stages: tuple[EscalationStage, ...]
    responses: tuple[tuple[date, bool | None], ...]
    resolved: date | None
    outcome: str | None

    @property
    def highest_stage(self) -> int:
        return max(s.stage for s in self.stages)

    @property
    def current(self) -> EscalationStage:
        return self.stages[-1]

    @property
    def formal(self) -> bool:
        """Formal once it reached stage 1 or above (stage 0 is informal)."""
        return self.highest_stage >= 1

    @property
    def good_practice(self) -> bool:
        """A positive alert (category `good_practice`): counted apart, never as a challenge."""
        return self.category == GOOD_PRACTICE

    @property
    def is_open(self) -> bool:
        return self.resolved is None


@dataclass(frozen=True)
class ChildFacts:
    """Every episode of one child at the as-of date, each list in date order."""

    child: ChildRecord
    cp_plans: tuple[CpPlan, ...] = ()
    care_periods: tuple[CarePeriod, ...] = ()
    pre_proceedings: tuple[PreProceedings, ...] = ()
    proceedings: tuple[Proceedings, ...] = ()
    pending_issues: tuple[PendingIssue, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    #: Legal planning meetings: (date, decision), in date order.
    legal_planning_meetings: tuple[tuple[date, str | None], ...] = ()

    @property
    def open_cp_plan(self) -> CpPlan | None:
        return self.cp_plans[-1] if self.cp_plans and self.cp_plans[-1].ended is None else None

    @property
    def open_care_period(self) -> CarePeriod | None:
        last = self.care_periods[-1] if self.care_periods else None
        return last if last is not None and last.ceased is None else None


# --- Reading the chronology -------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return str(value) if value is not None and value != "" else None


class _Reader:
    """A child's chronology as the engine prepares it, with each event's full record at hand.

    Episodes are split by the engine's own `episodes_of` and predicates, so a report can never
    disagree with the clocks about when an episode opened or closed.
    """

    def __init__(self, child: ChildRecord, as_of: date) -> None:
        self.records = {e.id: e for e in child.events}
        self.chronology = prepare((e.to_engine() for e in child.events), as_of)

    def field(self, event: Event, name: str) -> Any:
        record = self.records.get(event.id or "")
        return record.fields.get(name) if record is not None else None

    def within(self, episode: Episode, *types: str) -> list[Event]:
        return [e for e in self.chronology if e.type in types and episode.contains(e.date)]


def counted_events(child: ChildRecord, as_of: date) -> list[EventRecord]:
    """The child's events as the clocks see them: to the as-of date, once each, closers first."""
    reader = _Reader(child, as_of)
    return [reader.records[e.id] for e in reader.chronology if e.id in reader.records]


def child_facts(child: ChildRecord, as_of: date) -> ChildFacts:
    """Every episode of a child at `as_of`."""
    reader = _Reader(child, as_of)
    if not reader.chronology:
        return ChildFacts(child)
    listed = tuple(
        Hearing(e.date, _str(e.fields.get("kind")), _str(e.fields.get("outcome")))
        for e in child.events
        if e.type == "hearing" and e.date > as_of
    )
    return ChildFacts(
        child,
        _cp_plans(reader),
        _care_periods(reader),
        _pre_proceedings(reader),
        *_court(reader, listed),
        _escalations(child.id, reader),
        tuple(
            (e.date, _str(reader.field(e, "decision")))
            for e in reader.chronology
            if e.type == "legal_planning_meeting"
        ),
    )


def _cp_plans(r: _Reader) -> tuple[CpPlan, ...]:
    # A review that ends a plan comes before an ICPC of the same date, as in the engine.
    ordered = r.chronology
    return tuple(
        CpPlan(
            plan.open.date,
            _str(r.field(plan.open, "category")),
            tuple(e.date for e in r.within(plan, "cp_review")),
            plan.close_date,
        )
        for plan in episodes_of(ordered, makes_plan, ends_plan, reopens=makes_plan)
    )


def _care_periods(r: _Reader) -> tuple[CarePeriod, ...]:
    periods = episodes_of(
        r.chronology, lambda e: e.type == "became_looked_after", lambda e: e.type == "ceased_looked_after"
    )
    return tuple(
        CarePeriod(
            period.open.date,
            _str(r.field(period.open, "legal_status")),
            tuple(e.date for e in r.within(period, "cla_review")),
            tuple(
                PermanencePlan(e.date, _str(r.field(e, "plan")), bool(r.field(e, "ratified_by_iro")))
                for e in r.within(period, "permanence_plan")
            ),
            period.close_date,
            tuple(e.date for e in r.within(period, "permanence_forum")),
        )
        for period in periods
    )


def _pre_proceedings(r: _Reader) -> tuple[PreProceedings, ...]:
    episodes = episodes_of(
        r.chronology,
        lambda e: e.type == "letter_before_proceedings",
        lambda e: e.type == "pre_proceedings_ended",
    )
    return tuple(
        PreProceedings(
            episode.open.date,
            tuple(e.date for e in r.within(episode, "pre_proceedings_meeting")),
            tuple(e.date for e in r.within(episode, "pre_proceedings_review")),
            tuple(
                (e.date, str(r.field(e, "stage") or "held"))
                for e in r.within(episode, "family_group_conference")
            ),
            tuple(
                PlanExtension(e.date, e.weeks or 0, _str(r.field(e, "reason")))
                for e in r.within(episode, "pre_proceedings_extended")
            ),
            episode.close_date,
            episode.close.outcome if episode.close is not None else None,
        )
        for episode in episodes
    )


def _court(
    r: _Reader, listed: tuple[Hearing, ...]
) -> tuple[tuple[Proceedings, ...], tuple[PendingIssue, ...]]:
    # As in the engine: an issue closes a decision made before its day, else the one made that day.
    decisions = episodes_of(
        r.chronology, lambda e: e.type == "decision_to_issue", lambda e: e.type == "proceedings_issued"
    )

    def documents(decision: Episode) -> date | None:
        sent = r.within(decision, "documents_to_legal")
        return sent[0].date if sent else None

    decided = {id(d.close): d for d in decisions if d.close is not None}
    proceedings = []
    for p in episodes_of(
        r.chronology, lambda e: e.type == "proceedings_issued", lambda e: e.type == "final_order"
    ):
        decision = decided.get(id(p.open))
        proceedings.append(
            Proceedings(
                p.open.date,
                _str(r.field(p.open, "case_number")),
                _str(r.field(p.open, "court")),
                tuple(
                    Extension(e.date, e.until, _str(r.field(e, "reason")))
                    for e in r.within(p, "extension")
                    if e.until is not None
                ),
                tuple(
                    Hearing(e.date, _str(r.field(e, "kind")), _str(r.field(e, "outcome")))
                    for e in r.within(p, "hearing")
                ),
                listed if p.close is None else (),
                p.close_date,
                _str(r.field(p.close, "order")) if p.close is not None else None,
                decision.open.date if decision is not None else None,
                documents(decision) if decision is not None else None,
            )
        )
    pending = tuple(PendingIssue(d.open.date, documents(d)) for d in decisions if d.close is None)
    return tuple(proceedings), pending


def _escalations(child_id: str, r: _Reader) -> tuple[Escalation, ...]:
    by_ref: dict[str, list[Event]] = {}
    for event in r.chronology:
        if event.ref is not None and event.type in DRP_TYPES:
            by_ref.setdefault(event.ref, []).append(event)
    out: list[Escalation] = []
    for ref, events in by_ref.items():
        for episode in episodes_of(
            events, lambda e: e.type == "drp_raised", lambda e: e.type == "drp_resolved"
        ):
            inside = [e for e in events if e is episode.open or episode.contains(e.date)]
            raised = episode.open
            stages = [EscalationStage(raised.stage or 0, raised.date, _str(r.field(raised, "addressed_to")))]
            stages += [
                EscalationStage(e.stage or 0, e.date, _str(r.field(e, "addressed_to")))
                for e in inside
                if e.type == "drp_escalated"
            ]
            responses = tuple(
                (e.date, None if r.field(e, "satisfactory") is None else bool(r.field(e, "satisfactory")))
                for e in inside
                if e.type == "drp_response"
            )
            close = episode.close
            out.append(
                Escalation(
                    child_id,
                    ref,
                    raised.date,
                    _str(r.field(raised, "raised_by")),
                    _str(r.field(raised, "role")),
                    _str(r.field(raised, "category")),
                    tuple(stages),
                    responses,
                    close.date if close is not None else None,
                    _str(r.field(close, "outcome")) if close is not None else None,
                )
            )
    out.sort(key=lambda e: (e.raised, e.ref))
    return tuple(out)


# --- The caseload -----------------------------------------------------------------------------


@dataclass
class Caseload:
    """Children, their deadlines at the as-of date and the settings: what every report reads.

    Facts are worked out per child on first use and kept.
    """

    as_of: date
    children: tuple[ChildRecord, ...]
    deadlines: Mapping[str, Sequence[Deadline]]
    settings: Settings
    calendar: WorkingCalendar
    _facts: dict[str, ChildFacts] = field(default_factory=dict, repr=False)
    _by_rule: dict[str, list[Deadline]] | None = field(default=None, repr=False)
    _by_id: dict[str, ChildRecord] | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, children: Iterable[ChildRecord], as_of: date, settings: Settings | None = None
    ) -> Caseload:
        """Run the engine over the children's chronologies at `as_of` (pure: no database)."""
        settings = settings or Settings()
        calendar = calendar_of(settings)
        kids = tuple(sorted(children, key=lambda c: c.id))
        openings = {c.id: opening for c in kids if (opening := c.opening) is not None}
        flat = all_deadlines(
            ((c.id, [e.to_engine() for e in c.events]) for c in kids),
            as_of,
            settings.standards,
            calendar,
            openings,
        )
        by_child: dict[str, list[Deadline]] = {}
        for d in flat:
            by_child.setdefault(d.child_id, []).append(d)
        return cls(as_of, kids, by_child, settings, calendar)

    def deadlines_of(self, child_id: str) -> Sequence[Deadline]:
        return self.deadlines.get(child_id, ())

    def deadlines_of_rule(self, rule: str) -> Sequence[Deadline]:
        """Every child's deadlines of one rule (indexed on first use: the measures read them per
        period, twelve periods for a trend)."""
        if self._by_rule is None:
            index: dict[str, list[Deadline]] = {}
            for child in self.children:
                for d in self.deadlines_of(child.id):
                    index.setdefault(d.rule, []).append(d)
            self._by_rule = index
        return self._by_rule.get(rule, ())

    def facts(self, child: ChildRecord) -> ChildFacts:
        """The child's episodes at the as-of date: none before an imported record's `tracked_from`
        (nothing to judge yet, so no report or measure counts it)."""
        found = self._facts.get(child.id)
        if found is None:
            opening = child.opening
            if opening is not None and self.as_of < opening.tracked_from:
                found = self._facts[child.id] = ChildFacts(child)
            else:
                found = self._facts[child.id] = child_facts(child, self.as_of)
        return found

    def all_facts(self) -> Iterable[ChildFacts]:
        for child in self.children:
            yield self.facts(child)

    def child(self, child_id: str) -> ChildRecord | None:
        if self._by_id is None:
            self._by_id = {c.id: c for c in self.children}
        return self._by_id.get(child_id)

    @property
    def officers(self) -> list[str]:
        """The reviewing officers recorded against any child, sorted."""
        return sorted(
            {str(c.fields["reviewing_officer"]) for c in self.children if c.fields.get("reviewing_officer")}
        )


def load_caseload(
    db: Database, as_of: date, child_ids: Sequence[str] | None = None, *, reviewing_officer: str | None = None
) -> Caseload:
    """Every child (or some, or one reviewing officer's) from the database, with the engine's
    deadlines at `as_of`. A child's deadlines depend on its own events only, so a part of the
    caseload has the same deadlines as the whole: one officer's sheet judges only their children."""
    with db.engine.connect() as conn:
        settings = read_settings(conn)
        children = list(iter_children(conn, child_ids, reviewing_officer=reviewing_officer))
    return Caseload.build(children, as_of, settings)


def reviewing_officers(db: Database) -> list[str]:
    """Every reviewing officer recorded against a child, sorted (one query): `Caseload.officers`
    without reading the children."""
    column = CHILD_T.c.reviewing_officer
    with db.engine.connect() as conn:
        names = conn.execute(select(column).where(column.is_not(None), column != "").distinct()).scalars()
        return sorted(str(n) for n in names)


def load_caseload_with(
    db: Database, as_of: date, event_types: Collection[str], child_ids: Sequence[str] | None = None
) -> Caseload:
    """Only the children with an event of one of `event_types` (with all their events), and their
    deadlines at `as_of`: the court and escalation pages read a few thousand children this way
    instead of every child. Two queries, filtered in SQL, whatever the number of children.
    """
    having = select(EVENT_T.c.child_id).where(EVENT_T.c.type.in_(sorted(event_types)))
    if child_ids is not None:
        having = having.where(EVENT_T.c.child_id.in_(list(child_ids)))
    child_q = select(CHILD_T).where(CHILD_T.c.id.in_(having)).order_by(CHILD_T.c.id)
    event_q = (
        select(EVENT_T)
        .where(EVENT_T.c.child_id.in_(having))
        .order_by(EVENT_T.c.child_id, EVENT_T.c.date, EVENT_T.c.pk)
    )
    with db.engine.connect() as conn:
        settings = read_settings(conn)
        by_child: dict[str, list[EventRecord]] = {}
        for row in conn.execute(event_q).mappings():
            by_child.setdefault(row["child_id"], []).append(event_from_row(row))
        children = [
            child_from_row(row, by_child.get(row["id"], ())) for row in conn.execute(child_q).mappings()
        ]
    return Caseload.build(children, as_of, settings)


def child_choices(db: Database) -> list[tuple[str, str]]:
    """Every child's id and name, in id order (one query): for picking the child of a chronology."""
    table = CHILD_T
    query = select(table.c.id, table.c.given_name, table.c.family_name).order_by(table.c.id)
    with db.engine.connect() as conn:
        return [
            (str(cid), " ".join(p for p in (given, family) if p) or str(cid))
            for cid, given, family in conn.execute(query)
        ]
