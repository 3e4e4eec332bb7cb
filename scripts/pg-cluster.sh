#!/usr/bin/env bash
# A private PostgreSQL cluster for a test run, listening on 127.0.0.1 only.
#
#   eval "$(scripts/pg-cluster.sh start)"   installs the Debian package when missing (as root),
#                                           initdb's a cluster in a new temporary folder, starts it
#                                           on a free port and prints the shell lines that export
#                                           PERMANENCE_TEST_POSTGRES_URL and PERMANENCE_PG_CLUSTER
#   scripts/pg-cluster.sh stop [FOLDER]     stops it and removes the folder (default:
#                                           $PERMANENCE_PG_CLUSTER)
#   scripts/pg-cluster.sh down|up FOLDER    stops the server / starts it again on the same port,
#                                           keeping the data (tests of a server restart)
#
# The cluster trusts connections from 127.0.0.1 (it is a throw-away for tests: nothing else can
# reach it) and its Unix socket lives in its own folder. As root the server runs as the `postgres`
# user (PostgreSQL refuses to run as root); as anyone else, as that person.
set -euo pipefail

find_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then
    echo "$found"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin=$(find_bin)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "pg-cluster.sh: PostgreSQL is not installed (apt-get install postgresql, as root)" >&2
      exit 1
    fi
    echo "pg-cluster.sh: installing the Debian postgresql package..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  local dir port
  dir=$(mktemp -d /tmp/permanence-pg.XXXXXX)
  chmod 0700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-instructions -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >"$dir/data/pg_hba.conf" <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
  port=$("$(dirname "$0")/../.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" >"$dir/options"
  up "$dir"
  echo "export PERMANENCE_PG_CLUSTER=$dir"
  echo "export PERMANENCE_PG_BIN=$bin"
  echo "export PERMANENCE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres"
}

up() {  # start the server of an existing cluster folder again (on the same port)
  local bin
  bin=$(find_bin)
  as_owner "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w -s -o "$(cat "$1/options")" start >&2
}

down() {  # stop the server, keeping the cluster (a test of a server restart)
  local bin
  bin=$(find_bin)
  as_owner "$bin/pg_ctl" -D "$1/data" -m fast -w -s stop >&2
}

stop() {
  local dir=${1:-${PERMANENCE_PG_CLUSTER:-}}
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "pg-cluster.sh: no cluster to stop" >&2; exit 1; }
  local bin
  bin=$(find_bin)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "$@" ;;
  up) up "${2:?usage: scripts/pg-cluster.sh up FOLDER}" ;;
  down) down "${2:?usage: scripts/pg-cluster.sh down FOLDER}" ;;
  *) echo "usage: scripts/pg-cluster.sh start|stop [FOLDER]|up FOLDER|down FOLDER" >&2; exit 2 ;;
esac
