"""The desktop application's folders: all under the data folder, so a test never touches home.

The data folder is `models.storage.paths.data_dir` (`--data-dir`, $PERMANENCE_TRACKER_DATA, or the
platform's user data folder); the log files and the window's remembered layout live inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.storage import paths

UI_SETTINGS_FILE = "ui.ini"


@dataclass(frozen=True)
class Folders:
    data: Path
    logs: Path
    database: str | Path
    ui_settings: Path


def resolve(data_dir: str | Path | None = None, database: str | None = None) -> Folders:
    """Create (0700) and name the folders; `database` is a file or URL overriding the default file."""
    data = paths.data_dir(data_dir)
    logs = data / "logs"
    logs.mkdir(exist_ok=True, mode=0o700)
    return Folders(
        data=data,
        logs=logs,
        database=database or paths.default_database(data),
        ui_settings=data / UI_SETTINGS_FILE,
    )
