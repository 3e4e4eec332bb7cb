"""The journey engine: a child's events, the local standards and an as-of date in; deadlines out.

Pure by design: no database, no clock, no settings lookup. `timescales.md` is the specification;
the section names below follow it (episodes, then the rules of each episode).

Events dated after the as-of date are ignored; events of the same type on the same date (and DRP
`ref`) count once; on one date, events apply in the catalogue's same-day order whatever order they
were listed in: closers of an episode open before the day, then openers, then a closer that found
nothing open closes the episode opened that day (`episodes_of`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any, Final, NamedTuple

from models.domain.calendar import WorkingCalendar, add_months, add_weeks, days_later, months_later
from models.domain.journey import CLOSING_TYPES, DRP_STAGE_NAMES, Event
from models.domain.rules import RAG_OF, RULES, Rag, Standards, Status, Unit

#: The 26 weeks "beginning with" the issue day end on issue + 181 days.
COURT_LAST_DAY_OFFSET = timedelta(days=181)

# The catalogue's fixed periods (`Rule.period`), read once; the rules whose period a local
# standard sets read it from `Standards`.
_ICPC_WD: Final = RULES["cp.icpc_15wd"].fixed_period()
_CORE_GROUP_WD: Final = RULES["cp.core_group_10wd"].fixed_period()
_CP_FIRST_REVIEW_M: Final = RULES["cp.review_3m"].fixed_period()
_CP_REVIEW_M: Final = RULES["cp.review_6m"].fixed_period()
_PLO_WEEKS: Final = RULES["plo.pre_proceedings_16w"].fixed_period()
_COURT_WEEKS: Final = RULES["court.final_26w"].fixed_period()
_CLA_FIRST_REVIEW_WD: Final = RULES["cla.review_first_20wd"].fixed_period()
_CLA_SECOND_REVIEW_M: Final = RULES["cla.review_second_3m"].fixed_period()
_CLA_REVIEW_M: Final = RULES["cla.review_6m"].fixed_period()
_DRP_RESOLUTION_WD: Final = RULES["drp.resolution_20wd"].fixed_period()


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
    """One episode from its opening event to its closing one (None while open).

    `after_close`: it opened on the day an earlier episode of its kind closed, so the other events
    of that day belong to the one that closed (timescales.md, Same-day order).
    """

    open: Event
    close: Event | None
    after_close: bool = False

    def contains(self, day: date) -> bool:
        start = self.open.date
        if day < start or (self.after_close and day == start):
            return False
        return self.close is None or day <= self.close.date

    @property
    def close_date(self) -> date | None:
        return self.close.date if self.close is not None else None


class Opening(NamedTuple):
    """The opening balance of an imported record (timescales.md, "Tracked from").

    `tracked_from`: the day from which the record is complete; `untracked`: the event types it does
    not hold before that day.
    """

    tracked_from: date
    untracked: frozenset[str] = frozenset()


#: Order on one date (timescales.md, Same-day order): events that close an episode first (an issue
#: closes a decision to issue), then the openers that a same-day partner depends on (a decision to
#: issue before the issue, a DRP raise before its escalation), then the rest. A closer that found
#: nothing open closes the episode opened later that day (`episodes_of`).
_SAME_DAY_RANK = {
    **dict.fromkeys(CLOSING_TYPES, 0),
    "proceedings_issued": 0,
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


def same_day_order(event: Event) -> tuple[tuple[date, int], str, str, str]:
    # Type, ref and id after the rank: the order (and which of two same-day duplicates stands for
    # both) must not depend on the order events were listed in.
    return (_chronological(event), event.type, event.ref or "", event.id or "")


#: Two of these on one date are two facts, not one (a conference offered, then held).
_NEVER_MERGED = frozenset({"family_group_conference"})


def _same_day(events: list[Event]) -> list[Event]:
    """Events of one date: closers first, then by type and ref, and one of each type (and DRP ref)."""
    events.sort(key=same_day_order)
    seen: set[tuple[str, str | None]] = set()
    out = []
    for event in events:
        key = (event.type, event.id if event.type in _NEVER_MERGED else event.ref)
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
    """Split a chronology into episodes; an opener while one is open is ignored unless it reopens.

    `events` are in the same-day order (`prepare`): on one date, closers before openers. A closer
    that found no episode open before its day closes the episode opened later that day (an
    escalation raised and resolved on one day); one that closed an episode open before the day
    leaves the episode opened after it open (a new plan made the day the old one ended).
    """
    episodes: list[Episode] = []
    current: Episode | None = None
    stray: Event | None = None  # a closer of this date that found nothing open
    closed_on: date | None = None  # the date an episode last closed
    for event in events:
        if current is not None:
            if closes(event):
                current.close = event
                current = None
                closed_on = event.date
            elif reopens is not None and reopens(event):
                current.close = event
                current = Episode(event, None, True)
                episodes.append(current)
                closed_on = event.date
        elif closes(event):
            if closed_on != event.date:
                stray = event
        elif opens(event):
            current = Episode(event, None, closed_on == event.date)
            episodes.append(current)
            if stray is not None and stray.date == event.date:
                current.close = stray
                current = None
                closed_on = event.date
            stray = None
    return episodes


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
        start = episode.open.date
        lo = bisect.bisect_right(dates, start) if episode.after_close else bisect.bisect_left(dates, start)
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
            out.sort(key=same_day_order)
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
    opening: Opening | None = None,
) -> list[Deadline]:
    """Every deadline of one child at `as_of`, ordered by due date."""
    judge = _Judge(child_id, as_of, standards, calendar)
    _judge_child(judge, events, opening)
    return judge.out


def child_judge(
    as_of: date, standards: Standards, calendar: WorkingCalendar
) -> Callable[[str, Iterable[Event], Opening | None], list[Deadline]]:
    """`child_deadlines` for many children one at a time, with the per-run set-up done once."""
    judge = _Judge("", as_of, standards, calendar)

    def deadlines(child_id: str, events: Iterable[Event], opening: Opening | None = None) -> list[Deadline]:
        judge.start(child_id)
        _judge_child(judge, events, opening)
        return judge.start("")

    return deadlines


def _judge_child(judge: _Judge, events: Iterable[Event], opening: Opening | None = None) -> None:
    if opening is not None and judge.as_of < opening.tracked_from:
        return  # before the record is complete there is nothing to judge
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
    if opening is not None:
        _opening_balance(judge, opening)
    # By due date; deadlines due on one day keep the order they were judged in, which follows
    # the catalogue (the families run in catalogue order), so no Python-level key is needed.
    judge.out.sort(key=_DUE_OF)


def all_deadlines(
    events_by_child: Iterable[tuple[str, Sequence[Event]]],
    as_of: date,
    standards: Standards,
    calendar: WorkingCalendar,
    openings: Mapping[str, Opening] | None = None,
) -> list[Deadline]:
    """Deadlines of many children in one pass, ordered by child then due date.

    `openings`: the opening balance of each child that has one (most have none).
    """
    out: list[Deadline] = []
    judge = _Judge("", as_of, standards, calendar)
    get = (openings or {}).get
    for child_id, events in sorted(events_by_child, key=lambda pair: pair[0]):
        out.extend(judge.start(child_id))
        _judge_child(judge, events, get(child_id))
    out.extend(judge.start(""))
    return out


# --- Child protection -------------------------------------------------------------------------


def _s47(judge: _Judge, by_type: dict[str, list[Event]]) -> None:
    """cp.icpc_15wd: each s47 strategy discussion is answered by the first ICPC before the next one."""
    discussions = [e for e in by_type["strategy_discussion"] if e.s47]
    icpcs = by_type.get("icpc", [])
    withdrawals = [e for e in by_type.get("s47_concluded", []) if e.icpc_needed is False]
    icpc_dates = [e.date for e in icpcs]
    open_on: date | None = None  # the day of this discussion, if the last enquiry was open on it
    for i, discussion in enumerate(discussions):
        following = discussions[i + 1] if i + 1 < len(discussions) else None
        start = discussion.date
        # An ICPC or a conclusion dated on this discussion's day answers the earlier enquiry if
        # that one was still open: the events of a closing day belong to the episode that closes.
        shared = open_on == start
        episode = Episode(discussion, following, shared)
        k = (bisect.bisect_right if shared else bisect.bisect_left)(icpc_dates, start)
        icpc = icpcs[k] if k < len(icpcs) and episode.contains(icpc_dates[k]) else None
        limit = icpc.date if icpc is not None else (following.date if following else judge.as_of)
        withdrawn = [
            w.date
            for w in withdrawals
            if episode.contains(w.date) and (w.date < limit if icpc is not None else w.date <= limit)
        ]
        open_on = None
        if (
            following is not None
            and (icpc is None or icpc.date == following.date)
            and (not withdrawn or min(withdrawn) == following.date)
        ):
            open_on = following.date
        if withdrawn:
            continue
        due = judge.calendar.plus(_ICPC_WD)[start]
        judge.add("cp.icpc_15wd", discussion, due, icpc.date if icpc else None, episode, span=_ICPC_WD)


def ends_plan(event: Event) -> bool:
    return event.type == "cp_plan_ended" or (event.type == "cp_review" and event.outcome == "end")


def makes_plan(event: Event) -> bool:
    return event.type == "icpc" and event.outcome == "plan"


def _cp_plans(judge: _Judge, chron: _Chronology) -> None:
    std = judge.standards
    amber_months = str(std.cp_plan_amber_months)
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
            judge.calendar.plus(_CORE_GROUP_WD)[start],
            core.date if core else None,
            plan,
            span=_CORE_GROUP_WD,
        )

        reviews = chron.within("cp_review", plan)
        judge.add(
            "cp.review_3m",
            icpc,
            months_later(_CP_FIRST_REVIEW_M)[start],
            reviews[0].date if reviews else None,
            plan,
            span=_CP_FIRST_REVIEW_M,
        )
        six = months_later(_CP_REVIEW_M)
        for k, review in enumerate(reviews):
            if review.outcome == "end":
                break
            following = reviews[k + 1].date if k + 1 < len(reviews) else None
            judge.add("cp.review_6m", review, six[review.date], following, plan, span=_CP_REVIEW_M)

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
            detail=amber_months,  # the amber point, named by the explanation
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
        granted = [e.weeks for e in chron.within("pre_proceedings_extended", episode) if e.weeks]
        weeks = sum(granted)
        due = add_weeks(episode.open.date, _PLO_WEEKS + weeks)
        # Each extension's weeks, for the explanation's "16 + 4 + 4 = 24 weeks".
        detail = " + ".join(map(str, granted)) if granted else None
        judge.add(
            "plo.pre_proceedings_16w",
            episode.open,
            due,
            episode.close_date,
            episode,
            detail=detail,
            span=_PLO_WEEKS,
        )


def _decision_to_issue(judge: _Judge, chron: _Chronology) -> None:
    # An issue closes a decision made before its day (step 1), else the one made that day (step 3):
    # an issue on the day of the decision meets it.
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
        judge.add(
            "court.final_26w",
            episode.open,
            due,
            episode.close_date,
            episode,
            detail=detail,
            span=_COURT_WEEKS,
        )


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
        first_due = judge.calendar.plus(_CLA_FIRST_REVIEW_WD)[start]
        judge.add(
            "cla.review_first_20wd",
            start_event,
            first_due,
            reviews[0].date if reviews else None,
            period,
            span=_CLA_FIRST_REVIEW_WD,
        )
        if reviews:
            second = reviews[1].date if len(reviews) > 1 else None
            judge.add(
                "cla.review_second_3m",
                reviews[0],
                months_later(_CLA_SECOND_REVIEW_M)[reviews[0].date],
                second,
                period,
                span=_CLA_SECOND_REVIEW_M,
            )
        six = months_later(_CLA_REVIEW_M)
        for k in range(1, len(reviews)):
            following = reviews[k + 1].date if k + 1 < len(reviews) else None
            judge.add(
                "cla.review_6m", reviews[k], six[reviews[k].date], following, period, span=_CLA_REVIEW_M
            )

        if len(reviews) > 1:
            permanence_due = reviews[1].date
            basis = f"the second review, held {_d(permanence_due)}"
        elif reviews:
            permanence_due = months_later(_CLA_SECOND_REVIEW_M)[reviews[0].date]
            basis = f"the second review, due {_CLA_SECOND_REVIEW_M} months after the first review on {_d(reviews[0].date)}"
        else:
            permanence_due = months_later(_CLA_SECOND_REVIEW_M)[first_due]
            basis = f"the second review, due {_CLA_SECOND_REVIEW_M} months after the first review's due date {_d(first_due)}"
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
            inside = [e for e in events if e is escalation.open or escalation.contains(e.date)]
            _drp_escalation(judge, ref, escalation, inside)


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
        due = judge.calendar.plus(_DRP_RESOLUTION_WD)[first_formal.event.date]
        number = first_formal.event.stage or 0
        judge.add(
            "drp.resolution_20wd",
            first_formal.event,
            due,
            escalation.close_date,
            escalation,
            ref=ref,
            detail=f"stage {number} ({DRP_STAGE_NAMES[number]})",
            span=_DRP_RESOLUTION_WD,
        )


# --- Tracked from: the opening balance of an imported record -------------------------------


def _opening_balance(judge: _Judge, opening: Opening) -> None:
    """Apply the rule of "Tracked from" to the child's deadlines, worked out as usual.

    A deadline due before `tracked_from` is history if met before it or if its episode closed
    before it; if still unmet and open the day before, it is restarted from `tracked_from` when its
    meeting event is one the record does not hold before then, else reported as usual.
    """
    start = opening.tracked_from
    judged, judge.out = judge.out, []
    for d in judged:
        if d.due >= start:
            judge.out.append(d)
        elif d.done is not None and d.done < start:
            continue  # met before tracking began: history, on time or late
        elif d.done is None and d.closed_by is not None and d.counted_to < start:
            continue  # its episode closed before tracking began
        elif RULES[d.rule].met_by & opening.untracked:
            _restart(judge, d, start)
        else:
            judge.out.append(d)


def _restart(judge: _Judge, d: Deadline, start: date) -> None:
    """The same rule's clock run again from `tracked_from` and judged as usual (dropped, as any
    clock is, if its episode closes before it falls due)."""
    std, rule = judge.standards, d.rule
    span = d.span
    amber_from = None
    if rule == "cla.visit":
        span = std.cla_visit_days
        due = days_later(span)[start]
    elif rule == "cla.permanence_by_second_review":
        span = _CLA_SECOND_REVIEW_M
        due = months_later(span)[start]
    elif rule == "court.final_26w":
        due = start + COURT_LAST_DAY_OFFSET
    elif rule == "plo.pre_proceedings_16w":
        due = start + (d.due - d.trigger)  # 16 weeks and the episode's extensions
    elif RULES[rule].unit is Unit.WORKING_DAYS:
        due = judge.calendar.plus(span)[start]
    else:  # months
        due = months_later(span)[start]
        if rule == "cp.plan_length":
            amber_from = months_later(std.cp_plan_amber_months)[start]
    closer = Event(d.closed_by, d.counted_to) if d.closed_by is not None else None
    trigger = Event("tracked_from", start)
    judge.add(
        rule,
        trigger,
        due,
        d.done,
        Episode(trigger, closer),
        ref=d.ref,
        detail=d.detail,
        amber_from=amber_from,
        span=span,
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


def _span(d: Deadline) -> str:
    """How far after the trigger the deadline falls, in the rule's own terms."""
    if RULES[d.rule].unit is Unit.WORKING_DAYS:
        return f"{d.span} working days"
    if d.detail and d.rule == "plo.pre_proceedings_16w":
        extensions = [int(w) for w in d.detail.split(" + ")]
        total = d.span + sum(extensions)
        return f"{d.span} + {d.detail} = {total} weeks ({_PLO_WEEKS} weeks and {_n(sum(extensions), 'weeks')} of extensions)"
    return f"{d.span} {RULES[d.rule].span_unit}"


def _restarted_head(d: Deadline, what: str) -> str:
    """A clock restarted at `tracked_from`: when tracking began, and why it starts there."""
    period = f"{_CLA_SECOND_REVIEW_M} months" if d.rule == "cla.permanence_by_second_review" else _span(d)
    if d.rule == "drp.stage_response" and d.detail:
        what = f"{what} to {d.detail} of escalation {d.ref}"
    elif d.rule.startswith("drp."):
        what = f"{what} of escalation {d.ref}"
    return (
        f"{what} due {period} after tracking began on {_d(d.trigger)} (before then the record holds no "
        f"{RULES[d.rule].not_held}), i.e. by {_d(d.due)}"
    )


def _drp_start(d: Deadline) -> str:
    """The event that started a DRP clock: 'it was raised at stage 1 (team manager)' or 'it was
    escalated to stage 2 (service manager)' ('that stage' when the sentence has named it)."""
    stage = "that stage" if d.rule == "drp.stage_response" else d.detail or "a formal stage"
    if d.trigger_type == "drp_raised":
        return f"it was raised at {stage}"
    return f"it was escalated to {stage}"


def explain(d: Deadline) -> str:
    """One plain English sentence: the trigger and its date, the rule, the due date, the outcome."""
    what, verb = RULES[d.rule].due, RULES[d.rule].met_verb
    trigger = _TRIGGER_WORDS.get(d.trigger_type, d.trigger_type.replace("_", " "))
    unit = "working days" if RULES[d.rule].unit is Unit.WORKING_DAYS else "days"
    if d.trigger_type == "tracked_from":
        head = _restarted_head(d, what)
    elif d.rule == "cp.plan_length":
        head = (
            f"Child protection plan from the ICPC on {_d(d.trigger)} reaches the local limit of "
            f"{_n(d.span, 'months')} on {_d(d.due)}"
        )
    elif d.rule == "court.final_26w":
        if d.detail:  # "extended on dd/mm/yyyy": the extension's end replaces the 26 weeks
            ended = d.trigger + COURT_LAST_DAY_OFFSET
            head = (
                f"Final order due by {_d(d.due)}: the 26 weeks from issue on {_d(d.trigger)} ended "
                f"{_d(ended)}, and the timetable was {d.detail} to {_d(d.due)}"
            )
        else:
            head = f"Final order due within 26 weeks of issue on {_d(d.trigger)}, i.e. by {_d(d.due)}"
    elif d.rule == "cla.permanence_by_second_review":
        head = f"Permanence plan due by {d.detail} (looked after from {_d(d.trigger)}), i.e. by {_d(d.due)}"
    elif d.rule.startswith("drp."):
        stage = f" to {d.detail}" if d.detail and d.rule == "drp.stage_response" else ""
        head = (
            f"{what}{stage} of escalation {d.ref} due {_span(d)} after {_drp_start(d)} on {_d(d.trigger)}, "
            f"i.e. by {_d(d.due)}"
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
            months = int(d.detail) if d.detail else 12
            amber = add_months(d.trigger, months)
            tail = f"not yet ended, open {_n(months, 'months')} on {_d(amber)} (the amber point): plan its ending"
        elif d.due == d.counted_to:
            tail = "not yet " + verb + ", due today"
        else:
            tail = f"not yet {verb}, due soon"
    else:
        tail = f"not yet {verb}, not yet due"
    return f"{head}; {tail}."
