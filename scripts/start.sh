#!/usr/bin/env bash
# Set up (a .venv with the project) and start the desktop application on the default database.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/qt-deps.sh
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/permanence-tracker "$@"
