"""The bundle's entry script: the same `permanence-tracker` command as the installed one."""

import multiprocessing
import sys

from desktop.main import main

if __name__ == "__main__":
    # The bulk recompute starts a worker process (forkserver or spawn): a frozen program must let
    # that child run the worker instead of starting a second copy of the application.
    multiprocessing.freeze_support()
    sys.exit(main())
