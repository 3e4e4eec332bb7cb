"""People and roles on the team server, enforced by PostgreSQL itself (GRANTs, row-level security).

Each person signs in as their own database role (a LOGIN role, made by `add_person`), a member of
one of the team roles below. What a role may change is granted to it, and row-level security on
`event` limits the IRO / CP chair and the court team to their own kinds of event; the audit table
is append-only for everyone (INSERT and SELECT granted, never UPDATE or DELETE, and a trigger
refuses both even to the owner). The tracker greys nothing out on this basis: the server refuses,
and `refusal_message` says which role the action needs.

`setup_roles` is run once by the database's owner (`permanence-tracker --db URL team-setup`), after
the first start has made the tables, and again after an upgrade; it is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, text

from models.domain.journey import EVENT_TYPES


@dataclass(frozen=True)
class TeamRole:
    name: str  #: the PostgreSQL role (NOLOGIN; people are members)
    label: str
    does: str
    #: Event types this role records; None for every type.
    event_types: frozenset[str] | None = frozenset()
    children: bool = False  #: adds and edits children's details
    settings: bool = False  #: changes the settings


_REVIEWS: Final = frozenset({"icpc", "cp_review", "cla_review"})
_DRP: Final = frozenset(t for t in EVENT_TYPES if t.startswith("drp_"))
_COURT: Final = frozenset(t.name for t in EVENT_TYPES.values() if t.stage.value == "court")

OFFICER: Final = TeamRole("pt_officer", "permanence officer", "records everything", None, children=True)
IRO: Final = TeamRole(
    "pt_iro", "IRO / CP chair", "reads, prints, records reviews and DRP steps", _REVIEWS | _DRP
)
COURT: Final = TeamRole("pt_court", "court team", "reads, records court events", _COURT)
MANAGER: Final = TeamRole("pt_manager", "manager", "reads, prints measures")
ADMIN: Final = TeamRole("pt_admin", "administrator", "people and settings", settings=True)

ROLES: Final = (OFFICER, IRO, COURT, MANAGER, ADMIN)
BY_NAME: Final = {r.name: r for r in ROLES}
#: Short names for the command line (`team-user NAME --role officer`).
SHORT: Final = {"officer": OFFICER, "iro": IRO, "court": COURT, "manager": MANAGER, "admin": ADMIN}

_TABLES: Final = ("child", "event", "setting", "audit", "schema_version", "alembic_version")


def roles_recording(event_type: str) -> list[TeamRole]:
    return [r for r in ROLES if r.event_types is None or event_type in r.event_types]


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def setup_statements(database: str) -> list[str]:
    """The SQL that makes the team roles and their rights (idempotent)."""
    quoted_db = '"' + database.replace('"', '""') + '"'
    out: list[str] = []
    for role in ROLES:
        out.append(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"'{role.name}') THEN CREATE ROLE {role.name} NOLOGIN; END IF; END $$"
        )
        out.append(f"GRANT CONNECT ON DATABASE {quoted_db} TO {role.name}")
        out.append(f"GRANT USAGE ON SCHEMA public TO {role.name}")
        out.append(f"GRANT SELECT ON {', '.join(_TABLES)} TO {role.name}")
        out.append(f"GRANT INSERT ON audit TO {role.name}")
        out.append(f"GRANT USAGE ON SEQUENCE audit_id_seq TO {role.name}")
        out.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM {role.name}")
        if role.event_types is None or role.event_types:
            out.append(f"GRANT INSERT, UPDATE, DELETE ON event TO {role.name}")
            out.append(f"GRANT USAGE ON SEQUENCE event_pk_seq TO {role.name}")
        if role.children:
            out.append(f"GRANT INSERT, UPDATE, DELETE ON child TO {role.name}")
        if role.settings:
            out.append(f"GRANT INSERT, UPDATE, DELETE ON setting TO {role.name}")
    out.append("REVOKE ALL ON audit FROM PUBLIC")
    # The audit is append-only for everyone, its owner too (only a superuser can drop the trigger).
    out.append(
        "CREATE OR REPLACE FUNCTION pt_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    out.append("DROP TRIGGER IF EXISTS pt_audit_append_only ON audit")
    out.append(
        "CREATE TRIGGER pt_audit_append_only BEFORE UPDATE OR DELETE ON audit "
        "FOR EACH ROW EXECUTE FUNCTION pt_audit_append_only()"
    )
    out.append("DROP TRIGGER IF EXISTS pt_audit_no_truncate ON audit")
    out.append(
        "CREATE TRIGGER pt_audit_no_truncate BEFORE TRUNCATE ON audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION pt_audit_append_only()"
    )
    # Row-level security: which kinds of event each role may write (everyone reads every event).
    out.append("ALTER TABLE event ENABLE ROW LEVEL SECURITY")
    for policy in (
        "pt_read",
        *(f"{r.name}_write" for r in ROLES),
        *(f"{r.name}_{c}" for r in ROLES for c in ("ins", "upd", "del")),
    ):
        out.append(f"DROP POLICY IF EXISTS {policy} ON event")
    out.append("CREATE POLICY pt_read ON event FOR SELECT USING (true)")
    for role in ROLES:
        if role.event_types is None:
            check = "true"
        elif role.event_types:
            check = f"type IN ({_sql_list(role.event_types)})"
        else:
            continue
        out.append(f"CREATE POLICY {role.name}_ins ON event FOR INSERT TO {role.name} WITH CHECK ({check})")
        out.append(
            f"CREATE POLICY {role.name}_upd ON event FOR UPDATE TO {role.name} USING ({check}) WITH CHECK ({check})"
        )
        out.append(f"CREATE POLICY {role.name}_del ON event FOR DELETE TO {role.name} USING ({check})")
    return out


def setup_roles(conn: Connection) -> None:
    """Make (or bring up to date) the team roles, their GRANTs and the event policies."""
    database = str(conn.execute(text("SELECT current_database()")).scalar_one())
    for statement in setup_statements(database):
        conn.exec_driver_sql(statement)


def add_person(conn: Connection, login: str, role: TeamRole) -> None:
    """A person's own LOGIN role (made if new) as a member of `role`; their password is set by the
    database administrator (`\\password LOGIN` in psql), never by this application."""
    if not login.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise ValueError(f"{login!r} is not a plain user name (letters, digits, . _ -).")
    quoted = '"' + login + '"'
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login}).first()
    if exists is None:
        conn.exec_driver_sql(f"CREATE ROLE {quoted} LOGIN")
    conn.exec_driver_sql(f"GRANT {role.name} TO {quoted}")


def roles_of(conn: Connection) -> list[TeamRole]:
    """The team roles of the person signed in (their session user)."""
    rows = conn.execute(
        text(
            "SELECT r.rolname FROM pg_roles r WHERE pg_has_role(session_user, r.oid, 'MEMBER') "
            "AND r.rolname = ANY(:names)"
        ),
        {"names": [r.name for r in ROLES]},
    )
    return [BY_NAME[row[0]] for row in rows]


def refusal_message(action: str, needed: Sequence[TeamRole], user: str, held: Sequence[TeamRole]) -> str:
    """'Not saved: recording a hearing needs the court team or permanence officer role; ...'"""
    labels = [r.label for r in needed]
    need = " or ".join(labels) if labels else "a team"
    have = ", ".join(r.label for r in held) or "no team role"
    return f"Not saved: {action} needs the {need} role; you are signed in as {user} ({have})."
