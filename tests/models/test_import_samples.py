"""Every public sample file in `../shared/samples` through the command line: it imports (the valid
children), or is refused with one sentence; the children, events, `tracked_from` and `untracked`
are checked against the file itself, read here independently of the readers; a second import
changes nothing."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from shared_files import SAMPLES, shared_samples
from sqlalchemy import func, select

from models.cli import main
from models.storage.db import open_database
from models.storage.store import CHILD_T, EVENT_T, iter_children

SAMPLE_FILES = sorted(
    p for p in SAMPLES.glob("*/*") if p.is_file() and p.name not in ("SOURCES.md", "README.md")
)
READ_903 = {"header", "episodes", "reviews"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _903_table(columns: list[str]) -> str | None:
    names = set(columns)
    if {"CHILD", "DECOM", "RNE"} <= names:
        return "episodes"
    if {"CHILD", "REVIEW"} <= names:
        return "reviews"
    if {"CHILD", "ETHNIC", "SEX"} <= names:
        return "header"
    return "other" if "CHILD" in names else None


def _dmy(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def expected(path: Path) -> dict[str, Any]:
    """What the file holds, read here without the tracker's readers."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        columns = list(rows[0]) if rows else []
        table = _903_table(columns)
        if table not in READ_903:
            return {"format": "903", "ids": set(), "tracked_from": None}
        ids = {r["CHILD"].strip() for r in rows if r["CHILD"].strip()}
        year = re.search(r"(20\d\d)", path.name)
        if year:
            tracked: date | None = date(int(year[1]), 3, 31)
        else:
            keys = ("DECOM", "DEC") if table == "episodes" else ("REVIEW",) if table == "reviews" else ()
            days = [d for r in rows for k in keys if (d := _dmy(r.get(k) or ""))]
            latest = max(days) if days else None
            tracked = None
            if latest:
                tracked = date(latest.year if latest <= date(latest.year, 3, 31) else latest.year + 1, 3, 31)
        return {"format": "903", "ids": ids, "tracked_from": tracked}
    if suffix == ".xml":
        root = ET.parse(path).getroot()
        if root.tag == "EXPSSDA903":
            ids = {e.text.strip() for e in root.iter("CHILDID") if e.text}
            days = [d for tag in ("DECOM", "DEC") for e in root.iter(tag) if e.text and (d := _dmy(e.text))]
            latest = max(days)
            tracked = date(latest.year if latest <= date(latest.year, 3, 31) else latest.year + 1, 3, 31)
            return {"format": "903", "ids": ids, "tracked_from": tracked}
        ids = {e.text.strip() for e in root.iter("LAchildID") if e.text}
        reference = next(root.iter("ReferenceDate")).text
        return {"format": "cin", "ids": ids, "tracked_from": date.fromisoformat(str(reference))}
    if suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ids = set()
        latest = None
        for sheet in workbook.worksheets:
            if not re.fullmatch(r"List[ _](5|7|8|10)", sheet.title):
                continue
            rows = list(sheet.iter_rows(values_only=True))
            start = next(i for i, r in enumerate(rows) if r and r[0] == "Child Unique ID")
            header = [str(h or "") for h in rows[start]]
            for row in rows[start + 1 :]:
                if row and row[0] is not None:
                    ids.add(str(row[0]))
                    for head, value in zip(header, row, strict=False):
                        if isinstance(value, datetime) and "Birth" not in head:
                            latest = max(latest or value.date(), value.date())
        workbook.close()
        return {
            "format": "annex_a",
            "ids": ids,
            "tracked_from": latest + timedelta(days=1) if latest else None,
        }
    return {"format": "refused"}


def _not_after_today(day: date | None) -> date | None:
    """A collection end after today is an in-year extract's: the import takes today instead."""
    return min(day, date.today()) if day else None


def _children(db_path: Path) -> dict[str, Any]:
    db = open_database(db_path)
    try:
        with db.engine.connect() as conn:
            return {c.id: c for c in iter_children(conn)}
    finally:
        db.engine.dispose()


def _counts(db_path: Path) -> tuple[int, int, list[Any]]:
    db = open_database(db_path)
    try:
        with db.engine.connect() as conn:
            children = conn.execute(select(func.count()).select_from(CHILD_T)).scalar_one()
            events = conn.execute(select(func.count()).select_from(EVENT_T)).scalar_one()
            rows = [
                tuple(r)
                for r in conn.execute(select(EVENT_T).order_by(EVENT_T.c.child_id, EVENT_T.c.event_id))
            ]
            return children, events, rows
    finally:
        db.engine.dispose()


def test_there_are_68_sample_files() -> None:
    shared_samples()
    assert len(SAMPLE_FILES) == 68


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_sample_imports_or_is_refused_with_a_sentence(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared_samples()
    db = tmp_path / "t.sqlite"
    want = expected(path)
    want["tracked_from"] = _not_after_today(want.get("tracked_from"))
    code, out, err = run(capsys, "--db", str(db), "import", str(path), "--valid-only")
    if want["format"] == "refused":
        assert path.suffix == ".xls"
        assert code == 1
        sentence = err.strip().removeprefix("permanence-tracker: ")
        assert path.name in sentence and "save it as an Excel Workbook (.xlsx)" in sentence
        assert _counts(db)[:2] == (0, 0)
        return
    assert code == 0, err
    children = _children(db)
    # Every child of the file is imported, or named in a problem of the preview.
    assert set(children) <= want["ids"]
    for missing in want["ids"] - set(children):
        assert f"child {missing}" in out, missing
    for child in children.values():
        events = child.events
        prefix = {"903": "903:", "cin": "cin:", "annex_a": "annexa:"}[want["format"]]
        assert all(e.id.startswith(prefix + child.id + ":") for e in events)
        if want["tracked_from"] is not None and events:
            assert child.to_json()["tracked_from"] == want["tracked_from"].isoformat()
            untracked = set(child.to_json()["untracked"])
            if want["format"] == "903":
                assert {"cla_visit", "permanence_plan", "icpc", "core_group"} <= untracked
                assert not untracked & {"cla_review", "became_looked_after", "ceased_looked_after"}
            elif want["format"] == "cin":
                assert {"core_group", "cp_visit", "cla_review"} <= untracked
                assert not untracked & {"cp_review", "icpc", "strategy_discussion"}
            else:
                assert {"core_group", "permanence_plan"} <= untracked
                assert not untracked & {"cla_review", "cp_review", "icpc"}
        if path.suffix in (".csv", ".xml"):
            text = path.read_text(encoding="utf-8-sig")
            for e in events:
                assert f"{e.date:%d/%m/%Y}" in text or e.date.isoformat() in text, e
    before = _counts(db)
    code, out, _ = run(capsys, "--db", str(db), "import", str(path), "--valid-only")
    assert code == 0
    assert "0 children added, 0 updated" in out and "0 events added, 0 updated" in out
    assert _counts(db) == before


def test_ssda903_return_children_and_events_against_the_tables(
    tmp_path: Path, samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = samples / "d2i-csc-validator-be-903"
    db = tmp_path / "t.sqlite"
    tables = [folder / "header.csv", folder / "episodes.csv", folder / "reviews.csv"]
    code, out, err = run(capsys, "--db", str(db), "import", *map(str, tables))
    assert code == 0, err
    assert "2675 children added" in out
    children = _children(db)
    with (folder / "header.csv").open(encoding="utf-8") as fh:
        header = {r["CHILD"]: r for r in csv.DictReader(fh)}
    with (folder / "episodes.csv").open(encoding="utf-8") as fh:
        episodes = list(csv.DictReader(fh))
    with (folder / "reviews.csv").open(encoding="utf-8") as fh:
        reviews = {(r["CHILD"], _dmy(r["REVIEW"])) for r in csv.DictReader(fh)}
    assert set(children) == set(header)
    sample = children["566910"]
    assert sample.fields["date_of_birth"] == date(2008, 3, 27)
    assert sample.fields["gender"] == "female" and sample.fields["ethnicity"] == "WROM"
    got_reviews = {(c.id, e.date) for c in children.values() for e in c.events if e.type == "cla_review"}
    assert got_reviews == reviews
    first_start: dict[str, date] = {}
    for row in episodes:
        day = _dmy(row["DECOM"])
        assert day is not None
        first_start[row["CHILD"]] = min(first_start.get(row["CHILD"], day), day)
    for child_id, start in first_start.items():
        became = [e for e in children[child_id].events if e.type == "became_looked_after"]
        assert became and became[0].date == start
    ceased = {
        (r["CHILD"], _dmy(r["DEC"]), r["REC"]) for r in episodes if r["DEC"] and r["REC"] and r["REC"] != "X1"
    }
    got_ceased = {
        (c.id, e.date, e.fields.get("reason"))
        for c in children.values()
        for e in c.events
        if e.type == "ceased_looked_after"
    }
    assert got_ceased == ceased
    assert {c.to_json().get("tracked_from") for c in children.values() if c.events} == {"2019-03-31"}
    assert "tracked from 31/03/2019" in out


def test_the_demand_model_years_merge_one_child_across_returns(
    tmp_path: Path, samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    code, out, err = run(capsys, "--db", str(db), "import", str(samples / "d2i-cs-demand-model"))
    assert code == 0, err
    assert out.count("SSDA903 (CSV)") == 5
    children = _children(db)
    ids_by_year = {}
    for year in range(2017, 2022):
        with (samples / "d2i-cs-demand-model" / f"{year}-header.csv").open(encoding="utf-8") as fh:
            ids_by_year[year] = {r["CHILD"] for r in csv.DictReader(fh)}
    assert set(children) == set().union(*ids_by_year.values())
    for child_id, child in children.items():
        last = max(y for y, ids in ids_by_year.items() if child_id in ids)
        if child.events:
            # The latest return that holds the child is the day its record is complete from.
            assert child.to_json()["tracked_from"] == f"{last}-03-31"
        ids = [e.id for e in child.events]
        assert len(ids) == len(set(ids))
        keys = [(e.type, e.date) for e in child.events]
        assert len(keys) == len(set(keys))


def test_cin_census_2026_pre_proceedings_block(
    tmp_path: Path, samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    code, _out, err = run(
        capsys, "--db", str(db), "import", str(samples / "d2i-csc-validator-be-cin" / "CIN_Census_2026.xml")
    )
    assert code == 0, err
    child = _children(db)["DfEX0000001"]
    got = {(e.type, e.date.isoformat(), json.dumps(dict(e.fields), sort_keys=True)) for e in child.events}
    assert got == {
        ("strategy_discussion", "2022-06-02", '{"s47": true}'),
        ("icpc", "2022-06-17", "{}"),
        ("icpc", "2022-12-06", "{}"),
        ("icpc", "2022-02-17", '{"category": "physical", "outcome": "plan"}'),
        ("cp_review", "2023-02-15", "{}"),
        ("cp_plan_ended", "2023-03-14", "{}"),
        ("legal_planning_meeting", "2026-09-09", '{"decision": "pre_proceedings"}'),
        ("letter_before_proceedings", "2026-09-20", "{}"),
        ("family_group_conference", "2026-09-20", '{"stage": "offered"}'),
        ("pre_proceedings_meeting", "2026-09-28", "{}"),
        ("pre_proceedings_ended", "2026-12-01", '{"outcome": "step_down"}'),
        ("proceedings_issued", "2026-12-18", "{}"),
    }
    assert child.fields["date_of_birth"] == date(2015, 3, 27)
    assert child.fields["disability"] is True
    assert child.to_json()["tracked_from"] == "2024-03-31"


def test_annex_a_joins_a_child_across_lists_and_accepts_a_pre_birth_plan(
    tmp_path: Path, samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    code, _out, err = run(
        capsys, "--db", str(db), "import", str(samples / "cscdp-child-event-journeys" / "annexa_example.xlsx")
    )
    assert code == 0, err
    children = _children(db)
    types = [(e.type, e.date) for e in children["9999"].events]
    assert types == [
        ("icpc", date(2019, 10, 5)),
        ("became_looked_after", date(2019, 10, 30)),
        ("ceased_looked_after", date(2019, 11, 3)),
    ]
    # 10721552 was born on 04/01/2021; its plan began on 23/11/2020, before birth.
    code, _out, err = run(
        capsys, "--db", str(db), "import", str(samples / "sfdl-liia-tools" / "Annex_A.xlsx"), "--valid-only"
    )
    assert code == 0, err
    child = _children(db)["10721552"]
    assert child.fields["expected_date_of_birth"] == child.fields["date_of_birth"] == date(2021, 1, 4)
    assert child.events[0].type == "icpc" and child.events[0].date == date(2020, 11, 23)
    assert child.fields["social_worker"] == "Ezra Leigh" and child.fields["team"] == "Locality 4 Unit 1"
    # A non-breaking space in a worker's name is a space.
    assert _children(db)["11641472"].fields["social_worker"] == "Delta Arthur"
