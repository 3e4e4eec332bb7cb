"""The team server (PostgreSQL): URLs, passwords kept off the command line, TLS, the CLI, backups."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from models.cli import main
from models.storage import server
from models.storage.db import DatabaseError, ServerUnreachable, open_database
from tests.conftest import server_database


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def team_url() -> Iterator[str]:
    with server_database() as url:
        yield url


def test_a_postgresql_url_uses_psycopg_3() -> None:
    for given in ("postgresql://ppo@127.0.0.1/team", "postgres://ppo@127.0.0.1/team"):
        url = server.engine_url(given)
        assert url.drivername == "postgresql+psycopg"
        assert (url.username, url.host, url.database) == ("ppo", "127.0.0.1", "team")


def test_a_password_in_the_url_is_refused_and_not_repeated() -> None:
    with pytest.raises(server.ServerError, match=r"~/\.pgpass") as caught:
        server.engine_url("postgresql://ppo:s3cret-word@db.example.org/team")
    assert "s3cret-word" not in str(caught.value)


def test_tls_is_asked_for_off_this_machine_only() -> None:
    remote = server.engine_url("postgresql://ppo@db.example.org/team")
    assert remote.query["sslmode"] == "require"
    verified = server.engine_url("postgresql://ppo@db.example.org/team?sslmode=verify-full")
    assert verified.query["sslmode"] == "verify-full"
    for local in ("postgresql://ppo@127.0.0.1/team", "postgresql://ppo@localhost/team", "postgresql:///team"):
        assert "sslmode" not in server.engine_url(local).query
    for weak in ("disable", "allow", "prefer"):
        with pytest.raises(server.ServerError, match="unencrypted"):
            server.engine_url(f"postgresql://ppo@10.1.2.3/team?sslmode={weak}")


def test_an_unencrypted_connection_to_another_machine_is_closed() -> None:
    """However the host was chosen (a service file, PGHOST), the connection itself is checked."""
    closed: list[bool] = []

    def fake(host: str, ssl: bool) -> SimpleNamespace:
        return SimpleNamespace(
            info=SimpleNamespace(host=host, hostaddr=""),
            pgconn=SimpleNamespace(ssl_in_use=ssl),
            close=lambda: closed.append(True),
        )

    server.check_connection(fake("/var/run/postgresql", False))
    server.check_connection(fake("127.0.0.1", False))
    server.check_connection(fake("db.example.org", True))
    assert not closed
    with pytest.raises(server.ServerError, match="not encrypted"):
        server.check_connection(fake("db.example.org", False))
    assert closed == [True]


def test_an_unknown_scheme_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", "mysql://x@127.0.0.1/team", "drift")
    assert code == 1 and err.startswith("permanence-tracker: mysql:// is not a database")


def test_a_server_that_does_not_answer_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ServerUnreachable, match="cannot be reached"):
        open_database("postgresql://nobody@127.0.0.1:1/team")
    code, _, err = run(capsys, "--db", "postgresql://nobody@127.0.0.1:1/team", "drift")
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err and "cannot be reached" in err


def test_the_cli_on_the_team_server_gives_the_shared_examples_deadlines(
    team_url: str, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", team_url, "import", str(examples / "journey.json"))
    assert code == 0 and "3 children added" in out
    for expected_file in sorted(examples.glob("expected-*.json")):
        as_of = expected_file.stem.removeprefix("expected-")
        code, out, _ = run(capsys, "--db", team_url, "drift", "--as-of", as_of, "--json")
        assert code == 0
        keys = ("child_id", "rule", "trigger", "due", "done", "status", "rag", "late_by", "ref")
        got = sorted(tuple(str(r.get(k)) for k in keys) for r in json.loads(out))
        want = sorted(tuple(str(r.get(k)) for k in keys) for r in json.loads(expected_file.read_text()))
        assert got == want
    code, out, _ = run(capsys, "--db", team_url, "check-audit")
    assert code == 0 and "intact" in out


def test_backup_on_the_server_is_a_checked_private_pg_dump(
    team_url: str, examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if server.find_tool("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    run(capsys, "--db", team_url, "import", str(examples / "journey.json"))
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "--db", team_url, "backup")
    assert code == 0, err
    dumps = list((tmp_path / "backups").glob("*-manual.dump"))
    assert len(dumps) == 1 and str(dumps[0]) in out
    assert stat.S_IMODE(dumps[0].stat().st_mode) == 0o600
    listing = subprocess.run(
        [str(server.find_tool("pg_restore")), "--list", str(dumps[0])], capture_output=True, text=True
    )
    assert "TABLE DATA public event" in listing.stdout and "TABLE DATA public audit" in listing.stdout


def test_backup_without_pg_dump_says_what_to_use(
    team_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "find_tool", lambda name: None)
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "--db", team_url, "backup")
    assert code == 1 and "Traceback" not in err
    assert err == f"permanence-tracker: {server.PG_DUMP_MISSING}\n"
    assert not list((tmp_path / "backups").glob("*"))


def test_a_failed_dump_leaves_no_file(team_url: str, tmp_path: Path) -> None:
    if server.find_tool("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    target = tmp_path / "x.dump"
    missing = server.engine_url(team_url.rsplit("/", 1)[0] + "/no_such_database")
    with pytest.raises(server.ServerError, match="pg_dump could not back up"):
        server.dump(missing, target)
    assert not target.exists()


def test_read_only_on_the_server_writes_nothing(
    team_url: str, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--db", team_url, "import", str(examples / "journey.json"))
    code, _, err = run(capsys, "--read-only", "--db", team_url, "import", str(examples / "journey.json"))
    assert code == 1 and "cannot be written" in err and err.count("\n") == 1
    db = open_database(team_url, read_only=True)
    try:
        with pytest.raises(Exception, match="read-only"), db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM event")
    finally:
        db.dispose()


def test_a_newer_server_schema_is_refused(team_url: str) -> None:
    db = open_database(team_url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO schema_version (version) VALUES (99)")
    db.dispose()
    with pytest.raises(DatabaseError, match="newer Permanence Tracker"):
        open_database(team_url)


def test_a_password_is_asked_at_a_terminal_and_never_shown(
    own_cluster: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that signs people in with a password (scram), none in ~/.pgpass: the command asks."""
    import psycopg

    admin = own_cluster["PERMANENCE_TEST_POSTGRES_URL"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE ROLE jo LOGIN PASSWORD 'correct horse'")
        conn.execute("CREATE DATABASE team OWNER jo")
    hba = Path(own_cluster["PERMANENCE_PG_CLUSTER"]) / "data" / "pg_hba.conf"
    hba.write_text(
        "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.pgpass
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = admin.replace("postgres@", "jo@").rsplit("/", 1)[0] + "/team"

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "--db", url, "drift")
    assert code == 1 and "asks for a password" in err and "~/.pgpass" in err

    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "correct horse")
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "--db", url, "drift", "--as-of", "2025-09-01")
    assert code == 0, err
    assert asked == ["Password: "] and "0 deadlines" in out
    assert "correct horse" not in out + err
    logs = "".join(p.read_text() for p in tmp_path.rglob("*.log"))
    assert "correct horse" not in logs

    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong")
    code, _, err = run(capsys, "--db", url, "drift")
    assert code == 1 and "refused the user name or password" in err


def test_without_psycopg_a_server_url_says_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = server.importlib.util.find_spec
    monkeypatch.setattr(
        server.importlib.util, "find_spec", lambda name: None if name == "psycopg" else real(name)
    )
    code, _, err = run(capsys, "--db", "postgresql://ppo@127.0.0.1/team", "drift")
    assert code == 1 and err == f"permanence-tracker: {server.INSTALL_HINT}\n"


def test_a_connection_cut_during_a_command_is_one_sentence() -> None:
    """What libpq says when the server goes away mid-statement (restarted, the network cut)."""
    from sqlalchemy.exc import OperationalError

    from models.cli import _write_failure

    cut = OperationalError("INSERT ...", {}, Exception("server closed the connection unexpectedly"))
    message = _write_failure(cut)
    assert message.startswith("The team server stopped answering during the operation")
    assert "saved whole or not at all" in message
