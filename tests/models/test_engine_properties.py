"""Property tests of the engine: invariants of `timescales.md` over generated chronologies."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from models.domain.calendar import calendar_for
from models.domain.engine import Deadline, child_deadlines
from models.domain.journey import EVENT_TYPES, Event
from models.domain.rules import RAG_OF, RULES, Standards, Status, Unit

CAL = calendar_for()
STD = Standards()

days = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31))


def deadlines(events: list[Event], as_of: date, standards: Standards = STD) -> list[Deadline]:
    return child_deadlines("C1", events, as_of, standards, CAL)


# --- Met on the due date; one day late ----------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    rule: str
    opener: Callable[[date], list[Event]]
    meet: Callable[[date], Event]


CLOCKS = [
    Clock(
        "cp.icpc_15wd",
        lambda d: [Event("strategy_discussion", d, s47=True)],
        lambda d: Event("icpc", d, outcome="no_plan"),
    ),
    Clock(
        "cp.core_group_10wd",
        lambda d: [Event("icpc", d, outcome="plan")],
        lambda d: Event("core_group", d),
    ),
    Clock("cp.review_3m", lambda d: [Event("icpc", d, outcome="plan")], lambda d: Event("cp_review", d)),
    Clock("cp.visit", lambda d: [Event("icpc", d, outcome="plan")], lambda d: Event("cp_visit", d)),
    Clock(
        "cp.plan_length", lambda d: [Event("icpc", d, outcome="plan")], lambda d: Event("cp_plan_ended", d)
    ),
    Clock(
        "plo.pre_proceedings_16w",
        lambda d: [Event("letter_before_proceedings", d)],
        lambda d: Event("pre_proceedings_ended", d, outcome="issue"),
    ),
    Clock(
        "court.issue_after_decision",
        lambda d: [Event("decision_to_issue", d)],
        lambda d: Event("proceedings_issued", d),
    ),
    Clock("court.final_26w", lambda d: [Event("proceedings_issued", d)], lambda d: Event("final_order", d)),
    Clock(
        "cla.review_first_20wd",
        lambda d: [Event("became_looked_after", d)],
        lambda d: Event("cla_review", d),
    ),
    Clock(
        "cla.review_second_3m",
        lambda d: [Event("became_looked_after", d), Event("cla_review", d)],
        lambda d: Event("cla_review", d),
    ),
    Clock(
        "cla.permanence_by_second_review",
        lambda d: [Event("became_looked_after", d)],
        lambda d: Event("permanence_plan", d),
    ),
    Clock("cla.visit", lambda d: [Event("became_looked_after", d)], lambda d: Event("cla_visit", d)),
    Clock(
        "drp.stage_response",
        lambda d: [Event("drp_raised", d, ref="R", stage=2)],
        lambda d: Event("drp_response", d, ref="R"),
    ),
    Clock(
        "drp.resolution_20wd",
        lambda d: [Event("drp_raised", d, ref="R", stage=1)],
        lambda d: Event("drp_resolved", d, ref="R"),
    ),
]


def _the_clock(clock: Clock, events: list[Event], trigger: date, as_of: date) -> Deadline:
    found = [d for d in deadlines(events, as_of) if d.rule == clock.rule and d.trigger == trigger]
    assert len(found) == 1, found
    return found[0]


@given(st.sampled_from(CLOCKS), days, st.integers(min_value=0, max_value=90))
def test_a_deadline_met_on_its_due_date_is_met(clock: Clock, trigger: date, wait: int) -> None:
    opener = clock.opener(trigger)
    due = _the_clock(clock, opener, trigger, trigger).due
    assert due >= trigger
    met = _the_clock(clock, [*opener, clock.meet(due)], trigger, due + timedelta(days=wait))
    assert (met.due, met.done, met.status, met.late_by) == (due, due, Status.MET, 0)


@given(
    st.sampled_from([c for c in CLOCKS if RULES[c.rule].unit is Unit.WORKING_DAYS]),
    days,
    st.integers(min_value=1, max_value=10),
)
def test_done_after_a_working_day_due_date_is_met_late(clock: Clock, trigger: date, after: int) -> None:
    opener = clock.opener(trigger)
    due = _the_clock(clock, opener, trigger, trigger).due
    done = due + timedelta(days=after)
    late = _the_clock(clock, [*opener, clock.meet(done)], trigger, done)
    assert (late.done, late.status) == (done, Status.MET_LATE)
    assert late.late_by >= 1
    assert late.late_by == max(1, CAL.working_days_between(due, done))


@given(st.sampled_from(CLOCKS), days, st.integers(min_value=1, max_value=60))
def test_not_done_after_due_is_overdue_by_the_count_to_the_as_of_date(
    clock: Clock, trigger: date, after: int
) -> None:
    opener = clock.opener(trigger)
    due = _the_clock(clock, opener, trigger, trigger).due
    as_of = due + timedelta(days=after)
    overdue = _the_clock(clock, opener, trigger, as_of)
    assert (overdue.done, overdue.status) == (None, Status.OVERDUE)
    if RULES[clock.rule].unit is Unit.WORKING_DAYS:
        assert overdue.late_by == max(1, CAL.working_days_between(due, as_of))
    else:
        assert overdue.late_by == after


@given(st.sampled_from(CLOCKS), days, st.integers(min_value=0, max_value=400))
def test_a_deadline_not_yet_due_is_due_soon_or_pending(clock: Clock, trigger: date, wait: int) -> None:
    opener = clock.opener(trigger)
    due = _the_clock(clock, opener, trigger, trigger).due
    as_of = min(trigger + timedelta(days=wait), due)
    d = _the_clock(clock, opener, trigger, as_of)
    assert d.status in (Status.DUE_SOON, Status.PENDING)
    assert d.late_by == 0
    if as_of == due:
        assert d.status is Status.DUE_SOON


# --- Generated chronologies -------------------------------------------------------------------

REFS = ("A", "B")


@st.composite
def an_event(draw: st.DrawFn, window: tuple[date, date]) -> Event:
    type_ = draw(st.sampled_from(sorted(EVENT_TYPES)))
    day = draw(st.dates(*window))
    fields: dict[str, object] = {}
    if type_ == "strategy_discussion":
        fields["s47"] = draw(st.booleans())
    elif type_ == "s47_concluded":
        fields["icpc_needed"] = draw(st.booleans())
    elif type_ == "icpc":
        fields["outcome"] = draw(st.sampled_from(["plan", "plan", "no_plan"]))
    elif type_ == "cp_review":
        fields["outcome"] = draw(st.sampled_from([None, "continue", "continue", "end"]))
    elif type_ == "pre_proceedings_ended":
        fields["outcome"] = draw(st.sampled_from(["step_down", "issue"]))
    elif type_ == "pre_proceedings_extended":
        fields["weeks"] = draw(st.integers(min_value=1, max_value=16))
    elif type_ == "extension":
        fields["until"] = day + timedelta(days=draw(st.integers(min_value=0, max_value=120)))
    if type_.startswith("drp_"):
        fields["ref"] = draw(st.sampled_from(REFS))
        if type_ in ("drp_raised", "drp_escalated"):
            fields["stage"] = draw(st.integers(min_value=0, max_value=5))
    return Event(type_, day, **fields)  # type: ignore[arg-type]


def consistent(events: list[Event]) -> list[Event]:
    """Drop later events of the same type, date and ref (the import validator forbids them to differ)."""
    seen: set[tuple[str, date, str | None]] = set()
    kept = []
    for e in events:
        key = (e.type, e.date, e.ref)
        if key not in seen:
            seen.add(key)
            kept.append(e)
    return kept


@st.composite
def journeys(draw: st.DrawFn) -> tuple[list[Event], date]:
    """Events within a window and an as-of date near it.

    A short window crowds events onto the same dates (ties); a long one spreads them out.
    """
    start = draw(st.dates(date(2023, 1, 1), date(2025, 12, 31)))
    span = draw(st.sampled_from([2, 7, 30, 120, 730]))
    window = (start, start + timedelta(days=span))
    events = consistent(draw(st.lists(an_event(window), max_size=40)))
    as_of = draw(st.dates(start - timedelta(days=7), window[1] + timedelta(days=400)))
    return events, as_of


def _check_invariants(result: list[Deadline], as_of: date) -> None:
    for d in result:
        unit = RULES[d.rule].unit
        assert d.rag is RAG_OF[d.status]
        assert d.trigger <= as_of
        assert d.due >= d.trigger
        if d.status in (Status.MET_LATE, Status.OVERDUE):
            assert d.late_by >= 1
        else:
            assert d.late_by == 0
        if d.status is Status.MET:
            assert d.done is not None and d.trigger <= d.done <= d.due
        elif d.status is Status.MET_LATE:
            assert d.done is not None and d.due < d.done <= as_of
            count = (
                CAL.working_days_between(d.due, d.done)
                if unit is Unit.WORKING_DAYS
                else (d.done - d.due).days
            )
            assert d.late_by == max(1, count)
        else:
            assert d.done is None
        if d.status is Status.OVERDUE:
            assert d.counted_to <= as_of and d.counted_to > d.due
        if d.status in (Status.DUE_SOON, Status.PENDING):
            assert d.due >= as_of
        assert (d.ref is not None) == d.rule.startswith("drp.")
        if unit is Unit.WORKING_DAYS:
            assert CAL.is_working_day(d.due)
        # The explanation: one non-empty sentence naming the trigger date and the due date.
        text = d.explanation
        assert text and text[0].isupper() and text.endswith(".")
        assert "\n" not in text
        assert f"{d.due:%d/%m/%Y}" in text
        assert f"{d.trigger:%d/%m/%Y}" in text
    dues = [d.due for d in result]
    assert dues == sorted(dues)


@settings(max_examples=300)
@given(journeys())
def test_every_deadline_is_well_formed_and_explained(journey: tuple[list[Event], date]) -> None:
    events, as_of = journey
    _check_invariants(deadlines(events, as_of), as_of)


@settings(max_examples=100)
@given(
    journeys(),
    st.builds(
        Standards,
        cp_visit_wd=st.integers(min_value=1, max_value=30),
        issue_after_decision_wd=st.integers(min_value=1, max_value=30),
        drp_stage_response_wd=st.integers(min_value=1, max_value=15),
        cla_first_visit_days=st.integers(min_value=1, max_value=14),
        cla_visit_days=st.integers(min_value=7, max_value=60),
    ),
)
def test_invariants_hold_under_other_local_standards(
    journey: tuple[list[Event], date], standards: Standards
) -> None:
    events, as_of = journey
    _check_invariants(deadlines(events, as_of, standards), as_of)


@settings(max_examples=1000)
@given(journeys(), st.randoms(use_true_random=False))
def test_the_order_events_are_listed_in_does_not_matter(
    journey: tuple[list[Event], date], rnd: random.Random
) -> None:
    events, as_of = journey
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert [d.to_json() for d in deadlines(shuffled, as_of)] == [
        d.to_json() for d in deadlines(events, as_of)
    ]


@settings(max_examples=200)
@given(journeys())
def test_events_recorded_twice_change_nothing(journey: tuple[list[Event], date]) -> None:
    events, as_of = journey
    assert [d.to_json() for d in deadlines(events + events, as_of)] == [
        d.to_json() for d in deadlines(events, as_of)
    ]


@settings(max_examples=200)
@given(journeys())
def test_events_after_the_as_of_date_change_nothing(journey: tuple[list[Event], date]) -> None:
    events, as_of = journey
    up_to = [e for e in events if e.date <= as_of]
    assert [d.to_json() for d in deadlines(events, as_of)] == [d.to_json() for d in deadlines(up_to, as_of)]


# --- Events on the same date, listed in either order -------------------------------------------


def _variants(day: date) -> list[Event]:
    """One event of every type on `day`, with each value of the fields the rules read."""
    out: list[Event] = []
    for type_ in sorted(EVENT_TYPES):
        options: list[dict[str, object]] = [{}]
        if type_ == "strategy_discussion":
            options = [{"s47": True}, {"s47": False}]
        elif type_ == "s47_concluded":
            options = [{"icpc_needed": True}, {"icpc_needed": False}]
        elif type_ == "icpc":
            options = [{"outcome": "plan"}, {"outcome": "no_plan"}]
        elif type_ == "cp_review":
            options = [{"outcome": "continue"}, {"outcome": "end"}]
        elif type_ == "pre_proceedings_extended":
            options = [{"weeks": 4}]
        elif type_ == "extension":
            options = [{"until": date(2025, 12, 1)}]
        elif type_ in ("drp_raised", "drp_escalated"):
            options = [{"ref": "A", "stage": k} for k in (0, 1, 2, 5)]
        elif type_.startswith("drp_"):
            options = [{"ref": "A"}]
        out.extend(Event(type_, day, **o) for o in options)  # type: ignore[arg-type]
    return out


EVERY_EPISODE_OPEN = [
    Event("strategy_discussion", date(2025, 6, 2), s47=True),
    Event("icpc", date(2025, 6, 2), outcome="plan"),
    Event("letter_before_proceedings", date(2025, 6, 2)),
    Event("decision_to_issue", date(2025, 6, 2)),
    Event("proceedings_issued", date(2025, 6, 3)),
    Event("became_looked_after", date(2025, 6, 2)),
    Event("drp_raised", date(2025, 6, 2), ref="A", stage=1),
]


def test_any_two_events_on_one_date_give_the_same_deadlines_in_either_order() -> None:
    """Order within a date is set by the spec (closing events first), never by how they were listed."""
    variants = _variants(date(2025, 6, 10))
    as_of = date(2025, 9, 1)
    problems = []
    for context in ([], EVERY_EPISODE_OPEN):
        for i, a in enumerate(variants):
            for b in variants[i + 1 :]:
                if (a.type, a.ref) == (b.type, b.ref):
                    continue  # the same event twice: the validator requires them to agree
                one = [d.to_json() for d in deadlines([*context, a, b], as_of)]
                other = [d.to_json() for d in deadlines([*context, b, a], as_of)]
                if one != other:
                    problems.append((bool(context), a, b))
    assert problems == []
