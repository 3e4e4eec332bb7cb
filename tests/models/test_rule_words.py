"""Each rule is declared once, with every word its explanation, tables and help use."""

from __future__ import annotations

import re
from datetime import date

import pytest

from models.domain import engine
from models.domain.calendar import calendar_for
from models.domain.journey import EVENT_TYPES, Event
from models.domain.rules import RULES, Standards, Unit

_SUFFIX = {"wd": "working days", "m": "months", "w": "weeks"}


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_rule_has_every_word(rule_id: str) -> None:
    rule = RULES[rule_id]
    for word in (rule.title, rule.basis, rule.span_unit, rule.short, rule.due, rule.met_verb, rule.not_held):
        assert word.strip() == word and word, f"{rule_id}: an empty or padded word"
    assert rule.met_by, f"{rule_id}: no event meets it"
    assert rule.met_by <= set(EVENT_TYPES), f"{rule_id}: meets by an unknown event type"
    assert (rule.unit is Unit.WORKING_DAYS) == (rule.span_unit == "working days") or rule.period is None


@pytest.mark.parametrize("rule_id", [r for r in RULES if re.search(r"_\d+(wd|m|w)$", r)])
def test_a_fixed_period_is_the_one_its_id_and_title_name(rule_id: str) -> None:
    rule = RULES[rule_id]
    match = re.search(r"_(\d+)(wd|m|w)$", rule_id)
    assert match is not None
    number, suffix = int(match.group(1)), match.group(2)
    assert rule.period == number
    assert rule.span_unit == _SUFFIX[suffix]
    assert f"{number} {rule.span_unit}" in rule.title


def test_the_engine_counts_the_catalogues_period() -> None:
    """The ICPC's due date and its explanation both follow `Rule.period`."""
    events = [Event("strategy_discussion", date(2026, 1, 5), "e1", s47=True)]
    [d] = engine.child_deadlines("C1", events, date(2026, 1, 6), Standards(), calendar_for())
    assert d.rule == "cp.icpc_15wd"
    assert d.span == RULES["cp.icpc_15wd"].period
    assert d.due == date(2026, 1, 26)  # 15 working days after Monday 5 January
    assert "15 working days" in d.explanation
