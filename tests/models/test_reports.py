"""Printed reports, read back with pypdf: the rows that must be there and the furniture of every page.

From the shared example journey (three children) and from demo data (multi-page reports). Every
page must carry the protective marking twice (top and bottom), "Page n of N", the authority, the
title, the period and the as-of date; long tables repeat their header row on every page.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from reportlab.platypus import Table

from models.domain.period import Period, PeriodKind
from models.domain.records import parse_child
from models.domain.rules import Rag
from models.io import demo
from models.io.journey_io import import_journey, parse_journey
from models.reports import REPORT_NAMES
from models.reports.common import ReportError
from models.reports.registry import (
    PACK_PARTS,
    REPORTS,
    build_report,
    make_request,
    page_count,
    render,
    save_report,
)
from models.reports.tables import Column, DataTable, RagCell
from models.screens.facts import Caseload, load_caseload
from models.storage.db import Database
from models.storage.store import AUDIT_T

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server

MARKING = "OFFICIAL-SENSITIVE"
AUTHORITY = "Example Borough Council"


# --- Helpers ----------------------------------------------------------------------------------


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made single spaces (cells wrap across lines)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages_of(pdf))


def check_every_page(
    pdf: bytes, title: str, period: Period, as_of: date, marking: str = MARKING, dated: bool = False
) -> list[str]:
    pages = pages_of(pdf)
    total = len(pages)
    assert total == page_count(pdf)
    for n, page in enumerate(pages, start=1):
        assert page.count(marking) == 2, f"page {n}: the marking should be printed twice"
        assert f"Page {n} of {total}" in page
        assert AUTHORITY in page
        assert title in page
        # A child's chronology is a record to a date, not a report on a period.
        assert f"Events to {as_of:%d/%m/%Y}" in page if dated else f"Period: {period.label}" in page
        assert f"As of {as_of:%d/%m/%Y}" in page
    return pages


@pytest.fixture
def example_db(db: Database, examples: Path) -> Database:
    import_journey(db, json.loads((examples / "journey.json").read_text()))
    return db


@pytest.fixture(scope="module")
def demo_caseload() -> Caseload:
    children, issues, _ = parse_journey(demo.generate(500, seed=3, today=date(2025, 10, 1)))
    assert not issues
    return Caseload.build(children, date(2025, 10, 1))


def example(db: Database, name: str, period: str, as_of: str, **kw: str) -> bytes:
    request = make_request(name, date.fromisoformat(as_of), Period.parse(period), **kw)
    return build_report(db, request)


# --- Furniture, metadata and fonts ------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in REPORT_NAMES if not REPORTS[n].needs_child])
def test_every_page_is_marked_numbered_and_titled(example_db: Database, name: str) -> None:
    pdf = example(example_db, name, "2025-08", "2025-09-01")
    # The forum is on a day: its pages are headed with that day's week.
    period = Period.of(date(2025, 9, 1), PeriodKind.WEEK) if name == "forum" else Period(2025, 8)
    check_every_page(pdf, REPORTS[name].title, period, date(2025, 9, 1))
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    assert first.mediabox.width > first.mediabox.height, "A4 landscape"
    assert round(float(first.mediabox.height)) == 595


def test_the_marking_is_in_the_metadata(example_db: Database) -> None:
    meta = PdfReader(io.BytesIO(example(example_db, "court", "2025-08", "2025-09-01"))).metadata
    assert meta is not None
    assert MARKING in (meta.title or "")
    assert MARKING in (meta.subject or "")
    assert MARKING in str(meta.get("/Keywords"))
    assert meta.author == AUTHORITY


def test_the_settings_marking_prints_in_bold_capitals(example_db: Database) -> None:
    caseload = load_caseload(example_db, date(2025, 9, 1))
    caseload.settings = replace(
        caseload.settings, protective_marking="Official", authority_name="Łódź Council"
    )
    pdf = render(caseload, make_request("plo", date(2025, 9, 1)))
    page = pages_of(pdf)[0]
    assert page.count("OFFICIAL") == 2 and "Official" not in page
    assert "Łódź Council" in page


def test_names_outside_latin_1_print(tmp_path: Path) -> None:
    record, issues = parse_child(
        {
            "id": "NL-1",
            "given_name": "Nguyễn",
            "family_name": "Łukasiewicz-Ørsted",
            "reviewing_officer": "Zoë Þórsdóttir",
            "events": [{"id": "e1", "type": "became_looked_after", "date": "2025-09-01"}],
        }
    )
    assert record is not None, issues
    caseload = Caseload.build([record], date(2025, 9, 20))
    text = text_of(render(caseload, make_request("tracker", date(2025, 9, 20))))
    assert "Nguyễn Łukasiewicz-Ørsted" in text
    assert "Zoë Þórsdóttir" in text
    page = PdfReader(io.BytesIO(render(caseload, make_request("tracker", date(2025, 9, 20))))).pages[0]
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, DictionaryObject)
    names = {str(fonts[key].get_object()) for key in fonts}
    assert any("DejaVuSans" in n for n in names), names


# --- 1. Monthly tracker sheet -----------------------------------------------------------------


def test_tracker_from_the_example(example_db: Database) -> None:
    pdf = example(example_db, "tracker", "2025-08", "2025-09-01")
    text = text_of(pdf)
    jones = text.index("P. Jones")
    singh = text.index("R. Singh")
    assert jones < singh  # one section per officer, in name order
    for row in ("EX-001 Ava Example", "EX-002 Ben Example", "EX-003 Cara Example"):
        assert row in text
    # EX-002: second LAC review and permanence plan due 12/06/2025, both overdue.
    assert "Second LAC review due 12/06/2025: overdue 81 days" in text
    assert "Permanence plan due 12/06/2025: overdue 81 days" in text
    # EX-003: the plan, its date and the IRO's ratification.
    assert "Long-term fostering, 20/08/2025, ratified by IRO" in text
    assert "RED LAC visit due 09/07/2025: overdue 54 days" in text  # coloured and labelled


def test_tracker_puts_overdue_lines_first(demo_caseload: Caseload) -> None:
    from models.reports.tracker import gather

    data = gather(demo_caseload, Period(2025, 9))
    for section in data.sections:
        ranks = [r.sort_key[0] for r in section.rows]
        assert ranks == sorted(ranks)
        assert section.rows[0].overdue or not any(r.overdue for r in section.rows)


def test_tracker_for_one_officer(example_db: Database) -> None:
    text = text_of(example(example_db, "tracker", "2025-08", "2025-09-01", officer="R. Singh"))
    assert "EX-003" in text and "EX-001" not in text
    with pytest.raises(ReportError, match="No child has 'Nobody' as reviewing officer"):
        example(example_db, "tracker", "2025-08", "2025-09-01", officer="Nobody")


def test_a_long_tracker_repeats_its_header_on_page_2(demo_caseload: Caseload) -> None:
    pdf = render(demo_caseload, make_request("tracker", date(2025, 10, 1)))
    pages = check_every_page(pdf, "Monthly tracker sheet", Period(2025, 9), date(2025, 10, 1))
    assert len(pages) > 5
    header = "Child Stage Last review Next review due Permanence plan Open DRPs RAG Overdue and due soon"
    assert pages[1].count(header) == 1
    assert all(header in page for page in pages)


# --- 2. DRP report ----------------------------------------------------------------------------


def test_drp_report_for_july(example_db: Database) -> None:
    pdf = example(example_db, "drp", "2025-07", "2025-08-01")
    pages = check_every_page(pdf, "DRP report", Period(2025, 7), date(2025, 8, 1))
    text = " ".join(pages)
    assert "Escalations raised in July 2025: 1 formal (stage 1 or above) and 0 informal" in text
    assert (
        "DRP-25-014 EX-003 Cara Example 01/07/2025 R. Singh IRO Drift and delay 1 (team manager) "
        "2 (service manager) Resolved 15/07/2025 (10 WD)"
    ) in text
    assert "Highest stage 2 (service manager) 1 Category Drift and delay 1 Raised by IRO 1" in text
    # Resolved in the period within 20 working days, and the last 12 months by month.
    assert "100.0% within 20 working days (1 of 1)" in text
    assert "August 2024" in text and "July 2025 1 0 1" in text


def test_drp_report_lists_open_escalations_with_their_clocks(example_db: Database) -> None:
    text = text_of(example(example_db, "drp", "2025-06", "2025-07-10"))
    assert "Open escalations at 10/07/2025" in text
    assert "DRP-25-014" in text
    assert "2 (service manager) since 09/07/2025 Service manager" in text
    assert "due 16/07/2025: due in 4 WD" in text  # stage 2 response, 5 WD after 09/07


# --- 3. Court tracker -------------------------------------------------------------------------


def test_court_tracker_week_end_and_extension(example_db: Database) -> None:
    text = text_of(example(example_db, "court", "2025-08", "2025-09-01"))
    assert "EX-002 Ben Example XY25C00012 Telford 03/02/2025 31 of 26 26/09/2025 (week 34, extended)" in text
    assert "28/07/2025: to 26/09/2025, timetable for the child" in text
    assert "14/02/2025 CMH none listed AMBER due in 25 days" in text
    # The steps before issue are listed for the month of issue only (not for every open case).
    assert "20/01/2025 24/01/2025" not in text
    february = text_of(example(example_db, "court", "2025-02", "2025-09-01"))
    # Decision 20/01 → documents 24/01 (4 WD) → issue 03/02 (6 WD): 10 WD, within the standard.
    assert "20/01/2025 24/01/2025 4 03/02/2025 6 10 within the standard GREEN" in february


def test_court_tracker_concluded_proceedings(demo_caseload: Caseload) -> None:
    from models.screens.measures import concluded_proceedings

    concluded = concluded_proceedings(demo_caseload, Period(2025, 9))
    assert concluded
    text = text_of(render(demo_caseload, make_request("court", date(2025, 10, 1))))
    child, p = concluded[0]
    assert f"{child.id} {child.name} {p.case_number} {p.issued:%d/%m/%Y} {p.final_order:%d/%m/%Y}" in text
    assert f"{p.duration_weeks:.1f}" in text
    assert "Proceedings concluded in September 2025" in text


# --- 4. PLO tracker ---------------------------------------------------------------------------


def test_plo_tracker_open_pre_proceedings(example_db: Database) -> None:
    text = text_of(example(example_db, "plo", "2024-11", "2024-12-01"))
    assert (
        "EX-002 Ben Example 09/09/2024 12 of 16 30/12/2024 16/09/2024 28/10/2024 Offered 09/09/2024" in text
    )
    assert "AMBER due in 29 days" not in text  # 29 days left: still green (amber from 28 days)
    assert "GREEN due in 29 days" in text


def test_plo_tracker_ended_with_outcome(example_db: Database) -> None:
    text = text_of(example(example_db, "plo", "2025-01", "2025-02-01"))
    assert "Pre-proceedings ended in January 2025" in text
    assert "EX-002 Ben Example 09/09/2024 20/01/2025 19.0 16 weeks" in text
    assert "Issue proceedings RED met 20/01/2025, 21 days late" in text


# --- 5. Permanence report ---------------------------------------------------------------------


def test_permanence_report_with_a_ratified_plan(example_db: Database) -> None:
    text = text_of(example(example_db, "permanence", "2025-08", "2025-09-01"))
    assert (
        "EX-003 Cara Example R. Singh 14/04/2025 15/05/2025 held 20/08/2025 Yes Long-term fostering made "
        "20/08/2025 Yes" in text
    )
    assert "100.0% 1 of 1" in text


def test_permanence_report_without_a_plan(example_db: Database) -> None:
    text = text_of(example(example_db, "permanence", "2025-06", "2025-07-01"))
    assert "EX-002 Ben Example P. Jones 14/02/2025 12/03/2025 due 12/06/2025, not held No" in text
    assert "RED no plan" in text
    assert "0.0% 0 of 1" in text and "too few to judge" in text  # one child: never coloured


# --- 6. Child chronology ----------------------------------------------------------------------


def test_chronology_with_the_court_timeline(example_db: Database) -> None:
    pdf = example(example_db, "chronology", "2025-08", "2025-09-01", child_id="EX-002")
    pages = check_every_page(pdf, "Child chronology", Period(2025, 8), date(2025, 9, 1), dated=True)
    first = PdfReader(io.BytesIO(pdf)).pages[0]
    assert first.mediabox.width < first.mediabox.height, "A4 portrait"
    text = " ".join(pages)
    assert "Ben Example (EX-002)" in text
    assert "Court timeline, case XY25C00012" in text
    # The drawn timeline: issue, the end of week 26, the extended end, today, a hearing, the extension.
    for label in (
        "Issued 03/02/2025",
        "26 weeks end 03/08/2025",
        "Extended to 26/09/2025",
        "As of 01/09/2025: week 31",
        "CMH 14/02",
        "Extension granted 28/07",
    ):
        assert label in text
    assert "03/02/2025 Court Care proceedings issued Case number: XY25C00012; Court: Telford" in text
    assert "Final order due by 26/09/2025" in text


def test_chronology_without_proceedings_has_no_timeline(example_db: Database) -> None:
    text = text_of(example(example_db, "chronology", "2025-02", "2025-03-03", child_id="EX-001"))
    assert "Ava Example (EX-001)" in text and "Court timeline" not in text
    assert "ICPC" in text


def test_chronology_of_a_concluded_case_shows_the_final_order(demo_caseload: Caseload) -> None:
    child = next(
        f.child
        for f in demo_caseload.all_facts()
        if any(p.final_order is not None and p.extensions for p in f.proceedings)
    )
    text = text_of(render(demo_caseload, make_request("chronology", date(2025, 10, 1), child_id=child.id)))
    assert "Court timeline" in text and "final order" in text


# --- 7. Monthly pack --------------------------------------------------------------------------


def test_the_pack_holds_all_five(example_db: Database, tmp_path: Path) -> None:
    request = make_request("pack", date(2025, 8, 1), Period(2025, 7))
    pdf = build_report(example_db, request)
    pages = check_every_page(pdf, "Monthly pack", Period(2025, 7), date(2025, 8, 1))
    titles = [REPORTS[name].title for name in PACK_PARTS]
    assert PACK_PARTS == ("tracker", "drp", "court", "plo", "permanence")
    for title in titles:
        # Each part titled in the page header, under the pack's own title.
        assert any(f"Monthly pack · {title}" in page for page in pages), title
    assert "Measures" in pages[0] and "M9" in pages[0]
    text = " ".join(pages)
    assert "XY25C00012 Telford 03/02/2025 26 of 26" in text  # court tracker
    assert "DRP-25-014 EX-003 Cara Example 01/07/2025" in text  # DRP report
    path = save_report(example_db, request, pdf, tmp_path)
    assert path.name == "monthly-pack-2025-07-asof-2025-08-01.pdf"
    assert path.stat().st_mode & 0o777 == 0o600
    with example_db.engine.connect() as conn:
        rows = conn.execute(AUDIT_T.select().where(AUDIT_T.c.action == "export-report")).mappings().all()
    assert len(rows) == 1 and json.loads(rows[0]["after"])["as_of"] == "2025-08-01"


def test_reports_from_demo_data_are_all_marked(demo_caseload: Caseload) -> None:
    as_of = date(2025, 10, 1)
    for name in REPORT_NAMES:
        needs_child = REPORTS[name].needs_child
        child = next(c.id for c in demo_caseload.children if c.events) if needs_child else None
        request = make_request(name, as_of, child_id=child)
        pdf = render(demo_caseload, request)
        check_every_page(pdf, "", request.period, as_of, dated=needs_child)


# --- Requests ---------------------------------------------------------------------------------


def test_requests_are_checked() -> None:
    as_of = date(2025, 10, 1)
    assert make_request("drp", as_of).period == Period(2025, 9)
    with pytest.raises(ReportError, match="give the child's id"):
        make_request("chronology", as_of)
    with pytest.raises(ReportError, match="starts after the as-of date"):
        make_request("drp", as_of, Period(2025, 11))
    with pytest.raises(ReportError, match="no report called"):
        make_request("nope", as_of)
    with pytest.raises(ReportError, match="tracker report only"):
        make_request("drp", as_of, officer="P. Jones")
    request = make_request("chronology", as_of, child_id="EX-002")
    assert request.file_name() == "chronology-EX-002-2025-09-asof-2025-10-01.pdf"


def test_a_chronology_of_an_unknown_child(example_db: Database) -> None:
    with pytest.raises(ReportError, match="no child with the id 'NOPE'"):
        example(example_db, "chronology", "2025-08", "2025-09-01", child_id="NOPE")


# --- Long tables ------------------------------------------------------------------------------


def test_long_tables_are_laid_out_in_page_sized_chunks() -> None:
    columns = [Column("Child"), Column("Detail", 3), Column("RAG", 0.6)]
    rows: list[list[str | RagCell]] = [
        [f"C-{i:05d}", f"line {i}" + ("\nsecond line" if i % 3 == 0 else ""), RagCell(Rag.RED)]
        for i in range(2000)
    ]
    flowable = DataTable(columns, rows)
    width, page_height = 770.0, 480.0
    chunks: list[Table] = []
    rest: DataTable | None = flowable
    while rest is not None:
        rest.wrap(width, page_height)
        parts = rest.split(width, page_height)
        assert parts, "a page must take at least one row"
        table = parts[0]
        assert isinstance(table, Table)
        chunks.append(table)
        rest = parts[1] if len(parts) > 1 else None
        assert rest is None or isinstance(rest, DataTable)
    assert 20 < len(chunks) < 200
    assert sum(len(t._cellvalues) - 1 for t in chunks) == 2000
    for table in chunks:
        assert table._cellvalues[0] == ["Child", "Detail", "RAG"]  # the header row starts every chunk
        assert table.repeatRows == 1
        assert sum(table._argH) <= page_height
        assert len(table._cellvalues) <= 60
        assert all(isinstance(v, str) for row in table._cellvalues for v in row)  # plain strings
    # The RAG cells are labelled and coloured.
    first = chunks[0]
    assert first._cellvalues[1][2] == "RED"
    commands = [c for c in first._bkgrndcmds if c[1] == (2, 1)]
    assert commands and commands[0][0] == "BACKGROUND"


def test_a_cell_never_outgrows_a_page() -> None:
    flowable = DataTable([Column("A"), Column("B")], [["x", "word " * 2000]])
    flowable.wrap(300, 400)
    assert flowable.height < 400


# --- Command line -----------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "models.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_writes_the_pack_named_with_its_as_of_date(tmp_path: Path, examples: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    assert run_cli("--db", db, "import", str(examples / "journey.json")).returncode == 0
    out = tmp_path / "packs"
    proc = run_cli(
        "--db", db, "report", "pack", "--period", "2025-08", "--as-of", "2025-09-01", "-o", f"{out}/"
    )
    assert proc.returncode == 0, proc.stderr
    target = out / "monthly-pack-2025-08-asof-2025-09-01.pdf"
    assert target.exists() and str(target) in proc.stdout
    assert re.search(r"\d+ pages written", proc.stdout)
    proc = run_cli(
        "--db",
        db,
        "report",
        "chronology",
        "--child",
        "EX-002",
        "--as-of",
        "2025-09-01",
        "-o",
        str(tmp_path / "b.pdf"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Court timeline" in text_of((tmp_path / "b.pdf").read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "chronology", "--as-of", "2025-09-01"], "give the child's id (--child ID)"),
        (["report", "tracker", "--officer", "Nobody", "--as-of", "2025-09-01"], "No child has 'Nobody'"),
        (["report", "tracker", "--period", "2025-13"], "is not a period"),
        (["report", "court", "--period", "2025-10", "--as-of", "2025-09-01"], "starts after the as-of date"),
        (["report", "chronology", "--child", "NOPE", "--as-of", "2025-09-01"], "no child with the id"),
        (["report", "nope"], "invalid choice"),
    ],
)
def test_cli_report_errors_are_one_sentence(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run_cli("--db", str(tmp_path / "t.sqlite"), *args, "-o", str(tmp_path / "x.pdf"))
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.pdf").exists()
