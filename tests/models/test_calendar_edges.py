"""The calendar's edges (`timescales.md`, "The calendar's range"): event and as-of dates lie in
1990-2070 and anything outside gets one sentence; every deadline of an event in 2070 is computed,
because working days are known to the end of 2075."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from models.cli import main
from models.domain.calendar import CALENDAR_LAST_YEAR, calendar_for
from models.domain.engine import child_deadlines
from models.domain.journey import Event
from models.domain.records import parse_child
from models.domain.rules import RULES, Standards

LAST_DAY = date(2070, 12, 31)

#: Every clock's opener on the last day of the calendar (and its chained triggers).
OPENERS = [
    Event("strategy_discussion", LAST_DAY, "a", s47=True),
    Event("icpc", LAST_DAY, "b", outcome="plan"),
    Event("cp_review", LAST_DAY, "b2", outcome="continue"),
    Event("letter_before_proceedings", LAST_DAY, "c"),
    Event("pre_proceedings_extended", LAST_DAY, "c2", weeks=16),
    Event("decision_to_issue", LAST_DAY, "d"),
    Event("proceedings_issued", date(2070, 12, 1), "e"),
    Event("extension", LAST_DAY, "e2", until=date(2071, 6, 30)),
    Event("became_looked_after", date(2070, 12, 1), "f"),
    Event("cla_review", date(2070, 12, 30), "f2"),
    Event("cla_review", LAST_DAY, "f3"),
    Event("cla_visit", LAST_DAY, "f4"),
    Event("drp_raised", LAST_DAY, "g", stage=1, ref="R"),
    Event("drp_escalated", LAST_DAY, "g2", stage=4, ref="R"),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own refusal
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_deadline_of_events_on_31_12_2070_is_computed() -> None:
    assert CALENDAR_LAST_YEAR >= 2075
    deadlines = child_deadlines("E-1", OPENERS, LAST_DAY, Standards(), calendar_for())
    assert {d.rule for d in deadlines} == set(RULES)
    assert all(d.due >= d.trigger for d in deadlines)
    # The latest of them, the plan-length limit, is well inside the working-day table.
    assert max(d.due for d in deadlines) == date(2072, 6, 30)
    assert calendar_for().add_working_days(LAST_DAY, 20) == date(2071, 1, 29)


@pytest.mark.parametrize(
    ("day", "accepted"),
    [("2070-12-31", True), ("2071-01-01", False), ("1990-01-01", True), ("1989-12-31", False)],
)
def test_import_takes_events_in_1990_to_2070_and_refuses_others_in_one_sentence(
    day: str, accepted: bool
) -> None:
    record, issues = parse_child({"id": "E-1", "events": [{"id": "a", "type": "cla_review", "date": day}]})
    assert (record is not None) == accepted
    if not accepted:
        shown = date.fromisoformat(day).strftime("%d/%m/%Y")
        assert [i.reason for i in issues] == [
            f"{shown} is outside the years the tracker counts (1990 to 2070)"
        ]


@pytest.fixture
def edge_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    journey = {
        "format": "journey",
        "version": 1,
        "children": [
            {
                "id": "E-1",
                "date_of_birth": "2060-01-01",
                "events": [{**e._asdict(), "date": e.date.isoformat()} for e in _journey_events()],
            }
        ],
    }
    path = tmp_path / "edge.json"
    path.write_text(json.dumps(journey))
    db = str(tmp_path / "edge.sqlite")
    code, _out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 0, err
    return db


def _journey_events() -> list[Event]:
    return [
        Event("strategy_discussion", LAST_DAY, "a", s47=True),
        Event("icpc", LAST_DAY, "b", outcome="plan"),
        Event("became_looked_after", LAST_DAY, "c"),
        Event("drp_raised", LAST_DAY, "d", stage=1, ref="R"),
        Event("proceedings_issued", LAST_DAY, "e"),
    ]


def test_drift_on_the_last_day_of_2070_lists_every_deadline(
    edge_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", edge_db, "drift", "--as-of", "2070-12-31", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["rule"] for r in rows} >= {
        "cp.icpc_15wd",
        "cp.plan_length",
        "court.final_26w",
        "drp.resolution_20wd",
    }


@pytest.mark.parametrize("as_of", ["2071-01-05", "1989-12-31"])
@pytest.mark.parametrize("command", [["drift"], ["report", "tracker"], ["measures"]])
def test_an_as_of_date_outside_the_years_is_one_sentence(
    edge_db: str, capsys: pytest.CaptureFixture[str], command: list[str], as_of: str
) -> None:
    code, out, err = run(capsys, "--db", edge_db, *command, "--as-of", as_of)
    assert code == 2 and out == ""
    shown = date.fromisoformat(as_of).strftime("%d/%m/%Y")
    assert err.splitlines()[-1].endswith(f"{shown} is outside the years the tracker counts (1990 to 2070).")
    assert "Traceback" not in err


def test_the_tracker_report_on_the_last_day_of_2070(
    edge_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "tracker.pdf"
    code, _out, err = run(
        capsys, "--db", edge_db, "report", "tracker", "--as-of", "2070-12-31", "-o", str(target)
    )
    assert code == 0, err
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "E-1" in text and "OFFICIAL-SENSITIVE" in text
