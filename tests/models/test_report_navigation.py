"""Navigating long reports: bookmarks that point to the page their section starts on, the pack's
contents with page numbers, and the tracker as one file per officer (each numbered from page 1)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from models.cli import main
from models.io import demo
from models.io.journey_io import import_journey
from models.reports.registry import make_request, render
from models.screens.facts import load_caseload
from models.storage.db import Database

AS_OF = date(2025, 10, 1)


@pytest.fixture
def demo_db(db: Database) -> Database:
    import_journey(db, demo.generate(400, seed=3, today=AS_OF))
    return db


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def test_bookmarks_and_contents_give_each_sections_first_page(demo_db: Database) -> None:
    caseload = load_caseload(demo_db, AS_OF)
    reader = PdfReader(io.BytesIO(render(caseload, make_request("pack", AS_OF))))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    outline = _outline(reader)
    parts = [o for o in outline if o[0] == 0]
    officers = [o for o in outline if o[0] == 1]
    assert parts[0][1] == "Monthly tracker sheet" and len(parts) == 5
    assert len(officers) == len(caseload.officers) >= 3
    assert len({page for _, _, page in outline}) > 3  # not all on page 1
    for _, officer, page in officers:
        # The officer's section starts on that page: their name is its heading, and the page before
        # belongs to someone else.
        assert f"Monthly tracker sheet · {officer}" in pages[page - 1]
        assert f"Monthly tracker sheet · {officer}" not in pages[page - 2]
    contents = next(p for p in pages if "Contents" in p and "Each report and each reviewing officer" in p)
    # Each title is listed, and the page numbers (written once the pages are known) are the
    # bookmarks' pages, in order.
    assert all(section in contents for _, section, _ in outline)
    assert " ".join(str(page) for _, _, page in outline) in contents


def test_one_tracker_file_per_officer(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo_db.path is not None
    folder = tmp_path / "officers"
    args = [
        "--db",
        str(demo_db.path),
        "report",
        "tracker",
        "--as-of",
        "2025-10-01",
        "--per-officer",
        "-o",
        str(folder),
    ]
    assert main(args) == 0
    files = sorted(folder.glob("tracker-report-*.pdf"))
    officers = load_caseload(demo_db, AS_OF).officers
    assert len(files) == len(officers)
    assert (
        f"{len(files)} officers' tracker sheets for September 2025 written to {folder}."
        in capsys.readouterr().out
    )
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600
        reader = PdfReader(path)
        first = " ".join(reader.pages[0].extract_text().split())
        assert f"Page 1 of {len(reader.pages)}" in first
        named = [o for o in officers if f"· {o}" in first]
        assert len(named) == 1
    with demo_db.engine.connect() as conn:
        exports = conn.exec_driver_sql(
            "SELECT count(*) FROM audit WHERE action = 'export-report'"
        ).scalar_one()
    assert exports == len(files)
    assert main([*args[:-2], "--officer", officers[0], "-o", str(folder)]) == 1
