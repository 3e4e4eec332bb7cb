"""Keeping the passphrase inside the process that needs it.

The command line takes an encrypted database's passphrase from `PERMANENCE_TRACKER_PASSPHRASE`;
`take_passphrase_from_environment` takes it out of the environment as it reads it, so no child process
(`pg_dump`, a file manager, a PDF viewer) inherits it. While a passphrase is held, core dumps are
off (`RLIMIT_CORE` 0), so a crash cannot write it to disk.
"""

from __future__ import annotations

import os
import resource

PASSPHRASE_ENV = "PERMANENCE_TRACKER_PASSPHRASE"

_held: list[str | None] = [None]


def hold_passphrase() -> None:
    """Core dumps off for the rest of this process: a passphrase is in its memory."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def take_passphrase_from_environment() -> str | None:
    """The passphrase from `PERMANENCE_TRACKER_PASSPHRASE`, taken out of the environment (and kept
    for `environment_passphrase`); the command line calls it once per command."""
    _held[0] = os.environ.pop(PASSPHRASE_ENV, None) or None
    if _held[0] is not None:
        hold_passphrase()
    return _held[0]


def environment_passphrase() -> str | None:
    """The passphrase `take_passphrase_from_environment` took, if any."""
    return _held[0]


def scrub_environment() -> None:
    """Remove the passphrase from the environment (the desktop never reads it there)."""
    os.environ.pop(PASSPHRASE_ENV, None)


def child_environment() -> dict[str, str]:
    """The environment for a child process: this one's, without the passphrase."""
    env = dict(os.environ)
    env.pop(PASSPHRASE_ENV, None)
    return env
