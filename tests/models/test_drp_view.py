"""The escalation register (Qt-free): clocks per stage, good practice apart, filters, categories."""

from __future__ import annotations

from datetime import date

import pytest

from models.domain.records import EventRecord
from models.domain.rules import Rag, Status
from models.io.journey_io import export_journey, import_journey
from models.screens.drp_view import (
    AlertKind,
    EscalationFilter,
    build_escalation_register,
    category_code,
    category_label,
    filter_escalations,
    next_ref,
    register_counts,
)
from models.storage import store
from models.storage.db import Database
from models.storage.settings import DEFAULT_DRP_CATEGORIES, Settings, load_settings
from models.storage.store import ValidationError, save_settings

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server

SEPTEMBER = date(2025, 9, 1)


def test_ex003_drp_25_014_clocks_as_in_timescales(example_db: Database) -> None:
    [row] = build_escalation_register(example_db, SEPTEMBER).rows
    assert (row.ref, row.child_id, row.kind) == ("DRP-25-014", "EX-003", AlertKind.ESCALATION)
    assert row.raiser == "R. Singh (IRO)"
    first, second = row.stages
    assert first.stage == 1 and first.deadline is not None
    assert (first.deadline.due, first.deadline.status, first.deadline.late_by) == (
        date(2025, 7, 8),
        Status.OVERDUE,
        1,
    )
    assert first.state == "overdue 1 WD"
    assert "escalated on 09/07/2025" in first.explanation
    assert second.stage == 2 and second.deadline is not None
    assert (second.deadline.due, second.deadline.status) == (date(2025, 7, 16), Status.MET)
    assert row.resolution is not None
    assert (row.resolution.due, row.resolution.status) == (date(2025, 7, 29), Status.MET)
    assert row.resolution_state == "met 15/07/2025"
    assert not row.is_open and row.status == "Resolved 15/07/2025"
    assert row.working_days == 10
    assert row.rag is Rag.GREEN
    assert row.next_step == ""


def test_open_escalation_mid_way(example_db: Database) -> None:
    [row] = build_escalation_register(example_db, date(2025, 7, 10)).rows
    assert row.is_open and row.status == "Open at stage 2 – service manager"
    assert row.current_clock is not None and row.current_clock.status is Status.PENDING
    assert row.current.state == "due in 4 WD"
    assert row.resolution is not None and row.resolution.status is Status.PENDING
    assert row.next_step == "Awaiting a response."
    assert row.working_days == 7


def _raise(db: Database, child_id: str, event_id: str, day: date, **fields: object) -> None:
    extra = fields.pop("extra", {})
    store.save_event(
        db,
        child_id,
        EventRecord(
            event_id, "drp_raised", day, {"raised_by": "P. Jones", "role": "cp_chair", **fields}, extra=extra
        ),  # type: ignore[arg-type]
    )


def test_good_practice_is_a_kind_of_its_own_with_no_clock(example_db: Database) -> None:
    _raise(example_db, "EX-001", "gp", date(2025, 8, 4), ref="DRP-25-050", stage=0, category="good_practice")
    rows = build_escalation_register(example_db, SEPTEMBER).rows
    good = next(r for r in rows if r.ref == "DRP-25-050")
    assert good.kind is AlertKind.GOOD_PRACTICE
    assert good.resolution is None and good.current.deadline is None and good.rag is None
    assert good.status == "Recorded, not yet acknowledged"
    assert good.next_step == ""
    counts = register_counts(rows)
    assert (counts.escalations, counts.good_practice, counts.open_escalations) == (1, 1, 0)
    # The register shows escalations by default; good practice on its own filter.
    assert [r.ref for r in filter_escalations(rows, EscalationFilter(open_only=False))] == ["DRP-25-014"]
    assert [r.ref for r in filter_escalations(rows, EscalationFilter(kind=AlertKind.GOOD_PRACTICE))] == [
        "DRP-25-050"
    ]
    assert len(filter_escalations(rows, EscalationFilter(open_only=False, kind=None))) == 2


def test_filters_by_stage_category_raiser_and_team(example_db: Database) -> None:
    _raise(example_db, "EX-001", "x1", date(2025, 8, 4), ref="DRP-25-051", stage=1, category="visits_overdue")
    rows = build_escalation_register(example_db, SEPTEMBER).rows
    every = EscalationFilter(open_only=False)

    def refs(**kw: object) -> list[str]:
        return [r.ref for r in filter_escalations(rows, EscalationFilter(open_only=False, **kw))]  # type: ignore[arg-type]

    assert refs() == ["DRP-25-051", "DRP-25-014"]  # newest raised first
    assert [r.ref for r in filter_escalations(rows, EscalationFilter())] == ["DRP-25-051"]  # open only
    assert refs(stage=2) == ["DRP-25-014"]
    assert refs(stage=1) == ["DRP-25-051"]
    assert refs(category="drift_and_delay") == ["DRP-25-014"]
    assert refs(raiser="P. Jones") == ["DRP-25-051"]
    assert refs(team="Children in Care") == ["DRP-25-014"]
    assert refs(team="Child Protection East") == ["DRP-25-051"]
    assert len(filter_escalations(rows, every)) == 2


def test_unsatisfactory_response_suggests_escalating(example_db: Database) -> None:
    _raise(example_db, "EX-001", "x1", date(2025, 8, 4), ref="DRP-25-051", stage=1, category="care_planning")
    store.save_event(
        example_db,
        "EX-001",
        EventRecord("x2", "drp_response", date(2025, 8, 6), {"ref": "DRP-25-051", "satisfactory": False}),
    )
    row = next(r for r in build_escalation_register(example_db, SEPTEMBER).rows if r.ref == "DRP-25-051")
    assert row.current.deadline is not None and row.current.deadline.status is Status.MET
    assert row.next_step.startswith("The response was not satisfactory")


def test_wanted_and_by_when_are_kept_through_the_journey_file(example_db: Database) -> None:
    _raise(
        example_db,
        "EX-001",
        "x1",
        date(2025, 8, 4),
        ref="DRP-25-052",
        stage=1,
        category="visits_overdue",
        extra={"wanted": "Visit within 5 days", "wanted_by": "2025-08-11"},
    )
    row = next(r for r in build_escalation_register(example_db, SEPTEMBER).rows if r.ref == "DRP-25-052")
    assert (row.wanted, row.wanted_by) == ("Visit within 5 days", date(2025, 8, 11))
    data = export_journey(example_db)
    raised = next(
        e
        for c in data["children"]
        for e in c["events"]
        if e.get("ref") == "DRP-25-052" and e["type"] == "drp_raised"
    )
    assert (raised["wanted"], raised["wanted_by"]) == ("Visit within 5 days", "2025-08-11")
    # Importing the export back changes nothing (the extra keys are part of the event).
    result = import_journey(example_db, data)
    assert not result.changed


def test_next_reference_follows_the_highest_of_the_year(example_db: Database) -> None:
    assert next_ref(example_db, date(2025, 9, 1)) == "DRP-25-015"
    assert next_ref(example_db, date(2026, 1, 5)) == "DRP-26-001"
    _raise(example_db, "EX-001", "x9", date(2025, 8, 4), ref="DRP-25-0099", stage=0, category="care_planning")
    assert next_ref(example_db, date(2025, 9, 1)) == "DRP-25-0100"


def test_category_words() -> None:
    assert category_label("drift_and_delay") == "Drift and delay"
    assert category_label("good_practice") == "Good practice"
    assert category_code("  Sibling   contact ") == "sibling_contact"
    assert "good_practice" not in DEFAULT_DRP_CATEGORIES
    assert DEFAULT_DRP_CATEGORIES == (
        "drift_and_delay",
        "care_planning",
        "permanence_plan_not_in_place",
        "visits_overdue",
        "reviews_out_of_timescale",
        "plan_not_progressing",
        "no_allocated_worker",
    )


def test_the_category_list_is_configurable_and_checked(db: Database) -> None:
    assert load_settings(db).drp_categories == DEFAULT_DRP_CATEGORIES
    save_settings(db, Settings(drp_categories=("drift_and_delay", "sibling_contact")))
    assert load_settings(db).drp_categories == ("drift_and_delay", "sibling_contact")
    for wrong, reason in (
        ((), "cannot be empty"),
        (("a", "a"), "listed twice"),
        (("a", "good_practice"), "alert of its own"),
        (("a", " "), "cannot be blank"),
    ):
        with pytest.raises(ValidationError, match=reason):
            save_settings(db, Settings(drp_categories=wrong))
    assert load_settings(db).drp_categories == ("drift_and_delay", "sibling_contact")
