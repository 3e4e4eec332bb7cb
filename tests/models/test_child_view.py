"""What the child page shows, without Qt: journey position, age, siblings, form helpers."""

from __future__ import annotations

from datetime import date

import pytest

from models.domain.journey import Stage
from models.domain.records import ChildRecord, EventRecord
from models.screens.child_view import (
    StepState,
    age_text,
    birth_text,
    chronology_rows,
    drp_refs,
    event_summary,
    extension_window,
    journey_position,
    known_values,
    siblings,
)
from models.storage import store
from models.storage.db import Database

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server

AS_OF = date(2025, 9, 1)


def child(db: Database, child_id: str) -> ChildRecord:
    record = store.get_child(db, child_id)
    assert record is not None
    return record


def states(record: ChildRecord, as_of: date = AS_OF) -> dict[str, StepState]:
    return {s.key: s.state for s in journey_position(record, as_of)}


def test_journey_of_the_examples(example_db: Database) -> None:
    n = StepState.NOT_REACHED
    assert states(child(example_db, "EX-001")) == {
        "cp": StepState.CURRENT,
        "plo": n,
        "court": n,
        "care": n,
        "permanence": n,
    }
    assert states(child(example_db, "EX-002")) == {
        "cp": n,
        "plo": StepState.DONE,
        "court": StepState.CURRENT,
        "care": StepState.CURRENT,
        "permanence": n,
    }
    assert states(child(example_db, "EX-003")) == {
        "cp": n,
        "plo": n,
        "court": n,
        "care": StepState.CURRENT,
        "permanence": StepState.CURRENT,
    }
    steps = journey_position(child(example_db, "EX-001"), AS_OF)
    assert steps[0].detail == "On a plan since 17/01/2025 (neglect)"
    steps = journey_position(child(example_db, "EX-003"), AS_OF)
    assert steps[4].detail == "Long-term fostering plan since 20/08/2025, ratified by the IRO"


def test_journey_ignores_events_after_the_as_of_date(example_db: Database) -> None:
    record = child(example_db, "EX-002")
    assert states(record, date(2024, 9, 1)) == {k: StepState.NOT_REACHED for k in states(record)}
    assert states(record, date(2025, 1, 21))["court"] is StepState.CURRENT  # decision to issue
    assert journey_position(record, date(2025, 1, 21))[2].detail == "Decision to issue 20/01/2025"


def journey(*events: tuple[str, str, dict[str, object]]) -> ChildRecord:
    records = [
        EventRecord(f"e{i}", etype, date.fromisoformat(day), dict(fields))
        for i, (etype, day, fields) in enumerate(events)
    ]
    return ChildRecord("C", {"date_of_birth": date(2015, 1, 1)}).with_events(records)


def test_closed_episodes_are_done() -> None:
    record = journey(
        ("strategy_discussion", "2024-01-03", {"s47": True}),
        ("icpc", "2024-01-20", {"outcome": "plan"}),
        ("cp_review", "2024-04-10", {"outcome": "end"}),
        ("proceedings_issued", "2024-05-01", {}),
        ("became_looked_after", "2024-05-01", {"legal_status": "C1"}),
        ("permanence_plan", "2024-08-01", {"plan": "adoption"}),
        ("final_order", "2024-10-01", {"order": "placement_order"}),
        ("legal_status_changed", "2024-10-01", {"legal_status": "E1"}),
    )
    steps = {s.key: s for s in journey_position(record, AS_OF)}
    assert (steps["cp"].state, steps["cp"].detail) == (StepState.DONE, "Plan ended 10/04/2024")
    assert (steps["court"].state, steps["court"].detail) == (StepState.DONE, "Placement order, 01/10/2024")
    assert (steps["care"].state, steps["care"].detail) == (StepState.CURRENT, "Since 01/05/2024 (E1)")
    assert steps["permanence"].state is StepState.DONE
    assert steps["permanence"].detail == "Adoption plan; Placement order 01/10/2024"


def test_open_s47_enquiry_is_the_current_cp_step() -> None:
    record = journey(("strategy_discussion", "2025-08-20", {"s47": True}))
    step = journey_position(record, AS_OF)[0]
    assert (step.state, step.detail) == (StepState.CURRENT, "Section 47 enquiry since 20/08/2025")
    withdrawn = journey(
        ("strategy_discussion", "2025-08-20", {"s47": True}),
        ("s47_concluded", "2025-08-25", {"icpc_needed": False}),
    )
    assert journey_position(withdrawn, AS_OF)[0].state is StepState.DONE


def test_sgo_without_care_is_permanence() -> None:
    record = journey(
        ("proceedings_issued", "2024-05-01", {}), ("final_order", "2024-10-01", {"order": "sgo"})
    )
    step = journey_position(record, AS_OF)[4]
    assert (step.state, step.detail) == (StepState.DONE, "Special guardianship order (SGO), 01/10/2024")


@pytest.mark.parametrize(
    ("born", "as_of", "text"),
    [
        (date(2021, 8, 19), date(2025, 9, 1), "4 years"),
        (date(2021, 9, 2), date(2025, 9, 1), "3 years"),
        (date(2024, 1, 31), date(2025, 9, 1), "19 months"),
        (date(2025, 7, 31), date(2025, 9, 1), "1 month"),
        (date(2025, 8, 11), date(2025, 9, 1), "3 weeks"),
        (date(2025, 8, 31), date(2025, 9, 1), "1 day"),
        (date(2025, 10, 1), date(2025, 9, 1), "not yet born"),
    ],
)
def test_age_text(born: date, as_of: date, text: str) -> None:
    assert age_text(born, as_of) == text


def test_birth_text() -> None:
    assert (
        birth_text(ChildRecord("C", {"date_of_birth": date(2021, 8, 19)}), AS_OF)
        == "Born 19/08/2021 (4 years)"
    )
    unborn = ChildRecord("C", {"expected_date_of_birth": date(2025, 10, 1)})
    assert birth_text(unborn, AS_OF) == "Expected 01/10/2025 (unborn)"
    assert birth_text(unborn, date(2025, 11, 1)) == "Expected 01/10/2025 (birth not yet recorded)"
    assert birth_text(ChildRecord("C"), AS_OF) == "Date of birth not recorded"


def test_siblings_and_known_values(example_db: Database) -> None:
    store.save_child(example_db, ChildRecord("EX-004", {"given_name": "Dan", "sibling_group": "F-EX2"}))
    assert [(s.id, s.name) for s in siblings(example_db, "F-EX2", exclude="EX-002")] == [("EX-004", "Dan")]
    assert siblings(example_db, None) == []
    values = known_values(example_db)
    assert values["team"] == ["Child Protection East", "Children in Care", "Court Team"]
    assert values["reviewing_officer"] == ["P. Jones", "R. Singh"]


def test_chronology_rows_newest_first_by_stage(example_db: Database) -> None:
    record = child(example_db, "EX-003")
    rows = chronology_rows(record, date(2025, 7, 10), Stage.DRP)
    assert [r.event.id for r in rows] == ["ex3-10", "ex3-9", "ex3-8", "ex3-7"]
    assert [r.counted for r in rows] == [False, False, True, True]
    assert rows[-1].summary == (
        "Reference: DRP-25-014; Stage: 1 – team manager; Raised by: R. Singh; Role: IRO; "
        "Category: Drift and delay; Addressed to: Team manager"
    )


def test_event_summary_uses_people_words() -> None:
    event = EventRecord("e", "icpc", date(2025, 1, 1), {"outcome": "no_plan"}, note="Family  engaged\nwell")
    assert event_summary(event) == "Outcome: No plan; Note: Family engaged well"
    assert event_summary(EventRecord("e", "strategy_discussion", date(2025, 1, 1), {"s47": False})) == (
        "Section 47 enquiry started: no"
    )


def test_drp_refs(example_db: Database) -> None:
    [ref] = drp_refs(child(example_db, "EX-003"))
    assert (ref.ref, ref.raised, ref.stage, ref.resolved) == (
        "DRP-25-014",
        date(2025, 7, 1),
        2,
        date(2025, 7, 15),
    )
    assert drp_refs(child(example_db, "EX-002")) == []


def test_extension_window(example_db: Database) -> None:
    record = child(example_db, "EX-002")
    window = extension_window(record, date(2025, 9, 1))
    assert window is not None
    assert (window.issued, window.current_end, window.latest_allowed) == (
        date(2025, 2, 3),
        date(2025, 9, 26),
        date(2025, 11, 21),
    )
    # Replacing the extension itself: back to the 26-week end.
    window = extension_window(record, date(2025, 7, 28), replacing="ex2-14")
    assert window is not None and window.current_end == date(2025, 8, 3)
    assert window.latest_allowed == date(2025, 9, 28)
    assert extension_window(record, date(2025, 1, 1)) is None


def test_work_first_puts_what_is_still_to_do_before_what_was_done(example_db: Database) -> None:
    from datetime import date

    from models.screens.child_view import work_first
    from models.storage.store import compute_deadlines

    ordered = work_first(compute_deadlines(example_db, date(2025, 9, 1), "EX-002"))
    waiting = [d for d in ordered if d.done is None]
    assert ordered[: len(waiting)] == waiting
    assert [d.due for d in waiting] == sorted(d.due for d in waiting)
    done = ordered[len(waiting) :]
    assert [d.done for d in done] == sorted((d.done for d in done), reverse=True)
    assert ordered[0].rule == "cla.visit" and ordered[0].status.value == "overdue"


def test_event_summary_shows_kept_extra_keys() -> None:
    from models.domain.records import EventRecord
    from models.screens.child_view import event_summary

    raised = EventRecord(
        "d1",
        "drp_raised",
        date(2025, 7, 1),
        {"ref": "DRP-1", "stage": 1},
        extra={"wanted": "A permanence planning meeting", "wanted_by": "2025-07-15"},
    )
    summary = event_summary(raised)
    assert "Wanted: A permanence planning meeting" in summary
    assert "Wanted by: 15/07/2025" in summary
