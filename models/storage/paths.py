"""Where the application keeps its files: the platform's user data folder, or an override."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "permanence-tracker"
DB_FILE = "tracker.sqlite"


def data_dir(override: str | Path | None = None) -> Path:
    """The data folder (created 0700): `override`, $PERMANENCE_TRACKER_DATA, or the platform's."""
    chosen = override or os.environ.get("PERMANENCE_TRACKER_DATA")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def default_database(override: str | Path | None = None) -> Path:
    return data_dir(override) / DB_FILE
