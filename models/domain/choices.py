"""Every enumerated value of the journey format, declared once with all its words.

A choice has its value (as the journey file and the database hold it), its label (as people say it
in a form or a record), a short form (a table cell, a ruler band) and a phrase (inside a sentence).
The journey format's field specs, the record's labels, the report cells and the court ruler read
them from here, so a new value or a better word is one line. `tests/models/test_choice_words.py`
checks that every enumerated field of the format has every word for every value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    short: str = ""  # "" = the label
    phrase: str = ""  # "" = the label in lower case

    @property
    def short_form(self) -> str:
        return self.short or self.label

    @property
    def in_a_sentence(self) -> str:
        return self.phrase or self.label.lower()


def values(choices: tuple[Choice, ...]) -> tuple[str, ...]:
    """The values of a set of choices, in its order."""
    return tuple(c.value for c in choices)


ICPC_OUTCOMES: Final = (Choice("plan", "Plan made"), Choice("no_plan", "No plan"))
REVIEW_OUTCOMES: Final = (Choice("continue", "Plan continues"), Choice("end", "Plan ended"))
PLO_OUTCOMES: Final = (Choice("step_down", "Step down"), Choice("issue", "Issue proceedings"))
ICPC_CATEGORIES: Final = (
    Choice("neglect", "Neglect"),
    Choice("physical", "Physical abuse"),
    Choice("sexual", "Sexual abuse"),
    Choice("emotional", "Emotional abuse"),
    Choice("multiple", "Multiple categories"),
)
LPM_DECISIONS: Final = (
    Choice("pre_proceedings", "Pre-proceedings (PLO)"),
    Choice("issue", "Issue proceedings"),
    Choice("no_legal_action", "No legal action"),
)
FGC_STAGES: Final = (Choice("offered", "Offered"), Choice("declined", "Declined"), Choice("held", "Held"))
HEARING_KINDS: Final = (
    Choice("ico", "Interim care order (ICO)", "ICO", "ICO"),
    Choice("cmh", "Case management hearing (CMH)", "CMH", "CMH"),
    Choice("fcmh", "Further case management hearing (FCMH)", "FCMH", "further CMH"),
    Choice("irh", "Issues resolution hearing (IRH)", "IRH", "IRH"),
    Choice("final", "Final hearing", "Final hearing", "final"),
    Choice("other", "Other hearing", "Other hearing", "other"),
)
EXTENSION_REASONS: Final = (
    Choice("timetable_for_proceedings", "Timetable for the proceedings", "TfP"),
    Choice("timetable_for_child", "Timetable for the child", "TfC"),
    Choice("delay_impact_on_child", "Impact of delay on the child", "Delay"),
    Choice("international", "International element", "Intl"),
    Choice("other", "Other", "Other"),
)
ORDERS: Final = (
    Choice("care_order", "Care order"),
    Choice("placement_order", "Placement order"),
    Choice("supervision_order", "Supervision order"),
    Choice("sgo", "Special guardianship order (SGO)", "SGO"),
    Choice("cao", "Child arrangements order (CAO)", "CAO"),
    Choice("no_order", "No order"),
    Choice("withdrawn", "Application withdrawn"),
)
PERMANENCE_PLANS: Final = (
    Choice("return_home", "Return home"),
    Choice("adoption", "Adoption"),
    Choice("sgo", "Special guardianship (SGO)", "SGO"),
    Choice("cao", "Child arrangements order (CAO)", "CAO"),
    Choice("long_term_fostering", "Long-term fostering"),
    Choice("residential", "Long-term residential"),
    Choice("supported_living", "Supported or independent living"),
    Choice("other", "Other"),
)
GENDERS: Final = (
    Choice("male", "Male"),
    Choice("female", "Female"),
    Choice("other", "Other"),
    Choice("unknown", "Unknown"),
)
DRP_ROLES: Final = (Choice("iro", "IRO", phrase="IRO"), Choice("cp_chair", "CP chair", phrase="CP chair"))

#: Each enumerated field's choices, by field name (a field of several event types, `outcome`,
#: holds the choices of all of them).
BY_FIELD: Final[dict[str, tuple[Choice, ...]]] = {
    "outcome": ICPC_OUTCOMES + REVIEW_OUTCOMES + PLO_OUTCOMES,
    "category": ICPC_CATEGORIES,
    "decision": LPM_DECISIONS,
    "stage": FGC_STAGES,
    "kind": HEARING_KINDS,
    "reason": EXTENSION_REASONS,
    "order": ORDERS,
    "plan": PERMANENCE_PLANS,
    "role": DRP_ROLES,
    "gender": GENDERS,
}
