"""The one path that writes a file of children's data: private part file, fsync, audit row, rename.

Every export (journey files, CSV, the Annex A workbook, `drift --csv`, `measures --csv`, calendars,
report PDFs, the desktop's saves) goes through `export_audited`:

1. refused at once, before anything is written, when the database is open read-only (the export
   could not be audited);
2. written to `<name>.part`, created new (`O_EXCL`, mode 0600, `O_NOFOLLOW`: never through a link;
   a stale part file, or a link in its place, is removed first), flushed and fsynced;
3. its audit entry (action "export": what, where, what the writer reports) committed;
4. renamed over the final name (a file there, whatever its mode, is replaced by the 0600 one; a
   link there is replaced, never followed), and the folder fsynced.

If writing or auditing fails (a full disk, a read-only database) the part file is removed and
`ExportFailed` says, in one sentence, that nothing was written: nothing is ever left under the final
name unless it is complete and recorded.
"""

from __future__ import annotations

import csv
import errno
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from models.io.export import CANCEL_EVERY, ExportCancelled, fill_xlsx, neutralise
from models.storage.db import Database
from models.storage.errors import KnownError
from models.storage.store import audit


class ExportFailed(KnownError):
    """An export that was not written (or refused), said in one sentence for a person."""


def _why(exc: OSError, path: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk is full: {path} was not written, and nothing was left under its name."
    return f"Cannot write {path} ({exc.strerror or exc}); nothing was written."


def _private_part(path: Path) -> tuple[Path, int]:
    part = path.with_name(path.name + ".part")
    with suppress(FileNotFoundError):
        part.unlink()  # a stale part (or a link in its place): removed, never written through
    fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    return part, fd


def export_audited(
    db: Database,
    path: Path,
    fill: Callable[[BinaryIO], Mapping[str, Any] | None],
    *,
    what: str,
    details: Mapping[str, Any] | None = None,
    user: str | None = None,
    action: str = "export",
    entity: str | None = None,
    entity_id: str | None = None,
    child_id: str | None = None,
) -> dict[str, Any]:
    """Write `path` with `fill` (which writes the bytes and may return more to record), audited.

    Returns what was recorded. The audit entry is `action` on `entity` (default: "export" of
    `what`), naming the file, with `details` and what `fill` returned.

    Raises:
        ExportFailed: nothing was written (read-only, a full disk, no permission, audit refused).
    """
    path = Path(path)
    if db.read_only:
        raise ExportFailed(
            f"The database is open read-only, so the export could not be recorded in its audit log: "
            f"{path} was not written."
        )
    if path.is_dir() and not path.is_symlink():
        raise ExportFailed(f"{path} is a folder; nothing was written.")
    try:
        part, fd = _private_part(path)
    except OSError as exc:
        raise ExportFailed(_why(exc, path)) from None
    recorded: dict[str, Any] = dict(details or {})
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                recorded.update(fill(fh) or {})
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise ExportFailed(_why(exc, path)) from None
        try:
            with db.engine.begin() as conn:
                audit(
                    conn,
                    action,
                    entity or what,
                    entity_id or str(path),
                    child_id=child_id,
                    after=recorded,
                    user=user,
                )
        except Exception as exc:
            raise ExportFailed(
                f"The export could not be recorded in the audit log ({_first_line(exc)}): {path} was not written."
            ) from exc
        try:
            os.replace(part, path)
            with suppress(OSError):
                _fsync_dir(path.parent)
        except OSError as exc:
            raise ExportFailed(_why(exc, path)) from None
    except BaseException:
        with suppress(FileNotFoundError):
            part.unlink()
        raise
    return recorded


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_text(
    db: Database,
    path: Path,
    fill: Callable[[TextIO], Mapping[str, Any] | None],
    *,
    encoding: str = "utf-8",
    **audit_details: Any,
) -> dict[str, Any]:
    """`export_audited` for text (newline translation left to the writer, as csv wants)."""

    def binary(fh: BinaryIO) -> Mapping[str, Any] | None:
        wrapper = io.TextIOWrapper(fh, encoding=encoding, newline="")
        try:
            return fill(wrapper)
        finally:
            wrapper.flush()
            wrapper.detach()

    return export_audited(db, path, binary, **audit_details)


def export_csv(
    db: Database,
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    what: str,
    details: Mapping[str, Any] | None = None,
    user: str | None = None,
    neutralised: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write `rows` (any iterable: streamed) to a CSV file (UTF-8 with a byte-order mark so Excel
    reads names right, every cell neutralised) and audit it as an export of `what`; returns rows.

    `neutralised`: every row's cells are already the text `neutralise` makes of them (as
    `deadline_csv_rows` gives them), so they are written as they are. `cancelled` is looked at
    every few thousand rows: once true, `models.io.export.ExportCancelled` is raised, the part file
    removed and nothing audited.
    """

    def fill(fh: TextIO) -> Mapping[str, Any]:
        writer = csv.writer(fh)
        writer.writerow([neutralise(h) for h in header])
        count = 0
        for row in rows:
            if cancelled is not None and count % CANCEL_EVERY == 0 and cancelled():
                raise ExportCancelled("The export was cancelled; nothing was written.")
            writer.writerow(row if neutralised else [neutralise(v) for v in row])
            count += 1
        if cancelled is not None and cancelled():
            raise ExportCancelled("The export was cancelled; nothing was written.")
        return {"format": "csv", "rows": count, "columns": list(header)}

    recorded = export_text(db, path, fill, encoding="utf-8-sig", what=what, details=details, user=user)
    return int(recorded["rows"])


def export_table(
    db: Database,
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    what: str,
    fmt: str,
    details: Mapping[str, Any] | None = None,
    user: str | None = None,
) -> int:
    """Write `rows` as a CSV file (`fmt` "csv") or a one-sheet workbook ("xlsx"), neutralised, through
    the one audited path; returns the rows written."""
    if fmt == "csv":
        return export_csv(db, path, header, rows, what=what, details=details, user=user)
    if fmt != "xlsx":
        raise ValueError(f"cannot export to {fmt!r}: csv or xlsx")

    def fill(fh: BinaryIO) -> Mapping[str, Any]:
        count = fill_xlsx(fh, header, rows)
        return {"format": "xlsx", "rows": count, "columns": list(header)}

    recorded = export_audited(db, path, fill, what=what, details=details, user=user)
    return int(recorded["rows"])
