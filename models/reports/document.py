"""The page every report is printed on, and the building blocks of a report's story.

Every page carries the protective marking in bold capitals at the top and at the bottom, the
authority's name, the report's title, the period and the as-of date, and "Page X of Y". The
marking also goes into the PDF's subject and keywords. Page numbers need the page count, so the
canvas keeps each page until the document is finished and draws the furniture then (reportlab's
numbered-canvas recipe). A `SectionMark` flowable changes the title printed on the following pages,
which is how the monthly pack titles each of its reports, and bookmarks its page in the PDF's
outline. Because the pages are only written at the end, bookmarks and outline entries are queued
with their page and written as that page is (else every one would point to page 1), and a
`Contents` flowable leaves room for each section's page number, filled in once they are known.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer

from models.domain.period import Period
from models.reports import styles as S
from models.reports.tables import MAX_CELL_CHARS, Cell, Column, DataTable, clip
from models.screens.child_view import format_date

PRODUCER = "Permanence Tracker"


@dataclass(frozen=True)
class PageHeader:
    """What the top and bottom of every page say."""

    authority: str
    marking: str
    title: str
    period: Period
    as_of: date
    #: A record to a date (a child's chronology) rather than a report on a period: the pages say
    #: "Events to <date>" where a period report names its period.
    dated: bool = False

    @property
    def marking_text(self) -> str:
        return self.marking.strip().upper()

    @property
    def period_text(self) -> str:
        if self.dated:
            return f"Events to {fmt(self.as_of)}"
        return f"Period: {self.period.label} ({fmt(self.period.start)} to {fmt(self.period.end)})"

    @property
    def period_words(self) -> str:
        """'September 2025' for a period report; '' for a dated record."""
        return "" if self.dated else self.period.label

    @property
    def as_of_text(self) -> str:
        return f"As of {fmt(self.as_of)}"


#: dd/mm/yyyy, as the service writes dates; empty for none (the child page's own formatter).
fmt = format_date


# --- The page ---------------------------------------------------------------------------------


class SectionMark(Flowable):  # type: ignore[misc]
    """Names the section printed after the report's title in the header, from this page on.

    Level 0 is a part of the monthly pack; level 1 a section inside a report (an officer of the
    tracker). A mark clears the deeper levels. It also bookmarks the page in the PDF's outline.
    """

    def __init__(self, title: str, key: str, level: int = 0) -> None:
        super().__init__()
        self.title = title
        self.key = key
        self.level = level

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        sections: dict[int, str] = {k: v for k, v in self.canv.sections.items() if k < self.level}
        outline_level = len(sections)
        sections[self.level] = self.title
        self.canv.sections = sections
        self.canv.bookmark_section(self.title, self.key, outline_level)


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    title: str
    key: str
    level: int = 0


class Contents(Flowable):  # type: ignore[misc]
    """A contents list: each section's title and, at the right, the page it starts on (from the
    `SectionMark` with its key, filled in when the document is finished)."""

    LEADING: float = 12.0

    def __init__(self, entries: Sequence[ContentsEntry]) -> None:
        super().__init__()
        self.entries = list(entries)
        self._width = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._width = min(availWidth, 170 * mm)
        return self._width, self.LEADING * len(self.entries) + 2

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fits = int((availHeight - 2) // self.LEADING)
        if fits < 1 or fits >= len(self.entries):
            return []
        return [Contents(self.entries[:fits]), Contents(self.entries[fits:])]

    def draw(self) -> None:
        canv = self.canv
        slots = getattr(canv, "contents_slots", None)
        top = self.LEADING * len(self.entries)
        for i, entry in enumerate(self.entries):
            y = top - self.LEADING * (i + 1) + 3
            font = S.FONT_BOLD if entry.level == 0 else S.FONT
            canv.setFont(font, S.BODY_SIZE)
            canv.setFillColor(S.TEXT)
            canv.drawString(8 * mm * entry.level, y, entry.title)
            canv.setStrokeColor(S.GRID)
            canv.setLineWidth(0.3)
            canv.setDash(1, 2)
            start = 8 * mm * entry.level + stringWidth(entry.title, font, S.BODY_SIZE) + 3
            canv.line(start, y, self._width - 16 * mm, y)
            canv.setDash()
            if slots is not None:
                # Where to write the page number: absolute, as the page is drawn later.
                x, y_abs = canv.absolutePosition(self._width, y)
                slots.append((len(canv.page_states), x, y_abs, entry.key))


def page_title(header: PageHeader, sections: dict[int, str]) -> str:
    """The report's title, then the section path: 'Monthly pack · Monthly tracker sheet · P. Jones'."""
    return " · ".join([header.title, *(sections[k] for k in sorted(sections))])


#: The title in every page's header and footer (it may hold a child's name): one line's worth.
MAX_PAGE_TITLE_CHARS: Final = 120


def _draw_furniture(canv: Canvas, header: PageHeader, number: int, total: int) -> None:
    width, height = canv._pagesize
    left, right = S.MARGIN_SIDE, width - S.MARGIN_SIDE
    title = clip(page_title(header, getattr(canv, "sections", {})), MAX_PAGE_TITLE_CHARS)
    canv.saveState()
    canv.setFillColor(S.TEXT)
    # Marking, top and bottom.
    canv.setFont(S.FONT_BOLD, S.MARKING_SIZE)
    canv.drawCentredString(width / 2, height - 9 * mm, header.marking_text)
    canv.drawCentredString(width / 2, 6.5 * mm, header.marking_text)
    # Header: authority and period on the first line, the title and as-of date on the second.
    canv.setFont(S.FONT, S.HEADER_SIZE)
    canv.drawString(left, height - 15 * mm, header.authority)
    canv.drawRightString(right, height - 15 * mm, header.period_text)
    canv.setFont(S.FONT_BOLD, S.HEADER_TITLE_SIZE)
    canv.drawString(left, height - 20 * mm, title)
    canv.drawRightString(right, height - 20 * mm, header.as_of_text)
    canv.setStrokeColor(S.RULE_LINE)
    canv.setLineWidth(0.6)
    canv.line(left, height - 22 * mm, right, height - 22 * mm)
    # Footer.
    canv.line(left, 14 * mm, right, 14 * mm)
    canv.setFont(S.FONT, S.FOOTER_SIZE)
    canv.setFillColor(S.MUTED)
    when = f"{header.period_words}, as of" if header.period_words else "as of"
    canv.drawString(left, 10.5 * mm, f"{PRODUCER}: {title}, {when} {fmt(header.as_of)}")
    canv.setFillColor(S.TEXT)
    canv.setFont(S.FONT_BOLD, S.FOOTER_SIZE + 0.5)
    canv.drawRightString(right, 10.5 * mm, f"Page {number} of {total}")
    canv.restoreState()


def _numbered_canvas(header: PageHeader) -> type[Canvas]:
    class NumberedCanvas(Canvas):  # type: ignore[misc]
        """Keeps every page until the end, then draws the furniture with the page count."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.page_states: list[dict[str, Any]] = []
            self.sections: dict[int, str] = {}
            #: Bookmarks and outline entries by page index (0 is the first page), in order.
            self.marks: dict[int, list[tuple[str, str, int]]] = {}
            #: Contents lines waiting for a page number: (page index, x, y, key).
            self.contents_slots: list[tuple[int, float, float, str]] = []

        def showPage(self) -> None:
            self.page_states.append(dict(self.__dict__))
            self._startPage()

        def bookmark_section(self, title: str, key: str, level: int) -> None:
            self.marks.setdefault(len(self.page_states), []).append((title, key, level))

        def save(self) -> None:
            total = len(self.page_states)
            first_page = {
                key: index + 1 for index, marks in self.marks.items() for _, key, _ in reversed(marks)
            }
            slots, marks = self.contents_slots, self.marks
            for number, state in enumerate(self.page_states, start=1):
                self.__dict__.update(state)
                _draw_furniture(self, header, number, total)
                for index, x, y, key in slots:
                    if index == number - 1 and key in first_page:
                        self.setFont(S.FONT, S.BODY_SIZE)
                        self.setFillColor(S.TEXT)
                        self.drawRightString(x, y, str(first_page[key]))
                for title, key, level in marks.get(number - 1, ()):
                    self.bookmarkPage(key)
                    self.addOutlineEntry(title, key, level=level)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def build_pdf(story: Sequence[Flowable], header: PageHeader, *, portrait: bool = False) -> bytes:
    """Lay the story out on marked, numbered A4 pages (landscape unless `portrait`); the PDF bytes."""
    S.register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=S.PAGE_PORTRAIT if portrait else S.PAGE_LANDSCAPE,
        leftMargin=S.MARGIN_SIDE,
        rightMargin=S.MARGIN_SIDE,
        topMargin=S.MARGIN_TOP,
        bottomMargin=S.MARGIN_BOTTOM,
        title=f"{header.title}: {header.period_words or fmt(header.as_of)} [{header.marking_text}]",
        author=header.authority,
        subject=(
            f"{header.marking_text}. {header.title}{' for ' + header.period_words if header.period_words else ''}, "
            f"as of {fmt(header.as_of)}, {header.authority}."
        ),
        keywords=[header.marking_text, header.title, header.period.key, f"as of {header.as_of.isoformat()}"],
        creator=PRODUCER,
        producer=PRODUCER,
    )
    doc.build(list(story) or [Spacer(1, 1)], canvasmaker=_numbered_canvas(header))
    return buffer.getvalue()


def frame_width(portrait: bool = False) -> float:
    page = S.PAGE_PORTRAIT if portrait else S.PAGE_LANDSCAPE
    return float(page[0] - 2 * S.MARGIN_SIDE)


# --- Building blocks --------------------------------------------------------------------------


#: Titles and headings hold a child's name: clipped so that one can never outgrow its page.
MAX_HEADING_CHARS: Final = 300


def _p(text: str, style: ParagraphStyle, limit: int = MAX_CELL_CHARS) -> Flowable:
    """A paragraph of plain text (escaped, never markup, `clip`ped); the fonts are registered first."""
    S.register_fonts()
    return Paragraph(escape(clip(text, limit)), style)


def heading(text: str) -> list[Flowable]:
    """A section heading, moved to the next page with its first lines rather than left alone."""
    return [CondPageBreak(30 * mm), heading_text(text)]


def heading_text(text: str) -> Flowable:
    """A section heading alone (inside a `KeepTogether`)."""
    return _p(text, S.HEADING_STYLE, MAX_HEADING_CHARS)


def subheading(text: str) -> list[Flowable]:
    return [CondPageBreak(22 * mm), _p(text, S.SUBHEADING_STYLE, MAX_HEADING_CHARS)]


def title(text: str) -> Flowable:
    return _p(text, S.TITLE_STYLE, MAX_HEADING_CHARS)


def para(text: str) -> Flowable:
    return _p(text, S.BODY_STYLE)


def note(text: str) -> Flowable:
    return _p(text, S.NOTE_STYLE)


def table(
    columns: Sequence[Column], rows: Sequence[Sequence[Cell]], empty: str = "None.", **kw: Any
) -> list[Flowable]:
    """A data table, or a line saying there is nothing to list."""
    if not rows:
        return [para(empty)]
    return [DataTable(columns, rows, **kw), Spacer(1, 3 * mm)]
