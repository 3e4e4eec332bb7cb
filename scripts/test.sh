#!/usr/bin/env bash
# Set up (a .venv with the exact locked versions of the project and its development tools) and run
# every check:
# ruff, mypy --strict, pytest, and the shared timescale examples when ../shared is present.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/qt-deps.sh
./scripts/venv.sh requirements/dev.txt

export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache

# A private PostgreSQL cluster on 127.0.0.1 for the team-server tests (installed first when missing,
# as root), stopped however the run ends. Without one, on a laptop, those tests skip; CI needs it.
if [ -z "${PERMANENCE_TEST_POSTGRES_URL:-}" ]; then
  if pg_env=$(./scripts/pg-cluster.sh start); then
    eval "$pg_env"
    trap './scripts/pg-cluster.sh stop "$PERMANENCE_PG_CLUSTER"' EXIT
  elif [ "${CI:-}" = true ]; then
    echo "no PostgreSQL cluster could be started: CI runs the team-server tests, so this fails" >&2
    exit 1
  else
    echo "note: no PostgreSQL here; the team-server tests skip" >&2
  fi
fi

set +e
# A private temporary folder: pytest's shared /tmp/pytest-of-$USER is cleaned by whichever run
# starts next, which upsets a concurrent run.
basetemp=$(mktemp -d)
.venv/bin/python -m pytest -q -p no:cacheprovider --basetemp "$basetemp/pytest" "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest ran no tests: failing" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

if [ -x ../shared/tools/check-drift ]; then
  ../shared/tools/check-drift
  if [ -n "${PERMANENCE_TEST_POSTGRES_URL:-}" ]; then
    echo "check-drift on the team server (PostgreSQL):"
    ../shared/tools/check-drift --cli ".venv/bin/python scripts/pg-cli.py"
  fi
elif [ "${CI:-}" = true ]; then
  echo "../shared/tools/check-drift is missing: CI runs the shared timescale examples, so this fails" >&2
  exit 1
else
  echo "note: ../shared is not beside this clone; the shared timescale examples were not run" >&2
fi
