"""Explanations (`timescales.md`): one sentence that names the trigger event and its date, the rule
with its period, the due date and the outcome — one test per shape that used to mislead."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from models.domain.calendar import calendar_for
from models.domain.engine import Deadline, Event, child_deadlines
from models.domain.journey import EVENT_TYPES
from models.domain.rules import RULES, Standards, Status

CAL = calendar_for()


def explained(events: list[Event], as_of: date, rule: str, standards: Standards | None = None) -> list[str]:
    found = child_deadlines("C-1", events, as_of, standards or Standards(), CAL)
    return [d.explanation for d in found if d.rule == rule]


def test_plan_length_amber_names_the_limit_and_the_amber_point() -> None:
    [text] = explained([Event("icpc", date(2025, 1, 6), outcome="plan")], date(2026, 2, 1), "cp.plan_length")
    assert text == (
        "Child protection plan from the ICPC on 06/01/2025 reaches the local limit of 18 months on "
        "06/07/2026; not yet ended, open 12 months on 06/01/2026 (the amber point): plan its ending."
    )
    # Other local standards are named as set.
    local = Standards(cp_plan_length_months=24, cp_plan_amber_months=18)
    [text] = explained(
        [Event("icpc", date(2025, 1, 6), outcome="plan")], date(2026, 8, 1), "cp.plan_length", local
    )
    assert "the local limit of 24 months on 06/01/2027" in text
    assert "open 18 months on 06/07/2026 (the amber point)" in text


def test_plan_length_met_late_names_the_limit() -> None:
    events = [Event("icpc", date(2024, 1, 8), outcome="plan"), Event("cp_plan_ended", date(2025, 9, 1))]
    [text] = explained(events, date(2025, 10, 1), "cp.plan_length")
    assert text == (
        "Child protection plan from the ICPC on 08/01/2024 reaches the local limit of 18 months on "
        "08/07/2025; ended 01/09/2025, 55 days late."
    )


def test_pre_proceedings_with_extensions_adds_them_up() -> None:
    letter = Event("letter_before_proceedings", date(2025, 1, 6))
    one = [letter, Event("pre_proceedings_extended", date(2025, 4, 1), weeks=8)]
    [text] = explained(one, date(2025, 5, 1), "plo.pre_proceedings_16w")
    assert text == (
        "Pre-proceedings to end due 16 + 8 = 24 weeks (16 weeks and 8 weeks of extensions) after the "
        "letter before proceedings on 06/01/2025, i.e. by 23/06/2025; not yet ended, not yet due."
    )
    two = [
        letter,
        Event("pre_proceedings_extended", date(2025, 4, 1), weeks=4),
        Event("pre_proceedings_extended", date(2025, 5, 1), weeks=4),
        Event("pre_proceedings_ended", date(2025, 6, 1), outcome="issue"),
    ]
    [text] = explained(two, date(2025, 7, 1), "plo.pre_proceedings_16w")
    assert text.startswith("Pre-proceedings to end due 16 + 4 + 4 = 24 weeks (16 weeks and 8 weeks of")
    assert text.endswith("i.e. by 23/06/2025; ended 01/06/2025, on time.")
    [plain] = explained([letter], date(2025, 2, 1), "plo.pre_proceedings_16w")
    assert plain.startswith(
        "Pre-proceedings to end due 16 weeks after the letter before proceedings on 06/01/2025"
    )


def test_drp_explanations_name_the_event_that_started_the_clock() -> None:
    events = [
        Event("drp_raised", date(2025, 7, 1), ref="R", stage=1),
        Event("drp_escalated", date(2025, 7, 9), ref="R", stage=2),
        Event("drp_resolved", date(2025, 7, 15), ref="R"),
    ]
    first, second = explained(events, date(2025, 8, 1), "drp.stage_response")
    assert first == (
        "Response to stage 1 (team manager) of escalation R due 5 working days after it was raised at "
        "that stage on 01/07/2025, i.e. by 08/07/2025; not received before it was escalated on 09/07/2025, "
        "1 working day late."
    )
    assert second.startswith(
        "Response to stage 2 (service manager) of escalation R due 5 working days after it was escalated "
        "to that stage on 09/07/2025, i.e. by 16/07/2025"
    )
    [resolution] = explained(events, date(2025, 8, 1), "drp.resolution_20wd")
    assert resolution == (
        "Resolution of escalation R due 20 working days after it was raised at stage 1 (team manager) on "
        "01/07/2025, i.e. by 29/07/2025; resolved 15/07/2025, on time."
    )
    # Raised informally, the 20 working days run from the escalation to the first formal stage.
    informal = [Event("drp_raised", date(2025, 7, 1), ref="R", stage=0), *events[1:]]
    [resolution] = explained(informal, date(2025, 8, 1), "drp.resolution_20wd")
    assert resolution.startswith(
        "Resolution of escalation R due 20 working days after it was escalated to stage 2 (service "
        "manager) on 09/07/2025, i.e. by 06/08/2025"
    )


def test_an_extended_court_timetable_reads_as_the_extension() -> None:
    issued = Event("proceedings_issued", date(2025, 2, 3))
    extended = [issued, Event("extension", date(2025, 7, 28), until=date(2025, 9, 26))]
    [text] = explained(extended, date(2025, 9, 1), "court.final_26w")
    assert text == (
        "Final order due by 26/09/2025: the 26 weeks from issue on 03/02/2025 ended 03/08/2025, and the "
        "timetable was extended on 28/07/2025 to 26/09/2025; not yet made, due soon."
    )
    [plain] = explained([issued], date(2025, 3, 1), "court.final_26w")
    assert plain == (
        "Final order due within 26 weeks of issue on 03/02/2025, i.e. by 03/08/2025; not yet made, not yet due."
    )


# --- Every explanation: trigger and date, rule and period, due date, outcome ----------------------

#: How each rule's period is named.
PERIOD_WORDS = {
    "cla.permanence_by_second_review": "second review",
    "cp.plan_length": "18 months",
    "court.final_26w": "26 weeks",
}
OUTCOME_WORDS = ("on time", "late", "overdue", "due today", "due soon", "not yet due", "plan its ending")

day = st.dates(date(2024, 1, 1), date(2025, 12, 31))


@st.composite
def chronologies(draw: st.DrawFn) -> list[Event]:
    types = sorted(EVENT_TYPES)
    out = []
    for _ in range(draw(st.integers(1, 12))):
        type_ = draw(st.sampled_from(types))
        fields: dict[str, object] = {}
        if type_ == "strategy_discussion":
            fields["s47"] = True
        elif type_ in ("icpc",):
            fields["outcome"] = "plan"
        elif type_ == "pre_proceedings_extended":
            fields["weeks"] = draw(st.integers(1, 16))
        elif type_ in ("drp_raised", "drp_escalated"):
            fields["stage"] = draw(st.integers(0, 5))
        if type_.startswith("drp_"):
            fields["ref"] = "R"
        out.append(Event(type_, draw(day), **fields))  # type: ignore[arg-type]
    return out


def _check(d: Deadline) -> None:
    text = d.explanation
    assert f"{d.trigger:%d/%m/%Y}" in text and f"{d.due:%d/%m/%Y}" in text, text
    assert PERIOD_WORDS.get(d.rule, "") in text and any(
        unit in text for unit in ("working day", "months", "weeks", "days", "second review")
    ), text
    assert any(word in text for word in OUTCOME_WORDS), text
    if d.status in (Status.MET, Status.MET_LATE) and d.done is not None:
        assert f"{d.done:%d/%m/%Y}" in text, text


@settings(max_examples=200, deadline=None)
@given(chronologies(), day)
def test_every_explanation_names_trigger_rule_period_due_date_and_outcome(
    events: list[Event], as_of: date
) -> None:
    for d in child_deadlines("C-1", events, as_of, Standards(), CAL):
        assert d.rule in RULES
        _check(d)
