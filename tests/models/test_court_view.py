"""The court page's rows (Qt-free): the shared example's proceedings, sibling groups, issue, concluded."""

from __future__ import annotations

from datetime import date

import pytest

from models.domain.records import ChildRecord, EventRecord
from models.domain.rules import Rag, Status
from models.screens.court_view import (
    COURT_EVENT_TYPES,
    build_court_view,
    court_view,
    summarise_concluded,
    urgency_order,
)
from models.screens.facts import Caseload, load_caseload_with
from models.storage import store
from models.storage.db import Database

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server

SEPTEMBER = date(2025, 9, 1)
MARCH = date(2025, 3, 3)


def test_ex002_at_september_week_31_and_the_extended_end(example_db: Database) -> None:
    view = build_court_view(example_db, SEPTEMBER)
    assert [r.child_id for r in view.open] == ["EX-002"]
    row = view.open[0]
    assert (row.case_number, row.court, row.issued) == ("XY25C00012", "Telford", date(2025, 2, 3))
    assert row.week == 31
    assert row.statutory_end == date(2025, 8, 3)  # issue + 181 days
    assert row.end == date(2025, 9, 26)  # the extension's new end
    assert row.end_week == 34
    assert row.days_left == 25 and row.weeks_left == 3.6
    [band] = row.extensions
    assert (band.granted, band.previous_end, band.until) == (
        date(2025, 7, 28),
        date(2025, 8, 3),
        date(2025, 9, 26),
    )
    assert band.reason == "timetable_for_child" and band.reason_short == "TfC"
    assert band.added_days == 54 and band.added_weeks == 7.7
    # RAG and status come from the engine's court.final_26w deadline.
    assert row.deadline is not None and row.deadline.rule == "court.final_26w"
    assert row.deadline.due == row.end
    assert (row.deadline.status, row.rag) == (Status.DUE_SOON, Rag.AMBER)
    assert row.state == "due in 25 days"
    assert "extended on 28/07/2025" in row.explanation
    [hearing] = row.hearings
    assert (hearing.date, hearing.kind, hearing.listed, hearing.week) == (date(2025, 2, 14), "cmh", False, 2)
    assert row.ruler_weeks == 36  # to two weeks past the end
    assert row.sibling_group == "F-EX2"


def test_ex002_at_march_week_5_and_the_26_week_end(example_db: Database) -> None:
    row = build_court_view(example_db, MARCH).open[0]
    assert row.week == 5
    assert row.end == date(2025, 8, 3)
    assert row.extensions == ()  # granted after the as-of date: not yet seen
    assert (row.deadline and row.deadline.status, row.rag) == (Status.PENDING, Rag.GREEN)
    assert row.ruler_weeks == 28


def test_only_children_in_court_are_read(example_db: Database) -> None:
    caseload = load_caseload_with(example_db, SEPTEMBER, COURT_EVENT_TYPES)
    assert [c.id for c in caseload.children] == ["EX-002"]


def test_listed_hearing_after_the_as_of_date(example_db: Database) -> None:
    store.save_event(example_db, "EX-002", EventRecord("h2", "hearing", date(2025, 9, 15), {"kind": "irh"}))
    row = build_court_view(example_db, SEPTEMBER).open[0]
    assert row.next_hearing is not None and row.next_hearing.kind == "irh" and row.next_hearing.listed
    assert row.last_hearing is not None and row.last_hearing.kind == "cmh"


def test_pending_issue_in_working_days_against_the_standard(example_db: Database) -> None:
    # Decision 20/01/2025, documents to legal 24/01/2025, issued 03/02/2025.
    view = build_court_view(example_db, date(2025, 1, 29))
    assert view.open == ()
    [pending] = view.pending
    assert (pending.decision, pending.documents) == (date(2025, 1, 20), date(2025, 1, 24))
    assert pending.decision_to_documents == 4
    assert pending.waiting == 7
    assert pending.standard == 10
    assert pending.due == date(2025, 2, 3)
    assert pending.deadline is not None and pending.deadline.status is Status.DUE_SOON
    assert pending.state == "due in 3 WD"


def test_concluded_with_duration_in_weeks(example_db: Database) -> None:
    store.save_event(
        example_db, "EX-002", EventRecord("fo", "final_order", date(2025, 10, 1), {"order": "care_order"})
    )
    view = build_court_view(example_db, date(2025, 10, 31))
    assert view.open == ()
    [done] = view.concluded_between(date(2025, 10, 1), date(2025, 10, 31))
    assert done.duration_weeks == 34.3
    assert done.proceedings.within_26_weeks is False and done.proceedings.within_end is False
    assert view.concluded_between(date(2025, 11, 1), date(2025, 11, 30)) == []
    summary = summarise_concluded([done])
    assert (summary.count, summary.within_26, summary.within_end, summary.mean_weeks) == (1, 0, 0, 34.3)


def _in_court(child_id: str, issued: date, group: str | None) -> ChildRecord:
    fields = {"given_name": child_id.title(), "sibling_group": group} if group else {"given_name": child_id}
    events = [EventRecord(f"{child_id}-1", "proceedings_issued", issued, {"case_number": f"C-{child_id}"})]
    return ChildRecord(child_id, fields).with_events(events)


def test_sibling_groups_together_ordered_by_their_most_urgent_child() -> None:
    as_of = date(2025, 9, 1)
    children = [
        _in_court("a", date(2025, 6, 1), "G1"),  # ends 29/11/2025
        _in_court("b", date(2025, 3, 10), "G1"),  # ends 07/09/2025: the most urgent of all
        _in_court("c", date(2025, 5, 1), None),  # ends 29/10/2025
        _in_court("d", date(2025, 4, 1), "G2"),  # ends 29/09/2025
        _in_court("e", date(2025, 7, 1), "G2"),  # ends 29/12/2025
    ]
    view = court_view(Caseload.build(children, as_of))
    assert [r.child_id for r in view.open] == ["b", "a", "d", "e", "c"]
    # Each child keeps its own clock.
    ends = {r.child_id: r.end for r in view.open}
    assert ends["a"] != ends["b"]


def test_merged_replaces_one_child() -> None:
    as_of = date(2025, 9, 1)
    before = court_view(
        Caseload.build(
            [_in_court("a", date(2025, 6, 1), None), _in_court("b", date(2025, 5, 1), None)], as_of
        )
    )
    assert [r.child_id for r in before.open] == ["b", "a"]
    extended = _in_court("a", date(2025, 3, 3), None)  # now ends first
    after = before.merged(court_view(Caseload.build([extended], as_of)), ["a"])
    assert [r.child_id for r in after.open] == ["a", "b"]
    gone = before.merged(court_view(Caseload.build([], as_of)), ["a"])
    assert [r.child_id for r in gone.open] == ["b"]
    assert urgency_order([]) == []
