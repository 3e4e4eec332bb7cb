"""The `permanence-tracker` entry point: a subcommand runs the Qt-free command line, none starts the app.

The desktop application has options of its own (--as-of, --verbose, Qt's): with no subcommand it parses
them itself. Qt is imported only on that path, so a subcommand on a machine with no display never loads it,
and a start with no display says so in one sentence instead of Qt's abort (and core dump) with a message
about xcb plugins.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable, Mapping, Sequence

from models import cli

EXIT_NO_DISPLAY = 1


def x_display_answers(display: str) -> bool | None:
    """Whether an X server listens at a local `DISPLAY` (":0", "unix:1.0"): its socket, in the
    file system or Linux's abstract namespace. None for a remote one (left to Qt to reach)."""
    found = re.fullmatch(r"(unix)?:(\d+)(\.\d+)?", display.strip())
    if found is None:
        return None
    path = f"/tmp/.X11-unix/X{found.group(2)}"
    for address in (path, "\0" + path):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            try:
                probe.connect(address)
            except OSError:
                continue
            return True
    return False


def no_display(
    environ: Mapping[str, str],
    platform: str = sys.platform,
    answers: Callable[[str], bool | None] = x_display_answers,
) -> str | None:
    """Why the window cannot be shown here, or None. Only Linux and the BSDs need a display server;
    a platform plugin chosen explicitly (offscreen for tests, a VNC one) is taken at its word. A
    local `DISPLAY` where no X server answers is no display either (Qt would abort with a message
    about xcb-cursor)."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if environ.get("QT_QPA_PLATFORM") or environ.get("WAYLAND_DISPLAY"):
        return None
    display = environ.get("DISPLAY")
    if not display:
        return (
            "there is no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): "
            "start it from a desktop session, or use a subcommand such as `drift` (see --help)."
        )
    if answers(display) is False:
        return (
            f"there is no display to show the window on (no X server answers at DISPLAY={display}): "
            "start it from a desktop session, or use a subcommand such as `drift` (see --help)."
        )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(argv) if argv is not None else sys.argv[1:]
    if cli.command_of(arguments) is not None or {"-h", "--help"} & set(arguments):
        return cli.main(arguments)  # the help lists the subcommands and says none starts the app
    reason = no_display(os.environ)
    if reason is not None:
        print(f"permanence-tracker: {reason}", file=sys.stderr)
        return EXIT_NO_DISPLAY
    from desktop import app  # only the desktop path loads Qt

    return app.main(arguments)


if __name__ == "__main__":
    sys.exit(main())
