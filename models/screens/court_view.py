"""The court page's rows: every child in care proceedings against the 26 weeks, at an as-of date.

Built in one bulk pass (`load_caseload_with`: two queries for the children with a decision to issue
or an issue, then the engine once per child), from the same facts as the printed court tracker
(`models.screens.facts.Proceedings`) and the engine's `court.final_26w` and `court.issue_after_decision`
deadlines, so the page, the report and the clocks cannot disagree.

- Open proceedings, one row per child (extensions are per child), sorted by the time left to the
  end of the timetable, with a sibling group kept together and ordered by its most urgent child.
- Decisions to issue not yet followed by an issue, with the steps in working days against the
  local standard.
- Every concluded proceedings (final order on or before the as-of date); the page picks a period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from models.domain.choices import EXTENSION_REASONS
from models.domain.engine import Deadline
from models.domain.records import ChildRecord
from models.domain.rules import Rag
from models.screens.facts import Caseload, Proceedings, load_caseload_with
from models.screens.measures import mean_median
from models.screens.words import deadline_of, deadline_state
from models.storage.bulk import bulk_work
from models.storage.db import Database

#: The children the court page reads: those with a decision to issue or proceedings issued.
COURT_EVENT_TYPES: Final = frozenset({"decision_to_issue", "proceedings_issued"})

#: The statutory timetable: 26 weeks beginning with the issue day.
STATUTORY_WEEKS: Final = 26

#: Extension reasons as the ruler labels its bands (the legend spells them out).
REASON_SHORT: Final = {c.value: c.short_form for c in EXTENSION_REASONS}


@dataclass(frozen=True, slots=True)
class HearingMark:
    """A hearing of the proceedings: held (on or before the as-of date) or listed (after it)."""

    date: date
    kind: str | None
    outcome: str | None
    listed: bool
    day: int  # days after issue (the issue day is day 0 here, day 1 of week 1 for people)

    @property
    def week(self) -> int:
        return self.day // 7 + 1


@dataclass(frozen=True, slots=True)
class ExtensionBand:
    """One extension: granted on a date, moving the end from `previous_end` to `until`."""

    granted: date
    previous_end: date
    until: date
    reason: str | None

    @property
    def added_days(self) -> int:
        return (self.until - self.previous_end).days

    @property
    def added_weeks(self) -> float:
        return round(self.added_days / 7, 1)

    @property
    def reason_short(self) -> str:
        return REASON_SHORT.get(self.reason or "", "?")


@dataclass(frozen=True, slots=True)
class CourtRow:
    """One child's open proceedings at the as-of date.

    `end` is the projected end: the statutory end (issue + 181 days) or the latest extension's new
    end, which is also the due date of the engine's `court.final_26w` deadline (`deadline`).
    """

    child_id: str
    name: str
    sibling_group: str | None
    team: str
    social_worker: str
    case_number: str | None
    court: str | None
    issued: date
    as_of: date
    statutory_end: date
    end: date
    hearings: tuple[HearingMark, ...]
    extensions: tuple[ExtensionBand, ...]
    deadline: Deadline | None
    state: str

    def week_on(self, day: date) -> int:
        return (day - self.issued).days // 7 + 1

    @property
    def week(self) -> int:
        """The week of the proceedings the as-of date falls in (the issue day is day 1 of week 1)."""
        return self.week_on(self.as_of)

    @property
    def end_week(self) -> int:
        return self.week_on(self.end)

    @property
    def days_left(self) -> int:
        """Calendar days from the as-of date to the end (negative once overrun)."""
        return (self.end - self.as_of).days

    @property
    def weeks_left(self) -> float:
        return round(self.days_left / 7, 1)

    @property
    def extended(self) -> bool:
        return bool(self.extensions)

    @property
    def rag(self) -> Rag | None:
        return self.deadline.rag if self.deadline is not None else None

    @property
    def explanation(self) -> str:
        return self.deadline.explanation if self.deadline is not None else ""

    @property
    def ruler_weeks(self) -> int:
        """How many weeks the ruler shows: 26, or to two weeks past the end (and past today)."""
        return max(STATUTORY_WEEKS, self.end_week + 2, self.week + 1)

    @property
    def group(self) -> str:
        """The sibling group, or the child alone."""
        return self.sibling_group or f"child:{self.child_id}"

    @property
    def last_hearing(self) -> HearingMark | None:
        held = [h for h in self.hearings if not h.listed]
        return held[-1] if held else None

    @property
    def next_hearing(self) -> HearingMark | None:
        return next((h for h in self.hearings if h.listed), None)


@dataclass(frozen=True, slots=True)
class PendingIssueRow:
    """A decision to issue awaiting issue: the steps so far in working days, against the standard."""

    child_id: str
    name: str
    sibling_group: str | None
    team: str
    decision: date
    documents: date | None
    decision_to_documents: int | None  # working days
    waiting: int  # working days from the decision to the as-of date
    standard: int
    deadline: Deadline | None
    state: str

    @property
    def due(self) -> date | None:
        return self.deadline.due if self.deadline is not None else None

    @property
    def rag(self) -> Rag | None:
        return self.deadline.rag if self.deadline is not None else None

    @property
    def explanation(self) -> str:
        return self.deadline.explanation if self.deadline is not None else ""


@dataclass(frozen=True, slots=True)
class ConcludedRow:
    """Proceedings ended by a final order, with their length in weeks."""

    child_id: str
    name: str
    sibling_group: str | None
    proceedings: Proceedings

    @property
    def final_order(self) -> date:
        assert self.proceedings.final_order is not None
        return self.proceedings.final_order

    @property
    def duration_weeks(self) -> float:
        weeks = self.proceedings.duration_weeks
        assert weeks is not None
        return weeks


@dataclass(frozen=True, slots=True)
class ConcludedSummary:
    count: int
    within_26: int
    within_end: int
    mean_weeks: float | None
    median_weeks: float | None


@dataclass(frozen=True)
class CourtView:
    """Everything the court page shows at one as-of date."""

    as_of: date
    standard_wd: int
    open: tuple[CourtRow, ...] = ()
    pending: tuple[PendingIssueRow, ...] = ()
    concluded: tuple[ConcludedRow, ...] = ()

    def merged(self, partial: CourtView, child_ids: Iterable[str]) -> CourtView:
        """This view with `child_ids` replaced by their rows in `partial` (dropped if absent)."""
        ids = set(child_ids)
        return CourtView(
            self.as_of,
            partial.standard_wd,
            tuple(urgency_order([r for r in self.open if r.child_id not in ids] + list(partial.open))),
            tuple(_pending_order([r for r in self.pending if r.child_id not in ids] + list(partial.pending))),
            tuple(
                _concluded_order(
                    [r for r in self.concluded if r.child_id not in ids] + list(partial.concluded)
                )
            ),
        )

    def concluded_between(self, start: date, end: date) -> list[ConcludedRow]:
        """Proceedings whose final order fell in [start, end], in order of the final order."""
        return [r for r in self.concluded if start <= r.final_order <= end]


def urgency_order(rows: Iterable[CourtRow]) -> list[CourtRow]:
    """Least time left first; a sibling group together, placed by its most urgent child."""
    groups: dict[str, list[CourtRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    ordered: list[tuple[tuple[int, str], list[CourtRow]]] = []
    for key, members in groups.items():
        members.sort(key=lambda r: (r.days_left, r.child_id, r.issued))
        ordered.append(((members[0].days_left, key), members))
    ordered.sort(key=lambda pair: pair[0])
    return [row for _, members in ordered for row in members]


def _pending_order(rows: Iterable[PendingIssueRow]) -> list[PendingIssueRow]:
    return sorted(rows, key=lambda r: (r.decision, r.child_id))


def _concluded_order(rows: Iterable[ConcludedRow]) -> list[ConcludedRow]:
    return sorted(rows, key=lambda r: (r.final_order, r.child_id))


def summarise_concluded(rows: Sequence[ConcludedRow]) -> ConcludedSummary:
    """Counts within 26 weeks and within the extended end; mean and median weeks (one decimal)."""
    mean, median = mean_median([r.duration_weeks for r in rows])
    return ConcludedSummary(
        len(rows),
        sum(1 for r in rows if r.proceedings.within_26_weeks),
        sum(1 for r in rows if r.proceedings.within_end),
        mean,
        median,
    )


# --- Building ---------------------------------------------------------------------------------


def _text(child: ChildRecord, name: str) -> str:
    value = child.fields.get(name)
    return str(value) if value else ""


def _open_row(caseload: Caseload, child: ChildRecord, p: Proceedings) -> CourtRow:
    as_of = caseload.as_of
    clock = deadline_of(caseload.deadlines_of(child.id), "court.final_26w", p.issued)
    hearings = [HearingMark(h.date, h.kind, h.outcome, False, (h.date - p.issued).days) for h in p.hearings]
    hearings += [HearingMark(h.date, h.kind, h.outcome, True, (h.date - p.issued).days) for h in p.listed]
    bands: list[ExtensionBand] = []
    end = p.statutory_end
    # As the engine reads them: each extension replaces the end; the latest granted counts.
    for e in sorted(p.extensions, key=lambda e: e.granted):
        bands.append(ExtensionBand(e.granted, end, e.until, e.reason))
        end = e.until
    return CourtRow(
        child.id,
        child.name,
        _text(child, "sibling_group") or None,
        _text(child, "team"),
        _text(child, "social_worker"),
        p.case_number,
        p.court,
        p.issued,
        as_of,
        p.statutory_end,
        p.end,
        tuple(hearings),
        tuple(bands),
        clock,
        deadline_state(caseload, clock) if clock is not None else "",
    )


def court_view(caseload: Caseload) -> CourtView:
    """The court page's rows for the children of a caseload."""
    as_of = caseload.as_of
    wd = caseload.calendar.working_days_between
    standard = caseload.settings.standards.issue_after_decision_wd
    open_rows: list[CourtRow] = []
    pending: list[PendingIssueRow] = []
    concluded: list[ConcludedRow] = []
    for facts in caseload.all_facts():
        child = facts.child
        group = _text(child, "sibling_group") or None
        for p in facts.proceedings:
            if p.final_order is None:
                open_rows.append(_open_row(caseload, child, p))
            else:
                concluded.append(ConcludedRow(child.id, child.name, group, p))
        for decision in facts.pending_issues:
            clock = deadline_of(
                caseload.deadlines_of(child.id), "court.issue_after_decision", decision.decision
            )
            docs = decision.documents
            pending.append(
                PendingIssueRow(
                    child.id,
                    child.name,
                    group,
                    _text(child, "team"),
                    decision.decision,
                    docs,
                    wd(decision.decision, docs) if docs is not None else None,
                    wd(decision.decision, as_of),
                    standard,
                    clock,
                    deadline_state(caseload, clock) if clock is not None else "",
                )
            )
    return CourtView(
        as_of,
        standard,
        tuple(urgency_order(open_rows)),
        tuple(_pending_order(pending)),
        tuple(_concluded_order(concluded)),
    )


def build_court_view(db: Database, as_of: date, child_ids: Sequence[str] | None = None) -> CourtView:
    """The court page at `as_of` for every child in proceedings (or for a few, to merge after an edit)."""
    with bulk_work():
        caseload = load_caseload_with(db, as_of, COURT_EVENT_TYPES, child_ids)
        return court_view(caseload)
