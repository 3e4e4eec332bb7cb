"""Exports that leave a trace: a CSV file and its audit entry, both or neither.

Every spreadsheet export of records about children is audited (action "export": what, where, how
many rows, which filter), so a data-protection officer can answer "who took what, when". The file
is written (neutralised, 0600, by `models.io.export.write_csv`) inside the transaction that writes the
audit entry: if the entry cannot be written (a read-only database, a full disk) the file is removed
and the error raised, so no export goes unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from models.io.export import write_csv
from models.storage.db import Database
from models.storage.store import audit


def export_audited(
    db: Database,
    path: Path,
    write: Callable[[], Mapping[str, Any]],
    *,
    what: str,
    user: str | None = None,
) -> Mapping[str, Any]:
    """Run `write` (which writes `path` and returns what to record) inside the transaction of
    its audit entry: if the entry cannot be written, the file is removed and the error raised."""
    written = False
    try:
        with db.engine.begin() as conn:
            details = write()
            written = True
            audit(conn, "export", what, str(path), after=dict(details), user=user)
    except BaseException:
        if written:
            with suppress(OSError):
                path.unlink()
        raise
    return details


def export_csv(
    db: Database,
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    what: str,
    details: Mapping[str, Any] | None = None,
    user: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write `rows` to a CSV file and audit it as an export of `what`; returns the rows written.

    Cancelled (`cancelled()` true while writing), nothing is written and nothing audited:
    `models.io.export.ExportCancelled` is raised.
    """

    def write() -> Mapping[str, Any]:
        count = write_csv(path, header, rows, cancelled=cancelled)
        return {"format": "csv", "rows": count, "columns": list(header), **(details or {})}

    return int(export_audited(db, path, write, what=what, user=user)["rows"])
