"""Importing a council's files: bad input (one sentence naming file, sheet, row and column, and
nothing half-imported), merging with the record, the preview and --dry-run, mappings, and the
Annex A export and its round trip."""

from __future__ import annotations

import json
import os
import shutil
import stat
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from shared_files import shared_samples
from sqlalchemy import func, select

from models.cli import main
from models.io.sources import files
from models.io.sources.common import SourceError
from models.storage.db import Database, open_database
from models.storage.store import (
    AUDIT_T,
    CHILD_T,
    EVENT_T,
    compute_deadlines,
    delete_event,
    get_child,
    iter_children,
    save_event,
)

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\r\n"
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\r\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def counts(path: Path) -> tuple[int, int]:
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            return (
                conn.execute(select(func.count()).select_from(CHILD_T)).scalar_one(),
                conn.execute(select(func.count()).select_from(EVENT_T)).scalar_one(),
            )
    finally:
        db.engine.dispose()


def return_903(folder: Path, header: str = "", episodes: str = "", reviews: str = "") -> Path:
    """A small SSDA903 return as CSV tables (UTF-8 with a byte-order mark, CRLF)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, head, body in (
        ("header", HEADER, header),
        ("episodes", EPISODES, episodes),
        ("reviews", REVIEWS, reviews),
    ):
        (folder / f"2024-{name}.csv").write_bytes(("\ufeff" + head + body).encode("utf-8"))
    return folder


GOOD_HEADER = "C1,1,05/06/2015,WBRI,,,\r\nC2,2,01/02/2012,WBRI,,,\r\n"
GOOD_EPISODES = (
    "C1,08/01/2024,S,C1,N1,U1,PR1,,,,,,\r\n"
    "C2,01/03/2023,S,V2,N1,U4,PR1,01/06/2023,X1,,,,\r\n"
    "C2,01/06/2023,L,C2,N1,U4,PR1,20/02/2024,E41,,,,\r\n"
)
GOOD_REVIEWS = "C1,05/06/2015,01/02/2024,PN1\r\nC2,01/02/2012,28/03/2023,PN1\r\n"


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


LIST8 = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Date Started to be Looked After",
    "Child's Legal Status",
    "Date of Latest Statutory Review",
]


# ---- bad input ------------------------------------------------------------------------------


def test_a_workbook_with_no_list_the_tracker_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    path = workbook(
        tmp_path / "contacts.xlsx",
        {"List 1": [["Child Unique ID", "Date of Contact"], ["A", datetime(2024, 1, 1)]]},
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1 and out == ""
    assert "contacts.xlsx: no list the tracker reads (List 5, 7, 8 or 10" in err
    assert err.count("\n") == 1
    other = workbook(tmp_path / "budget.xlsx", {"Sheet": [["Cost centre", "Amount"], ["X", 1]]})
    code, _, err = run(capsys, "--db", str(db), "import", str(other))
    assert (
        code == 1 and "budget.xlsx: a workbook whose headers are not an SSDA903 table or Annex A list" in err
    )
    assert "--mapping NAME" in err
    assert counts(db) == (0, 0)


def test_a_csv_with_the_wrong_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    path = tmp_path / "plo.csv"
    path.write_text("Name,Worker\nA,B\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1 and "plo.csv: a CSV whose headers are not an SSDA903 table" in err
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps({"child_id": "Child ID", "fields": {"social_worker": "Worker"}}), encoding="utf-8"
    )
    assert run(capsys, "--db", str(db), "mapping", "save", "alloc", "--file", str(mapping))[0] == 0
    code, _, err = run(capsys, "--db", str(db), "import", str(path), "--mapping", "alloc")
    assert code == 1
    assert "plo.csv: the header has no column 'Child ID' that mapping 'alloc' reads" in err
    assert counts(db) == (0, 0)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31/02/2024", "'31/02/2024' is not a real date"),
        ("2024-13-01", "'2024-13-01' is not a real date"),
        ("45322", "'45322' is a number where a date should be"),
        ("next week", "'next week' is not a date in a known format"),
    ],
)
def test_a_date_in_an_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, reason: str
) -> None:
    db = tmp_path / "t.sqlite"
    episodes = GOOD_EPISODES + f"C3,{value},S,C1,N1,U1,PR1,,,,,,\r\n"
    folder = return_903(tmp_path / "r", GOOD_HEADER + "C3,1,01/01/2010,WBRI,,,\r\n", episodes, GOOD_REVIEWS)
    code, out, err = run(capsys, "--db", str(db), "import", str(folder))
    assert code == 1
    assert f"- 2024-episodes.csv, row 5, column 'DECOM': child C3: {reason}" in out
    assert "nothing was imported" in err
    assert counts(db) == (0, 0)
    # The valid children only, when the person asks for them.
    code, out, _ = run(capsys, "--db", str(db), "import", str(folder), "--valid-only")
    assert code == 0 and "2 children added" in out
    assert counts(db)[0] == 2


def test_a_serial_number_in_a_workbook_date_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    path = workbook(
        tmp_path / "annex.xlsx",
        {
            "List_8": [
                ["List 8: Children in care"],
                LIST8,
                ["A1", "a) Male", "a) WBRI", datetime(2015, 1, 1), 45322, "C2", None],
            ]
        },
    )
    code, out, _ = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1
    assert (
        "- annex.xlsx, sheet 'List_8', row 3, column 'Date Started to be Looked After': child A1: "
        "45322 is a number where a date should be (an Excel serial number?)"
    ) in out
    assert counts(db) == (0, 0)


def test_a_child_id_missing_or_duplicated_with_different_dates_of_birth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    header = GOOD_HEADER + ",1,01/01/2010,WBRI,,,\r\nC1,1,06/06/2015,WBRI,,,\r\n"
    folder = return_903(tmp_path / "r", header, GOOD_EPISODES, GOOD_REVIEWS)
    code, out, _ = run(capsys, "--db", str(db), "import", str(folder))
    assert code == 1
    assert "- 2024-header.csv, row 4, column 'CHILD': the child id is missing" in out
    assert (
        "- 2024-header.csv, row 5: child C1 has date of birth 06/06/2015 here but 05/06/2015 at 2024-header.csv, row 2"
    ) in out
    assert counts(db) == (0, 0)
    code, out, _ = run(capsys, "--db", str(db), "import", str(folder), "--valid-only")
    assert code == 0 and "1 children added" in out
    assert counts(db)[0] == 1


def test_the_same_child_with_two_dates_of_birth_in_two_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    book = workbook(
        tmp_path / "annex.xlsx",
        {
            "List 8": [
                LIST8,
                ["C1", "a) Male", "a) WBRI", datetime(2016, 1, 1), datetime(2024, 1, 8), "C1", None],
            ]
        },
    )
    code, out, _ = run(capsys, "--db", str(db), "import", str(folder), str(book))
    assert code == 1
    assert (
        "2024-header.csv, row 2: child C1 has date of birth 05/06/2015 here but 01/01/2016 in annex.xlsx;"
        " which is right is unknown, so the child is not imported"
    ) in out
    assert counts(db) == (0, 0)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Message><Header/><Children><Child><ChildIdentifiers><LAchildID>&xxe;</LAchildID></ChildIdentifiers></Child></Children></Message>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&lol3;</CHILDID></HEADER></CHILD></EXPSSDA903>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_xml_with_entities_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: bytes
) -> None:
    db = tmp_path / "t.sqlite"
    path = tmp_path / "census.xml"
    path.write_bytes(payload)
    code, out, err = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1 and out == ""
    assert "census.xml: the XML declares a document type or entities" in err
    assert counts(db) == (0, 0)


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_the_xml_parser_itself_refuses_entities(tmp_path: Path, payload: bytes) -> None:
    """Behind detection's look at a file's start, every parse is defusedxml's: an entity declared
    further in (past 64 KiB, say) is refused there."""
    path = tmp_path / "late.xml"
    path.write_bytes(payload)
    with pytest.raises(SourceError, match=r"late\.xml: the XML declares a document type or entities"):
        files.parse_xml(path)


def test_a_200_mb_file_is_refused_unread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    path = tmp_path / "2024-episodes.csv"
    with path.open("wb") as fh:
        fh.truncate(files.MAX_FILE_BYTES + 1)  # sparse: nothing is really written
    code, _, err = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1
    assert "2024-episodes.csv: 200 MB is more than the 200 MB the tracker reads" in err
    assert counts(db) == (0, 0)


def test_a_workbook_that_unpacks_past_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "t.sqlite"
    path = workbook(tmp_path / "annex.xlsx", {"List 8": [LIST8]})
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(m.file_size for m in archive.infolist())
    monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", unpacked - 1)
    code, _, err = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1 and "annex.xlsx: the workbook would unpack to" in err and "zip bomb" in err
    assert counts(db) == (0, 0)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("annex.xlsx", b"Child Unique ID,Gender\n1,a\n", "annex.xlsx: not an Excel workbook"),
        ("2024-header.csv", b"PK\x03\x04binary", "2024-header.csv: not a CSV text file"),
        ("census.xml", b"CHILD,DOB\n1,2\n", "census.xml: not well-formed XML (no root element at its start)"),
        (
            "cin.xml",
            b"<Message><Children><Child></Message>",
            "cin.xml: not well-formed XML at line 1, column 28",
        ),
        ("old.xls", b"<html>a web page</html>", "old.xls: named .xls but not a legacy Excel workbook"),
        ("notes.docx", b"PK\x03\x04", "the tracker reads .json, .xlsx, .csv and .xml files"),
    ],
)
def test_a_file_that_is_not_what_its_name_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, reason: str
) -> None:
    db = tmp_path / "t.sqlite"
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1 and reason in err
    assert counts(db) == (0, 0)


def test_a_formula_with_no_saved_value_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    path = workbook(
        tmp_path / "annex.xlsx",
        {
            "List 8": [
                LIST8,
                ["A1", "a) Male", "a) WBRI", datetime(2015, 1, 1), datetime(2024, 1, 8), "C2", "=E2+20"],
            ]
        },
    )
    code, out, _ = run(capsys, "--db", str(db), "import", str(path))
    assert code == 1
    assert (
        "annex.xlsx, sheet 'List 8', row 2, column 'Date of Latest Statutory Review': child A1: "
        "the formula =E2+20 has no saved value"
    ) in out
    assert counts(db) == (0, 0)


def test_one_refused_file_of_several_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    bad = tmp_path / "census.xml"
    bad.write_bytes(XXE)
    code, out, err = run(capsys, "--db", str(db), "import", str(folder), str(bad))
    assert code == 1 and "Refused: census.xml" in out and "nothing was imported" in err
    assert counts(db) == (0, 0)
    code, out, _ = run(capsys, "--db", str(db), "import", str(folder), str(bad), "--valid-only")
    assert code == 0 and counts(db)[0] == 2


# ---- merging, preview, dry run --------------------------------------------------------------


def test_dry_run_prints_the_preview_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "t.sqlite"
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    db = open_database(db_path)
    with db.engine.connect() as conn:
        audits = conn.execute(select(func.count()).select_from(AUDIT_T)).scalar_one()
    db.engine.dispose()
    code, out, _ = run(
        capsys, "--db", str(db_path), "import", str(folder), "--dry-run", "--tracked-from", "2024-04-01"
    )
    assert code == 0
    assert "children: 2 to add, 0 to update, 0 unchanged" in out
    assert "events: 6 to add" in out
    assert "tracked from 01/04/2024 (given with --tracked-from)" in out
    assert "cannot hold (untracked): cla_visit" in out
    assert "Dry run: nothing was written." in out
    assert counts(db_path) == (0, 0)
    db = open_database(db_path)
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AUDIT_T)).scalar_one() == audits
    db.engine.dispose()


def test_a_tracked_from_outside_the_calendar_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    code, _, err = run(
        capsys, "--db", str(tmp_path / "t.sqlite"), "import", str(folder), "--tracked-from", "1900-01-01"
    )
    assert (
        code == 1
        and "--tracked-from 01/01/1900 is outside the years the tracker counts (1990 to 2070)" in err
    )


def test_an_in_year_return_is_tracked_from_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A return whose year has not ended would hide every clock until its 31 March: today is taken."""
    if (date.today().month, date.today().day) == (3, 31):
        pytest.skip("on 31 March the collection ends today")
    folder = tmp_path / "in-year"
    folder.mkdir()
    (folder / "header.csv").write_text(HEADER + "F1,1,01/01/2015,WBRI,,,\r\n", encoding="utf-8")
    (folder / "episodes.csv").write_text(
        EPISODES + f"F1,{date.today():%d/%m/%Y},S,C1,N1,U1,PR1,,,,,,\r\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "--db", str(tmp_path / "t.sqlite"), "import", str(folder))
    assert code == 0, err
    assert f"tracked from {date.today():%d/%m/%Y} (today: the collection end of the year" in out
    assert "after today (an in-year extract)" in out
    db = open_database(tmp_path / "t.sqlite")
    f1 = get_child(db, "F1")
    db.engine.dispose()
    assert f1 is not None and f1.to_json()["tracked_from"] == date.today().isoformat()


def test_903_events_and_the_tracked_from_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "t.sqlite"
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    code, _, err = run(capsys, "--db", str(db_path), "import", str(folder))
    assert code == 0, err
    db = open_database(db_path)
    c2 = get_child(db, "C2")
    assert c2 is not None
    assert [(e.type, e.date.isoformat(), dict(e.fields)) for e in c2.events] == [
        ("became_looked_after", "2023-03-01", {"legal_status": "V2"}),
        ("cla_review", "2023-03-28", {}),
        ("legal_status_changed", "2023-06-01", {"legal_status": "C2"}),
        ("ceased_looked_after", "2024-02-20", {"reason": "E41"}),
    ]
    assert c2.to_json()["tracked_from"] == "2024-03-31"
    db.engine.dispose()


def test_next_months_return_updates_and_never_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "t.sqlite"
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    assert run(capsys, "--db", str(db_path), "import", str(folder))[0] == 0
    later = GOOD_EPISODES.replace(
        "C1,08/01/2024,S,C1,N1,U1,PR1,,,", "C1,08/01/2024,S,C1,N1,U1,PR1,15/03/2024,E4A,"
    )
    folder = return_903(tmp_path / "r", GOOD_HEADER, later, GOOD_REVIEWS + "C1,05/06/2015,01/03/2024,PN1\r\n")
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(folder))
    assert code == 0
    assert "children: 0 to add, 1 to update, 1 unchanged" in out
    assert "events: 2 to add, 0 to update, 6 unchanged" in out
    db = open_database(db_path)
    c1 = get_child(db, "C1")
    assert c1 is not None
    assert [e.type for e in c1.events] == [
        "became_looked_after",
        "cla_review",
        "cla_review",
        "ceased_looked_after",
    ]
    db.engine.dispose()


def test_an_event_a_person_recorded_is_never_changed_and_the_record_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "t.sqlite"
    journey = {
        "format": "journey",
        "version": 1,
        "children": [
            {
                "id": "C1",
                "date_of_birth": "2015-06-04",
                "social_worker": "J. Smith",
                "events": [
                    {"id": "e1", "type": "became_looked_after", "date": "2024-01-08", "legal_status": "C2"},
                    {"id": "e2", "type": "cla_visit", "date": "2024-01-10", "seen_alone": True},
                ],
            }
        ],
    }
    path = tmp_path / "j.json"
    path.write_text(json.dumps(journey), encoding="utf-8")
    assert run(capsys, "--db", str(db_path), "import", str(path))[0] == 0
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    code, out, err = run(capsys, "--db", str(db_path), "import", str(folder))
    assert code == 0, err
    assert (
        "child C1: date_of_birth is '2015-06-04' in the record but '2015-06-05' in the SSDA903 (CSV)" in out
    )
    assert "child C1: became_looked_after on 2024-01-08: legal_status" not in out  # not a rule field
    db = open_database(db_path)
    c1 = get_child(db, "C1")
    assert c1 is not None
    assert c1.fields["date_of_birth"] == date(2015, 6, 4) and c1.fields["social_worker"] == "J. Smith"
    assert c1.fields["gender"] == "male"  # what the record lacked is filled in
    by_id = {e.id: e for e in c1.events}
    assert by_id["e1"].fields == {"legal_status": "C2"}  # the person's, not the return's C1
    assert not any(e.type == "became_looked_after" and e.id != "e1" for e in c1.events)
    assert {e.type for e in c1.events} == {"became_looked_after", "cla_visit", "cla_review"}
    # A record kept by hand keeps its completeness: no tracked_from is put on it.
    assert "tracked_from" not in c1.fields
    db.engine.dispose()
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(folder), "--source-wins")
    assert code == 0
    db = open_database(db_path)
    c1 = get_child(db, "C1")
    assert c1 is not None and c1.fields["date_of_birth"] == date(2015, 6, 5)
    assert {e.id: e for e in c1.events}["e1"].fields == {"legal_status": "C2"}
    db.engine.dispose()


def test_an_imported_event_a_person_edited_or_deleted_is_left_as_the_person_left_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "t.sqlite"
    folder = return_903(tmp_path / "r", GOOD_HEADER, GOOD_EPISODES, GOOD_REVIEWS)
    assert run(capsys, "--db", str(db_path), "import", str(folder))[0] == 0
    db = open_database(db_path)
    c2 = get_child(db, "C2")
    assert c2 is not None
    became = next(e for e in c2.events if e.type == "became_looked_after")
    review = next(e for e in c2.events if e.type == "cla_review")
    save_event(db, "C2", replace(became, fields={"legal_status": "C1"}, note="corrected from the court file"))
    delete_event(db, "C2", review.id)
    db.engine.dispose()
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(folder))
    assert code == 0
    assert "child C2: became_looked_after on 2023-03-01 (edited by a person)" in out
    assert "child C2: cla_review on 2023-03-28 is 'deleted by a person'" in out
    assert "0 events added, 0 updated" in out
    db = open_database(db_path)
    c2 = get_child(db, "C2")
    assert c2 is not None
    again = next(e for e in c2.events if e.id == became.id)
    assert again.fields == {"legal_status": "C1"} and again.note == "corrected from the court file"
    assert not any(e.type == "cla_review" for e in c2.events)
    db.engine.dispose()


def test_plain_journey_import_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: Path
) -> None:
    db = tmp_path / "t.sqlite"
    code, out, _ = run(capsys, "--db", str(db), "import", str(examples / "journey.json"))
    assert code == 0 and out.startswith("3 children added")
    assert "Source 1" not in out


def test_a_mapped_spreadsheet_and_an_allocation_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "t.sqlite"
    plo = workbook(
        tmp_path / "plo.xlsx",
        {
            "Tracker": [
                ["Court team PLO tracker"],
                ["Child ID", "Name", "LBP sent", "Issued", "Case no", "Worker"],
                ["P1", "Amira", datetime(2025, 1, 6), datetime(2025, 5, 1), "=cmd|' /C calc'!A0", "A. Jones"],
                ["P2", "Ben", "07/01/2025", None, None, "B. Khan"],
            ]
        },
    )
    mapping = {
        "child_id": "Child ID",
        "sheet": "Tracker",
        "header_row": 2,
        "fields": {"given_name": "Name", "social_worker": "Worker"},
        "events": [
            {"type": "letter_before_proceedings", "date": "LBP sent"},
            {"type": "proceedings_issued", "date": "Issued", "fields": {"case_number": "Case no"}},
        ],
        "untracked": ["pre_proceedings_meeting"],
        "tracked_from": "2025-01-01",
    }
    mfile = tmp_path / "m.json"
    mfile.write_text(json.dumps(mapping), encoding="utf-8")
    code, out, _ = run(capsys, "--db", str(db_path), "mapping", "save", "court team", "--file", str(mfile))
    assert code == 0 and "saved" in out
    code, out, _ = run(capsys, "--db", str(db_path), "mapping", "list")
    assert out.strip() == "court team"
    code, out, _ = run(capsys, "--db", str(db_path), "mapping", "show", "court team")
    assert code == 0 and json.loads(out) == mapping
    code, out, err = run(capsys, "--db", str(db_path), "import", str(plo), "--mapping", "court team")
    assert code == 0, err + out
    db = open_database(db_path)
    p1 = get_child(db, "P1")
    assert p1 is not None
    assert p1.fields["given_name"] == "Amira" and p1.fields["social_worker"] == "A. Jones"
    assert [(e.id, e.type) for e in p1.events] == [
        ("map:court team:P1:letter_before_proceedings:2025-01-06", "letter_before_proceedings"),
        ("map:court team:P1:proceedings_issued:2025-05-01", "proceedings_issued"),
    ]
    assert p1.to_json()["tracked_from"] == "2025-01-01" and p1.to_json()["untracked"] == [
        "pre_proceedings_meeting"
    ]
    db.engine.dispose()
    # An allocation list (CSV) updates workers when the person says the list wins.
    alloc = tmp_path / "allocations.csv"
    alloc.write_text("Child ID,Social worker,Team,IRO\nP1,C. Brown,North,D. Patel\n", encoding="utf-8")
    mfile.write_text(
        json.dumps(
            {
                "child_id": "Child ID",
                "fields": {"social_worker": "Social worker", "team": "Team", "reviewing_officer": "IRO"},
            }
        ),
        encoding="utf-8",
    )
    assert run(capsys, "--db", str(db_path), "mapping", "save", "allocations", "--file", str(mfile))[0] == 0
    code, out, _ = run(
        capsys, "--db", str(db_path), "import", str(alloc), "--mapping", "allocations", "--source-wins"
    )
    assert code == 0
    assert "social_worker is 'A. Jones' in the record but 'C. Brown'" in out
    db = open_database(db_path)
    p1 = get_child(db, "P1")
    assert p1 is not None
    assert (p1.fields["social_worker"], p1.fields["team"], p1.fields["reviewing_officer"]) == (
        "C. Brown",
        "North",
        "D. Patel",
    )
    assert p1.to_json()["tracked_from"] == "2025-01-01"  # an allocation list sets no tracked_from
    db.engine.dispose()


def test_a_bad_mapping_is_refused_with_its_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    mfile = tmp_path / "m.json"
    mfile.write_text(
        json.dumps({"child_id": "ID", "events": [{"type": "court_hearing", "date": "D"}]}), encoding="utf-8"
    )
    code, _, err = run(capsys, "--db", str(db), "mapping", "save", "x", "--file", str(mfile))
    assert code == 1 and "events #1: 'court_hearing' is not an event type." in err
    code, _, err = run(capsys, "--db", str(db), "import", str(mfile), "--mapping", "nope")
    assert code == 1 and "No mapping named 'nope'" in err


# ---- Annex A out, and the round trip ---------------------------------------------------------

ROUND_TRIP = {
    "format": "journey",
    "version": 1,
    "children": [
        {
            "id": "LA-1",
            "date_of_birth": "2016-02-01",
            "gender": "female",
            "ethnicity": "WBRI",
            "team": '=HYPERLINK("http://x")',
            "social_worker": "J. Smith",
            "events": [
                {"id": "a", "type": "became_looked_after", "date": "2024-01-08", "legal_status": "C1"},
                {"id": "b", "type": "cla_visit", "date": "2024-01-12"},
                {"id": "c", "type": "cla_review", "date": "2024-02-02"},
                {"id": "d", "type": "legal_status_changed", "date": "2024-05-20", "legal_status": "C2"},
            ],
        },
        {
            "id": "LA-2",
            "date_of_birth": "2012-09-09",
            "events": [
                {"id": "a", "type": "became_looked_after", "date": "2023-06-05", "legal_status": "V2"},
                {"id": "b", "type": "cla_review", "date": "2023-07-10"},
                {"id": "c", "type": "ceased_looked_after", "date": "2024-03-01", "reason": "E4A"},
            ],
        },
        {
            "id": "CP-1",
            "date_of_birth": "2019-03-03",
            "events": [
                {"id": "a", "type": "strategy_discussion", "date": "2024-01-03", "s47": True},
                {"id": "b", "type": "icpc", "date": "2024-01-29", "outcome": "plan", "category": "neglect"},
                {"id": "c", "type": "cp_visit", "date": "2024-02-05", "seen_alone": True},
                {"id": "d", "type": "cp_review", "date": "2024-04-22"},
            ],
        },
        {
            "id": "CP-2",
            "date_of_birth": "2020-01-01",
            "events": [
                {"id": "a", "type": "strategy_discussion", "date": "2024-02-01", "s47": True},
                {"id": "b", "type": "s47_concluded", "date": "2024-02-09", "icpc_needed": False},
                {"id": "c", "type": "strategy_discussion", "date": "2024-03-04", "s47": True},
            ],
        },
    ],
}
#: Rules whose events Annex A cannot carry (no core groups, no dated permanence plans).
NOT_CARRIED = {"cp.core_group_10wd", "cla.permanence_by_second_review"}


def _deadlines(db: Database, as_of: date) -> list[tuple[Any, ...]]:
    return sorted(
        (d.child_id, d.rule, d.trigger, d.due, d.done, d.status.value, d.late_by)
        for d in compute_deadlines(db, as_of)
        if d.rule not in NOT_CARRIED
    )


def test_annex_a_round_trip_brings_the_deadlines_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source_db, target_db = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    journey = tmp_path / "j.json"
    journey.write_text(json.dumps(ROUND_TRIP), encoding="utf-8")
    assert run(capsys, "--db", str(source_db), "import", str(journey))[0] == 0
    out_path = tmp_path / "annex.xlsx"
    code, out, err = run(
        capsys, "--db", str(source_db), "export-annex-a", str(out_path), "--as-of", "2024-06-30"
    )
    assert code == 0, err
    assert "List 5: 3 rows, List 7: 1 rows, List 8: 2 rows" in out
    assert stat.S_IMODE(os.stat(out_path).st_mode) == 0o600
    db = open_database(source_db)
    with db.engine.connect() as conn:
        (after,) = conn.execute(select(AUDIT_T.c.after).where(AUDIT_T.c.entity == "annex-a")).scalars()
    db.engine.dispose()
    assert json.loads(after)["rows"] == {"List 5": 3, "List 7": 1, "List 8": 2}
    wb = openpyxl.load_workbook(out_path, read_only=True)
    rows = list(wb["List 8"].iter_rows(values_only=True))
    assert rows[0] == ("List 8: Children in care",)
    assert rows[1][0] == "Child Unique ID" and rows[1][7] == "Date Started to be Looked After"
    la1 = next(r for r in rows[2:] if r[0] == "LA-1")
    assert la1[rows[1].index("Allocated Team")] == '\'=HYPERLINK("http://x")'  # neutralised
    assert la1[rows[1].index("Child's Legal Status")] == "C2"
    wb.close()
    # Into an empty database; tracked from the first day of the record, so no clock is hidden.
    code, out, err = run(
        capsys, "--db", str(target_db), "import", str(out_path), "--tracked-from", "2023-06-05"
    )
    assert code == 0, err + out
    a, b = open_database(source_db), open_database(target_db)
    try:
        for as_of in (date(2024, 3, 15), date(2024, 6, 30)):
            assert _deadlines(b, as_of) == _deadlines(a, as_of)
        assert _deadlines(a, date(2024, 6, 30))  # not vacuous
        with b.engine.connect() as conn:
            assert {c.id for c in iter_children(conn)} == {"LA-1", "LA-2", "CP-1", "CP-2"}
    finally:
        a.engine.dispose()
        b.engine.dispose()


# ---- the engine after an SSDA903 import -------------------------------------------------------

HELD_RULES = {"cla.review_first_20wd", "cla.review_second_3m", "cla.review_6m"}


def test_after_the_903_sample_only_what_the_return_shows_is_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = shared_samples() / "d2i-csc-validator-be-903"
    folder = tmp_path / "r"
    folder.mkdir()
    for name in ("header.csv", "episodes.csv", "reviews.csv"):
        shutil.copy(samples / name, folder / name)
    db_path = tmp_path / "t.sqlite"
    assert run(capsys, "--db", str(db_path), "import", str(folder))[0] == 0
    db = open_database(db_path)
    try:
        flagged = [d for d in compute_deadlines(db, date(2019, 3, 31)) if d.status.value == "overdue"]
        # No clock whose event the return does not hold (visits, permanence plans, CP).
        assert not [d for d in flagged if d.rule not in HELD_RULES]
        assert flagged  # the reviews the return shows late are still flagged
    finally:
        db.engine.dispose()
