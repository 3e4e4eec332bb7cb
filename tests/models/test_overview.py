"""The register's and Today page's rows, checked against the shared examples' expected outputs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from models.domain.journey import Stage
from models.domain.rules import Rag, Status
from models.screens.overview import NONE, RegisterFilter, build_overview, filter_rows, is_open
from models.storage.db import Database
from models.storage.store import compute_deadlines

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server

MARCH = date(2025, 3, 3)
SEPTEMBER = date(2025, 9, 1)


@pytest.mark.parametrize("as_of", [MARCH, SEPTEMBER])
def test_attention_is_the_open_overdue_and_due_soon_deadlines(
    example_db: Database, examples: Path, as_of: date
) -> None:
    expected = json.loads((examples / f"expected-{as_of:%Y-%m-%d}.json").read_text())
    open_keys = {(d.child_id, d.rule, d.due) for d in compute_deadlines(example_db, as_of) if is_open(d)}
    wanted = {
        (e["child_id"], e["rule"], date.fromisoformat(e["due"]), e["status"], e["late_by"])
        for e in expected
        if e["status"] in ("overdue", "due_soon")
        and (e["child_id"], e["rule"], date.fromisoformat(e["due"])) in open_keys
    }
    overview = build_overview(example_db, as_of)
    got = {
        (a.child_id, a.rule, a.due, a.status.value, a.days if a.status is Status.OVERDUE else 0)
        for a in overview.attention
    }
    assert got == wanted


def test_closed_overdue_deadlines_are_not_work_for_today(example_db: Database) -> None:
    # EX-003's first DRP stage went unanswered until it was escalated: overdue, but closed.
    overview = build_overview(example_db, SEPTEMBER)
    assert not any(a.rule == "drp.stage_response" for a in overview.attention)
    assert [(a.child_id, a.rule, a.when) for a in overview.attention if a.child_id == "EX-003"] == [
        ("EX-003", "cla.visit", "54 days overdue")
    ]


def test_summaries(example_db: Database) -> None:
    march = {c.id: c for c in build_overview(example_db, MARCH).children}
    assert march["EX-001"].stages == (Stage.CP,)
    assert march["EX-001"].worst_rag is Rag.RED
    assert (march["EX-001"].next_due, march["EX-001"].next_rule) == (date(2025, 2, 24), "cp.visit")
    assert march["EX-002"].stages == (Stage.COURT, Stage.LOOKED_AFTER)
    assert march["EX-002"].worst_rag is Rag.GREEN
    assert march["EX-002"].age == 3
    assert march["EX-003"].stages == ()  # looked after only from April
    assert march["EX-003"].worst_rag is None
    september = {c.id: c for c in build_overview(example_db, SEPTEMBER).children}
    assert september["EX-002"].overdue == 3 and september["EX-002"].due_soon == 1
    assert september["EX-003"].stages == (Stage.LOOKED_AFTER,)


def test_due_soon_wording(example_db: Database) -> None:
    items = [a for a in build_overview(example_db, SEPTEMBER).attention if a.status is Status.DUE_SOON]
    assert [(a.rule, a.when) for a in items] == [("court.final_26w", "due in 25 days")]


def test_filter_rows(example_db: Database) -> None:
    rows = build_overview(example_db, SEPTEMBER).children

    def ids(flt: RegisterFilter) -> list[str]:
        return [r.id for r in filter_rows(rows, flt)]

    assert ids(RegisterFilter(text="  BEN ")) == ["EX-002"]
    assert ids(RegisterFilter(text="ex-00")) == ["EX-001", "EX-002", "EX-003"]
    assert ids(RegisterFilter(stage=Stage.LOOKED_AFTER)) == ["EX-002", "EX-003"]
    assert ids(RegisterFilter(team="Court Team")) == ["EX-002"]
    assert ids(RegisterFilter(reviewing_officer="P. Jones", rag=Rag.RED)) == ["EX-001", "EX-002"]
    march = build_overview(example_db, MARCH).children
    assert [r.id for r in filter_rows(march, RegisterFilter(rag=NONE))] == ["EX-003"]
    assert [r.id for r in filter_rows(march, RegisterFilter(stage=NONE))] == ["EX-003"]


def test_merged_replaces_and_drops_children(example_db: Database) -> None:
    full = build_overview(example_db, SEPTEMBER)
    partial = build_overview(example_db, SEPTEMBER, ["EX-002"])
    assert [c.id for c in partial.children] == ["EX-002"]
    assert full.merged(partial, ["EX-002"]) == full
    without = full.merged(build_overview(example_db, SEPTEMBER, ["EX-404"]), ["EX-001"])
    assert [c.id for c in without.children] == ["EX-002", "EX-003"]
    assert all(a.child_id != "EX-001" for a in without.attention)


def test_the_quick_listing_has_every_child_and_no_deadlines_yet(example_db: Database) -> None:
    from models.screens.overview import quick_overview
    from views.register_model import rag_text

    quick = quick_overview(example_db, date(2025, 9, 1))
    full = build_overview(example_db, date(2025, 9, 1))
    assert not quick.complete and full.complete
    assert [(c.id, c.name, c.age, c.team) for c in quick.children] == [
        (c.id, c.name, c.age, c.team) for c in full.children
    ]
    assert all(c.pending and c.worst_rag is None and not c.stages for c in quick.children)
    assert quick.attention == ()
    assert rag_text(quick.children[0]) == "Working out…"


def test_an_open_good_practice_alert_is_not_a_current_stage(db: Database) -> None:
    from models.io.journey_io import import_journey

    alert = {
        "id": "g",
        "type": "drp_raised",
        "date": "2025-07-01",
        "ref": "G-1",
        "stage": 0,
        "category": "good_practice",
    }
    challenge = {
        "id": "d",
        "type": "drp_raised",
        "date": "2025-07-01",
        "ref": "D-1",
        "stage": 1,
        "category": "drift_and_delay",
    }
    data = {
        "format": "journey",
        "version": 1,
        "children": [{"id": "A", "events": [alert]}, {"id": "B", "events": [challenge]}],
    }
    import_journey(db, data)
    rows = {c.id: c for c in build_overview(db, date(2025, 7, 2)).children}
    assert rows["A"].stages == ()
    assert rows["B"].stages == (Stage.DRP,)
