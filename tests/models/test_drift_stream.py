"""drift streamed (issue 20): the same deadlines, a chunk of children at a time, the same bytes."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from models.domain.engine import Deadline
from models.domain.rules import Rag, Status
from models.io.export import write_deadlines_json
from models.storage.db import Database
from models.storage.store import compute_deadlines, stream_deadlines


def _deadline(child_id: str, ref: str | None = None, done: date | None = None) -> Deadline:
    return Deadline(
        child_id,
        "drp.resolution_20wd" if ref else "cp.visit",
        date(2025, 1, 6),
        date(2025, 2, 3),
        done,
        Status.MET_LATE if done else Status.OVERDUE,
        Rag.RED,
        3,
        ref,
        "drp_raised" if ref else "cp_visit",
        date(2025, 2, 6),
        span=20,
    )


def _streamed(chunks: list[list[Deadline]]) -> str:
    out = io.StringIO()
    for _ in write_deadlines_json(out, chunks):
        pass
    return out.getvalue()


def _dumped(deadlines: list[Deadline]) -> str:
    out = io.StringIO()
    json.dump([d.to_json() for d in deadlines], out, indent=1, ensure_ascii=False)
    return out.getvalue() + "\n"


@pytest.mark.parametrize(
    "chunks",
    [
        [],
        [[], []],
        [[_deadline("A-1")]],
        [[_deadline("A-1"), _deadline("A-1", ref="DRP-1", done=date(2025, 2, 5))], [], [_deadline("B-2")]],
        [
            [_deadline('Q"uote\\back/slash'), _deadline("Zoë\u00a0\u200b\t\x1b[31m")],
            [_deadline("ÉÇ", ref='r"ef')],
        ],
    ],
)
def test_the_streamed_json_is_byte_for_byte_json_dump(chunks: list[list[Deadline]]) -> None:
    assert _streamed(chunks) == _dumped([d for chunk in chunks for d in chunk])


def test_streamed_deadlines_are_the_whole_computation_in_order(example_db: Database) -> None:
    as_of = date(2025, 3, 3)
    whole = compute_deadlines(example_db, as_of)
    assert whole
    for size in (1, 2, 3, 1000):
        chunks = list(stream_deadlines(example_db, as_of, chunk=size))
        assert [d for chunk in chunks for d in chunk] == whole
        assert len(chunks) == -(-3 // size)  # three children, `size` at a time
