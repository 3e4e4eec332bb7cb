"""scripts/venv.sh: the start command installs only when what is installed no longer matches."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import shared_files

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


def test_ci_runs_the_test_command_under_ci_true(tmp_path: Path) -> None:
    """.ci/run sets CI=true for scripts/test.sh, so what a laptop may skip fails there instead."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "scripts").mkdir()
    for name in ("test.sh", "bundle.sh"):
        script = tmp_path / "scripts" / name
        script.write_text(f'#!/bin/sh\necho "{name} CI=$CI" >> {tmp_path / "calls"}\n')
        script.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", ".ci/run"], cwd=tmp_path, env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert _calls(tmp_path) == ["test.sh CI=true", "bundle.sh CI=true"]


def test_missing_shared_examples_fail_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Away from ../shared a laptop skips the shared examples; under CI=true they fail."""
    monkeypatch.setattr(shared_files, "EXAMPLES", tmp_path / "examples")
    monkeypatch.setattr(shared_files, "SAMPLES", tmp_path / "samples")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        shared_files.shared_examples()
    monkeypatch.setenv("CI", "true")
    for reader in (shared_files.shared_examples, shared_files.shared_samples):
        with pytest.raises(pytest.fail.Exception, match="CI must run them"):
            reader()


def test_the_start_command_starts_with_the_network_cut_off(tmp_path: Path) -> None:
    """`unshare -n` (a network namespace with nothing in it) runs ./scripts/start.sh once set up:
    no pip, no apt, straight to the program."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("cutting the network off needs unshare and root")
    project = _project(tmp_path)
    for script in ("start.sh", "qt-deps.sh"):
        shutil.copy(ROOT / "scripts" / script, project / "scripts" / script)
    program = project / ".venv" / "bin" / "permanence-tracker"
    program.write_text(f'#!/bin/sh\necho "started $*" >> {tmp_path / "calls"}\n')
    program.chmod(0o755)
    assert _venv(project, "requirements/app.txt").returncode == 0  # the one online set-up
    (project / "calls").unlink()
    offline = subprocess.run(
        ["unshare", "-n", "bash", "scripts/start.sh", "--as-of", "2025-09-01"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert offline.returncode == 0, offline.stderr
    assert _calls(project) == ["started --as-of 2025-09-01"]  # and no pip
