"""The `permanence-tracker` entry point: a subcommand runs the command line, none starts the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop import main as entry


def test_the_app_options_reach_the_desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    monkeypatch.setattr("desktop.app.main", fake_main)
    args = ["--db", str(tmp_path / "t.sqlite"), "--as-of", "2025-03-03", "--read-only", "--verbose"]
    assert entry.main(args) == 0
    assert seen == [args]


def test_a_subcommand_never_loads_qt(tmp_path: Path) -> None:
    """The command line runs on a server with no display: Qt is not even imported."""
    code = (
        "import sys; from desktop.main import main; "
        f"status = main(['--db', {str(tmp_path / 't.sqlite')!r}, 'drift', '--as-of', '2025-03-03']); "
        "assert 'PySide6' not in sys.modules, 'Qt was loaded'; sys.exit(status)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "0 deadlines" in run.stdout
