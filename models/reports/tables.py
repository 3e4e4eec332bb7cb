"""Long tables of plain strings, laid out in page-sized chunks with the header row on every page.

One reportlab `Table` of thousands of rows grows superlinearly: every page split re-measures and
re-styles the whole remainder. `DataTable` is a flowable that holds the rows as plain strings
(wrapped to the column widths once, with exact row heights) and, whenever platypus asks it to
split, cuts off the rows that fit the space left as one small `Table` with the header row at its
top; the remainder stays a `DataTable`. So each chunk is one page's worth of rows, the header row
starts every page, and the work grows linearly with the rows. No `Paragraph` in the cells.

A RAG cell (`RagCell`) prints its word (RED, AMBER, GREEN) on the RAG's tint in dark text of the
same hue, so it is coloured and labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle

from models.domain.rules import Rag
from models.reports import styles as S

#: A cell never grows beyond this many lines (so no row is ever taller than a page).
MAX_CELL_LINES: Final = 12
#: A cell's text is clipped to this many characters before it is measured: twelve lines of the
#: widest column hold fewer, and a longer value (a name of 10,000 characters written to the
#: database by hand) made a chronology take 197 s measuring it. Imports allow 200 for a name.
MAX_CELL_CHARS: Final = 1_500


def clip(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """`text`, cut to `limit` characters with an ellipsis when longer: every cell and paragraph of
    a report goes through this, so no stored value can stall or overflow one."""
    return text if len(text) <= limit else text[: limit - 2] + " …"


@dataclass(frozen=True, slots=True)
class RagCell:
    """A RAG cell: the word, then optional detail ('RED' / 'overdue 12 WD') on the RAG's tint."""

    rag: Rag | None
    detail: str = ""
    separator: str = "\n"

    @property
    def text(self) -> str:
        if self.rag is None:
            return self.detail
        label = S.RAG_LABEL[self.rag]
        return f"{label}{self.separator}{self.detail}" if self.detail else label


Cell = str | RagCell


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its title, its share of the table's width (a weight), and its alignment."""

    title: str
    weight: float = 1.0
    align: str = "LEFT"


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Plain text broken into lines that fit `width` (at words; inside a word only if it must),
    at most `MAX_CELL_LINES` of them."""
    lines: list[str] = []
    for paragraph in clip(text).split("\n"):
        if len(lines) > MAX_CELL_LINES:
            break
        # A cheap bound first: no glyph of DejaVu Sans is wider than 1 em.
        if len(paragraph) * size <= width or stringWidth(paragraph, font, size) <= width:
            lines.append(paragraph)
            continue
        for line in simpleSplit(paragraph, font, size, width):
            while stringWidth(line, font, size) > width and len(line) > 1:
                cut = _longest_fit(line, font, size, width)
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
    if len(lines) > MAX_CELL_LINES:
        lines = [*lines[: MAX_CELL_LINES - 1], lines[MAX_CELL_LINES - 1] + " …"]
    return lines


def _longest_fit(line: str, font: str, size: float, width: float) -> int:
    """The most leading characters of `line` (at least 1, fewer than all) that fit `width`, by
    bisection: measuring one character fewer at a time was quadratic in a long word."""
    low, high = 1, len(line) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(line[:middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass
class _Layout:
    """The table laid out for one width: column widths, wrapped cells and row heights."""

    width: float
    col_widths: list[float]
    header: list[str]
    header_height: float
    cells: list[list[str]]
    heights: list[float]


class DataTable(Flowable):  # type: ignore[misc]
    """A table of plain-string rows that splits into page-sized `Table` chunks.

    Args:
        columns: the columns, with their width weights.
        rows: each row's cells (a string, or a `RagCell`); as many cells as columns.
        bold_rows: indexes of rows printed in bold (totals).
        bold_columns: indexes of columns printed in bold (labels of a details table).
        header: print the header row (at the top of every page); off for a details table.
        fraction: the share of the frame's width the table takes (from the left).
    """

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Cell]],
        *,
        bold_rows: frozenset[int] = frozenset(),
        bold_columns: frozenset[int] = frozenset(),
        header: bool = True,
        fraction: float = 1.0,
    ) -> None:
        super().__init__()
        self.hAlign = "LEFT"
        self.fraction = fraction
        for i, row in enumerate(rows):
            if len(row) != len(columns):
                raise ValueError(f"row {i} has {len(row)} cells for {len(columns)} columns")
        self.columns = list(columns)
        self.rows = list(rows)
        self.bold_rows = bold_rows
        self.bold_columns = bold_columns
        self.header = header
        self._layout: _Layout | None = None
        self._offset = 0  # index of this table's first row in the original rows (for bold_rows)
        self.chunks_made = 0

    # --- Layout ---------------------------------------------------------------------------

    def _lay_out(self, avail_width: float) -> _Layout:
        if self._layout is not None and abs(self._layout.width - avail_width) < 0.01:
            return self._layout
        total = sum(c.weight for c in self.columns)
        col_widths = [avail_width * self.fraction * c.weight / total for c in self.columns]
        inner = [w - 2 * S.CELL_PAD_X for w in col_widths]
        header_lines = [
            wrap_text(c.title, S.FONT_BOLD, S.TABLE_SIZE, w) for c, w in zip(self.columns, inner, strict=True)
        ]
        cells: list[list[str]] = []
        heights: list[float] = []
        for r, row in enumerate(self.rows):
            bold_row = r + self._offset in self.bold_rows
            wrapped = []
            most = 1
            for c, (cell, w) in enumerate(zip(row, inner, strict=True)):
                text = cell.text if isinstance(cell, RagCell) else cell
                bold = bold_row or isinstance(cell, RagCell) or c in self.bold_columns
                cell_font = S.FONT_BOLD if bold else S.FONT
                lines = wrap_text(text, cell_font, S.TABLE_SIZE, w) if text else [""]
                most = max(most, len(lines))
                wrapped.append("\n".join(lines))
            cells.append(wrapped)
            heights.append(_row_height(most))
        self._layout = _Layout(
            avail_width,
            col_widths,
            ["\n".join(lines) for lines in header_lines],
            _row_height(max(len(lines) for lines in header_lines)) if self.header else 0.0,
            cells,
            heights,
        )
        return self._layout

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        layout = self._lay_out(availWidth)
        self.width = sum(layout.col_widths)
        self.height = layout.header_height + sum(layout.heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        layout = self._lay_out(availWidth)
        room = availHeight - layout.header_height
        fit = 0
        used = 0.0
        for height in layout.heights:
            if used + height > room + 1e-6:
                break
            used += height
            fit += 1
        if fit == 0:
            return []
        if fit >= len(self.rows):
            return [self._chunk(0, len(self.rows))]
        rest = DataTable(
            self.columns,
            self.rows[fit:],
            bold_rows=self.bold_rows,
            bold_columns=self.bold_columns,
            header=self.header,
            fraction=self.fraction,
        )
        rest._offset = self._offset + fit
        rest._layout = _Layout(
            layout.width,
            layout.col_widths,
            layout.header,
            layout.header_height,
            layout.cells[fit:],
            layout.heights[fit:],
        )
        return [self._chunk(0, fit), rest]

    def draw(self) -> None:
        assert self._layout is not None
        table = self._chunk(0, len(self.rows))
        table.wrapOn(self.canv, self._layout.width, self.height)
        table.drawOn(self.canv, 0, 0)

    # --- One chunk --------------------------------------------------------------------------

    def _chunk(self, start: int, stop: int) -> Table:
        """Rows [start, stop) as one reportlab Table with the header row at its top."""
        layout = self._layout
        assert layout is not None
        self.chunks_made += 1
        top = 1 if self.header else 0
        data: list[list[str]] = [layout.header] if self.header else []
        data += layout.cells[start:stop]
        heights = [layout.header_height] if self.header else []
        heights += layout.heights[start:stop]
        commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), S.FONT),
            ("FONTSIZE", (0, 0), (-1, -1), S.TABLE_SIZE),
            ("LEADING", (0, 0), (-1, -1), S.TABLE_LEADING),
            ("TEXTCOLOR", (0, 0), (-1, -1), S.TEXT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), S.CELL_PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), S.CELL_PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), S.CELL_PAD_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), S.CELL_PAD_Y),
            ("ROWBACKGROUNDS", (0, top), (-1, -1), [None, S.STRIPE_FILL]),
            ("INNERGRID", (0, 0), (-1, -1), 0.25, S.GRID),
            ("BOX", (0, 0), (-1, -1), 0.6, S.RULE_LINE),
        ]
        if self.header:
            commands += [
                ("FONTNAME", (0, 0), (-1, 0), S.FONT_BOLD),
                ("BACKGROUND", (0, 0), (-1, 0), S.HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, S.RULE_LINE),
            ]
        for c in sorted(self.bold_columns):
            commands.append(("FONTNAME", (c, top), (c, -1), S.FONT_BOLD))
        for c, column in enumerate(self.columns):
            if column.align != "LEFT":
                commands.append(("ALIGN", (c, 0), (c, -1), column.align))
        for r in range(start, stop):
            row_index = r - start + top
            if r + self._offset in self.bold_rows:
                commands.append(("FONTNAME", (0, row_index), (-1, row_index), S.FONT_BOLD))
            for c, cell in enumerate(self.rows[r]):
                if isinstance(cell, RagCell) and cell.rag is not None:
                    commands += [
                        ("BACKGROUND", (c, row_index), (c, row_index), S.RAG_FILL[cell.rag]),
                        ("TEXTCOLOR", (c, row_index), (c, row_index), S.RAG_TEXT[cell.rag]),
                        ("FONTNAME", (c, row_index), (c, row_index), S.FONT_BOLD),
                    ]
        return Table(
            data,
            colWidths=layout.col_widths,
            rowHeights=heights,
            repeatRows=top,
            style=TableStyle(commands),
            hAlign="LEFT",
        )


def _row_height(lines: int) -> float:
    return lines * S.TABLE_LEADING + 2 * S.CELL_PAD_Y + 1.5
