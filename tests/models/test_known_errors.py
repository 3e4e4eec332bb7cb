"""One classification of known failures, shared by the command line and the window."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from models import cli
from models.storage import errors
from models.storage.db import DatabaseDamaged
from models.storage.store import ConflictError, PermissionRefused


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), errors.READ_ONLY),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")), errors.FULL),
        (OSError(errno.ENOSPC, "No space left on device"), errors.FULL),
        (
            OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly")),
            errors.UNREACHABLE,
        ),
        (ValueError("a bug"), None),
    ],
)
def test_the_failure_is_known_by_its_chain(exc: BaseException, expected: str | None) -> None:
    assert errors.known_failure(exc) == expected


def test_a_known_error_wrapped_in_another_is_still_known() -> None:
    try:
        try:
            raise ConflictError("Another person changed this record at 10:02.")
        except ConflictError as inner:
            raise RuntimeError("while saving") from inner
    except RuntimeError as outer:
        assert errors.known_failure(outer) == "Another person changed this record at 10:02."


def test_refusals_and_database_errors_are_known_errors() -> None:
    for kind in (ConflictError, PermissionRefused, cli.CliError):
        assert issubclass(kind, errors.KnownError)
    assert issubclass(DatabaseDamaged, errors.KnownError)


def test_the_command_line_and_the_window_say_the_same_sentence() -> None:
    from views.write_errors import write_failure_message

    full = OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    assert cli._write_failure(full) == write_failure_message(full) == errors.FULL


def test_a_known_error_at_the_command_line_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(argv: object) -> int:
        raise PermissionRefused("Recording a court event needs the court team role; you are an IRO.")

    original = cli.run
    cli.run = refuse  # type: ignore[assignment]
    try:
        assert cli.main([]) == cli.EXIT_FAILED
    finally:
        cli.run = original  # type: ignore[assignment]
    assert capsys.readouterr().err == (
        "permanence-tracker: Recording a court event needs the court team role; you are an IRO.\n"
    )
