"""The engine on the shared example journeys (`shared/domain/examples`), against their expected output."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from shared_files import shared_examples

from models.domain.calendar import calendar_for
from models.domain.engine import Deadline, all_deadlines
from models.domain.journey import Event
from models.domain.rules import Standards

EVENT_FIELDS = set(Event._fields)
DATE_FIELDS = {"date", "until"}


def _examples() -> Path:
    return shared_examples()


def to_event(raw: dict[str, Any]) -> Event:
    """A journey-file event as the engine reads it: only the fields the rules read."""
    values = {k: v for k, v in raw.items() if k in EVENT_FIELDS}
    for key in DATE_FIELDS & values.keys():
        values[key] = date.fromisoformat(values[key])
    return Event(**values)


def load_journey(path: Path) -> list[tuple[str, list[Event]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "journey"
    assert data["version"] == 1
    return [(child["id"], [to_event(e) for e in child["events"]]) for child in data["children"]]


def drift(as_of: date) -> list[Deadline]:
    children = load_journey(_examples() / "journey.json")
    return all_deadlines(children, as_of, Standards(), calendar_for())


def _key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return (row["child_id"], row["due"], row["rule"], row["trigger"])


@pytest.mark.parametrize("as_of", ["2025-03-03", "2025-09-01"])
def test_examples_match_the_expected_output(as_of: str) -> None:
    expected = json.loads((_examples() / f"expected-{as_of}.json").read_text(encoding="utf-8"))
    deadlines = drift(date.fromisoformat(as_of))
    actual = [d.to_json() for d in deadlines]

    # Every row, field for field (the expected files leave out the explanation).
    comparable = [{k: v for k, v in row.items() if k in expected[0] or k == "ref"} for row in actual]
    assert sorted(comparable, key=_key) == sorted(expected, key=_key)

    # Ordered by child then due date (the order of rules due on the same day is not specified).
    assert [(r["child_id"], r["due"]) for r in actual] == [(r["child_id"], r["due"]) for r in expected]


@pytest.mark.parametrize("as_of", ["2025-03-03", "2025-09-01"])
def test_examples_explanations_name_the_due_date(as_of: str) -> None:
    for d in drift(date.fromisoformat(as_of)):
        text = d.explanation
        assert text.endswith(".")
        assert f"{d.due:%d/%m/%Y}" in text
        assert f"{d.trigger:%d/%m/%Y}" in text
        if d.done is not None:
            assert f"{d.done:%d/%m/%Y}" in text


def test_example_icpc_explanation_is_the_one_in_the_spec() -> None:
    (icpc,) = [d for d in drift(date(2025, 3, 3)) if d.rule == "cp.icpc_15wd"]
    assert icpc.explanation == (
        "ICPC due 15 working days after the strategy discussion on 20/12/2024, i.e. by 15/01/2025; "
        "held 17/01/2025, 2 working days late."
    )


def test_example_events_after_the_as_of_date_are_not_seen() -> None:
    # On 3 Mar 2025 EX-003 has not yet become looked after, and EX-002's extension is not granted.
    deadlines = drift(date(2025, 3, 3))
    assert "EX-003" not in {d.child_id for d in deadlines}
    (final,) = [d for d in deadlines if d.rule == "court.final_26w"]
    assert final.due == date(2025, 8, 3)  # issued 3 Feb 2025 + 181 days


def test_the_journey_file_round_trips_into_events() -> None:
    children = dict(load_journey(_examples() / "journey.json"))
    assert set(children) == {"EX-001", "EX-002", "EX-003"}
    extension = next(e for e in children["EX-002"] if e.type == "extension")
    assert extension.until == date(2025, 9, 26)
    raised = next(e for e in children["EX-003"] if e.type == "drp_raised")
    assert (raised.ref, raised.stage) == ("DRP-25-014", 1)
