"""The `permanence-tracker` entry point: a subcommand runs the Qt-free command line, none starts the app.

The desktop application has options of its own (--as-of, --verbose, Qt's): with no subcommand it parses
them itself. Qt is imported only on that path, so a subcommand on a machine with no display never loads it,
and a start with no display says so in one sentence instead of Qt's abort (and core dump) with a message
about xcb plugins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from models import cli

EXIT_NO_DISPLAY = 1


def no_display(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why the window cannot be shown here, or None. Only Linux and the BSDs need a display server;
    a platform plugin chosen explicitly (offscreen for tests, a VNC one) is taken at its word."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "there is no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): "
        "start it from a desktop session, or use a subcommand such as `drift` (see --help)."
    )


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
