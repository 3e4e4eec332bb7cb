"""Fictional demonstration children and their journeys, for demos, training and benchmarks.

Everything here is made up: child ids carry the `DEMO-` prefix, names come from short lists of
common names, and the staff are initials and surnames from a fixed list. The journeys are
realistic in shape (`journey-format.md`, `timescales.md`): strategy discussions and ICPCs, CP plans
with core groups, visits and review conferences, pre-proceedings, care proceedings with
extensions and final orders, periods of care with visits, reviews and permanence plans, and IRO
escalations. Most events are on time and some are late or missing, so the tracker shows red,
amber and green.

Output is deterministic for a given `(children, seed, today)`: one `random.Random(seed)` drives
everything, and `today` is only read from the clock at the public boundary. Every event is dated
on or before `today`; the journeys are simulated forward and cut there, so some episodes are
finished and some are still open. Children come out lazily (`iter_children`), about 20 events each.

Dates are worked out as ordinals (`date.toordinal()`) against a working-day table built once per
`today` from `models.domain.calendar`, and turned into ISO text at the end, which keeps 150,000
children to a few seconds.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Final

from models.domain.calendar import add_months, calendar_for
from models.domain.engine import COURT_LAST_DAY_OFFSET, extension_limit
from models.domain.journey import DRP_CATEGORIES, DRP_STAGE_NAMES, EXTENSION_REASONS, ICPC_CATEGORIES

FORMAT: Final = "journey"
VERSION: Final = 1

# --- The fictional people ---------------------------------------------------------------------

GIRLS_NAMES: Final = (
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Florence", "Grace",
    "Sophia", "Evie", "Ella", "Poppy", "Willow", "Isabella", "Sienna", "Daisy", "Ruby", "Chloe",
    "Aisha", "Maryam", "Zara", "Amira", "Hannah", "Jessica", "Layla", "Niamh", "Erin", "Phoebe",
)  # fmt: skip
BOYS_NAMES: Final = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Archie", "Henry",
    "Jack", "Theo", "Charlie", "Freddie", "Alfie", "Jacob", "Thomas", "Joshua", "Riley", "Tyler",
    "Mason", "Ethan", "Ibrahim", "Yusuf", "Kai", "Reuben", "Dylan", "Kyle", "Jayden", "Liam",
)  # fmt: skip
FAMILY_NAMES: Final = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
    "Clarke", "Patel", "Khan", "Lewis", "Harris", "Martin", "Cooper", "King", "Lee", "Baker",
    "Hughes", "Edwards", "Turner", "Hill", "Moore", "Ward", "Morris", "Parker", "Campbell", "Price",
    "Bennett", "Hussain", "Ali", "Begum", "Kaur", "Singh", "Murphy", "Kelly", "Nowak", "Okafor",
    "Mensah", "Ahmed", "Shah", "Mitchell", "Carter", "Phillips", "Allen", "Young", "Scott", "Bell",
)  # fmt: skip
_STAFF_SURNAMES: Final = (
    "Adams", "Barker", "Bishop", "Blake", "Booth", "Bradley", "Burton", "Chapman", "Cole", "Cross",
    "Dawson", "Dixon", "Doyle", "Ellis", "Fisher", "Fleming", "Ford", "Foster", "Gibson", "Graham",
    "Grant", "Hayes", "Holmes", "Hunt", "Jenkins", "Kennedy", "Lamb", "Lawson", "Marsh", "Mason",
    "Nash", "Owen", "Palmer", "Pearce", "Quinn", "Reid", "Rose", "Shaw", "Stone", "Sutton",
    "Barton", "Dean", "Farrell", "Hodge", "Iqbal", "Joshi", "Malik", "Nolan", "Osei", "Rahman",
    "Sharma", "Webb",
)  # fmt: skip
_INITIALS: Final = "ABCDEGHJKLMNPRSTW"

CP_TEAMS: Final = ("Child Protection East", "Child Protection West", "Child Protection Central")
COURT_TEAMS: Final = ("Court Team North", "Court Team South")
CARE_TEAMS: Final = ("Children in Care North", "Children in Care South")
TEAMS: Final = CP_TEAMS + COURT_TEAMS + CARE_TEAMS

_PER_TEAM: Final = (6, 6, 6, 5, 5, 6, 6)  # 40 social workers
SOCIAL_WORKERS: Final = tuple(
    f"{_INITIALS[(i * 5) % len(_INITIALS)]}. {surname}" for i, surname in enumerate(_STAFF_SURNAMES[:40])
)
CP_CHAIRS: Final = tuple(
    f"{_INITIALS[(i * 3 + 1) % len(_INITIALS)]}. {surname}"
    for i, surname in enumerate(_STAFF_SURNAMES[40:45])
)
IROS: Final = tuple(
    f"{_INITIALS[(i * 7 + 2) % len(_INITIALS)]}. {surname}"
    for i, surname in enumerate(_STAFF_SURNAMES[45:52])
)
REVIEWING_OFFICERS: Final = CP_CHAIRS + IROS


def _workers_by_team() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    start = 0
    for team, size in zip(TEAMS, _PER_TEAM, strict=True):
        out[team] = SOCIAL_WORKERS[start : start + size]
        start += size
    return out


WORKERS_BY_TEAM: Final = _workers_by_team()

#: Family courts and the two-letter prefix of their (fictional) case numbers.
COURTS: Final = (
    ("Birmingham Family Court", "BM"),
    ("Wolverhampton Family Court", "WV"),
    ("Telford", "TF"),
    ("Stoke-on-Trent", "SK"),
    ("Worcester", "WR"),
    ("Coventry", "CV"),
)

#: Census ethnicity codes (DfE CIN/SSDA903) and rough weights for the children's services population.
ETHNICITIES: Final = (
    ("WBRI", 62.0), ("WIRI", 1.0), ("WIRT", 0.5), ("WOTH", 5.0), ("WROM", 1.5), ("MWBC", 4.0),
    ("MWBA", 1.5), ("MWAS", 1.5), ("MOTH", 3.0), ("AIND", 1.5), ("APKN", 2.5), ("ABAN", 1.0),
    ("AOTH", 1.5), ("BCRB", 1.5), ("BAFR", 4.0), ("BOTH", 1.0), ("CHNE", 0.3), ("OOTH", 2.5),
    ("REFU", 1.0), ("NOBT", 1.0),
)  # fmt: skip
_ICPC_CATEGORY_WEIGHTS: Final = {
    "neglect": 48.0,
    "emotional": 38.0,
    "physical": 7.0,
    "sexual": 4.0,
    "multiple": 3.0,
}
_DRP_CATEGORY_WEIGHTS: Final = {
    "drift_and_delay": 25.0,
    "care_planning": 20.0,
    "permanence_plan_not_in_place": 10.0,
    "visits_overdue": 12.0,
    "reviews_out_of_timescale": 8.0,
    "plan_not_progressing": 15.0,
    "no_allocated_worker": 6.0,
    "good_practice": 4.0,
}
_DRP_ADDRESSED_TO: Final = {
    0: "Social worker",
    1: "Team manager",
    2: "Service manager",
    3: "Head of service",
    4: "Director of children's services",
    5: "Cafcass",
}
_DRP_OUTCOMES: Final = (
    "Actions agreed and completed",
    "Plan updated and shared",
    "Visit completed",
    "Review rescheduled",
    "Permanence planning meeting booked",
    "Worker allocated",
)
_CP_ENDED_REASONS: Final = ("Moved out of area", "Transferred to another authority", "Risk reduced")
_PLO_EXTENSION_REASONS: Final = (
    "Parenting assessment not complete",
    "Awaiting specialist assessment",
    "Family network assessment under way",
)
# (pathway, weight) per family: the stage a journey reaches.
_PATHWAYS: Final = (
    ("s47_only", 9.0),
    ("cp", 38.0),
    ("cp_plo", 7.0),
    ("cp_court", 9.0),
    ("court", 5.0),
    ("plo", 3.0),
    ("lac", 29.0),
)
# How far back a pathway's first event may lie, in days before today.
_LOOKBACK: Final = {
    "s47_only": 700,
    "cp": 680,
    "cp_plo": 800,
    "cp_court": 1000,
    "court": 800,
    "plo": 800,
    "lac": 880,
}
_AGE_WEIGHTS: Final = (9, 7, 6, 6, 6, 6, 5, 5, 5, 5, 6, 6, 6, 6, 6, 5, 4, 3)  # years 0-17
_SIBLING_GROUP_SHARE: Final = 0.146  # ~30% of children in groups of 2-4 (2.5 on average)
_DRP_SHARE: Final = 0.095  # of born children: ~8% of all children
_UNBORN_SHARE: Final = 0.035

_VISITS: Final = frozenset({"cp_visit", "cla_visit"})
_EMPTY: Final[dict[str, Any]] = {}

#: A template event: (date ordinal, type, type-specific fields). Visits get `seen_alone` per child.
_Ev = tuple[int, str, dict[str, Any]]


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total = 0.0
    out: list[float] = []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


_ETHNICITY_CODES: Final = tuple(code for code, _ in ETHNICITIES)
_ETHNICITY_CUM: Final = _cumulative([w for _, w in ETHNICITIES])
_PATHWAY_NAMES: Final = tuple(name for name, _ in _PATHWAYS)
_PATHWAY_CUM: Final = _cumulative([w for _, w in _PATHWAYS])
_AGE_CUM: Final = _cumulative(_AGE_WEIGHTS)
_ICPC_CATS: Final = tuple(_ICPC_CATEGORY_WEIGHTS)
_ICPC_CUM: Final = _cumulative(list(_ICPC_CATEGORY_WEIGHTS.values()))
_DRP_CATS: Final = tuple(_DRP_CATEGORY_WEIGHTS)
_DRP_CUM: Final = _cumulative(list(_DRP_CATEGORY_WEIGHTS.values()))
assert set(_ICPC_CATS) == set(ICPC_CATEGORIES)
assert set(_DRP_CATS) == set(DRP_CATEGORIES)
assert set(_DRP_ADDRESSED_TO) == set(DRP_STAGE_NAMES)


# --- Days as ordinals -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Days:
    """Working days and ISO text for every day from `base` on, as plain lists indexed by ordinal."""

    base: int
    count: list[int]  # count[i]: working days in [base, base + i]
    workdays: list[int]  # ordinals of the working days, ascending
    iso: list[str]


@lru_cache(maxsize=4)
def _days(today: int) -> _Days:
    """The table around `today`: 20 years back (births) to 10 years ahead (plans, extensions)."""
    cal = calendar_for()
    base = today - 20 * 366
    count: list[int] = []
    workdays: list[int] = []
    iso: list[str] = []
    n = 0
    for ordinal in range(base, today + 10 * 366):
        day = date.fromordinal(ordinal)
        if day.weekday() < 5 and not cal.is_bank_holiday(day):
            workdays.append(ordinal)
            n += 1
        count.append(n)
        iso.append(day.isoformat())
    return _Days(base, count, workdays, iso)


# --- The generator ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    dob: int | None  # ordinal; None for an unborn child
    edd: int | None
    given_name: str
    gender: str


class _Generator:
    """One seeded stream of families; `children()` yields the children of each in turn."""

    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.today = today.toordinal()
        days = _days(self.today)
        self.base = days.base
        self.count = days.count
        self.workdays = days.workdays
        self.iso = days.iso
        self.case_serial: dict[int, int] = {}
        self.drp_serial: dict[int, int] = {}
        self.events: list[_Ev] = []

    # Small helpers: integers, picks and dates.

    def ri(self, a: int, b: int) -> int:
        """A random integer in [a, b]."""
        return a + int(self.rnd() * (b - a + 1))

    def pick_weighted(self, items: Sequence[str], cum: Sequence[float]) -> str:
        return items[bisect.bisect(cum, self.rnd() * cum[-1])]

    def pick(self, items: Sequence[str]) -> str:
        return items[int(self.rnd() * len(items))]

    def wd(self, o: int, n: int) -> int:
        """The n-th working day after ordinal o (n >= 1)."""
        return self.workdays[self.count[o - self.base] + n - 1]

    def wd_on_or_before(self, o: int) -> int:
        return self.workdays[self.count[o - self.base] - 1]

    def wd_on_or_after(self, o: int) -> int:
        return self.workdays[self.count[o - 1 - self.base]]

    def wd_between(self, a: int, b: int) -> int:
        """Working days in (a, b]."""
        return self.count[b - self.base] - self.count[a - self.base] if b > a else 0

    def wd_due(self, trigger: int, n: int, p_late: float, early: int, late: int) -> int:
        """An event due n WD after `trigger`: on time (up to `early` WD early) or up to `late` WD late."""
        k = n + 1 + int(self.rnd() * late) if self.rnd() < p_late else n - int(self.rnd() * (early + 1))
        return self.wd(trigger, max(1, k))

    def month_due(self, trigger: int, months: int, p_late: float, early: int, late: int) -> int:
        """An event due `months` after `trigger`, on a working day, on time or up to `late` days late."""
        due = add_months(date.fromordinal(trigger), months).toordinal()
        if self.rnd() < p_late:
            return self.wd_on_or_after(due + 1 + int(self.rnd() * late))
        return max(self.wd_on_or_before(due - int(self.rnd() * (early + 1))), trigger + 1)

    def iso_of(self, o: int) -> str:
        """The ISO date of a day number, for a date held in an event's field."""
        return date.fromordinal(o).isoformat()

    def emit(self, o: int, type_: str, fields: dict[str, Any] = _EMPTY) -> None:
        """Record a template event, unless it lies after today (the journey is cut there)."""
        if o <= self.today:
            self.events.append((o, type_, fields))

    # Child protection.

    def s47(self, sd: int, p_plan: float) -> tuple[int, str] | None:
        """A s47 strategy discussion and its ICPC; the ICPC date and category if a plan was made."""
        self.emit(sd, "strategy_discussion", {"s47": True})
        if self.rnd() < 0.07:
            self.emit(self.wd(sd, self.ri(5, 20)), "s47_concluded", {"icpc_needed": False})
            return None
        icpc = self.wd_due(sd, 15, 0.2, 7, 12)
        gap = self.wd_between(sd, icpc)
        if gap >= 2 and self.rnd() < 0.4:
            self.emit(self.wd(sd, self.ri(1, gap - 1)), "s47_concluded", {"icpc_needed": True})
        category = self.pick_weighted(_ICPC_CATS, _ICPC_CUM)
        if self.rnd() < p_plan:
            self.emit(icpc, "icpc", {"outcome": "plan", "category": category})
            return icpc, category
        self.emit(icpc, "icpc", {"outcome": "no_plan"})
        return None

    def cp_plan(
        self, icpc: int, category: str, *, close_at: int | None, reason: str, end_after: int | None
    ) -> int | None:
        """A plan's reviews, core groups and visits; returns the close date (None: still open).

        The plan closes with `cp_plan_ended` at `close_at`, or at the first review on or after
        `end_after` (outcome `end`), whichever comes first; with neither it runs on past today.
        """
        today = self.today
        close: int | None = None
        previous = icpc
        k = 0
        while True:
            k += 1
            review = self.month_due(previous, 3 if k == 1 else 6, 0.14, 14, 28)
            if close_at is not None and review >= close_at:
                close = close_at
                self.emit(close_at, "cp_plan_ended", {"reason": reason})
                break
            ends = end_after is not None and review >= end_after
            if self.rnd() < 0.2 and category != "multiple":
                category = self.pick_weighted(_ICPC_CATS, _ICPC_CUM)
            self.emit(review, "cp_review", {"outcome": "end" if ends else "continue", "category": category})
            if ends:
                close = review
                break
            if review > today:
                break
            previous = review
        stop = today if close is None else min(close, today)
        # Core groups: the first within 10 WD, then every 4 to 8 weeks.
        meeting = self.wd_due(icpc, 10, 0.15, 6, 8)
        while meeting < stop:
            self.emit(meeting, "core_group")
            meeting = self.wd_on_or_after(meeting + self.ri(30, 60))
        # Visits: every 10 WD or sooner, some late and a few long gaps.
        visit = self.wd(icpc, self.ri(1, 10) if self.rnd() < 0.88 else self.ri(11, 16))
        rnd = self.rnd
        wd = self.wd
        while visit < stop:
            self.emit(visit, "cp_visit")
            r = rnd()
            if r < 0.9:
                visit = wd(visit, 6 + int(rnd() * 5))
            elif r < 0.99:
                visit = wd(visit, 11 + int(rnd() * 6))
            else:
                visit = wd(visit, 20 + int(rnd() * 25))
        return close

    # Pre-proceedings and court.

    def plo(self, lpm: int, issue: bool) -> int:
        """Pre-proceedings from the legal planning meeting; returns the date it ended."""
        self.emit(lpm, "legal_planning_meeting", {"decision": "pre_proceedings"})
        letter = self.wd(lpm, self.ri(3, 15))
        self.emit(letter, "letter_before_proceedings")
        if self.rnd() < 0.75:
            self.emit(letter, "family_group_conference", {"stage": "offered"})
        meeting = self.wd(letter, self.ri(5, 12))
        self.emit(meeting, "pre_proceedings_meeting")
        weeks = 0
        extended: int | None = None
        if self.rnd() < 0.2:
            weeks = self.ri(4, 12)
            extended = self.wd_on_or_after(letter + self.ri(12 * 7, 15 * 7))
        due = letter + (16 + weeks) * 7
        if self.rnd() < 0.72:
            end = self.wd_on_or_before(due - self.ri(0, 35))
        else:
            end = self.wd_on_or_after(due + self.ri(1, 50))
        if extended is not None:
            end = max(end, self.wd(extended, self.ri(1, 10)))
            self.emit(
                extended,
                "pre_proceedings_extended",
                {"weeks": weeks, "reason": self.pick(_PLO_EXTENSION_REASONS)},
            )
        review = self.wd(meeting, self.ri(25, 35))
        while review < end:
            self.emit(review, "pre_proceedings_review")
            review = self.wd(review, self.ri(25, 35))
        r = self.rnd()
        fgc = self.wd(letter, self.ri(8, 40))
        if fgc < end and r < 0.55:
            self.emit(fgc, "family_group_conference", {"stage": "held"})
        elif fgc < end and r < 0.7:
            self.emit(fgc, "family_group_conference", {"stage": "declined"})
        self.emit(end, "pre_proceedings_ended", {"outcome": "issue" if issue else "step_down"})
        return end

    def court(self, decision: int, *, lac: bool, youngest_at_issue: int) -> tuple[int, int, str]:
        """Care proceedings from the decision to issue: (first hearing, final order, order)."""
        self.emit(decision, "decision_to_issue")
        issue = self.wd_due(decision, 10, 0.25, 7, 12)
        docs = self.wd(decision, self.ri(1, max(1, self.wd_between(decision, issue))))
        self.emit(docs, "documents_to_legal")
        court, prefix = COURTS[int(self.rnd() * len(COURTS))]
        year = date.fromordinal(issue).year % 100
        serial = self.case_serial[year] = self.case_serial.get(year, 0) + 1
        self.emit(
            issue, "proceedings_issued", {"case_number": f"{prefix}{year:02d}C{serial:05d}", "court": court}
        )
        first = self.wd_on_or_after(issue + self.ri(0, 6))
        if lac:
            self.emit(first, "hearing", {"kind": "ico", "outcome": "Interim care order made"})
        else:
            self.emit(first, "hearing", {"kind": "other", "outcome": "Interim supervision order made"})
        cmh = self.wd_on_or_after(first + self.ri(12, 24))
        self.emit(cmh, "hearing", {"kind": "cmh", "outcome": "Directions given"})
        final = self.wd_on_or_before(issue + int(self.rng.triangular(20, 80, 34) * 7))
        final = max(final, self.wd(cmh, 40))
        self.extensions(issue, final)
        irh = self.wd_on_or_before(final - self.ri(21, 56))
        if irh > cmh + 21:
            r = self.rnd()
            if r < 0.3:
                middle = self.wd_on_or_after(cmh + (irh - cmh) // 2)
                if cmh < middle < irh:
                    if r < 0.15:
                        self.emit(middle, "hearing", {"kind": "fcmh", "outcome": "Further directions given"})
                    else:
                        self.emit(middle, "hearing", {"kind": "other", "outcome": "Adjourned"})
            self.emit(irh, "hearing", {"kind": "irh", "outcome": "Issues narrowed"})
        self.emit(final, "hearing", {"kind": "final", "outcome": "Final order made"})
        order = self.final_order(lac, youngest_at_issue)
        self.emit(final, "final_order", {"order": order})
        return first, final, order

    def extensions(self, issue: int, final: int) -> None:
        """Extensions of the 26 weeks, each within 8 weeks of the later of the current end and grant."""
        end = issue + COURT_LAST_DAY_OFFSET.days
        granted_before = issue
        for _ in range(8):
            if final <= end or self.rnd() < 0.12:
                return  # not needed, or not sought: the final order comes late
            if self.rnd() < 0.1:
                granted = self.wd_on_or_after(end + self.ri(1, 10))
            else:
                granted = self.wd_on_or_before(end - self.ri(0, 28))
            granted = max(granted, self.wd(granted_before, 5))
            if granted >= final:
                return
            limit = extension_limit(date.fromordinal(end), date.fromordinal(granted)).toordinal()
            until = min(limit, final + self.ri(0, 21)) if self.rnd() < 0.7 else limit - self.ri(0, 14)
            until = max(until, end + 1, granted + 1)
            reason = EXTENSION_REASONS[bisect.bisect((0.45, 0.8, 0.93, 0.96), self.rnd())]
            self.emit(granted, "extension", {"until": self.iso[until - self.base], "reason": reason})
            end = until
            granted_before = granted

    def final_order(self, lac: bool, youngest_at_issue: int) -> str:
        r = self.rnd()
        if not lac:
            return ("supervision_order", "no_order", "withdrawn", "sgo", "cao")[
                bisect.bisect((0.5, 0.65, 0.8, 0.95), r)
            ]
        order = ("care_order", "placement_order", "sgo", "supervision_order", "cao", "no_order", "withdrawn")[
            bisect.bisect((0.38, 0.55, 0.75, 0.85, 0.91, 0.95), r)
        ]
        if order == "placement_order" and youngest_at_issue > 5 * 365:
            order = "care_order"
        return order

    # Looked after.

    def care(
        self,
        start: int,
        status: str,
        *,
        end: int | None,
        reason: str,
        plan: str | None,
        changes: Sequence[tuple[int, str]] = (),
    ) -> None:
        """A period of care: visits, reviews, the permanence plan and (maybe) its end."""
        self.emit(start, "became_looked_after", {"legal_status": status})
        today = self.today
        stop = today if end is None else min(end, today)
        rnd = self.rnd
        visit = start + (1 + int(rnd() * 7) if rnd() < 0.87 else 8 + int(rnd() * 9))
        while visit <= stop:
            self.emit(visit, "cla_visit")
            r = rnd()
            if r < 0.88:
                visit += 21 + int(rnd() * 22)
            elif r < 0.99:
                visit += 43 + int(rnd() * 18)
            else:
                visit += 61 + int(rnd() * 40)
        first = self.wd_due(start, 20, 0.15, 8, 12)
        second = self.month_due(first, 3, 0.15, 21, 35)
        # Two children in three come to the weekly permanence forum two to three weeks before the
        # second review (chosen from the dates, not the random stream, so every other event of a
        # seed stays as it was).
        forum = self.wd_on_or_before(second - 14 - start % 7)
        if (first + second) % 3 and start < forum <= stop:
            self.emit(
                forum,
                "permanence_forum",
                {
                    "outcome": _FORUM_OUTCOMES[start % len(_FORUM_OUTCOMES)],
                    "actions": "Social worker to complete the permanence report before the review.",
                    "next_review": self.iso_of(forum + 28),
                },
            )
        review, k = first, 1
        while review <= stop:
            self.emit(review, "cla_review")
            review = second if k == 1 else self.month_due(review, 6, 0.15, 21, 35)
            k += 1
        if plan is not None:
            r = rnd()
            made: int | None = None
            if r < 0.72:
                made = second if rnd() < 0.6 else self.wd_on_or_before(self.ri(first + 1, second))
            elif r < 0.87:
                made = self.wd_on_or_after(second + self.ri(14, 120))
            if made is not None and made <= stop:
                self.emit(made, "permanence_plan", {"plan": plan, "ratified_by_iro": rnd() < 0.85})
        for day, legal_status in changes:
            if day <= stop:
                self.emit(day, "legal_status_changed", {"legal_status": legal_status})
        if end is not None:
            self.emit(end, "ceased_looked_after", {"reason": reason})

    def care_from_order(self, first: int, final: int, order: str, plan_age: int) -> None:
        """The period of care that begins at the interim care order, shaped by the final order."""
        if order == "care_order":
            plan = "long_term_fostering" if plan_age > 2 * 365 else "return_home"
            if plan_age > 12 * 365 and self.rnd() < 0.3:
                plan = "residential"
            self.care(first, "C1", end=None, reason="", plan=plan, changes=[(final, "C2")])
        elif order == "placement_order":
            ceased = final + self.ri(120, 420)
            self.care(first, "C1", end=ceased, reason="E11", plan="adoption", changes=[(final, "E1")])
        elif order == "sgo":
            self.care(first, "C1", end=final, reason="E45", plan="sgo")
        elif order == "cao":
            self.care(first, "C1", end=final, reason="E41", plan="cao")
        else:
            self.care(first, "C1", end=final, reason="E4A", plan="return_home")

    def care_only(self, start: int, age: int) -> None:
        """A period of care with no proceedings in the record (s20 accommodation, older orders)."""
        r = self.rnd()
        status = "V2" if r < 0.62 else ("C2" if r < 0.94 else "E1")
        end: int | None = None
        reason = ""
        if status == "E1":
            plan = "adoption"
            if self.rnd() < 0.5:
                end, reason = start + self.ri(90, 500), "E11"
        elif status == "V2":
            r = self.rnd()
            if age >= 16 * 365 and r < 0.35:
                plan = "supported_living"
            elif age >= 11 * 365 and r < 0.25:
                plan = "residential"
            elif r < 0.55:
                plan = "return_home"
            elif r < 0.9:
                plan = "long_term_fostering"
            else:
                plan = "other"
            if plan == "return_home" and self.rnd() < 0.6:
                end, reason = start + self.ri(40, 400), "E4A"
        else:
            r = self.rnd()
            plan = (
                "long_term_fostering"
                if r < 0.55
                else ("sgo" if r < 0.7 else ("return_home" if r < 0.85 else "cao"))
            )
            if plan == "sgo" and self.rnd() < 0.6:
                end, reason = start + self.ri(120, 600), "E45"
            elif plan == "cao" and self.rnd() < 0.6:
                end, reason = start + self.ri(120, 600), "E41"
            elif plan == "return_home" and self.rnd() < 0.5:
                end, reason = start + self.ri(90, 500), "E4A"
        self.care(start, status, end=end, reason=reason, plan=plan)

    # Journeys.

    def journey(self, pathway: str, t0: int, youngest: int, *, unborn: bool = False) -> None:
        """Fill `self.events` with a family's shared journey starting at `t0`.

        `youngest` is the youngest child's date of birth (ordinal, the expected one if unborn),
        for age-dependent plans; an unborn child's journey has child protection events only.
        """
        self.events = []
        if pathway == "lac":
            self.care_only(t0, t0 - youngest)
            return
        if pathway == "court":
            self.emit(t0, "legal_planning_meeting", {"decision": "issue"})
            decision = self.wd(t0, self.ri(1, 5))
            self.court_and_care(decision, youngest, p_lac=0.9)
            return
        if pathway == "plo":
            issue = self.rnd() < 0.4
            end = self.plo(t0, issue)
            if issue:
                self.court_and_care(end, youngest, p_lac=0.8)
            return
        # Child protection first.
        if pathway == "s47_only":
            earlier = self.wd_on_or_before(t0 - self.ri(20, 120))
            if self.rnd() < 0.25 and (unborn or earlier >= youngest):
                self.emit(earlier, "strategy_discussion", {"s47": False})
            self.s47(t0, 0.0)
            return
        made = self.s47(t0, 1.0)
        if made is None:
            return
        icpc, category = made
        if pathway == "cp":
            self.cp_only(icpc, category, repeat=True, legal=not unborn)
        elif pathway == "cp_plo":
            lpm = self.wd(icpc, self.ri(40, 160))
            end = self.plo(lpm, False)
            self.cp_plan(icpc, category, close_at=None, reason="", end_after=end + self.ri(0, 200))
        else:  # cp_court
            lpm = self.wd(icpc, self.ri(40, 200))
            end = self.plo(lpm, True)
            lac = self.rnd() < 0.8
            first, final, _ = self.court_and_care(end, youngest, p_lac=1.0 if lac else 0.0)
            if lac:
                self.cp_plan(
                    icpc, category, close_at=first, reason="Child became looked after", end_after=None
                )
            else:
                self.cp_plan(
                    icpc, category, close_at=final + self.ri(5, 40), reason="Final order made", end_after=None
                )

    def cp_only(self, icpc: int, category: str, *, repeat: bool, legal: bool) -> None:
        r = self.rnd()
        if r < 0.05:  # ended between reviews
            close_at: int | None = self.wd(icpc, self.ri(30, 200))
            self.cp_plan(
                icpc, category, close_at=close_at, reason=self.pick(_CP_ENDED_REASONS), end_after=None
            )
            return
        months = (0, 0, 0, 4, 4, 4, 4, 4, 10, 10, 10, 10, 16, 16, 22, 28)[int(self.rnd() * 16)]
        end_after = add_months(date.fromordinal(icpc), months).toordinal()
        if r < 0.1 and legal:
            self.emit(
                self.wd(icpc, self.ri(40, 120)), "legal_planning_meeting", {"decision": "no_legal_action"}
            )
        close = self.cp_plan(icpc, category, close_at=None, reason="", end_after=end_after)
        if repeat and close is not None and close < self.today and self.rnd() < 0.08:
            again = self.s47(self.wd(close, self.ri(60, 400)), 0.85)
            if again is not None:
                self.cp_only(again[0], again[1], repeat=False, legal=legal)

    def court_and_care(self, decision: int, youngest: int, p_lac: float) -> tuple[int, int, str]:
        lac = self.rnd() < p_lac
        issue_estimate = self.wd(decision, 10)
        first, final, order = self.court(decision, lac=lac, youngest_at_issue=issue_estimate - youngest)
        if lac:
            self.care_from_order(first, final, order, first - youngest)
        return first, final, order

    # Escalations.

    def drp(self, events: Sequence[_Ev], role_officer: dict[str, str]) -> list[_Ev]:
        """One IRO or CP chair escalation (rarely two) for a child, raised after a review or ICPC."""
        out: list[_Ev] = []
        anchors = [e for e in events if e[1] in ("cla_review", "cp_review", "icpc")]
        if not anchors:
            return out
        for _ in range(2 if self.rnd() < 0.1 else 1):
            o, kind, _fields = anchors[int(self.rnd() * len(anchors))]
            raised = min(self.wd(o, self.ri(1, 10)), self.today)
            if raised <= o:
                continue
            role = "iro" if kind == "cla_review" else "cp_chair"
            out.extend(self.escalation(raised, role, role_officer[role]))
        return out

    def escalation(self, raised: int, role: str, officer: str) -> list[_Ev]:
        year = date.fromordinal(raised).year % 100
        serial = self.drp_serial[year] = self.drp_serial.get(year, 0) + 1
        ref = f"DRP-{year:02d}-{serial:04d}"
        stage = 0 if self.rnd() < 0.35 else 1
        category = self.pick_weighted(_DRP_CATS, _DRP_CUM)
        if category == "good_practice":
            stage = 0
        out: list[_Ev] = [
            (
                raised,
                "drp_raised",
                {
                    "ref": ref,
                    "stage": stage,
                    "raised_by": officer,
                    "role": role,
                    "category": category,
                    "addressed_to": _DRP_ADDRESSED_TO[stage],
                },
            )
        ]
        if category == "good_practice":
            # A positive alert is not a dispute: it is acknowledged, never answered or escalated.
            if self.rnd() < 0.8:
                out.append(
                    (
                        self.wd(raised, self.ri(1, 5)),
                        "drp_resolved",
                        {"ref": ref, "outcome": "Acknowledged by the manager"},
                    )
                )
            return [e for e in out if e[0] <= self.today]
        at = raised
        while True:
            r = self.rnd()
            if r < 0.7:
                answered: int | None = self.wd(at, self.ri(1, 5))
            elif r < 0.9:
                answered = self.wd(at, self.ri(6, 12))
            else:
                answered = None
            satisfied = answered is not None and (self.rnd() < 0.6 or stage >= 4)
            if answered is not None:
                out.append((answered, "drp_response", {"ref": ref, "satisfactory": satisfied}))
                at = answered
            if satisfied or stage >= 4:
                if self.rnd() < 0.92:
                    done = self.wd(at, self.ri(0, 5)) if self.rnd() < 0.8 else self.wd(at, self.ri(6, 15))
                    out.append(
                        (max(done, at), "drp_resolved", {"ref": ref, "outcome": self.pick(_DRP_OUTCOMES)})
                    )
                break
            step = 2 if self.rnd() < 0.12 else 1
            stage = min(4, stage + step)
            if stage == 4 and role == "iro" and self.rnd() < 0.2:
                stage = 5
            at = self.wd(at, self.ri(1, 5))
            out.append(
                (at, "drp_escalated", {"ref": ref, "stage": stage, "addressed_to": _DRP_ADDRESSED_TO[stage]})
            )
            if stage == 5:
                if self.rnd() < 0.7:
                    out.append(
                        (
                            self.wd(at, self.ri(10, 40)),
                            "drp_resolved",
                            {"ref": ref, "outcome": "Referred to Cafcass"},
                        )
                    )
                break
        return [e for e in out if e[0] <= self.today]

    # Children.

    def age_days(self) -> int:
        years = bisect.bisect(_AGE_CUM, self.rnd() * _AGE_CUM[-1])
        return years * 365 + int(self.rnd() * 365)

    def person(self, dob: int | None, edd: int | None) -> _Person:
        r = self.rnd()
        if dob is None:
            gender = "unknown" if r < 0.8 else ("male" if r < 0.9 else "female")
            return _Person(None, edd, "Unborn", gender)
        if r < 0.49:
            return _Person(dob, None, self.pick(BOYS_NAMES), "male")
        if r < 0.98:
            return _Person(dob, None, self.pick(GIRLS_NAMES), "female")
        gender = "other" if r < 0.99 else "unknown"
        return _Person(dob, None, self.pick(GIRLS_NAMES + BOYS_NAMES), gender)

    def children(self, total: int) -> Iterator[dict[str, Any]]:
        made = 0
        families = 0
        today = self.today
        while made < total:
            rnd = self.rnd
            size = 1
            if rnd() < _SIBLING_GROUP_SHARE:
                size = min(total - made, (2, 2, 2, 2, 2, 2, 3, 3, 3, 4)[int(rnd() * 10)])
            unborn = size == 1 and rnd() < _UNBORN_SHARE
            people: list[_Person]
            if unborn:
                edd = today + self.ri(7, 140)
                t0 = min(edd - self.ri(56, 200), today - self.ri(0, 20))
                pathway = "cp" if rnd() < 0.85 else "s47_only"
                people = [self.person(None, edd)]
                youngest = edd
            else:
                pathway = _PATHWAY_NAMES[bisect.bisect(_PATHWAY_CUM, rnd() * _PATHWAY_CUM[-1])]
                lookback = _LOOKBACK[pathway]
                t0 = self.wd_on_or_before(today - int(lookback * rnd() ** 1.25))
                oldest = max(self.age_days(), today - t0 + self.ri(0, 200))
                oldest = min(oldest, 17 * 365 + 360)
                dobs = [today - oldest]
                for _ in range(size - 1):
                    dobs.append(min(dobs[-1] + self.ri(330, 1500), t0))
                people = [self.person(dob, None) for dob in dobs]
                youngest = dobs[-1]
            self.journey(pathway, t0, youngest, unborn=unborn)
            template = sorted(self.events, key=_by_date)
            kinds = {e[1] for e in template}
            if "became_looked_after" in kinds:
                team = self.pick(CARE_TEAMS)
            elif "legal_planning_meeting" in kinds or "letter_before_proceedings" in kinds:
                team = self.pick(COURT_TEAMS)
            else:
                team = self.pick(CP_TEAMS)
            worker = self.pick(WORKERS_BY_TEAM[team])
            officers = {"iro": self.pick(IROS), "cp_chair": self.pick(CP_CHAIRS)}
            officer = officers["iro"] if team in CARE_TEAMS else officers["cp_chair"]
            family_name = self.pick(FAMILY_NAMES)
            ethnicity = self.pick_weighted(_ETHNICITY_CODES, _ETHNICITY_CUM)
            group = None
            if size > 1:
                families += 1
                group = f"F-{families:06d}"
            for person in people:
                made += 1
                yield self.child(
                    made, person, template, size > 1, officers,
                    family_name if rnd() < 0.88 else self.pick(FAMILY_NAMES),
                    ethnicity if rnd() < 0.92 else self.pick_weighted(_ETHNICITY_CODES, _ETHNICITY_CUM),
                    group, team, worker, officer,
                )  # fmt: skip

    def child(
        self,
        number: int,
        person: _Person,
        template: list[_Ev],
        sibling: bool,
        officers: dict[str, str],
        family_name: str,
        ethnicity: str,
        group: str | None,
        team: str,
        worker: str,
        officer: str,
    ) -> dict[str, Any]:
        rnd = self.rnd
        events = template
        if person.dob is not None and rnd() < _DRP_SHARE:
            extra = self.drp(template, officers)
            if extra:
                events = sorted(template + extra, key=_by_date)
        iso = self.iso
        base = self.base
        dob = person.dob
        out: list[dict[str, Any]] = []
        n = 0
        for o, type_, fields in events:
            if type_ in _VISITS:
                if sibling and rnd() < 0.04:
                    continue  # this child was not seen on the family visit
                alone = dob is not None and o - dob > 5 * 365 and rnd() < 0.7
                fields = {"seen_alone": alone}
            n += 1
            out.append({"id": f"e{n}", "type": type_, "date": iso[o - base], **fields})
        record: dict[str, Any] = {
            "id": f"DEMO-{number:06d}",
            "given_name": person.given_name,
            "family_name": family_name,
        }
        if dob is not None:
            record["date_of_birth"] = iso[dob - base]
        else:
            assert person.edd is not None
            record["expected_date_of_birth"] = iso[person.edd - base]
        record["gender"] = person.gender
        record["ethnicity"] = ethnicity
        record["disability"] = rnd() < 0.08
        if group is not None:
            record["sibling_group"] = group
        record["team"] = team
        record["social_worker"] = worker
        record["reviewing_officer"] = officer
        record["events"] = out
        return record


def _by_date(event: _Ev) -> int:
    return event[0]


# --- Public API -------------------------------------------------------------------------------


def iter_children(children: int, *, seed: int = 1, today: date | None = None) -> Iterator[dict[str, Any]]:
    """Yield `children` fictional child records (journey-format dicts), lazily.

    Deterministic for a given `(children, seed, today)`; every event is dated on or before `today`
    (default: the clock's today). Sibling groups share a team, a worker and most journey dates.
    """
    if children < 0:
        raise ValueError("children must not be negative")
    day = date.today() if today is None else today
    return _Generator(seed, day).children(children)


_FORUM_OUTCOMES: Final = (
    "Plan agreed: permanence through long-term fostering to be presented at the review.",
    "Return home to be assessed; parenting assessment to complete first.",
    "Family and friends assessment to be completed; special guardianship considered.",
    "Adoption considered; legal planning meeting to be arranged.",
)


def generate(children: int, *, seed: int = 1, today: date | None = None) -> dict[str, Any]:
    """A whole journey document of `children` fictional children (see `iter_children`)."""
    day = date.today() if today is None else today
    return {
        "format": FORMAT,
        "version": VERSION,
        "children": list(iter_children(children, seed=seed, today=day)),
    }
