"""Spreadsheet exports (CSV), safe to open in Excel: formula injection is neutralised.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return could run as a formula in a
spreadsheet (OWASP "CSV injection"); such a cell is prefixed with a single quote so it shows as the
text it is. Files are written 0600 through a temporary file and a rename.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, TextIO

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


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


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV file (UTF-8 with a byte-order mark so Excel reads names right); returns rows."""
    count = 0

    def fill(fh: TextIO) -> None:
        nonlocal count
        writer = csv.writer(fh)
        writer.writerow([neutralise(h) for h in header])
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
            count += 1

    write_text(path, fill, encoding="utf-8-sig")
    return count
