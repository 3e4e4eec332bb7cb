"""The improvement plan's measures M1-M15 (`timescales.md`, "Measures") for a reporting period.

Each percentage is judged against its own target and milestones (Settings; M1's target is 100%,
the others start at 90% with milestones of 70% and 80%), and a result on fewer than 5 children is
"too few to judge", never coloured as met. The cohorts are built from the engine's deadlines where a
rule defines them (M1, M2 and M13 from `cla.permanence_by_second_review`, M3 from
`court.issue_after_decision`, M5 from `cp.icpc_15wd`, M6 from the review conference rules, M9 from
`drp.resolution_20wd`) and from the episode facts otherwise, so that a report's rows and its
percentages always count the same children.

`figures` turns one period's `Measures` into the rows the board report, the dashboard, `measures
--json` and `--csv` all print: each with the previous period taken like with like, the direction
that is good and the children behind it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from models.domain.calendar import add_months
from models.domain.engine import Deadline
from models.domain.period import DateRange, Period, Span
from models.domain.records import ChildRecord
from models.domain.rules import Rag, Status
from models.screens.child_view import choice_label
from models.screens.facts import (
    CarePeriod,
    Caseload,
    CpPlan,
    Escalation,
    PermanencePlan,
    PreProceedings,
    Proceedings,
)
from models.storage.settings import DEFAULT_TARGET, MeasureTarget, Settings

#: Fewer children than this and a percentage is "too few to judge" (`timescales.md`).
TOO_FEW: Final = 5

#: Working days within which the whole formal DRP should be resolved (IRO Handbook 6.2).
DRP_RESOLUTION_WD: Final = 20


@dataclass(frozen=True, slots=True)
class Judgement:
    """A percentage against its target: words that stand without colour, and the RAG (None unjudged)."""

    text: str
    rag: Rag | None


def _pc(value: float) -> str:
    return f"{value:g}%"


@dataclass(frozen=True, slots=True)
class Percent:
    """A share of a cohort; `cases` are the cohort's children, each with whether it counts."""

    numerator: int
    denominator: int
    cases: tuple[tuple[str, bool], ...] = field(default=(), compare=False)

    @property
    def value(self) -> float | None:
        """The percentage to one decimal place; None when the cohort is empty."""
        if self.denominator == 0:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def text(self) -> str:
        value = self.value
        return "no cases" if value is None else f"{value:.1f}%"

    @property
    def counts(self) -> str:
        return f"{self.numerator} of {self.denominator}"

    @property
    def too_few(self) -> bool:
        return 0 < self.denominator < TOO_FEW

    def judge(self, target: MeasureTarget = DEFAULT_TARGET, at: date | None = None) -> Judgement:
        """'target 100% met', '80% milestone', 'below 70%', 'too few to judge' or 'no cases'.

        With dated milestones and the date judged at, the share is held to the highest milestone
        already due ('behind: 80% due by 31/03/2027'); before the first is due, the bands as undated.
        """
        value = self.value
        if value is None:
            return Judgement("no cases", None)
        if self.too_few:
            return Judgement(f"too few to judge (under {TOO_FEW})", None)
        if value >= target.target:
            return Judgement(f"target {_pc(target.target)} met", Rag.GREEN)
        goal = f"target {_pc(target.target)}"
        due = target.due_by(at) if at is not None else None
        if due is not None:
            milestone, by = due
            if value >= milestone:
                return Judgement(f"on course: {_pc(milestone)} due by {by:%d/%m/%Y} met, {goal}", Rag.AMBER)
            return Judgement(f"behind: {_pc(milestone)} due by {by:%d/%m/%Y}, {goal}", Rag.RED)
        reached = [m for m in target.milestones if value >= m]
        if reached:
            return Judgement(f"{_pc(reached[-1])} milestone, {goal}", Rag.AMBER)
        below = target.milestones[0] if target.milestones else target.target
        return Judgement(f"below {_pc(below)}, {goal}", Rag.RED)

    @property
    def milestone(self) -> str:
        """The judgement against the default target (90%, milestones 70% and 80%)."""
        return self.judge().text

    @property
    def rag(self) -> Rag | None:
        return self.judge().rag


def percent(flags: Iterable[bool]) -> Percent:
    values = list(flags)
    return Percent(sum(values), len(values))


def percent_of(cases: Iterable[tuple[str, bool]]) -> Percent:
    """A share with the children behind it: (child id, counts) for each case of the cohort."""
    pairs = tuple(cases)
    return Percent(sum(1 for _, hit in pairs if hit), len(pairs), pairs)


def mean_median(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and median to one decimal place (None for none)."""
    if not values:
        return None, None
    return round(statistics.fmean(values), 1), round(float(statistics.median(values)), 1)


# --- Cohorts (shared with the reports) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PermanenceCase:
    """A child whose second looked-after review fell in the period (M1, M2, M13, the permanence report).

    `review` is the second review's date when held, else None; `due` is the date the plan was due by
    (the review's date when held, else the date the review was due); `forum` the latest permanence
    forum of the period of care on or before it.
    """

    child: ChildRecord
    period_of_care: CarePeriod
    deadline: Deadline
    review: date | None
    due: date
    plan: PermanencePlan | None
    later_plan: PermanencePlan | None
    forum: date | None = None

    @property
    def plan_in_place(self) -> bool:
        return self.plan is not None

    @property
    def ratified(self) -> bool:
        return self.plan is not None and any(
            p.ratified for p in self.period_of_care.plans if p.date <= self.due
        )


def permanence_cohort(caseload: Caseload, period: DateRange) -> list[PermanenceCase]:
    """Children whose second review of a period of care was held, or fell due unheld, in the period.

    A review due in the period but after the as-of date has not fallen yet and is left out; so is a
    period of care that ended before its second review (the engine drops that clock).
    """
    out: list[PermanenceCase] = []
    for d in caseload.deadlines_of_rule("cla.permanence_by_second_review"):
        if not period.contains(d.due) or d.due > caseload.as_of:
            continue
        if d.trigger_type == "tracked_from":
            continue  # restarted when tracking began: not a second review the record can show
        child = caseload.child(d.child_id)
        if child is None:
            continue
        facts = caseload.facts(child)
        care = next((p for p in facts.care_periods if p.start == d.trigger), None)
        if care is None:
            continue
        review = care.reviews[1] if len(care.reviews) > 1 else None
        plan = care.plan_on(d.due)
        later = next((p for p in care.plans if p.date > d.due), None) if plan is None else None
        forums = [f for f in care.forums if f <= d.due]
        out.append(PermanenceCase(child, care, d, review, d.due, plan, later, forums[-1] if forums else None))
    out.sort(key=lambda c: (c.due, c.child.id))
    return out


def issue_cohort(caseload: Caseload, period: DateRange) -> list[Deadline]:
    """Decisions to issue answered by an issue in the period (M3)."""
    return [d for d in caseload.deadlines_of_rule("court.issue_after_decision") if period.contains(d.done)]


def concluded_proceedings(caseload: Caseload, period: DateRange) -> list[tuple[ChildRecord, Proceedings]]:
    """Proceedings with a final order in the period (M4), in order of the final order."""
    out = [
        (facts.child, p)
        for facts in caseload.all_facts()
        for p in facts.proceedings
        if period.contains(p.final_order)
    ]
    out.sort(key=lambda pair: (pair[1].final_order or date.min, pair[0].id))
    return out


def icpc_cohort(caseload: Caseload, period: DateRange) -> list[Deadline]:
    """ICPCs held in the period that answer a section 47 strategy discussion (M5)."""
    return [d for d in caseload.deadlines_of_rule("cp.icpc_15wd") if period.contains(d.done)]


CP_REVIEW_RULES: Final = ("cp.review_3m", "cp.review_6m")


def cp_review_cohort(caseload: Caseload, period: DateRange) -> list[Deadline]:
    """Review conferences held in the period, and those that fell due in it and were not held (M6)."""
    return [
        d
        for rule in CP_REVIEW_RULES
        for d in caseload.deadlines_of_rule(rule)
        if period.contains(d.done)
        or (d.done is None and d.status is Status.OVERDUE and period.contains(d.due))
    ]


def _escalations(caseload: Caseload) -> Iterable[Escalation]:
    for facts in caseload.all_facts():
        yield from facts.escalations


def escalations_raised(caseload: Caseload, period: DateRange) -> list[Escalation]:
    """Escalations raised in the period (informal ones too, good-practice alerts not), in order."""
    out = [e for e in _escalations(caseload) if period.contains(e.raised) and not e.good_practice]
    out.sort(key=lambda e: (e.raised, e.ref))
    return out


def good_practice_raised(caseload: Caseload, period: DateRange) -> list[Escalation]:
    """Good-practice alerts raised in the period: a kind of their own, counted separately."""
    out = [e for e in _escalations(caseload) if period.contains(e.raised) and e.good_practice]
    out.sort(key=lambda e: (e.raised, e.ref))
    return out


def escalations_resolved(caseload: Caseload, period: DateRange) -> list[Escalation]:
    out = [e for e in _escalations(caseload) if period.contains(e.resolved) and not e.good_practice]
    out.sort(key=lambda e: (e.resolved or date.min, e.ref))
    return out


def formal_by(escalation: Escalation, day: date) -> bool:
    """Whether the escalation had reached a formal stage (1 or above) by a date."""
    return any(s.stage >= 1 and s.date <= day for s in escalation.stages)


def resolution_wd(caseload: Caseload, escalation: Escalation) -> int | None:
    """Working days from the first formal stage to resolution, as `drp.resolution_20wd` counts them
    (None while open, and for an escalation that never became formal: it has no such clock)."""
    formal = [s.date for s in escalation.stages if s.stage >= 1]
    if escalation.resolved is None or not formal:
        return None
    return caseload.calendar.working_days_between(formal[0], escalation.resolved)


def resolution_cohort(caseload: Caseload, period: DateRange) -> list[Deadline]:
    """Formal escalations resolved in the period, by the 20-working-day clock from the first formal
    stage (M9): an escalation that never became formal has no such clock and is not counted."""
    return [d for d in caseload.deadlines_of_rule("drp.resolution_20wd") if period.contains(d.done)]


def plo_ended(caseload: Caseload, period: DateRange) -> list[tuple[ChildRecord, PreProceedings]]:
    """Pre-proceedings ended in the period (M10, M11)."""
    return [
        (facts.child, p)
        for facts in caseload.all_facts()
        for p in facts.pre_proceedings
        if period.contains(p.ended)
    ]


def fgc_offered(p: PreProceedings) -> bool:
    """A family group conference was offered (held, declined or offered) before the end (M10)."""
    return bool(p.family_group_conferences) and (
        p.ended is None or any(d <= p.ended for d, _ in p.family_group_conferences)
    )


def fgc_held(p: PreProceedings) -> bool:
    return any(p.ended is None or d <= p.ended for d in p.fgc_dates("held"))


def _two_years_on(day: date) -> date:
    return add_months(day, 24)


def long_cp_plans(caseload: Caseload, day: date) -> list[tuple[ChildRecord, CpPlan]]:
    """CP plans open on a day that had lasted 2 years or more by it (M14)."""
    return [
        (facts.child, p)
        for facts in caseload.all_facts()
        for p in facts.cp_plans
        if p.icpc <= day and (p.ended is None or p.ended > day) and _two_years_on(p.icpc) <= day
    ]


def short_cp_plans(caseload: Caseload, period: DateRange) -> list[tuple[ChildRecord, CpPlan]]:
    """CP plans ended in the period after less than 3 months (M14)."""
    return [
        (facts.child, p)
        for facts in caseload.all_facts()
        for p in facts.cp_plans
        if p.ended is not None and period.contains(p.ended) and p.ended < add_months(p.icpc, 3)
    ]


def repeat_cp_plans(caseload: Caseload, period: DateRange) -> list[tuple[ChildRecord, CpPlan]]:
    """CP plans made in the period for a child who had a plan end in the 2 years before (M14)."""
    out = []
    for facts in caseload.all_facts():
        for i, plan in enumerate(facts.cp_plans):
            if not period.contains(plan.icpc):
                continue
            if any(
                p.ended is not None and p.ended <= plan.icpc and _two_years_on(p.ended) >= plan.icpc
                for p in facts.cp_plans[:i]
            ):
                out.append((facts.child, plan))
    return out


# --- The measures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """M1-M15 for one period (or the part of it up to the as-of date) at one as-of date.

    Attributes:
        m1: permanence plan by the second looked-after review.
        m2: of those plans, ratified by the IRO by that review.
        m3: proceedings issued in the period within the local standard after the decision.
        m4_within_26 / m4_within_end: final orders in the period within 26 weeks of issue / within
            the extended end; m4_extended: of those, the share with an extension.
        m5: ICPCs held in the period within 15 working days.
        m6: review conferences in timescale (held or due in the period).
        m7_formal / m7_informal: escalations raised in the period (stage 1+ / informal only), as
            they stood at the as-of date; m7_previous: the previous period's formal escalations
            counted like with like, at the same distance from its end (a rise is good);
            m7_good_practice: good-practice alerts raised in the period, counted apart.
        m8_*: escalations raised in the period by highest stage, category and raiser's role.
        m9_*: formal escalations resolved in the period: working days from the first formal stage
            to resolution, and the share within 20 working days.
        drp_responses: stage responses due in the period answered on time.
        m10_offered / m10_held: pre-proceedings ended in the period with a family group conference
            offered (held, declined or offered) before the end; of those, the share held.
        m11_step_down: pre-proceedings ended in the period in `step_down`.
        m12_by_decision: legal planning meetings held in the period, by decision.
        m13: children whose second review fell in the period who came to a permanence forum by it.
        m14_long / m14_short / m14_repeat: CP plans open 2 years or more on the period's last day;
            ended in the period after less than 3 months; made in the period after a plan that ended
            in the 2 years before (the child ids).
        m15_became / m15_ceased: children who became / ceased looked after in the period (ids).
    """

    period: Period
    as_of: date
    span: Span
    m1: Percent
    m2: Percent
    m3: Percent
    m4_within_26: Percent
    m4_within_end: Percent
    m4_extended: Percent
    m4_mean_weeks: float | None
    m4_median_weeks: float | None
    m5: Percent
    m6: Percent
    m7_formal: int
    m7_informal: int
    m7_previous: int
    m7_good_practice: int
    m8_by_stage: dict[int, int]
    m8_by_category: dict[str, int]
    m8_by_role: dict[str, int]
    m9_count: int
    m9_mean_wd: float | None
    m9_median_wd: float | None
    m9_within_20: Percent
    drp_responses: Percent
    m10_offered: Percent = Percent(0, 0)
    m10_held: Percent = Percent(0, 0)
    m11_step_down: Percent = Percent(0, 0)
    m12_by_decision: dict[str, int] = field(default_factory=dict)
    m13: Percent = Percent(0, 0)
    m14_long: tuple[str, ...] = ()
    m14_short: tuple[str, ...] = ()
    m14_repeat: tuple[str, ...] = ()
    m15_became: tuple[str, ...] = ()
    m15_ceased: tuple[str, ...] = ()
    m7_children: tuple[str, ...] = ()
    m12_children: tuple[str, ...] = ()
    #: The settings the percentages are judged by (their targets and milestones).
    settings: Settings = field(default_factory=Settings, compare=False, repr=False)

    @property
    def to_date(self) -> bool:
        """The period had not ended at the as-of date: its figures are "to date"."""
        return not self.period.is_complete(self.as_of)

    @property
    def m7_direction(self) -> str:
        """'up' (good: IROs are challenging), 'level' or 'down', against the previous period."""
        if self.m7_formal > self.m7_previous:
            return "up"
        if self.m7_formal < self.m7_previous:
            return "down"
        return "level"

    @property
    def m7_rag(self) -> Rag:
        return {"up": Rag.GREEN, "level": Rag.AMBER, "down": Rag.RED}[self.m7_direction]


def _like_with_like(period: Period, as_of: date, other: Period) -> tuple[Span, date]:
    """The part of `other` to set against `period` as it stood at `as_of`, and the day to count it at.

    A whole period is set against another whole one, each counted at the same distance from its end
    (last month's escalations have had longer to become formal); a period "to date" against the
    same number of days of the other, counted on the last of them.
    """
    if period.is_complete(as_of):
        return Span(other.start, other.end), other.end + (as_of - period.end)
    days = (as_of - period.start).days
    cut = min(other.start + timedelta(days=max(days, 0)), other.end)
    return Span(other.start, cut), cut


def _formal_raised(caseload: Caseload, span: DateRange, seen_by: date) -> list[Escalation]:
    return [e for e in escalations_raised(caseload, span) if formal_by(e, seen_by)]


def compute_measures(
    caseload: Caseload, period: Period, span: Span | None = None, seen_by: date | None = None
) -> Measures:
    """Every measure for a period at the caseload's as-of date.

    `span` narrows the period and `seen_by` is the day its escalations are counted formal at (an
    earlier period set like with like against a later one); by default the period up to the as-of
    date, counted at the as-of date.
    """
    as_of = caseload.as_of
    window = span or period.to_date(as_of)
    seen_by = seen_by or as_of
    cohort = permanence_cohort(caseload, window)
    with_plan = [c for c in cohort if c.plan_in_place]
    concluded_pairs = concluded_proceedings(caseload, window)
    concluded = [p for _, p in concluded_pairs]
    weeks = [(p.final_order - p.issued).days / 7 for p in concluded if p.final_order is not None]
    mean_weeks, median_weeks = mean_median(weeks)
    raised = escalations_raised(caseload, window)
    formal = [e for e in raised if formal_by(e, seen_by)]
    previous_span, previous_seen = _like_with_like(period, as_of, period.previous())
    resolutions = resolution_cohort(caseload, window)
    days = [
        caseload.calendar.working_days_between(d.trigger, d.done) for d in resolutions if d.done is not None
    ]
    mean_wd, median_wd = mean_median(days)
    responses = [
        d
        for d in caseload.deadlines_of_rule("drp.stage_response")
        if window.contains(d.due) and d.status not in (Status.PENDING, Status.DUE_SOON)
    ]
    plo = plo_ended(caseload, window)
    offered = [(c, p) for c, p in plo if fgc_offered(p)]
    meetings = [
        (facts.child.id, decision or "not recorded")
        for facts in caseload.all_facts()
        for day, decision in facts.legal_planning_meetings
        if window.contains(day)
    ]
    care = [(facts.child.id, p) for facts in caseload.all_facts() for p in facts.care_periods]
    return Measures(
        period=period,
        as_of=as_of,
        span=window,
        m1=percent_of((c.child.id, c.plan_in_place) for c in cohort),
        m2=percent_of((c.child.id, c.ratified) for c in with_plan),
        m3=percent_of((d.child_id, d.status is Status.MET) for d in issue_cohort(caseload, window)),
        m4_within_26=percent_of((c.id, bool(p.within_26_weeks)) for c, p in concluded_pairs),
        m4_within_end=percent_of((c.id, bool(p.within_end)) for c, p in concluded_pairs),
        m4_extended=percent_of((c.id, bool(p.extensions)) for c, p in concluded_pairs),
        m4_mean_weeks=mean_weeks,
        m4_median_weeks=median_weeks,
        m5=percent_of((d.child_id, d.status is Status.MET) for d in icpc_cohort(caseload, window)),
        m6=percent_of((d.child_id, d.status is Status.MET) for d in cp_review_cohort(caseload, window)),
        m7_formal=len(formal),
        m7_informal=len(raised) - len(formal),
        m7_previous=len(_formal_raised(caseload, previous_span, previous_seen)),
        m7_good_practice=len(good_practice_raised(caseload, window)),
        m8_by_stage=dict(sorted(Counter(e.highest_stage for e in raised).items())),
        m8_by_category=dict(sorted(Counter(e.category or "not recorded" for e in raised).items())),
        m8_by_role=dict(sorted(Counter(e.role or "not recorded" for e in raised).items())),
        m9_count=len(days),
        m9_mean_wd=mean_wd,
        m9_median_wd=median_wd,
        m9_within_20=percent_of((d.child_id, d.status is Status.MET) for d in resolutions),
        drp_responses=percent_of((d.child_id, d.status is Status.MET) for d in responses),
        m10_offered=percent_of((c.id, fgc_offered(p)) for c, p in plo),
        m10_held=percent_of((c.id, fgc_held(p)) for c, p in offered),
        m11_step_down=percent_of((c.id, p.outcome == "step_down") for c, p in plo),
        m12_by_decision=dict(sorted(Counter(d for _, d in meetings).items())),
        m13=percent_of((c.child.id, c.forum is not None) for c in cohort),
        m14_long=tuple(c.id for c, _ in long_cp_plans(caseload, window.end)),
        m14_short=tuple(c.id for c, _ in short_cp_plans(caseload, window)),
        m14_repeat=tuple(c.id for c, _ in repeat_cp_plans(caseload, window)),
        m15_became=tuple(cid for cid, p in care if window.contains(p.start)),
        m15_ceased=tuple(cid for cid, p in care if window.contains(p.ceased)),
        m7_children=tuple(e.child_id for e in formal),
        m12_children=tuple(cid for cid, _ in meetings),
        settings=caseload.settings,
    )


# --- Figures: one row per measure, with the previous period, the trend and the good direction -


class Good(StrEnum):
    """Which way a measure should move (`timescales.md`, "Direction")."""

    UP = "up"
    DOWN = "down"
    NONE = "none"


Value = Percent | tuple[str, ...]


@dataclass(frozen=True)
class MeasureDef:
    """One measure as every page prints it: its id, words, good direction and how to read it.

    A percentage (`value` returns a `Percent`) is judged against its target in Settings; a count
    (`value` returns the ids of the children counted, one per case) is not.
    """

    id: str
    title: str
    good: Good
    unit: str
    value: Any  # Callable[[Measures], Value]; Any because a dataclass field cannot be a bare callable type
    detail: Any = None  # Callable[[Measures], str] | None

    def read(self, m: Measures) -> Value:
        result: Value = self.value(m)
        return result

    def describe(self, m: Measures) -> str:
        return str(self.detail(m)) if self.detail is not None else ""

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


def _n(value: float | None, unit: str) -> str:
    return "none" if value is None else f"{value:.1f} {unit}"


def _breakdown(counts: dict[Any, int], field_name: str | None = None, prefix: str = "") -> str:
    if not counts:
        return "none"
    words = (
        (choice_label(field_name, str(k)) if field_name and k != "not recorded" else f"{prefix}{k}", v)
        for k, v in counts.items()
    )
    return ", ".join(f"{k}: {v}" for k, v in words)


def _raised_ids(m: Measures) -> tuple[str, ...]:
    return m.m7_children


MEASURES: Final[tuple[MeasureDef, ...]] = (
    MeasureDef("M1", "Permanence plan by the second looked-after review", Good.UP, "%", lambda m: m.m1),
    MeasureDef(
        "M2", "Permanence plans ratified by the IRO at the second review", Good.UP, "%", lambda m: m.m2
    ),
    MeasureDef(
        "M3", "Proceedings issued within the local standard after the decision", Good.UP, "%", lambda m: m.m3
    ),
    MeasureDef(
        "M4",
        "Final orders within 26 weeks of issue",
        Good.UP,
        "%",
        lambda m: m.m4_within_26,
        lambda m: (
            f"{m.m4_within_end.text} within the timetable as extended ({m.m4_within_end.counts}); "
            f"duration mean {_n(m.m4_mean_weeks, 'weeks')}, median {_n(m.m4_median_weeks, 'weeks')}"
        ),
    ),
    MeasureDef("M5", "ICPCs within 15 working days of the strategy discussion", Good.UP, "%", lambda m: m.m5),
    MeasureDef("M6", "Review conferences in timescale (held or due)", Good.UP, "%", lambda m: m.m6),
    MeasureDef(
        "M7",
        "Formal escalations raised (a rise is good: IROs are challenging)",
        Good.UP,
        "escalations",
        _raised_ids,
        lambda m: (
            f"{m.m7_informal} informal only; {m.m7_good_practice} good-practice "
            f"alert{'s' if m.m7_good_practice != 1 else ''}, counted apart"
        ),
    ),
    MeasureDef(
        "M8",
        "Escalations raised, by highest stage",
        Good.NONE,
        "escalations",
        lambda m: tuple("x" for _ in range(m.m7_formal + m.m7_informal)),
        lambda m: (
            f"{_breakdown(m.m8_by_stage, prefix='stage ')}; by role: {_breakdown(m.m8_by_role, 'role')}; "
            f"by category: {_breakdown(m.m8_by_category, 'category')}"
        ),
    ),
    MeasureDef(
        "M9",
        "Formal escalations resolved within 20 working days of the first formal stage",
        Good.UP,
        "%",
        lambda m: m.m9_within_20,
        lambda m: f"mean {_n(m.m9_mean_wd, 'WD')}, median {_n(m.m9_median_wd, 'WD')}",
    ),
    MeasureDef(
        "M10",
        "Pre-proceedings ended with a family group conference offered",
        Good.UP,
        "%",
        lambda m: m.m10_offered,
        lambda m: f"of those offered, {m.m10_held.text} held ({m.m10_held.counts})",
    ),
    MeasureDef(
        "M11",
        "Pre-proceedings ended in step down (families diverted from court)",
        Good.UP,
        "%",
        lambda m: m.m11_step_down,
    ),
    MeasureDef(
        "M12",
        "Legal planning meetings held",
        Good.NONE,
        "meetings",
        lambda m: m.m12_children,
        lambda m: f"by decision: {_breakdown(m.m12_by_decision, 'decision')}",
    ),
    MeasureDef(
        "M13", "Children come to the permanence forum by the second review", Good.UP, "%", lambda m: m.m13
    ),
    MeasureDef(
        "M14a", "CP plans open 2 years or more on the last day", Good.DOWN, "plans", lambda m: m.m14_long
    ),
    MeasureDef("M14b", "CP plans ended after less than 3 months", Good.DOWN, "plans", lambda m: m.m14_short),
    MeasureDef(
        "M14c",
        "Repeat CP plans (a plan ended in the 2 years before)",
        Good.DOWN,
        "plans",
        lambda m: m.m14_repeat,
    ),
    MeasureDef("M15a", "Children who became looked after", Good.NONE, "children", lambda m: m.m15_became),
    MeasureDef(
        "M15b", "Children who ceased to be looked after", Good.NONE, "children", lambda m: m.m15_ceased
    ),
)

MEASURE_IDS: Final = tuple(d.id for d in MEASURES)
PERCENT_MEASURES: Final = tuple(d.id for d in MEASURES if d.is_percent)


def _number(value: Value) -> float | None:
    return value.value if isinstance(value, Percent) else float(len(value))


def _text(value: Value) -> str:
    return value.text if isinstance(value, Percent) else str(len(value))


@dataclass(frozen=True)
class Figure:
    """One measure for the period, the previous period (like with like) and the trend."""

    definition: MeasureDef
    now: Value
    previous: Value
    detail: str
    target: MeasureTarget | None
    trend: tuple[tuple[Period, float | None], ...] = ()
    #: The day the figure is judged at against dated milestones: the period's end, or the as-of date.
    at: date | None = None

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def value(self) -> float | None:
        return _number(self.now)

    @property
    def previous_value(self) -> float | None:
        return _number(self.previous)

    @property
    def text(self) -> str:
        return _text(self.now)

    @property
    def previous_text(self) -> str:
        return _text(self.previous)

    @property
    def counts(self) -> str:
        return self.now.counts if isinstance(self.now, Percent) else ""

    @property
    def judgement(self) -> Judgement | None:
        if isinstance(self.now, Percent):
            return self.now.judge(self.target or DEFAULT_TARGET, self.at)
        return None

    @property
    def too_few(self) -> bool:
        return isinstance(self.now, Percent) and self.now.too_few

    @property
    def change(self) -> str | None:
        """'up', 'down' or 'level' against the previous period; None with nothing to compare."""
        now, before = self.value, self.previous_value
        if now is None or before is None:
            return None
        if (
            isinstance(self.now, Percent)
            and isinstance(self.previous, Percent)
            and (self.now.too_few or self.previous.too_few)
        ):
            return None
        return "up" if now > before else "down" if now < before else "level"

    @property
    def arrow(self) -> str:
        return {"up": "▲", "down": "▼", "level": "►"}.get(self.change or "", "–")

    @property
    def improving(self) -> bool | None:
        """Whether the change is the good way (None: level, no direction, or nothing to compare)."""
        change, good = self.change, self.definition.good
        if change in (None, "level") or good is Good.NONE:
            return None
        return (change == "up") == (good is Good.UP)

    @property
    def direction_text(self) -> str:
        """'▲ up: better', '▼ down: worse', '► level', '▲ up (no good direction set)'."""
        change = self.change
        if change is None:
            if self.too_few or (isinstance(self.previous, Percent) and self.previous.too_few):
                return "– too few to compare"
            return "– nothing to compare"
        if change == "level":
            return "► level"
        if self.improving is None:
            return f"{self.arrow} {change}"
        return f"{self.arrow} {change}: {'better' if self.improving else 'worse'}"

    @property
    def good_text(self) -> str:
        return {Good.UP: "a rise is good", Good.DOWN: "a fall is good", Good.NONE: "for information"}[
            self.definition.good
        ]

    @property
    def children(self) -> tuple[tuple[str, bool], ...]:
        """The children behind the figure: each with whether it counts towards a percentage."""
        if isinstance(self.now, Percent):
            return self.now.cases
        return tuple((cid, True) for cid in self.now)

    def to_json(self) -> dict[str, Any]:
        judgement = self.judgement
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.definition.title,
            "unit": self.definition.unit,
            "value": self.value,
            "good_direction": self.definition.good.value,
        }
        if isinstance(self.now, Percent):
            out.update(numerator=self.now.numerator, denominator=self.now.denominator)
            assert self.target is not None and judgement is not None
            out.update(
                target=self.target.target,
                milestones=list(self.target.milestones),
                milestone_dates=[d.isoformat() if d else None for d in self.target.due],
                too_few=self.now.too_few,
                judgement=judgement.text,
                rag=judgement.rag.value if judgement.rag is not None else None,
            )
        out.update(
            detail=self.detail,
            previous=self.previous_value,
            change=self.change,
            improving=self.improving,
        )
        if self.trend:
            out["trend"] = [{"period": p.key, "value": v} for p, v in self.trend]
        return out


@dataclass(frozen=True)
class MeasureSet:
    """Every figure of a period: what `measures`, the dashboard and the board report print."""

    measures: Measures
    previous: Measures
    figures: tuple[Figure, ...]

    @property
    def period(self) -> Period:
        return self.measures.period

    def figure(self, measure_id: str) -> Figure:
        return next(f for f in self.figures if f.id == measure_id)

    def to_json(self) -> dict[str, Any]:
        m, p = self.measures, self.previous
        return {
            "period": m.period.key,
            "label": m.period.label,
            "start": m.span.start.isoformat(),
            "end": m.span.end.isoformat(),
            "to_date": m.to_date,
            "as_of": m.as_of.isoformat(),
            "previous": {
                "period": p.period.key,
                "start": p.span.start.isoformat(),
                "end": p.span.end.isoformat(),
            },
            "measures": [f.to_json() for f in self.figures],
        }


CSV_HEADER: Final = (
    "period",
    "id",
    "title",
    "value",
    "numerator",
    "denominator",
    "target",
    "judgement",
    "previous_period",
    "previous",
    "change",
    "good_direction",
    "detail",
)


def csv_rows(found: MeasureSet) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for f in found.figures:
        share = f.now if isinstance(f.now, Percent) else None
        judgement = f.judgement
        rows.append(
            (
                found.period.key + (" (to date)" if found.measures.to_date else ""),
                f.id,
                f.definition.title,
                f.value,
                share.numerator if share else None,
                share.denominator if share else None,
                f.target.target if f.target else None,
                judgement.text if judgement else None,
                found.previous.period.key,
                f.previous_value,
                f.change,
                f.definition.good.value,
                f.detail,
            )
        )
    return rows


def measure_set(caseload: Caseload, period: Period, trend: int = 0) -> MeasureSet:
    """The period's figures against the previous period like with like; with `trend`, also the
    figure of each of the `trend` periods ending with this one (each earlier one like with like)."""
    as_of = caseload.as_of
    now = compute_measures(caseload, period)
    earlier: dict[Period, Measures] = {}
    for other in period.last(max(trend, 2))[:-1]:
        span, seen = _like_with_like(period, as_of, other)
        earlier[other] = compute_measures(caseload, other, span, seen)
    before = earlier[period.previous()]
    series = [*earlier.items(), (period, now)][-trend:] if trend else []
    figures = tuple(
        Figure(
            d,
            d.read(now),
            d.read(before),
            d.describe(now),
            caseload.settings.target_for(d.id) if d.is_percent else None,
            tuple((p, _number(d.read(m))) for p, m in series),
            now.span.end,
        )
        for d in MEASURES
    )
    return MeasureSet(now, before, figures)


# --- Lines for the monthly reports ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasureLine:
    """One measure as a report prints it; `share` is set for the percentages judged on milestones."""

    id: str
    title: str
    result: str
    detail: str
    share: Percent | None = None
    rag: Rag | None = None
    judged: str = ""


def measure_lines(m: Measures) -> list[MeasureLine]:
    """Every measure in the order of `timescales.md`, as text for a report, each percentage judged
    against its target in the settings."""

    def target(mid: str) -> MeasureTarget:
        return m.settings.target_for(mid)

    def pct(mid: str, title: str, share: Percent, detail: str = "", key: str | None = None) -> MeasureLine:
        text = f"{share.counts}" + (f"; {detail}" if detail else "")
        judgement = share.judge(target(key or mid), m.span.end)
        return MeasureLine(mid, title, share.text, text, share, judgement.rag, judgement.text)

    raised = m.m7_formal + m.m7_informal
    before = "period before" if m.period.kind.value != "month" else "month before"
    lines = [
        pct("M1", "Permanence plan by the second looked-after review", m.m1),
        pct("M2", "Permanence plans ratified by the IRO at the second review", m.m2),
        pct("M3", "Proceedings issued within the local standard after the decision", m.m3),
        pct(
            "M4",
            "Final orders within 26 weeks of issue",
            m.m4_within_26,
            f"mean {_n(m.m4_mean_weeks, 'weeks')}, median {_n(m.m4_median_weeks, 'weeks')}",
        ),
        pct(
            "M4",
            "Final orders within the timetable as extended",
            m.m4_within_end,
            f"{m.m4_extended.counts} extended; median {_n(m.m4_median_weeks, 'weeks')}",
        ),
        pct("M5", "ICPCs within 15 working days of the strategy discussion", m.m5),
        pct("M6", "Review conferences in timescale", m.m6),
        MeasureLine(
            "M7",
            "Escalations raised (a rise is good: IROs are challenging)",
            f"{m.m7_formal} formal",
            f"{m.m7_informal} informal; {m.m7_previous} formal the {before}, counted at the same "
            f"distance from its end ({m.m7_direction}); {m.m7_good_practice} good-practice "
            f"alert{'s' if m.m7_good_practice != 1 else ''} apart",
            None,
            m.m7_rag,
        ),
        MeasureLine(
            "M8",
            "Escalations raised, by highest stage",
            f"{raised} raised",
            _breakdown(m.m8_by_stage, prefix="stage "),
        ),
        MeasureLine(
            "M8",
            "Escalations raised, by the raiser's role",
            f"{raised} raised",
            _breakdown(m.m8_by_role, "role"),
        ),
        MeasureLine(
            "M8",
            "Escalations raised, by category",
            f"{raised} raised",
            _breakdown(m.m8_by_category, "category"),
        ),
        pct(
            "M9",
            "Formal escalations resolved within 20 working days",
            m.m9_within_20,
            f"from the first formal stage: mean {_n(m.m9_mean_wd, 'WD')}, median {_n(m.m9_median_wd, 'WD')}",
        ),
        pct(
            "M9",
            "Escalation stage responses on time (due in the period)",
            m.drp_responses,
            key="drp_responses",
        ),
        pct(
            "M10",
            "Pre-proceedings ended with a family group conference offered",
            m.m10_offered,
            f"{m.m10_held.counts} of those offered held",
        ),
        pct("M11", "Pre-proceedings ended in step down (diverted from court)", m.m11_step_down),
        MeasureLine(
            "M12",
            "Legal planning meetings held, by decision",
            f"{sum(m.m12_by_decision.values())} held",
            _breakdown(m.m12_by_decision, "decision"),
        ),
        pct("M13", "Children come to the permanence forum by the second review", m.m13),
        MeasureLine(
            "M14",
            "CP plans open 2 years or more; ended within 3 months; repeat plans (a fall is good)",
            f"{len(m.m14_long)} open 2 years+",
            f"{len(m.m14_short)} ended within 3 months; {len(m.m14_repeat)} repeat plans made",
        ),
        MeasureLine(
            "M15",
            "Children who became and who ceased looked after",
            f"{len(m.m15_became)} became",
            f"{len(m.m15_ceased)} ceased",
        ),
    ]
    return lines
