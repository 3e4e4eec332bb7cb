"""The improvement board's report on a 3,000-child demo at a quarter: 2 to 4 pages, no child named
or identified, every measure with its trend, target and direction; its figures checked against
counts made from `drift --json` (the engine's deadlines as the command line prints them)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from models.cli import main
from models.domain.period import Period
from models.io import demo
from models.io.journey_io import import_journey
from models.reports.registry import build_report, make_request, render
from models.screens.facts import Caseload, load_caseload
from models.screens.measures import MEASURE_IDS
from models.storage.db import Database, open_database
from models.storage.store import COMMENTARY_LIMIT, read_commentary, save_commentary

AS_OF = date(2026, 10, 5)
Q3 = Period.parse("2026-Q3")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, dict[str, Any]]]:
    data = demo.generate(3000, seed=19, today=AS_OF)
    db = open_database(tmp_path_factory.mktemp("board") / "board.sqlite")
    import_journey(db, data)
    yield db, data
    db.engine.dispose()


def _text(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _drift(db: Database, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert db.path is not None
    capsys.readouterr()
    assert main(["--db", str(db.path), "drift", "--as-of", AS_OF.isoformat(), "--json"]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


def _in_q3(day: str | None) -> bool:
    return day is not None and Q3.start <= date.fromisoformat(day) <= Q3.end


def _share(rows: list[dict[str, Any]]) -> str:
    met = sum(1 for r in rows if r["status"] == "met")
    return f"{100 * met / len(rows):.1f}% ({met} of {len(rows)})"


@pytest.fixture(scope="module")
def caseload(demo_db: tuple[Database, dict[str, Any]]) -> Caseload:
    return load_caseload(demo_db[0], AS_OF)


def test_the_board_report_names_no_child_and_matches_the_deadlines(
    demo_db: tuple[Database, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, data = demo_db
    assert db.path is not None
    args = [
        "--db",
        str(db.path),
        "report",
        "board",
        "--period",
        "2026-Q3",
        "--as-of",
        "2026-10-05",
        "-o",
        str(tmp_path),
    ]
    assert main(args) == 0
    out = tmp_path / "board-report-2026-Q3-asof-2026-10-05.pdf"
    assert out.stat().st_mode & 0o777 == 0o600
    pages = _text(out.read_bytes())
    assert 2 <= len(pages) <= 4 and f"{len(pages)} pages written to {out}" in capsys.readouterr().out
    text = " ".join(pages)
    for child in data["children"]:
        assert child["id"] not in text
        name = f"{child.get('given_name', '')} {child.get('family_name', '')}".strip()
        assert not re.search(rf"\b{re.escape(name)}\b", text), name
        if child.get("family_name"):
            assert not re.search(rf"\b{re.escape(child['family_name'])}\b", text), child["family_name"]
    assert "DEMO-" not in text
    # Every measure, with its previous period, direction and target words.
    for measure_id in MEASURE_IDS:
        assert re.search(rf"\b{measure_id}\b", pages[0]), measure_id
    assert (
        "April to June 2026 (Q2)" in pages[0]
        and "a rise is good" in pages[0]
        and "a fall is good" in pages[0]
    )
    assert "target 100%" in text  # M1
    assert "Q3 2026" in text and "Q1 2024" in text  # 12 quarters in the trend charts, from Q4 2023

    # The same figures from `drift --json`, by another route than the measures' cohorts.
    drift = _drift(db, capsys)

    def rule(name: str) -> list[dict[str, Any]]:
        return [r for r in drift if r["rule"] == name]

    m1 = [
        r
        for r in rule("cla.permanence_by_second_review")
        if _in_q3(r["due"]) and r["due"] <= AS_OF.isoformat()
    ]
    m3 = [r for r in rule("court.issue_after_decision") if _in_q3(r["done"])]
    m5 = [r for r in rule("cp.icpc_15wd") if _in_q3(r["done"])]
    m6 = [
        r
        for r in rule("cp.review_3m") + rule("cp.review_6m")
        if _in_q3(r["done"]) or (r["done"] is None and r["status"] == "overdue" and _in_q3(r["due"]))
    ]
    m9 = [r for r in rule("drp.resolution_20wd") if _in_q3(r["done"])]
    assert min(len(m1), len(m3), len(m5), len(m6), len(m9)) >= 5
    for found in (m1, m3, m5, m6, m9):
        assert _share(found) in pages[0]


def test_the_piros_commentary_is_kept_per_period_audited_and_printed(
    demo_db: tuple[Database, dict[str, Any]], caseload: Caseload
) -> None:
    db, _ = demo_db
    words = "Permanence planning improved after the July workshop.\n\nVisits remain a concern."
    assert save_commentary(db, "2026-Q3", words) == ""
    assert read_commentary(db, "2026-Q3") == words and read_commentary(db, "2026-Q2") == ""
    pages = _text(build_report(db, make_request("board", AS_OF, Q3)))
    assert "Permanence planning improved after the July workshop." in pages[0]
    assert "Visits remain a concern." in pages[0]
    other = _text(render(caseload, make_request("board", AS_OF, Period.parse("2026-Q2"))))
    assert "No commentary has been written for this period." in other[0]
    # A page of commentary still leaves the report within four pages.
    long = ("The board asked for a deep dive into the permanence forum's work. " * 60).strip()
    for period in (Q3, Period.parse("2026-Q4")):  # a whole quarter, and one to date
        request = replace(make_request("board", AS_OF, period), commentary=long[:COMMENTARY_LIMIT])
        assert 2 <= len(_text(render(caseload, request))) <= 4
    assert save_commentary(db, "2026-Q3", "") == words
    assert read_commentary(db, "2026-Q3") == ""
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT entity_id, before, after FROM audit WHERE entity = 'commentary' ORDER BY id"
        ).all()
    assert [(r[0], r[1] is None, r[2] is None) for r in rows] == [
        ("2026-Q3", True, False),
        ("2026-Q3", False, True),
    ]


def test_a_quarter_to_date_is_marked_and_not_compared_as_if_whole(caseload: Caseload) -> None:
    pages = _text(render(caseload, make_request("board", AS_OF, Period.parse("2026-Q4"))))
    assert "(to date)" in pages[0] and "over its first 5 days" in pages[0]
