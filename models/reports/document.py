"""The page every report is printed on, and the building blocks of a report's story.

Every page carries the protective marking in bold capitals at the top and at the bottom, the
authority's name, the report's title, the period and the as-of date, and "Page X of Y". The
marking also goes into the PDF's subject and keywords. Page numbers need the page count, so the
canvas keeps each page until the document is finished and draws the furniture then (reportlab's
numbered-canvas recipe). A `SectionMark` flowable changes the title printed on the following pages,
which is how the monthly pack titles each of its reports.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer

from models.domain.period import Period
from models.reports import styles as S
from models.reports.tables import Cell, Column, DataTable
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

    @property
    def marking_text(self) -> str:
        return self.marking.strip().upper()

    @property
    def period_text(self) -> str:
        return f"Period: {self.period.label} ({fmt(self.period.start)} to {fmt(self.period.end)})"

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
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=outline_level)


def page_title(header: PageHeader, sections: dict[int, str]) -> str:
    """The report's title, then the section path: 'Monthly pack · Monthly tracker sheet · P. Jones'."""
    return " · ".join([header.title, *(sections[k] for k in sorted(sections))])


def _draw_furniture(canv: Canvas, header: PageHeader, number: int, total: int) -> None:
    width, height = canv._pagesize
    left, right = S.MARGIN_SIDE, width - S.MARGIN_SIDE
    title = page_title(header, getattr(canv, "sections", {}))
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
    canv.drawString(left, 10.5 * mm, f"{PRODUCER}: {title}, {header.period.label}, as of {fmt(header.as_of)}")
    canv.setFillColor(S.TEXT)
    canv.setFont(S.FONT_BOLD, S.FOOTER_SIZE + 0.5)
    canv.drawRightString(right, 10.5 * mm, f"Page {number} of {total}")
    canv.restoreState()


def _numbered_canvas(header: PageHeader) -> type[Canvas]:
    class NumberedCanvas(Canvas):  # type: ignore[misc]
        """Keeps every page until the end, then draws the furniture with the page count."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._page_states: list[dict[str, Any]] = []
            self.sections: dict[int, str] = {}

        def showPage(self) -> None:
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._page_states)
            for number, state in enumerate(self._page_states, start=1):
                self.__dict__.update(state)
                _draw_furniture(self, header, number, total)
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
        title=f"{header.title}: {header.period.label} [{header.marking_text}]",
        author=header.authority,
        subject=(
            f"{header.marking_text}. {header.title} for {header.period.label}, "
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


def _p(text: str, style: ParagraphStyle) -> Flowable:
    """A paragraph of plain text (escaped, never markup); the fonts are registered first."""
    S.register_fonts()
    return Paragraph(escape(text), style)


def heading(text: str) -> list[Flowable]:
    """A section heading, moved to the next page with its first lines rather than left alone."""
    return [CondPageBreak(30 * mm), heading_text(text)]


def heading_text(text: str) -> Flowable:
    """A section heading alone (inside a `KeepTogether`)."""
    return _p(text, S.HEADING_STYLE)


def subheading(text: str) -> list[Flowable]:
    return [CondPageBreak(22 * mm), _p(text, S.SUBHEADING_STYLE)]


def title(text: str) -> Flowable:
    return _p(text, S.TITLE_STYLE)


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
