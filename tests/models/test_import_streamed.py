"""The journey file imported a child at a time (issue 20): the same rows, result, audit and errors
as reading the whole file, whatever the layout of the file and wherever a read ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.io import journey_io
from models.io.journey_io import ImportError_, ImportResult, import_file, import_journey
from models.storage.db import Database, open_database
from models.storage.store import AUDIT_T, CHILD_T, EVENT_T


def _child(cid: str, *events: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": cid, "date_of_birth": "2015-05-05", **fields, "events": list(events)}


def _ev(eid: str, kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"id": eid, "type": kind, "date": day, **fields}


GOOD = [
    _child("C-1", _ev("a", "became_looked_after", "2024-09-02"), given_name="Zoë Ångström"),
    _child("C-2", _ev("b", "strategy_discussion", "2025-01-06"), _ev("c", "s47_started", "2025-01-07")),
    _child("C-3"),
    _child("C-4", _ev("d", "became_looked_after", "2024-10-01", note="née 🙂 “quoted”")),
    _child("C-5", _ev("e", "became_looked_after", "2024-11-11")),
]
BAD = [
    *GOOD[:2],
    _child("C-2", _ev("x", "became_looked_after", "2024-09-02")),  # a second C-2: both invalid
    _child("C-6", _ev("y", "no_such_type", "2024-09-02")),
    "not an object",
    *GOOD[3:],
]


def _state(db: Database) -> tuple[list[Any], list[Any], list[Any]]:
    with db.engine.connect() as conn:
        children = [tuple(r) for r in conn.execute(select(CHILD_T).order_by(CHILD_T.c.id))]
        events = [tuple(r) for r in conn.execute(select(EVENT_T).order_by(EVENT_T.c.pk))]
        audit = [
            (r.action, r.entity, r.entity_id, r.child_id, r.before, r.after)
            for r in conn.execute(select(AUDIT_T).order_by(AUDIT_T.c.id))
        ]
    return children, events, audit


def _whole(db: Database, path: Path, valid_only: bool) -> ImportResult | str:
    """What the import did before it was streamed: the file parsed whole, then imported."""
    try:
        data, digest = journey_io._read(path)
        return import_journey(db, data, valid_only=valid_only, source=str(path), digest=digest)
    except ImportError_ as exc:
        return f"{exc} {[str(i) for i in exc.issues]}"


def _streamed(db: Database, path: Path, valid_only: bool) -> ImportResult | str:
    try:
        return import_file(db, path, valid_only=valid_only)
    except ImportError_ as exc:
        return f"{exc} {[str(i) for i in exc.issues]}"


def _compare(tmp_path: Path, text: str, *, valid_only: bool = False, before: list[Any] | None = None) -> None:
    path = tmp_path / "journey.json"
    path.write_text(text, encoding="utf-8")
    dbs = []
    for name in ("whole", "streamed"):
        db = open_database(tmp_path / f"{name}.sqlite")
        if before is not None:
            import_journey(db, {"format": "journey", "version": 1, "children": before})
        dbs.append(db)
    try:
        want = _whole(dbs[0], path, valid_only)
        got = _streamed(dbs[1], path, valid_only)
        assert got == want
        assert _state(dbs[1]) == _state(dbs[0])
    finally:
        for db in dbs:
            db.engine.dispose()


def _doc(children: list[Any], **extra: Any) -> dict[str, Any]:
    return {"format": "journey", "version": 1, **extra, "children": children}


@pytest.fixture(params=[1 << 20, 1, 7, 64], ids=["1MiB", "1byte", "7bytes", "64bytes"])
def read_bytes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Reads of every size, so that a value, a name or a character is cut at every place; and a
    chunk of two children, so that the writes come in several chunks."""
    monkeypatch.setattr(journey_io, "READ_BYTES", request.param)
    monkeypatch.setattr(journey_io, "IMPORT_CHUNK", 2)
    return int(request.param)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(_doc(GOOD), indent=1, ensure_ascii=False),
        json.dumps(_doc(GOOD), separators=(",", ":")),
        # children before the file's own keys, other keys, numbers, whitespace everywhere
        '\n { "children" :\t[' + ",\r\n".join(json.dumps(c) for c in GOOD) + '] , "version" : 1 ,'
        ' "note": [1, 2.5e3, {"x": null}], "format": "journey", "exported": 12345678901234567890 }\n',
        json.dumps(_doc([])),
    ],
    ids=["indented", "compact", "keys-after-children", "no-children"],
)
def test_the_streamed_import_is_the_whole_files_import(tmp_path: Path, read_bytes: int, text: str) -> None:
    _compare(tmp_path, text)


@pytest.mark.parametrize("valid_only", [False, True])
def test_errors_are_found_in_every_child_and_nothing_is_kept(
    tmp_path: Path, read_bytes: int, valid_only: bool
) -> None:
    """A duplicated id (the first copy already past), a bad event, a record that is not an object:
    the same issues, in the same order; nothing written, or the valid children only."""
    _compare(tmp_path, json.dumps(_doc(BAD), indent=1), valid_only=valid_only)


def test_an_import_over_existing_children_updates_them_alike(tmp_path: Path, read_bytes: int) -> None:
    before = [_child("C-2", _ev("b", "strategy_discussion", "2025-01-03")), GOOD[2], _child("C-9")]
    _compare(tmp_path, json.dumps(_doc(GOOD)), before=before)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff" + json.dumps(_doc(GOOD)),  # a byte-order mark: json.loads refuses it
        json.dumps(_doc(GOOD))[:-3],  # cut short
        json.dumps(_doc(GOOD)) + " []",  # more after the object
        json.dumps(_doc(GOOD))[:-1] + ', "format": "journey"}',  # a key given twice
        json.dumps(GOOD),  # not an object
        json.dumps({"format": "journey", "version": 1, "children": {"C-1": GOOD[0]}}),
        json.dumps({"format": "journey", "version": 1}),
        json.dumps({"format": "journey", "version": 2, "children": GOOD}),
        json.dumps({"format": "other", "version": 1, "children": GOOD}),
        json.dumps({"children": GOOD, "format": "journey", "version": 1, "\x00child": 1}),
    ],
    ids=["bom", "cut", "extra", "repeated-key", "array", "children-object", "no-children", "version",
         "format", "marker-key"],
)  # fmt: skip
def test_a_file_the_stream_does_not_follow_gets_the_whole_files_answer(
    tmp_path: Path, read_bytes: int, text: str
) -> None:
    _compare(tmp_path, text)


def test_bytes_that_are_not_utf8_are_refused_where_they_are(tmp_path: Path, read_bytes: int) -> None:
    path = tmp_path / "journey.json"
    good = json.dumps(_doc(GOOD)).encode()
    path.write_bytes(good[:40] + b"\xff" + good[40:])
    db = open_database(tmp_path / "t.sqlite")
    try:
        with pytest.raises(ImportError_, match=r"not UTF-8 text \(byte 40\)"):
            import_file(db, path)
        assert _state(db)[0] == []
    finally:
        db.engine.dispose()
