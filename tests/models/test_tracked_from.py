"""Tracked from: the opening balance of an imported record (`timescales.md`), one test per bullet,
then the journey file, the database (and its schema step) and the importers."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from models.domain.calendar import calendar_for
from models.domain.engine import Deadline, Event, Opening, child_deadlines
from models.domain.period import Period
from models.domain.records import ChildRecord, parse_child
from models.domain.rules import Standards, Status
from models.io.journey_io import export_journey, import_journey
from models.screens.facts import Caseload
from models.screens.measures import compute_measures
from models.storage import store
from models.storage.db import SCHEMA_VERSION, open_database

CAL = calendar_for()
STD = Standards()
TRACKED = date(2025, 3, 31)
SSDA903 = Opening(TRACKED, frozenset({"cla_visit", "permanence_plan", "icpc", "core_group", "cp_visit"}))


def judged(events: list[Event], as_of: date, opening: Opening | None = SSDA903) -> list[Deadline]:
    return child_deadlines("C-1", events, as_of, STD, CAL, opening)


def rules(deadlines: list[Deadline]) -> list[tuple[str, date, date, Status]]:
    return [(d.rule, d.trigger, d.due, d.status) for d in deadlines]


def one(deadlines: list[Deadline], rule: str) -> Deadline:
    [found] = [d for d in deadlines if d.rule == rule]
    return found


# --- The rule, bullet by bullet ---------------------------------------------------------------


def test_a_deadline_met_before_tracked_from_is_history_on_time_or_late() -> None:
    events = [
        Event("became_looked_after", date(2024, 9, 2)),
        Event("cla_review", date(2024, 10, 30)),  # first review: 20 WD was 30/09, met late
        Event("cla_review", date(2025, 1, 20)),  # second review: due 30/01/2025, met on time
        Event("permanence_plan", date(2025, 1, 20)),
    ]
    without = judged(events, date(2025, 4, 30), None)
    assert {d.rule for d in without if d.status in (Status.MET, Status.MET_LATE)} >= {
        "cla.review_first_20wd",
        "cla.review_second_3m",
    }
    shown = judged(events, date(2025, 4, 30))
    assert not [d for d in shown if d.done is not None and d.done < TRACKED]


def test_a_deadline_whose_episode_closed_before_tracked_from_is_not_reported() -> None:
    events = [
        Event("became_looked_after", date(2024, 6, 3)),
        Event("ceased_looked_after", date(2025, 1, 10)),  # no review, no visit: all overdue at close
    ]
    assert [d for d in judged(events, date(2025, 1, 31), None) if d.status is Status.OVERDUE]
    assert judged(events, date(2025, 4, 30)) == []


def test_an_unmet_clock_whose_meeting_event_is_untracked_restarts_from_tracked_from() -> None:
    events = [
        Event("became_looked_after", date(2024, 9, 2)),
        Event("cla_review", date(2024, 9, 27)),
        Event("cla_review", date(2024, 12, 20)),
    ]
    shown = judged(events, date(2025, 4, 30))
    visit = one(shown, "cla.visit")
    assert (visit.trigger, visit.trigger_type, visit.due, visit.status) == (
        TRACKED,
        "tracked_from",
        date(2025, 5, 12),  # 42 days
        Status.PENDING,
    )
    plan = one(shown, "cla.permanence_by_second_review")
    assert (plan.trigger, plan.due) == (TRACKED, date(2025, 6, 30))  # 3 months
    assert plan.explanation == (
        "Permanence plan due 3 months after tracking began on 31/03/2025 (before then the record holds "
        "no permanence plans), i.e. by 30/06/2025; not yet made, not yet due."
    )
    assert visit.explanation == (
        "Next looked-after visit due 42 days after tracking began on 31/03/2025 (before then the record "
        "holds no looked-after visits), i.e. by 12/05/2025; not yet made, not yet due."
    )
    # Judged as usual: overdue once its new due date has passed.
    late = one(judged(events, date(2025, 5, 20)), "cla.visit")
    assert (late.status, late.late_by) == (Status.OVERDUE, 8)


def test_a_restarted_visit_clock_is_met_and_the_chain_runs_on_from_the_visit() -> None:
    events = [
        Event("became_looked_after", date(2024, 9, 2)),
        Event("cla_visit", date(2025, 4, 10)),
    ]
    visits = [d for d in judged(events, date(2025, 6, 30)) if d.rule == "cla.visit"]
    assert [(d.trigger, d.due, d.done, d.status) for d in visits] == [
        (TRACKED, date(2025, 5, 12), date(2025, 4, 10), Status.MET),
        (date(2025, 4, 10), date(2025, 5, 22), None, Status.OVERDUE),
    ]


def test_a_working_day_clock_restarts_by_its_own_period() -> None:
    events = [Event("icpc", date(2025, 1, 6), outcome="plan")]  # no core group, no visit held
    shown = judged(events, date(2025, 4, 1))
    core = one(shown, "cp.core_group_10wd")
    assert (core.trigger, core.due) == (TRACKED, CAL.add_working_days(TRACKED, 10))
    assert "after tracking began on 31/03/2025 (before then the record holds no core groups)" in (
        core.explanation
    )
    # The first review conference is due 06/04/2025, after tracked_from: reported as usual.
    assert one(shown, "cp.review_3m").trigger == date(2025, 1, 6)


def test_an_episode_closing_on_tracked_from_is_still_open_on_it() -> None:
    # The second review, due 3 months after the first, was never held; the period ends on the
    # day tracking begins: the drift is shown (reviews are in the record), up to the close.
    events = [
        Event("became_looked_after", date(2024, 9, 2)),
        Event("cla_review", date(2024, 9, 27)),
        Event("ceased_looked_after", TRACKED),
    ]
    second = one(judged(events, date(2025, 4, 30)), "cla.review_second_3m")
    assert (second.status, second.counted_to, second.due) == (Status.OVERDUE, TRACKED, date(2024, 12, 27))


def test_drift_the_record_shows_is_reported_as_usual() -> None:
    # A review not held since the latest one the source recorded.
    events = [
        Event("became_looked_after", date(2023, 5, 1)),
        Event("cla_review", date(2024, 6, 3)),  # a snapshot's latest review: the first in the record
        Event("cla_review", date(2024, 9, 2)),
    ]
    shown = judged(events, date(2025, 4, 30))
    review = one(shown, "cla.review_6m")
    assert (review.trigger, review.due, review.status) == (date(2024, 9, 2), date(2025, 3, 2), Status.OVERDUE)
    assert "tracking began" not in review.explanation


def test_for_drp_the_episode_is_the_escalation() -> None:
    events = [Event("drp_raised", date(2025, 2, 24), ref="R", stage=1)]  # 20 WD: 24/03/2025
    untracked = Opening(TRACKED, frozenset({"drp_response", "drp_resolved"}))
    shown = judged(events, date(2025, 4, 1), untracked)
    stage, resolution = one(shown, "drp.stage_response"), one(shown, "drp.resolution_20wd")
    assert (stage.trigger, stage.due, stage.ref) == (TRACKED, CAL.add_working_days(TRACKED, 5), "R")
    assert (resolution.trigger, resolution.due) == (TRACKED, CAL.add_working_days(TRACKED, 20))
    assert stage.explanation.startswith(
        "Response to stage 1 (team manager) of escalation R due 5 working days after tracking began on "
        "31/03/2025 (before then the record holds no DRP responses)"
    )


def test_deadlines_due_on_or_after_tracked_from_are_reported_as_usual() -> None:
    events = [Event("became_looked_after", date(2025, 3, 24))]  # first visit due 31/03 = tracked_from
    shown = judged(events, date(2025, 4, 30))
    visit = one(shown, "cla.visit")
    assert (visit.trigger, visit.due, visit.status) == (date(2025, 3, 24), TRACKED, Status.OVERDUE)
    assert rules(shown) == rules(judged(events, date(2025, 4, 30), None))


def test_an_as_of_date_before_tracked_from_has_nothing_to_judge() -> None:
    events = [Event("became_looked_after", date(2024, 9, 2))]
    assert judged(events, date(2025, 3, 30)) == []
    assert judged(events, TRACKED) != []


def test_without_tracked_from_nothing_changes() -> None:
    events = [Event("became_looked_after", date(2024, 9, 2)), Event("cla_review", date(2024, 9, 27))]
    early = Opening(date(2024, 1, 1), SSDA903.untracked)  # before every event
    assert judged(events, date(2025, 4, 30), early) == judged(events, date(2025, 4, 30), None)


# --- The journey file ---------------------------------------------------------------------------


def _raw(**fields: Any) -> dict[str, Any]:
    return {
        "id": "C-1",
        **fields,
        "events": [{"id": "a", "type": "became_looked_after", "date": "2024-09-02"}],
    }


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        (
            {"untracked": ["cla_visit"]},
            "untracked",
            "untracked needs tracked_from: the day from which the record is complete",
        ),
        ({"tracked_from": "2025-02-30"}, "tracked_from", "'2025-02-30' is not a real date (YYYY-MM-DD)"),
        (
            {"tracked_from": "2071-01-01"},
            "tracked_from",
            "01/01/2071 is outside the years the tracker counts (1990 to 2070)",
        ),
        (
            {"tracked_from": "2025-03-31", "untracked": ["visits"]},
            "untracked",
            "'visits' is not an event type of the journey format",
        ),
        (
            {"tracked_from": "2025-03-31", "untracked": "cla_visit"},
            "untracked",
            "must be a list of event types, not 'cla_visit'",
        ),
    ],
)
def test_the_two_fields_are_checked(fields: dict[str, Any], field: str, reason: str) -> None:
    record, issues = parse_child(_raw(**fields))
    assert record is None
    assert [(i.field, i.reason) for i in issues] == [(field, reason)]


def test_both_fields_round_trip_through_the_journey_file_and_the_database(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite")
    try:
        child = _raw(tracked_from="2025-03-31", untracked=["permanence_plan", "cla_visit"])
        document = {"format": "journey", "version": 1, "children": [child]}
        import_journey(db, document)
        record = store.get_child(db, "C-1")
        assert record is not None
        assert record.fields["tracked_from"] == TRACKED
        assert record.fields["untracked"] == ("cla_visit", "permanence_plan")
        assert record.extra == {}
        assert record.opening == Opening(TRACKED, frozenset({"cla_visit", "permanence_plan"}))
        exported = export_journey(db)["children"][0]
        assert (exported["tracked_from"], exported["untracked"]) == (
            "2025-03-31",
            ["cla_visit", "permanence_plan"],
        )
        assert import_journey(db, export_journey(db)).changed is False
        # The engine reads them from the database: a visit clock restarted at tracked_from.
        visits = [d for d in store.compute_deadlines(db, date(2025, 4, 30), "C-1") if d.rule == "cla.visit"]
        assert [(d.trigger, d.due) for d in visits] == [(TRACKED, date(2025, 5, 12))]
        every = [d for d in store.compute_deadlines(db, date(2025, 4, 30)) if d.rule == "cla.visit"]
        assert every == visits
        assert store.compute_deadlines(db, date(2025, 3, 30)) == []
    finally:
        db.engine.dispose()


def test_the_schema_step_moves_both_fields_out_of_the_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = open_database(path)
    db.engine.dispose()
    # The file as version 2 left it: no columns, and an import kept both among the unknown keys.
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE child DROP COLUMN tracked_from")
    conn.execute("ALTER TABLE child DROP COLUMN untracked")
    extra = {"tracked_from": "2025-03-31", "untracked": ["permanence_plan", "cla_visit"], "source": "903"}
    conn.execute("INSERT INTO child (id, extra) VALUES ('C-1', ?)", (json.dumps(extra),))
    conn.execute("INSERT INTO child (id, extra) VALUES ('C-2', ?)", (json.dumps({"source": "x"}),))
    conn.execute("INSERT INTO child (id) VALUES ('C-3')")
    conn.execute("PRAGMA user_version=2")
    conn.execute("DROP TABLE alembic_version")  # a file from before Alembic
    conn.commit()
    conn.close()

    db = open_database(path)
    try:
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar_one() == SCHEMA_VERSION
        one_ = store.get_child(db, "C-1")
        assert one_ is not None
        assert (one_.fields["tracked_from"], one_.fields["untracked"], one_.extra) == (
            TRACKED,
            ("cla_visit", "permanence_plan"),
            {"source": "903"},
        )
        two = store.get_child(db, "C-2")
        three = store.get_child(db, "C-3")
        assert two is not None and three is not None
        assert "tracked_from" not in two.fields and two.extra == {"source": "x"}
        assert three.opening is None
    finally:
        db.engine.dispose()


# --- Reports and measures count only what is reported -------------------------------------------


def _903_child(**more: Any) -> ChildRecord:
    record, issues = parse_child(
        {
            "id": "R-1",
            "tracked_from": "2025-03-31",
            "untracked": sorted(SSDA903_TYPES),
            **more,
            "events": [
                {"id": "a", "type": "became_looked_after", "date": "2024-09-02"},
                {"id": "b", "type": "cla_review", "date": "2024-09-27"},
                {"id": "c", "type": "cla_review", "date": "2024-12-20"},  # second review: no plan shown
            ],
        }
    )
    assert record is not None, issues
    return record


SSDA903_TYPES = {"cla_visit", "permanence_plan", "icpc", "core_group", "cp_visit", "cp_review"}


def test_measures_count_only_what_is_reported() -> None:
    child = _903_child()
    complete = ChildRecord("R-2", {}, {}, child.events)  # the same events, a complete record
    # December 2024: R-2's second review without a plan counts against M1; R-1's is history.
    caseload = Caseload.build([child, complete], date(2025, 4, 30))
    m = compute_measures(caseload, Period.month_of(2024, 12))
    assert [cid for cid, _ok in m.m1.cases] == ["R-2"]
    # September 2024: both became looked after (the return holds that), but at an as-of date before
    # tracked_from R-1 has nothing to judge and is not counted at all.
    assert compute_measures(caseload, Period.month_of(2024, 9)).m15_became == ("R-1", "R-2")
    early = Caseload.build([child, complete], date(2025, 1, 31))
    assert compute_measures(early, Period.month_of(2024, 9)).m15_became == ("R-2",)
    assert early.deadlines_of("R-1") == ()
