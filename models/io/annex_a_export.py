"""The Annex A lists the tracker can fill, as an XLSX workbook in Ofsted's layout: List 5 (section 47
enquiries and ICPCs), List 7 (child protection plans) and List 8 (children in care).

The headers are data (`models.io.annex_a_layout.LISTS`, shared with the reader): when Ofsted renames
a column, change it there. A column the
tracker does not keep is left blank. Coded values are written as Ofsted's returns write them
(`a) Yes`, `a) Neglect`, `C2`). Every text cell is neutralised against formula injection, as in
every export; dates are real date cells (dd/mm/yyyy). Written 0600 through a temporary file,
then renamed, and audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from models.domain.records import ChildRecord, EventRecord
from models.io.annex_a_layout import LISTS
from models.io.audited_export import export_audited
from models.io.export import cell_value
from models.storage.db import Database
from models.storage.store import iter_children

_YES, _NO = "a) Yes", "b) No"
_CATEGORY = {
    "neglect": "a) Neglect",
    "physical": "b) Physical abuse",
    "sexual": "c) Sexual abuse",
    "emotional": "d) Emotional abuse",
    "multiple": "e) Multiple/not recommended",
}
_GENDER = {
    "male": "a) Male",
    "female": "b) Female",
    "other": "d) Neither",
    "unknown": "c) Not stated/recorded",
}

Row = dict[str, Any]


_PLAN = {
    "return_home": "a) Return to family",
    "adoption": "b) Adoption",
    "sgo": "c) SGO/CAO",
    "cao": "c) SGO/CAO",
    "supported_living": "d) Supported living in the community",
    "residential": "e) Long-term residential placement",
    "long_term_fostering": "f) Long-term fostering",
    "other": "g) other",
}


def _yes(value: bool | None) -> str | None:
    return None if value is None else (_YES if value else _NO)


def _child_cells(child: ChildRecord, as_of: date) -> Row:
    f = child.fields
    dob = f.get("date_of_birth")
    age = None
    if isinstance(dob, date):
        age = as_of.year - dob.year - ((as_of.month, as_of.day) < (dob.month, dob.day))
    return {
        "id": child.id,
        "gender": _GENDER.get(f.get("gender") or ""),
        "ethnicity": f.get("ethnicity"),
        "dob": dob,
        "age": age,
        "disability": _yes(f.get("disability")),
        "team": f.get("team"),
        "worker": f.get("social_worker"),
    }


def _ordered(child: ChildRecord, as_of: date) -> list[EventRecord]:
    return sorted((e for e in child.events if e.date <= as_of), key=lambda e: e.date)


def list5_rows(child: ChildRecord, as_of: date) -> list[Row]:
    events = _ordered(child, as_of)
    starts = [e for e in events if e.type == "strategy_discussion" and e.fields.get("s47")]
    rows = []
    for n, start in enumerate(starts):
        nxt = starts[n + 1].date if n + 1 < len(starts) else None
        window = [e for e in events if e.date >= start.date and (nxt is None or e.date < nxt)]
        icpc = next((e for e in window if e.type == "icpc"), None)
        withdrawn = next(
            (e for e in window if e.type == "s47_concluded" and e.fields.get("icpc_needed") is False), None
        )
        if icpc is not None and withdrawn is not None and withdrawn.date < icpc.date:
            icpc = None
        outcome = icpc.fields.get("outcome") if icpc else None
        rows.append(
            {
                **_child_cells(child, as_of),
                "s47": start.date,
                "icpc_unnecessary": _YES if (withdrawn and icpc is None) else (_NO if icpc else None),
                "icpc": icpc.date if icpc else None,
                "icpc_plan": None if outcome is None else _yes(outcome == "plan"),
            }
        )
    return rows


def list7_rows(child: ChildRecord, as_of: date) -> list[Row]:
    events = _ordered(child, as_of)
    rows: list[Row] = []
    plan: Row | None = None
    for e in events:
        if e.type == "icpc" and e.fields.get("outcome") == "plan":
            if plan is not None:
                plan["end"] = e.date
            plan = {
                **_child_cells(child, as_of),
                "start": e.date,
                "initial_category": _CATEGORY.get(e.fields.get("category") or ""),
                "latest_category": _CATEGORY.get(e.fields.get("category") or ""),
                "previous": len(rows),
            }
            rows.append(plan)
        elif plan is None:
            continue
        elif e.type == "cp_visit":
            plan["visit"], plan["seen_alone"] = e.date, _yes(e.fields.get("seen_alone"))
        elif e.type == "cp_review":
            plan["review"] = e.date
            if e.fields.get("category"):
                plan["latest_category"] = _CATEGORY.get(e.fields["category"])
            if e.fields.get("outcome") == "end":
                plan["end"], plan = e.date, None
        elif e.type == "cp_plan_ended":
            plan["end"], plan = e.date, None
    return rows


def list8_rows(child: ChildRecord, as_of: date) -> list[Row]:
    events = _ordered(child, as_of)
    rows: list[Row] = []
    period: Row | None = None
    for e in events:
        if e.type == "became_looked_after" and period is None:
            period = {
                **_child_cells(child, as_of),
                "start": e.date,
                "status_start": e.date if e.fields.get("legal_status") else None,
                "status": e.fields.get("legal_status"),
            }
            rows.append(period)
        elif period is None:
            continue
        elif e.type == "legal_status_changed" and e.fields.get("legal_status"):
            period["status_start"], period["status"] = e.date, e.fields["legal_status"]
        elif e.type == "cla_review":
            period["review"] = e.date
        elif e.type == "cla_visit":
            period["visit"] = e.date
        elif e.type == "permanence_plan" and e.fields.get("plan"):
            period["plan"] = _PLAN.get(e.fields["plan"])
        elif e.type == "ceased_looked_after":
            period["ceased"], period["reason"] = e.date, e.fields.get("reason")
            period = None
    return rows


#: The lists the tracker can fill, in order.
WRITTEN = ("List 5", "List 7", "List 8")
_BUILDERS: dict[str, Callable[[ChildRecord, date], list[Row]]] = {
    "List 5": list5_rows,
    "List 7": list7_rows,
    "List 8": list8_rows,
}


def _workbook(children: Iterable[ChildRecord], as_of: date) -> tuple[Any, dict[str, int]]:
    """The workbook (write-only, to be saved once) and the rows in it per list."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheets = {}
    for name in WRITTEN:
        title, columns = LISTS[name]
        ws = workbook.create_sheet(name)
        ws.append([title])
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.header)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        sheets[name] = (ws, columns)
    counts = dict.fromkeys(WRITTEN, 0)
    for child in children:
        for name, build in _BUILDERS.items():
            ws, columns = sheets[name]
            for row in build(child, as_of):
                cells: list[Any] = []
                for column in columns:
                    value = cell_value(row.get(column.key)) if column.key else None
                    if isinstance(value, date):
                        cell = WriteOnlyCell(ws, value=value)
                        cell.number_format = "dd/mm/yyyy"
                        cells.append(cell)
                    else:
                        cells.append(value)
                ws.append(cells)
                counts[name] += 1
    return workbook, counts


def export_annex_a(
    db: Database, path: Path, as_of: date, child_ids: Sequence[str] | None = None, user: str | None = None
) -> dict[str, int]:
    """Write the workbook of every child (or some) and audit it, both or neither."""
    with db.engine.connect() as conn:
        children = list(iter_children(conn, child_ids))
    counts: dict[str, int] = {}

    def fill(fh: BinaryIO) -> dict[str, Any]:
        workbook, written = _workbook(children, as_of)
        workbook.save(fh)
        counts.update(written)
        return {"format": "xlsx", "rows": counts, "as_of": as_of.isoformat()}

    export_audited(db, path, fill, what="annex-a", user=user)
    return counts
