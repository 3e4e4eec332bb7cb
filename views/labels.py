"""Words and colours shared by the pages: dates, stages and RAG, never colour alone.

RAG is always shown as a word with a tinted background and dark text of the same hue, so it
reads in black and white, to people who do not tell red from green, and on a projector.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor

from models.domain.journey import Stage
from models.domain.rules import Rag

STAGE_TITLES: Final = {
    Stage.CP: "Child protection",
    Stage.PLO: "Pre-proceedings (PLO)",
    Stage.COURT: "Care proceedings",
    Stage.LOOKED_AFTER: "Looked after",
    Stage.DRP: "Dispute resolution (DRP)",
}

#: Short forms for the register's "Current stages" column.
STAGE_SHORT: Final = {
    Stage.CP: "CP",
    Stage.PLO: "PLO",
    Stage.COURT: "Court",
    Stage.LOOKED_AFTER: "Looked after",
    Stage.DRP: "DRP",
}

RAG_WORDS: Final = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}

#: (background, text) per RAG: Bootstrap's alert tints, readable at AA contrast.
RAG_COLOURS: Final = {
    Rag.RED: (QColor("#f8d7da"), QColor("#842029")),
    Rag.AMBER: (QColor("#ffe69c"), QColor("#664d03")),
    Rag.GREEN: (QColor("#d1e7dd"), QColor("#0f5132")),
}

#: The as-of banner: not today is a state the user must not miss.
BANNER_STYLE: Final = (
    "QFrame#asOfBanner { background: #ffe69c; border: 1px solid #cc9a06; border-radius: 4px; }"
    " QFrame#asOfBanner QLabel { color: #3d2e02; font-weight: bold; }"
)


def qdate(day: date) -> QDate:
    """A Python date as a QDate (spelled out: not every PySide6 release converts it itself)."""
    return QDate(day.year, day.month, day.day)


def fmt_date(day: date | None) -> str:
    """dd/mm/yyyy, as the service writes dates; empty for none."""
    return f"{day:%d/%m/%Y}" if day is not None else ""


def fmt_long_date(day: date) -> str:
    """'Monday 3 March 2025'."""
    return f"{day:%A} {day.day} {day:%B %Y}"
