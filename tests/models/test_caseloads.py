"""Caseloads per social worker, reviewing officer and team over 12 months, against the standards
in Settings, on children worked out by hand (as of 15/10/2025)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from pypdf import PdfReader

from models.domain.records import ChildRecord, parse_child
from models.reports.registry import make_request, render
from models.screens.caseloads import NOT_ALLOCATED, caseloads
from models.screens.facts import Caseload
from models.storage.settings import Settings

AS_OF = date(2025, 10, 15)


def child(
    child_id: str, worker: str | None, officer: str | None, *events: tuple[str, str, dict[str, Any]]
) -> ChildRecord:
    raw: dict[str, Any] = {
        "id": child_id,
        "team": "North" if worker else None,
        "events": [
            {"id": f"{child_id}-{i}", "type": t, "date": d, **f} for i, (t, d, f) in enumerate(events)
        ],
    }
    if worker:
        raw["social_worker"] = worker
    if officer:
        raw["reviewing_officer"] = officer
    record, issues = parse_child(raw)
    assert record is not None, issues
    return record


CHILDREN = [
    # Looked after from 10/03/2025: on A. Smith's and P. Jones's caseloads from the March month-end.
    child("a", "A. Smith", "P. Jones", ("became_looked_after", "2025-03-10", {})),
    # A CP plan from 01/09/2025: A. Smith and P. Jones from the September month-end.
    child("b", "A. Smith", "P. Jones", ("icpc", "2025-09-01", {"outcome": "plan"})),
    # Pre-proceedings from 02/06 to 20/08: A. Smith's (not an IRO's) at the end of June and July.
    child(
        "c",
        "A. Smith",
        "P. Jones",
        ("letter_before_proceedings", "2025-06-02", {}),
        ("pre_proceedings_ended", "2025-08-20", {"outcome": "step_down"}),
    ),
    # Care proceedings from 01/10/2025, no social worker recorded.
    child("d", None, None, ("proceedings_issued", "2025-10-01", {})),
]


def test_caseloads_month_by_month() -> None:
    settings = Settings(worker_caseload=(1, 1), iro_caseload=(1, 3))
    data = caseloads(Caseload.build(CHILDREN, AS_OF, settings))
    assert data.months[0].key == "2024-11" and data.days[-1] == AS_OF
    smith = next(r for r in data.workers if r.name == "A. Smith")
    #                      Nov Dec Jan Feb Mar Apr May Jun Jul Aug Sep Oct
    assert smith.counts == (0, 0, 0, 0, 1, 1, 1, 2, 2, 1, 2, 2)
    jones = next(r for r in data.officers if r.name == "P. Jones")
    assert jones.counts == (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2)
    assert smith.over and smith.judgement == (
        "A. Smith has 2 children, 1 above the standard of 1 to 1 for a social worker."
    )
    assert not jones.over and jones.judgement == "2 children, within the standard of 1 to 3."
    unallocated = next(r for r in data.workers if r.name == NOT_ALLOCATED)
    assert unallocated.now == 1 and not unallocated.over
    assert [r.name for r in data.flagged] == ["A. Smith"]
    assert [(r.name, r.now) for r in data.teams] == [("North", 2), (NOT_ALLOCATED, 1)]


def test_the_printed_caseloads_say_who_is_above_the_standard_in_words() -> None:
    caseload = Caseload.build(CHILDREN, AS_OF, Settings(worker_caseload=(1, 1)))
    pdf = render(caseload, make_request("caseloads", AS_OF))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Above the standard: 1 person" in text
    assert "A. Smith has 2 children, 1 above the standard of 1 to 1 for a social worker." in text
    assert "ABOVE STANDARD:" in text and "Reviewing officers" in text and "Teams" in text
