"""The Same-day order of `timescales.md`: the events of one date apply in one order, whatever order
a file (or a form) lists them in. Each case is judged in every listing order of its events: the
import's verdict, every deadline and the episodes must come out the same."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import date, timedelta
from itertools import permutations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.domain.calendar import calendar_for
from models.domain.engine import Deadline, child_deadlines
from models.domain.journey import EVENT_TYPES, Kind
from models.domain.records import ChildRecord, parse_child
from models.domain.rules import Standards, Status
from models.io.journey_io import parse_journey
from models.screens.facts import ChildFacts, child_facts

CAL = calendar_for()
STD = Standards()
AS_OF = date(2025, 12, 31)


def _ev(n: int, type_: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"e{n}", "type": type_, "date": day, **fields}


def _child(events: list[dict[str, Any]]) -> tuple[ChildRecord | None, list[str]]:
    record, issues = parse_child({"id": "C-1", "date_of_birth": "2015-01-01", "events": events})
    return record, [i.reason for i in issues]


def _judged(events: list[dict[str, Any]], as_of: date = AS_OF) -> tuple[list[Deadline], ChildFacts]:
    record, reasons = _child(events)
    assert record is not None, reasons
    engine_events = [e.to_engine() for e in record.events]
    return child_deadlines("C-1", engine_events, as_of, STD, CAL), child_facts(record, as_of)


def _every_order(events: list[dict[str, Any]]) -> list[tuple[list[Deadline], ChildFacts]]:
    """The judgement of each listing order; all must be equal (and valid)."""
    results = [_judged(list(order)) for order in permutations(events)]
    first = results[0]
    for deadlines, facts in results[1:]:
        assert [d.to_json() for d in deadlines] == [d.to_json() for d in first[0]]
        assert _episodes(facts) == _episodes(first[1])
    return results


def _episodes(facts: ChildFacts) -> tuple[object, ...]:
    return tuple(getattr(facts, f.name) for f in fields(facts) if f.name != "child")


def _of(deadlines: list[Deadline], rule: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule == rule]


# --- Step 3: a closer that found nothing open closes the episode opened that day ----------------


def test_an_escalation_raised_and_resolved_on_one_day_is_resolved_both_clocks_met() -> None:
    events = [
        _ev(1, "drp_raised", "2025-07-01", ref="DRP-1", stage=1, role="iro", category="care_planning"),
        _ev(2, "drp_resolved", "2025-07-01", ref="DRP-1", outcome="Agreed on the phone"),
    ]
    [(deadlines, facts), *_] = _every_order(events)
    [stage] = _of(deadlines, "drp.stage_response")
    [resolution] = _of(deadlines, "drp.resolution_20wd")
    for d in (stage, resolution):
        assert (d.status, d.done, d.late_by) == (Status.MET, date(2025, 7, 1), 0)
    [escalation] = facts.escalations
    assert escalation.resolved == date(2025, 7, 1)
    assert not escalation.is_open


def test_became_and_ceased_looked_after_on_one_day_is_a_one_day_period() -> None:
    events = [
        _ev(1, "became_looked_after", "2025-03-03", legal_status="V2"),
        _ev(2, "ceased_looked_after", "2025-03-03", reason="E11"),
    ]
    [(deadlines, facts), *_] = _every_order(events)
    [period] = facts.care_periods
    assert (period.start, period.ceased) == (date(2025, 3, 3), date(2025, 3, 3))
    assert deadlines == []  # closed before any clock fell due


def test_a_decision_to_issue_and_the_issue_on_one_day_was_issued_on_time() -> None:
    events = [
        _ev(1, "decision_to_issue", "2025-02-03"),
        _ev(2, "proceedings_issued", "2025-02-03", case_number="ZW25C00001", court="Anytown"),
    ]
    [(deadlines, facts), *_] = _every_order(events)
    [issue] = _of(deadlines, "court.issue_after_decision")
    assert (issue.status, issue.done) == (Status.MET, date(2025, 2, 3))
    assert facts.pending_issues == ()
    [proceedings] = facts.proceedings
    assert proceedings.decision == date(2025, 2, 3)


# --- Step 1 then step 2: close what was open before the day, then open ----------------------------


def test_leaving_care_and_coming_back_the_same_day_starts_a_new_period() -> None:
    events = [
        _ev(1, "became_looked_after", "2025-01-06", legal_status="C2"),
        _ev(2, "ceased_looked_after", "2025-03-03", reason="E11"),
        _ev(3, "became_looked_after", "2025-03-03", legal_status="V2"),
        _ev(4, "cla_review", "2025-03-03"),
    ]
    [(deadlines, facts), *_] = _every_order(events)
    first, second = facts.care_periods
    assert (first.start, first.ceased, second.start, second.ceased) == (
        date(2025, 1, 6),
        date(2025, 3, 3),
        date(2025, 3, 3),
        None,
    )
    # The review of the closing day belongs to the period that closed (met late), not the new one.
    old, new = _of(deadlines, "cla.review_first_20wd")
    assert (old.trigger, old.status, old.done) == (date(2025, 1, 6), Status.MET_LATE, date(2025, 3, 3))
    assert (new.trigger, new.status, new.done) == (date(2025, 3, 3), Status.OVERDUE, None)


def test_a_plan_made_the_day_the_old_one_ended_stays_open_and_the_ending_review_is_not_its_first() -> None:
    events = [
        _ev(1, "icpc", "2024-01-08", outcome="plan", category="neglect"),
        _ev(2, "cp_review", "2025-02-03", outcome="end"),
        _ev(3, "icpc", "2025-02-03", outcome="plan", category="emotional"),
    ]
    [(deadlines, facts), *_] = _every_order(events)
    old, new = facts.cp_plans
    assert (old.ended, new.icpc, new.ended) == (date(2025, 2, 3), date(2025, 2, 3), None)
    old_length, new_length = _of(deadlines, "cp.plan_length")
    assert (old_length.status, old_length.done) == (Status.MET, date(2025, 2, 3))
    assert new_length.done is None
    reviews = _of(deadlines, "cp.review_3m")
    assert [(d.trigger, d.done) for d in reviews] == [
        (date(2024, 1, 8), date(2025, 2, 3)),
        (date(2025, 2, 3), None),  # the ending review is not the new plan's first review
    ]


def test_an_icpc_on_the_next_strategy_discussion_answers_the_earlier_enquiry() -> None:
    events = [
        _ev(1, "strategy_discussion", "2025-01-06", s47=True),
        _ev(2, "strategy_discussion", "2025-01-20", s47=True),
        _ev(3, "icpc", "2025-01-20", outcome="no_plan"),
    ]
    [(deadlines, _facts), *_] = _every_order(events)
    first, second = _of(deadlines, "cp.icpc_15wd")
    assert (first.trigger, first.status, first.done) == (date(2025, 1, 6), Status.MET, date(2025, 1, 20))
    assert (second.trigger, second.done, second.status) == (date(2025, 1, 20), None, Status.OVERDUE)


def test_a_conclusion_on_the_next_strategy_discussion_withdraws_the_earlier_enquiry() -> None:
    events = [
        _ev(1, "strategy_discussion", "2025-01-06", s47=True),
        _ev(2, "strategy_discussion", "2025-01-20", s47=True),
        _ev(3, "s47_concluded", "2025-01-20", icpc_needed=False),
    ]
    [(deadlines, _facts), *_] = _every_order(events)
    [left] = _of(deadlines, "cp.icpc_15wd")
    assert left.trigger == date(2025, 1, 20)  # the earlier one was withdrawn; the new one runs


# --- Import: no check depends on the listing order ---------------------------------------------


def test_an_extension_on_the_final_order_day_belongs_to_those_proceedings() -> None:
    events = [
        _ev(1, "proceedings_issued", "2025-02-03", case_number="ZW25C00001", court="Anytown"),
        _ev(2, "final_order", "2025-09-01", order="care_order"),
        _ev(3, "extension", "2025-09-01", until="2025-09-05", reason="timetable_for_child"),
    ]
    [(deadlines, facts), *_] = _every_order(events)
    [final] = _of(deadlines, "court.final_26w")
    assert (final.due, final.status, final.done) == (date(2025, 9, 5), Status.MET, date(2025, 9, 1))
    [proceedings] = facts.proceedings
    assert [x.until for x in proceedings.extensions] == [date(2025, 9, 5)]


def test_an_extension_after_the_final_order_day_is_still_refused() -> None:
    events = [
        _ev(1, "proceedings_issued", "2025-02-03", case_number="ZW25C00001", court="Anytown"),
        _ev(2, "final_order", "2025-09-01", order="care_order"),
        _ev(3, "extension", "2025-09-02", until="2025-09-05", reason="timetable_for_child"),
    ]
    for order in permutations(events):
        record, reasons = _child(list(order))
        assert record is None
        assert reasons == ["an extension needs open proceedings (issued, no final order yet)"]


def test_an_escalation_listed_before_its_same_day_raise_imports_and_closes_the_first_stage() -> None:
    events = [
        _ev(1, "drp_raised", "2025-07-01", ref="DRP-1", stage=1, role="iro"),
        _ev(2, "drp_escalated", "2025-07-01", ref="DRP-1", stage=2),
        _ev(3, "drp_response", "2025-07-01", ref="DRP-1", satisfactory=False),
    ]
    [(deadlines, facts), *_] = _every_order(events)
    stages = _of(deadlines, "drp.stage_response")
    # Stage 1, raised and escalated on one day, was answered that day (the response answers the
    # stage being closed); stage 2 runs from that day.
    assert [(d.detail, d.status, d.done) for d in stages] == [
        ("stage 1 (team manager)", Status.MET, date(2025, 7, 1)),
        ("stage 2 (service manager)", Status.OVERDUE, None),
    ]
    [escalation] = facts.escalations
    assert [s.stage for s in escalation.stages] == [1, 2]


def test_a_drp_event_before_any_raise_of_its_ref_is_still_refused() -> None:
    events = [
        _ev(1, "drp_escalated", "2025-06-30", ref="DRP-1", stage=2),
        _ev(2, "drp_raised", "2025-07-01", ref="DRP-1", stage=1, role="iro"),
    ]
    for order in permutations(events):
        record, reasons = _child(list(order))
        assert record is None and len(reasons) == 1
        assert "DRP-1 was never raised" in reasons[0]


@pytest.mark.parametrize("stages", [("offered", "held"), ("offered", "declined")])
def test_two_family_group_conferences_on_one_day_are_two_facts(stages: tuple[str, str]) -> None:
    events = [
        _ev(1, "letter_before_proceedings", "2025-03-03"),
        _ev(2, "family_group_conference", "2025-04-01", stage=stages[0]),
        _ev(3, "family_group_conference", "2025-04-01", stage=stages[1]),
    ]
    [(_deadlines, facts), *_] = _every_order(events)
    [episode] = facts.pre_proceedings
    assert sorted(stage for _day, stage in episode.family_group_conferences) == sorted(stages)


def test_two_same_day_events_that_disagree_are_one_plain_sentence_without_ids() -> None:
    events = [
        _ev(1, "icpc", "2025-01-06", outcome="plan", category="neglect"),
        _ev(2, "icpc", "2025-01-06", outcome="no_plan"),
    ]
    record, reasons = _child(events)
    assert record is None
    assert reasons == [
        "two initial child protection conference events on 06/01/2025 disagree on outcome: plan in one, "
        "no plan in this one; correct or remove one of them"
    ]


def test_a_second_resolution_of_one_day_with_other_words_is_no_clash() -> None:
    # The outcome of a resolution is free text, not read by any rule: no clash, counted once.
    events = [
        _ev(1, "drp_raised", "2025-07-01", ref="DRP-1", stage=1, role="iro"),
        _ev(2, "drp_resolved", "2025-07-03", ref="DRP-1", outcome="Agreed"),
        _ev(3, "drp_resolved", "2025-07-03", ref="DRP-1", outcome="Agreed at the meeting"),
    ]
    [(deadlines, _facts), *_] = _every_order(events)
    [resolution] = _of(deadlines, "drp.resolution_20wd")
    assert (resolution.status, resolution.done) == (Status.MET, date(2025, 7, 3))


# --- Property: shuffling the events of each date changes nothing ------------------------------

REFS = ("A", "B")


@st.composite
def _journeys(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A child's events on a few dates (so that many share a date), each field drawn from its spec.

    Proceedings and both DRP refs open on the first date, so most journeys are valid; the rest
    are refused, and must be refused in every order.
    """
    start = draw(st.dates(date(2024, 1, 1), date(2025, 6, 30)))
    offsets = draw(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=5, unique=True))
    pool = sorted(start + timedelta(days=k) for k in [0, *offsets])
    events: list[dict[str, Any]] = [
        _ev(0, "proceedings_issued", pool[0].isoformat()),
        _ev(1, "drp_raised", pool[0].isoformat(), ref="A", stage=1),
        _ev(2, "drp_raised", pool[0].isoformat(), ref="B", stage=0),
    ]
    for n in range(3, 3 + draw(st.integers(min_value=0, max_value=14))):
        type_ = draw(st.sampled_from(sorted(EVENT_TYPES)))
        day = draw(st.sampled_from(pool))
        event = _ev(n, type_, day.isoformat())
        for spec in EVENT_TYPES[type_].fields:
            if not spec.required and not draw(st.booleans()):
                continue
            if spec.name == "ref":
                event["ref"] = draw(st.sampled_from(REFS))
            elif spec.kind is Kind.ENUM:
                event[spec.name] = draw(st.sampled_from(spec.choices))
            elif spec.kind is Kind.BOOL:
                event[spec.name] = draw(st.booleans())
            elif spec.kind is Kind.INT:
                event[spec.name] = draw(st.integers(spec.minimum or 0, spec.maximum or 16))
            elif spec.kind is Kind.DATE:
                event[spec.name] = (day + timedelta(days=draw(st.integers(1, 240)))).isoformat()
            else:
                event[spec.name] = "text"
        events.append(event)
    return events


def _verdict(events: list[dict[str, Any]]) -> tuple[bool, list[str], dict[date, list[dict[str, Any]]]]:
    """Whether the file imports, the fields its errors name, and the deadlines at a few as-of dates."""
    document = {"format": "journey", "version": 1, "children": [{"id": "C-1", "events": events}]}
    valid, issues, _invalid = parse_journey(document)
    fields_named = sorted({i.field or "" for i in issues})
    judged: dict[date, list[dict[str, Any]]] = {}
    if valid:
        engine_events = [e.to_engine() for e in valid[0].events]
        for as_of in (date(2024, 6, 30), date(2025, 3, 31), date(2026, 6, 30)):
            judged[as_of] = [d.to_json() for d in child_deadlines("C-1", engine_events, as_of, STD, CAL)]
    return bool(valid), fields_named, judged


@settings(max_examples=300, deadline=None)
@given(_journeys(), st.randoms(use_true_random=False))
def test_shuffling_the_events_of_each_date_changes_neither_verdict_nor_deadline(
    events: list[dict[str, Any]], rnd: random.Random
) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    shuffled.sort(key=lambda e: e["date"])  # stable: only the order within each date changes
    assert _verdict(shuffled) == _verdict(events)
