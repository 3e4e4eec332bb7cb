"""Journey files: every validation of journey-format.md, all-or-nothing, idempotence, round-trip."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models.domain.records import parse_event
from models.io.journey_io import ImportError_, export_journey, import_file, import_journey, read_journey_file
from models.storage.db import Database, open_database
from models.storage.store import get_child
from models.storage.tables import AuditRow, Child, EventRow

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server


def journey(*children: dict[str, Any]) -> dict[str, Any]:
    return {"format": "journey", "version": 1, "children": list(children)}


def child(cid: str = "C-1", events: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    return {"id": cid, "date_of_birth": "2015-05-05", **fields, "events": events or []}


def count(db: Database, table: Any) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def reasons(exc: pytest.ExceptionInfo[ImportError_]) -> list[str]:
    return [str(i) for i in exc.value.issues]


def test_example_imports_and_exports_round_trip(db: Database, examples: Path, tmp_path: Path) -> None:
    result = import_file(db, examples / "journey.json")
    assert (result.children_added, result.events_added) == (3, 30)
    first = export_journey(db)
    other = open_database(tmp_path / "other.sqlite")
    import_journey(other, copy.deepcopy(first))
    assert export_journey(other) == first
    original = json.loads((examples / "journey.json").read_text())
    assert [c["id"] for c in first["children"]] == [c["id"] for c in original["children"]]
    # Every event of the file comes back with the same fields.
    for got, want in zip(first["children"], original["children"], strict=True):
        assert sorted(map(json.dumps, got["events"])) == sorted(map(json.dumps, want["events"]))


def test_importing_the_same_file_twice_changes_nothing(db: Database, examples: Path) -> None:
    import_file(db, examples / "journey.json")
    before = export_journey(db)
    again = import_file(db, examples / "journey.json")
    assert not again.changed
    assert again.children_unchanged == 3
    assert export_journey(db) == before
    assert count(db, EventRow) == 30


def test_reimport_updates_an_event_by_id_instead_of_duplicating(db: Database) -> None:
    events = [{"id": "a", "type": "became_looked_after", "date": "2025-01-06", "legal_status": "C1"}]
    import_journey(db, journey(child(events=events)))
    events[0]["legal_status"] = "C2"
    events.append({"id": "b", "type": "cla_visit", "date": "2025-01-08"})
    result = import_journey(db, journey(child(events=events)))
    assert (result.events_added, result.events_updated, result.children_updated) == (1, 1, 1)
    record = get_child(db, "C-1")
    assert record is not None
    assert [e.id for e in record.events] == ["a", "b"]
    assert record.events[0].fields["legal_status"] == "C2"
    with db.engine.connect() as conn:
        actions = [r[0] for r in conn.execute(select(AuditRow.action).order_by(AuditRow.id))]  # type: ignore[arg-type]
    assert "import-update" in actions


def test_events_without_ids_get_stable_ids(db: Database) -> None:
    data = journey(child(events=[{"type": "cp_visit", "date": "2025-01-08", "seen_alone": True}]))
    import_journey(db, copy.deepcopy(data))
    import_journey(db, copy.deepcopy(data))
    assert count(db, EventRow) == 1


def test_unknown_keys_are_kept(db: Database) -> None:
    data = journey(
        child(
            upn="X123", events=[{"id": "a", "type": "cla_review", "date": "2025-02-01", "venue": "Town Hall"}]
        )
    )
    import_journey(db, data)
    out = export_journey(db)["children"][0]
    assert out["upn"] == "X123"
    assert out["events"][0]["venue"] == "Town Hall"


@pytest.mark.parametrize(
    ("bad_child", "expected"),
    [
        (child(date_of_birth="2015-02-30"), "field 'date_of_birth': '2015-02-30' is not a real date"),
        (
            child(events=[{"id": "x", "type": "cla_visit", "date": "2025-13-01"}]),
            "event x (#1), field 'date'",
        ),
        (child(events=[{"id": "x", "type": "cla_visit"}]), "date is required"),
        (
            child(
                events=[{"id": "x", "type": "drp_raised", "date": "2025-01-01", "ref": "D\x1f1", "stage": 1}]
            ),
            "field 'ref': contains control characters",
        ),
        (
            child(events=[{"id": "x", "type": "cla_visit", "date": "1899-01-01"}]),
            "outside the years the tracker counts (1990 to 2070)",
        ),
        (
            child(events=[{"id": "x", "type": "tea_party", "date": "2025-01-01"}]),
            "unknown event type 'tea_party'",
        ),
        (
            child(events=[{"id": "x", "type": "icpc", "date": "2025-01-01", "outcome": "maybe"}]),
            "field 'outcome': 'maybe' is not one of: plan, no_plan",
        ),
        (child(gender="robot"), "field 'gender'"),
        (
            child(events=[{"id": "x", "type": "cla_visit", "date": "2014-01-01"}]),
            "before the child's date of birth 05/05/2015",
        ),
        (
            child(events=[{"id": "x", "type": "final_order", "date": "2025-01-01", "order": "care_order"}]),
            "a final order needs proceedings issued on or before it",
        ),
        (
            child(
                events=[
                    {"id": "i", "type": "proceedings_issued", "date": "2025-03-03"},
                    {"id": "x", "type": "extension", "date": "2025-08-01", "until": "2025-10-27"},
                ]
            ),
            "more than 8 weeks (56 days) after the later of the current end 31/08/2025",
        ),
        (
            child(events=[{"id": "x", "type": "drp_response", "date": "2025-01-01", "ref": "D-1"}]),
            "escalation D-1 was never raised",
        ),
        (
            child(
                events=[
                    {"id": "a", "type": "icpc", "date": "2025-01-01", "outcome": "plan"},
                    {"id": "b", "type": "icpc", "date": "2025-01-01", "outcome": "no_plan"},
                ]
            ),
            "conference events on 01/01/2025 disagree on outcome: plan in one, no plan in this one",
        ),
        (
            child(
                events=[{"id": "x", "type": "pre_proceedings_extended", "date": "2025-01-01", "weeks": 17}]
            ),
            "field 'weeks': must be at most 16",
        ),
        (
            child(events=[{"id": "x", "type": "strategy_discussion", "date": "2025-01-01", "s47": "yes"}]),
            "s47",
        ),
        (
            child(events=[{"id": "x", "type": "drp_raised", "date": "2025-01-01", "stage": 1}]),
            "ref is required for drp_raised",
        ),
    ],
)
def test_each_validation_names_child_event_field_and_reason(
    db: Database, bad_child: dict[str, Any], expected: str
) -> None:
    good = child("C-0", events=[{"id": "g", "type": "cla_review", "date": "2025-01-01"}])
    with pytest.raises(ImportError_) as exc:
        import_journey(db, journey(good, bad_child))
    assert any(expected in r for r in reasons(exc)), reasons(exc)
    assert any(r.startswith("child C-1 (#2)") for r in reasons(exc)), reasons(exc)
    # All or nothing: the good child was not written either.
    assert count(db, Child) == 0
    assert count(db, EventRow) == 0


def test_an_extension_within_eight_weeks_is_accepted(db: Database) -> None:
    events = [
        {"id": "i", "type": "proceedings_issued", "date": "2025-03-03"},
        {
            "id": "x",
            "type": "extension",
            "date": "2025-08-01",
            "until": "2025-10-26",
            "reason": "timetable_for_child",
        },
    ]
    import_journey(db, journey(child(events=events)))
    assert count(db, EventRow) == 2


def test_pre_birth_cp_events_are_allowed_before_the_expected_date_of_birth(db: Database) -> None:
    unborn = {
        "id": "U-1",
        "expected_date_of_birth": "2025-06-01",
        "events": [
            {"id": "a", "type": "strategy_discussion", "date": "2025-03-03", "s47": True},
            {"id": "b", "type": "icpc", "date": "2025-03-20", "outcome": "plan"},
        ],
    }
    import_journey(db, journey(unborn))
    assert count(db, EventRow) == 2
    looked_after = copy.deepcopy(unborn)
    looked_after["events"].append({"id": "c", "type": "became_looked_after", "date": "2025-04-01"})
    with pytest.raises(ImportError_) as exc:
        import_journey(db, journey(looked_after))
    assert any("only child protection events can come before birth" in r for r in reasons(exc))


def test_duplicate_child_ids_are_refused(db: Database) -> None:
    with pytest.raises(ImportError_) as exc:
        import_journey(db, journey(child("C-1"), child("C-1")))
    assert sum("appears more than once" in r for r in reasons(exc)) == 2


def test_valid_only_imports_the_valid_children(db: Database) -> None:
    bad = child("C-2", events=[{"id": "x", "type": "cla_visit", "date": "not a date"}])
    result = import_journey(db, journey(child("C-1"), bad), valid_only=True)
    assert result.children_added == 1
    assert result.skipped_children == ["C-2"]
    assert count(db, Child) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not valid JSON at line 1, column 2"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"format": "csv", "version": 1, "children": []}', "format is 'csv'"),
        (b'{"format": "journey", "version": 9, "children": []}', "Unsupported journey file version 9"),
        (b'{"format": "journey", "version": 1}', "needs a list of children"),
    ],
)
def test_malformed_files_get_a_clear_message(
    db: Database, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ImportError_, match=expected):
        import_file(db, path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="no such file"):
        read_journey_file(tmp_path / "missing.json")


def test_every_problem_of_one_event_is_located_exactly() -> None:
    raw = {"id": "e9", "type": "icpc", "date": "2025-01-01", "outcome": "maybe", "note": 5}
    record, issues = parse_event(raw, "C-7", 3, 4)
    assert record is None
    assert [(i.child_id, i.event_id, i.field, i.child_index, i.event_index) for i in issues] == [
        ("C-7", "e9", "note", 3, 4),
        ("C-7", "e9", "outcome", 3, 4),
    ]
    _, issues = parse_event({"id": " ", "type": "cla_visit", "date": "2025-01-01"}, "C-7", 3, 4)
    assert [(i.event_id, i.field, i.event_index) for i in issues] == [(None, "id", 4)]


def test_an_event_without_an_id_keeps_its_unknown_keys() -> None:
    record, issues = parse_event({"type": "cla_visit", "date": "2025-01-01", "venue": "school"}, "C-7")
    assert not issues and record is not None
    assert dict(record.extra) == {"venue": "school"}
    assert record.id.startswith("auto-")


def test_the_audit_names_the_file_and_the_sha256_of_its_bytes(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(journey(child("C-1")), indent=1), encoding="utf-8")
    import_file(db, path)
    with db.engine.connect() as conn:
        (after,) = conn.execute(select(AuditRow.after).where(AuditRow.action == "import")).scalars()  # type: ignore[arg-type]
    recorded = json.loads(after)
    assert recorded["source"] == str(path)
    assert recorded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only
def test_an_import_enlarges_the_page_cache_only_while_it_writes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.io import journey_io

    with db.engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        connection = conn.connection.dbapi_connection
    seen: list[tuple[object, object]] = []
    write = journey_io._write

    def spy(conn: Any, *args: Any) -> None:
        seen.append((conn.connection.dbapi_connection, conn.exec_driver_sql("PRAGMA cache_size").scalar()))
        write(conn, *args)

    monkeypatch.setattr(journey_io, "_write", spy)
    import_journey(db, journey(child("C-1")))
    assert seen == [(connection, -journey_io.IMPORT_CACHE_KIB)]  # the same pooled connection
    with db.engine.connect() as conn:
        assert conn.connection.dbapi_connection is connection
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
