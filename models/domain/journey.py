"""The vocabulary of a child's journey: event types, their fields and enumerated values.

One table, `EVENT_TYPES`, is the single source for the import validator, the storage columns,
the event forms of the desktop application and the engine's episode logic, so that
`journey-format.md` is written down in code exactly once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, NamedTuple

from models.domain import choices
from models.domain.choices import values


class Stage(StrEnum):
    """The stages of the child's journey, in the order a child passes through them."""

    CP = "CP"
    PLO = "PLO"
    COURT = "court"
    LOOKED_AFTER = "looked after"
    DRP = "DRP"


class Kind(StrEnum):
    """The value kind of an event field, as the journey file writes it."""

    BOOL = "bool"
    TEXT = "text"
    ENUM = "enum"
    INT = "int"
    DATE = "date"


@dataclass(frozen=True)
class FieldSpec:
    """One type-specific field of an event."""

    name: str
    kind: Kind
    label: str
    choices: tuple[str, ...] = ()
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    read_by_rules: bool = False


@dataclass(frozen=True)
class EventType:
    """One event type of `journey-format.md`."""

    name: str
    label: str
    stage: Stage
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None


# The enumerations, declared with their words in `models.domain.choices`.
ICPC_CATEGORIES: Final = values(choices.ICPC_CATEGORIES)
HEARING_KINDS: Final = values(choices.HEARING_KINDS)
EXTENSION_REASONS: Final = values(choices.EXTENSION_REASONS)
ORDERS: Final = values(choices.ORDERS)
PERMANENCE_PLANS: Final = values(choices.PERMANENCE_PLANS)
GENDERS: Final = values(choices.GENDERS)
DRP_ROLES: Final = values(choices.DRP_ROLES)
DRP_STAGE_NAMES: Final = {
    0: "informal",
    1: "team manager",
    2: "service manager",
    3: "head of service",
    4: "director",
    5: "Cafcass",
}
DRP_CATEGORIES: Final = (
    "drift_and_delay",
    "care_planning",
    "permanence_plan_not_in_place",
    "visits_overdue",
    "reviews_out_of_timescale",
    "plan_not_progressing",
    "no_allocated_worker",
    "good_practice",
)

_B = Kind.BOOL
_T = Kind.TEXT
_E = Kind.ENUM


def _f(name: str, kind: Kind, label: str, *choices: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, kind, label, tuple(choices), **kw)


_REF = _f("ref", _T, "Reference", required=True, read_by_rules=True)
_DRP_STAGE = _f("stage", Kind.INT, "Stage", minimum=0, maximum=5, required=True, read_by_rules=True)

EVENT_TYPES: Final[dict[str, EventType]] = {
    t.name: t
    for t in (
        EventType(
            "strategy_discussion",
            "Strategy discussion",
            Stage.CP,
            (_f("s47", _B, "Section 47 enquiry started", read_by_rules=True),),
        ),
        EventType(
            "s47_concluded",
            "Section 47 enquiry concluded",
            Stage.CP,
            (_f("icpc_needed", _B, "ICPC needed", read_by_rules=True),),
        ),
        EventType(
            "icpc",
            "Initial child protection conference",
            Stage.CP,
            (
                _f("outcome", _E, "Outcome", *values(choices.ICPC_OUTCOMES), read_by_rules=True),
                _f("category", _E, "Category", *ICPC_CATEGORIES),
            ),
        ),
        EventType("core_group", "Core group", Stage.CP),
        EventType(
            "cp_review",
            "Review child protection conference",
            Stage.CP,
            (
                _f("outcome", _E, "Outcome", *values(choices.REVIEW_OUTCOMES), read_by_rules=True),
                _f("category", _E, "Latest category", *ICPC_CATEGORIES),
            ),
        ),
        EventType("cp_visit", "Child protection visit", Stage.CP, (_f("seen_alone", _B, "Seen alone"),)),
        EventType("cp_plan_ended", "Child protection plan ended", Stage.CP, (_f("reason", _T, "Reason"),)),
        EventType(
            "legal_planning_meeting",
            "Legal planning meeting",
            Stage.PLO,
            (_f("decision", _E, "Decision", *values(choices.LPM_DECISIONS)),),
        ),
        EventType("letter_before_proceedings", "Letter before proceedings", Stage.PLO),
        EventType("pre_proceedings_meeting", "Pre-proceedings meeting", Stage.PLO),
        EventType("pre_proceedings_review", "Pre-proceedings review", Stage.PLO),
        EventType(
            "family_group_conference",
            "Family group conference",
            Stage.PLO,
            (_f("stage", _E, "Stage", *values(choices.FGC_STAGES)),),
        ),
        EventType(
            "pre_proceedings_extended",
            "Pre-proceedings extended",
            Stage.PLO,
            (
                _f("weeks", Kind.INT, "Weeks", minimum=1, maximum=16, required=True, read_by_rules=True),
                _f("reason", _T, "Reason"),
            ),
        ),
        EventType(
            "pre_proceedings_ended",
            "Pre-proceedings ended",
            Stage.PLO,
            (_f("outcome", _E, "Outcome", *values(choices.PLO_OUTCOMES), read_by_rules=True),),
        ),
        EventType("decision_to_issue", "Decision to issue", Stage.COURT),
        EventType("documents_to_legal", "Documents to legal", Stage.COURT),
        EventType(
            "proceedings_issued",
            "Care proceedings issued",
            Stage.COURT,
            (_f("case_number", _T, "Case number"), _f("court", _T, "Court")),
        ),
        EventType(
            "hearing",
            "Hearing",
            Stage.COURT,
            (_f("kind", _E, "Kind", *HEARING_KINDS), _f("outcome", _T, "Outcome")),
        ),
        EventType(
            "extension",
            "Extension of the timetable",
            Stage.COURT,
            (
                _f("until", Kind.DATE, "New end", required=True, read_by_rules=True),
                _f("reason", _E, "Reason", *EXTENSION_REASONS),
            ),
        ),
        EventType("final_order", "Final order", Stage.COURT, (_f("order", _E, "Order", *ORDERS),)),
        EventType(
            "became_looked_after",
            "Became looked after",
            Stage.LOOKED_AFTER,
            (_f("legal_status", _T, "Legal status (SSDA903)"),),
        ),
        EventType(
            "cla_visit", "Looked-after visit", Stage.LOOKED_AFTER, (_f("seen_alone", _B, "Seen alone"),)
        ),
        EventType("cla_review", "Looked-after review", Stage.LOOKED_AFTER),
        EventType(
            "permanence_plan",
            "Permanence plan",
            Stage.LOOKED_AFTER,
            (
                _f("plan", _E, "Plan", *PERMANENCE_PLANS),
                _f("ratified_by_iro", _B, "Ratified by the IRO"),
            ),
        ),
        EventType(
            "permanence_forum",
            "Permanence forum",
            Stage.LOOKED_AFTER,
            (
                _f("outcome", _T, "Outcome"),
                _f("actions", _T, "Actions"),
                _f("next_review", Kind.DATE, "Next review by the forum"),
            ),
        ),
        EventType(
            "legal_status_changed",
            "Legal status changed",
            Stage.LOOKED_AFTER,
            (_f("legal_status", _T, "Legal status (SSDA903)"),),
        ),
        EventType(
            "ceased_looked_after",
            "Ceased to be looked after",
            Stage.LOOKED_AFTER,
            (_f("reason", _T, "Reason (SSDA903)"),),
        ),
        EventType(
            "drp_raised",
            "Escalation raised (DRP)",
            Stage.DRP,
            (
                _REF,
                _DRP_STAGE,
                _f("raised_by", _T, "Raised by"),
                _f("role", _E, "Role", *DRP_ROLES),
                _f("category", _T, "Category"),
                _f("addressed_to", _T, "Addressed to"),
            ),
        ),
        EventType(
            "drp_escalated",
            "Escalated to the next stage (DRP)",
            Stage.DRP,
            (_REF, _DRP_STAGE, _f("addressed_to", _T, "Addressed to")),
        ),
        EventType(
            "drp_response",
            "Response received (DRP)",
            Stage.DRP,
            (_REF, _f("satisfactory", _B, "Satisfactory")),
        ),
        EventType(
            "drp_resolved", "Escalation resolved (DRP)", Stage.DRP, (_REF, _f("outcome", _T, "Outcome"))
        ),
    )
}

#: Every type-specific field name used by any event type (the storage columns).
EVENT_FIELD_NAMES: Final[tuple[str, ...]] = tuple(
    dict.fromkeys(spec.name for t in EVENT_TYPES.values() for spec in t.fields)
)

#: Fields common to every event.
COMMON_EVENT_KEYS: Final = ("id", "type", "date", "note", "recorded_by")

#: Child fields of the journey file, in file order.
CHILD_FIELDS: Final = (
    "id",
    "given_name",
    "family_name",
    "date_of_birth",
    "expected_date_of_birth",
    "gender",
    "ethnicity",
    "disability",
    "sibling_group",
    "team",
    "social_worker",
    "reviewing_officer",
    "tracked_from",
    "untracked",
)

#: Characters no text may hold: C0 controls but tab and newline, DEL, C1 controls (ESC and CSI
#: among them: a terminal runs them), the bidirectional embeddings, overrides and isolates (which
#: make text display other than it reads) and lone surrogates (which no file can encode).
_NEVER = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: Invisible format characters (soft hyphen, zero-width spaces and joiners, word joiner, BOM):
#: in an id they make two ids that look the same differ.
_INVISIBLE = r"\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff"


#: What no text may hold (`_NEVER`): a terminal shows these escaped (`models.cli.terminal_text`).
UNSAFE_CHARACTERS: Final = re.compile(f"[{_NEVER}]")


@dataclass(frozen=True)
class TextRule:
    """What one kind of text field may hold: always text (a JSON string), at most `max_length`
    characters, none that `forbidden` matches. `label` names the kind in a refusal."""

    label: str
    max_length: int
    forbidden: re.Pattern[str]


#: Ids (of a child, an event, an escalation): one line, nothing invisible.
ID_TEXT: Final = TextRule("ids", 100, re.compile(rf"[\t\n{_NEVER}{_INVISIBLE}]"))
#: Names and other one-line text (a worker, a team, a court, a case number).
NAME_TEXT: Final = TextRule("names and one-line fields", 200, re.compile(rf"[\t\n{_NEVER}]"))
#: Notes and other free text: tabs and line breaks allowed.
NOTE_TEXT: Final = TextRule("notes", 5_000, UNSAFE_CHARACTERS)

#: Every text field of the journey file (child fields, common event fields, type-specific fields,
#: enumerated ones too) with its rule. The journey format sets no lengths or character sets: these
#: are our choice, so that a file cannot smuggle in terminal escapes, look-alike ids or a name long
#: enough to stall a printed report (a 10,000-character name once took a chronology 197 s).
TEXT_FIELDS: Final[dict[str, TextRule]] = {
    "id": ID_TEXT,
    "ref": ID_TEXT,
    **dict.fromkeys(
        (
            "given_name",
            "family_name",
            "gender",
            "ethnicity",
            "sibling_group",
            "team",
            "social_worker",
            "reviewing_officer",
            "type",
            "recorded_by",
            "raised_by",
            "role",
            "addressed_to",
            "category",
            "case_number",
            "court",
            "kind",
            "legal_status",
            "decision",
            "stage",
            "order",
            "plan",
        ),
        NAME_TEXT,
    ),
    **dict.fromkeys(("note", "reason", "outcome", "actions"), NOTE_TEXT),
}


#: Events that close an episode apply before events that open one on the same date.
CLOSING_TYPES: Final = frozenset(
    {"cp_plan_ended", "pre_proceedings_ended", "final_order", "ceased_looked_after", "drp_resolved"}
)

DRP_TYPES: Final = frozenset({"drp_raised", "drp_escalated", "drp_response", "drp_resolved"})

#: CP events that may come before birth (an unborn child's pre-birth conference).
PRE_BIRTH_TYPES: Final = frozenset(t.name for t in EVENT_TYPES.values() if t.stage is Stage.CP)


def stage_of(event_type: str) -> Stage:
    return EVENT_TYPES[event_type].stage


class Event(NamedTuple):
    """One dated event of a child's chronology, as the engine reads it.

    Only the fields the rules read are here; the rest of the record (notes, names, free text)
    stays with the storage row and the journey file. A named tuple, because a million of them are
    built each time every deadline is recomputed.
    """

    type: str
    date: dt.date
    id: str | None = None
    s47: bool | None = None
    icpc_needed: bool | None = None
    outcome: str | None = None
    stage: int | None = None
    until: dt.date | None = None
    weeks: int | None = None
    ref: str | None = None
    category: str | None = None  # read for DRP raises only: a good-practice alert is no challenge
