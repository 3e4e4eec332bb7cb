"""What the reports share: the request, its errors, short words for rules, RAG cells, measure tables."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from reportlab.platypus import Flowable

from models.domain.choices import HEARING_KINDS
from models.domain.engine import Deadline
from models.domain.journey import DRP_STAGE_NAMES
from models.domain.period import Period
from models.domain.rules import RAG_ORDER, RULES, Rag
from models.reports.document import PageHeader, fmt, table
from models.reports.tables import Cell, Column, RagCell
from models.screens.child_view import choice_label
from models.screens.facts import Caseload
from models.screens.measures import MeasureLine
from models.screens.overview import is_open
from models.screens.words import deadline_state


class ReportError(Exception):
    """A report that cannot be made as asked, in one sentence for the person who asked."""


@dataclass(frozen=True)
class ReportRequest:
    """Which report, for which month, at which as-of date, for which officer or child."""

    name: str
    period: Period
    as_of: date
    officer: str | None = None
    child_id: str | None = None
    #: The PIRO's commentary for the period (the board report prints it; read from the database).
    commentary: str = field(default="", compare=False)
    #: Who prepared a chronology for the court, and when (set where the report is made).
    prepared_by: str = field(default="", compare=False)
    prepared_on: date | None = field(default=None, compare=False)

    def file_name(self) -> str:
        """A file name that says what the PDF is and the as-of date it can be re-run with."""
        base = {
            "pack": "monthly-pack",
            "chronology": "chronology",
            "board": "board-report",
            "forum": "permanence-forum",
        }.get(self.name, f"{self.name}-report")
        parts = [base]
        if self.child_id:
            parts.append(_slug(self.child_id))
        if self.officer:
            parts.append(_slug(self.officer))
        if self.name == "forum":
            return "-".join([*parts, self.as_of.isoformat()]) + ".pdf"
        parts += [self.period.key, "asof", self.as_of.isoformat()]
        return "-".join(parts) + ".pdf"

    def to_json(self) -> dict[str, str | None]:
        return {
            "report": self.name,
            "period": self.period.key,
            "as_of": self.as_of.isoformat(),
            "officer": self.officer,
            "child_id": self.child_id,
        }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "x"


def page_header(caseload: Caseload, title: str, period: Period, dated: bool = False) -> PageHeader:
    settings = caseload.settings
    return PageHeader(
        settings.authority_name, settings.protective_marking, title, period, caseload.as_of, dated
    )


# --- Words ------------------------------------------------------------------------------------

#: Short names of the rules for table cells (declared with the rule, `Rule.short`).
RULE_SHORT: Final = {rule_id: rule.short for rule_id, rule in RULES.items()}

#: Hearings as the court team writes them.
HEARING_SHORT: Final = {c.value: c.short_form for c in HEARING_KINDS}


def deadline_line(caseload: Caseload, d: Deadline) -> str:
    """'LAC visit due 01/08/2025: overdue 31 days'."""
    ref = f" {d.ref}" if d.ref else ""
    return f"{RULE_SHORT[d.rule]}{ref} due {fmt(d.due)}: {deadline_state(caseload, d)}"


def rag_cell(rag: Rag | None, detail: str = "") -> RagCell:
    return RagCell(rag, detail)


def worst(rags: Iterable[Rag | None]) -> Rag | None:
    found: Rag | None = None
    for rag in rags:
        if rag is not None and (found is None or RAG_ORDER[rag] < RAG_ORDER[found]):
            found = rag
    return found


def open_deadlines(caseload: Caseload, child_id: str, rules: Iterable[str] | None = None) -> list[Deadline]:
    wanted = set(rules) if rules is not None else None
    return [d for d in caseload.deadlines_of(child_id) if is_open(d) and (wanted is None or d.rule in wanted)]


def label(field: str, value: str | None, empty: str = "") -> str:
    return choice_label(field, value) if value else empty


def stage_text(stage: int) -> str:
    """'2 (service manager)'."""
    return f"{stage} ({DRP_STAGE_NAMES.get(stage, 'unknown')})"


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 child', '3 children', '0 escalations'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def child_cell(child_id: str, name: str) -> str:
    return f"{child_id}\n{name}" if name and name != child_id else child_id


# --- Measures ---------------------------------------------------------------------------------

MEASURE_COLUMNS: Final = (
    Column("Measure", 0.6),
    Column("What it counts", 3.0),
    Column("Result", 0.8, "RIGHT"),
    Column("Detail", 3.1),
    Column("Against its target", 1.6),
)


_DIRECTION: Final = {Rag.GREEN: "rising (good)", Rag.AMBER: "level", Rag.RED: "falling"}


def measures_table(lines: Sequence[MeasureLine]) -> list[Flowable]:
    """The measures with each percentage against the improvement plan's milestones."""
    rows: list[list[Cell]] = []
    for line in lines:
        if line.share is not None:
            judged: Cell = RagCell(line.rag, line.judged or line.share.milestone, ": ")
        elif line.rag is not None:
            judged = RagCell(line.rag, _DIRECTION[line.rag], ": ")
        else:
            judged = ""
        rows.append([line.id, line.title, line.result, line.detail, judged])
    return table(MEASURE_COLUMNS, rows)
