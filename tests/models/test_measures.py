"""Measures M1-M9 on a tiny caseload worked out by hand (September 2025, as of 01/10/2025).

Bank holiday: Monday 25 August 2025. Working days are counted as in `timescales.md`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.domain.period import Period
from models.domain.records import ChildRecord, parse_child
from models.domain.rules import Rag
from models.screens.facts import Caseload
from models.screens.measures import Percent, compute_measures, measure_lines, permanence_cohort
from models.storage.settings import MeasureTarget

AS_OF = date(2025, 10, 1)
SEPTEMBER = Period(2025, 9)


def child(child_id: str, *events: tuple[str, str, dict[str, Any]]) -> ChildRecord:
    raw = {
        "id": child_id,
        "given_name": child_id.title(),
        "date_of_birth": "2015-01-01",
        "reviewing_officer": "P. Jones",
        "events": [
            {"id": f"{child_id}-{i}", "type": t, "date": d, **f} for i, (t, d, f) in enumerate(events)
        ],
    }
    record, issues = parse_child(raw)
    assert record is not None, issues
    return record


def e(event_type: str, day: str, **fields: Any) -> tuple[str, str, dict[str, Any]]:
    return (event_type, day, fields)


CHILDREN = [
    # M1/M2: second review held 10/09 with a ratified SGO plan from 20/08.
    child(
        "a",
        e("became_looked_after", "2025-05-01"),
        e("cla_review", "2025-05-29"),
        e("permanence_plan", "2025-08-20", plan="sgo", ratified_by_iro=True),
        e("cla_review", "2025-09-10"),
    ),
    # Second review due 02/09 (first 02/06 + 3 months), not held; the plan came after it.
    child(
        "b",
        e("became_looked_after", "2025-05-06"),
        e("cla_review", "2025-06-02"),
        e("permanence_plan", "2025-09-15", plan="adoption", ratified_by_iro=False),
    ),
    # Second review due 27/09, not held; a plan (not ratified) from 01/07.
    child(
        "c",
        e("became_looked_after", "2025-06-02"),
        e("cla_review", "2025-06-27"),
        e("permanence_plan", "2025-07-01", plan="long_term_fostering", ratified_by_iro=False),
    ),
    # M3: decision Mon 01/09, issued Wed 10/09 = 7 WD (on time).
    child("d", e("decision_to_issue", "2025-09-01"), e("proceedings_issued", "2025-09-10", case_number="D1")),
    # Decision Wed 20/08, issued Fri 05/09 = 11 WD (25/08 a bank holiday): late.
    child("e", e("decision_to_issue", "2025-08-20"), e("proceedings_issued", "2025-09-05", case_number="E1")),
    # M4: issued 10/03, final order 05/09 (179 days; 26 weeks end 07/09): within 26 weeks.
    child(
        "f",
        e("proceedings_issued", "2025-03-10", case_number="F1"),
        e("final_order", "2025-09-05", order="care_order"),
    ),
    # Issued 03/02, extended to 26/09, final 20/09 (229 days): within the extended end only.
    child(
        "g",
        e("proceedings_issued", "2025-02-03", case_number="G1"),
        e("extension", "2025-07-28", until="2025-09-26", reason="timetable_for_child"),
        e("final_order", "2025-09-20", order="sgo"),
    ),
    # M5: strategy discussion 20/08, ICPC 05/09 (due 11/09): on time.
    child(
        "h",
        e("strategy_discussion", "2025-08-20", s47=True),
        e("icpc", "2025-09-05", outcome="plan", category="neglect"),
    ),
    # Strategy discussion 01/08, ICPC 02/09 (due 22/08): late.
    child(
        "i",
        e("strategy_discussion", "2025-08-01", s47=True),
        e("icpc", "2025-09-02", outcome="no_plan"),
    ),
    # M6: ICPC 02/06, first review 01/09 (due 02/09): in timescale.
    child("j", e("icpc", "2025-06-02", outcome="plan"), e("cp_review", "2025-09-01", outcome="continue")),
    # ICPC 10/06, first review due 10/09 and not held by 01/10: not in timescale.
    child("k", e("icpc", "2025-06-10", outcome="plan")),
    # M7-M9: raised 03/09 at stage 1, escalated 10/09 to stage 2, resolved 24/09 (15 WD).
    child(
        "m",
        e("drp_raised", "2025-09-03", ref="R1", stage=1, role="iro", category="drift_and_delay"),
        e("drp_escalated", "2025-09-10", ref="R1", stage=2),
        e("drp_resolved", "2025-09-24", ref="R1"),
    ),
    # Informal (stage 0), raised 15/09 by a CP chair, still open.
    child("n", e("drp_raised", "2025-09-15", ref="R2", stage=0, role="cp_chair", category="care_planning")),
    # Raised 01/08 at stage 1 (the month before), resolved 12/09: 29 WD.
    child(
        "o",
        e("drp_raised", "2025-08-01", ref="R3", stage=1, role="iro", category="drift_and_delay"),
        e("drp_resolved", "2025-09-12", ref="R3"),
    ),
]


@pytest.fixture(scope="module")
def caseload() -> Caseload:
    return Caseload.build(CHILDREN, AS_OF)


def test_m1_m2_permanence_by_the_second_review(caseload: Caseload) -> None:
    cohort = permanence_cohort(caseload, SEPTEMBER)
    assert [(c.child.id, c.due, c.review, c.plan_in_place, c.ratified) for c in cohort] == [
        ("b", date(2025, 9, 2), None, False, False),
        ("a", date(2025, 9, 10), date(2025, 9, 10), True, True),
        ("c", date(2025, 9, 27), None, True, False),
    ]
    assert cohort[0].later_plan is not None and cohort[0].later_plan.date == date(2025, 9, 15)
    m = compute_measures(caseload, SEPTEMBER)
    assert m.m1 == Percent(2, 3) and m.m1.value == 66.7
    # Three children: too few to judge, never coloured (`timescales.md`).
    assert m.m1.milestone.startswith("too few to judge") and m.m1.rag is None
    assert m.m2 == Percent(1, 2) and m.m2.value == 50.0


def test_a_second_review_due_after_the_as_of_date_has_not_fallen_yet() -> None:
    caseload = Caseload.build(CHILDREN, date(2025, 9, 20))
    assert [c.child.id for c in permanence_cohort(caseload, SEPTEMBER)] == ["b", "a"]


def test_m3_issue_within_the_standard(caseload: Caseload) -> None:
    assert compute_measures(caseload, SEPTEMBER).m3 == Percent(1, 2)


def test_m4_final_orders(caseload: Caseload) -> None:
    m = compute_measures(caseload, SEPTEMBER)
    assert m.m4_within_26 == Percent(1, 2)
    assert m.m4_within_end == Percent(2, 2)
    assert m.m4_extended == Percent(1, 2)
    # (179 + 229) / 2 / 7 = 29.14 weeks; the median of two is their mean.
    assert m.m4_mean_weeks == 29.1 and m.m4_median_weeks == 29.1


def test_m5_icpcs_and_m6_review_conferences(caseload: Caseload) -> None:
    m = compute_measures(caseload, SEPTEMBER)
    assert m.m5 == Percent(1, 2)
    assert m.m6 == Percent(1, 2)


def test_m7_to_m9_escalations(caseload: Caseload) -> None:
    m = compute_measures(caseload, SEPTEMBER)
    assert (m.m7_formal, m.m7_informal, m.m7_previous) == (1, 1, 1)
    assert m.m7_direction == "level" and m.m7_rag is Rag.AMBER
    assert m.m8_by_stage == {0: 1, 2: 1}
    assert m.m8_by_category == {"care_planning": 1, "drift_and_delay": 1}
    assert m.m8_by_role == {"cp_chair": 1, "iro": 1}
    assert m.m9_count == 2
    assert (m.m9_mean_wd, m.m9_median_wd) == (22.0, 22.0)  # 15 and 29 working days
    assert m.m9_within_20 == Percent(1, 2)
    # Stage 1 of R1 closed by the escalation on its due date (dropped); stage 2 answered late.
    assert m.drp_responses == Percent(0, 1)


def test_a_rise_in_escalations_is_green() -> None:
    caseload = Caseload.build(CHILDREN, AS_OF)
    august = compute_measures(caseload, Period(2025, 8))
    assert (august.m7_formal, august.m7_previous) == (1, 0)
    assert august.m7_rag is Rag.GREEN


@pytest.mark.parametrize(
    ("share", "milestone", "rag"),
    [
        (Percent(0, 0), "no cases", None),
        (Percent(1, 1), "too few to judge (under 5)", None),
        (Percent(69, 100), "below 70%, target 90%", Rag.RED),
        (Percent(70, 100), "70% milestone, target 90%", Rag.AMBER),
        (Percent(85, 100), "80% milestone, target 90%", Rag.AMBER),
        (Percent(9, 10), "target 90% met", Rag.GREEN),
    ],
)
def test_milestones(share: Percent, milestone: str, rag: Rag | None) -> None:
    assert share.milestone == milestone
    assert share.rag is rag


def test_every_measure_is_listed(caseload: Caseload) -> None:
    lines = measure_lines(compute_measures(caseload, SEPTEMBER))
    assert {line.id for line in lines} == {f"M{i}" for i in range(1, 16)}
    assert all(line.share is not None for line in lines if line.id in ("M1", "M2", "M3", "M5", "M6", "M9"))


def test_period() -> None:
    assert Period.last_complete_before(date(2025, 10, 1)) == Period(2025, 9)
    assert Period.last_complete_before(date(2025, 9, 30)) == Period(2025, 8)
    assert Period.last_complete_before(date(2025, 1, 15)) == Period(2024, 12)
    assert Period.parse("2025-09").end == date(2025, 9, 30)
    assert Period.parse("2024-02").end == date(2024, 2, 29)
    assert [p.key for p in Period(2025, 2).last_months(3)] == ["2024-12", "2025-01", "2025-02"]
    for bad in ("2025-13", "2025-9-1", "Sept", ""):
        with pytest.raises(ValueError, match="is not a period"):
            Period.parse(bad)


def test_good_practice_alerts_are_counted_apart() -> None:
    from models.domain.period import Period
    from models.domain.records import ChildRecord, EventRecord
    from models.screens.facts import Caseload
    from models.screens.measures import compute_measures
    from models.storage.settings import Settings

    def raised(ref: str, day: date, category: str, stage: int) -> EventRecord:
        fields = {"ref": ref, "stage": stage, "category": category, "role": "iro"}
        return EventRecord(ref, "drp_raised", day, fields)

    child = ChildRecord("G-1").with_events(
        [
            raised("D-1", date(2025, 7, 2), "drift_and_delay", 1),
            raised("D-2", date(2025, 7, 3), "good_practice", 0),
            raised("D-3", date(2025, 7, 4), "good_practice", 0),
        ]
    )
    caseload = Caseload.build([child], date(2025, 8, 1), Settings())
    m = compute_measures(caseload, Period(2025, 7))
    assert (m.m7_formal, m.m7_informal, m.m7_good_practice) == (1, 0, 2)
    assert "good_practice" not in m.m8_by_category


DATED = MeasureTarget(90.0, (70.0, 80.0), (date(2027, 3, 31), date(2027, 9, 30)))


@pytest.mark.parametrize(
    ("share", "at", "words", "rag"),
    [
        # Before any milestone falls due: the bands, as undated.
        (Percent(60, 100), date(2027, 1, 31), "below 70%, target 90%", Rag.RED),
        (Percent(75, 100), date(2027, 1, 31), "70% milestone, target 90%", Rag.AMBER),
        # The 70% milestone is due: held to it.
        (
            Percent(72, 100),
            date(2027, 3, 31),
            "on course: 70% due by 31/03/2027 met, target 90%",
            Rag.AMBER,
        ),
        (
            Percent(65, 100),
            date(2027, 4, 30),
            "behind: 70% due by 31/03/2027, target 90%",
            Rag.RED,
        ),
        # The 80% milestone is due: 75% was on course in spring, behind now.
        (
            Percent(75, 100),
            date(2027, 10, 31),
            "behind: 80% due by 30/09/2027, target 90%",
            Rag.RED,
        ),
        (Percent(91, 100), date(2027, 10, 31), "target 90% met", Rag.GREEN),
        (Percent(2, 3), date(2027, 10, 31), "too few to judge (under 5)", None),
    ],
)
def test_dated_milestones_hold_a_share_to_the_milestone_due(
    share: Percent, at: date, words: str, rag: Rag | None
) -> None:
    judged = share.judge(DATED, at)
    assert (judged.text, judged.rag) == (words, rag)
    # Undated, or judged at no date, nothing changes.
    assert share.judge(MeasureTarget(90.0, (70.0, 80.0)), at) == share.judge(DATED)


def test_typed_milestones_are_read_and_written_back() -> None:
    typed = "70 by 31/03/2027, 80%, 85 by 30/09/2027"
    target = MeasureTarget.parse(90, typed, "M5")
    assert target == MeasureTarget(90.0, (70.0, 80.0, 85.0), (date(2027, 3, 31), None, date(2027, 9, 30)))
    assert target.milestone_text == "70 by 31/03/2027, 80, 85 by 30/09/2027"
    assert MeasureTarget.from_json(target.to_json()) == target
    assert MeasureTarget.parse(90, "70, 80", "M5").to_json() == {"target": 90.0, "milestones": [70.0, 80.0]}
    with pytest.raises(ValueError, match="'soon' is not"):
        MeasureTarget.parse(90, "70 by soon", "M5")
