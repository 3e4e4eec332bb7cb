"""drift streamed (issue 20): the same deadlines, a chunk of children at a time, the same bytes."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

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


def test_streamed_deadlines_apply_each_childs_opening_balance(example_db: Database) -> None:
    """A record imported with tracked_from (an SSDA903 return) restarts its untracked clocks there,
    streamed as in the whole computation (the streamed read once left the opening balance out)."""
    from models.io.journey_io import import_journey

    child = {
        "id": "T-1",
        "tracked_from": "2025-03-31",
        "untracked": ["cla_visit"],
        "events": [{"id": "a", "type": "became_looked_after", "date": "2024-09-02"}],
    }
    import_journey(example_db, {"format": "journey", "version": 1, "children": [child]})
    as_of = date(2025, 4, 30)
    streamed = [d for chunk in stream_deadlines(example_db, as_of, chunk=2) for d in chunk]
    assert streamed == compute_deadlines(example_db, as_of)
    visits = [d for d in streamed if d.child_id == "T-1" and d.rule == "cla.visit"]
    assert [d.trigger for d in visits] == [date(2025, 3, 31)]


def test_csv_rows_are_the_cells_neutralise_makes(example_db: Database) -> None:
    """The rows come already neutralised (dates and words made once); the same text, cell for cell."""
    from models.io.export import deadline_csv_rows, neutralise

    tricky = [_deadline("=HYPERLINK(1)"), _deadline("-1", ref="+ref", done=date(2025, 2, 5)), _deadline("@a")]
    everyone = compute_deadlines(example_db, date(2025, 3, 3)) + tricky
    cells = ("child_id", "rule", "trigger", "due", "done", "status", "rag", "late_by", "ref", "explanation")
    expected = [
        tuple(neutralise(getattr(d, c) if c not in ("status", "rag") else getattr(d, c).value) for c in cells)
        for d in everyone
    ]
    assert list(deadline_csv_rows([everyone[:5], [], everyone[5:]])) == expected
    assert expected[-3][0] == "'=HYPERLINK(1)" and expected[-2][8] == "'+ref"


def _drift(capsys: pytest.CaptureFixture[str], db: Database, *args: str) -> tuple[int, str]:
    from models.cli import main

    code = main(["--db", str(db.path), "drift", "--as-of", "2025-03-03", *args])
    return code, capsys.readouterr().out


def test_drift_child_is_that_childs_rows_of_the_whole_drift(
    example_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _, whole = _drift(capsys, example_db, "--json")
    code, one = _drift(capsys, example_db, "--child", "EX-002", "--json")
    assert code == 0
    rows = json.loads(one)
    assert rows and rows == [r for r in json.loads(whole) if r["child_id"] == "EX-002"]


def test_drift_child_of_no_such_child_says_so(
    example_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from models.cli import main

    code = main(["--db", str(example_db.path), "drift", "--child", "NOBODY"])
    assert code != 0
    assert "There is no child with the id 'NOBODY'." in capsys.readouterr().err


def test_drift_csv_prints_the_counts_not_the_table(
    example_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CSV is streamed, so the table (aligned over every row) is not printed: its counts are."""
    _, table = _drift(capsys, example_db)
    code, out = _drift(capsys, example_db, "--csv", str(tmp_path / "d.csv"))
    assert code == 0
    counts = table.strip().splitlines()[-1]
    assert counts.endswith("met late.") and "EX-001" in table
    assert out.splitlines() == [counts, f"{counts.split()[0]} deadlines written to {tmp_path / 'd.csv'}."]
