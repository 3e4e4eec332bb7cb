"""Periods of every kind, measures M7 and M9 as corrected, M10-M15, and the figures with their
previous period, direction and targets. A small caseload worked out by hand (September 2025, as of
01/10/2025; no bank holiday in September 2025)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from models.cli import main
from models.domain.period import Period, PeriodKind, Span
from models.domain.records import ChildRecord, parse_child
from models.domain.rules import Rag
from models.screens.facts import Caseload
from models.screens.measures import MEASURE_IDS, Percent, compute_measures, measure_set
from models.storage.db import Database
from models.storage.settings import MeasureTarget, Settings, load_settings
from models.storage.store import save_settings

AS_OF = date(2025, 10, 1)
SEPTEMBER = Period(2025, 9)


def child(child_id: str, *events: tuple[str, str, dict[str, Any]]) -> ChildRecord:
    raw = {
        "id": child_id,
        "given_name": child_id.title(),
        "date_of_birth": "2015-01-01",
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
    # Raised informally in August, formal only from 15/09: not formal when August is counted like
    # with like (at 01/09, one day after its end, as September is counted one day after its end).
    child(
        "p",
        e("drp_raised", "2025-08-05", ref="P1", stage=0, role="iro"),
        e("drp_escalated", "2025-09-15", ref="P1", stage=1),
    ),
    # Informal on 01/09, formal on Mon 08/09, resolved Fri 26/09: 14 WD from the first formal stage.
    child(
        "q",
        e("drp_raised", "2025-09-01", ref="Q1", stage=0, role="iro"),
        e("drp_escalated", "2025-09-08", ref="Q1", stage=1),
        e("drp_resolved", "2025-09-26", ref="Q1"),
    ),
    # Never formal, resolved in September: no 20-working-day clock, not in M9.
    child(
        "r",
        e("drp_raised", "2025-09-02", ref="R1", stage=0, role="cp_chair"),
        e("drp_resolved", "2025-09-10", ref="R1"),
    ),
    # M10/M11: an FGC offered and held, stepped down; another issued with no FGC.
    child(
        "s",
        e("legal_planning_meeting", "2025-04-20", decision="pre_proceedings"),
        e("letter_before_proceedings", "2025-05-01"),
        e("family_group_conference", "2025-05-10", stage="offered"),
        e("family_group_conference", "2025-06-01", stage="held"),
        e("pre_proceedings_ended", "2025-09-10", outcome="step_down"),
    ),
    child(
        "t",
        e("letter_before_proceedings", "2025-05-02"),
        e("pre_proceedings_ended", "2025-09-12", outcome="issue"),
    ),
    # M12: two legal planning meetings in September.
    child("u", e("legal_planning_meeting", "2025-09-03", decision="pre_proceedings")),
    child("v", e("legal_planning_meeting", "2025-09-04", decision="issue")),
    # M14: a plan open since 01/09/2023 (2 years on 01/09/2025); a plan ended after 2.5 months;
    # a repeat plan 15 months after the last one ended.
    child("w", e("icpc", "2023-09-01", outcome="plan")),
    child("x", e("icpc", "2025-07-01", outcome="plan"), e("cp_plan_ended", "2025-09-15")),
    child(
        "y",
        e("icpc", "2024-01-10", outcome="plan"),
        e("cp_plan_ended", "2024-06-01"),
        e("icpc", "2025-09-20", outcome="plan"),
    ),
    # M15: one child became looked after in September, another ceased.
    child("z1", e("became_looked_after", "2025-09-05")),
    child("z2", e("became_looked_after", "2025-01-01"), e("ceased_looked_after", "2025-09-25")),
]


@pytest.fixture(scope="module")
def caseload() -> Caseload:
    return Caseload.build(CHILDREN, AS_OF)


def test_m7_is_counted_like_with_like(caseload: Caseload) -> None:
    m = compute_measures(caseload, SEPTEMBER)
    # September: Q1 formal; P1 was raised in August. August counted at 01/09: P1 not yet formal.
    assert (m.m7_formal, m.m7_informal, m.m7_previous) == (1, 1, 0)
    august = compute_measures(caseload, Period(2025, 8))  # as it stands now, P1 is formal
    assert august.m7_formal == 1


def test_m9_counts_from_the_first_formal_stage_and_formal_escalations_only(caseload: Caseload) -> None:
    m = compute_measures(caseload, SEPTEMBER)
    assert m.m9_count == 1 and m.m9_mean_wd == 14.0
    assert m.m9_within_20 == Percent(1, 1)


def test_m10_to_m15(caseload: Caseload) -> None:
    m = compute_measures(caseload, SEPTEMBER)
    assert m.m10_offered == Percent(1, 2) and m.m10_held == Percent(1, 1)
    assert m.m11_step_down == Percent(1, 2)
    assert m.m12_by_decision == {"issue": 1, "pre_proceedings": 1}
    assert (m.m14_long, m.m14_short, m.m14_repeat) == (("w",), ("x",), ("y",))
    assert (m.m15_became, m.m15_ceased) == (("z1",), ("z2",))
    # On 31/08 the plan of 01/09/2023 had not lasted 2 years.
    assert compute_measures(caseload, Period(2025, 8)).m14_long == ()


def test_figures_compare_with_the_previous_period_and_know_the_good_direction(caseload: Caseload) -> None:
    found = measure_set(caseload, SEPTEMBER, trend=12)
    assert [f.id for f in found.figures] == list(MEASURE_IDS)
    long_plans = found.figure("M14a")
    assert (long_plans.value, long_plans.previous_value, long_plans.change) == (1.0, 0.0, "up")
    assert long_plans.improving is False and long_plans.direction_text == "▲ up: worse"
    m7 = found.figure("M7")
    assert (m7.value, m7.previous_value, m7.improving) == (1.0, 0.0, True)
    assert next(k for k, _ in m7.trend) == Period(2024, 10) and len(m7.trend) == 12
    assert m7.children == (("q", True),)
    assert found.figure("M10").children == (("s", True), ("t", False))
    # One child or two: too few to judge or to compare, never a colour.
    m10 = found.figure("M10")
    assert m10.judgement is not None and m10.judgement.rag is None and m10.change is None
    assert found.figure("M1").target == MeasureTarget(100.0, (70.0, 80.0, 90.0))
    assert found.figure("M3").target == MeasureTarget(90.0, (70.0, 80.0))


def test_a_period_to_date_is_set_against_the_same_days_of_the_previous_one() -> None:
    caseload = Caseload.build(CHILDREN, date(2025, 9, 10))
    found = measure_set(caseload, SEPTEMBER)
    assert found.measures.to_date and found.measures.span == Span(date(2025, 9, 1), date(2025, 9, 10))
    assert found.previous.span == Span(date(2025, 8, 1), date(2025, 8, 10))
    assert found.to_json()["to_date"] is True
    # Dated milestones are judged at the last day counted: the as-of date here, the period's end
    # for a whole period.
    assert found.figure("M1").at == date(2025, 9, 10)
    assert measure_set(Caseload.build(CHILDREN, AS_OF), SEPTEMBER).figure("M1").at == date(2025, 9, 30)


def test_a_target_set_in_settings_is_the_one_judged() -> None:
    settings = Settings(measure_targets={"M11": MeasureTarget(40.0, (20.0,))})
    share = Percent(3, 6)
    assert share.judge(settings.target_for("M11")).rag is Rag.GREEN
    assert share.judge(settings.target_for("M10")).text == "below 70%, target 90%"


@pytest.mark.parametrize(
    ("text", "start", "end", "key", "label"),
    [
        ("2025-09", date(2025, 9, 1), date(2025, 9, 30), "2025-09", "September 2025"),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-Q3", "July to September 2026 (Q3)"),
        ("2025-q1", date(2025, 1, 1), date(2025, 3, 31), "2025-Q1", "January to March 2025 (Q1)"),
        ("2025-W36", date(2025, 9, 1), date(2025, 9, 7), "2025-W36", "Week 36 of 2025"),
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 3), "2026-W53", "Week 53 of 2026"),
        ("2025-26", date(2025, 4, 1), date(2026, 3, 31), "2025-26", "Financial year 2025-26"),
        ("1999-00", date(1999, 4, 1), date(2000, 3, 31), "1999-00", "Financial year 1999-00"),
        ("2011-12", date(2011, 12, 1), date(2011, 12, 31), "2011-12", "December 2011"),
    ],
)
def test_every_kind_of_period(text: str, start: date, end: date, key: str, label: str) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, period.key, period.label) == (start, end, key, label)
    assert Period.parse(period.key) == period
    assert period.previous().end + (period.start - period.start) < period.start
    assert period.previous().shifted(1) == period


def test_periods_run_on_across_years() -> None:
    assert Period.parse("2026-W01").previous().key == "2025-W52"
    assert Period.parse("2026-Q1").previous().key == "2025-Q4"
    assert [p.key for p in Period.parse("2025-Q3").last(3)] == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert Period.parse("2025-26").previous().key == "2024-25"
    assert Period.of(date(2026, 3, 31), PeriodKind.YEAR).key == "2025-26"
    assert Period.last_complete_before(date(2026, 10, 1), PeriodKind.QUARTER).key == "2026-Q3"
    assert Period(2025, 9).to_date(date(2025, 9, 10)) == Span(date(2025, 9, 1), date(2025, 9, 10))
    assert not Period(2025, 9).is_complete(date(2025, 9, 30)) and Period(2025, 9).is_complete(AS_OF)


@pytest.mark.parametrize("bad", ["2025-W53", "2025-Q5", "2025-27", "2025-13", "2025", "Q3-2025", ""])
def test_a_period_that_is_not_one_is_refused_in_a_sentence(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a period") as info:
        Period.parse(bad)
    assert "\n" not in str(info.value)


def test_targets_are_kept_in_settings_and_audited(db: Database) -> None:
    settings = Settings(measure_targets={"M3": MeasureTarget(95.0, (75.0, 85.0))}, worker_caseload=(12, 16))
    save_settings(db, settings)
    again = load_settings(db)
    assert again.target_for("M3") == MeasureTarget(95.0, (75.0, 85.0)) and again.worker_caseload == (12, 16)
    assert again.target_for("M1").target == 100.0
    with db.engine.connect() as conn:
        after = conn.exec_driver_sql("SELECT after FROM audit WHERE entity = 'settings'").scalars().all()
    assert json.loads(after[-1])["measure_targets"]["M3"]["target"] == 95.0
    with pytest.raises(Exception, match="milestone"):
        save_settings(db, Settings(measure_targets={"M3": MeasureTarget(80.0, (85.0,))}))


def test_measures_json_on_the_shared_examples_gives_m1_against_100(
    example_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db_path = str(example_db.path)
    assert main(["--db", db_path, "measures", "--as-of", "2025-09-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    m1 = next(m for m in data["measures"] if m["id"] == "M1")
    assert m1["target"] == 100.0 and m1["milestones"] == [70.0, 80.0, 90.0]
    assert (data["period"], data["to_date"]) == ("2025-08", False)
    assert [m["id"] for m in data["measures"]] == list(MEASURE_IDS)
    out = tmp_path / "m.csv"
    assert (
        main(["--db", db_path, "measures", "--period", "2025-Q3", "--as-of", "2025-09-01", "--csv", str(out)])
        == 0
    )
    assert out.stat().st_mode & 0o777 == 0o600
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][:2] == ["2025-Q3 (to date)", "M1"] and len(rows) == 1 + len(MEASURE_IDS)
    assert main(["--db", db_path, "measures", "--period", "2025-Q4", "--as-of", "2025-09-01"]) == 1
    assert "starts after the as-of date" in capsys.readouterr().err


def test_measures_json_carries_dated_milestones_judged_at_the_periods_end(
    example_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    dated = MeasureTarget(100.0, (70.0, 80.0), (date(2025, 6, 30), date(2025, 12, 31)))
    save_settings(example_db, Settings(measure_targets={"M1": dated}))
    assert (
        main(
            [
                "--db",
                str(example_db.path),
                "measures",
                "--period",
                "2025-08",
                "--as-of",
                "2025-09-01",
                "--json",
            ]
        )
        == 0
    )
    m1 = next(m for m in json.loads(capsys.readouterr().out)["measures"] if m["id"] == "M1")
    assert m1["milestones"] == [70.0, 80.0] and m1["milestone_dates"] == ["2025-06-30", "2025-12-31"]
    share = Percent(m1["numerator"], m1["denominator"])
    assert m1["judgement"] == share.judge(dated, date(2025, 8, 31)).text
