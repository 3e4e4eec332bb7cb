"""Ofsted's Annex A lists as data: each list's sheet name, title row and columns (header, and the
key the tracker reads or writes it under). The reader (`models.io.sources.annex_a`) and the export
(`models.io.annex_a_export`) both use this one table; when Ofsted renames a column, change it here
(and keep the old wording in `ALIASES`, so last year's workbooks still read).

Headers are those of liia-tools' Annex A schema (reference.md 5.2), Ofsted's 2019-2024 templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str
    key: str | None = None  # the row key it shows; None: a column the tracker does not keep


def _cols(*items: str | tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(i) if isinstance(i, str) else Column(i[0], i[1]) for i in items)


_CHILD = (
    ("Child Unique ID", "id"),
    ("Gender", "gender"),
    ("Ethnicity", "ethnicity"),
    ("Date of Birth", "dob"),
    ("Age of Child (Years)", "age"),
)

#: Ofsted's lists as the tracker reads and writes them: sheet name -> title, columns (header, key).
LISTS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "List 5": (
        "List 5: Section 47 enquiries and Initial Child Protection Conferences",
        _cols(
            *_CHILD,
            ("Does the Child have a Disability", "disability"),
            ("Strategy discussion initiating Section 47 Enquiry Start Date", "s47"),
            ("Was an Initial Child Protection Conference deemed unnecessary?", "icpc_unnecessary"),
            ("Date of Initial Child Protection Conference", "icpc"),
            ("Did the Initial Child Protection Conference Result in a Child Protection Plan", "icpc_plan"),
            "Number of Section 47 Enquiries in the last 12 months",
            "Number of ICPCs in the last 12 months",
            ("Allocated Team", "team"),
            ("Allocated Worker", "worker"),
        ),
    ),
    "List 7": (
        "List 7: Child protection",
        _cols(
            *_CHILD,
            ("Does the Child have a Disability", "disability"),
            ("Child Protection Plan Start Date", "start"),
            ("Initial Category of Abuse", "initial_category"),
            ("Latest Category of Abuse", "latest_category"),
            ("Date of the Last Statutory Visit", "visit"),
            ("Was the Child Seen Alone?", "seen_alone"),
            ("Date of latest review conference", "review"),
            ("Child Protection Plan End Date", "end"),
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
            ("Number of Previous Child Protection Plans", "previous"),
            ("Allocated Team", "team"),
            ("Allocated Worker", "worker"),
        ),
    ),
    "List 8": (
        "List 8: Children in care",
        _cols(
            *_CHILD,
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
            ("Does the Child have a Disability", "disability"),
            ("Date Started to be Looked After", "start"),
            "Child's Category of Need",
            "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
            ("Start date of current legal status", "status_start"),
            ("Child's Legal Status", "status"),
            ("Date of Latest Statutory Review", "review"),
            ("Date of Last Social Work Visit", "visit"),
            ("What is the permanence plan for this child?", "plan"),
            "Date of Last IRO Visit / Contact to the Child",
            "Date of Last Health Assessment",
            "Date of Last Dental Check",
            "Number of Placements in the Last 12 months",
            ("Date Ceased to be Looked After", "ceased"),
            ("Reason Ceased to be Looked After", "reason"),
            "Start Date of Most Recent Placement",
            "Placement Type",
            "Placement Provider",
            "Placement postcode",
            "URN of Placement",
            "Placement Location",
            "LA of Placement",
            "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
            "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
            "Was the child offered a Return Interview after their last missing episode (Y/N)?",
            "Did the child accept a Return Interview after their last missing episode (Y/N)?",
            ("Allocated Team", "team"),
            ("Allocated Worker", "worker"),
        ),
    ),
    "List 10": (
        "List 10: Adoption",
        _cols(
            ("Child Unique ID", "id"),
            "Family identifier",
            ("Gender", "gender"),
            ("Ethnicity", "ethnicity"),
            ("Date of Birth", "dob"),
            ("Age of Child (Years)", "age"),
            ("Does the Child have a Disability", "disability"),
            ("Date the Child Entered Care", "entered"),
            "Date of Decision that Child Should be Placed for Adoption",
            ("Date of Placement Order", "placement_order"),
            "Date of Matching Child and Prospective Adopters",
            "Date Placed for Adoption",
            ("Date of Adoption Order", "adoption_order"),
            "Date of Decision that Child Should No Longer be Placed for Adoption",
            "Reason Why Child No Longer Placed for Adoption",
            "Date the child was placed for fostering in FFA or concurrent planning placement",
        ),
    ),
}

#: Other wordings of a column met in real workbooks (key -> headers), matched like the headers.
ALIASES: dict[str, tuple[str, ...]] = {"age": ("Age",)}

_SHEET = re.compile(r"^\s*list[\s_]*(\d{1,2})\s*$", re.IGNORECASE)


def list_number(sheet_name: str) -> int | None:
    """The list a sheet holds, by its name: `List 7`, `List_7` and `list7` are 7."""
    match = _SHEET.match(sheet_name)
    return int(match[1]) if match else None


def norm(header: object) -> str:
    """A header as compared: lower case, letters and digits only (spaces, NBSP, punctuation dropped)."""
    return re.sub(r"[^a-z0-9]", "", str(header or "").replace("\u00a0", " ").lower())


def headers(number: int) -> dict[str, tuple[str, ...]]:
    """The keyed columns of list `number`: key -> its header and aliases."""
    _title, columns = LISTS[f"List {number}"]
    return {c.key: (c.header, *ALIASES.get(c.key, ())) for c in columns if c.key}
