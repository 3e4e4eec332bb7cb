"""`permanence-tracker`, with each `--db PATH` mapped to its own database on a PostgreSQL server.

For tools that pass a file path, such as ../shared/tools/check-drift:

    PERMANENCE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:PORT/postgres \\
        ../shared/tools/check-drift --cli '.venv/bin/python scripts/pg-cli.py'

The same path always maps to the same database (created empty on first use), so an import and
the drift runs that follow see one database. Meant for a throw-away test cluster
(scripts/pg-cluster.sh); scripts/test.sh runs check-drift this way too.
"""

from __future__ import annotations

import hashlib
import os
import sys

import psycopg

from desktop.main import main


def mapped(argv: list[str], admin: str) -> list[str]:
    out = list(argv)
    if "--db" in out:
        i = out.index("--db") + 1
        name = "drift_" + hashlib.sha256(out[i].encode()).hexdigest()[:16]
        with psycopg.connect(admin, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f"CREATE DATABASE {name}")
        out[i] = admin.rsplit("/", 1)[0] + "/" + name
    return out


if __name__ == "__main__":
    url = os.environ.get("PERMANENCE_TEST_POSTGRES_URL")
    if not url:
        sys.exit("pg-cli.py: set PERMANENCE_TEST_POSTGRES_URL (scripts/pg-cluster.sh start prints it)")
    sys.exit(main(mapped(sys.argv[1:], url)))
