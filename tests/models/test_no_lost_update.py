"""No lost update: two people writing to one child through their own connections.

Each test opens the same database twice (two officers' tracker processes would hold one each);
on the team server the connections are real, separate PostgreSQL sessions.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from datetime import date

import pytest

from models.domain.records import EventRecord, describe_event
from models.storage import store
from models.storage.audit import verify_chain
from models.storage.db import Database, open_database
from models.storage.store import ConflictError
from tests.conftest import open_as

#: Runs on SQLite and on the team server (PostgreSQL) alike.
pytestmark = pytest.mark.server


def reopen(db: Database) -> Database:
    """Another person's connection to the same database."""
    if db.path is not None:
        return open_database(db.path)
    return open_database(db.engine.url.render_as_string(hide_password=False))


@pytest.fixture
def other(example_db: Database) -> Iterator[Database]:
    """officer.b's own connection (their own sign-in on the team server)."""
    second = open_as(example_db, "officer.b")
    yield second
    second.dispose()


def events(db: Database, child_id: str) -> dict[str, EventRecord]:
    child = store.get_child(db, child_id)
    assert child is not None
    return {e.id: e for e in child.events}


def test_two_officers_adding_to_one_child_both_keep_their_event(
    example_db: Database, other: Database
) -> None:
    mine, theirs = store.get_child(example_db, "EX-002"), store.get_child(other, "EX-002")
    assert mine is not None and theirs is not None
    proposed = store.new_event_id(mine)
    assert store.new_event_id(theirs) == proposed  # both forms open with the same id
    before = len(mine.events)
    first = store.add_event(
        example_db, "EX-002", EventRecord(proposed, "cla_visit", date(2025, 8, 1), note="officer A")
    )
    second = store.add_event(
        other, "EX-002", EventRecord(proposed, "cla_visit", date(2025, 8, 2), note="officer B")
    )
    assert first.id == proposed and second.id != proposed
    stored = events(example_db, "EX-002")
    assert len(stored) == before + 2
    assert stored[first.id].note == "officer A" and stored[second.id].note == "officer B"


def test_a_save_against_a_changed_event_is_refused_with_who_and_when(
    example_db: Database, other: Database
) -> None:
    opened = events(example_db, "EX-002")["ex2-1"]  # both people open the same event
    theirs = dataclasses.replace(opened, note="changed by the other officer")
    store.save_event(other, "EX-002", theirs, user="officer.b", expected=opened)
    mine = dataclasses.replace(opened, note="my change")
    with pytest.raises(ConflictError) as refused:
        store.save_event(example_db, "EX-002", mine, user="officer.a", expected=opened)
    message = str(refused.value)
    # The event by its type and date, never its internal id.
    assert message.startswith(
        "Not saved: officer.b changed this event (Legal planning meeting of 02/09/2024) of EX-002 at "
    )
    assert "after you opened it" in message
    assert events(example_db, "EX-002")["ex2-1"].note == "changed by the other officer"
    # Made against what is there now, the same change is saved.
    store.save_event(example_db, "EX-002", mine, user="officer.a", expected=theirs)
    assert events(other, "EX-002")["ex2-1"].note == "my change"
    assert verify_chain(example_db) == []


def test_a_save_or_delete_of_an_event_someone_deleted_is_refused(
    example_db: Database, other: Database
) -> None:
    opened = events(example_db, "EX-001")
    last = max(
        opened.values(), key=lambda e: (e.date, e.id)
    )  # the latest: deleting it leaves a valid chronology
    store.delete_event(other, "EX-001", last.id, user="officer.b", expected=last)
    named = re.escape(describe_event(last))  # by its type and date, not its id
    with pytest.raises(ConflictError, match=rf"officer\.b deleted this event \({named}\)"):
        store.save_event(example_db, "EX-001", dataclasses.replace(last, note="x"), expected=last)
    with pytest.raises(ConflictError, match="deleted"):
        store.delete_event(example_db, "EX-001", last.id, expected=last)
    assert last.id not in events(example_db, "EX-001")


def test_a_delete_of_an_event_changed_since_is_refused(example_db: Database, other: Database) -> None:
    opened = events(example_db, "EX-001")
    last = max(opened.values(), key=lambda e: (e.date, e.id))
    store.save_event(other, "EX-001", dataclasses.replace(last, note="still needed"), user="b", expected=last)
    with pytest.raises(ConflictError, match="changed this event"):
        store.delete_event(example_db, "EX-001", last.id, expected=last)
    assert events(example_db, "EX-001")[last.id].note == "still needed"


def test_child_details_changed_or_added_by_someone_else_are_refused(
    example_db: Database, other: Database
) -> None:
    opened = store.get_child(example_db, "EX-003")
    assert opened is not None
    renamed = dataclasses.replace(opened, fields={**opened.fields, "team": "North"})
    store.save_child(other, renamed, user="officer.b", expected=opened)
    with pytest.raises(ConflictError, match=r"officer\.b changed child EX-003's details"):
        store.save_child(
            example_db,
            dataclasses.replace(opened, fields={**opened.fields, "team": "South"}),
            expected=opened,
        )
    assert (store.get_child(example_db, "EX-003") or opened).fields["team"] == "North"
    # Two people adding a child with the same ID: the second is told, not merged into the first.
    new = dataclasses.replace(opened, id="EX-NEW", fields={"given_name": "Sam"}).with_events(())
    store.save_child(other, new, user="officer.b", expected=None)
    with pytest.raises(ConflictError, match=r"officer\.b added a child with the ID EX-NEW"):
        store.save_child(example_db, dataclasses.replace(new, fields={"given_name": "Alex"}), expected=None)


@pytest.mark.postgresql_only
def test_concurrent_writers_lose_nothing_and_keep_one_audit_chain(example_db: Database) -> None:
    """Four writers at once, each adding ten events to the same two children."""
    writers = [reopen(example_db) for _ in range(4)]
    errors: list[BaseException] = []
    saved: list[EventRecord] = []
    lock = threading.Lock()

    def work(n: int, db: Database) -> None:
        try:
            for k in range(10):
                child = "EX-002" if k % 2 else "EX-003"
                record = EventRecord("e1", "cla_visit", date(2025, 8, 1 + k), note=f"writer {n} save {k}")
                result = store.add_event(db, child, record, user=f"writer{n}")
                with lock:
                    saved.append(result)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n, db)) for n, db in enumerate(writers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for db in writers:
            db.dispose()
    assert errors == []
    assert len(saved) == 40
    notes = {e.note for cid in ("EX-002", "EX-003") for e in events(example_db, cid).values()}
    assert {r.note for r in saved} <= notes
    assert verify_chain(example_db) == []
