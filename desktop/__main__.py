"""`python -m desktop`: the `permanence-tracker` command (no subcommand starts the application)."""

import sys

from desktop.main import main

sys.exit(main())
