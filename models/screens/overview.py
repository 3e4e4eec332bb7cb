"""The whole caseload at an as-of date, in one pass: a summary row per child and the attention list.

The children register and the Today page of the desktop application read these plain rows; they
are built from two bulk queries (children, and the events the rules read) and one engine run per
child, never a query per child. `Overview.merged` swaps in a few recomputed children after an
edit, so one change does not recompute fifty thousand.

"Open" deadlines are those still to act on: not met, and whose episode has not closed (an overdue
deadline left behind by a closed episode is history for the reports, not work for today).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from models.domain.calendar import WorkingCalendar
from models.domain.engine import Deadline, Opening, child_judge, prepare
from models.domain.journey import Event, Stage
from models.domain.records import CLOSED_KEY, ChildRecord, closed_on
from models.domain.rules import RAG_ORDER, RULES, Rag, Status, Unit
from models.storage.bulk import bulk_work
from models.storage.db import Database
from models.storage.settings import GOOD_PRACTICE, read_settings
from models.storage.store import calendar_of, load_engine_events, load_openings

#: The order stages are listed in everywhere (the order a child passes through them).
STAGE_ORDER: Mapping[Stage, int] = {stage: i for i, stage in enumerate(Stage)}

_CHILD_SQL = (
    "SELECT id, given_name, family_name, date_of_birth, expected_date_of_birth, team, social_worker, "
    "reviewing_officer FROM child"
)


@dataclass(frozen=True, slots=True)
class ChildSummary:
    """One row of the children register: who the child is and where their clocks stand.

    Attributes:
        age: whole years at the as-of date; None when unborn or the date of birth is not recorded.
        unborn: no date of birth yet (an expected one, or one after the as-of date).
        stages: the stages the child is in at the as-of date, in journey order.
        next_due / next_rule: the earliest open deadline (overdue ones included).
        worst_rag: the worst RAG of the open deadlines; None when nothing is open.
        haystack: lower-case id and name, for search-as-you-type.
        reason: the open deadline behind the RAG (the worst, then the earliest due): what the
            details pane and the CSV's "Why" explain (`models.screens.words.why`); None when
            nothing is open or not yet worked out.
    """

    id: str
    name: str
    age: int | None
    unborn: bool
    team: str
    social_worker: str
    reviewing_officer: str
    stages: tuple[Stage, ...]
    next_due: date | None
    next_rule: str | None
    worst_rag: Rag | None
    overdue: int
    due_soon: int
    haystack: str
    pending: bool = False  # deadlines not worked out yet (the quick first listing at start-up)
    reason: Deadline | None = None


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One open deadline that is overdue or due soon: a line of the Today page.

    `days` is how late (overdue) or how long is left (due soon), in the rule's unit.
    """

    child_id: str
    child_name: str
    rule: str
    stage: Stage
    due: date
    status: Status
    rag: Rag
    days: int
    unit: Unit
    ref: str | None
    deadline: Deadline | None = None  # the engine's, for its explanation (the details pane)

    @property
    def title(self) -> str:
        return RULES[self.rule].title

    @property
    def when(self) -> str:
        """'12 working days overdue', 'due today', 'due in 1 day'."""
        unit = "working day" if self.unit is Unit.WORKING_DAYS else "day"
        amount = f"{self.days} {unit}{'' if self.days == 1 else 's'}"
        if self.status is Status.OVERDUE:
            return f"{amount} overdue"
        if self.days == 0:
            return "due today"
        return f"due in {amount}"


@dataclass(frozen=True)
class Overview:
    """Every child's summary (in id order) and the attention list (stage, overdue first, due date)."""

    as_of: date
    children: tuple[ChildSummary, ...] = ()
    attention: tuple[AttentionItem, ...] = ()
    complete: bool = True  # False for the quick listing: children only, deadlines still to come

    def merged(self, partial: Overview, child_ids: Iterable[str]) -> Overview:
        """This overview with `child_ids` replaced by their rows in `partial` (dropped if absent)."""
        ids = set(child_ids)
        children = [c for c in self.children if c.id not in ids]
        children.extend(partial.children)
        children.sort(key=lambda c: c.id)
        attention = [a for a in self.attention if a.child_id not in ids]
        attention.extend(partial.attention)
        attention.sort(key=_attention_key)
        return make_overview(self.as_of, children, attention)

    def child(self, child_id: str) -> ChildSummary | None:
        for row in self.children:
            if row.id == child_id:
                return row
        return None


def make_overview(
    as_of: date, children: Sequence[ChildSummary], attention: Sequence[AttentionItem]
) -> Overview:
    return Overview(as_of, tuple(children), tuple(attention))


def _attention_key(item: AttentionItem) -> tuple[int, int, date, str, str]:
    return (
        STAGE_ORDER[item.stage],
        0 if item.status is Status.OVERDUE else 1,
        item.due,
        item.child_id,
        item.rule,
    )


def is_open(deadline: Deadline) -> bool:
    """Still to act on: not met and its episode not closed."""
    return deadline.done is None and deadline.closed_by is None


def current_stages(chronology: Sequence[Event]) -> tuple[Stage, ...]:
    """The stages open after a prepared chronology (closers first on a day, as the engine reads it)."""
    s47 = plan = plo = decision = proceedings = care = False
    escalations: set[str | None] = set()
    for e in chronology:
        t = e.type
        if t == "strategy_discussion":
            s47 = s47 or bool(e.s47)
        elif t == "s47_concluded":
            if e.icpc_needed is False:
                s47 = False
        elif t == "icpc":
            s47 = False
            if e.outcome == "plan":
                plan = True
        elif t == "cp_plan_ended" or (t == "cp_review" and e.outcome == "end"):
            plan = False
        elif t == "letter_before_proceedings":
            plo = True
        elif t == "pre_proceedings_ended":
            plo = False
        elif t == "decision_to_issue":
            decision = True
        elif t == "proceedings_issued":
            decision, proceedings = False, True
        elif t == "final_order":
            proceedings = False
        elif t == "became_looked_after":
            care = True
        elif t == "ceased_looked_after":
            care = False
        elif t == "drp_raised" and e.category != GOOD_PRACTICE:  # an alert of praise is no stage
            escalations.add(e.ref)
        elif t == "drp_resolved":
            escalations.discard(e.ref)
    out = []
    if s47 or plan:
        out.append(Stage.CP)
    if plo:
        out.append(Stage.PLO)
    if decision or proceedings:
        out.append(Stage.COURT)
    if care:
        out.append(Stage.LOOKED_AFTER)
    if escalations:
        out.append(Stage.DRP)
    return tuple(out)


def age_at(birth: date, as_of: date) -> int:
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _summarise(
    row: Sequence[Any],
    events: Sequence[Event],
    as_of: date,
    deadlines_of: Callable[[str, Sequence[Event], Opening | None], list[Deadline]],
    calendar: WorkingCalendar,
    attention: list[AttentionItem],
    opening: Opening | None = None,
) -> ChildSummary:
    child_id, given, family, birth, expected, team, worker, officer = row
    child_id = str(child_id)
    name = " ".join(p for p in (given, family) if p) or child_id
    birth = _as_date(birth)
    unborn = (birth is None and expected is not None) or (birth is not None and birth > as_of)
    age = age_at(birth, as_of) if birth is not None and birth <= as_of else None

    next_due: date | None = None
    next_rule: str | None = None
    worst: Rag | None = None
    reason: Deadline | None = None
    overdue = due_soon = 0
    stages: tuple[Stage, ...] = ()
    if events:
        stages = current_stages(prepare(events, as_of))
        for d in deadlines_of(child_id, events, opening):
            if not is_open(d):
                continue
            if next_due is None or d.due < next_due:
                next_due, next_rule = d.due, d.rule
            if worst is None or RAG_ORDER[d.rag] < RAG_ORDER[worst]:
                worst = d.rag
            if reason is None or (RAG_ORDER[d.rag], d.due) < (RAG_ORDER[reason.rag], reason.due):
                reason = d
            if d.status is Status.OVERDUE:
                overdue += 1
                days = d.late_by
            elif d.status is Status.DUE_SOON:
                due_soon += 1
                days = (
                    calendar.working_days_between(as_of, d.due)
                    if RULES[d.rule].unit is Unit.WORKING_DAYS
                    else (d.due - as_of).days
                )
            else:
                continue
            rule = RULES[d.rule]
            attention.append(
                AttentionItem(
                    child_id, name, d.rule, rule.stage, d.due, d.status, d.rag, days, rule.unit, d.ref, d
                )
            )
    return ChildSummary(
        child_id,
        name,
        age,
        unborn,
        team or "",
        worker or "",
        officer or "",
        stages,
        next_due,
        next_rule,
        worst,
        overdue,
        due_soon,
        f"{child_id} {name}".lower(),
        reason=reason,
    )


def read_overview(conn: Connection, as_of: date, child_ids: Sequence[str] | None = None) -> Overview:
    """The overview of every child (or of `child_ids`) at `as_of`, inside one connection."""
    settings = read_settings(conn)
    calendar = calendar_of(settings)
    if child_ids is None:
        rows = list(conn.exec_driver_sql(_CHILD_SQL))
        events = load_engine_events(conn)
        openings = load_openings(conn)
    else:
        rows, events, openings = [], {}, {}
        for child_id in child_ids:
            marker = "?" if conn.dialect.name == "sqlite" else "%s"
            rows.extend(conn.exec_driver_sql(f"{_CHILD_SQL} WHERE id = {marker}", (child_id,)))
            events.update(load_engine_events(conn, child_id))
            openings.update(load_openings(conn, child_id))
    rows.sort(key=lambda r: str(r[0]))
    attention: list[AttentionItem] = []
    deadlines_of = child_judge(as_of, settings.standards, calendar)
    children = [
        _summarise(
            row,
            events.get(str(row[0]), ()),
            as_of,
            deadlines_of,
            calendar,
            attention,
            openings.get(str(row[0])),
        )
        for row in rows
    ]
    closed = _closed_children(conn, as_of, child_ids)
    if closed:  # a closed record stays in the register, not in Today
        attention = [a for a in attention if a.child_id not in closed]
    attention.sort(key=_attention_key)
    return make_overview(as_of, children, attention)


def _closed_children(conn: Connection, as_of: date, child_ids: Sequence[str] | None) -> set[str]:
    """The children whose record was closed on or before `as_of` (`models.domain.records.CLOSED_KEY`)."""
    sql = text("SELECT id, extra FROM child WHERE extra LIKE :key")  # few rows have kept keys
    wanted = set(child_ids) if child_ids is not None else None
    closed = set()
    for child_id, extra in conn.execute(sql, {"key": f"%{CLOSED_KEY}%"}):
        if wanted is not None and str(child_id) not in wanted:
            continue
        day = closed_on(ChildRecord(str(child_id), extra=json.loads(extra)))
        if day is not None and day <= as_of:
            closed.add(str(child_id))
    return closed


def quick_overview(db: Database, as_of: date) -> Overview:
    """Every child's register row without deadlines, from one query: shown at start-up while the
    full overview (every clock of every child) is worked out in the background."""
    with db.engine.connect() as conn:
        rows = sorted(conn.exec_driver_sql(_CHILD_SQL), key=lambda r: str(r[0]))
    children = []
    for child_id, given, family, birth, expected, team, worker, officer in rows:
        name = " ".join(p for p in (given, family) if p) or str(child_id)
        born = _as_date(birth)
        unborn = (born is None and expected is not None) or (born is not None and born > as_of)
        age = age_at(born, as_of) if born is not None and born <= as_of else None
        children.append(
            ChildSummary(
                str(child_id),
                name,
                age,
                unborn,
                team or "",
                worker or "",
                officer or "",
                (),
                None,
                None,
                None,
                0,
                0,
                f"{child_id} {name}".lower(),
                True,
            )
        )
    return Overview(as_of, tuple(children), (), complete=False)


def build_overview(db: Database, as_of: date, child_ids: Sequence[str] | None = None) -> Overview:
    """The overview of every child (or of a few, to merge after an edit) at `as_of`."""
    with bulk_work(), db.engine.connect() as conn:
        return read_overview(conn, as_of, child_ids)


def count_children(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM child").scalar_one())


# --- Filtering the register -------------------------------------------------------------------

#: In a filter, "" means "not recorded / none" and None means "any".
NONE = ""


@dataclass(frozen=True)
class RegisterFilter:
    """What the register shows: search text and exact-match filters (None: any; "": none)."""

    text: str = ""
    stage: Stage | str | None = None
    rag: Rag | str | None = None
    team: str | None = None
    social_worker: str | None = None
    reviewing_officer: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == RegisterFilter()


def filter_rows(rows: Sequence[ChildSummary], flt: RegisterFilter) -> list[ChildSummary]:
    """The rows that pass `flt`, in their given order: one pass, the search on a precomputed haystack."""
    needle = flt.text.strip().lower()
    out: Iterable[ChildSummary] = rows
    if needle:
        out = [r for r in out if needle in r.haystack]
    if flt.stage is not None:
        stage = flt.stage
        out = [r for r in out if (stage in r.stages if stage != NONE else not r.stages)]
    if flt.rag is not None:
        rag = flt.rag
        out = [r for r in out if r.worst_rag == (rag if rag != NONE else None)]
    if flt.team is not None:
        out = [r for r in out if r.team == flt.team]
    if flt.social_worker is not None:
        out = [r for r in out if r.social_worker == flt.social_worker]
    if flt.reviewing_officer is not None:
        out = [r for r in out if r.reviewing_officer == flt.reviewing_officer]
    return list(out)


def filter_attention(
    items: Sequence[AttentionItem], children: Sequence[ChildSummary], flt: RegisterFilter
) -> list[AttentionItem]:
    """Today's lines that pass the register's filter, in their order: the children it keeps (text,
    team, social worker, reviewing officer: "my caseload"), or lines whose deadline's title holds
    the text."""
    if flt.is_empty:
        return list(items)
    kept = {r.id for r in filter_rows(children, replace(flt, text=""))}
    needle = flt.text.strip().lower()
    if needle:
        named = {r.id for r in children if needle in r.haystack}
        return [i for i in items if i.child_id in kept and (i.child_id in named or needle in i.title.lower())]
    return [i for i in items if i.child_id in kept]


def distinct_values(rows: Iterable[ChildSummary]) -> dict[str, list[str]]:
    """The teams, social workers and reviewing officers present, sorted, for the filter lists."""
    teams: set[str] = set()
    workers: set[str] = set()
    officers: set[str] = set()
    for r in rows:
        teams.add(r.team)
        workers.add(r.social_worker)
        officers.add(r.reviewing_officer)
    return {
        "team": sorted(teams, key=str.lower),
        "social_worker": sorted(workers, key=str.lower),
        "reviewing_officer": sorted(officers, key=str.lower),
    }


def attention_counts(items: Iterable[AttentionItem]) -> dict[tuple[Stage, Status], int]:
    """How many overdue and due-soon deadlines each stage has."""
    counts = {(stage, status): 0 for stage in Stage for status in (Status.OVERDUE, Status.DUE_SOON)}
    for item in items:
        counts[(item.stage, item.status)] += 1
    return counts
