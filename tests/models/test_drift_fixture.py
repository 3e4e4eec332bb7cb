"""The tracker's deadlines are byte for byte what they were before drift was streamed (issue 20).

The fixture is `drift --json` and `drift --csv` of a 3,000-child demo database, made by the code
before the change; `python -m tests.fixtures.drift_3000` regenerates it (see that module).
"""

from __future__ import annotations

import lzma
from pathlib import Path

import pytest

from tests.fixtures import drift_3000


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    drift_3000.make_database(path)
    return path


def test_drift_json_and_csv_are_byte_for_byte_the_fixture(demo_db: Path, tmp_path: Path) -> None:
    printed, written = drift_3000.drift_outputs(demo_db, tmp_path)
    assert printed == lzma.decompress(drift_3000.JSON_FIXTURE.read_bytes())
    assert written == lzma.decompress(drift_3000.CSV_FIXTURE.read_bytes())
