"""The weekly permanence forum: its event type, the agenda's five groups on a caseload worked out by
hand (forum on Wednesday 1 October 2025), the minutes, M13, the printed agenda, and the schema step
that adds the event's fields to a version-1 file."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from models.cli import main
from models.domain.period import Period
from models.domain.records import ChildRecord, EventRecord, parse_child
from models.io.demo import FORMAT, VERSION
from models.io.journey_io import export_file, import_journey
from models.screens.facts import Caseload
from models.screens.forum import forum_agenda
from models.screens.measures import compute_measures
from models.storage.db import SCHEMA_VERSION, Database, open_database, schema_version
from models.storage.store import get_child, save_event

DAY = date(2025, 10, 1)


def child(child_id: str, *events: tuple[str, str, dict[str, Any]], **fields: Any) -> ChildRecord:
    raw = {
        "id": child_id,
        "given_name": child_id.title(),
        "social_worker": "S. Worker",
        "reviewing_officer": "P. Jones",
        **fields,
        "events": [
            {"id": f"{child_id}-{i}", "type": t, "date": d, **f} for i, (t, d, f) in enumerate(events)
        ],
    }
    record, issues = parse_child(raw)
    assert record is not None, issues
    return record


def e(event_type: str, day: str, **fields: Any) -> tuple[str, str, dict[str, Any]]:
    return (event_type, day, fields)


CHILDREN = [
    # First review 28/07, second due 28/10 (in 27 days), no plan: on the agenda.
    child("a", e("became_looked_after", "2025-06-30"), e("cla_review", "2025-07-28")),
    # Second review due 31/10 but a plan is in place: not on the agenda.
    child(
        "b",
        e("became_looked_after", "2025-07-02"),
        e("cla_review", "2025-07-31"),
        e("permanence_plan", "2025-09-01", plan="sgo"),
    ),
    # Second review due 05/11 (35 days off): not yet.
    child("c", e("became_looked_after", "2025-07-07"), e("cla_review", "2025-08-05")),
    # Second review was due 02/09, no plan: still on the agenda (overdue), not dropped after the month.
    child("d", e("became_looked_after", "2025-05-06"), e("cla_review", "2025-06-02")),
    # Letter 09/07: 1 October is day 85, week 13. Letter 20/08: week 7 (not yet).
    child("p", e("letter_before_proceedings", "2025-07-09")),
    child("q", e("letter_before_proceedings", "2025-08-20")),
    # Issued 12/05: week 21. Issued 01/09: week 5. Issued 03/03 (end 31/08): past its end.
    child("r", e("proceedings_issued", "2025-05-12", case_number="R1")),
    child("s", e("proceedings_issued", "2025-09-01", case_number="S1")),
    child("t", e("proceedings_issued", "2025-03-03", case_number="T1")),
    # An escalation at stage 2 (on), one at stage 1 (off), a stage-2 one resolved (off).
    child(
        "u",
        e("drp_raised", "2025-09-01", ref="U1", stage=1),
        e("drp_escalated", "2025-09-10", ref="U1", stage=2),
    ),
    child("v", e("drp_raised", "2025-09-01", ref="V1", stage=1)),
    child(
        "w",
        e("drp_raised", "2025-08-01", ref="W1", stage=2),
        e("drp_resolved", "2025-09-01", ref="W1"),
    ),
    # CP plan from 01/07/2024: 15 months on 01/10/2025 (on). From 02/07/2024: not yet.
    child("x", e("icpc", "2024-07-01", outcome="plan")),
    child("y", e("icpc", "2024-07-02", outcome="plan")),
]


@pytest.fixture(scope="module")
def caseload() -> Caseload:
    return Caseload.build(CHILDREN, DAY)


def test_the_agenda_has_the_five_groups(caseload: Caseload) -> None:
    agenda = forum_agenda(caseload)
    assert [i.child_id for i in agenda.group("permanence")] == ["a", "d"]  # coming up, then past
    assert "in 27 days" in agenda.group("permanence")[0].reason
    assert "overdue" in agenda.group("permanence")[1].reason
    assert [i.child_id for i in agenda.group("plo")] == ["p"]
    assert "week 13 of 16" in agenda.group("plo")[0].reason
    assert [i.child_id for i in agenda.group("court")] == ["t", "r"]
    assert "31 days past its end 31/08/2025" in agenda.group("court")[0].reason
    assert "week 21" in agenda.group("court")[1].reason
    assert [i.child_id for i in agenda.group("drp")] == ["u"]
    assert [i.child_id for i in agenda.group("cp")] == ["x"]
    assert "open 15 months" in agenda.group("cp")[0].reason
    assert agenda.group("cp")[0].social_worker == "S. Worker"
    assert agenda.minutes == ()


def test_the_forum_is_recorded_as_an_event_and_counted_by_m13(db: Database, tmp_path: Path) -> None:
    first = child("a", e("became_looked_after", "2025-06-30"), e("cla_review", "2025-07-28"))
    import_journey(db, _journey(first))
    forum = EventRecord(
        "a-forum",
        "permanence_forum",
        DAY,
        {
            "outcome": "Long-term fostering agreed.",
            "actions": "SW to write the report.",
            "next_review": date(2025, 10, 29),
        },
    )
    save_event(db, "a", forum)
    saved = get_child(db, "a")
    assert saved is not None
    again = next(x for x in saved.events if x.id == "a-forum")
    assert again.fields == forum.fields
    out = tmp_path / "j.json"
    export_file(db, out)
    exported = json.loads(out.read_text())["children"][0]["events"]
    assert {
        "type": "permanence_forum",
        "next_review": "2025-10-29",
        "actions": "SW to write the report.",
    }.items() <= next(x for x in exported if x["type"] == "permanence_forum").items()
    # The second review, held 28/10: the forum of 01/10 came before it (M13).
    held = EventRecord("a-r2", "cla_review", date(2025, 10, 28), {})
    save_event(db, "a", held)
    child_now = get_child(db, "a")
    assert child_now is not None
    m = compute_measures(Caseload.build([child_now], date(2025, 11, 3)), Period(2025, 10))
    assert (m.m13.numerator, m.m13.denominator) == (1, 1)
    # The minutes of the day, and the printed agenda and minutes.
    agenda = forum_agenda(Caseload.build([child_now], DAY))
    assert [(x.child_id, x.outcome, x.next_review) for x in agenda.minutes] == [
        ("a", "Long-term fostering agreed.", date(2025, 10, 29))
    ]
    assert db.path is not None
    assert main(["--db", str(db.path), "report", "forum", "--date", "2025-10-01", "-o", str(tmp_path)]) == 0
    pdf = (tmp_path / "permanence-forum-2025-10-01.pdf").read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Permanence forum: 01/10/2025" in text and "Minutes of the forum on 01/10/2025" in text
    assert "Long-term fostering agreed." in text and "29/10/2025" in text
    assert "Within 4 weeks of the second review, no permanence plan (1)" in text
    assert main(["--db", str(db.path), "report", "board", "--date", "2025-10-01"]) == 1


def _journey(record: ChildRecord) -> dict[str, Any]:
    raw = {
        "id": record.id,
        "given_name": record.fields.get("given_name"),
        "events": [
            {"id": x.id, "type": x.type, "date": x.date.isoformat(), **x.fields} for x in record.events
        ],
    }
    return {"format": FORMAT, "version": VERSION, "children": [raw]}


def test_a_version_1_file_gains_the_forum_fields(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = open_database(path)
    db.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE event DROP COLUMN actions")
        conn.execute("ALTER TABLE event DROP COLUMN next_review")
        conn.execute("PRAGMA user_version=1")
        conn.execute("DROP TABLE alembic_version")  # a file from before Alembic
    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION  # every later step runs too
        assert list(tmp_path.glob("old.pre-v2.*.bak"))
        import_journey(db, _journey(child("a", e("became_looked_after", "2025-07-01"))))
        save_event(
            db, "a", EventRecord("f", "permanence_forum", DAY, {"actions": "Review.", "next_review": DAY})
        )
        saved = get_child(db, "a")
        assert saved is not None and saved.events[-1].fields == {"actions": "Review.", "next_review": DAY}
    finally:
        db.engine.dispose()
