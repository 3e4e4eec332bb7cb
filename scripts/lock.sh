#!/usr/bin/env bash
# Regenerate the lock files (exact versions with hashes) from pyproject.toml, with uv.
# Run after changing a dependency; commit the results. The README's commands install from them.
#   requirements/app.txt     what the application needs (scripts/start.sh)
#   requirements/dev.txt     that plus the development tools (scripts/test.sh, .ci/run)
#   requirements/bundle.txt  that plus PyInstaller (scripts/bundle.sh)
# One lock for every platform (--universal), so the Windows build gets the same versions.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-uv}
command -v "$uv" >/dev/null 2>&1 || uv=.venv/bin/uv
[ -x "$uv" ] || command -v "$uv" >/dev/null 2>&1 || { echo "lock.sh needs uv: pip install uv" >&2; exit 1; }
common=(--universal --python-version 3.11 --generate-hashes --quiet "$@")
"$uv" pip compile "${common[@]}" pyproject.toml requirements/setup.in -o requirements/app.txt
"$uv" pip compile "${common[@]}" pyproject.toml requirements/setup.in --extra dev -o requirements/dev.txt
"$uv" pip compile "${common[@]}" pyproject.toml requirements/setup.in requirements/bundle.in -o requirements/bundle.txt
