"""Spreadsheet exports (CSV), safe to open in Excel: formula injection is neutralised.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return could run as a formula in a
spreadsheet (OWASP "CSV injection"); such a cell is prefixed with a single quote so it shows as the
text it is. Files are written by `models.io.audited_export` (0600, a part file, audited, renamed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from json.encoder import encode_basestring
from typing import Any, TextIO

from models.domain.engine import Deadline

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
