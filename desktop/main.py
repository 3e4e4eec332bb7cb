"""The `permanence-tracker` entry point: a subcommand runs the Qt-free command line, none starts the app.

The desktop application has options of its own (--as-of, --verbose, Qt's): with no subcommand it parses
them itself. Qt is imported only on that path, so a subcommand on a machine with no display never loads it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from models import cli


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(argv) if argv is not None else sys.argv[1:]
    if cli.command_of(arguments) is None:
        from desktop import app

        return app.main(arguments)
    return cli.main(arguments)


if __name__ == "__main__":
    sys.exit(main())
