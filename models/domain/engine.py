"""The journey engine: a child's events, the local standards and an as-of date in; deadlines out.

Pure by design: no database, no clock, no settings lookup. `timescales.md` is the specification;
the section names below follow it (episodes, then the rules of each episode).

Events dated after the as-of date are ignored; events of the same type on the same date (and DRP
`ref`) count once; on one date, events that close an episode apply before events that open one.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any, NamedTuple

from models.domain.calendar import WorkingCalendar, add_weeks, days_later, months_later
from models.domain.journey import CLOSING_TYPES, DRP_STAGE_NAMES, Event
from models.domain.rules import RAG_OF, RULES, Rag, Standards, Status, Unit

#: The 26 weeks "beginning with" the issue day end on issue + 181 days.
COURT_LAST_DAY_OFFSET = timedelta(days=181)


class Deadline(NamedTuple):
    """One statutory or local clock for one child, judged at an as-of date.

    `counted_to` is the date the lateness or the time left is counted to (the as-of date, or the
    date the episode closed); `trigger_type`, `closed_by`, `detail` and `span` only feed the
    explanation. A named tuple: a full recomputation builds about a million of them.
    """

    child_id: str
    rule: str
    trigger: date
    due: date
    done: date | None
    status: Status
    rag: Rag
    late_by: int
    ref: str | None
    trigger_type: str
    counted_to: date
    closed_by: str | None = None
    detail: str | None = None
    span: int = 0

    @property
    def explanation(self) -> str:
        return explain(self)

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "child_id": self.child_id,
            "rule": self.rule,
            "trigger": self.trigger.isoformat(),
            "due": self.due.isoformat(),
            "done": self.done.isoformat() if self.done else None,
            "status": self.status.value,
            "rag": self.rag.value,
            "late_by": self.late_by,
            "explanation": self.explanation,
        }
        if self.ref is not None:
            row["ref"] = self.ref
        return row


@dataclass(slots=True)
class Episode:
    open: Event
    close: Event | None

    def contains(self, day: date) -> bool:
        return self.open.date <= day and (self.close is None or day <= self.close.date)

    @property
    def close_date(self) -> date | None:
        return self.close.date if self.close is not None else None


#: Order on one date: events that close an episode first (timescales.md), then the events that a
#: same-day partner depends on (a decision to issue before the issue that closes it, a DRP raise
#: before its escalation), then the rest.
_SAME_DAY_RANK = {
    **dict.fromkeys(CLOSING_TYPES, 0),
    "decision_to_issue": 1,
    "drp_raised": 1,
}


_DATE_OF = attrgetter("date")
_DUE_OF = attrgetter("due")


def _chronological(event: Event) -> tuple[date, int]:
    if event.type == "cp_review" and event.outcome == "end":
        return (event.date, 0)  # a review that ends the plan closes it
    return (event.date, _SAME_DAY_RANK.get(event.type, 2))


def prepare(events: Iterable[Event], as_of: date) -> list[Event]:
    """Events as the clocks see them: up to the as-of date, duplicates merged, closers first."""
    kept = sorted(events, key=_DATE_OF)
    dates = list(map(_DATE_OF, kept))
    cut = bisect.bisect_right(dates, as_of)
    if cut < len(kept):
        del kept[cut:], dates[cut:]
    if len(set(dates)) == len(dates):
        return kept  # no two events on one date: nothing to merge or reorder
    shared = [i for i in range(1, len(dates)) if dates[i] == dates[i - 1]]
    out: list[Event] = []
    done = 0
    for i in shared:
        start = i - 1
        if start < done:
            continue  # inside a run already handled
        end = i + 1
        while end < len(dates) and dates[end] == dates[start]:
            end += 1
        out.extend(kept[done:start])
        out.extend(_same_day(kept[start:end]))
        done = end
    out.extend(kept[done:])
    return out


def _same_day_order(event: Event) -> tuple[tuple[date, int], str, str]:
    # Type and ref after the rank: the order must not depend on the order events were listed in
    # (two escalations raised on one day are judged, and listed, by ref).
    return (_chronological(event), event.type, event.ref or "")


def _same_day(events: list[Event]) -> list[Event]:
    """Events of one date: closers first, then by type and ref, and one of each type (and DRP ref)."""
    events.sort(key=_same_day_order)
    seen: set[tuple[str, str | None]] = set()
    out = []
    for event in events:
        key = (event.type, event.ref)
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out


def episodes_of(
    events: Sequence[Event],
    opens: Callable[[Event], bool],
    closes: Callable[[Event], bool],
    reopens: Callable[[Event], bool] | None = None,
) -> list[Episode]:
    """Split a chronology into episodes; an opener while one is open is ignored unless it reopens."""
    episodes: list[Episode] = []
    current: Episode | None = None
    for event in events:
        if current is not None:
            if closes(event):
                current.close = event
                current = None
            elif reopens is not None and reopens(event):
                current.close = event
                current = Episode(event, None)
                episodes.append(current)
        elif opens(event):
            current = Episode(event, None)
            episodes.append(current)
    return episodes


def _first_on_or_after(events: Sequence[Event], day: date, episode: Episode | None = None) -> Event | None:
    """The first of `events` (date-sorted) dated on or after `day`, inside the episode if given."""
    dates = [e.date for e in events]
    i = bisect.bisect_left(dates, day)
    if i < len(events) and (episode is None or episode.contains(events[i].date)):
        return events[i]
    return None


_new_tuple = tuple.__new__
_MET = Status.MET
_MET_LATE = Status.MET_LATE


class _Chronology:
    """One child's prepared events, indexed by type, with date look-ups by bisection."""

    __slots__ = ("_dates", "by_type")

    def __init__(self, events: Sequence[Event]):
        by_type: dict[str, list[Event]] = {}
        for event in events:
            found = by_type.get(event.type)
            if found is None:
                by_type[event.type] = [event]
            else:
                found.append(event)
        self.by_type = by_type
        self._dates: dict[str, list[date]] = {}

    def of(self, event_type: str) -> list[Event]:
        return self.by_type.get(event_type, [])

    def within(self, event_type: str, episode: Episode) -> list[Event]:
        """The events of one type dated inside the episode (its close date included)."""
        events = self.by_type.get(event_type)
        if not events:
            return []
        dates = self._dates.get(event_type)
        if dates is None:
            dates = self._dates[event_type] = [e.date for e in events]
        lo = bisect.bisect_left(dates, episode.open.date)
        close = episode.close
        hi = len(dates) if close is None else bisect.bisect_right(dates, close.date)
        return events[lo:hi]

    def merged(self, *types: str) -> list[Event]:
        """The events of these types in chronological order (closers first on one date)."""
        out: list[Event] = []
        kinds = 0
        for event_type in types:
            found = self.by_type.get(event_type)
            if found:
                out.extend(found)
                kinds += 1
        if kinds > 1:
            out.sort(key=_chronological)
        return out


class _Judge:
    """Turns a clock (trigger, due, what met it, how its episode closed) into a Deadline."""

    def __init__(self, child_id: str, as_of: date, standards: Standards, calendar: WorkingCalendar):
        self.child_id = child_id
        self.as_of = as_of
        self.standards = standards
        self.calendar = calendar
        self.out: list[Deadline] = []
        # Per rule: counted in working days?, amber window. Looked up once, not per deadline.
        self.params = {
            rule_id: (rule.unit is Unit.WORKING_DAYS, standards.amber_for(rule_id))
            for rule_id, rule in RULES.items()
        }

    def start(self, child_id: str) -> list[Deadline]:
        """Reuse this judge for the next child; returns the previous child's deadlines."""
        out, self.out, self.child_id = self.out, [], child_id
        return out

    def add(
        self,
        rule_id: str,
        trigger: Event,
        due: date,
        done: date | None,
        episode: Episode | None,
        *,
        ref: str | None = None,
        detail: str | None = None,
        amber_from: date | None = None,
        span: int = 0,
    ) -> None:
        """Judge one clock and keep it, unless its episode closed before it ever fell due."""
        working, amber = self.params[rule_id]
        between = self.calendar.working_days_between
        closed = episode.close if episode is not None and done is None else None
        as_of = counted_to = self.as_of
        late_by = 0
        if done is not None:
            if done <= due:
                status = _MET
            else:
                status = _MET_LATE
                late_by = max(1, between(due, done) if working else (done - due).days)
        elif closed is not None:
            if closed.date <= due:
                return
            status = Status.OVERDUE
            counted_to = closed.date
            late_by = max(1, between(due, counted_to) if working else (counted_to - due).days)
        elif as_of > due:
            status = Status.OVERDUE
            late_by = max(1, between(due, as_of) if working else (as_of - due).days)
        elif amber_from is not None:
            status = Status.DUE_SOON if as_of >= amber_from else Status.PENDING
        elif (between(as_of, due) if working else (due - as_of).days) <= amber:
            status = Status.DUE_SOON
        else:
            status = Status.PENDING
        # tuple.__new__ skips the named tuple's Python-level __new__: this runs a million times.
        self.out.append(
            _new_tuple(
                Deadline,
                (
                    self.child_id,
                    rule_id,
                    trigger.date,
                    due,
                    done,
                    status,
                    RAG_OF[status],
                    late_by,
                    ref,
                    trigger.type,
                    counted_to,
                    closed.type if closed is not None else None,
                    detail,
                    span,
                ),
            )
        )

    def chain(
        self,
        rule_id: str,
        triggers: Sequence[Event],
        dues: Sequence[date],
        episode: Episode,
        first_span: int,
        span: int,
    ) -> None:
        """`add` for a chain of clocks (visits): clock k is due `dues[k]` and met by trigger k + 1.

        Every clock but the last is met, so it is judged here in one loop; the last goes through
        `add`. The same deadlines as calling `add` for each, at a fraction of the cost: visits are
        most of every caseload's deadlines.
        """
        working, _ = self.params[rule_id]
        between = self.calendar.working_days_between
        out, child_id, as_of = self.out, self.child_id, self.as_of
        last = len(triggers) - 1
        for k in range(last):
            trigger, due, done = triggers[k], dues[k], triggers[k + 1].date
            if done <= due:
                status, late_by = _MET, 0
            else:
                status = _MET_LATE
                late_by = max(1, between(due, done) if working else (done - due).days)
            out.append(
                _new_tuple(
                    Deadline,
                    (
                        child_id,
                        rule_id,
                        trigger.date,
                        due,
                        done,
                        status,
                        RAG_OF[status],
                        late_by,
                        None,
                        trigger.type,
                        as_of,
                        None,
                        None,
                        first_span if k == 0 else span,
                    ),
                )
            )
        if last >= 0:
            self.add(
                rule_id, triggers[last], dues[last], None, episode, span=first_span if last == 0 else span
            )


def child_deadlines(
    child_id: str,
    events: Iterable[Event],
    as_of: date,
    standards: Standards,
    calendar: WorkingCalendar,
) -> list[Deadline]:
    """Every deadline of one child at `as_of`, ordered by due date."""
    judge = _Judge(child_id, as_of, standards, calendar)
    _judge_child(judge, events)
    return judge.out


def child_judge(
    as_of: date, standards: Standards, calendar: WorkingCalendar
) -> Callable[[str, Iterable[Event]], list[Deadline]]:
    """`child_deadlines` for many children one at a time, with the per-run set-up done once."""
    judge = _Judge("", as_of, standards, calendar)

    def deadlines(child_id: str, events: Iterable[Event]) -> list[Deadline]:
        judge.start(child_id)
        _judge_child(judge, events)
        return judge.start("")

    return deadlines


def _judge_child(judge: _Judge, events: Iterable[Event]) -> None:
    chronology = prepare(events, judge.as_of)
    if not chronology:
        return
    chron = _Chronology(chronology)
    by_type = chron.by_type
    if "strategy_discussion" in by_type:
        _s47(judge, by_type)
    if "icpc" in by_type:
        _cp_plans(judge, chron)
    if "letter_before_proceedings" in by_type:
        _pre_proceedings(judge, chron)
    if "decision_to_issue" in by_type:
        _decision_to_issue(judge, chron)
    if "proceedings_issued" in by_type:
        _proceedings(judge, chron)
    if "became_looked_after" in by_type:
        _care(judge, chron)
    if "drp_raised" in by_type:
        _drp(judge, chronology)
    # By due date; deadlines due on one day keep the order they were judged in, which follows
    # the catalogue (the families run in catalogue order), so no Python-level key is needed.
    judge.out.sort(key=_DUE_OF)


def all_deadlines(
    events_by_child: Iterable[tuple[str, Sequence[Event]]],
    as_of: date,
    standards: Standards,
    calendar: WorkingCalendar,
) -> list[Deadline]:
    """Deadlines of many children in one pass, ordered by child then due date."""
    out: list[Deadline] = []
    judge = _Judge("", as_of, standards, calendar)
    for child_id, events in sorted(events_by_child, key=lambda pair: pair[0]):
        out.extend(judge.start(child_id))
        _judge_child(judge, events)
    out.extend(judge.start(""))
    return out


# --- Child protection -------------------------------------------------------------------------


def _s47(judge: _Judge, by_type: dict[str, list[Event]]) -> None:
    """cp.icpc_15wd: each s47 strategy discussion is answered by the first ICPC before the next one."""
    discussions = [e for e in by_type["strategy_discussion"] if e.s47]
    icpcs = by_type.get("icpc", [])
    withdrawals = [e for e in by_type.get("s47_concluded", []) if e.icpc_needed is False]
    for i, discussion in enumerate(discussions):
        following = discussions[i + 1] if i + 1 < len(discussions) else None
        episode = Episode(discussion, following)
        icpc = _first_on_or_after(icpcs, discussion.date, episode)
        limit = icpc.date if icpc is not None else (following.date if following else judge.as_of)
        withdrawn = any(
            discussion.date <= w.date and (w.date < limit if icpc is not None else w.date <= limit)
            for w in withdrawals
        )
        if withdrawn:
            continue
        due = judge.calendar.plus(15)[discussion.date]
        judge.add("cp.icpc_15wd", discussion, due, icpc.date if icpc else None, episode, span=15)


def ends_plan(event: Event) -> bool:
    return event.type == "cp_plan_ended" or (event.type == "cp_review" and event.outcome == "end")


def makes_plan(event: Event) -> bool:
    return event.type == "icpc" and event.outcome == "plan"


def _cp_plans(judge: _Judge, chron: _Chronology) -> None:
    std = judge.standards
    # A review that ends the plan sorts with the closing events (see _chronological).
    boundaries = chron.merged("icpc", "cp_plan_ended", "cp_review")
    for plan in episodes_of(boundaries, makes_plan, ends_plan, reopens=makes_plan):
        icpc = plan.open
        start = icpc.date
        core_groups = chron.within("core_group", plan)
        core = core_groups[0] if core_groups else None
        judge.add(
            "cp.core_group_10wd",
            icpc,
            judge.calendar.plus(10)[start],
            core.date if core else None,
            plan,
            span=10,
        )

        reviews = chron.within("cp_review", plan)
        judge.add(
            "cp.review_3m", icpc, months_later(3)[start], reviews[0].date if reviews else None, plan, span=3
        )
        six = months_later(6)
        for k, review in enumerate(reviews):
            if review.outcome == "end":
                break
            following = reviews[k + 1].date if k + 1 < len(reviews) else None
            judge.add("cp.review_6m", review, six[review.date], following, plan, span=6)

        # Chained: the ICPC, then each visit, is due a next visit (met by the next one).
        visits = chron.within("cp_visit", plan)
        wd = std.cp_visit_wd
        triggers = [icpc, *visits]
        plus = judge.calendar.plus(wd)
        judge.chain("cp.visit", triggers, [plus[t.date] for t in triggers], plan, wd, wd)

        due = months_later(std.cp_plan_length_months)[start]
        judge.add(
            "cp.plan_length",
            icpc,
            due,
            plan.close_date,
            plan,
            amber_from=months_later(std.cp_plan_amber_months)[start],
            span=std.cp_plan_length_months,
        )


# --- Pre-proceedings and court ----------------------------------------------------------------


def _pre_proceedings(judge: _Judge, chron: _Chronology) -> None:
    episodes = episodes_of(
        chron.merged("letter_before_proceedings", "pre_proceedings_ended"),
        lambda e: e.type == "letter_before_proceedings",
        lambda e: e.type == "pre_proceedings_ended",
    )
    for episode in episodes:
        weeks = sum(e.weeks or 0 for e in chron.within("pre_proceedings_extended", episode))
        due = add_weeks(episode.open.date, 16 + weeks)
        detail = f"{weeks} weeks of extensions" if weeks else None
        judge.add(
            "plo.pre_proceedings_16w", episode.open, due, episode.close_date, episode, detail=detail, span=16
        )


def _decision_to_issue(judge: _Judge, chron: _Chronology) -> None:
    # On one date the decision sorts before the issue (see _chronological): an issue on the day
    # of the decision meets it.
    episodes = episodes_of(
        chron.merged("decision_to_issue", "proceedings_issued"),
        lambda e: e.type == "decision_to_issue",
        lambda e: e.type == "proceedings_issued",
    )
    wd = judge.standards.issue_after_decision_wd
    for episode in episodes:
        due = judge.calendar.plus(wd)[episode.open.date]
        judge.add("court.issue_after_decision", episode.open, due, episode.close_date, episode, span=wd)


def _proceedings(judge: _Judge, chron: _Chronology) -> None:
    episodes = episodes_of(
        chron.merged("proceedings_issued", "final_order"),
        lambda e: e.type == "proceedings_issued",
        lambda e: e.type == "final_order",
    )
    for episode in episodes:
        extensions = chron.within("extension", episode)
        due = court_end(episode.open.date, extensions)
        detail = None
        if extensions:
            latest = extensions[-1]
            detail = f"extended on {_d(latest.date)}"
        judge.add("court.final_26w", episode.open, due, episode.close_date, episode, detail=detail, span=26)


def court_end(issued: date, extensions: Sequence[Event]) -> date:
    """The end of the court timetable: issue + 181 days, replaced by the latest extension's `until`."""
    end = issued + COURT_LAST_DAY_OFFSET
    latest: Event | None = None
    for extension in extensions:
        if latest is None or extension.date >= latest.date:
            latest = extension
    if latest is not None and latest.until is not None:
        end = latest.until
    return end


def extension_limit(current_end: date, granted: date) -> date:
    """The latest `until` an extension may set: 8 weeks after the later of the current end and grant."""
    return max(current_end, granted) + timedelta(days=56)


# --- Looked after -----------------------------------------------------------------------------


def _care(judge: _Judge, chron: _Chronology) -> None:
    std = judge.standards
    periods = episodes_of(
        chron.merged("became_looked_after", "ceased_looked_after"),
        lambda e: e.type == "became_looked_after",
        lambda e: e.type == "ceased_looked_after",
    )
    for period in periods:
        start_event = period.open
        start = start_event.date
        reviews = chron.within("cla_review", period)
        first_due = judge.calendar.plus(20)[start]
        judge.add(
            "cla.review_first_20wd",
            start_event,
            first_due,
            reviews[0].date if reviews else None,
            period,
            span=20,
        )
        if reviews:
            second = reviews[1].date if len(reviews) > 1 else None
            judge.add(
                "cla.review_second_3m", reviews[0], months_later(3)[reviews[0].date], second, period, span=3
            )
        six = months_later(6)
        for k in range(1, len(reviews)):
            following = reviews[k + 1].date if k + 1 < len(reviews) else None
            judge.add("cla.review_6m", reviews[k], six[reviews[k].date], following, period, span=6)

        if len(reviews) > 1:
            permanence_due = reviews[1].date
            basis = f"the second review, held {_d(permanence_due)}"
        elif reviews:
            permanence_due = months_later(3)[reviews[0].date]
            basis = f"the second review, due 3 months after the first review on {_d(reviews[0].date)}"
        else:
            permanence_due = months_later(3)[first_due]
            basis = f"the second review, due 3 months after the first review's due date {_d(first_due)}"
        plans = chron.within("permanence_plan", period)
        plan = plans[0] if plans else None
        judge.add(
            "cla.permanence_by_second_review",
            start_event,
            permanence_due,
            plan.date if plan else None,
            period,
            detail=basis,
        )

        visits = chron.within("cla_visit", period)
        first_days, every = std.cla_first_visit_days, std.cla_visit_days
        after = days_later(every)
        dues = [days_later(first_days)[start], *[after[v.date] for v in visits]]
        judge.chain("cla.visit", [start_event, *visits], dues, period, first_days, every)


# --- Dispute resolution (DRP) -----------------------------------------------------------------


@dataclass(slots=True)
class _Stage:
    event: Event
    close: Event | None = None
    answered: date | None = None


def _drp(judge: _Judge, chronology: Sequence[Event]) -> None:
    by_ref: dict[str, list[Event]] = {}
    for event in chronology:
        if event.ref is not None and event.type.startswith("drp_"):
            by_ref.setdefault(event.ref, []).append(event)
    for ref, events in by_ref.items():
        escalations = episodes_of(
            events, lambda e: e.type == "drp_raised", lambda e: e.type == "drp_resolved"
        )
        for escalation in escalations:
            _drp_escalation(judge, ref, escalation, [e for e in events if escalation.contains(e.date)])


def _drp_escalation(judge: _Judge, ref: str, escalation: Episode, events: Sequence[Event]) -> None:
    stages: list[_Stage] = []
    # The raise sorts before a same-day escalation (see _chronological): it is the first stage.
    for event in events:
        if event is escalation.open or (event.type == "drp_escalated" and event.date >= escalation.open.date):
            if stages:
                stages[-1].close = event
            stages.append(_Stage(event))
    if escalation.close is not None and stages:
        stages[-1].close = escalation.close
    # Responses before the resolution on the same day: the resolution comes last.
    answers = sorted(
        (e for e in events if e.type == "drp_response" or e is escalation.close),
        key=lambda e: (e.date, e.type == "drp_resolved"),
    )
    for answer in answers:
        for stage in stages:
            if (
                stage.answered is None
                and stage.event.date <= answer.date
                and (stage.close is None or stage.close.date >= answer.date)
            ):
                stage.answered = answer.date
                break

    wd = judge.standards.drp_stage_response_wd
    first_formal: _Stage | None = None
    for stage in stages:
        number = stage.event.stage
        if number is None or not 1 <= number <= 4:
            continue
        if first_formal is None:
            first_formal = stage
        due = judge.calendar.plus(wd)[stage.event.date]
        stage_episode = Episode(stage.event, stage.close)
        judge.add(
            "drp.stage_response",
            stage.event,
            due,
            stage.answered,
            stage_episode,
            ref=ref,
            detail=f"stage {number} ({DRP_STAGE_NAMES[number]})",
            span=wd,
        )
    if first_formal is not None:
        due = judge.calendar.plus(20)[first_formal.event.date]
        judge.add(
            "drp.resolution_20wd",
            first_formal.event,
            due,
            escalation.close_date,
            escalation,
            ref=ref,
            span=20,
        )


# --- Explanations -----------------------------------------------------------------------------


class _DayWords(dict[date, str]):
    """Each date's dd/mm/yyyy, made once: strftime takes about 5 µs, a look-up a twentieth of one.

    A full drift writes about three dates per deadline, 2.5 million at 50,000 children, from a
    few thousand distinct days (bounded by the calendar's years, so the dictionary stays small).
    """

    def __missing__(self, day: date) -> str:
        text = self[day] = f"{day:%d/%m/%Y}"
        return text


_DAY_WORDS = _DayWords()


def _d(day: date) -> str:
    return _DAY_WORDS[day]


def _n(count: int, unit: str) -> str:
    """'1 working day', '2 working days'."""
    return f"{count} {unit[:-1] if count == 1 and unit.endswith('s') else unit}"


_TRIGGER_WORDS = {
    "strategy_discussion": "the strategy discussion",
    "icpc": "the ICPC",
    "cp_review": "the review conference",
    "cp_visit": "the visit",
    "letter_before_proceedings": "the letter before proceedings",
    "decision_to_issue": "the decision to issue",
    "proceedings_issued": "issue",
    "became_looked_after": "becoming looked after",
    "cla_review": "the previous looked-after review",
    "cla_visit": "the visit",
    "drp_raised": "the escalation was raised",
    "drp_escalated": "the escalation",
}

_CLOSER_WORDS = {
    "strategy_discussion": "a new strategy discussion",
    "icpc": "a new ICPC made a new plan",
    "cp_plan_ended": "the plan ended",
    "cp_review": "the plan ended at review",
    "pre_proceedings_ended": "pre-proceedings ended",
    "proceedings_issued": "proceedings were issued",
    "final_order": "the final order",
    "ceased_looked_after": "the child ceased to be looked after",
    "drp_escalated": "it was escalated",
    "drp_resolved": "the escalation was resolved",
}

# rule id -> (what is due, the verb for the event that meets it)
_WHAT = {
    "cp.icpc_15wd": ("ICPC", "held"),
    "cp.core_group_10wd": ("First core group", "held"),
    "cp.review_3m": ("First review conference", "held"),
    "cp.review_6m": ("Next review conference", "held"),
    "cp.visit": ("Next child protection visit", "made"),
    "cp.plan_length": ("Child protection plan to end", "ended"),
    "plo.pre_proceedings_16w": ("Pre-proceedings to end", "ended"),
    "court.issue_after_decision": ("Issue of proceedings", "issued"),
    "court.final_26w": ("Final order", "made"),
    "cla.review_first_20wd": ("First looked-after review", "held"),
    "cla.review_second_3m": ("Second looked-after review", "held"),
    "cla.review_6m": ("Next looked-after review", "held"),
    "cla.permanence_by_second_review": ("Permanence plan", "made"),
    "cla.visit": ("Next looked-after visit", "made"),
    "drp.stage_response": ("Response", "received"),
    "drp.resolution_20wd": ("Resolution", "resolved"),
}


_SPAN_UNIT = {
    "cp.review_3m": "months",
    "cp.review_6m": "months",
    "cp.plan_length": "months",
    "cla.review_second_3m": "months",
    "cla.review_6m": "months",
    "plo.pre_proceedings_16w": "weeks",
    "court.final_26w": "weeks",
    "cla.visit": "days",
}


def _span(d: Deadline) -> str:
    """How far after the trigger the deadline falls, in the rule's own terms."""
    if RULES[d.rule].unit is Unit.WORKING_DAYS:
        return f"{d.span} working days"
    text = f"{d.span} {_SPAN_UNIT.get(d.rule, 'days')}"
    if d.detail and d.rule == "plo.pre_proceedings_16w":
        text += f" (with {d.detail})"
    return text


def explain(d: Deadline) -> str:
    """One plain English sentence: the trigger and its date, the rule, the due date, the outcome."""
    what, verb = _WHAT[d.rule]
    trigger = _TRIGGER_WORDS.get(d.trigger_type, d.trigger_type.replace("_", " "))
    unit = "working days" if RULES[d.rule].unit is Unit.WORKING_DAYS else "days"
    if d.rule == "cp.plan_length":
        head = (
            f"Child protection plan from the ICPC on {_d(d.trigger)} reaches the local limit on {_d(d.due)}"
        )
    elif d.rule == "court.final_26w":
        head = f"Final order due within 26 weeks of issue on {_d(d.trigger)}"
        if d.detail:
            head += f", timetable {d.detail}"
        head += f", i.e. by {_d(d.due)}"
    elif d.rule == "cla.permanence_by_second_review":
        head = f"Permanence plan due by {d.detail} (looked after from {_d(d.trigger)}), i.e. by {_d(d.due)}"
    elif d.rule.startswith("drp."):
        stage = f" to {d.detail}" if d.detail and d.rule == "drp.stage_response" else ""
        head = (
            f"{what}{stage} of escalation {d.ref} due {_span(d)} after {_d(d.trigger)}, i.e. by {_d(d.due)}"
        )
    else:
        head = f"{what} due {_span(d)} after {trigger} on {_d(d.trigger)}, i.e. by {_d(d.due)}"
    if d.status is Status.MET:
        tail = f"{verb} {_d(d.done)}, on time" if d.done else "on time"
    elif d.status is Status.MET_LATE:
        tail = f"{verb} {_d(d.done)}, {_n(d.late_by, unit)} late" if d.done else "late"
    elif d.status is Status.OVERDUE and d.closed_by is not None:
        closer = _CLOSER_WORDS.get(d.closed_by, d.closed_by.replace("_", " "))
        tail = f"not {verb} before {closer} on {_d(d.counted_to)}, {_n(d.late_by, unit)} late"
    elif d.status is Status.OVERDUE:
        tail = f"not {verb} by {_d(d.counted_to)}: {_n(d.late_by, unit)} overdue"
    elif d.status is Status.DUE_SOON:
        if d.rule == "cp.plan_length":
            tail = f"open more than the amber point on {_d(d.counted_to)}: plan its ending"
        elif d.due == d.counted_to:
            tail = "not yet " + verb + ", due today"
        else:
            tail = f"not yet {verb}, due soon"
    else:
        tail = f"not yet {verb}, not yet due"
    return f"{head}; {tail}."
