"""Ofsted Annex A workbooks (the ILACS child-level lists): the 2019, 2021 and 2024 layouts.

Sheets are `List 5` or `List_5`; the header is in row 1, or in row 2 under a title row ("List 7:
Child protection"). Coded values carry letter prefixes (`a) WBRI`, `b) Female`), which are
dropped; non-breaking spaces are spaces; `#N/A` is blank. Formulas are read as their cached
values; a formula cell with no cached value (a workbook saved by a program that does not
calculate) is reported. Legacy `.xls` is refused (save it as `.xlsx`).

Mapping to journey events (ids `annexa:<child>:<type>:<date>`, so the same event met in two lists,
or in next month's workbook, is one):

| list, column | journey |
|---|---|
| every list: Child Unique ID, Gender, Ethnicity, Date of Birth, Does the Child have a Disability, Allocated Team, Allocated Worker | child `id`, `gender`, `ethnicity`, `date_of_birth`, `disability`, `team`, `social_worker` |
| 5: Strategy discussion initiating Section 47 Enquiry Start Date | `strategy_discussion`, `s47` true |
| 5: Was an ICPC deemed unnecessary? = yes (and no ICPC date) | `s47_concluded`, `icpc_needed` false, on the enquiry's date (the list gives no date of its own) |
| 5: Date of Initial Child Protection Conference; Did the ICPC result in a CP plan | `icpc`, `outcome` `plan` / `no_plan` |
| 7: Child Protection Plan Start Date; Initial Category of Abuse | `icpc`, `outcome` `plan`, `category` |
| 7: Date of the Last Statutory Visit; Was the Child Seen Alone? | `cp_visit`, `seen_alone` |
| 7: Date of latest review conference; Latest Category of Abuse | `cp_review`, `category` |
| 7: Child Protection Plan End Date | `cp_plan_ended` |
| 8: Date Started to be Looked After (legal status when its start date is that day) | `became_looked_after`, `legal_status` |
| 8: Start date of current legal status; Child's Legal Status (`C2: FCO` -> `C2`) | `legal_status_changed` (on a later day) |
| 8: Date of Latest Statutory Review | `cla_review` |
| 8: Date of Last Social Work Visit | `cla_visit` |
| 8: Date Ceased to be Looked After; Reason Ceased (`a) E11: Adopted ...` -> `E11`) | `ceased_looked_after`, `reason` |
| 10: Date the Child Entered Care | `became_looked_after` |
| 10: Date of Placement Order | `legal_status_changed`, `legal_status` `E1` |
| 10: Date of Adoption Order | `ceased_looked_after`, `reason` `E11` (adopted; the list does not say whether consent was dispensed with) |

Annex A is a snapshot: it keeps the start of each episode and only the latest review and visit.
It holds no core groups, permanence plans (List 8 names the plan but not its date) and nothing of
PLO, court or DRP: those are `untracked`. `tracked_from` is the workbook's latest date (the
extract was made on or after it) unless the person gives the extract's date.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from models.domain.journey import ICPC_CATEGORIES
from models.io.annex_a_layout import headers, list_number, norm
from models.io.sources.common import (
    Builder,
    Problem,
    Source,
    SourceError,
    Where,
    clean,
    code,
    gender,
    parse_birth,
    parse_day,
    text_id,
    untracked_except,
    yes_no,
)
from models.io.sources.files import open_workbook, sha256_of, sheet_names

FORMAT = "annex_a"
HELD = (
    "strategy_discussion",
    "s47_concluded",
    "icpc",
    "cp_visit",
    "cp_review",
    "cp_plan_ended",
    "became_looked_after",
    "legal_status_changed",
    "cla_review",
    "cla_visit",
    "ceased_looked_after",
)

#: The lists read; their columns (header and key) are `models.io.annex_a_layout.LISTS`, shared with
#: the export, and matched without case, spaces or punctuation.
READ = (5, 7, 8, 10)
DATE_KEYS = frozenset(
    {
        "s47",
        "icpc",
        "start",
        "visit",
        "review",
        "end",
        "status_start",
        "ceased",
        "entered",
        "placement_order",
        "adoption_order",
    }
)
LIST_NAMES = {
    5: "Section 47 enquiries and ICPCs",
    7: "Child protection",
    8: "Children in care",
    10: "Adoption",
}

_CATEGORY = {
    "neglect": "neglect",
    "neg": "neglect",
    "physical abuse": "physical",
    "physical": "physical",
    "phy": "physical",
    "sexual abuse": "sexual",
    "sexual": "sexual",
    "sab": "sexual",
    "emotional abuse": "emotional",
    "emotional": "emotional",
    "emo": "emotional",
    "multiple/not recommended": "multiple",
    "multiple": "multiple",
    "mul": "multiple",
}
_SSDA_CODE = re.compile(r"^([A-Z]\d[A-Z0-9]?)\b")


def looks_like(path: Path) -> bool:
    """Whether a workbook has Annex A list sheets (any of them)."""
    return any(list_number(name) is not None for name in sheet_names(path))


@dataclass
class _Sheet:
    number: int
    name: str
    header_row: int
    columns: dict[str, int]


def read(path: Path) -> Source:
    source = Source(path, FORMAT, "Ofsted Annex A", sha256=sha256_of(path))
    values = open_workbook(path, data_only=True)
    try:
        sheets = {list_number(name): name for name in values.sheetnames}
        read_lists = [n for n in READ if n in sheets]
        if not read_lists:
            names = ", ".join(values.sheetnames[:12])
            raise SourceError(
                f"{path.name}: no list the tracker reads (List 5, 7, 8 or 10 of Ofsted's Annex A); "
                f"its sheets are {names}."
            )
        builder = Builder(source, "annexa")
        latest: date | None = None
        for number in read_lists:
            name = sheets[number]
            assert name is not None
            sheet = values[name]
            found = _read_sheet(source, builder, path, number, name, sheet, uncached_formulas(path, sheet))
            if found and (latest is None or found > latest):
                latest = found
    finally:
        values.close()
    if not builder.finish():
        source.notes.append("The lists the tracker reads (5, 7, 8 and 10) hold no child.")
    source.untracked = untracked_except(*HELD)
    if latest is not None:
        source.tracked_from = latest + timedelta(days=1)
        source.tracked_from_basis = f"the day after the workbook's latest date ({latest:%d/%m/%Y}); give the extract's date if you know it"
    return source


_FORMULA = re.compile(rb"<f[\s>/]")
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"')
_FORMULA_TEXT = re.compile(rb"<f[^>]*>([^<]*)</f>")
_VALUE = re.compile(rb"<v>[^<]+</v>")


def uncached_formulas(path: Path, sheet: Any) -> dict[tuple[int, int], str]:
    """The formula cells of a sheet that have no saved value: (row, column index) -> formula.

    Read from the sheet's XML inside the workbook (openpyxl's data-only mode shows them as blank,
    and a second pass without it doubled the time of a 12,000-child workbook). A sheet with no
    formula at all is passed over after one byte search.
    """
    member = getattr(sheet, "_worksheet_path", None)
    if not isinstance(member, str):
        return {}
    with zipfile.ZipFile(path) as archive:
        try:
            data = archive.read(member.lstrip("/"))
        except KeyError:
            return {}
    found: dict[tuple[int, int], str] = {}
    if b"<f" not in data:
        return found
    for match in _FORMULA.finditer(data):
        start = data.rfind(b"<c", 0, match.start())
        end = data.find(b"</c>", match.start())
        if start < 0 or end < 0:
            continue
        element = data[start:end]
        if _VALUE.search(element):
            continue
        ref = _CELL_REF.match(element)
        if ref is None:
            continue
        column = 0
        for letter in ref[1]:
            column = column * 26 + (letter - 64)
        text = _FORMULA_TEXT.search(element)
        formula = "=" + text[1].decode("utf-8", "replace") if text and text[1] else "(a shared formula)"
        found[(int(ref[2]), column - 1)] = formula
    return found


def _header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]] | None:
    """The header row (1-based) and each known column's index, from the first rows."""
    wanted = {norm("Child Unique ID")}
    for index, row in enumerate(rows, start=1):
        cells = {norm(c): i for i, c in enumerate(row) if c is not None}
        if wanted & cells.keys():
            return index, cells
    return None


def _read_sheet(
    source: Source,
    builder: Builder,
    path: Path,
    number: int,
    name: str,
    values: Any,
    uncached: dict[tuple[int, int], str],
) -> date | None:
    value_rows: Iterator[tuple[Any, ...]] = values.iter_rows(values_only=True)
    first = []
    for _ in range(3):
        row = next(value_rows, None)
        if row is None:
            break
        first.append(row)
    found = _header(first)
    if found is None:
        if any(any(c is not None for c in row) for row in first):
            source.problems.append(
                Problem(
                    Where(path.name, name, 1),
                    "no 'Child Unique ID' column in the first rows; the list is not read",
                )
            )
        return None
    header_row, cells = found
    columns: dict[str, int] = {}
    headers_by_index: dict[int, str] = {}
    for key, heads in headers(number).items():
        for head in heads:
            if norm(head) in cells:
                columns[key] = cells[norm(head)]
                headers_by_index[cells[norm(head)]] = head
                break
    # Rows read before the header was found that come after it are data.
    pending = [(i, r) for i, r in enumerate(first, start=1) if i > header_row]
    latest: date | None = None

    def rows() -> Iterator[tuple[int, tuple[Any, ...]]]:
        yield from pending
        yield from enumerate(value_rows, start=len(first) + 1)

    for number_in_sheet, row in rows():
        if not any(clean(c) is not None for c in row):
            continue

        def cell(
            key: str,
            row: tuple[Any, ...] = row,
            n: int = number_in_sheet,
        ) -> Any:
            index = columns.get(key)
            if index is None or index >= len(row):
                return None
            value = row[index]
            if value is None and uncached:
                formula = uncached.get((n, index))
                if formula is not None:
                    source.problems.append(
                        Problem(
                            Where(path.name, name, n, headers_by_index[index]),
                            f"the formula {formula} has no saved value (the workbook was not calculated); "
                            "open it in Excel, save it, and import again",
                            text_id(row[columns["id"]]) if "id" in columns else None,
                        )
                    )
            return value

        def where(key: str, n: int = number_in_sheet) -> Where:
            index = columns.get(key)
            return Where(path.name, name, n, headers_by_index.get(index) if index is not None else None)

        child_id = text_id(cell("id"))
        if child_id is None:
            source.problems.append(Problem(where("id"), "the child id is missing"))
            continue
        dob, reason = parse_birth(cell("dob"))
        if reason:
            source.problems.append(Problem(where("dob"), reason, child_id))
        builder.child(
            child_id,
            Where(path.name, name, number_in_sheet),
            date_of_birth=dob,
            gender=gender(cell("gender")),
            ethnicity=code(cell("ethnicity")),
            disability=yes_no(cell("disability")),
            team=clean(cell("team")),
            social_worker=clean(cell("worker")),
        )
        days: dict[str, date] = {}
        for key in DATE_KEYS & columns.keys():
            day, reason = parse_day(cell(key))
            if reason:
                source.problems.append(Problem(where(key), reason, child_id))
            elif day is not None:
                days[key] = day
                latest = day if latest is None or day > latest else latest
        _events(builder, number, child_id, days, cell, where)
    return latest


def _category(value: Any) -> str | None:
    text = code(value)
    if text is None:
        return None
    category = _CATEGORY.get(text.lower())
    return category if category in ICPC_CATEGORIES else None


def ssda_code(value: Any) -> str | None:
    """The SSDA903 code at the start of an Annex A value: `a) E11: Adopted ...` is `E11`."""
    text = code(value)
    if text is None:
        return None
    match = _SSDA_CODE.match(text.upper())
    return match[1] if match else None


def _events(
    builder: Builder, number: int, child_id: str, days: dict[str, date], cell: Any, where: Any
) -> None:
    ev = builder.event
    if number == 5:
        if "s47" in days:
            ev(child_id, "strategy_discussion", days["s47"], where("s47"), s47=True)
            if "icpc" not in days and yes_no(cell("icpc_unnecessary")):
                ev(child_id, "s47_concluded", days["s47"], where("icpc_unnecessary"), icpc_needed=False)
        if "icpc" in days:
            plan = yes_no(cell("icpc_plan"))
            outcome = None if plan is None else ("plan" if plan else "no_plan")
            ev(child_id, "icpc", days["icpc"], where("icpc"), outcome=outcome)
    elif number == 7:
        if "start" in days:
            ev(
                child_id,
                "icpc",
                days["start"],
                where("start"),
                outcome="plan",
                category=_category(cell("initial_category")),
            )
        if "visit" in days:
            ev(child_id, "cp_visit", days["visit"], where("visit"), seen_alone=yes_no(cell("seen_alone")))
        if "review" in days:
            ev(
                child_id,
                "cp_review",
                days["review"],
                where("review"),
                category=_category(cell("latest_category")),
            )
        if "end" in days:
            ev(child_id, "cp_plan_ended", days["end"], where("end"))
    elif number == 8:
        status = ssda_code(cell("status"))
        start = days.get("start")
        if start is not None:
            same = days.get("status_start") in (None, start)
            ev(child_id, "became_looked_after", start, where("start"), legal_status=status if same else None)
        status_start = days.get("status_start")
        if (
            status_start is not None
            and status
            and status_start != start
            and (start is None or status_start > start)
        ):
            ev(child_id, "legal_status_changed", status_start, where("status_start"), legal_status=status)
        if "review" in days:
            ev(child_id, "cla_review", days["review"], where("review"))
        if "visit" in days:
            ev(child_id, "cla_visit", days["visit"], where("visit"))
        if "ceased" in days:
            ev(
                child_id,
                "ceased_looked_after",
                days["ceased"],
                where("ceased"),
                reason=ssda_code(cell("reason")),
            )
    elif number == 10:
        if "entered" in days:
            ev(child_id, "became_looked_after", days["entered"], where("entered"))
        if "placement_order" in days:
            ev(
                child_id,
                "legal_status_changed",
                days["placement_order"],
                where("placement_order"),
                legal_status="E1",
            )
        if "adoption_order" in days:
            ev(child_id, "ceased_looked_after", days["adoption_order"], where("adoption_order"), reason="E11")
