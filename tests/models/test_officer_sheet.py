"""One officer's tracker sheet reads only their children (issue 20): the same children, deadlines,
rows and PDF as the sheet cut from the whole caseload."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from models.domain.period import Period
from models.io import demo
from models.io.journey_io import import_journey
from models.reports import tracker
from models.reports.common import ReportError
from models.reports.registry import build_report, make_request, render
from models.screens.facts import load_caseload, reviewing_officers
from models.storage.db import Database

AS_OF = date(2025, 10, 1)
PERIOD = Period.parse("2025-09")


@pytest.fixture
def demo_db(db: Database) -> Database:
    import_journey(db, demo.generate(300, seed=3, today=AS_OF))
    return db


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_one_officers_read_is_their_part_of_the_whole(demo_db: Database) -> None:
    whole = load_caseload(demo_db, AS_OF)
    officers = reviewing_officers(demo_db)
    assert officers == whole.officers and len(officers) > 1
    for officer in officers[:3]:
        theirs = load_caseload(demo_db, AS_OF, reviewing_officer=officer)
        expected = tuple(c for c in whole.children if c.fields.get("reviewing_officer") == officer)
        assert theirs.children == expected and expected
        for child in expected:
            assert theirs.deadlines_of(child.id) == whole.deadlines_of(child.id)
        assert tracker.gather(theirs, PERIOD, officer) == tracker.gather(whole, PERIOD, officer)


def test_the_officers_sheet_is_the_sheet_cut_from_the_whole_caseload(demo_db: Database) -> None:
    officer = reviewing_officers(demo_db)[0]
    request = make_request("tracker", AS_OF, PERIOD, officer)
    assert _text(build_report(demo_db, request)) == _text(render(load_caseload(demo_db, AS_OF), request))


def test_an_officer_no_child_has_is_told_with_every_officers_name(demo_db: Database) -> None:
    whole = load_caseload(demo_db, AS_OF)
    with pytest.raises(ReportError) as from_whole:
        tracker.gather(whole, PERIOD, "Nobody")
    with pytest.raises(ReportError) as from_sheet:
        build_report(demo_db, make_request("tracker", AS_OF, PERIOD, "Nobody"))
    assert str(from_sheet.value) == str(from_whole.value)
    assert whole.officers[0] in str(from_sheet.value)
