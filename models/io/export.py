"""Spreadsheet exports (CSV), safe to open in Excel: formula injection is neutralised.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return could run as a formula in a
spreadsheet (OWASP "CSV injection"), and so could one where those come after leading white space
or invisible characters that a spreadsheet skips (spaces, NBSP, zero-width spaces, a BOM and other
format characters); such a cell is prefixed with a single quote so it shows as the text it is. Files
are written by `models.io.audited_export` (0600, a part file, audited, renamed).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from json.encoder import encode_basestring
from typing import Any, BinaryIO, TextIO

from models.domain.engine import Deadline
from models.domain.journey import UNSAFE_CHARACTERS

#: A formula's start: `=`, `+`, `-` or `@` after any white space (NBSP, ideographic space, line
#: separators) and invisible format characters (soft hyphen, zero-width spaces and joiners, bidi
#: marks, word joiner, BOM, interlinear annotation), or a tab or carriage return at the very start.
_FORMULA = re.compile(
    r"[\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]*[=+\-@]|[\t\r]"
)
#: First characters that make a cell plain text at once (most cells): no pattern is run for them.
_PLAIN_START = frozenset(string.ascii_letters + string.digits)

#: Rows written between two looks at `cancelled` (a look is cheap; 2,000 rows take a few ms).
CANCEL_EVERY = 2_000


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
    if text[:1] in _PLAIN_START or _FORMULA.match(text) is None:
        return text
    return "'" + text


def cell_value(value: Any) -> Any:
    """A value as a workbook holds it: dates and numbers as they are, text neutralised."""
    if value is None or isinstance(value, bool):
        return neutralise(value) if isinstance(value, bool) else None
    if isinstance(value, date | int | float):
        return value
    return neutralise(value)


def fill_xlsx(
    fh: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Export"
) -> int:
    """Write a one-sheet workbook to `fh` (bold header, dates as dates, text neutralised); returns the
    rows written. The file itself is written by `models.io.audited_export` (0600, audited, renamed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet[:31])  # Excel's limit on a sheet's name
    bold = Font(bold=True)
    cells: list[Any] = []
    for text in header:
        cell = WriteOnlyCell(ws, value=neutralise(text))
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    count = 0
    for row in rows:
        values: list[Any] = []
        for value in row:
            held = cell_value(value)
            if isinstance(held, date):
                cell = WriteOnlyCell(ws, value=held)
                cell.number_format = "dd/mm/yyyy"
                values.append(cell)
            else:
                values.append(held)
        ws.append(values)
        count += 1
    workbook.save(fh)
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


def _json_text(text: str) -> str:
    """`encode_basestring`, with what it leaves raw (C1 controls, bidirectional overrides, lone
    surrogates) escaped as well: valid JSON that a terminal showing it cannot be made to run."""
    return UNSAFE_CHARACTERS.sub(lambda m: f"\\u{ord(m.group()):04x}", encode_basestring(text))


class _IsoDays(dict[date, str]):
    """Each date's ISO text, made once (a look-up is a tenth of `isoformat`)."""

    def __missing__(self, day: date) -> str:
        text = self[day] = day.isoformat()
        return text


def write_deadlines_json(out: TextIO, chunks: Iterable[Sequence[Deadline]]) -> Iterator[Sequence[Deadline]]:
    """Write the deadlines of each chunk to `out` as they come, as one JSON array; yield each chunk on.

    Byte for byte what `json.dump([d.to_json() for d in deadlines], out, indent=1,
    ensure_ascii=False)` and a newline write (a test holds the two together), without holding the
    list: each deadline is one format string, its strings escaped by the json module's own encoder
    (ids and refs also with the characters a terminal would run escaped: `_json_text`).
    """
    opened = False
    enc = encode_basestring
    ids: dict[str, str] = {}
    rules: dict[str, str] = {}  # a few dozen rule ids, each escaped once
    iso = _IsoDays()
    for chunk in chunks:
        parts = []
        for d in chunk:
            cid = ids.get(d.child_id)
            if cid is None:
                ids.clear()  # one child's deadlines come together: only the current id is kept
                cid = ids[d.child_id] = _json_text(d.child_id)
            rule = rules.get(d.rule)
            if rule is None:
                rule = rules[d.rule] = enc(d.rule)
            done = f'"{iso[d.done]}"' if d.done else "null"
            ref = "" if d.ref is None else f',\n  "ref": {_json_text(d.ref)}'
            parts.append(
                f' {{\n  "child_id": {cid},\n  "rule": {rule},\n  "trigger": "{iso[d.trigger]}",'
                f'\n  "due": "{iso[d.due]}",\n  "done": {done},\n  "status": "{d.status._value_}",'
                f'\n  "rag": "{d.rag._value_}",\n  "late_by": {d.late_by},'
                f'\n  "explanation": {enc(d.explanation)}{ref}\n }}'
            )
        if parts:
            out.write((",\n" if opened else "[\n") + ",\n".join(parts))
            opened = True
        yield chunk
    out.write("\n]\n" if opened else "[]\n")


class _UkDays(dict[date, str]):
    """Each date as `neutralise` writes it (dd/mm/yyyy), made once: strftime is slow."""

    def __missing__(self, day: date) -> str:
        text = self[day] = day.strftime("%d/%m/%Y")
        return text


def deadline_csv_rows(chunks: Iterable[Sequence[Deadline]]) -> Iterator[tuple[str, ...]]:
    """The rows of `drift --csv` (`DEADLINE_CSV_HEADER`), a chunk at a time, each cell already the
    text `neutralise` makes of it (written by `export_csv(..., neutralised=True)`).

    Dates, rules and the child's id are made into text once rather than per cell: at 3,000 children
    `neutralise` and strftime per cell were half of `drift --csv`.
    """
    days = _UkDays()
    words: dict[str, str] = {}  # rules, statuses and RAG (a few dozen), neutralised once
    child, child_cell = "", ""
    for chunk in chunks:
        for d in chunk:
            if d.child_id != child:  # one child's deadlines come together
                child, child_cell = d.child_id, neutralise(d.child_id)
            rule = words.get(d.rule)
            if rule is None:
                rule = words[d.rule] = neutralise(d.rule)
            status, rag = d.status._value_, d.rag._value_
            yield (
                child_cell,
                rule,
                days[d.trigger],
                days[d.due],
                "" if d.done is None else days[d.done],
                words.get(status) or words.setdefault(status, neutralise(status)),
                words.get(rag) or words.setdefault(rag, neutralise(rag)),
                str(d.late_by),
                "" if d.ref is None else neutralise(d.ref),
                neutralise(d.explanation),
            )
