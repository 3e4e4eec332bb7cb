"""Audited CSV exports: the file and its audit entry, both or neither."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.cli import main
from models.domain.records import ChildRecord
from models.io.audited_export import ExportFailed, export_csv
from models.io.export import ExportCancelled
from models.storage.audit import entries, verify_chain
from models.storage.db import Database, open_database
from models.storage.store import save_child

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
        with pytest.raises(ExportFailed, match=r"open read-only.*was not written"):
            export_csv(read_only, path, ["ID"], [["C-1"]], what="register")
    finally:
        read_only.dispose()
    assert not path.exists()
    assert not path.with_name(path.name + ".part").exists()


# --- the one export path (issue 14) ---------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


def _file_db(tmp_path: Path) -> Path:
    path = tmp_path / "t.sqlite"
    db = open_database(path)
    for n in range(3):
        save_child(db, ChildRecord(f"C-{n}", {"given_name": "=HYPERLINK(1)"}))
    db.dispose()
    return path


#: Every command that writes a file of children's data, with the file it writes.
_EXPORTS = [
    ("export", "{out}.json"),
    ("drift", "--as-of", "2025-06-01", "--csv", "{out}.csv"),
    ("measures", "--period", "2025-05", "--as-of", "2025-06-01", "--csv", "{out}.csv"),
    ("export-annex-a", "{out}.xlsx", "--as-of", "2025-06-01"),
    ("report", "tracker", "--as-of", "2025-06-01", "-o", "{out}.pdf"),
]


def _command(spec: tuple[str, ...], out: Path) -> tuple[list[str], Path]:
    args = [a.format(out=out) for a in spec]
    return args, next(Path(a) for a in args if a.startswith(str(out)))


@pytest.mark.sqlite_only
@pytest.mark.parametrize("spec", _EXPORTS, ids=[s[0] for s in _EXPORTS])
def test_read_only_refuses_every_export_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: tuple[str, ...]
) -> None:
    path = _file_db(tmp_path)
    args, target = _command(spec, tmp_path / "out")
    code, said = _cli(capsys, "--db", str(path), "--read-only", *args)
    assert code == 1 and "open read-only" in said and "was not written" in said
    assert "Nothing was changed" not in said
    assert list(tmp_path.glob("out*")) == []
    assert target.name not in {p.name for p in tmp_path.iterdir()}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("spec", _EXPORTS, ids=[s[0] for s in _EXPORTS])
def test_a_full_disk_leaves_nothing_under_the_final_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, spec: tuple[str, ...]
) -> None:
    path = _file_db(tmp_path)
    args, target = _command(spec, tmp_path / "out")
    target.write_bytes(b"the previous export")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("models.io.audited_export.os.fsync", full)
    code, said = _cli(capsys, "--db", str(path), *args)
    assert code == 1 and f"The disk is full: {target} was not written" in said
    assert target.read_bytes() == b"the previous export"  # untouched, never half-replaced
    assert not target.with_name(target.name + ".part").exists()
    db = open_database(path, read_only=True)
    try:
        assert [e.action for e in entries(db)].count("export") == 0
    finally:
        db.dispose()


@pytest.mark.sqlite_only
def test_an_export_that_the_audit_refuses_is_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file_db(tmp_path)
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON audit WHEN NEW.action = 'export' "
            "BEGIN SELECT RAISE(ABORT, 'the audit is refused'); END"
        )
    db.dispose()
    target = tmp_path / "out.json"
    code, said = _cli(capsys, "--db", str(path), "export", str(target))
    assert code == 1 and "could not be recorded in the audit log (the audit is refused)" in said
    assert f"{target} was not written" in said
    assert list(tmp_path.glob("out*")) == []


@pytest.mark.sqlite_only
def test_exports_replace_files_and_links_privately(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing 0644 file ends 0600; a stale 0666 part file and a link in the part's place are
    removed, never written through; a link at the final name is replaced, its target untouched."""
    path = _file_db(tmp_path)
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o644)
    part = target.with_name(target.name + ".part")
    part.write_text("stale")
    part.chmod(0o666)
    assert _cli(capsys, "--db", str(path), "drift", "--as-of", "2025-06-01", "--csv", str(target))[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "child_id" in target.read_text(
        encoding="utf-8-sig"
    )
    assert not part.exists()

    elsewhere = tmp_path / "someone-elses-file"
    elsewhere.write_text("theirs")
    pdf = tmp_path / "out.pdf"
    pdf.symlink_to(elsewhere)
    pdf.with_name(pdf.name + ".part").symlink_to(elsewhere)
    assert (
        _cli(capsys, "--db", str(path), "report", "tracker", "--as-of", "2025-06-01", "-o", str(pdf))[0] == 0
    )
    assert elsewhere.read_text() == "theirs"
    assert not pdf.is_symlink() and pdf.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600


@pytest.mark.sqlite_only
def test_export_failed_is_one_sentence(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ExportFailed, match=r"is a folder; nothing was written\.$"):
        export_csv(db, tmp_path, ["ID"], [["C-1"]], what="register")


@pytest.mark.sqlite_only
def test_a_backup_on_a_full_disk_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file_db(tmp_path)

    def full(target: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("models.storage.backup_file.fsync_file", full)
    code, said = _cli(capsys, "--db", str(path), "backup")
    assert code == 1 and "No backup was made: the disk is full." in said
    folder = tmp_path / "backups"
    assert not folder.exists() or [p.name for p in folder.iterdir()] == []


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
