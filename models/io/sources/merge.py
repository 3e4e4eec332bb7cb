"""Merging what the readers made with each other and with the database, the preview, and the import.

Children are joined by id across sources and with the database. Rules:
- An event from a source has an id derived from it, so re-importing updates and never duplicates;
  an event a person recorded (an id no reader makes) is never changed, nor is an imported event a
  person has edited or deleted since (the audit log says so), and a source event of the same type
  on the same day as one already recorded is left out (the record has it).
- Child fields: what the record lacks is filled in; where the source and the record disagree,
  the preview lists it and the record wins, unless the person chooses the sources (`source_wins`).
- `tracked_from` is the latest of the sources that hold the child, `untracked` the types none of
  them holds; a child already in the database keeps its own (or its lack of one) unless the
  person chooses the sources. `--tracked-from` replaces every source's date; a source's date
  after today (an in-year return's collection end) becomes today.
- A CP event before the date of birth (a pre-birth conference of a child born since) is
  accepted: the child's `expected_date_of_birth` is taken as the date of birth when it has none.
- Every problem is named with file, sheet, row and column. Import is all or nothing, or the
  valid children only; refused files import nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.domain.journey import EVENT_TYPES, Stage
from models.domain.records import RULE_FIELDS, ChildRecord, parse_child
from models.io.journey_io import (
    FORMAT,
    VERSION,
    ImportCancelled,
    ImportError_,
    ImportResult,
    import_journey,
    parse_journey,
    read_journey_file,
)
from models.io.sources import detect as detect_mod
from models.io.sources.common import Problem, Source, SourceError, Where, plural, where_of
from models.storage.db import Database
from models.storage.store import AUDIT_T, CHILD_T, iter_children

#: Id prefixes of events made by a reader: any other id was recorded by a person (or a journey file).
SOURCE_PREFIXES = ("903:", "annexa:", "cin:", "map:")

Progress = Callable[[int, int, str], None]


Cancelled = ImportCancelled  # the person cancelled; nothing was written


@dataclass
class Disagreement:
    child_id: str
    field: str
    record: Any
    source: Any
    source_label: str

    def __str__(self) -> str:
        return (
            f"child {self.child_id}: {self.field} is {self.record!r} in the record but {self.source!r} in the "
            f"{self.source_label}"
        )


@dataclass
class Counts:
    children_added: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    children_invalid: int = 0
    events_added: int = 0
    events_updated: int = 0
    events_unchanged: int = 0


@dataclass
class Preview:
    """What an import would do: per source, and the merged children to write."""

    sources: list[Source] = field(default_factory=list)
    counts: list[Counts] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    passed_over: list[Path] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid_children: list[str] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.problems or self.refused)

    def text(self, limit: int = 50) -> str:
        lines: list[str] = []
        for n, (source, counts) in enumerate(zip(self.sources, self.counts, strict=True), start=1):
            lines.append(f"Source {n}: {source.label}: {source.path}")
            if source.tracked_from:
                lines.append(f"  tracked from {source.tracked_from:%d/%m/%Y} ({source.tracked_from_basis})")
            if source.untracked:
                lines.append(f"  cannot hold (untracked): {', '.join(source.untracked)}")
            lines.append(
                f"  children: {counts.children_added} to add, {counts.children_updated} to update, "
                f"{counts.children_unchanged} unchanged"
                + (f", {counts.children_invalid} with problems" if counts.children_invalid else "")
            )
            lines.append(
                f"  events: {counts.events_added} to add, {counts.events_updated} to update, {counts.events_unchanged} unchanged"
            )
            lines.extend(f"  {note}" for note in source.notes)
        return "\n".join([*lines, self.issues_text(limit)]).strip("\n")

    def issues_text(self, limit: int = 50) -> str:
        """Refusals, disagreements, problems and notes (the dialog shows the sources in a table)."""
        lines: list[str] = []
        for refusal in self.refused:
            lines.append(f"Refused: {refusal}")
        if self.passed_over:
            lines.append(
                "Passed over (not data files): "
                + ", ".join(f"{p.parent.name}/{p.name}" for p in self.passed_over)
            )
        if self.disagreements:
            lines.append(
                f"{plural(len(self.disagreements), 'disagreement')} with the record (the record wins):"
            )
            lines.extend(f"- {d}" for d in self.disagreements[:limit])
            if len(self.disagreements) > limit:
                lines.append(f"... and {len(self.disagreements) - limit} more")
        if self.problems:
            lines.append(
                f"{plural(len(self.problems), 'problem')}"
                + (
                    f" ({plural(len(self.invalid_children), 'child')} cannot be imported)"
                    if self.invalid_children
                    else ""
                )
                + ":"
            )
            lines.extend(f"- {p}" for p in self.problems[:limit])
            if len(self.problems) > limit:
                lines.append(f"... and {len(self.problems) - limit} more")
        lines.extend(self.notes)
        return "\n".join(lines)


def read_sources(
    paths: Sequence[Path],
    mapping: tuple[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[Source], list[str], list[Path]]:
    """Detect and read every file or folder: the sources, the refusals, the files passed over."""
    detection = detect_mod.detect(paths)
    sources: list[Source] = []
    refused = list(detection.refused)
    for n, found in enumerate(detection.found):
        if cancelled and cancelled():
            raise Cancelled("Cancelled; nothing was written.")
        if progress:
            progress(n, len(detection.found), f"Reading {found.name} ({found.label})")
        try:
            if found.format == detect_mod.JOURNEY:
                sources.append(_journey_source(found.paths[0]))
            else:
                sources.append(detect_mod.read(found, mapping))
        except SourceError as exc:
            refused.append(str(exc))
    return sources, refused, detection.passed_over


def _journey_source(path: Path) -> Source:
    try:
        data = read_journey_file(path)
        _valid, issues, _invalid = parse_journey(data)
    except ImportError_ as exc:
        raise SourceError(str(exc)) from None
    source = Source(path, "journey", "journey file")
    source.children = list(data["children"])
    for issue in issues:
        source.problems.append(
            Problem(
                Where(path.name, row=f"child {issue.child_id or issue.child_index}"),
                str(issue),
                issue.child_id,
            )
        )
    return source


def plan_import(
    db: Database,
    sources: Sequence[Source],
    *,
    refused: Sequence[str] = (),
    passed_over: Sequence[Path] = (),
    tracked_from: date | None = None,
    source_wins: bool = False,
    cancelled: Callable[[], bool] | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> Preview:
    """The preview: nothing is written. A source's `tracked_from` after `today` (the collection
    end of a return whose year has not ended) becomes `today`, unless `tracked_from` is given."""
    preview = Preview(sources=list(sources), refused=list(refused), passed_over=list(passed_over))
    if tracked_from is not None:
        for source in sources:
            if source.format != "journey":
                source.tracked_from = tracked_from
                source.tracked_from_basis = "given with --tracked-from"
    elif today is not None:
        for source in sources:
            if source.tracked_from is not None and source.tracked_from > today:
                # An in-year extract: its collection ends later, but the record is complete only
                # from the day it was made, and a later date would hide every clock until then.
                source.tracked_from_basis = (
                    f"today: {source.tracked_from_basis.split(' (')[0]} would be {source.tracked_from:%d/%m/%Y}, "
                    "after today (an in-year extract); give the extract's date if you know it"
                )
                source.tracked_from = today
    # Children across sources, in order of the sources.
    merged: dict[str, dict[str, Any]] = {}
    origin: dict[str, list[Source]] = {}
    bad: dict[str, list[Problem]] = {}
    for source in sources:
        for problem in source.problems:
            preview.problems.append(problem)
            if problem.child_id is not None:
                bad.setdefault(problem.child_id, []).append(problem)
        for child in source.children:
            cid = child["id"]
            origin.setdefault(cid, []).append(source)
            if cid not in merged:
                merged[cid] = {**child, "events": list(child.get("events", []))}
                continue
            target = merged[cid]
            for key, value in child.items():
                if key == "events":
                    continue
                old = target.get(key)
                if old is None:
                    target[key] = value
                elif key == "date_of_birth" and old != value:
                    problem = Problem(
                        source.birth_where.get(cid) or source.child_where.get(cid, Where(source.path.name)),
                        f"child {cid} has date of birth {_dmy(value)} here but {_dmy(old)} in {origin[cid][0].path.name}; "
                        "which is right is unknown, so the child is not imported",
                        cid,
                    )
                    preview.problems.append(problem)
                    bad.setdefault(cid, []).append(problem)
            have_ids = {e["id"] for e in target["events"]}
            have_days = {(e["type"], e["date"]) for e in target["events"]}
            for event in child.get("events", []):
                if event["id"] in have_ids or (event["type"], event["date"]) in have_days:
                    continue
                target["events"].append(event)
                have_ids.add(event["id"])
                have_days.add((event["type"], event["date"]))
    for cid, child in merged.items():
        holding = [s for s in origin[cid] if s.tracked_from is not None]
        if holding:
            child["tracked_from"] = max(s.tracked_from for s in holding if s.tracked_from).isoformat()
            untracked = set(holding[0].untracked)
            for s in holding[1:]:
                untracked &= set(s.untracked)
            child["untracked"] = sorted(untracked)

    existing, touched = _existing(db, list(merged))
    per_source_child: dict[str, dict[str, str]] = {}
    per_event: dict[str, dict[str, str]] = {}
    for n, (cid, child) in enumerate(merged.items()):
        if n % 500 == 0:
            if cancelled and cancelled():
                raise Cancelled("Cancelled; nothing was written.")
            if progress:
                progress(n, len(merged), f"Comparing with the record: {n:,} of {len(merged):,} children")
        before = existing.get(cid)
        final, child_state, event_state = _merge_with_record(
            child, before, origin[cid], source_wins, preview, touched
        )
        if origin[cid][0].format != "journey" and _pre_birth(final):
            preview.notes.append(
                f"Child {cid}: child protection events before the date of birth (a pre-birth plan); "
                "the expected date of birth is taken as the date of birth."
            )
        record, issues = parse_child(final)
        if issues or cid in bad:
            for issue in issues:
                src = _source_of_event(origin[cid], cid, issue.event_id)
                where = where_of(src, cid, issue.event_id)
                problem = Problem(where, _reason(issue, located=where.column is not None), cid)
                preview.problems.append(problem)
            preview.invalid_children.append(cid)
            per_source_child[cid] = {"state": "invalid"}
            continue
        assert record is not None
        preview.children.append(final)
        per_source_child[cid] = {"state": child_state}
        per_event[cid] = event_state
    for source in sources:
        counts = Counts()
        for child in source.children:
            cid = child["id"]
            state = per_source_child.get(cid, {}).get("state", "invalid")
            if state == "invalid":
                counts.children_invalid += 1
                continue
            setattr(counts, f"children_{state}", getattr(counts, f"children_{state}") + 1)
            for event in child.get("events", []):
                estate = per_event[cid].get(event["id"], "unchanged")
                setattr(counts, f"events_{estate}", getattr(counts, f"events_{estate}") + 1)
        preview.counts.append(counts)
    preview.notes = list(dict.fromkeys(preview.notes))
    return preview


def _dmy(iso: Any) -> str:
    try:
        return f"{date.fromisoformat(str(iso)):%d/%m/%Y}"
    except ValueError:
        return str(iso)


def _reason(issue: Any, located: bool = False) -> str:
    """A validation issue in a source's words: the column already names the field when known."""
    parts = []
    if issue.child_id:
        parts.append(f"child {issue.child_id}")
    if issue.field and not located:
        parts.append(f"field '{issue.field}'")
    return (", ".join(parts) + ": " if parts else "") + str(issue.reason)


def _source_of_event(sources: Sequence[Source], child_id: str, event_id: str | None) -> Source:
    for source in sources:
        if event_id is not None and (child_id, event_id) in source.event_where:
            return source
    return sources[0]


def _existing(db: Database, ids: list[str]) -> tuple[dict[str, ChildRecord], dict[tuple[str, str], str]]:
    """The children already recorded, and the imported events a person has since edited or
    deleted (from the audit log: (child, event id) -> the person's last action)."""
    out: dict[str, ChildRecord] = {}
    touched: dict[tuple[str, str], str] = {}
    if not ids:
        return out, touched
    with db.engine.connect() as conn:
        if conn.execute(select(CHILD_T.c.id).limit(1)).first() is None:
            return out, touched
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for record in iter_children(conn, chunk):
                out[record.id] = record
            rows = conn.execute(
                select(AUDIT_T.c.child_id, AUDIT_T.c.entity_id, AUDIT_T.c.action)
                .where(AUDIT_T.c.entity == "event", AUDIT_T.c.child_id.in_(chunk))
                .order_by(AUDIT_T.c.id)
            )
            for child_id, event_id, action in rows:
                if isinstance(event_id, str) and is_source_event(event_id):
                    touched[(child_id, event_id)] = action
    return out, touched


def is_source_event(event_id: str) -> bool:
    return event_id.startswith(SOURCE_PREFIXES)


def _merge_with_record(
    child: dict[str, Any],
    before: ChildRecord | None,
    sources: Sequence[Source],
    source_wins: bool,
    preview: Preview,
    touched: Mapping[tuple[str, str], str],
) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The child as it will be written, whether it is added/updated/unchanged, and each event's state."""
    events = child.get("events", [])
    if before is None:
        final = dict(child)
        final["events"] = list(events)
        return final, "added", {e["id"]: "added" for e in events}
    label = sources[0].label
    # A journey file is the tracker's own record of the child: it is taken as it is, as the
    # journey import always has (events with ids already present are updated).
    own = sources[0].format == "journey"
    source_wins = source_wins or own
    record = before.to_json()
    final = {k: v for k, v in record.items() if k != "events"}
    for key, value in child.items():
        if key in ("events", "id"):
            continue
        old = final.get(key)
        if key in ("tracked_from", "untracked"):
            if (
                old is None
                and "tracked_from" not in record
                and any(not is_source_event(e.id) for e in before.events)
            ):
                # A record kept by hand is complete: a return does not make it less so.
                if key == "tracked_from":
                    preview.disagreements.append(Disagreement(before.id, key, None, value, label))
                if not source_wins:
                    continue
            elif old is not None and old != value:
                preview.disagreements.append(Disagreement(before.id, key, old, value, label))
                if not source_wins:
                    continue
            final[key] = value
            continue
        if old is None:
            final[key] = value
        elif old != value:
            preview.disagreements.append(Disagreement(before.id, key, old, value, label))
            if source_wins:
                final[key] = value
    old_events = {e.id: e for e in before.events}
    recorded = {(e.type, e.date.isoformat()): e for e in before.events}
    out_events = [e.to_json() for e in before.events]
    index = {e["id"]: i for i, e in enumerate(out_events)}
    state: dict[str, str] = {}
    for event in events:
        eid = event["id"]
        by_person = touched.get((before.id, eid))
        if by_person == "delete" and eid not in old_events and not own:
            # A person deleted what an earlier import brought: the record wins.
            state[eid] = "unchanged"
            preview.disagreements.append(
                Disagreement(
                    before.id, f"{event['type']} on {event['date']}", "deleted by a person", "present", label
                )
            )
            continue
        if eid in old_events:
            old_json = out_events[index[eid]]
            if not (own or is_source_event(eid)) or (by_person and not own):
                # Recorded, or edited since it was imported, by a person: never changed by an import.
                state[eid] = "unchanged"
                if by_person and not _same(old_json, event):
                    preview.disagreements.append(
                        Disagreement(
                            before.id,
                            f"{event['type']} on {event['date']} (edited by a person)",
                            {k: v for k, v in old_json.items() if k in event and k != "id"},
                            {k: v for k, v in event.items() if k != "id"},
                            label,
                        )
                    )
                continue
            if _same(old_json, event):
                state[eid] = "unchanged"
            else:
                out_events[index[eid]] = {**old_json, **event}
                state[eid] = "updated"
            continue
        same_day = recorded.get((event["type"], event["date"]))
        if same_day is not None:
            state[eid] = "unchanged"
            for name in RULE_FIELDS:
                if name in event and same_day.fields.get(name) not in (None, event[name]):
                    preview.disagreements.append(
                        Disagreement(
                            before.id,
                            f"{event['type']} on {event['date']}: {name}",
                            same_day.fields.get(name),
                            event[name],
                            label,
                        )
                    )
            continue
        out_events.append(event)
        state[eid] = "added"
    final["events"] = out_events
    changed = any(s != "unchanged" for s in state.values()) or {
        k: v for k, v in final.items() if k != "events"
    } != {k: v for k, v in record.items() if k != "events"}
    return final, "updated" if changed else "unchanged", state


def _same(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return all(old.get(k) == v for k, v in new.items())


def _pre_birth(child: dict[str, Any]) -> bool:
    """Give a child with CP events before birth an expected date of birth, so they are accepted."""
    birth = child.get("date_of_birth")
    if not isinstance(birth, str) or child.get("expected_date_of_birth"):
        return False
    early = [e for e in child.get("events", []) if e["date"] < birth]
    if early and all(EVENT_TYPES[e["type"]].stage is Stage.CP for e in early if e["type"] in EVENT_TYPES):
        child["expected_date_of_birth"] = birth
        return True
    return False


def import_preview(
    db: Database,
    preview: Preview,
    *,
    valid_only: bool = False,
    user: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Write the preview's children in one transaction (through the journey import), or nothing."""
    if not preview.clean and not valid_only:
        count = len(preview.problems) + len(preview.refused)
        raise ImportError_(
            f"{plural(count, 'problem')} ({plural(len(preview.invalid_children), 'child')} affected"
            f"{', ' + plural(len(preview.refused), 'file') + ' refused' if preview.refused else ''}); "
            "nothing was imported. Fix the files, or import the valid children only."
        )
    if not preview.children:
        # Nothing the tracker keeps (an SSDA903 table of health checks, say): nothing is written.
        return ImportResult(skipped_children=list(preview.invalid_children))
    if cancelled and cancelled():
        raise Cancelled("Cancelled; nothing was written.")
    digest = hashlib.sha256(",".join(s.sha256 for s in preview.sources).encode()).hexdigest()
    names = "; ".join(str(s.path) for s in preview.sources)
    result = import_journey(
        db,
        {"format": FORMAT, "version": VERSION, "children": preview.children},
        source=names,
        user=user,
        digest=digest,
        cancelled=cancelled,
    )
    result.skipped_children = list(preview.invalid_children)
    return result
