"""People and roles on the team server, enforced by PostgreSQL: GRANTs, row-level security on the
kinds of event, an append-only audit naming the person, and refusals that name the role needed."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from models.domain.records import EventRecord
from models.io.journey_io import import_file
from models.storage import roles, store
from models.storage.audit import entries, verify_chain
from models.storage.db import Database, open_database
from models.storage.settings import read_settings
from models.storage.store import PermissionRefused
from tests.conftest import server_database

Person = Callable[[roles.TeamRole], tuple[str, Database]]


@pytest.fixture
def team(examples: Path) -> Iterator[tuple[Database, Person]]:
    """A team database (the examples imported, roles set up by its owner) and a way to sign people in."""
    with server_database() as url:
        owner = open_database(url)
        import_file(owner, examples / "journey.json")
        with owner.engine.begin() as conn:
            roles.setup_roles(conn)
        opened: list[Database] = []

        def person(role: roles.TeamRole) -> tuple[str, Database]:
            login = f"{role.name.removeprefix('pt_')}_{uuid.uuid4().hex[:6]}"
            with owner.engine.begin() as conn:
                roles.add_person(conn, login, role)
            db = open_database(url.replace("postgres@", f"{login}@", 1))
            opened.append(db)
            return login, db

        try:
            yield owner, person
        finally:
            for db in opened:
                db.dispose()
            owner.dispose()


def visit(day: int = 1) -> EventRecord:
    return EventRecord("new", "cla_visit", date(2025, 8, day))


def test_the_officer_records_everything_and_the_audit_names_them(team: tuple[Database, Person]) -> None:
    owner, person = team
    login, officer = person(roles.OFFICER)
    saved = store.add_event(officer, "EX-003", visit(), user="someone.else")
    hearing = store.add_event(
        officer,
        "EX-002",
        EventRecord("h", "hearing", date(2025, 8, 4), fields={"kind": "further_case_management"}),
    )
    child = store.get_child(officer, "EX-003")
    assert child is not None
    store.save_child(
        officer, dataclasses.replace(child, fields={**child.fields, "team": "North"}), expected=child
    )
    who = {(e.entity_id, e.user) for e in entries(owner, limit=3)}
    assert who == {
        (saved.id, login),
        (hearing.id, login),
        ("EX-003", login),
    }  # the role, not a name passed in
    assert verify_chain(owner) == []


def test_the_iro_records_reviews_and_drp_steps_only(team: tuple[Database, Person]) -> None:
    _, person = team
    login, iro = person(roles.IRO)
    store.add_event(iro, "EX-003", EventRecord("r", "cla_review", date(2025, 8, 20)))
    store.add_event(
        iro,
        "EX-003",
        EventRecord(
            "d",
            "drp_raised",
            date(2025, 8, 21),
            fields={"stage": 1, "ref": "DRP-9", "category": "drift_delay"},
        ),
    )
    with pytest.raises(PermissionRefused) as refused:
        store.add_event(
            iro,
            "EX-002",
            EventRecord("h", "hearing", date(2025, 8, 4), fields={"kind": "further_case_management"}),
        )
    assert str(refused.value) == (
        "Not saved: recording a hearing needs the permanence officer or court team role; "
        f"you are signed in as {login} (IRO / CP chair)."
    )
    child = store.get_child(iro, "EX-003")
    assert child is not None
    with pytest.raises(
        PermissionRefused, match="changing a child's details needs the permanence officer role"
    ):
        store.save_child(
            iro, dataclasses.replace(child, fields={**child.fields, "team": "X"}), expected=child
        )
    # A visit is not the IRO's to change or delete (row-level security hides it from their writes).
    a_visit = next(e for e in child.events if e.type == "cla_visit")
    with pytest.raises(
        PermissionRefused, match="deleting a looked-after visit needs the permanence officer role"
    ):
        store.delete_event(iro, "EX-003", a_visit.id, expected=a_visit)
    with pytest.raises(
        PermissionRefused, match="changing a looked-after visit needs the permanence officer role"
    ):
        store.save_event(iro, "EX-003", dataclasses.replace(a_visit, note="x"), expected=a_visit)
    assert next(e for e in (store.get_child(iro, "EX-003") or child).events if e.id == a_visit.id) == a_visit
    last = max(child.events, key=lambda e: (e.date, e.id))
    assert last.type == "drp_raised"  # the IRO's own step: theirs to take back
    store.delete_event(iro, "EX-003", last.id, expected=last)


def test_the_court_team_records_court_events_only(team: tuple[Database, Person]) -> None:
    _, person = team
    login, court = person(roles.COURT)
    store.add_event(
        court,
        "EX-002",
        EventRecord("h", "hearing", date(2025, 8, 4), fields={"kind": "further_case_management"}),
    )
    with pytest.raises(
        PermissionRefused,
        match=rf"recording a looked-after visit needs the permanence officer role; you are signed in as {login} \(court team\)",
    ):
        store.add_event(court, "EX-003", visit())


def test_the_manager_reads_and_prints_but_changes_nothing(team: tuple[Database, Person]) -> None:
    _, person = team
    login, manager = person(roles.MANAGER)
    assert store.compute_deadlines(manager, date(2025, 9, 1))
    with manager.engine.begin() as conn:  # printing a report writes its audit row
        store.audit(conn, "report", "report", "tracker")
    with pytest.raises(PermissionRefused, match=rf"you are signed in as {login} \(manager\)"):
        store.add_event(manager, "EX-003", visit())
    with pytest.raises(PermissionRefused, match="changing the settings needs the administrator role"):
        with manager.engine.connect() as conn:
            settings = read_settings(conn)
        store.save_settings(manager, settings)


def test_the_administrator_changes_settings(team: tuple[Database, Person]) -> None:
    _, person = team
    _, admin = person(roles.ADMIN)
    with admin.engine.connect() as conn:
        settings = read_settings(conn)
    store.save_settings(admin, dataclasses.replace(settings, authority_name="Example Borough"))
    with admin.engine.connect() as conn:
        assert read_settings(conn).authority_name == "Example Borough"


@pytest.mark.parametrize(
    "statement", ["UPDATE audit SET \"user\" = 'x'", "DELETE FROM audit", "TRUNCATE audit"]
)
def test_the_audit_is_append_only_for_every_role_and_its_owner(
    team: tuple[Database, Person], statement: str
) -> None:
    owner, person = team
    for role in roles.ROLES:
        _, db = person(role)
        with pytest.raises(DBAPIError, match=r"permission denied|append-only"), db.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    # The owner (a superuser in this test cluster) is refused by the trigger.
    with pytest.raises(DBAPIError, match="append-only"), owner.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert verify_chain(owner) == []


def test_the_setup_is_idempotent(team: tuple[Database, Person]) -> None:
    owner, person = team
    with owner.engine.begin() as conn:
        roles.setup_roles(conn)
    _, iro = person(roles.IRO)
    store.add_event(iro, "EX-003", EventRecord("r", "cla_review", date(2025, 8, 20)))
