"""The demo generator: fictional, deterministic, valid journeys with a realistic mix of stages."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from typing import Any

import pytest

from models.domain.calendar import calendar_for
from models.domain.engine import child_deadlines, court_end, extension_limit
from models.domain.journey import (
    CHILD_FIELDS,
    COMMON_EVENT_KEYS,
    EVENT_TYPES,
    GENDERS,
    PRE_BIRTH_TYPES,
    Event,
    Kind,
)
from models.domain.records import parse_child
from models.domain.rules import RULES, Standards
from models.io.demo import REVIEWING_OFFICERS, TEAMS, generate, iter_children

TODAY = date(2025, 9, 1)
CENSUS_CODES = {
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
}  # fmt: skip
LEGAL_STATUSES = {"C1", "C2", "V2", "E1"}
CEASED_REASONS = {"E11", "E41", "E45", "E4A"}


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    children: list[dict[str, Any]] = generate(500, seed=7, today=TODAY)["children"]
    return children


def to_event(raw: dict[str, Any]) -> Event:
    """A journey-file event dict as the engine reads it."""
    stage = raw.get("stage")
    until = raw.get("until")
    return Event(
        raw["type"],
        date.fromisoformat(raw["date"]),
        raw.get("id"),
        s47=raw.get("s47"),
        icpc_needed=raw.get("icpc_needed"),
        outcome=raw.get("outcome"),
        stage=stage if isinstance(stage, int) else None,
        until=date.fromisoformat(until) if isinstance(until, str) else None,
        weeks=raw.get("weeks"),
        ref=raw.get("ref"),
    )


def test_document_shape_and_size() -> None:
    for n in (0, 1, 10, 137):
        data = generate(n, seed=2, today=TODAY)
        assert data["format"] == "journey" and data["version"] == 1
        ids = [c["id"] for c in data["children"]]
        assert len(ids) == n == len(set(ids))
        assert all(re.fullmatch(r"DEMO-\d{6}", i) for i in ids)


def test_deterministic_per_seed() -> None:
    assert generate(120, seed=3, today=TODAY) == generate(120, seed=3, today=TODAY)
    assert generate(120, seed=3, today=TODAY) != generate(120, seed=4, today=TODAY)
    assert list(iter_children(120, seed=3, today=TODAY)) == generate(120, seed=3, today=TODAY)["children"]


def test_today_defaults_to_the_clock_and_nothing_is_later() -> None:
    children = generate(30, seed=5)["children"]
    latest = max(e["date"] for c in children for e in c["events"])
    assert latest <= date.today().isoformat()


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError):
        generate(-1)


def test_events_sorted_dated_by_today_with_unique_ids(sample: list[dict[str, Any]]) -> None:
    for child in sample:
        dates = [e["date"] for e in child["events"]]
        assert dates == sorted(dates)
        assert all(d <= TODAY.isoformat() for d in dates)
        ids = [e["id"] for e in child["events"]]
        assert len(ids) == len(set(ids))


def test_every_value_is_valid(sample: list[dict[str, Any]]) -> None:
    for child in sample:
        assert set(child) <= {*CHILD_FIELDS, "events"}
        assert child["gender"] in GENDERS
        assert child["ethnicity"] in CENSUS_CODES
        assert isinstance(child["disability"], bool)
        assert child["team"] in TEAMS
        assert re.fullmatch(r"[A-Z]\. [A-Z][a-z]+", child["social_worker"])
        assert child["reviewing_officer"] in REVIEWING_OFFICERS
        for event in child["events"]:
            spec = EVENT_TYPES[event["type"]]
            date.fromisoformat(event["date"])
            assert set(event) <= {*COMMON_EVENT_KEYS, *(f.name for f in spec.fields)}, event
            for f in spec.fields:
                if f.name not in event:
                    assert not f.required, event
                    continue
                value = event[f.name]
                if f.kind is Kind.BOOL:
                    assert isinstance(value, bool)
                elif f.kind is Kind.INT:
                    assert isinstance(value, int) and not isinstance(value, bool)
                    assert f.minimum is None or value >= f.minimum
                    assert f.maximum is None or value <= f.maximum
                elif f.kind is Kind.DATE:
                    date.fromisoformat(value)
                else:
                    assert isinstance(value, str) and value
                    if f.kind is Kind.ENUM:
                        assert value in f.choices, event
            if event["type"] in ("became_looked_after", "legal_status_changed"):
                assert event["legal_status"] in LEGAL_STATUSES
            if event["type"] == "ceased_looked_after":
                assert event["reason"] in CEASED_REASONS


def test_the_import_validator_accepts_every_child(sample: list[dict[str, Any]]) -> None:
    for index, child in enumerate(sample):
        record, issues = parse_child(child, index)
        assert not issues, issues
        assert record is not None


def test_no_event_before_birth_except_pre_birth_protection(sample: list[dict[str, Any]]) -> None:
    unborn = 0
    for child in sample:
        if "date_of_birth" in child:
            assert all(e["date"] >= child["date_of_birth"] for e in child["events"])
            age = (TODAY - date.fromisoformat(child["date_of_birth"])).days
            assert 0 <= age < 18 * 365
        else:
            unborn += 1
            expected = child["expected_date_of_birth"]
            assert expected > TODAY.isoformat()
            assert child["events"]
            assert all(e["type"] in PRE_BIRTH_TYPES and e["date"] < expected for e in child["events"])
    assert unborn > 0


def test_court_events_respect_the_eight_week_rule(sample: list[dict[str, Any]]) -> None:
    extensions = 0
    for child in sample:
        issued: date | None = None
        granted: list[Event] = []
        for raw in child["events"]:
            if raw["type"] == "proceedings_issued":
                assert issued is None, "one set of proceedings at a time"
                issued, granted = date.fromisoformat(raw["date"]), []
            elif raw["type"] == "final_order":
                assert issued is not None
                issued = None
            elif raw["type"] == "extension":
                assert issued is not None
                event = to_event(raw)
                assert event.until is not None
                limit = extension_limit(court_end(issued, granted), event.date)
                assert event.date < event.until <= limit
                granted.append(event)
                extensions += 1
    assert extensions > 10


def test_escalations_are_raised_before_they_move(sample: list[dict[str, Any]]) -> None:
    refs: set[str] = set()
    with_drp = 0
    for child in sample:
        raised: set[str] = set()
        for event in child["events"]:
            if event["type"] == "drp_raised":
                assert re.fullmatch(r"DRP-\d{2}-\d{4,}", event["ref"])
                assert event["ref"] not in refs
                assert event["stage"] in (0, 1)
                assert event["raised_by"] in REVIEWING_OFFICERS
                refs.add(event["ref"])
                raised.add(event["ref"])
            elif event["type"].startswith("drp_"):
                assert event["ref"] in raised
        with_drp += bool(raised)
    assert 0.04 <= with_drp / len(sample) <= 0.14


def test_no_two_events_of_a_type_share_a_date(sample: list[dict[str, Any]]) -> None:
    for child in sample:
        keys = [(e["type"], e["date"], e.get("ref")) for e in child["events"]]
        assert len(keys) == len(set(keys))


def test_sibling_groups_share_team_worker_and_journey(sample: list[dict[str, Any]]) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for child in sample:
        if "sibling_group" in child:
            groups[child["sibling_group"]].append(child)
    in_groups = sum(len(g) for g in groups.values())
    assert 0.2 <= in_groups / len(sample) <= 0.4
    for members in groups.values():
        assert 2 <= len(members) <= 4
        assert len({(c["team"], c["social_worker"]) for c in members}) == 1
        shared = [
            {(e["type"], e["date"]) for e in c["events"] if e["type"] not in ("cp_visit", "cla_visit")}
            for c in members
        ]
        core = [{k for k in s if not k[0].startswith("drp_")} for s in shared]
        assert all(s == core[0] for s in core)


def test_a_mix_of_stages(sample: list[dict[str, Any]]) -> None:
    reached: Counter[str] = Counter()
    orders: Counter[str] = Counter()
    for child in sample:
        types = {e["type"] for e in child["events"]}
        if "icpc" in types and not types & {"letter_before_proceedings", "became_looked_after"}:
            reached["cp only"] += 1
        if "letter_before_proceedings" in types:
            reached["pre-proceedings"] += 1
        if "pre_proceedings_extended" in types:
            reached["pre-proceedings extended"] += 1
        if "proceedings_issued" in types:
            reached["court"] += 1
        if "became_looked_after" in types:
            reached["looked after"] += 1
        if "ceased_looked_after" in types:
            reached["ceased"] += 1
        if "drp_escalated" in types:
            reached["escalated"] += 1
        if "cp_plan_ended" in types or any(e.get("outcome") == "end" for e in child["events"]):
            reached["plan ended"] += 1
        orders.update(e["order"] for e in child["events"] if e["type"] == "final_order")
    for stage in (
        "cp only", "pre-proceedings", "pre-proceedings extended", "court", "looked after",
        "ceased", "escalated", "plan ended",
    ):  # fmt: skip
        assert reached[stage] > 0, stage
    assert reached["cp only"] > 100 and reached["looked after"] > 100
    assert len(orders) >= 4


def test_about_twenty_events_per_child() -> None:
    children = list(iter_children(3000, seed=11, today=TODAY))
    average = sum(len(c["events"]) for c in children) / len(children)
    assert 18 <= average <= 23


def test_the_engine_shows_red_amber_and_green(sample: list[dict[str, Any]]) -> None:
    standards = Standards()
    calendar = calendar_for()
    rags: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    rules: set[str] = set()
    for child in sample:
        events = [to_event(e) for e in child["events"]]
        for deadline in child_deadlines(child["id"], events, TODAY, standards, calendar):
            rags[deadline.rag.value] += 1
            statuses[deadline.status.value] += 1
            rules.add(deadline.rule)
    assert rags["red"] and rags["amber"] and rags["green"]
    assert set(statuses) == {"met", "met_late", "overdue", "due_soon", "pending"}
    assert rags["green"] > rags["red"] > rags["amber"]
    assert rules == set(RULES)
