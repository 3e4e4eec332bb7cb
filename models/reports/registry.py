"""The reports by name (`tracker`, `drp`, `court`, `plo`, `permanence`, `chronology`, `pack`, `board`,
`forum`, `caseloads`, `court-chronology`).

`render` turns a caseload and a request into PDF bytes without touching the database; `build_report`
reads the caseload first; `save_report` and `record_print` also write the audit row that every
print and export of children's data leaves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Final

from reportlab.platypus import Flowable

from models.domain.period import Period, PeriodKind
from models.io.audited_export import export_audited
from models.reports import (
    REPORT_NAMES,
    board,
    caseloads,
    chronology,
    court,
    drp,
    forum,
    pack,
    permanence,
    plo,
    tracker,
)
from models.reports.common import ReportError, ReportRequest, page_header
from models.reports.document import build_pdf
from models.screens.facts import Caseload, load_caseload, reviewing_officers
from models.storage.db import Database
from models.storage.store import audit, current_user, read_commentary


@dataclass(frozen=True)
class ReportSpec:
    """One report: its name on the command line, its title, its page and how to build its story."""

    name: str
    title: str
    portrait: bool
    needs_child: bool
    story: Callable[[Caseload, ReportRequest], list[Flowable]]


REPORTS: Final[dict[str, ReportSpec]] = {
    spec.name: spec
    for spec in (
        ReportSpec("tracker", tracker.TITLE, False, False, tracker.flowables),
        ReportSpec("drp", drp.TITLE, False, False, drp.flowables),
        ReportSpec("court", court.TITLE, False, False, court.flowables),
        ReportSpec("plo", plo.TITLE, False, False, plo.flowables),
        ReportSpec("permanence", permanence.TITLE, False, False, permanence.flowables),
        ReportSpec("chronology", chronology.TITLE, True, True, chronology.flowables),
        ReportSpec("pack", pack.TITLE, False, False, pack.flowables),
        ReportSpec("board", board.TITLE, False, False, board.flowables),
        ReportSpec("forum", forum.TITLE, False, False, forum.flowables),
        ReportSpec("caseloads", caseloads.TITLE, False, False, caseloads.flowables),
        ReportSpec("court-chronology", chronology.COURT_TITLE, True, True, chronology.court_flowables),
    )
}

#: The reports the monthly pack holds, in order.
PACK_PARTS: Final = tuple(name for name, _, _ in pack.PARTS)

assert tuple(REPORTS) == REPORT_NAMES, "models.reports.REPORT_NAMES is out of step with the registry"


def make_request(
    name: str,
    as_of: date,
    period: Period | None = None,
    officer: str | None = None,
    child_id: str | None = None,
) -> ReportRequest:
    """A checked request: a known report, a period that has begun by the as-of date, the right options."""
    spec = REPORTS.get(name)
    if spec is None:
        raise ReportError(f"There is no report called {name!r} (reports: {', '.join(REPORTS)}).")
    if name == "forum":
        period = Period.of(as_of, PeriodKind.WEEK)  # the forum is on a day: its week heads the pages
    period = period or Period.last_complete_before(as_of)
    if period.start > as_of:
        raise ReportError(
            f"The period {period.label} starts after the as-of date {as_of:%d/%m/%Y}; choose an earlier month."
        )
    if spec.needs_child and not child_id:
        raise ReportError(f"The {name} report is for one child: give the child's id (--child ID).")
    if child_id and not spec.needs_child:
        raise ReportError(
            f"The {name} report covers every child; a child's id applies to the chronology only."
        )
    if officer and name != "tracker":
        raise ReportError("A reviewing officer applies to the tracker report only.")
    return ReportRequest(name, period, as_of, officer or None, child_id or None)


def render(caseload: Caseload, request: ReportRequest) -> bytes:
    """The PDF of a report over a caseload already read (pure apart from reportlab)."""
    spec = REPORTS[request.name]
    flow = spec.story(caseload, request)
    header = page_header(caseload, spec.title, request.period, dated=spec.needs_child)
    return build_pdf(flow, header, portrait=spec.portrait)


def build_report(db: Database, request: ReportRequest) -> bytes:
    """Read the children (one, for a chronology) at the as-of date and render the report."""
    ids = [request.child_id] if request.child_id else None
    if request.name == "tracker" and request.officer:
        # One officer's sheet reads and judges only their children (measured at 50,000 children:
        # see benchmarks/README.md, "Reading bench_scale.py").
        caseload = load_caseload(db, request.as_of, reviewing_officer=request.officer)
        if not caseload.children:
            raise tracker.unknown_officer(request.officer, reviewing_officers(db))
    else:
        caseload = load_caseload(db, request.as_of, ids)
    if request.name == "board":
        request = replace(request, commentary=read_commentary(db, request.period.key))
    if request.name == "court-chronology" and not request.prepared_by:
        request = replace(request, prepared_by=current_user(), prepared_on=date.today())
    if request.child_id and caseload.child(request.child_id) is None:
        raise ReportError(f"There is no child with the id {request.child_id!r}.")
    return render(caseload, request)


def _audit(db: Database, action: str, request: ReportRequest, **extra: object) -> None:
    with db.engine.begin() as conn:
        audit(
            conn,
            action,
            "report",
            request.name,
            child_id=request.child_id,
            after={**request.to_json(), **extra},
        )


#: Why a report is not saved from a database opened read-only (said before any file is written).
READ_ONLY_SAVE: Final = (
    "This database is open read-only, and a saved report is recorded in its audit log, so a report "
    "can be previewed and printed here but not saved to a file: the report was not written."
)


def save_report(db: Database, request: ReportRequest, pdf: bytes, target: Path) -> Path:
    """Write the PDF (0600, atomically) and audit the export, both or neither; a folder gets the
    default name. Refused, before any file is written, when the database is read-only."""
    if db.read_only:
        raise ReportError(READ_ONLY_SAVE)
    path = target / request.file_name() if target.is_dir() else target
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    export_audited(
        db,
        path,
        lambda fh: {"bytes": fh.write(pdf)},
        what="report",
        action="export-report",
        entity="report",
        entity_id=request.name,
        child_id=request.child_id,
        details={**request.to_json(), "file": str(path)},
    )
    return path


def render_per_officer(db: Database, request: ReportRequest) -> list[tuple[ReportRequest, bytes]]:
    """The tracker as one PDF per reviewing officer (IRO or CP chair), each numbered from its own
    page 1, made in memory and nothing written (so the making can be cancelled); the children are
    read once."""
    if request.name != "tracker":
        raise ReportError("One file per officer is made for the tracker report only.")
    caseload = load_caseload(db, request.as_of)
    made = []
    for officer in caseload.officers:
        one = replace(request, officer=officer)
        made.append((one, render(caseload, one)))
    if not made:
        raise ReportError(
            "No child has a reviewing officer recorded, so there is no officer's file to write."
        )
    return made


def save_rendered(db: Database, made: Sequence[tuple[ReportRequest, bytes]], folder: Path) -> list[Path]:
    """Write each PDF that `render_per_officer` made into a folder, each write audited."""
    if db.read_only:
        raise ReportError(READ_ONLY_SAVE)
    folder.mkdir(parents=True, exist_ok=True)
    return [save_report(db, request, pdf, folder) for request, pdf in made]


def save_per_officer(db: Database, request: ReportRequest, folder: Path) -> list[Path]:
    """The tracker as one PDF per reviewing officer in a folder (see `render_per_officer`)."""
    return save_rendered(db, render_per_officer(db, request), folder)


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF written by reportlab (one `/Type /Page` object each)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def record_print(db: Database, request: ReportRequest, pages: int, printer: str = "") -> None:
    """Audit a print of a report (a database opened read-only records nothing: reviewing a copy)."""
    if db.read_only:
        return
    _audit(db, "print", request, pages=pages, printer=printer)
