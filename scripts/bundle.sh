#!/usr/bin/env bash
# Build the one-folder application bundle with PyInstaller: dist/permanence-tracker/ holds the
# program and everything it needs (no Python, no pip, no network on the machine it is copied to).
#   scripts/bundle.sh            build it
#   scripts/bundle.sh --smoke    build it, then start it: the command line makes a demo database,
#                                and the window opens offscreen on it and closes itself cleanly
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/qt-deps.sh
# Its own venv: the bundle is built from the application's locked versions and PyInstaller only.
VENV=build/venv-bundle ./scripts/venv.sh requirements/bundle.txt
rm -rf build/bundle dist/permanence-tracker
(cd packaging && ../build/venv-bundle/bin/pyinstaller --noconfirm --log-level WARN \
  --workpath ../build/bundle --distpath ../dist permanence-tracker.spec)
program=dist/permanence-tracker/permanence-tracker
echo "Bundle: $(du -sh dist/permanence-tracker | cut -f1) in dist/permanence-tracker/"
[ "${1:-}" = "--smoke" ] || exit 0

smoke=$(mktemp -d)
trap 'rm -rf "$smoke"' EXIT
"$program" --data-dir "$smoke" --db "$smoke/smoke.sqlite" demo --children 40 --seed 1
"$program" --data-dir "$smoke" --db "$smoke/smoke.sqlite" drift --as-of 2026-01-05 >/dev/null
QT_QPA_PLATFORM=offscreen timeout 120 "$program" --data-dir "$smoke" --db "$smoke/smoke.sqlite" \
  --quit-after 4
grep -q "starting" "$smoke"/logs/*.log
grep -q "closed with status 0" "$smoke"/logs/*.log
echo "Bundle smoke test passed: demo data made, deadlines worked out, the window opened and closed."
