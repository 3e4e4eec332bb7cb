"""The record's own use cases on SQLite and the team server: a mistyped ID corrected with the
chronology, a deleted record restored as it was, a closed record out of Today; each audited."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from models.domain.records import closed_on, with_closed
from models.screens.overview import build_overview
from models.storage import store
from models.storage.audit import entries, verify_chain
from models.storage.db import Database
from models.storage.store import ValidationError

pytestmark = pytest.mark.server

AS_OF = date(2025, 9, 1)


def test_a_mistyped_id_is_corrected_with_every_event(example_db: Database) -> None:
    before = store.get_child(example_db, "EX-002")
    assert before is not None
    moved = store.change_child_id(example_db, "EX-002", " EX-020 ", user="officer.a", expected=before)
    assert moved.id == "EX-020"
    assert store.get_child(example_db, "EX-002") is None
    after = store.get_child(example_db, "EX-020")
    assert after is not None and after.events == before.events and after.fields == before.fields
    entry = entries(example_db, limit=1)[0]
    assert (entry.action, entry.entity, entry.entity_id, entry.child_id) == (
        "update",
        "child",
        "EX-020",
        "EX-020",
    )
    assert "EX-002" in (entry.before or "")
    with pytest.raises(ValidationError, match="already exists"):
        store.change_child_id(example_db, "EX-020", "EX-001")
    assert verify_chain(example_db) == []


def test_a_deleted_record_is_restored_as_it_was(example_db: Database) -> None:
    before = store.get_child(example_db, "EX-003")
    assert before is not None
    removed = store.delete_child(example_db, "EX-003", expected=before)
    store.restore_child(example_db, removed)
    assert store.get_child(example_db, "EX-003") == before
    assert [e.action for e in entries(example_db, limit=2)] == ["create", "delete"]
    with pytest.raises(ValidationError, match="already exists"):
        store.restore_child(example_db, removed)


def test_a_closed_record_is_out_of_today_from_its_day(example_db: Database) -> None:
    child = store.get_child(example_db, "EX-002")
    assert child is not None
    store.save_child(example_db, with_closed(child, AS_OF), expected=child)
    closed = store.get_child(example_db, "EX-002")
    assert closed is not None and closed_on(closed) == AS_OF
    assert not any(a.child_id == "EX-002" for a in build_overview(example_db, AS_OF).attention)
    assert not any(a.child_id == "EX-002" for a in build_overview(example_db, AS_OF, ["EX-002"]).attention)
    before_closing = build_overview(example_db, date(2025, 8, 31))  # the day before, it was open
    assert any(a.child_id == "EX-002" for a in before_closing.attention)
    assert build_overview(example_db, AS_OF).child("EX-002") is not None  # still in the register


@pytest.mark.postgresql_only
def test_only_the_officer_corrects_deletes_or_restores_a_record(example_db: Database) -> None:
    from models.storage import roles
    from models.storage.db import open_database
    from models.storage.store import PermissionRefused

    with example_db.engine.begin() as conn:
        roles.setup_roles(conn)
        roles.add_person(conn, "iro.c", roles.IRO)
    iro = open_database(example_db.engine.url.set(username="iro.c").render_as_string(hide_password=False))
    try:
        child = store.get_child(iro, "EX-002")
        assert child is not None
        with pytest.raises(
            PermissionRefused, match="correcting a child's ID needs the permanence officer role"
        ):
            store.change_child_id(iro, "EX-002", "EX-020")
        with pytest.raises(PermissionRefused, match="deleting a child needs the permanence officer role"):
            store.delete_child(iro, "EX-002")
        with pytest.raises(PermissionRefused, match="adding a child needs the permanence officer role"):
            store.restore_child(iro, dataclasses.replace(child, id="EX-099"))
        assert store.get_child(example_db, "EX-002") == child
    finally:
        iro.dispose()
