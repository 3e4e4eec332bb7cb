"""The weekly permanence forum: who comes to it on a date, and what it decided.

The agenda gathers five groups from the engine's deadlines and the episode facts at the forum's
date (the as-of date), each child with a sentence saying why:
1. looked after and within 4 weeks of the second review with no permanence plan (or past it);
2. pre-proceedings (PLO) at week 12 or later;
3. care proceedings at week 20 or later, or past the end of their timetable;
4. escalations (DRP) open at stage 2 or above;
5. child protection plans open 15 months or more.
A child may be in more than one group. After the forum, each child's outcome and actions are
recorded as a `permanence_forum` event (no clock); the minutes list the events of the date, and
measure M13 counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from models.domain.calendar import add_months
from models.domain.engine import Deadline
from models.domain.journey import DRP_STAGE_NAMES
from models.domain.records import ChildRecord
from models.screens.child_view import format_date as fmt
from models.screens.facts import Caseload, counted_events

#: How far ahead of the second review a child without a plan comes to the forum.
SECOND_REVIEW_WEEKS: Final = 4
PLO_WEEK: Final = 12
COURT_WEEK: Final = 20
DRP_STAGE: Final = 2
CP_PLAN_MONTHS: Final = 15


@dataclass(frozen=True, slots=True)
class ForumGroup:
    key: str
    title: str


GROUPS: Final = (
    ForumGroup("permanence", f"Within {SECOND_REVIEW_WEEKS} weeks of the second review, no permanence plan"),
    ForumGroup("plo", f"Pre-proceedings at week {PLO_WEEK} or later"),
    ForumGroup("court", f"Proceedings at week {COURT_WEEK} or later, or past their end"),
    ForumGroup("drp", f"Escalations open at stage {DRP_STAGE} or above"),
    ForumGroup("cp", f"Child protection plans open {CP_PLAN_MONTHS} months or more"),
)


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One child on the agenda, in one group, with why and the date that matters most."""

    group: str
    child_id: str
    name: str
    social_worker: str
    reviewing_officer: str
    team: str
    reason: str
    key_date: date

    @property
    def group_title(self) -> str:
        return next(g.title for g in GROUPS if g.key == self.group)


@dataclass(frozen=True, slots=True)
class MinuteItem:
    """What the forum decided for one child (a `permanence_forum` event of the date)."""

    child_id: str
    name: str
    outcome: str
    actions: str
    next_review: date | None


@dataclass(frozen=True)
class Agenda:
    day: date
    items: tuple[AgendaItem, ...]
    minutes: tuple[MinuteItem, ...]

    def group(self, key: str) -> list[AgendaItem]:
        return [i for i in self.items if i.group == key]

    @property
    def children(self) -> list[str]:
        return sorted({i.child_id for i in self.items})


def _item(child: ChildRecord, group: str, reason: str, key_date: date) -> AgendaItem:
    f = child.fields
    return AgendaItem(
        group,
        child.id,
        child.name,
        str(f.get("social_worker") or ""),
        str(f.get("reviewing_officer") or ""),
        str(f.get("team") or ""),
        reason,
        key_date,
    )


def without_plan(caseload: Caseload, until: date) -> list[tuple[ChildRecord, Deadline]]:
    """Children with no permanence plan whose second review is due by `until` (or was due before
    the as-of date and still has none): the forum's first group and the permanence report's look
    ahead. Sorted by the due date."""
    out = []
    for d in caseload.deadlines_of_rule("cla.permanence_by_second_review"):
        child = caseload.child(d.child_id)
        if child is not None and d.done is None and d.due <= until:
            out.append((child, d))
    out.sort(key=lambda pair: (pair[1].due, pair[0].id))
    return out


def forum_agenda(caseload: Caseload, day: date | None = None) -> Agenda:
    """The forum's agenda at the caseload's as-of date (the forum's date), and its minutes so far."""
    day = day or caseload.as_of
    horizon = day + timedelta(weeks=SECOND_REVIEW_WEEKS)
    items: list[AgendaItem] = []
    for child, d in without_plan(caseload, horizon):
        when = "was due" if d.due < day else "is due"
        reason = (
            f"No permanence plan; the second looked-after review {when} {fmt(d.due)} "
            f"({'overdue' if d.due < day else f'in {(d.due - day).days} days'})."
        )
        items.append(_item(child, "permanence", reason, d.due))
    for facts in caseload.all_facts():
        child = facts.child
        for plo in facts.pre_proceedings:
            if plo.ended is None and plo.week_on(day) >= PLO_WEEK:
                reason = (
                    f"Pre-proceedings in week {plo.week_on(day)} of {plo.weeks_allowed} "
                    f"(letter before proceedings {fmt(plo.letter)})."
                )
                items.append(_item(child, "plo", reason, plo.letter))
        for p in facts.proceedings:
            if p.final_order is not None:
                continue
            week = p.week_on(day)
            if week >= COURT_WEEK or day > p.end:
                past = f", {(day - p.end).days} days past its end {fmt(p.end)}" if day > p.end else ""
                reason = (
                    f"Proceedings {p.case_number or ''} in week {week} (end {fmt(p.end)}){past}.".replace(
                        "Proceedings  in", "Proceedings in"
                    )
                )
                items.append(_item(child, "court", reason, p.end))
        for e in facts.escalations:
            if e.is_open and not e.good_practice and e.current.stage >= DRP_STAGE:
                stage = e.current.stage
                reason = (
                    f"Escalation {e.ref} open at stage {stage} ({DRP_STAGE_NAMES.get(stage, '')}) since "
                    f"{fmt(e.current.date)}, raised {fmt(e.raised)}."
                )
                items.append(_item(child, "drp", reason, e.current.date))
        plan = facts.open_cp_plan
        if plan is not None and add_months(plan.icpc, CP_PLAN_MONTHS) <= day:
            months = (
                (day.year - plan.icpc.year) * 12 + day.month - plan.icpc.month - (day.day < plan.icpc.day)
            )
            reason = f"Child protection plan open {months} months (since the ICPC on {fmt(plan.icpc)})."
            items.append(_item(child, "cp", reason, plan.icpc))
    order = {g.key: i for i, g in enumerate(GROUPS)}
    # Children coming up to their second review first (soonest first), then those past it.
    items.sort(
        key=lambda i: (order[i.group], i.group == "permanence" and i.key_date < day, i.key_date, i.child_id)
    )
    return Agenda(day, tuple(items), tuple(forum_minutes(caseload, day)))


def forum_minutes(caseload: Caseload, day: date) -> list[MinuteItem]:
    """The `permanence_forum` events dated on the day: what the forum decided, child by child."""
    out = []
    for child in caseload.children:
        if not any(e.type == "permanence_forum" and e.date == day for e in child.events):
            continue
        for event in counted_events(child, caseload.as_of):
            if event.type == "permanence_forum" and event.date == day:
                f = event.fields
                nxt = f.get("next_review")
                out.append(
                    MinuteItem(
                        child.id,
                        child.name,
                        str(f.get("outcome") or ""),
                        str(f.get("actions") or ""),
                        nxt if isinstance(nxt, date) else None,
                    )
                )
    return out
