"""The team server: PostgreSQL URLs, where their passwords come from, TLS, and errors for a person.

A `postgresql://` (or `postgres://`) URL is opened through SQLAlchemy's psycopg 3 dialect
(`postgresql+psycopg://`); psycopg is the optional `server` extra. Everything but the password may
be in the URL, or come from libpq's usual places: `PGHOST`/`PGUSER`/... variables, a service file
(`postgresql:///?service=team`, `~/.pg_service.conf` or `PGSERVICEFILE`) and `~/.pgpass`. A
password written in the URL is refused: a command line shows in the process list, the shell's
history and the log. When the server asks for a password that none of libpq's places holds,
`PasswordRequired` is raised, and the command line (or the desktop) asks the person for it; the
answer goes to the driver, never into a URL or a log.

TLS is required for anything but a local socket or the loopback address: without an `sslmode` in
the URL, `sslmode=require` is added, and after connecting the connection itself is checked (a host
that came from a service file or `PGHOST` is checked the same way), so an unencrypted connection
over the network is refused whatever asked for it.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, Final

from sqlalchemy.engine import URL, make_url

from models.storage import secrets

#: URL schemes taken for the team server.
SCHEMES: Final = ("postgresql", "postgres", "postgresql+psycopg")
#: sslmode values that encrypt the connection.
TLS_MODES: Final = frozenset(("require", "verify-ca", "verify-full"))
_LOCAL_NAMES: Final = frozenset(("localhost", ""))

INSTALL_HINT: Final = (
    "The team server needs the psycopg package: install the application with its `server` extra "
    "(pip install 'permanence-tracker[server]')."
)


class ServerError(Exception):
    """A team server that cannot be used, said for a person (a `DatabaseError` in `db`)."""


class PasswordRequired(ServerError):
    """The server asked for a password that neither the URL's service, ~/.pgpass nor PGPASSWORD had."""


class Unreachable(ServerError):
    """The server did not answer (down, restarting, or the network is cut)."""


def is_server_url(target: object) -> bool:
    text = str(target)
    return "://" in text and text.split("://", 1)[0].lower() in SCHEMES


def is_local_host(host: str | None) -> bool:
    """A Unix socket folder, localhost, or a loopback address: no TLS needed."""
    if host is None or host.startswith(("/", "@")) or host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def engine_url(target: str) -> URL:
    """The SQLAlchemy URL for a `postgresql://` URL: the psycopg dialect, TLS asked for off the machine.

    Raises:
        ServerError: a password in the URL, an unknown scheme, an sslmode that does not encrypt a
            connection off this machine, or psycopg not installed.
    """
    scheme = target.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise ServerError(f"{scheme}:// is not a database this application opens (use postgresql://).")
    try:
        url = make_url(target)
    except Exception:
        raise ServerError(
            "The team server's URL cannot be read; it looks like postgresql://HOST/DATABASE."
        ) from None
    if url.password is not None:
        raise ServerError(
            "The database URL has a password in it, and a command line is seen by others (the process "
            "list, the shell's history, the log). Put it in ~/.pgpass (mode 0600) or a service file, "
            "or leave it out to be asked."
        )
    if importlib.util.find_spec("psycopg") is None:
        raise ServerError(INSTALL_HINT)
    query = dict(url.query)
    hosts = [url.host] if url.host else []
    mode = query.get("sslmode")
    if isinstance(mode, tuple):
        mode = mode[-1]
    if any(not is_local_host(h) for h in hosts):
        if mode is None:
            query["sslmode"] = "require"
        elif mode not in TLS_MODES:
            raise ServerError(
                f"sslmode={mode} would let the connection to {url.host} travel unencrypted; the team "
                "server needs sslmode=require (or verify-ca, verify-full) for anything but this machine."
            )
    return url.set(drivername="postgresql+psycopg", query=query)


def check_connection(dbapi_connection: Any) -> None:
    """After connecting: refuse an unencrypted connection to another machine (however it was chosen)."""
    info = dbapi_connection.info
    host = info.host
    hostaddr = getattr(info, "hostaddr", "") or ""
    local = is_local_host(host) or (bool(hostaddr) and is_local_host(hostaddr))
    if not local and not dbapi_connection.pgconn.ssl_in_use:
        dbapi_connection.close()
        raise ServerError(
            f"The connection to the team server {host} is not encrypted; it needs TLS (sslmode=require) "
            "for anything but this machine."
        )


def describe(url: URL) -> str:
    """The server and database, for a person and a log (never a password)."""
    where = url.host or "the local socket"
    if url.port:
        where += f":{url.port}"
    service = url.query.get("service")
    if service and not url.host:
        where = f"service {service}"
    return f"{url.database or 'the default database'} on {where}"


def connection_failure(exc: BaseException, url: URL) -> ServerError:
    """A failed connection as one sentence: a password needed, refused, or no answer."""
    text = str(getattr(exc, "orig", None) or exc)
    lower = text.lower()
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    detail = lines[0].rstrip(".") if lines else type(exc).__name__
    where = describe(url)
    if "no password supplied" in lower or "password is required" in lower:
        return PasswordRequired(f"The team server ({where}) asks for a password.")
    if "password authentication failed" in lower:
        return ServerError(f"The team server ({where}) refused the user name or password.")
    if "does not exist" in lower and "database" in lower:
        return ServerError(f"The team server has no database {url.database!r} ({detail}).")
    if "does not support ssl" in lower:
        return ServerError(f"The team server ({where}) does not offer TLS, which it needs ({detail}).")
    return Unreachable(f"The team server ({where}) cannot be reached: {detail}.")


# --- Backups: the server's own tool -------------------------------------------------------------

PG_DUMP_MISSING: Final = (
    "Backups of the team server are made with PostgreSQL's own tool, pg_dump, which is not installed "
    "here: install the PostgreSQL client (apt-get install postgresql-client), or ask the database "
    "administrator, whose server backups (pg_dump, or pg_basebackup with WAL archiving) cover it."
)


def find_tool(name: str) -> str | None:
    """A PostgreSQL client program: on PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return str(candidates[-1]) if candidates else None


def libpq_url(url: URL) -> str:
    """The URL as libpq takes it (no driver name; the password is never in it)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def dump(url: URL, target: Path, password: str | None = None) -> Path:
    """A `pg_dump` of the database in its custom format at `target` (0600), checked by
    `pg_restore --list`. A failed or unreadable dump is removed, never left looking like a backup.

    Raises:
        ServerError: pg_dump or pg_restore is not installed, or either failed (its own words).
    """
    pg_dump, pg_restore = find_tool("pg_dump"), find_tool("pg_restore")
    if pg_dump is None or pg_restore is None:
        raise ServerError(PG_DUMP_MISSING)
    env = secrets.child_environment()
    if password is not None:
        env["PGPASSWORD"] = password  # the child's environment, readable by this user only
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        run = subprocess.run(
            [pg_dump, "--format=custom", "--no-password", f"--file={target}", f"--dbname={libpq_url(url)}"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if run.returncode != 0:
            raise ServerError(f"pg_dump could not back up {describe(url)}: {_last_line(run.stderr)}.")
        listing = subprocess.run(
            [pg_restore, "--list", str(target)], capture_output=True, text=True, check=False
        )
        if listing.returncode != 0 or "TABLE DATA" not in listing.stdout:
            raise ServerError(f"The dump {target} failed its check ({_last_line(listing.stderr)}).")
    except BaseException:
        with suppress(OSError):
            target.unlink()
        raise
    os.chmod(target, 0o600)
    return target


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1].rstrip(".") if lines else "no message"


# --- Changes told to everyone: LISTEN / NOTIFY ----------------------------------------------------

#: The channel every committed change is announced on (by `store.audit`, in the same transaction).
CHANNEL: Final = "permanence_changes"
#: A change that may concern any child (an import, settings): the listener recomputes everything.
EVERYONE: Final = "*"
#: This process, so that its own changes (already shown) are not shown twice.
SESSION: Final = uuid.uuid4().hex[:12]


def notice(child_id: str | None) -> str:
    """The payload announcing a change: this process and the child ('*' for any)."""
    return json.dumps({"s": SESSION, "c": child_id or EVERYONE})


def listen(
    url: URL,
    password: str | None,
    on_change: Callable[[str], None],
    on_state: Callable[[bool, str], None],
    stop: threading.Event,
    *,
    retry_seconds: float = 2.0,
) -> None:
    """Until `stop` is set: call `on_change(child_id)` for each change another process committed.

    A connection of its own, LISTENing on `CHANNEL`. When the server goes away (restarted, the
    network cut) `on_state(False, sentence)` is called and it reconnects every `retry_seconds`;
    once back, `on_state(True, "")` and `on_change(EVERYONE)`, since changes made meanwhile were
    not heard. Runs on a thread of its own; never raises.
    """
    import psycopg

    conninfo = libpq_url(url)
    connected: bool | None = None
    while not stop.is_set():
        try:
            with psycopg.connect(conninfo, password=password, autocommit=True, connect_timeout=5) as conn:
                check_connection(conn)
                conn.execute(f"LISTEN {CHANNEL}")
                if connected is False:
                    on_change(EVERYONE)
                connected = True
                on_state(True, "")
                while not stop.is_set():
                    for note in conn.notifies(timeout=0.5, stop_after=100):
                        try:
                            payload = json.loads(note.payload)
                        except ValueError:
                            continue
                        if payload.get("s") != SESSION:
                            on_change(str(payload.get("c") or EVERYONE))
        except Exception as exc:  # psycopg.OperationalError above all: keep trying
            if stop.is_set():
                return
            if connected is not False:
                connected = False
                on_state(False, f"Team server unreachable ({_last_line(str(exc))}); reconnecting…")
            stop.wait(retry_seconds)
