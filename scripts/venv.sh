#!/usr/bin/env bash
# Make .venv match a lock file (requirements/app.txt, dev.txt or bundle.txt): the exact versions
# and hashes, then the project itself (editable, no dependencies of its own resolved).
#
# Installs only when what is installed no longer matches: the lock file and pyproject.toml are
# hashed into .venv/.installed, and a start with the same hash touches no network at all (the
# officer's laptop is offline). A lock file with more in it (dev includes app) counts as a match
# for a smaller one, so the test command's venv also starts the app offline.
#
#   scripts/venv.sh requirements/app.txt
#   VENV=build/venv-bundle scripts/venv.sh requirements/bundle.txt   (another folder)
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:?usage: scripts/venv.sh requirements/LOCK.txt}
stamp_of() { cat "$1" pyproject.toml | sha256sum | cut -d' ' -f1; }
want=$(stamp_of "$lock")
venv=${VENV:-.venv}
installed=$venv/.installed
if [ -x "$venv/bin/python" ] && [ -f "$installed" ]; then
  # Each line: the hash of a lock file (with pyproject.toml) that this venv holds.
  if grep -qx "$want" "$installed"; then
    exit 0
  fi
  for other in requirements/dev.txt requirements/bundle.txt; do
    [ "$other" = "$lock" ] || [ ! -f "$other" ] && continue
    # A bigger lock holds every pin of this one: its venv serves both.
    if grep -qx "$(stamp_of "$other")" "$installed" \
      && [ -z "$(comm -23 <(grep -E '^[a-z0-9]' "$lock" | sort) <(grep -E '^[a-z0-9]' "$other" | sort))" ]; then
      exit 0
    fi
  done
fi
echo "Setting up $venv from $lock (needs the network this once)..." >&2
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
rm -f "$installed"
"$venv/bin/python" -m pip install -q --require-hashes --no-deps -r "$lock"
"$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
"$venv/bin/python" -m pip check >/dev/null || { "$venv/bin/python" -m pip check >&2; exit 1; }
stamp_of "$lock" >> "$installed"
