"""The command line: import, export, drift (JSON and table), errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from models.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_drift_json_matches_the_shared_example(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.sqlite")
    code, out, _ = run(capsys, "--db", db, "import", str(examples / "journey.json"))
    assert code == 0 and "3 children added" in out
    for expected_file in sorted(examples.glob("expected-*.json")):
        as_of = expected_file.stem.removeprefix("expected-")
        code, out, _ = run(capsys, "--db", db, "drift", "--as-of", as_of, "--json")
        assert code == 0
        got = json.loads(out)
        want = json.loads(expected_file.read_text())
        strip = [{k: v for k, v in row.items() if k != "explanation"} for row in got]
        assert sorted(map(json.dumps, strip)) == sorted(
            json.dumps({k: v for k, v in row.items() if k != "explanation"}) for row in want
        )
        assert all(row["explanation"].endswith(".") for row in got)
        # Ordered by child, then due date.
        assert [(r["child_id"], r["due"]) for r in got] == sorted((r["child_id"], r["due"]) for r in got)


def test_drift_table_for_one_child(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.sqlite")
    run(capsys, "--db", db, "import", str(examples / "journey.json"))
    code, out, _ = run(capsys, "--db", db, "drift", "--as-of", "2025-03-03", "--child", "EX-001")
    assert code == 0
    assert "cp.visit" in out and "EX-002" not in out
    assert "7 deadlines: 1 overdue" in out


def test_export_writes_a_private_file(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.sqlite")
    run(capsys, "--db", db, "import", str(examples / "journey.json"))
    target = tmp_path / "out.json"
    code, out, _ = run(capsys, "--db", db, "export", str(target), "--child", "EX-003")
    assert code == 0 and "1 children exported" in out
    assert [c["id"] for c in json.loads(target.read_text())["children"]] == ["EX-003"]
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "/nonexistent/file.json"], "no such file"),
        (["drift", "--as-of", "2025-02-30"], "is not a real date"),
    ],
)
def test_errors_are_one_sentence_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    command = [sys.executable, "-m", "models.cli", "--db", str(tmp_path / "t.sqlite"), *args]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("not a database")
    code, _, err = run(capsys, "--db", str(bogus), "drift")
    assert code == 1
    assert "is encrypted (or is not a Permanence Tracker database)" in err


def test_backup_check_audit_and_csv(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.sqlite")
    run(capsys, "--db", db, "import", str(examples / "journey.json"))
    code, out, _ = run(capsys, "--db", db, "backup")
    assert code == 0 and "Backup written to" in out
    assert len(list((tmp_path / "backups").glob("t-*-manual.sqlite"))) == 1
    code, out, _ = run(capsys, "--db", db, "check-audit")
    assert code == 0 and "intact" in out
    target = tmp_path / "deadlines.csv"
    code, out, _ = run(capsys, "--db", db, "drift", "--as-of", "2025-09-01", "--csv", str(target))
    assert code == 0
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("child_id,rule,trigger,due")
    assert len(lines) == 1 + 26
    assert target.stat().st_mode & 0o777 == 0o600


def test_encrypted_database_takes_the_passphrase_from_the_environment(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.storage.backup import set_passphrase
    from models.storage.db import open_database

    db = str(tmp_path / "t.sqlite")
    run(capsys, "--db", db, "import", str(examples / "journey.json"))
    set_passphrase(open_database(db), "correct horse battery").dispose()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "--db", db, "drift", "--as-of", "2025-03-03")
    assert code == 1 and "PERMANENCE_TRACKER_PASSPHRASE" in err
    monkeypatch.setenv("PERMANENCE_TRACKER_PASSPHRASE", "wrong passphrase")
    code, _, err = run(capsys, "--db", db, "drift", "--as-of", "2025-03-03")
    assert code == 1 and "passphrase does not open" in err
    monkeypatch.setenv("PERMANENCE_TRACKER_PASSPHRASE", "correct horse battery")
    code, out, _ = run(capsys, "--db", db, "drift", "--as-of", "2025-03-03", "--json")
    assert code == 0 and len(json.loads(out)) == 14


def test_read_only_refuses_an_import(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.sqlite")
    run(capsys, "--db", db, "demo", "--children", "10")
    code, _, err = run(capsys, "--db", db, "--read-only", "import", str(examples / "journey.json"))
    assert code == 1 and "cannot be written: it is open read-only" in err
    code, _, _ = run(capsys, "--db", db, "--read-only", "drift")
    assert code == 0


def test_unknown_arguments_to_a_command_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["drift", "--bogus"])
    assert "unrecognised arguments: --bogus" in capsys.readouterr().err


def test_no_subcommand_is_not_the_command_lines_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    """models/ never starts the desktop application: with no subcommand it says where that lives."""
    assert main(["--as-of", "2025-03-03"]) == 1
    assert "no command given" in capsys.readouterr().err


def test_a_global_as_of_applies_to_drift(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.sqlite")
    run(capsys, "--db", db, "import", str(examples / "journey.json"))
    code, out, _ = run(capsys, "--db", db, "--as-of", "2025-03-03", "drift", "--json")
    assert code == 0 and len(json.loads(out)) == 14
