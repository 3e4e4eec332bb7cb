"""Where the shared specification's files are (`../shared` beside the clone), for tests.

A module of its own, not `conftest`: two folders of tests have a `conftest.py`, and `from conftest
import ...` finds whichever pytest loaded last.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLES = SHARED / "domain" / "examples"
SAMPLES = SHARED / "samples"


def shared_examples() -> Path:
    """`../shared/domain/examples`; a developer's clone without it skips, CI (CI=true) fails."""
    if not (EXAMPLES / "journey.json").is_file():
        reason = f"the shared examples are not at {EXAMPLES} (clone beside ../shared)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + ": CI must run them", pytrace=False)
        pytest.skip(reason)
    return EXAMPLES


def shared_samples() -> Path:
    """`../shared/samples` (public files in the sector's formats); skips on a developer's clone
    without it, fails under CI (CI=true)."""
    if not (SAMPLES / "README.md").is_file():
        reason = f"the shared samples are not at {SAMPLES} (clone beside ../shared)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + ": CI must run them", pytrace=False)
        pytest.skip(reason)
    return SAMPLES
