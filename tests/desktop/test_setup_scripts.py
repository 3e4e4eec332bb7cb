"""scripts/venv.sh: the start command installs only when what is installed no longer matches."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path) -> Path:
    """A copy of what venv.sh reads, with a stand-in venv whose python records every call."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "venv.sh", tmp_path / "scripts" / "venv.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "calls"}\n')
    python.chmod(0o755)
    return tmp_path


def _venv(project: Path, lock: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/venv.sh", lock], cwd=project, capture_output=True, text=True, timeout=60
    )


def _calls(project: Path) -> list[str]:
    calls = project / "calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_installs_from_the_lock_with_hashes_then_never_again(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = _venv(project, "requirements/dev.txt")
    assert first.returncode == 0, first.stderr
    assert "-m pip install -q --require-hashes --no-deps -r requirements/dev.txt" in _calls(project)
    (project / "calls").unlink()

    # Installed: the same lock, and the app's smaller lock, run no pip (the offline start).
    assert _venv(project, "requirements/dev.txt").returncode == 0
    assert _venv(project, "requirements/app.txt").returncode == 0
    assert _calls(project) == []


def test_a_changed_project_installs_again(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert _venv(project, "requirements/app.txt").returncode == 0
    (project / "calls").unlink()
    with (project / "pyproject.toml").open("a") as f:
        f.write("\n# a dependency changed\n")
    assert _venv(project, "requirements/app.txt").returncode == 0
    assert any("--require-hashes" in call for call in _calls(project))


def test_every_lock_pins_every_package_with_a_hash() -> None:
    for lock in (ROOT / "requirements").glob("*.txt"):
        pins = [line for line in lock.read_text().splitlines() if line[:1].isalnum()]
        assert pins, lock
        assert all("==" in pin for pin in pins), lock
        assert lock.read_text().count("--hash=sha256:") >= len(pins), lock


def test_the_locks_are_in_step_with_pyproject() -> None:
    """A dependency added to pyproject.toml without running scripts/lock.sh fails here, not on a laptop."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def names(specs: list[str]) -> set[str]:
        return {re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs}

    def pinned(lock: str) -> set[str]:
        text = (ROOT / "requirements" / lock).read_text()
        return {line.split("==")[0].lower() for line in text.splitlines() if line[:1].isalnum()}

    assert names(project["dependencies"]) <= pinned("app.txt")
    assert names(project["dependencies"] + project["optional-dependencies"]["dev"]) <= pinned("dev.txt")
    assert names(project["dependencies"]) <= pinned("bundle.txt")
