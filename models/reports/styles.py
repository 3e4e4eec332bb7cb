"""Every size, colour, font and paragraph style of the printed reports, named once.

The font is DejaVu Sans, shipped in `resources/fonts/` and embedded in every PDF, so names outside
Latin-1 (Łukasz, Zoë, Nguyễn) print as written. RAG is never colour alone: each RAG cell carries
the word in dark text of the same hue on a light tint, which still reads on a black-and-white
printer (the words differ even where the tints turn the same grey).
"""

from __future__ import annotations

import io
from importlib import resources
from typing import Final

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from models.domain.rules import Rag

# --- Fonts ------------------------------------------------------------------------------------

FONT: Final = "DejaVuSans"
FONT_BOLD: Final = "DejaVuSans-Bold"
_FONT_FILES: Final = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}


_registered: list[bool] = []


def register_fonts() -> None:
    """Register the shipped TTF fonts with reportlab (once per process; cheap after that)."""
    if _registered:
        return
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file_name in _FONT_FILES.items():
        if name in registered:
            continue
        data = resources.files("resources.fonts").joinpath(file_name).read_bytes()
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    _registered.append(True)


# --- Pages ------------------------------------------------------------------------------------

PAGE_LANDSCAPE: Final = landscape(A4)
PAGE_PORTRAIT: Final = A4
MARGIN_SIDE: Final = 12 * mm
#: Room above the frame for the marking and the header lines.
MARGIN_TOP: Final = 25 * mm
#: Room below the frame for the footer and the marking.
MARGIN_BOTTOM: Final = 17 * mm

MARKING_SIZE: Final = 10.0
HEADER_SIZE: Final = 8.0
HEADER_TITLE_SIZE: Final = 10.0
FOOTER_SIZE: Final = 7.5

# --- Text -------------------------------------------------------------------------------------

BODY_SIZE: Final = 8.5
TABLE_SIZE: Final = 7.5
TABLE_LEADING: Final = 9.0
CELL_PAD_X: Final = 3.0
CELL_PAD_Y: Final = 2.0

# --- Colours ----------------------------------------------------------------------------------

TEXT: Final = colors.HexColor("#212529")
MUTED: Final = colors.HexColor("#495057")
RULE_LINE: Final = colors.HexColor("#6c757d")
GRID: Final = colors.HexColor("#adb5bd")
HEADER_FILL: Final = colors.HexColor("#dee2e6")
STRIPE_FILL: Final = colors.HexColor("#f8f9fa")
SECTION_FILL: Final = colors.HexColor("#e7f1ff")
TIMELINE_AXIS: Final = colors.HexColor("#343a40")
TIMELINE_PERIOD: Final = colors.HexColor("#cfe2ff")
TIMELINE_EXTENDED: Final = colors.HexColor("#ffe69c")
TIMELINE_TODAY: Final = colors.HexColor("#842029")
OVERRUN_FILL: Final = colors.HexColor("#f8d7da")
BAR_FILL: Final = colors.HexColor("#6ea8fe")

#: (background, text) per RAG: the same tints as the screens (views/labels.py).
RAG_FILL: Final = {
    Rag.RED: colors.HexColor("#f8d7da"),
    Rag.AMBER: colors.HexColor("#ffe69c"),
    Rag.GREEN: colors.HexColor("#d1e7dd"),
}
RAG_TEXT: Final = {
    Rag.RED: colors.HexColor("#842029"),
    Rag.AMBER: colors.HexColor("#664d03"),
    Rag.GREEN: colors.HexColor("#0f5132"),
}
#: The word printed in every RAG cell.
RAG_LABEL: Final = {Rag.RED: "RED", Rag.AMBER: "AMBER", Rag.GREEN: "GREEN"}

# --- Paragraph styles -------------------------------------------------------------------------

TITLE_STYLE: Final = ParagraphStyle(
    "ReportTitle", fontName=FONT_BOLD, fontSize=14, leading=17, textColor=TEXT, spaceAfter=3
)
HEADING_STYLE: Final = ParagraphStyle(
    "ReportHeading", fontName=FONT_BOLD, fontSize=11, leading=14, textColor=TEXT, spaceBefore=8, spaceAfter=4
)
SUBHEADING_STYLE: Final = ParagraphStyle(
    "ReportSubheading",
    fontName=FONT_BOLD,
    fontSize=9,
    leading=11,
    textColor=TEXT,
    spaceBefore=6,
    spaceAfter=3,
)
BODY_STYLE: Final = ParagraphStyle(
    "ReportBody",
    fontName=FONT,
    fontSize=BODY_SIZE,
    leading=11,
    textColor=TEXT,
    alignment=TA_LEFT,
    spaceAfter=3,
)
NOTE_STYLE: Final = ParagraphStyle(
    "ReportNote", fontName=FONT, fontSize=7, leading=9, textColor=MUTED, spaceAfter=3
)
