"""7. Monthly pack: the measures, then reports 1 to 5 in one PDF, each under its own page title.

Saved with the as-of date in its file name (`monthly-pack-2025-09-asof-2025-10-01.pdf`) so that
last month's pack can be re-run exactly with the same as-of date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

from reportlab.platypus import Flowable, PageBreak

from models.reports import court, drp, permanence, plo, tracker
from models.reports.common import ReportRequest, measures_table
from models.reports.document import Contents, ContentsEntry, SectionMark, fmt, heading, note, para, title
from models.screens.facts import Caseload
from models.screens.measures import compute_measures, measure_lines

TITLE: Final = "Monthly pack"

#: The reports the pack holds, in order: (name, title, story).
PARTS: Final[tuple[tuple[str, str, Callable[[Caseload, ReportRequest], list[Flowable]]], ...]] = (
    ("tracker", tracker.TITLE, tracker.flowables),
    ("drp", drp.TITLE, drp.flowables),
    ("court", court.TITLE, court.flowables),
    ("plo", plo.TITLE, plo.flowables),
    ("permanence", permanence.TITLE, permanence.flowables),
)


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    period = request.period
    parts: list[Flowable] = []
    for i, (name, part_title, build) in enumerate(PARTS, start=1):
        parts.append(PageBreak())
        parts.append(SectionMark(part_title, f"part-{i}"))
        parts += build(caseload, replace(request, name=name, officer=None))
    # Every part and every section inside one (an officer of the tracker), with its first page.
    entries = [ContentsEntry(f.title, f.key, f.level) for f in parts if isinstance(f, SectionMark)]
    return [
        title(f"{TITLE}: {period.label}"),
        para(
            f"{caseload.settings.authority_name}: the monthly reports for {period.label}, as the records stood at "
            f"{fmt(caseload.as_of)}. Re-run with the same as-of date to reproduce this pack exactly."
        ),
        *heading("Measures"),
        *measures_table(measure_lines(compute_measures(caseload, period))),
        *heading("Contents"),
        note(
            "Each report and each reviewing officer's section, with the page it starts on; also in the PDF's bookmarks."
        ),
        Contents(entries),
        *parts,
    ]
