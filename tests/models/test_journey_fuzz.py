"""Fuzzing the journey reader (issue 14): any document, and any mutation of a valid file, is either
imported or refused with the reader's own `ImportError_`; never another exception, and a refusal
writes nothing (no child, no event, no audit row)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models.io.journey_io import ImportError_, import_file, loads_strict
from models.storage.db import Database
from models.storage.tables import AuditRow, Child, EventRow
from tests.shared_files import shared_examples

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Text with everything a hostile file might hold: controls, escapes, bidi, surrogates, look-alikes.
_TEXT = st.text(st.characters(codec=None, categories=None), max_size=12) | st.sampled_from(
    ["C-1", "c-1 ", "\uff23-1", "\x1b[2J", "\u202e", "", " ", "2025-01-06", "2025-02-30", "cla_visit", "icpc"]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _TEXT
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=25,
)
_KEYS = st.sampled_from(
    ["id", "type", "date", "events", "given_name", "note", "ref", "stage", "tracked_from", "x"]
)
_EVENT = st.fixed_dictionaries(
    {"id": _JSON, "type": st.sampled_from(["cla_visit", "icpc", "drp_raised", "extension"]) | _JSON},
    optional={"date": st.sampled_from(["2025-01-06", "2025-13-01"]) | _JSON, "stage": _JSON, "note": _JSON},
)
_CHILD = st.fixed_dictionaries(
    {"id": _JSON},
    optional={
        "events": st.lists(_EVENT | _JSON, max_size=3) | _JSON,
        "given_name": _JSON,
        "tracked_from": _JSON,
    },
)
_DOCUMENT = (
    st.fixed_dictionaries(
        {
            "format": st.just("journey") | _JSON,
            "version": st.just(1) | _JSON,
            "children": st.lists(_CHILD | _JSON, max_size=4) | _JSON,
        }
    )
    | _JSON
)


def rows(db: Database) -> tuple[int, ...]:
    with db.engine.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (Child, EventRow, AuditRow)
        )


def import_or_refuse(db: Database, path: Path, valid_only: bool) -> None:
    """The property: imported, or refused by `ImportError_` with nothing written."""
    before = rows(db)
    try:
        import_file(db, path, valid_only=valid_only)
    except ImportError_ as exc:
        assert str(exc)
        assert rows(db) == before
        return


def _encode(text: str) -> bytes:
    # A lone surrogate cannot be UTF-8: written as its bytes anyway, as a broken file would hold it.
    return text.encode("utf-8", errors="surrogatepass")


@FUZZ
@given(doc=_DOCUMENT, ascii_only=st.booleans(), valid_only=st.booleans())
def test_any_document_is_imported_or_refused_cleanly(
    db: Database, tmp_path: Path, doc: Any, ascii_only: bool, valid_only: bool
) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(_encode(json.dumps(doc, ensure_ascii=ascii_only)))
    import_or_refuse(db, path, valid_only)


@pytest.fixture(scope="module")
def example_bytes() -> bytes:
    return (shared_examples() / "journey.json").read_bytes()


_MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.integers(1, 200)),
    st.tuples(st.just("repeat"), st.integers(0, 10**6), st.integers(1, 200)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.binary(min_size=1, max_size=8)),
)


def _mutate(data: bytes, mutation: tuple[Any, ...]) -> bytes:
    kind, where, arg = mutation
    at = where % len(data)
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ arg]) + data[at + 1 :]
    if kind == "cut":
        return data[:at] + data[at + arg :]
    if kind == "repeat":
        return data[:at] + data[at : at + arg] * 2 + data[at + arg :]
    return data[:at] + bytes(arg) + data[at:]


@FUZZ
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=3), valid_only=st.booleans())
def test_a_mutated_valid_file_is_imported_or_refused_cleanly(
    db: Database, tmp_path: Path, example_bytes: bytes, mutations: list[tuple[Any, ...]], valid_only: bool
) -> None:
    data = example_bytes
    for mutation in mutations:
        data = _mutate(data, mutation)
    path = tmp_path / "mutated.json"
    path.write_bytes(data)
    import_or_refuse(db, path, valid_only)


def _paths(value: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [where]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*where, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_paths(item, (*where, i)))
    return out


@FUZZ
@given(data=st.data(), valid_only=st.booleans())
def test_a_valid_file_with_one_value_replaced_is_imported_or_refused_cleanly(
    db: Database, tmp_path: Path, example_bytes: bytes, data: st.DataObject, valid_only: bool
) -> None:
    doc = json.loads(example_bytes)
    where = data.draw(st.sampled_from(_paths(doc)[1:]))
    target = doc
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = data.draw(_JSON | _TEXT)
    if isinstance(target, dict) and data.draw(st.booleans()):
        target[data.draw(_KEYS)] = data.draw(_JSON)
    path = tmp_path / "replaced.json"
    path.write_bytes(_encode(json.dumps(doc, ensure_ascii=data.draw(st.booleans()))))
    import_or_refuse(db, path, valid_only)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.sampled_from('[]{}",:\\u0123456789eE.-+ tfnrulasd\ud800'), max_size=80))
def test_any_text_is_parsed_or_refused_by_the_strict_reader(text: str) -> None:
    try:
        loads_strict(text)
    except ImportError_ as exc:
        assert str(exc).endswith(".")
