"""The reports as mended for issue 19: the permanence report looks ahead and counts by IRO, the PLO
report carries M10-M12, the IRO's sheet shows court clocks and a key, and the court timeline draws
the overrun past the end (as of 01/10/2025)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from pypdf import PdfReader

from models.domain.records import ChildRecord, parse_child
from models.reports.registry import make_request, render
from models.screens.facts import Caseload

AS_OF = date(2025, 10, 1)


def child(child_id: str, *events: tuple[str, str, dict[str, Any]]) -> ChildRecord:
    raw = {
        "id": child_id,
        "given_name": child_id.title(),
        "reviewing_officer": "P. Jones",
        "social_worker": "S. Worker",
        "events": [
            {"id": f"{child_id}-{i}", "type": t, "date": d, **f} for i, (t, d, f) in enumerate(events)
        ],
    }
    record, issues = parse_child(raw)
    assert record is not None, issues
    return record


CHILDREN = [
    # Second review due 28/10 with no plan (coming up); looked after and in proceedings since 03/03
    # (end 31/08: 31 days over at the as-of date).
    child(
        "ahead",
        ("became_looked_after", "2025-06-30", {}),
        ("cla_review", "2025-07-28", {}),
        ("proceedings_issued", "2025-03-03", {"case_number": "ZZ25C00002"}),
    ),
    # Second review due 02/09, passed, still no plan.
    child("passed", ("became_looked_after", "2025-05-06", {}), ("cla_review", "2025-06-02", {})),
    # Pre-proceedings ended in September after an FGC offered.
    child(
        "plo",
        ("letter_before_proceedings", "2025-05-01", {}),
        ("family_group_conference", "2025-05-10", {"stage": "offered"}),
        ("pre_proceedings_ended", "2025-09-10", {"outcome": "step_down"}),
        ("legal_planning_meeting", "2025-09-12", {"decision": "no_legal_action"}),
    ),
]


def _text(name: str, child_id: str | None = None) -> str:
    caseload = Caseload.build(CHILDREN, AS_OF)
    pdf = render(caseload, make_request(name, AS_OF, child_id=child_id))
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_permanence_report_looks_ahead_and_counts_by_officer() -> None:
    text = _text("permanence")
    assert "Coming up: second reviews due within 12 weeks with no permanence plan (1)" in text
    assert "due 28/10/2025, 27 days away" in text
    assert "Second review passed, still no permanence plan (1)" in text and "due 02/09/2025, passed" in text
    # P. Jones: one second review in September (without a plan), one coming up, one passed.
    assert "By reviewing officer" in text and "P. Jones 1 0 0.0% 1 1" in text


def test_the_plo_report_has_m10_to_m12() -> None:
    text = _text("plo")
    assert "Measures M10 to M12" in text
    assert "M10 Pre-proceedings ended with a family group conference offered 100.0%" in text
    assert "M12 Legal planning meetings held, by decision 1 held No legal action: 1" in text


def test_the_iros_sheet_has_court_clocks_and_a_key() -> None:
    text = _text("tracker")
    assert "Proceedings wk 31, end 31/08/2025" in text
    assert "Final order due 31/08/2025: overdue" in text
    assert "Key: ICPC initial child protection conference; RCPC review child protection conference" in text


def test_the_court_timeline_draws_the_overrun() -> None:
    assert "overrun 31 days" in _text("chronology", "ahead")


def test_siblings_in_one_case_share_a_court_row() -> None:
    extension = ("extension", "2025-08-20", {"until": "2025-10-15", "reason": "timetable_for_child"})
    siblings = [
        child(sib, ("proceedings_issued", "2025-04-07", {"case_number": "ZZ25C00009"}), extension)
        for sib in ("sib-1", "sib-2")
    ]
    caseload = Caseload.build(siblings, AS_OF)
    pdf = render(caseload, make_request("court", AS_OF))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "2 children in 1 case (siblings in one case share a row)" in text
    assert text.count("ZZ25C00009") == 1
    assert text.count("20/08/2025: to 15/10/2025, timetable for the child") == 1


def test_the_chronology_for_the_court() -> None:
    visits = [("cla_visit", f"2025-07-{d:02d}", {"seen_alone": d % 2 == 0}) for d in (3, 10, 17, 24)]
    record = child(
        "court",
        ("became_looked_after", "2025-07-01", {}),
        *visits,
        ("cla_visit", "2025-08-05", {}),
        ("proceedings_issued", "2025-07-02", {"case_number": "ZZ25C00003"}),
        ("drp_raised", "2025-08-01", {"ref": "D1", "stage": 1}),
    )
    caseload = Caseload.build([record], AS_OF)
    request = make_request("court-chronology", AS_OF, child_id="court")
    from dataclasses import replace

    request = replace(request, prepared_by="A. Lawyer", prepared_on=date(2025, 10, 2))
    pages = [
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(render(caseload, request))).pages
    ]
    text = " ".join(pages)
    assert "Chronology for the court: Court" in text
    assert "Prepared by A. Lawyer Prepared on 02/10/2025" in text
    assert (
        "07/2025 Looked-after visits: 4 On 03/07, 10/07, 17/07 and 24/07; seen alone at 2. case record"
        in text
    )
    assert "08/2025 Looked-after visit On 05/08. case record" in text
    # A month's visits stand at its first visit: after the proceedings issued on 02/07.
    assert text.index("Care proceedings issued") < text.index("07/2025 Looked-after visits: 4")
    assert "Escalation" not in text and "RAG" not in text and "Deadlines" not in text
    assert all("Events to 01/10/2025" in page and "Period:" not in page for page in pages)
    # The internal chronology summarises visits the same way and keeps the deadlines.
    internal = _text("chronology", "ahead")
    assert "Deadlines at 01/10/2025" in internal


def test_good_practice_alerts_by_officer_in_the_drp_report() -> None:
    def alert(ref: str, day: str, who: str) -> tuple[str, str, dict[str, Any]]:
        return ("drp_raised", day, {"ref": ref, "stage": 0, "category": "good_practice", "raised_by": who})

    records = [
        child("g1", alert("G1", "2025-09-02", "P. Jones"), alert("G2", "2025-09-09", "P. Jones")),
        child("g2", alert("G3", "2025-09-03", "R. Singh"), alert("G4", "2025-08-03", "R. Singh")),
    ]
    pdf = render(Caseload.build(records, AS_OF), make_request("drp", AS_OF))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert (
        "Good-practice alerts raised in September 2025, by officer Raised by Good-practice alerts P. Jones 2 R. Singh 1"
        in text
    )


def test_the_court_timeline_never_overprints_a_label() -> None:
    """Marks days apart near the extended end (the demo's care order beside two extensions and the
    final hearing) each get a row where no other label stands."""
    from reportlab.graphics.shapes import String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from models.reports.charts import Mark, court_timeline

    issued, end = date(2025, 2, 24), date(2026, 3, 14)
    marks = [
        Mark(date(2025, 11, 28), "Extension granted 28/11", "extension"),
        Mark(date(2025, 12, 30), "Extension granted 30/12", "extension"),
        Mark(date(2026, 1, 2), "IRH 02/01", "hearing"),
        Mark(date(2026, 1, 27), "Extension granted 27/01", "extension"),
        Mark(date(2026, 2, 24), "Final hearing 24/02", "hearing"),
        Mark(date(2026, 2, 24), "Care order 24/02/2026", "final"),
        *(Mark(date(2025, 3, d), f"Hearing {d:02d}/03", "hearing") for d in range(1, 20, 3)),
    ]
    drawing = court_timeline(issued, date(2025, 8, 24), end, marks, 480)
    texts = {m.text for m in marks}
    placed = [
        (s.y, s.x, s.x + stringWidth(s.text, s.fontName, s.fontSize))
        for s in drawing.contents
        if isinstance(s, String) and s.text in texts
    ]
    assert len(placed) == len(marks)
    assert min(y for y, _, _ in placed) >= 0  # nothing drawn below the drawing
    for i, (y, start, stop) in enumerate(placed):
        for other_y, other_start, other_stop in placed[i + 1 :]:
            if abs(y - other_y) < 7:  # one row: the words must not touch
                assert stop <= other_start or other_stop <= start, (start, stop, other_start, other_stop)
