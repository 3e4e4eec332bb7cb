"""Caseloads: children per social worker, per reviewing officer and per team, month by month.

A child is on a social worker's (and a team's) caseload on a day when any episode of theirs is open
on it: a child protection plan, a period of care, pre-proceedings, a decision to issue, or care
proceedings. A reviewing officer's caseload is the children looked after or on a child protection
plan that day (the IRO or CP chair's work). Allocation is the child's record as it stands (who the
social worker, reviewing officer and team are now): the record keeps no history of allocation, so
earlier months count today's allocation.

A person above their standard (Settings: a social worker 15 to 18 children by default, a reviewing
officer 50 to 70, the IRO Handbook's range) is flagged with a sentence, never by colour alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from models.domain.period import Period
from models.screens.facts import Caseload, ChildFacts

#: Months shown, ending with the as-of date's month.
MONTHS: Final = 12
NOT_ALLOCATED: Final = "not allocated"


def _open(start: date, end: date | None, day: date) -> bool:
    return start <= day and (end is None or end > day)


def open_on(facts: ChildFacts, day: date) -> bool:
    """Any episode open on the day (the social worker's and the team's caseload)."""
    return (
        looked_after_or_cp(facts, day)
        or any(_open(p.letter, p.ended, day) for p in facts.pre_proceedings)
        or any(_open(p.issued, p.final_order, day) for p in facts.proceedings)
        or any(p.decision <= day for p in facts.pending_issues)
    )


def looked_after_or_cp(facts: ChildFacts, day: date) -> bool:
    """Looked after or on a child protection plan on the day (the reviewing officer's caseload)."""
    return any(_open(p.start, p.ceased, day) for p in facts.care_periods) or any(
        _open(p.icpc, p.ended, day) for p in facts.cp_plans
    )


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One person or team: children on each month's last day (the last is the as-of date)."""

    kind: str  # "social worker", "reviewing officer" or "team"
    name: str
    counts: tuple[int, ...]
    standard: tuple[int, int] | None

    @property
    def now(self) -> int:
        return self.counts[-1] if self.counts else 0

    @property
    def over(self) -> bool:
        return self.standard is not None and self.name != NOT_ALLOCATED and self.now > self.standard[1]

    @property
    def judgement(self) -> str:
        """A sentence that says how the caseload stands against the standard."""
        if self.standard is None:
            return ""
        low, high = self.standard
        if self.name == NOT_ALLOCATED:
            return f"{self.now} children have no {self.kind} recorded."
        if self.over:
            return (
                f"{self.name} has {self.now} children, {self.now - high} above the standard of {low} to {high} "
                f"for a {self.kind}."
            )
        if self.now < low:
            return f"{self.now} children, below the standard of {low} to {high}."
        return f"{self.now} children, within the standard of {low} to {high}."


@dataclass(frozen=True)
class Caseloads:
    as_of: date
    months: tuple[Period, ...]
    days: tuple[date, ...]
    workers: tuple[CaseloadRow, ...]
    officers: tuple[CaseloadRow, ...]
    teams: tuple[CaseloadRow, ...]

    @property
    def flagged(self) -> list[CaseloadRow]:
        return [r for r in (*self.workers, *self.officers) if r.over]


def _rows(
    kind: str, counts_by_day: Sequence[Counter[str]], standard: tuple[int, int] | None
) -> tuple[CaseloadRow, ...]:
    names = sorted({n for c in counts_by_day for n in c}, key=lambda n: (n == NOT_ALLOCATED, n.lower()))
    rows = [CaseloadRow(kind, n, tuple(c.get(n, 0) for c in counts_by_day), standard) for n in names]
    rows.sort(key=lambda r: (r.name == NOT_ALLOCATED, -r.now, r.name.lower()))
    return tuple(rows)


def caseloads(caseload: Caseload) -> Caseloads:
    """Every social worker's, reviewing officer's and team's caseload over the last 12 months."""
    as_of = caseload.as_of
    months = tuple(Period.of(as_of).last(MONTHS))
    days = tuple(min(p.end, as_of) for p in months)
    workers: list[Counter[str]] = [Counter() for _ in days]
    officers: list[Counter[str]] = [Counter() for _ in days]
    teams: list[Counter[str]] = [Counter() for _ in days]
    for facts in caseload.all_facts():
        f = facts.child.fields
        worker = str(f.get("social_worker") or NOT_ALLOCATED)
        officer = str(f.get("reviewing_officer") or NOT_ALLOCATED)
        team = str(f.get("team") or NOT_ALLOCATED)
        for i, day in enumerate(days):
            if open_on(facts, day):
                workers[i][worker] += 1
                teams[i][team] += 1
            if looked_after_or_cp(facts, day):
                officers[i][officer] += 1
    settings = caseload.settings
    return Caseloads(
        as_of,
        months,
        days,
        _rows("social worker", workers, settings.worker_caseload),
        _rows("reviewing officer", officers, settings.iro_caseload),
        _rows("team", teams, None),
    )
