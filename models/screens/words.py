"""A deadline's state in a few words, for a table cell: the page and its printed report share these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

from models.domain.engine import Deadline
from models.domain.rules import RULES, Status, Unit
from models.screens.child_view import format_date as fmt
from models.screens.facts import Caseload

__all__ = [
    "STATUS_WORDS",
    "days_left",
    "deadline_of",
    "deadline_state",
    "short_state",
    "unit_word",
    "why",
]


STATUS_WORDS: Final = {
    Status.MET: "met",
    Status.MET_LATE: "met late",
    Status.OVERDUE: "overdue",
    Status.DUE_SOON: "due soon",
    Status.PENDING: "pending",
}


def deadline_of(deadlines: Iterable[Deadline], rule: str, trigger: date) -> Deadline | None:
    """The deadline of one rule started on one day (a page's row and its report's row read it here)."""
    return next((d for d in deadlines if d.rule == rule and d.trigger == trigger), None)


def unit_word(rule: str, count: int) -> str:
    working = RULES[rule].unit is Unit.WORKING_DAYS
    word = "WD" if working else ("day" if count == 1 else "days")
    return f"{count} {word}"


def days_left(caseload: Caseload, d: Deadline) -> int:
    """Time left to a deadline from the as-of date, in the rule's unit."""
    if RULES[d.rule].unit is Unit.WORKING_DAYS:
        return caseload.calendar.working_days_between(caseload.as_of, d.due)
    return (d.due - caseload.as_of).days


def deadline_state(caseload: Caseload, d: Deadline) -> str:
    """'overdue 12 WD', 'due today', 'due in 3 days', 'met 14/07/2025', 'met late (2 WD)'."""
    if d.status is Status.OVERDUE:
        return f"overdue {unit_word(d.rule, d.late_by)}"
    if d.status is Status.MET:
        return f"met {fmt(d.done)}"
    if d.status is Status.MET_LATE:
        return f"met {fmt(d.done)}, {unit_word(d.rule, d.late_by)} late"
    left = days_left(caseload, d)
    if left == 0:
        return "due today"
    return f"due in {unit_word(d.rule, left)}"


def short_state(caseload: Caseload, d: Deadline) -> str:
    """'overdue 12 WD', 'today', 'in 3 days', 'met': for narrow cells beside the due date."""
    if d.status is Status.OVERDUE:
        return f"overdue {unit_word(d.rule, d.late_by)}"
    if d.status in (Status.MET, Status.MET_LATE):
        return STATUS_WORDS[d.status]
    left = days_left(caseload, d)
    return "today" if left == 0 else f"in {unit_word(d.rule, left)}"


def why(d: Deadline) -> str:
    """'Child protection visit (overdue): <the engine's explanation>': the reason for a flag, in the
    words the child page's Explanation column shows, for the Today and register details panes and
    the register's CSV "Why" column."""
    title = RULES[d.rule].title
    ref = f" – {d.ref}" if d.ref else ""
    return f"{title}{ref} ({STATUS_WORDS[d.status]}): {d.explanation}"
