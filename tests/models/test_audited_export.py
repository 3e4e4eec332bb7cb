"""Audited CSV exports: the file and its audit entry, both or neither."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.io.audited_export import export_csv
from models.io.export import ExportCancelled
from models.storage.audit import entries, verify_chain
from models.storage.db import Database, open_database

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server


def test_an_export_is_written_neutralised_and_audited(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    count = export_csv(
        db,
        path,
        ["ID", "Name"],
        [["C-1", "=SUM(A1)"], ["C-2", "Bo"]],
        what="register",
        details={"as_of": "x"},
    )
    assert count == 2
    assert "'=SUM(A1)" in path.read_text(encoding="utf-8-sig")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entry = entries(db, limit=1)[0]
    assert (entry.action, entry.entity, entry.entity_id) == ("export", "register", str(path))
    assert entry.after is not None and '"rows": 2' in entry.after and '"as_of": "x"' in entry.after
    assert verify_chain(db) == []


@pytest.mark.sqlite_only
def test_an_export_that_cannot_be_audited_leaves_no_file(db: Database, tmp_path: Path) -> None:
    assert db.path is not None
    read_only = open_database(db.path, read_only=True)
    path = tmp_path / "out.csv"
    try:
        with pytest.raises(Exception, match="readonly"):
            export_csv(read_only, path, ["ID"], [["C-1"]], what="register")
    finally:
        read_only.dispose()
    assert not path.exists()
    assert not path.with_name(path.name + ".part").exists()


def test_a_cancelled_export_leaves_no_file_and_no_audit_entry(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("the file from before\n")
    before = len(entries(db, limit=1000))
    written: list[int] = []

    def rows() -> Iterator[list[str]]:
        for n in range(10_000):
            written.append(n)
            yield [f"C-{n}", "Bo"]

    with pytest.raises(ExportCancelled):
        export_csv(db, path, ["ID", "Name"], rows(), what="register", cancelled=lambda: len(written) > 3_000)
    assert 3_000 < len(written) < 10_000  # it stopped partway, at a safe point
    assert path.read_text() == "the file from before\n"  # not replaced by half an export
    assert not path.with_name(path.name + ".part").exists()
    assert len(entries(db, limit=1000)) == before
