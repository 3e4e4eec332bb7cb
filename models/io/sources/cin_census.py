"""The Children in Need census (DfE, XML `<Message><Children><Child>`), with the 2026-27
pre-proceedings and family group decision-making block.

Mapping to journey events (ids `cin:<LAchildID>:<type>:<date>`):

| CIN census | journey |
|---|---|
| `LAchildID`, `PersonBirthDate` (or `ExpectedPersonBirthDate`), `Sex`/`GenderCurrent` (1 male, 2 female), `Ethnicity`, `Disability` (other than `NONE`) | child `id`, `date_of_birth` (`expected_date_of_birth`), `gender`, `ethnicity`, `disability` |
| `Section47/S47ActualStartDate` | `strategy_discussion`, `s47` true |
| `Section47/DateOfInitialCPC`, `CINdetails/DateOfInitialCPC` | `icpc` (`outcome` `plan` when a plan starts that day) |
| `Section47/ICPCnotRequired` true (and no ICPC) | `s47_concluded`, `icpc_needed` false, on the enquiry's date |
| `ChildProtectionPlans/CPPstartDate`, `InitialCategoryOfAbuse` | `icpc`, `outcome` `plan`, `category` |
| `Reviews/CPPreviewDate` | `cp_review` |
| `CPPendDate` | `cp_plan_ended` |
| `PreProceedingsandFGDM/PPStartDate` | `legal_planning_meeting`, `decision` `pre_proceedings` |
| `LBPSentDate` | `letter_before_proceedings` |
| `FGDMMeetingOffer` = 1 | `family_group_conference`, `stage` `offered`, on the letter's date (the offer is made in the letter) |
| `InitialPPMeetingDate` | `pre_proceedings_meeting` |
| `StepDecisionDate` | `pre_proceedings_ended`, `outcome` `step_down` |
| `CourtAppDate` | `pre_proceedings_ended` `outcome` `issue` (if not stepped down) and `proceedings_issued` |

The census holds every CP review, but no core groups, visits, looked-after events (those are in the
SSDA903) or hearings: those are `untracked`. `tracked_from` is the collection's `ReferenceDate`
(31 March). Dates are ISO `yyyy-mm-dd`. `ReviewMeetingsCount`, `PPOutcome`, `FGDMMeetingFac` and
`LetterInitCPDate` carry no date the clocks could use and are not read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from models.io.sources.common import (
    Builder,
    Problem,
    Source,
    SourceError,
    Where,
    code,
    gender,
    parse_birth,
    parse_day,
    untracked_except,
    yes_no,
)
from models.io.sources.files import child_text, children_named, local, parse_xml, sha256_of

FORMAT = "cin_census"
HELD = (
    "strategy_discussion",
    "s47_concluded",
    "icpc",
    "cp_review",
    "cp_plan_ended",
    "legal_planning_meeting",
    "letter_before_proceedings",
    "family_group_conference",
    "pre_proceedings_meeting",
    "pre_proceedings_ended",
    "proceedings_issued",
)
_CATEGORY = {"NEG": "neglect", "PHY": "physical", "SAB": "sexual", "EMO": "emotional", "MUL": "multiple"}


def is_cin_census(root: Element) -> bool:
    return local(root.tag) == "Message" and any(local(e.tag) == "Children" for e in root)


def read(path: Path) -> Source:
    root = parse_xml(path)
    if not is_cin_census(root):
        raise SourceError(
            f"{path.name}: not a CIN census file (its root is <{local(root.tag)}>, not <Message> with <Children>)."
        )
    source = Source(path, FORMAT, "CIN census", sha256=sha256_of(path))
    builder = Builder(source, "cin")
    header = (children_named(root, "Header") or [root])[0]
    details = (children_named(header, "CollectionDetails") or [header])[0]
    reference = child_text(details, "ReferenceDate")
    children = (children_named(root, "Children") or [root])[0]
    for n, child in enumerate(children_named(children, "Child"), start=1):
        _child(source, builder, path, n, child)
    builder.finish()
    source.untracked = untracked_except(*HELD)
    day, _reason = parse_day(reference)
    if day is not None:
        source.tracked_from = day
        source.tracked_from_basis = "the census's reference date (its collection end)"
    return source


def _child(source: Source, builder: Builder, path: Path, n: int, child: Element) -> None:
    here = f"<Child> {n}"
    ids = (children_named(child, "ChildIdentifiers") or [child])[0]
    child_id = child_text(ids, "LAchildID")
    if child_id is None:
        source.problems.append(
            Problem(Where(path.name, row=here, column="LAchildID"), "the child id is missing")
        )
        return

    def day_of(element: Element, name: str, at: str) -> date | None:
        value = child_text(element, name)
        day, reason = parse_day(value)
        if reason:
            source.problems.append(Problem(Where(path.name, row=at, column=name), reason, child_id))
        return day

    birth, reason = parse_birth(child_text(ids, "PersonBirthDate"))
    if reason:
        source.problems.append(
            Problem(Where(path.name, row=here, column="PersonBirthDate"), reason, child_id)
        )
    expected, reason = parse_birth(child_text(ids, "ExpectedPersonBirthDate"))
    if reason:
        source.problems.append(
            Problem(Where(path.name, row=here, column="ExpectedPersonBirthDate"), reason, child_id)
        )
    traits = (children_named(child, "ChildCharacteristics") or [child])[0]
    disabilities = [
        (d.text or "").strip().upper()
        for block in children_named(traits, "Disabilities")
        for d in children_named(block, "Disability")
    ]
    builder.child(
        child_id,
        Where(path.name, row=here),
        date_of_birth=birth,
        expected_date_of_birth=expected if birth is None else None,
        gender=gender(child_text(ids, "GenderCurrent") or child_text(ids, "Sex")),
        ethnicity=code(child_text(traits, "Ethnicity")),
        disability=(any(d and d != "NONE" for d in disabilities) if disabilities else None),
    )
    ev = builder.event
    for d, cin in enumerate(children_named(child, "CINdetails"), start=1):
        at = f"{here} <CINdetails> {d}"
        plans = children_named(cin, "ChildProtectionPlans")
        plan_starts: set[date] = set()
        for p, plan in enumerate(plans, start=1):
            pat = f"{at} <ChildProtectionPlans> {p}"
            start = day_of(plan, "CPPstartDate", pat)
            if start is not None:
                plan_starts.add(start)
                category = _CATEGORY.get((child_text(plan, "InitialCategoryOfAbuse") or "").upper())
                ev(
                    child_id,
                    "icpc",
                    start,
                    Where(path.name, row=pat, column="CPPstartDate"),
                    outcome="plan",
                    category=category,
                )
            for r, reviews in enumerate(children_named(plan, "Reviews"), start=1):
                for review in children_named(reviews, "CPPreviewDate"):
                    day, reason = parse_day(review.text)
                    rat = Where(path.name, row=f"{pat} <Reviews> {r}", column="CPPreviewDate")
                    if reason:
                        source.problems.append(Problem(rat, reason, child_id))
                    elif day is not None:
                        ev(child_id, "cp_review", day, rat)
            end = day_of(plan, "CPPendDate", pat)
            if end is not None:
                ev(child_id, "cp_plan_ended", end, Where(path.name, row=pat, column="CPPendDate"))
        icpc = day_of(cin, "DateOfInitialCPC", at)
        if icpc is not None:
            ev(
                child_id,
                "icpc",
                icpc,
                Where(path.name, row=at, column="DateOfInitialCPC"),
                outcome="plan" if icpc in plan_starts else None,
            )
        for s, s47 in enumerate(children_named(cin, "Section47"), start=1):
            sat = f"{at} <Section47> {s}"
            start = day_of(s47, "S47ActualStartDate", sat)
            conference = day_of(s47, "DateOfInitialCPC", sat)
            if start is not None:
                ev(
                    child_id,
                    "strategy_discussion",
                    start,
                    Where(path.name, row=sat, column="S47ActualStartDate"),
                    s47=True,
                )
                if conference is None and yes_no(child_text(s47, "ICPCnotRequired")):
                    ev(
                        child_id,
                        "s47_concluded",
                        start,
                        Where(path.name, row=sat, column="ICPCnotRequired"),
                        icpc_needed=False,
                    )
            if conference is not None:
                ev(
                    child_id,
                    "icpc",
                    conference,
                    Where(path.name, row=sat, column="DateOfInitialCPC"),
                    outcome="plan" if conference in plan_starts else None,
                )
        for b, block in enumerate(children_named(cin, "PreProceedingsandFGDM"), start=1):
            _pre_proceedings(
                source, builder, path, child_id, f"{at} <PreProceedingsandFGDM> {b}", block, day_of
            )


def _pre_proceedings(
    source: Source, builder: Builder, path: Path, child_id: str, at: str, block: Element, day_of: Any
) -> None:
    ev = builder.event

    def w(column: str) -> Where:
        return Where(path.name, row=at, column=column)

    start = day_of(block, "PPStartDate", at)
    letter = day_of(block, "LBPSentDate", at)
    meeting = day_of(block, "InitialPPMeetingDate", at)
    step_down = day_of(block, "StepDecisionDate", at)
    court = day_of(block, "CourtAppDate", at)
    if start is not None:
        ev(child_id, "legal_planning_meeting", start, w("PPStartDate"), decision="pre_proceedings")
    if letter is not None:
        ev(child_id, "letter_before_proceedings", letter, w("LBPSentDate"))
        if yes_no(child_text(block, "FGDMMeetingOffer")):
            ev(child_id, "family_group_conference", letter, w("FGDMMeetingOffer"), stage="offered")
    if meeting is not None:
        ev(child_id, "pre_proceedings_meeting", meeting, w("InitialPPMeetingDate"))
    if step_down is not None:
        ev(child_id, "pre_proceedings_ended", step_down, w("StepDecisionDate"), outcome="step_down")
    if court is not None:
        if step_down is None:
            ev(child_id, "pre_proceedings_ended", court, w("CourtAppDate"), outcome="issue")
        ev(child_id, "proceedings_issued", court, w("CourtAppDate"))
