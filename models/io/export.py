"""Spreadsheet exports (CSV), safe to open in Excel: formula injection is neutralised.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return could run as a formula in a
spreadsheet (OWASP "CSV injection"); such a cell is prefixed with a single quote so it shows as the
text it is. Files are written 0600 through a temporary file and a rename.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from models.domain.engine import Deadline

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

#: Rows written between two looks at `cancelled` (a look is cheap; 2,000 rows take a few ms).
_CANCEL_EVERY = 2_000


class ExportCancelled(Exception):
    """The person cancelled an export: the temporary file was removed and nothing was written."""


def neutralise(value: Any) -> str:
    """The cell's text, made inert if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float):
        return str(value)  # a number, even negative, is data, not a formula
    text = str(value)
    if text.startswith(_DANGEROUS_START):
        return "'" + text
    return text


def write_private(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    """The one way a file of children's data is written: a private (0600) temporary file beside
    it, filled, flushed to disk, then renamed over `path`; on any error, nothing is left."""
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


def write_text(path: Path, fill: Callable[[TextIO], None], encoding: str = "utf-8") -> None:
    """`write_private` for text (the newline translation left to the writer, as csv wants)."""

    def text(fh: BinaryIO) -> None:
        wrapper = io.TextIOWrapper(fh, encoding=encoding, newline="")
        fill(wrapper)
        wrapper.flush()
        wrapper.detach()

    write_private(path, text)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write a CSV file (UTF-8 with a byte-order mark so Excel reads names right); returns rows.

    `cancelled` is looked at every few thousand rows: once true, the partial file is removed and
    `ExportCancelled` raised (`write_private` leaves nothing behind).
    """
    count = 0

    def fill(fh: TextIO) -> None:
        nonlocal count
        writer = csv.writer(fh)
        writer.writerow([neutralise(h) for h in header])
        for row in rows:
            if cancelled is not None and count % _CANCEL_EVERY == 0 and cancelled():
                raise ExportCancelled("The export was cancelled; nothing was written.")
            writer.writerow([neutralise(v) for v in row])
            count += 1
        if cancelled is not None and cancelled():
            raise ExportCancelled("The export was cancelled; nothing was written.")

    write_text(path, fill, encoding="utf-8-sig")
    return count


# --- Deadlines, streamed (drift --json and --csv) ---------------------------------------------

#: The CSV columns of `drift --csv`.
DEADLINE_CSV_HEADER = (
    "child_id",
    "rule",
    "trigger",
    "due",
    "done",
    "status",
    "rag",
    "late_by",
    "ref",
    "explanation",
)


class _IsoDays(dict[date, str]):
    """Each date's ISO text, made once (a look-up is a tenth of `isoformat`)."""

    def __missing__(self, day: date) -> str:
        text = self[day] = day.isoformat()
        return text


def write_deadlines_json(out: TextIO, chunks: Iterable[Sequence[Deadline]]) -> Iterator[Sequence[Deadline]]:
    """Write the deadlines of each chunk to `out` as they come, as one JSON array; yield each chunk on.

    Byte for byte what `json.dump([d.to_json() for d in deadlines], out, indent=1,
    ensure_ascii=False)` and a newline write (a test holds the two together), without holding the
    list: each deadline is one format string, its strings escaped by the json module's own encoder.
    """
    opened = False
    enc = encode_basestring
    ids: dict[str, str] = {}
    iso = _IsoDays()
    for chunk in chunks:
        parts = []
        for d in chunk:
            cid = ids.get(d.child_id)
            if cid is None:
                ids.clear()  # one child's deadlines come together: only the current id is kept
                cid = ids[d.child_id] = enc(d.child_id)
            done = f'"{iso[d.done]}"' if d.done else "null"
            ref = "" if d.ref is None else f',\n  "ref": {enc(d.ref)}'
            parts.append(
                f' {{\n  "child_id": {cid},\n  "rule": {enc(d.rule)},\n  "trigger": "{iso[d.trigger]}",'
                f'\n  "due": "{iso[d.due]}",\n  "done": {done},\n  "status": "{d.status._value_}",'
                f'\n  "rag": "{d.rag._value_}",\n  "late_by": {d.late_by},'
                f'\n  "explanation": {enc(d.explanation)}{ref}\n }}'
            )
        if parts:
            out.write((",\n" if opened else "[\n") + ",\n".join(parts))
            opened = True
        yield chunk
    out.write("\n]\n" if opened else "[]\n")


def deadline_csv_rows(chunks: Iterable[Sequence[Deadline]]) -> Iterator[tuple[Any, ...]]:
    """The rows of `drift --csv` (`DEADLINE_CSV_HEADER`), a chunk at a time."""
    for chunk in chunks:
        for d in chunk:
            yield (
                d.child_id,
                d.rule,
                d.trigger,
                d.due,
                d.done,
                d.status.value,
                d.rag.value,
                d.late_by,
                d.ref,
                d.explanation,
            )
