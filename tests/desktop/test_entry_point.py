"""The `permanence-tracker` entry point: a subcommand runs the command line, none starts the app."""

from __future__ import annotations

import os
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


def test_no_display_is_one_sentence_not_a_core_dump(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    run = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(tmp_path / "t.sqlite")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert run.returncode == entry.EXIT_NO_DISPLAY
    assert run.stderr.count("\n") == 1 and "there is no display" in run.stderr
    assert not (tmp_path / "t.sqlite").exists()  # nothing was opened or made


def test_a_display_where_no_x_server_answers_is_one_sentence_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    run = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(tmp_path / "t.sqlite")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "DISPLAY": ":987"},
    )
    assert run.returncode == entry.EXIT_NO_DISPLAY, run.stderr
    assert run.stderr == (
        "permanence-tracker: there is no display to show the window on (no X server answers at "
        "DISPLAY=:987): start it from a desktop session, or use a subcommand such as `drift` (see --help).\n"
    )
    assert not (tmp_path / "t.sqlite").exists()


def test_a_display_or_a_chosen_platform_is_enough() -> None:
    assert entry.no_display({"DISPLAY": ":0"}, "linux", answers=lambda _d: True) is None
    assert entry.no_display({"DISPLAY": "server.example:0"}, "linux", answers=lambda _d: None) is None
    assert entry.no_display({"DISPLAY": ":0"}, "linux", answers=lambda _d: False) is not None
    assert entry.x_display_answers("server.example:0") is None  # remote: left to Qt
    assert entry.x_display_answers(":987") is False
    assert entry.no_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert entry.no_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert entry.no_display({}, "win32") is None
    assert entry.no_display({}, "darwin") is None
    assert entry.no_display({}, "linux") is not None


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["drift", "--as-of", "2025-03-03"], "drift"),
        (["--db", "x.sqlite", "--as-of", "2025-03-03", "report", "pack"], "report"),
        (["--db", "drift"], None),  # a database named like a command is still a database
        (["--quit-after", "4"], None),  # the app's own options, and their values, are the app's
        (["-style", "fusion", "--verbose"], None),
        ([], None),
    ],
)
def test_the_command_is_found_without_taking_app_options_for_one(
    argv: list[str], command: str | None
) -> None:
    from models.cli import command_of

    assert command_of(argv) == command
