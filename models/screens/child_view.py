"""What the child page shows, worked out without Qt: siblings, age, journey position, summaries.

The page and its item models only format what these functions return, so the decisions (which
step of the journey a child is at, which events count at the as-of date, what a DRP reference's
state is, how late an extension may run) stay testable with no display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import select

from models.domain.calendar import FIRST_YEAR, LAST_YEAR, add_months
from models.domain.choices import BY_FIELD

# The engine's episode splitter and CP plan predicates, reused so the journey strip and the
# clocks can never disagree about when an episode opens or closes.
from models.domain.engine import (
    Deadline,
    court_end,
    ends_plan,
    episodes_of,
    extension_limit,
    makes_plan,
    prepare,
)
from models.domain.journey import (
    DRP_CATEGORIES,
    DRP_STAGE_NAMES,
    DRP_TYPES,
    EVENT_TYPES,
    Event,
    FieldSpec,
    Kind,
    Stage,
)
from models.domain.records import ChildRecord, EventRecord, parse_date
from models.io.sources import annex_a, cin_census, ssda903
from models.io.sources.common import untracked_except
from models.screens.overview import age_at
from models.storage.db import Database
from models.storage.tables import Child

#: The earliest and latest dates the working-day calendar can count (the forms refuse others).
EARLIEST_DATE: Final = date(FIRST_YEAR, 1, 1)
LATEST_DATE: Final = date(LAST_YEAR, 12, 31)

#: Enumerated values as people say them, by field name (values not listed are shown tidied).
CHOICE_LABELS: Final[dict[str, dict[str, str]]] = {
    name: {c.value: c.label for c in choices} for name, choices in BY_FIELD.items()
}

#: Final orders that do not settle where the child will live.
_NOT_PERMANENCE_ORDERS: Final = frozenset({"no_order", "withdrawn", "supervision_order"})


#: SSDA903 legal status codes (reference.md 2.5), offered when a legal status is typed.
LEGAL_STATUSES: Final = (
    ("C1", "Interim care order"),
    ("C2", "Full care order"),
    ("D1", "Freeing order granted"),
    ("E1", "Placement order granted"),
    ("V2", "Single period of s20 accommodation"),
    ("V3", "Short breaks, individual episodes"),
    ("V4", "Short breaks, agreement recorded"),
    ("L1", "Police protection, in LA accommodation"),
    ("L2", "Emergency protection order"),
    ("L3", "Child assessment order, in LA accommodation"),
    ("J1", "Remanded to LA or youth detention accommodation"),
    ("J2", "LA accommodation under PACE"),
    ("J3", "Youth rehabilitation order with residence requirement"),
)


def text_suggestions(
    event_type: str, field_name: str, drp_categories: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """Usual values of a free-text field, as (value, label): typed text is still accepted.

    `drp_categories` are the authority's configured escalation categories (the built-in list
    when not given).
    """
    if field_name == "legal_status":
        return [(code, f"{code} – {text}") for code, text in LEGAL_STATUSES]
    if field_name == "category" and event_type in DRP_TYPES:
        categories = DRP_CATEGORIES if drp_categories is None else drp_categories
        return [(c, c.replace("_", " ").capitalize()) for c in categories]
    return []


def choice_label(field_name: str, value: str) -> str:
    """An enumerated value as shown to people ('no_plan' → 'No plan')."""
    label = CHOICE_LABELS.get(field_name, {}).get(value)
    return label if label is not None else value.replace("_", " ").capitalize()


def sentence(text: str) -> str:
    """A validation reason ('a final order needs ...') as a sentence to show on its own."""
    return text[:1].upper() + text[1:]


def drp_stage_label(stage: int) -> str:
    return f"{stage} – {DRP_STAGE_NAMES.get(stage, 'unknown')}"


def format_date(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else ""


def field_value_text(spec: FieldSpec, value: Any, event_type: str = "") -> str:
    """One field's value as text for a person."""
    if value is None:
        return ""
    if spec.kind is Kind.BOOL:
        return "yes" if value else "no"
    if spec.kind is Kind.DATE and isinstance(value, date):
        return format_date(value)
    if spec.kind is Kind.ENUM:
        return choice_label(spec.name, str(value))
    if spec.name == "stage" and event_type.startswith("drp_") and isinstance(value, int):
        return drp_stage_label(value)
    suggested = dict(text_suggestions(event_type, spec.name))
    return suggested.get(str(value), str(value))


def event_summary(record: EventRecord) -> str:
    """The details of an event in one line: 'Outcome: Plan made; Category: Neglect'."""
    parts = []
    for spec in EVENT_TYPES[record.type].fields:
        value = record.fields.get(spec.name)
        if value is None:
            continue
        parts.append(f"{spec.label}: {field_value_text(spec, value, record.type)}")
    for key, value in record.extra.items():  # kept from an import, or what a DRP raise wants and by when
        if value is None or value == "":
            continue
        day = parse_date(value) if isinstance(value, str) else None
        text = f"{day:%d/%m/%Y}" if day is not None else " ".join(str(value).split())
        parts.append(f"{key.replace('_', ' ').capitalize()}: {text[:80] + '…' if len(text) > 80 else text}")
    if record.note:
        note = " ".join(record.note.split())
        parts.append(f"Note: {note[:80] + '…' if len(note) > 80 else note}")
    return "; ".join(parts)


# --- The chronology ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChronologyRow:
    """One event of the chronology table; `counted` is false for events after the as-of date."""

    event: EventRecord
    stage: Stage
    label: str
    summary: str
    counted: bool


def chronology_rows(child: ChildRecord, as_of: date, stage: Stage | None = None) -> list[ChronologyRow]:
    """The child's events, newest first, optionally of one stage only."""
    rows = [
        ChronologyRow(
            e,
            EVENT_TYPES[e.type].stage,
            EVENT_TYPES[e.type].label,
            event_summary(e),
            e.date <= as_of,
        )
        for e in child.events
        if stage is None or EVENT_TYPES[e.type].stage is stage
    ]
    rows.reverse()  # child.events is in date order; newest first, same-day events in reverse entry order
    return rows


# --- Header -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sibling:
    id: str
    name: str


def siblings(db: Database, group: str | None, exclude: str | None = None) -> list[Sibling]:
    """The other children of a sibling group, in id order (one indexed query)."""
    if not group:
        return []
    table = Child.__table__  # type: ignore[attr-defined]
    query = (
        select(table.c.id, table.c.given_name, table.c.family_name)
        .where(table.c.sibling_group == group)
        .order_by(table.c.id)
    )
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Sibling(str(cid), " ".join(p for p in (given, family) if p) or str(cid))
        for cid, given, family in rows
        if cid != exclude
    ]


#: Child details whose known values are offered when editing a child.
KNOWN_VALUE_FIELDS: Final = ("team", "social_worker", "reviewing_officer")


def known_values(db: Database) -> dict[str, list[str]]:
    """The distinct teams, workers and reviewing officers already recorded, sorted."""
    table = Child.__table__  # type: ignore[attr-defined]
    out: dict[str, list[str]] = {}
    with db.engine.connect() as conn:
        for name in KNOWN_VALUE_FIELDS:
            column = table.c[name]
            query = select(column).where(column.is_not(None), column != "").distinct().order_by(column)
            out[name] = [str(v) for (v,) in conn.execute(query)]
    return out


def age_text(born: date, as_of: date) -> str:
    """A child's age at `as_of` as people say it: '4 years', '7 months', '3 weeks'."""
    if as_of < born:
        return "not yet born"
    years = age_at(born, as_of)
    if years >= 2:
        return f"{years} years"
    months = 0
    while add_months(born, months + 1) <= as_of:
        months += 1
    if months >= 1:
        return f"{months} month{'s' if months != 1 else ''}"
    weeks = (as_of - born).days // 7
    if weeks >= 1:
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    days = (as_of - born).days
    return f"{days} day{'s' if days != 1 else ''}"


def birth_text(child: ChildRecord, as_of: date) -> str:
    """'Born 19/08/2021 (4 years)', 'Expected 01/10/2025 (unborn)' or 'Date of birth not recorded'."""
    born = child.fields.get("date_of_birth")
    expected = child.fields.get("expected_date_of_birth")
    if isinstance(born, date):
        return f"Born {format_date(born)} ({age_text(born, as_of)})"
    if isinstance(expected, date):
        state = "unborn" if as_of < expected else "birth not yet recorded"
        return f"Expected {format_date(expected)} ({state})"
    return "Date of birth not recorded"


# --- Tracked from -------------------------------------------------------------------------------

#: The partial sources whose imports set `tracked_from`, by the event types they cannot hold.
_SOURCES: Final = (
    (frozenset(untracked_except(*ssda903.HELD)), "the SSDA903 return"),
    (frozenset(untracked_except(*annex_a.HELD)), "the Annex A lists"),
    (frozenset(untracked_except(*cin_census.HELD)), "the CIN census"),
)

#: What a person misses when these are not held, in the words of the child record.
_MISSING: Final = {
    "cla_visit": "visits",
    "cp_visit": "visits",
    "permanence_plan": "permanence plans",
    "core_group": "core groups",
    "cla_review": "reviews",
    "cp_review": "review conferences",
    "icpc": "child protection conferences",
    "pre_proceedings_ended": "ends of pre-proceedings",
    "proceedings_issued": "issues of proceedings",
    "final_order": "final orders",
    "drp_response": "escalation responses",
    "drp_resolved": "escalation resolutions",
}


def tracked_from_text(child: ChildRecord) -> str:
    """'Record complete from 31/03/2025 — before that, only what the SSDA903 return held: no visits
    or permanence plans' for an imported record with an opening balance; '' for a complete one.

    The missing things named are those that meet a clock in a stage the record shows (and that it
    does not, after all, hold before that day).
    """
    opening = child.opening
    if opening is None:
        return ""
    head = f"Record complete from {format_date(opening.tracked_from)}"
    if not opening.untracked:
        return head
    source = next((name for held, name in _SOURCES if held == opening.untracked), "the source it came from")
    stages = {EVENT_TYPES[e.type].stage for e in child.events}
    held = {e.type for e in child.events if e.date < opening.tracked_from}
    missing = list(
        dict.fromkeys(
            noun
            for event_type, noun in _MISSING.items()
            if event_type in opening.untracked
            and event_type not in held
            and EVENT_TYPES[event_type].stage in stages
        )
    )
    text = f"{head} — before that, only what {source} held"
    if missing:
        listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
        text += f": no {listed}"
    return text


# --- The journey strip ------------------------------------------------------------------------


class StepState(StrEnum):
    NOT_REACHED = "not reached"
    CURRENT = "current"
    DONE = "done"


@dataclass(frozen=True)
class JourneyStep:
    """One step of the path CP → PLO → court → looked after → permanence, at the as-of date."""

    key: str
    title: str
    state: StepState
    detail: str


def journey_position(child: ChildRecord, as_of: date) -> list[JourneyStep]:
    """Where the child is on the path, from the events dated on or before `as_of`."""
    chronology = prepare((e.to_engine() for e in child.events), as_of)
    records = {e.id: e for e in child.events}
    return [
        _cp_step(chronology, records),
        _plo_step(chronology),
        _court_step(chronology, records),
        _care_step(chronology, records),
        _permanence_step(chronology, records),
    ]


def _last(events: Sequence[Event], *types: str) -> Event | None:
    for event in reversed(events):
        if event.type in types:
            return event
    return None


def _field(records: dict[str, EventRecord], event: Event, name: str) -> Any:
    record = records.get(event.id or "")
    return record.fields.get(name) if record is not None else None


def _cp_step(chronology: Sequence[Event], records: dict[str, EventRecord]) -> JourneyStep:
    title = "Child protection"
    plans = episodes_of(chronology, makes_plan, ends_plan, reopens=makes_plan)
    if plans and plans[-1].close is None:
        icpc = plans[-1].open
        category = _field(records, icpc, "category")
        extra = f" ({choice_label('category', category).lower()})" if category else ""
        return JourneyStep("cp", title, StepState.CURRENT, f"On a plan since {format_date(icpc.date)}{extra}")
    enquiry = _last(chronology, "strategy_discussion")
    if enquiry is not None and enquiry.s47:
        answered = any(
            e.date >= enquiry.date
            and (e.type == "icpc" or (e.type == "s47_concluded" and e.icpc_needed is False))
            for e in chronology
        )
        if not answered:
            return JourneyStep(
                "cp", title, StepState.CURRENT, f"Section 47 enquiry since {format_date(enquiry.date)}"
            )
    if plans:
        close = plans[-1].close
        assert close is not None
        return JourneyStep("cp", title, StepState.DONE, f"Plan ended {format_date(close.date)}")
    last_icpc = _last(chronology, "icpc")
    if last_icpc is not None:
        return JourneyStep("cp", title, StepState.DONE, f"No plan at ICPC {format_date(last_icpc.date)}")
    if any(EVENT_TYPES[e.type].stage is Stage.CP for e in chronology):
        return JourneyStep("cp", title, StepState.DONE, "Enquiry closed, no plan")
    return JourneyStep("cp", title, StepState.NOT_REACHED, "No child protection plan")


def _plo_step(chronology: Sequence[Event]) -> JourneyStep:
    title = "Pre-proceedings"
    episodes = episodes_of(
        chronology,
        lambda e: e.type == "letter_before_proceedings",
        lambda e: e.type == "pre_proceedings_ended",
    )
    if not episodes:
        return JourneyStep("plo", title, StepState.NOT_REACHED, "No letter before proceedings")
    last = episodes[-1]
    if last.close is None:
        return JourneyStep(
            "plo", title, StepState.CURRENT, f"Since the letter on {format_date(last.open.date)}"
        )
    outcome = f": {choice_label('outcome', last.close.outcome).lower()}" if last.close.outcome else ""
    return JourneyStep("plo", title, StepState.DONE, f"Ended {format_date(last.close.date)}{outcome}")


def _court_step(chronology: Sequence[Event], records: dict[str, EventRecord]) -> JourneyStep:
    title = "Court"
    proceedings = episodes_of(
        chronology, lambda e: e.type == "proceedings_issued", lambda e: e.type == "final_order"
    )
    if proceedings and proceedings[-1].close is None:
        issued = proceedings[-1].open.date
        extensions = [e for e in chronology if e.type == "extension" and e.date >= issued]
        end = court_end(issued, extensions)
        return JourneyStep(
            "court",
            title,
            StepState.CURRENT,
            f"Issued {format_date(issued)}; timetable ends {format_date(end)}",
        )
    decisions = episodes_of(
        chronology, lambda e: e.type == "decision_to_issue", lambda e: e.type == "proceedings_issued"
    )
    if decisions and decisions[-1].close is None:
        opened = decisions[-1].open.date
        return JourneyStep("court", title, StepState.CURRENT, f"Decision to issue {format_date(opened)}")
    if proceedings:
        close = proceedings[-1].close
        assert close is not None
        order = _field(records, close, "order")
        what = choice_label("order", order) if order else "Final order"
        return JourneyStep("court", title, StepState.DONE, f"{what}, {format_date(close.date)}")
    return JourneyStep("court", title, StepState.NOT_REACHED, "No proceedings")


def _care_step(chronology: Sequence[Event], records: dict[str, EventRecord]) -> JourneyStep:
    title = "Looked after"
    periods = episodes_of(
        chronology, lambda e: e.type == "became_looked_after", lambda e: e.type == "ceased_looked_after"
    )
    if not periods:
        return JourneyStep("care", title, StepState.NOT_REACHED, "Not looked after")
    last = periods[-1]
    if last.close is None:
        status = _last(
            [e for e in chronology if e.date >= last.open.date], "became_looked_after", "legal_status_changed"
        )
        code = _field(records, status, "legal_status") if status is not None else None
        extra = f" ({code})" if code else ""
        return JourneyStep("care", title, StepState.CURRENT, f"Since {format_date(last.open.date)}{extra}")
    reason = _field(records, last.close, "reason")
    extra = f" ({reason})" if reason else ""
    return JourneyStep("care", title, StepState.DONE, f"Ceased {format_date(last.close.date)}{extra}")


def _permanence_step(chronology: Sequence[Event], records: dict[str, EventRecord]) -> JourneyStep:
    title = "Permanence"
    plan = _last(chronology, "permanence_plan")
    orders = [
        e
        for e in chronology
        if e.type == "final_order" and _field(records, e, "order") not in _NOT_PERMANENCE_ORDERS
    ]
    if plan is None:
        outside_care = [e for e in orders if _field(records, e, "order") in ("sgo", "cao")]
        if outside_care:
            order = outside_care[-1]
            what = choice_label("order", _field(records, order, "order"))
            return JourneyStep("permanence", title, StepState.DONE, f"{what}, {format_date(order.date)}")
        return JourneyStep("permanence", title, StepState.NOT_REACHED, "No permanence plan")
    kind = _field(records, plan, "plan")
    what = f"{choice_label('plan', kind)} plan" if kind else "Plan"
    ratified = ", ratified by the IRO" if _field(records, plan, "ratified_by_iro") else ""
    secured = [
        e for e in chronology if e.date >= plan.date and (e in orders or e.type == "ceased_looked_after")
    ]
    if secured:
        how = secured[0]
        if how.type == "final_order":
            done = f"{choice_label('order', _field(records, how, 'order'))} {format_date(how.date)}"
        else:
            done = f"left care {format_date(how.date)}"
        return JourneyStep("permanence", title, StepState.DONE, f"{what}; {done}")
    return JourneyStep(
        "permanence", title, StepState.CURRENT, f"{what} since {format_date(plan.date)}{ratified}"
    )


# --- Form helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DrpRef:
    """One escalation of the child: when it was raised, its latest stage, when it was resolved."""

    ref: str
    raised: date
    stage: int | None
    resolved: date | None

    @property
    def description(self) -> str:
        parts = [f"raised {format_date(self.raised)}"]
        if self.stage is not None:
            parts.append(f"at stage {drp_stage_label(self.stage)}")
        parts.append(f"resolved {format_date(self.resolved)}" if self.resolved else "open")
        return ", ".join(parts)


def drp_refs(child: ChildRecord, exclude_event: str | None = None) -> list[DrpRef]:
    """The escalations raised for the child, open ones first, each in the order raised."""
    found: dict[str, DrpRef] = {}
    for e in child.events:  # date order
        ref = e.fields.get("ref")
        if e.id == exclude_event or not isinstance(ref, str):
            continue
        stage = e.fields.get("stage")
        current = found.get(ref)
        if e.type == "drp_raised" and current is None:
            found[ref] = DrpRef(ref, e.date, stage if isinstance(stage, int) else None, None)
        elif current is not None and e.type == "drp_escalated" and isinstance(stage, int):
            found[ref] = DrpRef(ref, current.raised, stage, current.resolved)
        elif current is not None and e.type == "drp_resolved":
            found[ref] = DrpRef(ref, current.raised, current.stage, e.date)
    return sorted(found.values(), key=lambda r: (r.resolved is not None, r.raised, r.ref))


@dataclass(frozen=True)
class ExtensionWindow:
    """How far an extension granted on a date may run (s32(8): up to 8 weeks at a time)."""

    issued: date
    current_end: date
    latest_allowed: date


def extension_window(
    child: ChildRecord, granted: date, replacing: str | None = None
) -> ExtensionWindow | None:
    """The open proceedings' current end and the latest allowed new end, or None if none are open.

    Walks the chronology as the validator does (`records.check_chronology`), with the extension
    being entered placed after the other events of its date.
    """
    issued: date | None = None
    extensions: list[Event] = []
    for e in sorted(child.events, key=lambda e: e.date):
        if e.date > granted or e.id == replacing:
            continue
        if e.type == "proceedings_issued" and issued is None:
            issued, extensions = e.date, []
        elif e.type == "final_order":
            issued = None
        elif e.type == "extension" and issued is not None:
            extensions.append(e.to_engine())
    if issued is None:
        return None
    current = court_end(issued, extensions)
    return ExtensionWindow(issued, current, extension_limit(current, granted))


def work_first(deadlines: Sequence[Deadline]) -> list[Deadline]:
    """A child's deadlines as the officer reads them: what is still to do first (overdue, due
    soon, pending; soonest first), then what was done (most recent first)."""
    waiting = [d for d in deadlines if d.done is None]
    done = [d for d in deadlines if d.done is not None]
    waiting.sort(key=lambda d: d.due)
    done.sort(key=lambda d: d.done or d.due, reverse=True)
    return waiting + done
