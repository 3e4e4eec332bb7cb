"""Every enumerated value of the journey format is declared once, with every word people read."""

from __future__ import annotations

import pytest

from models.domain import choices
from models.domain.journey import EVENT_TYPES, FieldSpec, Kind
from models.screens.child_view import choice_label

_ENUM_FIELDS = [
    (event_type.name, spec)
    for event_type in EVENT_TYPES.values()
    for spec in event_type.fields
    if spec.kind is Kind.ENUM
]


@pytest.mark.parametrize(("event_type", "spec"), _ENUM_FIELDS, ids=lambda x: getattr(x, "name", x))
def test_every_enumerated_field_has_every_word_for_every_value(event_type: str, spec: FieldSpec) -> None:
    declared = {c.value: c for c in choices.BY_FIELD[spec.name]}
    for value in spec.choices:
        choice = declared.get(value)
        assert choice is not None, (
            f"{event_type}.{spec.name}: {value!r} has no words in models.domain.choices"
        )
        assert choice.label and choice.short_form and choice.in_a_sentence
        assert choice_label(spec.name, value) == choice.label


@pytest.mark.parametrize("name", list(choices.BY_FIELD))
def test_values_are_unique_within_each_field(name: str) -> None:
    vals = [c.value for c in choices.BY_FIELD[name]]
    assert len(vals) == len(set(vals)), f"{name}: a value declared twice"


def test_a_word_changed_in_one_place_changes_everywhere() -> None:
    """The record's label, the report's cell and the ruler's phrase are the one declaration."""
    from models.reports.common import HEARING_SHORT
    from models.screens.court_view import REASON_SHORT

    fcmh = next(c for c in choices.HEARING_KINDS if c.value == "fcmh")
    assert choice_label("kind", "fcmh") == fcmh.label
    assert HEARING_SHORT["fcmh"] == fcmh.short_form == "FCMH"
    assert fcmh.in_a_sentence == "further CMH"
    assert REASON_SHORT["international"] == "Intl"
