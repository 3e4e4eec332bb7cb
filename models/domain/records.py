"""Plain records of children and events, and their validation against `journey-format.md`.

The journey file, the event forms of the desktop application and the database all meet here: a
child or event dict in the file's shape is parsed into a typed record, or into a list of
`Issue`s that name the child, the event, the field and the reason. The same checks run on import
and when an event is recorded by hand, so a form cannot save what an import would refuse.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from models.domain.calendar import outside_range
from models.domain.engine import Opening, court_end, episodes_of, extension_limit, same_day_order
from models.domain.journey import (
    CHILD_FIELDS,
    DRP_TYPES,
    EVENT_TYPES,
    GENDERS,
    TEXT_FIELDS,
    Event,
    FieldSpec,
    Kind,
    Stage,
)

#: Fields the rules read (the source merge compares them; the clash check reads each type's own).
RULE_FIELDS = ("s47", "icpc_needed", "outcome", "stage", "until", "weeks")


@dataclass(frozen=True)
class Issue:
    """One validation problem, located as precisely as the input allows."""

    reason: str
    child_id: str | None = None
    event_id: str | None = None
    field: str | None = None
    child_index: int | None = None
    event_index: int | None = None

    def __str__(self) -> str:
        where = []
        if self.child_id is not None or self.child_index is not None:
            label = self.child_id if self.child_id is not None else "(no id)"
            where.append(
                f"child {label}" + (f" (#{self.child_index + 1})" if self.child_index is not None else "")
            )
        if self.event_id is not None or self.event_index is not None:
            label = self.event_id if self.event_id is not None else "(no id)"
            where.append(
                f"event {label}" + (f" (#{self.event_index + 1})" if self.event_index is not None else "")
            )
        if self.field:
            where.append(f"field '{self.field}'")
        return (", ".join(where) + ": " if where else "") + self.reason


@dataclass(frozen=True)
class EventRecord:
    """One event as stored: common fields, typed type-specific fields, unknown keys kept."""

    id: str
    type: str
    date: date
    fields: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    recorded_by: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "date": self.date.isoformat()}
        for spec in EVENT_TYPES[self.type].fields:
            if spec.name in self.fields and self.fields[spec.name] is not None:
                value = self.fields[spec.name]
                out[spec.name] = value.isoformat() if isinstance(value, date) else value
        if self.note is not None:
            out["note"] = self.note
        if self.recorded_by is not None:
            out["recorded_by"] = self.recorded_by
        out.update(self.extra)
        return out

    def to_engine(self) -> Event:
        f = self.fields
        stage = f.get("stage")
        return Event(
            self.type,
            self.date,
            self.id,
            f.get("s47"),
            f.get("icpc_needed"),
            f.get("outcome"),
            stage if isinstance(stage, int) else None,
            f.get("until"),
            f.get("weeks"),
            f.get("ref"),
            f.get("category") if self.type == "drp_raised" else None,
        )


@dataclass(frozen=True)
class ChildRecord:
    """One child: the journey file's child fields, unknown keys, and the chronology."""

    id: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[EventRecord, ...] = ()

    @property
    def name(self) -> str:
        parts = [self.fields.get("given_name"), self.fields.get("family_name")]
        return " ".join(p for p in parts if p) or self.id

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        for name in CHILD_FIELDS[1:]:
            value = self.fields.get(name)
            if value is not None:
                out[name] = value.isoformat() if isinstance(value, date) else _plain(value)
        out.update(self.extra)
        out["events"] = [e.to_json() for e in sorted(self.events, key=lambda e: e.date)]
        return out

    @property
    def opening(self) -> Opening | None:
        """The opening balance of an imported record (`tracked_from`, `untracked`), if it has one."""
        tracked_from = self.fields.get("tracked_from")
        if not isinstance(tracked_from, date):
            return None
        return Opening(tracked_from, frozenset(self.fields.get("untracked") or ()))

    def with_events(self, events: Iterable[EventRecord]) -> ChildRecord:
        return replace(self, events=tuple(sorted(events, key=lambda e: e.date)))


def _plain(value: Any) -> Any:
    """A child field as the journey file writes it (`untracked` is kept as a tuple, written as a list)."""
    return list(value) if isinstance(value, tuple) else value


def parse_date(value: Any) -> date | None:
    """An ISO date, or None when the value is not a real date."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def text_problem(name: str, value: str) -> str | None:
    """Why a text field's value breaks its rule in `TEXT_FIELDS` (length, characters), or None."""
    rule = TEXT_FIELDS[name]
    if len(value) > rule.max_length:
        return f"is {len(value):,} characters long; {rule.label} may be at most {rule.max_length:,}"
    bad = rule.forbidden.search(value)
    if bad is not None:
        return (
            f"contains control characters (U+{ord(bad.group()):04X} at character {bad.start() + 1}), "
            f"which {rule.label} may not hold"
        )
    return None


def normal_id(value: str) -> str:
    """An id as it is stored and compared: trimmed, in Unicode's composed form (NFC)."""
    value = value.strip()
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def id_key(value: str) -> str:
    """What two ids are compared by for duplicates: 'A1 ', 'a1' and a fullwidth 'Ａ1' are one id."""
    return unicodedata.normalize("NFKC", value.strip()).casefold()


def auto_event_id(child_id: str, raw: Mapping[str, Any]) -> str:
    """A stable id for an event that came without one, so a re-import finds it again."""
    digest = hashlib.sha1(
        json.dumps([child_id, raw], sort_keys=True, default=str).encode("utf-8"), usedforsecurity=False
    ).hexdigest()
    return f"auto-{digest[:12]}"


def _check_value(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """The typed value of one field, or an error reason."""
    if spec.kind is Kind.BOOL:
        if isinstance(value, bool):
            return value, None
        return None, f"must be true or false, not {value!r}"
    if spec.kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"must be a whole number, not {value!r}"
        if spec.minimum is not None and value < spec.minimum:
            return None, f"must be at least {spec.minimum}, not {value}"
        if spec.maximum is not None and value > spec.maximum:
            return None, f"must be at most {spec.maximum}, not {value}"
        return value, None
    if spec.kind is Kind.DATE:
        parsed = parse_date(value)
        if parsed is None:
            return None, f"{value!r} is not a real date (YYYY-MM-DD)"
        outside = outside_range(parsed)
        if outside is not None:
            return None, outside
        return parsed, None
    if not isinstance(value, str):
        return None, f"must be text, not {value!r}"
    if (problem := text_problem(spec.name, value)) is not None:
        return None, problem
    if spec.kind is Kind.TEXT and spec.name == "ref":
        value = normal_id(value)
    if spec.kind is Kind.ENUM and value not in spec.choices:
        return None, f"{value!r} is not one of: {', '.join(spec.choices)}"
    return value, None


#: The keys of an event of each type that are not extra (kept aside to be written back on export).
_KNOWN_KEYS = {
    name: frozenset(("id", "type", "date", "note", "recorded_by", *(f.name for f in spec.fields)))
    for name, spec in EVENT_TYPES.items()
}


def parse_event(
    raw: Any, child_id: str, child_index: int | None = None, event_index: int | None = None
) -> tuple[EventRecord | None, list[Issue]]:
    """Check one event dict on its own (the checks that need the chronology come later)."""
    if not isinstance(raw, Mapping):
        return None, [
            Issue(
                "an event must be an object",
                child_id=child_id,
                child_index=child_index,
                event_index=event_index,
            )
        ]
    event_id = raw.get("id")
    issues: list[Issue] = []
    id_problem = None
    if event_id is not None and (not isinstance(event_id, str) or not event_id.strip()):
        id_problem = f"id must be non-empty text, not {event_id!r}"
    elif isinstance(event_id, str):
        id_problem = text_problem("id", event_id)
        event_id = normal_id(event_id)
    if id_problem is not None:
        issues.append(
            Issue(
                id_problem,
                child_id=child_id,
                field="id",
                child_index=child_index,
                event_index=event_index,
            )
        )
        event_id = None
    eid = event_id if isinstance(event_id, str) else None

    def problem(reason: str, field: str) -> None:
        # Built only for a problem: most events have none, and a million of them are checked.
        issues.append(
            Issue(
                reason,
                child_id=child_id,
                event_id=eid,
                field=field,
                child_index=child_index,
                event_index=event_index,
            )
        )

    type_name = raw.get("type")
    if type_name is None:
        problem("type is required", "type")
    elif not isinstance(type_name, str) or type_name not in EVENT_TYPES:
        problem(f"unknown event type {type_name!r}", "type")
    day = parse_date(raw.get("date"))
    if "date" not in raw:
        problem("date is required", "date")
    elif day is None:
        problem(f"{raw.get('date')!r} is not a real date (YYYY-MM-DD)", "date")
    elif (outside := outside_range(day)) is not None:
        problem(outside, "date")
        day = None
    note, recorded_by = raw.get("note"), raw.get("recorded_by")
    for name, text in (("note", note), ("recorded_by", recorded_by)):
        if text is None:
            continue
        if not isinstance(text, str):
            problem(f"must be text, not {text!r}", name)
        elif (reason := text_problem(name, text)) is not None:
            problem(reason, name)
    if not isinstance(type_name, str) or type_name not in EVENT_TYPES or day is None:
        return None, issues
    event_type = EVENT_TYPES[type_name]
    fields: dict[str, Any] = {}
    for spec in event_type.fields:
        value = raw.get(spec.name)
        if value is None:
            if spec.required:
                problem(f"{spec.name} is required for {type_name}", spec.name)
            continue
        value, reason = _check_value(spec, value)
        if reason:
            problem(reason, spec.name)
        else:
            fields[spec.name] = value
    if issues:
        return None, issues
    known = _KNOWN_KEYS[type_name]
    extra = {k: v for k, v in raw.items() if k not in known}
    return EventRecord(
        eid or auto_event_id(child_id, raw), type_name, day, fields, note, recorded_by, extra
    ), []


def parse_child_fields(
    raw: Mapping[str, Any], child_index: int | None = None
) -> tuple[dict[str, Any], list[Issue]]:
    """The typed child fields of a child dict (no events)."""
    child_id = raw.get("id")
    loc = Issue("", child_id=child_id if isinstance(child_id, str) else None, child_index=child_index)
    issues: list[Issue] = []
    fields: dict[str, Any] = {}
    for name in CHILD_FIELDS[1:]:
        value = raw.get(name)
        if value is None:
            continue
        if name in ("date_of_birth", "expected_date_of_birth", "tracked_from"):
            parsed = parse_date(value)
            if parsed is None:
                issues.append(replace(loc, reason=f"{value!r} is not a real date (YYYY-MM-DD)", field=name))
            elif name == "tracked_from" and (outside := outside_range(parsed)) is not None:
                issues.append(replace(loc, reason=outside, field=name))
            fields[name] = parsed
        elif name == "untracked":
            unknown = (
                [t for t in value if not isinstance(t, str) or t not in EVENT_TYPES]
                if isinstance(value, list)
                else None
            )
            if unknown is None:
                issues.append(
                    replace(loc, reason=f"must be a list of event types, not {value!r}", field=name)
                )
            elif unknown:
                issues.append(
                    replace(
                        loc, reason=f"{unknown[0]!r} is not an event type of the journey format", field=name
                    )
                )
            else:
                fields[name] = tuple(sorted(set(value)))
        elif name == "disability":
            if not isinstance(value, bool):
                issues.append(replace(loc, reason=f"must be true or false, not {value!r}", field=name))
            fields[name] = value
        elif not isinstance(value, str):
            issues.append(replace(loc, reason=f"must be text, not {value!r}", field=name))
        elif (reason := text_problem(name, value)) is not None:
            issues.append(replace(loc, reason=reason, field=name))
        elif name == "gender" and value not in GENDERS:
            issues.append(replace(loc, reason=f"{value!r} is not one of: {', '.join(GENDERS)}", field=name))
        else:
            fields[name] = value
    if "untracked" in raw and raw.get("untracked") is not None and raw.get("tracked_from") is None:
        issues.append(
            replace(
                loc,
                reason="untracked needs tracked_from: the day from which the record is complete",
                field="untracked",
            )
        )
    return fields, issues


def parse_child(raw: Any, child_index: int | None = None) -> tuple[ChildRecord | None, list[Issue]]:
    """Check one child dict of a journey file, its events and its chronology."""
    if not isinstance(raw, Mapping):
        return None, [Issue("a child must be an object", child_index=child_index)]
    child_id = raw.get("id")
    if not isinstance(child_id, str) or not child_id.strip():
        return None, [
            Issue(
                f"id is required and must be non-empty text, not {child_id!r}",
                field="id",
                child_index=child_index,
            )
        ]
    if (reason := text_problem("id", child_id)) is not None:
        return None, [Issue(reason, field="id", child_index=child_index)]
    child_id = normal_id(child_id)
    fields, issues = parse_child_fields(raw, child_index)
    raw_events = raw.get("events", [])
    if not isinstance(raw_events, list):
        issues.append(
            Issue("events must be a list", child_id=child_id, child_index=child_index, field="events")
        )
        raw_events = []
    events: list[EventRecord] = []
    for i, raw_event in enumerate(raw_events):
        record, problems = parse_event(raw_event, child_id, child_index, i)
        issues.extend(problems)
        if record is not None:
            events.append(record)
    extra = {k: v for k, v in raw.items() if k not in CHILD_FIELDS and k != "events"}
    child = ChildRecord(child_id, fields, extra, ())
    for issue in check_chronology(child, events):
        issues.append(replace(issue, child_index=child_index))
    if issues:
        return None, issues
    return child.with_events(events), []


def check_chronology(child: ChildRecord, events: Sequence[EventRecord]) -> list[Issue]:
    """The checks that need the whole chronology: birth, order of court events, DRP refs, clashes."""
    issues: list[Issue] = []
    cid = child.id
    seen_ids: set[str] = set()
    for e in events:
        if (seen := id_key(e.id)) in seen_ids:
            issues.append(Issue("the same event id appears twice", child_id=cid, event_id=e.id, field="id"))
        seen_ids.add(seen)

    birth = child.fields.get("date_of_birth")
    expected = child.fields.get("expected_date_of_birth")
    for e in events:
        if isinstance(birth, date) and e.date < birth:
            if not (expected is not None and EVENT_TYPES[e.type].stage is Stage.CP):
                issues.append(
                    Issue(
                        f"{_d(e.date)} is before the child's date of birth {_d(birth)}",
                        child_id=cid,
                        event_id=e.id,
                        field="date",
                    )
                )
        elif (
            birth is None
            and isinstance(expected, date)
            and e.date < expected
            and EVENT_TYPES[e.type].stage is not Stage.CP
        ):
            issues.append(
                Issue(
                    f"{_d(e.date)} is before the child's expected date of birth {_d(expected)};"
                    " only child protection events can come before birth",
                    child_id=cid,
                    event_id=e.id,
                    field="date",
                )
            )

    ordered = sorted(events, key=lambda e: e.date)
    issued = [e for e in ordered if e.type == "proceedings_issued"]
    for e in ordered:
        if e.type == "final_order" and not any(i.date <= e.date for i in issued):
            issues.append(
                Issue(
                    "a final order needs proceedings issued on or before it",
                    child_id=cid,
                    event_id=e.id,
                    field="type",
                )
            )
    issues.extend(_check_extensions(cid, ordered))

    # The earliest raise of each ref: whichever order a file lists one day's events in, an
    # escalation raised that day may be escalated, answered or resolved that day.
    raised: dict[str, date] = {}
    for e in ordered:
        ref = e.fields.get("ref")
        if e.type == "drp_raised" and isinstance(ref, str) and (ref not in raised or e.date < raised[ref]):
            raised[ref] = e.date
    for e in ordered:
        ref = e.fields.get("ref")
        if (
            e.type in DRP_TYPES
            and e.type != "drp_raised"
            and isinstance(ref, str)
            and (ref not in raised or raised[ref] > e.date)
        ):
            issues.append(
                Issue(
                    f"escalation {ref} was never raised (no escalation raised with this reference on or "
                    "before this date)",
                    child_id=cid,
                    event_id=e.id,
                    field="ref",
                )
            )

    by_key: dict[tuple[str, date, Any], EventRecord] = {}
    for e in ordered:
        key = (e.type, e.date, e.fields.get("ref"))
        first = by_key.setdefault(key, e)
        if first is e:
            continue
        for name in _RULE_FIELDS_OF[e.type]:
            mine, theirs = e.fields.get(name), first.fields.get(name)
            if mine != theirs:
                label = EVENT_TYPES[e.type].label
                issues.append(
                    Issue(
                        f"two {label.lower()} events on {_d(e.date)} disagree on {_field_label(e.type, name)}: "
                        f"{_value(theirs)} in one, {_value(mine)} in this one; correct or remove one of them",
                        child_id=cid,
                        event_id=e.id,
                        field=name,
                    )
                )
    return issues


#: Per event type, the fields the rules read, other than the DRP ref that the clash key holds.
_RULE_FIELDS_OF: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in t.fields if f.read_by_rules and f.name != "ref")
    for name, t in EVENT_TYPES.items()
}


def _field_label(event_type: str, name: str) -> str:
    for spec in EVENT_TYPES[event_type].fields:
        if spec.name == name:
            return spec.label.lower()
    return name


def _value(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return _d(value)
    return str(value).replace("_", " ")


def _check_extensions(child_id: str, ordered: Sequence[EventRecord]) -> list[Issue]:
    """Each extension inside open proceedings, and no more than 8 weeks beyond the current end.

    Proceedings are split by the engine's own `episodes_of` in its same-day order, so an
    extension dated on the final-order day belongs to the proceedings that end that day, whichever
    order the file lists them in.
    """
    issues: list[Issue] = []
    court = sorted(
        (e.to_engine() for e in ordered if e.type in ("proceedings_issued", "final_order")),
        key=same_day_order,
    )
    proceedings = episodes_of(
        court, lambda e: e.type == "proceedings_issued", lambda e: e.type == "final_order"
    )
    granted: dict[int, list[Event]] = {}
    for e in ordered:
        if e.type != "extension":
            continue
        episode = next((p for p in proceedings if p.contains(e.date)), None)
        if episode is None:
            issues.append(
                Issue(
                    "an extension needs open proceedings (issued, no final order yet)",
                    child_id=child_id,
                    event_id=e.id,
                    field="type",
                )
            )
            continue
        extensions = granted.setdefault(id(episode), [])
        current = court_end(episode.open.date, extensions)
        limit = extension_limit(current, e.date)
        until = e.fields.get("until")
        if isinstance(until, date) and until > limit:
            issues.append(
                Issue(
                    f"extension to {_d(until)} is more than 8 weeks (56 days) after the later of the current "
                    f"end {_d(current)} and the date granted {_d(e.date)}: the latest allowed is {_d(limit)}",
                    child_id=child_id,
                    event_id=e.id,
                    field="until",
                )
            )
        elif isinstance(until, date) and until <= e.date:
            issues.append(
                Issue(
                    f"the new end {_d(until)} must be after the date granted {_d(e.date)}",
                    child_id=child_id,
                    event_id=e.id,
                    field="until",
                )
            )
        extensions.append(e.to_engine())
    return issues


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


#: The key, among a child's kept keys (`ChildRecord.extra`), of the day the record was closed: a
#: closed record stays in the register (and can be reopened) but is no longer in Today.
CLOSED_KEY: Final = "closed_on"


def closed_on(child: ChildRecord) -> date | None:
    """The day the child's record was closed, or None while it is open."""
    value = child.extra.get(CLOSED_KEY)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def with_closed(child: ChildRecord, day: date | None) -> ChildRecord:
    """The child with the record closed on `day` (None: reopened)."""
    extra = {k: v for k, v in child.extra.items() if k != CLOSED_KEY}
    if day is not None:
        extra[CLOSED_KEY] = day.isoformat()
    return replace(child, extra=extra)


def describe_event(event: EventRecord) -> str:
    """An event as a person names it: its type and date ("Final order of 03/08/2026"), never its id."""
    etype = EVENT_TYPES.get(event.type)
    return f"{etype.label if etype else event.type} of {_d(event.date)}"


def issue_sentence(issue: Issue, child: ChildRecord | None, own_event_id: str | None = None) -> str:
    """A problem as one plain sentence; one found at another event of the child names that event
    by its type and date."""
    reason = issue.reason[:1].upper() + issue.reason[1:]
    if issue.event_id in (None, own_event_id) or child is None:
        return reason
    other = next((e for e in child.events if e.id == issue.event_id), None)
    what = describe_event(other) if other is not None else "another event"
    return f"Elsewhere in the chronology ({what}): {issue.reason}"
