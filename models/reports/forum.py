"""The weekly permanence forum: the agenda for a date, and the minutes once decisions are recorded.

The agenda lists the five groups of `models.screens.forum` with a sentence per child and a blank
column to write the outcome in; the minutes list each child's `permanence_forum` event of the date
(outcome, actions and the next review by the forum).
"""

from __future__ import annotations

from typing import Final

from reportlab.platypus import Flowable

from models.reports.common import ReportRequest, child_cell, plural
from models.reports.document import fmt, heading, note, para, table, title
from models.reports.tables import Column
from models.screens.facts import Caseload
from models.screens.forum import GROUPS, Agenda, forum_agenda

TITLE: Final = "Permanence forum"

AGENDA_COLUMNS: Final = (
    Column("Child", 1.2),
    Column("Social worker", 0.9),
    Column("Reviewing officer", 0.9),
    Column("Team", 0.8),
    Column("Why on the agenda", 3.0),
    Column("Outcome and actions (write in)", 2.2),
)

MINUTE_COLUMNS: Final = (
    Column("Child", 1.2),
    Column("Outcome", 2.6),
    Column("Actions", 3.0),
    Column("Next review by the forum", 1.0),
)


def story(agenda: Agenda) -> list[Flowable]:
    day = fmt(agenda.day)
    out: list[Flowable] = [
        title(f"{TITLE}: {day}"),
        para(
            f"The children to discuss at the permanence forum on {day}: "
            f"{plural(len(agenda.children), 'child', 'children')} in {plural(len(agenda.items), 'item')}. "
            "A child may come under more than one heading. After the forum, record each child's outcome and "
            "actions as a Permanence forum event dated the forum's day; the minutes below list them."
        ),
    ]
    for group in GROUPS:
        rows = [
            [child_cell(i.child_id, i.name), i.social_worker, i.reviewing_officer, i.team, i.reason, ""]
            for i in agenda.group(group.key)
        ]
        out += heading(f"{group.title} ({len(rows)})")
        out += table(AGENDA_COLUMNS, rows, empty="No child.")
    out += heading(f"Minutes of the forum on {day}")
    if agenda.minutes:
        out += table(
            MINUTE_COLUMNS,
            [
                [
                    child_cell(m.child_id, m.name),
                    m.outcome,
                    m.actions,
                    fmt(m.next_review) if m.next_review else "",
                ]
                for m in agenda.minutes
            ],
        )
    else:
        out.append(note("No forum decision has been recorded for this date yet."))
    return out


def flowables(caseload: Caseload, request: ReportRequest) -> list[Flowable]:
    return story(forum_agenda(caseload, request.as_of))
