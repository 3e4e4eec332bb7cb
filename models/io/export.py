"""Spreadsheet exports (CSV), safe to open in Excel: formula injection is neutralised.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return could run as a formula in a
spreadsheet (OWASP "CSV injection"); such a cell is prefixed with a single quote so it shows as the
text it is. Files are written 0600 through a temporary file and a rename.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

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


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV file (UTF-8 with a byte-order mark so Excel reads names right); returns rows."""
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([neutralise(h) for h in header])
            for row in rows:
                writer.writerow([neutralise(v) for v in row])
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return count
