"""Shared fixtures: offscreen Qt, a private data folder per test, a fresh database file."""

from __future__ import annotations

import gc
import os
import sys

# Before any Qt import: no display needed, and never the real home folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest
from shared_files import shared_examples, shared_samples

from models.storage.db import Database, open_database


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("PERMANENCE_TRACKER_DATA", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(data / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(data / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(data / "xdg-cache"))
    return data


@pytest.fixture(autouse=True)
def _undo_stacks_emptied(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a Qt test (its widgets already closed by pytest-qt), empty every undo stack it left.

    The tests make stacks without a parent, which Python owns. Left with their commands, such a
    stack can end up in one garbage cycle with its commands' Python wrappers, and the collector
    then frees them in an order shiboken does not survive (a segfault in a later test's
    gc.collect()). Emptied here, deleting a stack no longer deletes any Python-made command. The
    application's own stack has the main window as its parent and lives as long as the window.
    """
    yield
    if "qtbot" not in request.fixturenames or "PySide6.QtGui" not in sys.modules:
        return
    import shiboken6
    from PySide6.QtGui import QUndoStack

    for obj in gc.get_objects():
        if isinstance(obj, QUndoStack) and shiboken6.isValid(obj):
            obj.clear()


#: The static prompts of Qt that would block a test for ever waiting for a person.
_PROMPTS = {
    "QMessageBox": ("question", "information", "warning", "critical", "about", "exec"),
    "QFileDialog": ("getSaveFileName", "getOpenFileName", "getOpenFileNames", "getExistingDirectory"),
    "QInputDialog": ("getInt", "getText", "getItem", "getDouble", "getMultiLineText"),
}


@pytest.fixture(autouse=True)
def _no_unscripted_prompt(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Qt test fails at once on a prompt it did not script (patch `views.prompts` instead).

    Offscreen, a modal prompt nobody answers hangs the run; here it fails the test with the prompt's
    words. Tests script prompts by patching the functions in `views/prompts.py`, which is the one
    place the application opens them, so a scripted prompt never reaches Qt's.
    """
    if "qtbot" not in request.fixturenames:
        return
    from PySide6 import QtPrintSupport, QtWidgets

    def refuse(where: str) -> Any:
        def prompt(*args: object, **kwargs: object) -> NoReturn:
            words = [a for a in args if isinstance(a, str)]
            pytest.fail(f"an unscripted prompt: {where}{words!r} (patch views.prompts)", pytrace=True)

        return staticmethod(prompt)

    for class_name, names in _PROMPTS.items():
        cls = getattr(QtWidgets, class_name)
        for name in names:
            monkeypatch.setattr(cls, name, refuse(f"{class_name}.{name}"))
    monkeypatch.setattr(QtPrintSupport.QPrintDialog, "exec", refuse("QPrintDialog.exec"))


#: The URL of a PostgreSQL server the tests may create databases on (scripts/pg-cluster.sh).
POSTGRES_URL_ENV = "PERMANENCE_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "server: the `db` fixture runs on SQLite and on PostgreSQL (the team server)"
    )
    config.addinivalue_line(
        "markers", "sqlite_only: in a `server` module, a test of SQLite itself (pragmas, the file)"
    )
    config.addinivalue_line(
        "markers", "postgresql_only: in a `server` module, a test of the team server itself (no file has it)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `server` (or in a module marked so) get the `db` fixture once per backend."""
    marked = metafunc.definition.get_closest_marker
    if "db" in metafunc.fixturenames and marked("server") and not marked("sqlite_only"):
        metafunc.parametrize("db", ["postgresql"] if marked("postgresql_only") else BACKENDS, indirect=True)


def postgres_admin_url() -> str:
    """The test server's URL; a developer's laptop without one skips, CI (CI=true) fails."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        reason = f"no PostgreSQL for the tests ({POSTGRES_URL_ENV} is not set; scripts/test.sh starts one)"
        if in_ci():
            pytest.fail(reason + ": CI must run them", pytrace=False)
        pytest.skip(reason)
    return url


@contextmanager
def server_database() -> Iterator[str]:
    """A fresh, empty database on the test server for one test, dropped afterwards: its URL."""
    import psycopg

    admin = postgres_admin_url()
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} STRATEGY file_copy")
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database: an SQLite file, or (tests marked `server`) also a team server database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        database = open_database(tmp_path / "test.sqlite")
        yield database
        database.engine.dispose()
        return
    with server_database() as url:
        database = open_database(url)
        yield database
        database.engine.dispose()


@pytest.fixture
def samples() -> Path:
    return shared_samples()


@pytest.fixture
def examples() -> Path:
    return shared_examples()


@pytest.fixture
def example_db(db: Database, examples: Path) -> Database:
    """The `db` fixture with the shared example children (EX-001 to EX-003) imported."""
    from models.io.journey_io import import_file

    import_file(db, examples / "journey.json")
    return db


def open_as(db: Database, login: str = "officer.b") -> Database:
    """The same database opened by another person: on the team server they sign in as `login`
    (a permanence officer, made if new), so the audit names them; an SQLite file has one user
    (the caller names them with `user=`)."""
    if db.path is not None:
        return open_database(db.path)
    from models.storage import roles

    with db.engine.begin() as conn:
        roles.setup_roles(conn)
        roles.add_person(conn, login, roles.OFFICER)
    return open_database(db.engine.url.set(username=login).render_as_string(hide_password=False))


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def own_cluster() -> Iterator[dict[str, str]]:
    """A private PostgreSQL cluster for one test (scripts/pg-cluster.sh), so that stopping it or
    changing how it signs people in disturbs nothing else: the variables its `start` printed."""
    import subprocess

    postgres_admin_url()  # skips on a laptop without PostgreSQL; CI must run it
    script = str(ROOT / "scripts" / "pg-cluster.sh")
    started = subprocess.run([script, "start"], capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    env = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines())
    yield env
    subprocess.run([script, "stop", env["PERMANENCE_PG_CLUSTER"]], timeout=60)


def cluster_action(action: str, env: dict[str, str]) -> None:
    """`down` or `up` the private cluster of `own_cluster`."""
    import subprocess

    subprocess.run(
        [str(ROOT / "scripts" / "pg-cluster.sh"), action, env["PERMANENCE_PG_CLUSTER"]],
        check=True,
        timeout=60,
    )
