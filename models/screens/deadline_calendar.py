"""Upcoming deadlines and listed hearings as an iCalendar file (RFC 5545) for Outlook.

For one social worker or one reviewing officer: every open deadline of their children due from the
as-of date to `weeks` ahead (an all-day event on the due date), and every hearing already listed
in their children's open proceedings. Each event names the child by id only (a calendar is seen on
phones and shared diaries), carries the rule's plain-English explanation, and is marked private;
its UID is stable, so importing a newer file updates the events instead of doubling them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from icalendar import Calendar, Event

from models.domain.rules import RULES
from models.screens.facts import Caseload
from models.screens.overview import is_open
from models.screens.words import deadline_state

#: How far ahead the calendar looks by default.
WEEKS_AHEAD: Final = 26
PRODUCT: Final = "-//Permanence Tracker//Deadlines//EN"

ROLES: Final = {"social_worker": "social worker", "reviewing_officer": "reviewing officer"}


@dataclass(frozen=True, slots=True)
class CalendarItem:
    uid: str
    day: date
    summary: str
    description: str


def calendar_items(
    caseload: Caseload, role: str, person: str, weeks: int = WEEKS_AHEAD
) -> list[CalendarItem]:
    """The person's children's upcoming deadlines and listed hearings, in date order."""
    if role not in ROLES:
        raise ValueError(f"{role!r} is not a role a calendar is made for ({', '.join(ROLES)}).")
    as_of = caseload.as_of
    last = as_of + timedelta(weeks=weeks)
    items: list[CalendarItem] = []
    for child in caseload.children:
        if str(child.fields.get(role) or "") != person:
            continue
        for d in caseload.deadlines_of(child.id):
            if not is_open(d) or not as_of <= d.due <= last:
                continue
            ref = f"-{d.ref}" if d.ref else ""
            items.append(
                CalendarItem(
                    f"{child.id}-{d.rule}-{d.trigger.isoformat()}{ref}@permanence-tracker",
                    d.due,
                    f"{RULES[d.rule].title} due: {child.id}",
                    f"{d.explanation} Now {deadline_state(caseload, d)}.",
                )
            )
        for p in caseload.facts(child).proceedings:
            for hearing in p.listed:
                kind = (hearing.kind or "hearing").upper() if hearing.kind != "other" else "Hearing"
                items.append(
                    CalendarItem(
                        f"{child.id}-hearing-{hearing.date.isoformat()}-{hearing.kind or ''}@permanence-tracker",
                        hearing.date,
                        f"{kind} listed: {child.id}" + (f" ({p.case_number})" if p.case_number else ""),
                        f"Hearing listed in the proceedings issued {p.issued:%d/%m/%Y}"
                        + (f" at {p.court}" if p.court else "")
                        + f"; the timetable ends {p.end:%d/%m/%Y}.",
                    )
                )
    items.sort(key=lambda i: (i.day, i.uid))
    return items


def to_ical(items: list[CalendarItem], name: str, as_of: date, marking: str) -> bytes:
    """The items as an iCalendar file: all-day, private events, stamped with the as-of date."""
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = datetime.combine(as_of, time(0, 0))
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", f"{marking.upper()}. {item.description}")
        event.add("class", "PRIVATE")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
