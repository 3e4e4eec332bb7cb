"""A page and its printed report are built from the same rows (one presenter per subject).

The court page's rows (`models.screens.court_view`) and the escalation register's rows
(`models.screens.drp_view`) are read from the database the way each page reads them (only the
children with court or DRP events); the printed court tracker and DRP report are built from the
whole caseload. Both must hold the same rows, value for value.
"""

from __future__ import annotations

from datetime import date

import pytest

from models.domain.period import Period
from models.io import demo
from models.io.journey_io import import_journey
from models.reports import court, drp
from models.screens.court_view import build_court_view
from models.screens.drp_view import AlertKind, build_escalation_register
from models.screens.facts import load_caseload
from models.storage.db import Database

AS_OF = date(2025, 10, 1)
PERIOD = Period(2025, 9)


@pytest.fixture
def demo_db(db: Database) -> Database:
    import_journey(db, demo.generate(300, seed=7, today=AS_OF))
    return db


def test_the_court_report_prints_the_court_pages_rows(demo_db: Database) -> None:
    page = build_court_view(demo_db, AS_OF)
    report = court.gather(load_caseload(demo_db, AS_OF), PERIOD)
    assert page.open and report.open
    assert sorted(report.open, key=lambda r: r.child_id) == sorted(page.open, key=lambda r: r.child_id)
    awaiting = [r for r in report.issues if r.issued is None]
    assert [(r.child_id, r.decision, r.rag) for r in awaiting] == [
        (r.child_id, r.decision, r.rag) for r in page.pending
    ]
    assert list(report.concluded) == page.concluded_between(PERIOD.start, PERIOD.end)


def test_the_drp_report_prints_the_registers_rows(demo_db: Database) -> None:
    page = build_escalation_register(demo_db, AS_OF)
    report = drp.gather(load_caseload(demo_db, AS_OF), PERIOD)
    open_on_page = [r for r in page.rows if r.is_open and r.kind is AlertKind.ESCALATION]
    assert open_on_page and report.raised and report.resolved
    assert sorted(report.open, key=lambda r: (r.child_id, r.ref)) == sorted(
        open_on_page, key=lambda r: (r.child_id, r.ref)
    )
    for row in (*report.raised, *report.resolved):
        assert row in page.rows
