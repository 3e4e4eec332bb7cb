"""Deadlines and listed hearings as an iCalendar file for Outlook: one person's children only,
upcoming open deadlines and hearings already listed, read back with the icalendar library."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from models.cli import main
from models.domain.rules import RULES
from models.io.demo import FORMAT, VERSION
from models.io.journey_io import import_journey
from models.storage.db import Database

AS_OF = date(2025, 10, 1)


def _child(child_id: str, worker: str, *events: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": child_id,
        "social_worker": worker,
        "reviewing_officer": "P. Jones",
        "events": [
            {"id": f"{child_id}-{i}", "type": t, "date": d, **f} for i, (t, d, f) in enumerate(events)
        ],
    }


def test_one_workers_calendar(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import_journey(
        db,
        {
            "format": FORMAT,
            "version": VERSION,
            "children": [
                # Looked after 15/09: first visit due 22/09 (overdue, so not upcoming), first review
                # due 20 WD later (13/10), permanence plan due by then + 3 months.
                _child("A-1", "S. Worker", ("became_looked_after", "2025-09-15", {})),
                # Proceedings issued 01/09 with a hearing listed for 20/10: the final order is due
                # 01/03/2026, beyond 12 weeks.
                _child(
                    "A-2",
                    "S. Worker",
                    ("proceedings_issued", "2025-09-01", {"case_number": "ZZ25C00001", "court": "Leeds"}),
                    ("hearing", "2025-10-20", {"kind": "cmh"}),
                ),
                _child("B-1", "Somebody Else", ("became_looked_after", "2025-09-15", {})),
            ],
        },
    )
    assert db.path is not None
    out = tmp_path / "worker.ics"
    args = [
        "--db",
        str(db.path),
        "calendar",
        str(out),
        "--worker",
        "S. Worker",
        "--as-of",
        "2025-10-01",
        "--weeks",
        "12",
    ]
    assert main(args) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    cal = Calendar.from_ical(out.read_bytes())
    events = [(e.decoded("dtstart"), str(e["summary"])) for e in cal.walk("VEVENT")]
    assert (date(2025, 10, 13), f"{RULES['cla.review_first_20wd'].title} due: A-1") in events
    assert (date(2025, 10, 20), "CMH listed: A-2 (ZZ25C00001)") in events
    assert all("B-1" not in s for _, s in events)
    assert all(date(2025, 10, 1) <= d <= date(2025, 12, 24) for d, _ in events)
    assert not any("visit" in s.lower() and d == date(2025, 9, 22) for d, s in events)
    first = cal.walk("VEVENT")[0]
    assert str(first["class"]) == "PRIVATE" and str(first["description"]).startswith("OFFICIAL-SENSITIVE.")
    uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert f"{len(events)} deadlines and hearings for S. Worker written to {out}." in capsys.readouterr().out
    with db.engine.connect() as conn:
        audited = conn.exec_driver_sql("SELECT after FROM audit WHERE entity = 'calendar'").scalars().all()
    assert len(audited) == 1 and '"events": ' in audited[0]
    # Again a day later: the same events keep their ids (Outlook updates rather than doubles them).
    assert main([*args[:-4], "--as-of", "2025-10-02", "--weeks", "12"]) == 0
    again = {str(e["uid"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert again == set(uids)
    assert main(["--db", str(db.path), "calendar", str(out), "--officer", "Nobody"]) == 1
    assert "No child has 'Nobody' recorded as their reviewing officer." in capsys.readouterr().err
