"""Caseloads: children per social worker, reviewing officer and team over the last 12 months, each
person against their standard (Settings), anyone above it named in a sentence at the top."""

from __future__ import annotations

from typing import Final

from reportlab.platypus import Flowable

from models.reports.common import ReportRequest, plural
from models.reports.document import fmt, heading, note, para, table, title
from models.reports.tables import Cell, Column
from models.screens.caseloads import CaseloadRow, Caseloads, caseloads
from models.screens.facts import Caseload

TITLE: Final = "Caseloads"


def _columns(data: Caseloads, who: str, judged: bool) -> list[Column]:
    cols = [Column(who, 1.3)]
    cols += [Column(p.short_label.replace(" 20", " '"), 0.42, "RIGHT") for p in data.months[:-1]]
    cols.append(Column(f"Now ({fmt(data.as_of)})", 0.6, "RIGHT"))
    if judged:
        cols.append(Column("Against the standard", 2.6))
    return cols


def _cells(row: CaseloadRow, judged: bool) -> list[Cell]:
    cells: list[Cell] = [row.name, *(str(c) for c in row.counts)]
    if judged:
        cells.append(("ABOVE STANDARD: " if row.over else "") + row.judgement)
    return cells


def story(data: Caseloads, worker: tuple[int, int], iro: tuple[int, int]) -> list[Flowable]:
    out: list[Flowable] = [
        title(f"{TITLE} at {fmt(data.as_of)}"),
        para(
            f"Children on each caseload on the last day of each of the last {len(data.months)} months (the last "
            f"column is {fmt(data.as_of)}). A social worker's and a team's caseload is every child with an open "
            "child protection plan, period of care, pre-proceedings, decision to issue or care proceedings; a "
            "reviewing officer's is the children looked after or on a child protection plan. Standards: a "
            f"social worker {worker[0]} to {worker[1]} children, a reviewing officer {iro[0]} to {iro[1]} "
            "(Settings). Allocation is as recorded today; earlier months count today's allocation."
        ),
    ]
    flagged = data.flagged
    out += heading(f"Above the standard: {plural(len(flagged), 'person', 'people')}")
    out += [para(r.judgement) for r in flagged] or [para("Nobody is above the standard.")]
    for rows, who, judged in (
        (data.workers, "Social worker", True),
        (data.officers, "Reviewing officer", True),
        (data.teams, "Team", False),
    ):
        out += heading(f"{who}s")
        out += table(_columns(data, who, judged), [_cells(r, judged) for r in rows], empty="None recorded.")
    out.append(note("Counts are of children, each counted once per person however many episodes are open."))
    return out


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    settings = caseload.settings
    return story(caseloads(caseload), settings.worker_caseload, settings.iro_caseload)
