#!/usr/bin/env bash
# Set up (a .venv with the exact locked versions, once) and start the desktop application on the
# default database. Once set up, it starts with no network: nothing is installed unless the lock
# file or pyproject.toml changed since.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/qt-deps.sh
./scripts/venv.sh requirements/app.txt
exec .venv/bin/permanence-tracker "$@"
