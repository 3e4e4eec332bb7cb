"""Bad input (issue 14): malformed and questionable journey files are refused in one sentence with
their place, and nothing is written; terminal output, CSV cells, stored values and long names are
made safe."""

from __future__ import annotations

import csv
import io
import json
import pickle
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from models.cli import main, terminal_text
from models.domain.journey import TEXT_FIELDS
from models.domain.rules import Standards
from models.io.audited_export import export_csv
from models.io.export import neutralise
from models.io.journey_io import MAX_DEPTH, ImportError_, export_journey, import_file, loads_strict
from models.reports import styles as S
from models.reports.registry import build_report, make_request
from models.reports.tables import MAX_CELL_CHARS, MAX_CELL_LINES, clip, wrap_text
from models.screens.overview import build_overview
from models.storage.bulk import judge_chunks
from models.storage.db import Database, DatabaseDamaged, connect_file, open_database
from models.storage.read_check import StoredValueInvalid
from models.storage.store import child_ids, compute_deadlines, get_child, stream_deadlines
from models.storage.tables import AuditRow, Child, EventRow


def journey(*children: dict[str, Any]) -> dict[str, Any]:
    return {"format": "journey", "version": 1, "children": list(children)}


def child(cid: Any = "C-1", events: Any = None, **fields: Any) -> dict[str, Any]:
    return {"id": cid, "date_of_birth": "2015-05-05", **fields, "events": events or []}


def visit(eid: Any = "e1", **fields: Any) -> dict[str, Any]:
    return {"id": eid, "type": "cla_visit", "date": "2025-01-06", **fields}


def rows(db: Database) -> tuple[int, int, int]:
    with db.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (Child, EventRow, AuditRow)
        )


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "in.json"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def refused(db: Database, path: Path) -> str:
    """The refusal of importing `path`, as the person reads it, after checking nothing was written."""
    before = rows(db)
    with pytest.raises(ImportError_) as exc:
        import_file(db, path)
    assert rows(db) == before
    text = str(exc.value) + "".join(f"\n{i}" for i in exc.value.issues)
    assert "Traceback" not in text
    return text


# --- 1. The strict journey reader -------------------------------------------------------------


def test_a_key_given_twice_is_refused_with_its_path(db: Database, tmp_path: Path) -> None:
    text = '{"format": "journey", "version": 1, "children": [{"id": "C-1", "events": [], "id": "C-2"}]}'
    message = refused(db, write(tmp_path, text))
    assert 'the key "id" appears twice in the object at $.children[0]' in message


def test_deep_nesting_is_refused_before_parsing(db: Database, tmp_path: Path) -> None:
    deep = '{"format": "journey", "version": 1, "children": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert f"at most {MAX_DEPTH} deep" in refused(db, write(tmp_path, deep))
    # Brackets inside strings are text, not nesting.
    ok = json.dumps(journey(child(given_name="[" * 500)))
    assert loads_strict(ok)["children"][0]["given_name"] == "[" * 500


def test_a_very_long_integer_is_a_sentence(db: Database, tmp_path: Path) -> None:
    text = json.dumps(journey(child(events=[visit()]))).replace('"e1"', "1" + "0" * 5000)
    assert "a number too long to read" in refused(db, write(tmp_path, text))


def test_nan_and_infinity_are_refused(db: Database, tmp_path: Path) -> None:
    text = json.dumps(journey(child(events=[visit()]))).replace('"e1"', "NaN")
    assert "NaN is not a number that JSON allows" in refused(db, write(tmp_path, text))


def test_a_lone_surrogate_is_refused_with_its_path(db: Database, tmp_path: Path) -> None:
    text = json.dumps(journey(child(given_name="Ann"))).replace("Ann", "An\\ud800n")
    assert "$.children[0].given_name holds a lone surrogate" in refused(db, write(tmp_path, text))
    # A proper pair is an ordinary character.
    paired = json.dumps(journey(child(given_name="Ann"))).replace("Ann", "An\\ud83d\\ude00n")
    import_file(db, write(tmp_path, paired))
    record = get_child(db, "C-1")
    assert record is not None and record.fields["given_name"] == "An\U0001f600n"


def test_invalid_utf8_is_refused(db: Database, tmp_path: Path) -> None:
    raw = json.dumps(journey(child(given_name="Ann"))).encode().replace(b"Ann", b"A\xffnn")
    assert "not UTF-8 text" in refused(db, write(tmp_path, raw))


@pytest.mark.parametrize(
    ("char", "where"),
    [
        ("\x00", "id"),
        ("\x1b", "id"),
        ("\x9b", "given_name"),
        ("\x1b", "family_name"),
        ("\u202e", "family_name"),
        ("\u2066", "social_worker"),
        ("\t", "given_name"),
        ("\n", "team"),
        ("\u200b", "id"),
        ("\ufeff", "id"),
    ],
)
def test_control_escape_and_bidi_characters_are_refused_in_ids_and_names(
    db: Database, tmp_path: Path, char: str, where: str
) -> None:
    record = child() if where == "id" else child(**{where: f"Ann{char}e"})
    if where == "id":
        record["id"] = f"C{char}1"
    message = refused(db, write(tmp_path, json.dumps(journey(record))))
    assert f"field '{where}': contains control characters (U+{ord(char):04X}" in message


@pytest.mark.parametrize(("char", "where"), [("\x1b", "note"), ("\x00", "note"), ("\x07", "recorded_by")])
def test_control_characters_are_refused_in_event_text(
    db: Database, tmp_path: Path, char: str, where: str
) -> None:
    message = refused(db, write(tmp_path, json.dumps(journey(child(events=[visit(**{where: f"a{char}b"})])))))
    assert f"child C-1 (#1), event e1 (#1), field '{where}': contains control characters" in message


def test_notes_may_hold_tabs_and_line_breaks(db: Database, tmp_path: Path) -> None:
    import_file(db, write(tmp_path, json.dumps(journey(child(events=[visit(note="one\ttwo\nthree")])))))
    record = get_child(db, "C-1")
    assert record is not None and record.events[0].note == "one\ttwo\nthree"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            child(cid=["C-1"]),
            "child (no id) (#1), field 'id': id is required and must be non-empty text, not ['C-1']",
        ),
        (child(cid={"a": 1}), "field 'id': id is required and must be non-empty text"),
        (child(cid=7), "field 'id': id is required and must be non-empty text, not 7"),
        (
            child(events=[visit(eid=["x"])]),
            "event (no id) (#1), field 'id': id must be non-empty text, not ['x']",
        ),
        (
            child(events=[{**visit(), "type": ["cla_visit"]}]),
            "field 'type': unknown event type ['cla_visit']",
        ),
        (child(events=[{**visit(), "type": {"a": 1}}]), "field 'type': unknown event type {'a': 1}"),
        (child(given_name=["Ann"]), "field 'given_name': must be text, not ['Ann']"),
        (child(untracked=[["x"]], tracked_from="2024-01-01"), "field 'untracked'"),
    ],
)
def test_values_of_the_wrong_type_are_refused_without_a_traceback(
    db: Database, tmp_path: Path, record: dict[str, Any], expected: str
) -> None:
    assert expected in refused(db, write(tmp_path, json.dumps(journey(record))))


@pytest.mark.parametrize(
    ("field", "limit"), [("id", 100), ("given_name", 200), ("family_name", 200), ("note", 5000)]
)
def test_text_fields_have_lengths(db: Database, tmp_path: Path, field: str, limit: int) -> None:
    assert TEXT_FIELDS[field].max_length == limit

    def doc(length: int) -> str:
        text = "x" * length
        if field == "id":
            return json.dumps(journey(child(cid=text)))
        if field == "note":
            return json.dumps(journey(child(events=[visit(note=text)])))
        return json.dumps(journey(child(**{field: text})))

    message = refused(db, write(tmp_path, doc(limit + 1)))
    assert f"field '{field}': is {limit + 1:,} characters long;" in message
    assert f"at most {limit:,}" in message
    import_file(db, write(tmp_path, doc(limit)))


def test_ids_are_trimmed_and_composed_on_read(db: Database, tmp_path: Path) -> None:
    decomposed = "Ame\u0301lie-1"  # 'é' as 'e' and a combining acute accent
    import_file(
        db, write(tmp_path, json.dumps(journey(child(cid=f"  {decomposed} ", events=[visit(eid=" e1 ")]))))
    )
    assert child_ids(db) == ["Am\u00e9lie-1"]
    record = get_child(db, "Am\u00e9lie-1")
    assert record is not None and [e.id for e in record.events] == ["e1"]


@pytest.mark.parametrize("other", ["A1 ", "a1", "\uff211", " \uff41\uff11"])
def test_ids_that_read_the_same_are_duplicates(db: Database, tmp_path: Path, other: str) -> None:
    message = refused(db, write(tmp_path, json.dumps(journey(child(cid="A1"), child(cid=other)))))
    assert "child A1 (#1), field 'id': the same child id appears more than once" in message
    assert "(#2), field 'id': the same child id appears more than once" in message


def test_event_ids_that_read_the_same_are_duplicates(db: Database, tmp_path: Path) -> None:
    events = [visit("E1"), {**visit("e1 "), "date": "2025-02-03"}]
    assert "the same event id appears twice" in refused(
        db, write(tmp_path, json.dumps(journey(child(events=events))))
    )


# --- 2. Terminal output escaped ---------------------------------------------------------------


def hostile_database(tmp_path: Path) -> Path:
    """A database whose child ids hold terminal escapes (as one written before the strict reader,
    or by hand): written with raw sqlite3, under the tracker's own schema."""
    path = tmp_path / "hostile.sqlite"
    db = open_database(path)
    import_file(
        db,
        write(
            tmp_path,
            json.dumps(journey(child("C-1", events=[LOOKED_AFTER]), child("C-2", events=[LOOKED_AFTER]))),
        ),
    )
    db.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        for old, new in (("C-1", HOSTILE_ID), ("C-2", "C-2\u202e\x9b2J")):
            conn.execute("UPDATE child SET id = ? WHERE id = ?", (new, old))
            conn.execute("UPDATE event SET child_id = ? WHERE child_id = ?", (new, old))
    return path


LOOKED_AFTER = {"id": "e1", "type": "became_looked_after", "date": "2025-01-06"}
HOSTILE_ID = "C-1\x1b]0;pwned\x07\x1b[2J\r"


def assert_no_raw_escapes(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b\u202e\r"), repr(text)


def test_drift_prints_no_raw_terminal_escapes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(hostile_database(tmp_path))
    assert main(["--db", db, "drift", "--as-of", "2025-03-03"]) == 0
    out = capsys.readouterr().out
    assert_no_raw_escapes(out)
    assert "C-1\\x1b]0;pwned\\x07\\x1b[2J\\r" in out

    assert main(["--db", db, "drift", "--as-of", "2025-03-03", "--json"]) == 0
    out = capsys.readouterr().out
    assert_no_raw_escapes(out)
    assert {row["child_id"] for row in json.loads(out)} == {
        HOSTILE_ID,
        "C-2\u202e\x9b2J",
    }  # valid JSON, the id intact


def test_cli_errors_naming_a_child_print_no_raw_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(hostile_database(tmp_path))
    assert (
        main(["--db", db, "report", "chronology", "--child", "C-9\x1b[2J", "-o", str(tmp_path / "r.pdf")])
        == 1
    )
    err = capsys.readouterr().err
    assert "C-9\\x1b[2J" in err
    assert_no_raw_escapes(err)
    assert terminal_text("Ann\tO'Neil\n") == "Ann\tO'Neil\n"
    assert terminal_text("\x1b[31m\u202e\ud800") == "\\x1b[31m\\u202e\\ud800"


# --- 3. CSV formula neutralising --------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        ' =HYPERLINK("http://x")',
        "\u00a0=cmd|' /C calc'!A0",
        "\u200b=1",
        "\ufeff@SUM(A1)",
        "\u2060+1",
        "\u3000-1",
        " \t=1",
        "\n=1",
        "\t1",
        "\r1",
        "\u200e\u202e=1",
    ],
)
def test_a_formula_after_white_space_or_invisible_characters_is_neutralised(
    tmp_path: Path, cell: str
) -> None:
    path = tmp_path / "out.csv"
    db = open_database(tmp_path / "t.sqlite")
    export_csv(db, path, ["child_id", "note"], [["C-1", cell]], what="test")
    db.dispose()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[1] == ["C-1", "'" + cell]


@pytest.mark.parametrize("cell", ["C-1", "Ann O'Neil", " Ann", "\u00a0Smith", "a=b", "1-2", "", "x@y"])
def test_plain_text_is_left_as_it_is(cell: str) -> None:
    assert neutralise(cell) == cell
    assert neutralise(-3) == "-3"  # a number is data, not a formula


# --- 4. Stored values validated as they are read ----------------------------------------------


def damaged_value(tmp_path: Path, sql: str) -> Database:
    """A well-formed database with one bad value written by raw sqlite3 (`sql`); the rest is fine."""
    path = tmp_path / "damaged.sqlite"
    db = open_database(path)
    events = [
        {"id": "e1", "type": "became_looked_after", "date": "2025-01-06"},
        {"id": "e2", "type": "cla_review", "date": "2025-01-20"},
        {"id": "e3", "type": "drp_raised", "date": "2025-01-21", "ref": "D1", "stage": 1},
    ]
    import_file(
        db, write(tmp_path, json.dumps(journey(child("C-0"), child("C-1", events=events), child("C-2"))))
    )
    db.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    return open_database(path)


READERS: dict[str, Callable[[Database], object]] = {
    "get_child": lambda db: get_child(db, "C-1"),
    "iter_children (export)": lambda db: export_journey(db),
    "one child's deadlines": lambda db: compute_deadlines(db, date(2025, 3, 3), "C-1"),
    "every deadline": lambda db: compute_deadlines(db, date(2025, 3, 3), share=False),
    "streamed deadlines (drift)": lambda db: list(stream_deadlines(db, date(2025, 3, 3))),
    "overview (the desktop's pages)": lambda db: build_overview(db, date(2025, 3, 3)),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("sql", "field", "value"),
    [
        ("UPDATE event SET date = 'garbage' WHERE event_id = 'e2'", "date", "'garbage'"),
        ("UPDATE event SET date = '2025-02-30' WHERE event_id = 'e2'", "date", "'2025-02-30'"),
        ("UPDATE event SET type = 'tea_party' WHERE event_id = 'e2'", "type", "'tea_party'"),
        ("UPDATE event SET drp_stage = 'x' WHERE event_id = 'e3'", "stage", "'x'"),
        ("UPDATE event SET drp_stage = 9 WHERE event_id = 'e3'", "stage", "9"),
    ],
)
def test_a_bad_stored_event_value_names_the_child_and_event(
    tmp_path: Path, reader: str, sql: str, field: str, value: str
) -> None:
    db = damaged_value(tmp_path, sql)
    with pytest.raises(StoredValueInvalid) as exc:
        READERS[reader](db)
    assert isinstance(exc.value, DatabaseDamaged)
    message = str(exc.value)
    event = "e3" if "e3" in sql else "e2"
    assert f"(child C-1, event {event}, field '{field}' holds {value}, which is not " in message
    assert str(db.path) in message and "the newest good backup restored" in message
    db.engine.dispose()


def test_a_bad_stored_child_value_names_the_child(tmp_path: Path) -> None:
    db = damaged_value(tmp_path, "UPDATE child SET tracked_from = 'soon' WHERE id = 'C-2'")
    as_of = date(2025, 3, 3)
    readers: list[Callable[[], object]] = [
        lambda: get_child(db, "C-2"),
        lambda: export_journey(db),
        lambda: compute_deadlines(db, as_of, "C-2"),
        lambda: compute_deadlines(db, as_of, share=False),
        lambda: build_overview(db, as_of),
    ]
    for read in readers:
        with pytest.raises(StoredValueInvalid, match=r"child C-2, field 'tracked_from' holds 'soon'"):
            read()
    db.engine.dispose()


def test_the_worker_process_path_names_the_value_too(tmp_path: Path) -> None:
    """The shared read (`judge_chunks`, as the worker runs it), and the exception across processes."""
    db = damaged_value(tmp_path, "UPDATE event SET date = 'garbage' WHERE event_id = 'e2'")
    assert db.path is not None
    conn = connect_file(db.path, read_only=True)
    try:
        with pytest.raises(StoredValueInvalid) as exc:
            judge_chunks(conn, [(None, None)], date(2025, 3, 3), Standards())
    finally:
        conn.close()
    again = pickle.loads(pickle.dumps(exc.value))
    assert str(again) == str(exc.value) and "child C-1, event e2, field 'date'" in str(again)
    db.engine.dispose()


def test_the_cli_says_a_bad_stored_value_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = damaged_value(tmp_path, "UPDATE event SET date = 'garbage' WHERE event_id = 'e2'")
    db.engine.dispose()
    for args in (
        ["drift", "--as-of", "2025-03-03"],
        ["drift", "--json"],
        ["export", str(tmp_path / "x.json")],
    ):
        assert main(["--db", str(tmp_path / "damaged.sqlite"), *args]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert err.startswith("permanence-tracker: The database ") and err.count("\n") == 1
        assert "child C-1, event e2, field 'date' holds 'garbage'" in err
    assert not (tmp_path / "x.json").exists()


def test_good_values_read_as_before(tmp_path: Path) -> None:
    db = damaged_value(tmp_path, "SELECT 1")
    record = get_child(db, "C-1")
    assert record is not None and [e.date for e in record.events] == [
        date(2025, 1, 6),
        date(2025, 1, 20),
        date(2025, 1, 21),
    ]
    assert compute_deadlines(db, date(2025, 3, 3), share=False) == [
        d for chunk in stream_deadlines(db, date(2025, 3, 3)) for d in chunk
    ]
    db.engine.dispose()


# --- 6. Long names in printed reports ---------------------------------------------------------


@pytest.mark.parametrize("report", ["chronology", "court-chronology"])
@pytest.mark.parametrize("name", ["A" * 5000, "Abcdefghi " * 500])
def test_a_very_long_stored_name_is_clipped_in_the_pdf(tmp_path: Path, report: str, name: str) -> None:
    """A 5,000-character name (imports refuse over 200, so written directly) prints clipped: every
    page marked and numbered, the name's start there, never all of it."""
    damaged_value(tmp_path, "SELECT 1").engine.dispose()
    path = tmp_path / "damaged.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE child SET given_name = ?, social_worker = ? WHERE id = 'C-1'", (name, name))
        conn.execute("UPDATE event SET note = ? WHERE child_id = 'C-1'", (name,))
    db = open_database(path)
    pdf = build_report(db, make_request(report, date(2025, 3, 3), child_id="C-1"))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert all(text.count("OFFICIAL-SENSITIVE") >= 2 for text in pages)
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, 1))
    whole = "".join(pages).replace("\n", "")
    assert name[:40].strip() in whole.replace(" ", "") or name[:40] in whole
    assert name.replace(" ", "") not in whole.replace(" ", "")  # clipped, not printed whole
    assert "…" in whole
    db.engine.dispose()


def test_a_cell_is_clipped_before_it_is_measured() -> None:
    lines = wrap_text("A" * 10_000, S.FONT, 8, 60)
    assert len(lines) == MAX_CELL_LINES and lines[-1].endswith(" …")
    assert (
        clip("x" * 10_000) == "x" * (MAX_CELL_CHARS - 2) + " …" and len(clip("x" * 10_000)) == MAX_CELL_CHARS
    )
    assert clip("Ann") == "Ann"


def test_an_id_that_reads_the_same_as_one_in_the_tracker_is_refused(db: Database, tmp_path: Path) -> None:
    import_file(db, write(tmp_path, json.dumps(journey(child("A1")))))
    message = refused(db, write(tmp_path, json.dumps(journey(child("\uff41\uff11"), child("B2")))))
    assert "field 'id': the id reads the same as 'A1', already in the tracker" in message
    result = import_file(db, write(tmp_path, json.dumps(journey(child("a1"), child("B2")))), valid_only=True)
    assert result.children_added == 1 and result.skipped_children == ["a1"]
    assert child_ids(db) == ["A1", "B2"]
    assert not import_file(
        db, write(tmp_path, json.dumps(journey(child("A1"))))
    ).changed  # the same id is fine
