"""The escalation register: every IRO / CP chair escalation (DRP) with its clocks, at an as-of date.

Rows come from the escalation facts of `models.screens.facts` (the same episodes as the DRP report) and
the engine's `drp.stage_response` and `drp.resolution_20wd` deadlines, read in one bulk pass over
the children with a `drp_raised` event.

Two design decisions, both kept inside the journey format so the engine needs nothing new:

- A **good practice alert** is a `drp_raised` event with category `good_practice` at stage 0
  (informal). Stage 0 has no response clock and no 20-working-day clock in the engine, so a positive
  alert never shows as late; it is listed as a kind of its own and counted apart from escalations.
  Resolving it records that the manager acknowledged it.
- **What is wanted, and by when** have no journey field: they are stored on the `drp_raised` event
  as the extra keys `wanted` (text) and `wanted_by` (ISO date). The journey file keeps unknown keys,
  so they survive export and import; no clock reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from sqlalchemy import select

from models.domain.calendar import WorkingCalendar
from models.domain.engine import Deadline
from models.domain.journey import DRP_STAGE_NAMES
from models.domain.records import ChildRecord, EventRecord, parse_date
from models.domain.rules import RAG_ORDER, Rag, Standards, Status
from models.screens.facts import Caseload, Escalation, child_facts, load_caseload_with
from models.screens.measures import resolution_wd
from models.screens.words import deadline_state
from models.storage.bulk import bulk_work
from models.storage.db import Database
from models.storage.settings import GOOD_PRACTICE
from models.storage.store import EVENT_T

#: The children the register reads.
DRP_EVENT_TYPES: Final = frozenset({"drp_raised"})

#: Extra keys of a `drp_raised` event (see the module docstring).
WANTED_KEY: Final = "wanted"
WANTED_BY_KEY: Final = "wanted_by"

#: The stages with a response clock inside the authority (timescales.md).
FORMAL_STAGES: Final = range(1, 5)
CAFCASS_STAGE: Final = 5

#: Who an escalation at each stage usually goes to (offered in the forms, still free text).
ADDRESSED_TO: Final = {
    0: "Social worker",
    1: "Team manager",
    2: "Service manager",
    3: "Head of service",
    4: "Director of children's services",
    5: "Cafcass",
}


class AlertKind(StrEnum):
    ESCALATION = "escalation"
    GOOD_PRACTICE = "good_practice"


def stage_label(stage: int) -> str:
    """'2 – service manager'."""
    return f"{stage} – {DRP_STAGE_NAMES.get(stage, 'unknown')}"


def category_label(code: str | None) -> str:
    """A category code as shown ('drift_and_delay' → 'Drift and delay')."""
    if not code:
        return ""
    if code == GOOD_PRACTICE:
        return "Good practice"
    return code.replace("_", " ").capitalize()


def category_code(text: str) -> str:
    """What a person typed as a new category, as a code ('Sibling contact' → 'sibling_contact')."""
    return re.sub(r"\s+", "_", text.strip().lower())


def role_label(role: str | None) -> str:
    return {"iro": "IRO", "cp_chair": "CP chair"}.get(role or "", role or "")


def stage_due(standards: Standards, calendar: WorkingCalendar, day: date, stage: int) -> date | None:
    """When a response to a stage started on `day` is due, or None for a stage with no clock."""
    if stage not in FORMAL_STAGES:
        return None
    return calendar.add_working_days(day, standards.drp_stage_response_wd)


def no_clock_reason(stage: int) -> str:
    if stage == 0:
        return "Informal: no response clock"
    if stage == CAFCASS_STAGE:
        return "Cafcass: outside the authority, no response clock"
    return ""


@dataclass(frozen=True, slots=True)
class StageClock:
    """One stage of an escalation and its response clock (None for stage 0 and Cafcass, or when it
    was escalated or resolved before the response fell due: a clock that never fell due)."""

    stage: int
    started: date
    addressed_to: str | None
    ended: date | None
    deadline: Deadline | None
    state: str

    @property
    def label(self) -> str:
        return stage_label(self.stage)

    @property
    def explanation(self) -> str:
        if self.deadline is not None:
            return self.deadline.explanation
        reason = no_clock_reason(self.stage)
        if reason:
            return f"Stage {self.label} from {self.started:%d/%m/%Y}. {reason}."
        return (
            f"Stage {self.label} from {self.started:%d/%m/%Y}: moved on or resolved on "
            f"{self.ended:%d/%m/%Y} before the response was due, so its clock never fell due."
            if self.ended is not None
            else f"Stage {self.label} from {self.started:%d/%m/%Y}."
        )


@dataclass(frozen=True, slots=True)
class EscalationRow:
    """One escalation (or good practice alert) with its stages, clocks and what to do next."""

    escalation: Escalation
    child_name: str
    team: str
    kind: AlertKind
    wanted: str | None
    wanted_by: date | None
    stages: tuple[StageClock, ...]
    resolution: Deadline | None
    resolution_state: str
    working_days: int  # from raising to resolution, or to the as-of date while open
    as_of: date
    #: Working days from the first formal stage to resolution, as `drp.resolution_20wd` counts them
    #: (None while open or never formal): what the DRP report prints and M9 counts.
    resolution_wd: int | None = None

    @property
    def ref(self) -> str:
        return self.escalation.ref

    @property
    def child_id(self) -> str:
        return self.escalation.child_id

    @property
    def is_open(self) -> bool:
        return self.escalation.is_open

    @property
    def current(self) -> StageClock:
        return self.stages[-1]

    @property
    def current_clock(self) -> Deadline | None:
        """The response clock of the current stage (while open), else None."""
        return self.current.deadline if self.is_open else None

    @property
    def rag(self) -> Rag | None:
        """Open: the worse of the current stage's clock and the 20-WD clock; closed: the 20-WD clock."""
        clocks = [self.resolution] + ([self.current.deadline] if self.is_open else [])
        rags = [c.rag for c in clocks if c is not None]
        return min(rags, key=lambda r: RAG_ORDER[r]) if rags else None

    @property
    def raiser(self) -> str:
        role = role_label(self.escalation.role)
        name = self.escalation.raised_by or ""
        return f"{name} ({role})" if name and role else name or role

    @property
    def status(self) -> str:
        """'Open at stage 2 – service manager', 'Resolved 15/07/2025', 'Good practice: recorded'."""
        e = self.escalation
        if self.kind is AlertKind.GOOD_PRACTICE:
            return f"Acknowledged {e.resolved:%d/%m/%Y}" if e.resolved else "Recorded, not yet acknowledged"
        if e.resolved is not None:
            return f"Resolved {e.resolved:%d/%m/%Y}"
        return f"Open at stage {self.current.label}"

    @property
    def last_response(self) -> tuple[date, bool | None] | None:
        return self.escalation.responses[-1] if self.escalation.responses else None

    @property
    def next_step(self) -> str:
        """What the process suggests now (the IRO Handbook: escalate on no response or an
        unsatisfactory one)."""
        if not self.is_open or self.kind is AlertKind.GOOD_PRACTICE:
            return ""
        current = self.current
        answered = [r for r in self.escalation.responses if r[0] >= current.started]
        if answered and answered[-1][1] is False:
            return "The response was not satisfactory: escalate, or resolve if agreed."
        if answered and answered[-1][1]:
            return "A satisfactory response was received: resolve with the outcome."
        clock = current.deadline
        if clock is not None and clock.status is Status.OVERDUE:
            return "No response by the due date: chase it or escalate to the next stage."
        if current.stage == CAFCASS_STAGE:
            return "Referred to Cafcass: record the outcome when known."
        return "Awaiting a response."


@dataclass(frozen=True)
class EscalationRegister:
    """Every escalation and good practice alert at one as-of date, newest raised first."""

    as_of: date
    rows: tuple[EscalationRow, ...] = ()

    def merged(self, partial: EscalationRegister, child_ids: Iterable[str]) -> EscalationRegister:
        ids = set(child_ids)
        rows = [r for r in self.rows if r.child_id not in ids] + list(partial.rows)
        return EscalationRegister(self.as_of, tuple(register_order(rows)))


def register_order(rows: Iterable[EscalationRow]) -> list[EscalationRow]:
    return sorted(rows, key=lambda r: (r.escalation.raised, r.ref, r.child_id), reverse=True)


@dataclass(frozen=True)
class EscalationFilter:
    """What the register shows. None means any."""

    open_only: bool = True
    kind: AlertKind | None = AlertKind.ESCALATION
    stage: int | None = None
    category: str | None = None
    raiser: str | None = None
    team: str | None = None


def filter_escalations(rows: Sequence[EscalationRow], flt: EscalationFilter) -> list[EscalationRow]:
    return [
        r
        for r in rows
        if (not flt.open_only or r.is_open)
        and (flt.kind is None or r.kind is flt.kind)
        and (flt.stage is None or r.current.stage == flt.stage)
        and (flt.category is None or (r.escalation.category or "") == flt.category)
        and (flt.raiser is None or (r.escalation.raised_by or "") == flt.raiser)
        and (flt.team is None or r.team == flt.team)
    ]


@dataclass(frozen=True, slots=True)
class RegisterCounts:
    open_escalations: int
    escalations: int
    overdue: int  # open escalations whose current stage or 20-WD clock is overdue
    good_practice: int


def register_counts(rows: Iterable[EscalationRow]) -> RegisterCounts:
    open_ = total = overdue = good = 0
    for r in rows:
        if r.kind is AlertKind.GOOD_PRACTICE:
            good += 1
            continue
        total += 1
        if r.is_open:
            open_ += 1
            clocks = (r.current.deadline, r.resolution)
            if any(c is not None and c.status is Status.OVERDUE for c in clocks):
                overdue += 1
    return RegisterCounts(open_, total, overdue, good)


def distinct_values(rows: Iterable[EscalationRow]) -> dict[str, list[str]]:
    """Categories, raisers and teams present, sorted, for the filter lists."""
    categories: set[str] = set()
    raisers: set[str] = set()
    teams: set[str] = set()
    for r in rows:
        categories.add(r.escalation.category or "")
        raisers.add(r.escalation.raised_by or "")
        teams.add(r.team)
    return {
        "category": sorted(categories, key=str.lower),
        "raiser": sorted(raisers, key=str.lower),
        "team": sorted(teams, key=str.lower),
    }


# --- Building ---------------------------------------------------------------------------------


def kind_of(escalation: Escalation) -> AlertKind:
    return AlertKind.GOOD_PRACTICE if escalation.category == GOOD_PRACTICE else AlertKind.ESCALATION


def raised_event(child: ChildRecord, escalation: Escalation) -> EventRecord | None:
    """The `drp_raised` event that opened an escalation."""
    return next(
        (
            e
            for e in child.events
            if e.type == "drp_raised"
            and e.date == escalation.raised
            and e.fields.get("ref") == escalation.ref
        ),
        None,
    )


def wanted_of(event: EventRecord | None) -> tuple[str | None, date | None]:
    if event is None:
        return None, None
    wanted = event.extra.get(WANTED_KEY)
    by = parse_date(event.extra.get(WANTED_BY_KEY))
    return (str(wanted) if wanted else None), by


def _stage_clocks(caseload: Caseload, e: Escalation, clocks: Sequence[Deadline]) -> tuple[StageClock, ...]:
    out = []
    for i, stage in enumerate(e.stages):
        ended = e.stages[i + 1].date if i + 1 < len(e.stages) else e.resolved
        candidates = [d for d in clocks if d.rule == "drp.stage_response" and d.trigger == stage.date]
        if len(candidates) > 1:  # two stages on one day: tell them apart by the stage in the detail
            candidates = [d for d in candidates if (d.detail or "").startswith(f"stage {stage.stage} ")]
        clock = candidates[0] if candidates and stage.stage in FORMAL_STAGES else None
        if clock is not None:
            state = deadline_state(caseload, clock)
        elif stage.stage in FORMAL_STAGES:
            state = "moved on before the response was due"
        else:
            state = no_clock_reason(stage.stage).split(":")[0].lower()
        out.append(StageClock(stage.stage, stage.date, stage.addressed_to, ended, clock, state))
    return tuple(out)


def escalation_row(caseload: Caseload, child: ChildRecord, e: Escalation) -> EscalationRow:
    end = e.resolved if e.resolved is not None else caseload.as_of
    clocks = [
        d
        for d in caseload.deadlines_of(child.id)
        if d.ref == e.ref and d.trigger >= e.raised and (e.resolved is None or d.trigger <= e.resolved)
    ]
    first_formal = next((s for s in e.stages if s.stage in FORMAL_STAGES), None)
    resolution = (
        next(
            (d for d in clocks if d.rule == "drp.resolution_20wd" and d.trigger == first_formal.date),
            None,
        )
        if first_formal is not None
        else None
    )
    wanted, wanted_by = wanted_of(raised_event(child, e))
    return EscalationRow(
        e,
        child.name,
        str(child.fields.get("team") or ""),
        kind_of(e),
        wanted,
        wanted_by,
        _stage_clocks(caseload, e, clocks),
        resolution,
        deadline_state(caseload, resolution) if resolution is not None else "",
        caseload.calendar.working_days_between(e.raised, end),
        caseload.as_of,
        resolution_wd(caseload, e),
    )


def escalation_register(caseload: Caseload) -> EscalationRegister:
    rows = [
        escalation_row(caseload, facts.child, e) for facts in caseload.all_facts() for e in facts.escalations
    ]
    return EscalationRegister(caseload.as_of, tuple(register_order(rows)))


def build_escalation_register(
    db: Database, as_of: date, child_ids: Sequence[str] | None = None
) -> EscalationRegister:
    """The register at `as_of` for every child with an escalation (or for a few, to merge)."""
    with bulk_work():
        caseload = load_caseload_with(db, as_of, DRP_EVENT_TYPES, child_ids)
        return escalation_register(caseload)


def child_escalations(child: ChildRecord) -> tuple[Escalation, ...]:
    """A child's escalations as recorded, whatever the as-of date: what the DRP forms act on."""
    return child_facts(child, date.max).escalations


def open_escalations(child: ChildRecord) -> list[Escalation]:
    return [e for e in child_escalations(child) if e.is_open]


_REF = re.compile(r"^DRP-(\d{2})-(\d+)$")


def next_ref(db: Database, day: date) -> str:
    """A new reference in the service's form, DRP-YY-NNN, one above the highest of that year (as
    many digits as the references already recorded)."""
    year = day.year % 100
    prefix = f"DRP-{year:02d}-"
    query = select(EVENT_T.c.ref).where(EVENT_T.c.type == "drp_raised", EVENT_T.c.ref.like(prefix + "%"))
    with db.engine.connect() as conn:
        refs = [str(r) for (r,) in conn.execute(query)]
    found = [m[2] for r in refs if (m := _REF.match(r)) is not None]
    width = max((len(n) for n in found), default=3)  # as the service numbers them (014, 0014)
    return f"{prefix}{max((int(n) for n in found), default=0) + 1:0{width}d}"
