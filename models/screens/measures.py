"""The improvement plan's measures M1-M9 (`timescales.md`, "Measures") for a reporting period.

Each percentage is shown against the plan's milestones of 70% and 80% on the way to 90%. The
cohorts are built from the engine's deadlines where a rule defines them (M1 and M2 from
`cla.permanence_by_second_review`, M3 from `court.issue_after_decision`, M5 from `cp.icpc_15wd`,
M6 from the review conference rules) and from the episode facts otherwise (M4, M7-M9), so that a
report's rows and its percentages always count the same children.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from models.domain.engine import Deadline
from models.domain.period import Period
from models.domain.records import ChildRecord
from models.domain.rules import Rag, Status
from models.screens.child_view import choice_label
from models.screens.facts import CarePeriod, Caseload, Escalation, PermanencePlan, Proceedings

#: The improvement plan's milestones on the way to its 90% target.
MILESTONES: Final = (70, 80, 90)
TARGET: Final = MILESTONES[-1]

#: Working days within which the whole formal DRP should be resolved (IRO Handbook 6.2).
DRP_RESOLUTION_WD: Final = 20


@dataclass(frozen=True, slots=True)
class Percent:
    """A share of a cohort, judged against the milestones."""

    numerator: int
    denominator: int

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
    def milestone(self) -> str:
        """Which milestone the percentage has reached: 'below 70%', '70% milestone', ... 'target 90% met'."""
        value = self.value
        if value is None:
            return "no cases"
        if value >= TARGET:
            return f"target {TARGET}% met"
        reached = [m for m in MILESTONES[:-1] if value >= m]
        if not reached:
            return f"below {MILESTONES[0]}%"
        return f"{reached[-1]}% milestone"

    @property
    def rag(self) -> Rag | None:
        """Green at the target, amber from the first milestone, red below it."""
        value = self.value
        if value is None:
            return None
        if value >= TARGET:
            return Rag.GREEN
        if value >= MILESTONES[0]:
            return Rag.AMBER
        return Rag.RED


def percent(flags: Iterable[bool]) -> Percent:
    values = list(flags)
    return Percent(sum(values), len(values))


def mean_median(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and median to one decimal place (None for none)."""
    if not values:
        return None, None
    return round(statistics.fmean(values), 1), round(float(statistics.median(values)), 1)


# --- Cohorts (shared with the reports) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PermanenceCase:
    """A child whose second looked-after review fell in the period (M1, M2, the permanence report).

    `review` is the second review's date when held, else None; `due` is the date the plan was due by
    (the review's date when held, else the date the review was due).
    """

    child: ChildRecord
    period_of_care: CarePeriod
    deadline: Deadline
    review: date | None
    due: date
    plan: PermanencePlan | None
    later_plan: PermanencePlan | None

    @property
    def plan_in_place(self) -> bool:
        return self.plan is not None

    @property
    def ratified(self) -> bool:
        return self.plan is not None and any(
            p.ratified for p in self.period_of_care.plans if p.date <= self.due
        )


def permanence_cohort(caseload: Caseload, period: Period) -> list[PermanenceCase]:
    """Children whose second review of a period of care was held, or fell due unheld, in the period.

    A review due in the period but after the as-of date has not fallen yet and is left out; so is a
    period of care that ended before its second review (the engine drops that clock).
    """
    out: list[PermanenceCase] = []
    for child in caseload.children:
        deadlines = [
            d for d in caseload.deadlines_of(child.id) if d.rule == "cla.permanence_by_second_review"
        ]
        if not deadlines:
            continue
        facts = caseload.facts(child)
        for d in deadlines:
            if not period.contains(d.due) or d.due > caseload.as_of:
                continue
            care = next((p for p in facts.care_periods if p.start == d.trigger), None)
            if care is None:
                continue
            review = care.reviews[1] if len(care.reviews) > 1 else None
            plan = care.plan_on(d.due)
            later = next((p for p in care.plans if p.date > d.due), None) if plan is None else None
            out.append(PermanenceCase(child, care, d, review, d.due, plan, later))
    out.sort(key=lambda c: (c.due, c.child.id))
    return out


def issue_cohort(caseload: Caseload, period: Period) -> list[Deadline]:
    """Decisions to issue answered by an issue in the period (M3)."""
    return [
        d
        for child in caseload.children
        for d in caseload.deadlines_of(child.id)
        if d.rule == "court.issue_after_decision" and period.contains(d.done)
    ]


def concluded_proceedings(caseload: Caseload, period: Period) -> list[tuple[ChildRecord, Proceedings]]:
    """Proceedings with a final order in the period (M4), in order of the final order."""
    out = [
        (facts.child, p)
        for facts in caseload.all_facts()
        for p in facts.proceedings
        if period.contains(p.final_order)
    ]
    out.sort(key=lambda pair: (pair[1].final_order or date.min, pair[0].id))
    return out


def icpc_cohort(caseload: Caseload, period: Period) -> list[Deadline]:
    """ICPCs held in the period that answer a section 47 strategy discussion (M5)."""
    return [
        d
        for child in caseload.children
        for d in caseload.deadlines_of(child.id)
        if d.rule == "cp.icpc_15wd" and period.contains(d.done)
    ]


CP_REVIEW_RULES: Final = frozenset({"cp.review_3m", "cp.review_6m"})


def cp_review_cohort(caseload: Caseload, period: Period) -> list[Deadline]:
    """Review conferences held in the period, and those that fell due in it and were not held (M6)."""
    return [
        d
        for child in caseload.children
        for d in caseload.deadlines_of(child.id)
        if d.rule in CP_REVIEW_RULES
        and (
            period.contains(d.done)
            or (d.done is None and d.status is Status.OVERDUE and period.contains(d.due))
        )
    ]


def escalations_raised(caseload: Caseload, period: Period) -> list[Escalation]:
    """Escalations raised in the period (informal ones too, good-practice alerts not), in order."""
    out = [
        e
        for facts in caseload.all_facts()
        for e in facts.escalations
        if period.contains(e.raised) and not e.good_practice
    ]
    out.sort(key=lambda e: (e.raised, e.ref))
    return out


def good_practice_raised(caseload: Caseload, period: Period) -> list[Escalation]:
    """Good-practice alerts raised in the period: a kind of their own, counted separately."""
    out = [
        e
        for facts in caseload.all_facts()
        for e in facts.escalations
        if period.contains(e.raised) and e.good_practice
    ]
    out.sort(key=lambda e: (e.raised, e.ref))
    return out


def escalations_resolved(caseload: Caseload, period: Period) -> list[Escalation]:
    out = [
        e
        for facts in caseload.all_facts()
        for e in facts.escalations
        if period.contains(e.resolved) and not e.good_practice
    ]
    out.sort(key=lambda e: (e.resolved or date.min, e.ref))
    return out


def resolution_wd(caseload: Caseload, escalation: Escalation) -> int | None:
    """Working days from raising to resolution (None while open)."""
    if escalation.resolved is None:
        return None
    return caseload.calendar.working_days_between(escalation.raised, escalation.resolved)


# --- The measures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """M1-M9 for one period at one as-of date.

    Attributes:
        m1: permanence plan by the second looked-after review.
        m2: of those plans, ratified by the IRO by that review.
        m3: proceedings issued in the period within the local standard after the decision.
        m4_within_26 / m4_within_end: final orders in the period within 26 weeks of issue / within
            the extended end; m4_extended: of those, the share with an extension.
        m5: ICPCs held in the period within 15 working days.
        m6: review conferences in timescale (held or due in the period).
        m7_formal / m7_informal: escalations raised in the period (stage 1+ / informal only);
            m7_previous: formal escalations raised in the month before (a rise is good);
            m7_good_practice: good-practice alerts raised in the period, counted apart.
        m8_*: escalations raised in the period by highest stage, category and raiser's role.
        m9_*: escalations resolved in the period: working days from raising to resolution.
        drp_responses: stage responses due in the period answered on time.
    """

    period: Period
    as_of: date
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

    @property
    def m7_direction(self) -> str:
        """'up' (good: IROs are challenging), 'level' or 'down', against the month before."""
        if self.m7_formal > self.m7_previous:
            return "up"
        if self.m7_formal < self.m7_previous:
            return "down"
        return "level"

    @property
    def m7_rag(self) -> Rag:
        return {"up": Rag.GREEN, "level": Rag.AMBER, "down": Rag.RED}[self.m7_direction]


def compute_measures(caseload: Caseload, period: Period) -> Measures:
    cohort = permanence_cohort(caseload, period)
    with_plan = [c for c in cohort if c.plan_in_place]
    concluded = [p for _, p in concluded_proceedings(caseload, period)]
    weeks = [(p.final_order - p.issued).days / 7 for p in concluded if p.final_order is not None]
    mean_weeks, median_weeks = mean_median(weeks)
    raised = escalations_raised(caseload, period)
    previous = escalations_raised(caseload, period.previous())
    resolved = escalations_resolved(caseload, period)
    days = [wd for e in resolved if (wd := resolution_wd(caseload, e)) is not None]
    mean_wd, median_wd = mean_median(days)
    responses = [
        d
        for child in caseload.children
        for d in caseload.deadlines_of(child.id)
        if d.rule == "drp.stage_response"
        and period.contains(d.due)
        and d.status not in (Status.PENDING, Status.DUE_SOON)
    ]
    return Measures(
        period=period,
        as_of=caseload.as_of,
        m1=percent(c.plan_in_place for c in cohort),
        m2=percent(c.ratified for c in with_plan),
        m3=percent(d.status is Status.MET for d in issue_cohort(caseload, period)),
        m4_within_26=percent(bool(p.within_26_weeks) for p in concluded),
        m4_within_end=percent(bool(p.within_end) for p in concluded),
        m4_extended=percent(bool(p.extensions) for p in concluded),
        m4_mean_weeks=mean_weeks,
        m4_median_weeks=median_weeks,
        m5=percent(d.status is Status.MET for d in icpc_cohort(caseload, period)),
        m6=percent(d.status is Status.MET for d in cp_review_cohort(caseload, period)),
        m7_formal=sum(1 for e in raised if e.formal),
        m7_informal=sum(1 for e in raised if not e.formal),
        m7_previous=sum(1 for e in previous if e.formal),
        m7_good_practice=len(good_practice_raised(caseload, period)),
        m8_by_stage=dict(sorted(Counter(e.highest_stage for e in raised).items())),
        m8_by_category=dict(sorted(Counter(e.category or "not recorded" for e in raised).items())),
        m8_by_role=dict(sorted(Counter(e.role or "not recorded" for e in raised).items())),
        m9_count=len(days),
        m9_mean_wd=mean_wd,
        m9_median_wd=median_wd,
        m9_within_20=percent(wd <= DRP_RESOLUTION_WD for wd in days),
        drp_responses=percent(d.status is Status.MET for d in responses),
    )


@dataclass(frozen=True, slots=True)
class MeasureLine:
    """One measure as a report prints it; `share` is set for the percentages judged on milestones."""

    id: str
    title: str
    result: str
    detail: str
    share: Percent | None = None
    rag: Rag | None = None


def _n(value: float | None, unit: str) -> str:
    return "none" if value is None else f"{value:.1f} {unit}"


def measure_lines(m: Measures) -> list[MeasureLine]:
    """Every measure in the order of `timescales.md`, as text for a report."""

    def pct(mid: str, title: str, share: Percent, detail: str = "") -> MeasureLine:
        text = f"{share.counts}" + (f"; {detail}" if detail else "")
        return MeasureLine(mid, title, share.text, text, share, share.rag)

    raised = m.m7_formal + m.m7_informal
    stage_text = ", ".join(f"stage {k}: {v}" for k, v in m.m8_by_stage.items()) or "none"
    role_text = ", ".join(f"{choice_label('role', k)}: {v}" for k, v in m.m8_by_role.items()) or "none"
    category_text = (
        ", ".join(f"{choice_label('category', k)}: {v}" for k, v in m.m8_by_category.items()) or "none"
    )
    return [
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
            f"{m.m4_extended.counts} extended",
        ),
        pct("M5", "ICPCs within 15 working days of the strategy discussion", m.m5),
        pct("M6", "Review conferences in timescale", m.m6),
        MeasureLine(
            "M7",
            "Escalations raised (a rise is good: IROs are challenging)",
            f"{m.m7_formal} formal",
            f"{m.m7_informal} informal; {m.m7_previous} formal the month before ({m.m7_direction}); "
            f"{m.m7_good_practice} good-practice alert{'s' if m.m7_good_practice != 1 else ''} apart",
            None,
            m.m7_rag,
        ),
        MeasureLine("M8", "Escalations raised, by highest stage", f"{raised} raised", stage_text),
        MeasureLine("M8", "Escalations raised, by the raiser's role", f"{raised} raised", role_text),
        MeasureLine("M8", "Escalations raised, by category", f"{raised} raised", category_text),
        pct(
            "M9",
            "Escalations resolved within 20 working days",
            m.m9_within_20,
            f"mean {_n(m.m9_mean_wd, 'WD')}, median {_n(m.m9_median_wd, 'WD')}",
        ),
        pct("M9", "Escalation stage responses on time (due in the period)", m.drp_responses),
    ]
