"""The team server under load: simulated people (processes) reading, searching, saving and reporting.

    .venv/bin/python benchmarks/bench_team.py --url postgresql://postgres@127.0.0.1:PORT/postgres \\
        --children 50000 --people 20 --seconds 300

makes a fresh database on that server (loopback only: the URL's host must be 127.0.0.1 or a
socket), seeds it with the demo generator, then runs `--people` processes for `--seconds`. Each
person, in a loop: opens a random child (read, 45%), searches by family name (15%), adds an event
(15%), edits an event of a small shared set of children against what they read (15%: these
collide), or works out one child's deadlines and the register counts (a report's reads, 10%).
A listener in this process LISTENs as another person's screen would.

Afterwards it checks that every acknowledged save is there (each added event by its id and its
unique note; each row's acknowledged edits form one chain: no two edits made against the same
version both succeeded) and prints one JSON line: counts, conflicts refused, p50/p95 of a save
(add and edit), and p50/p95 of the time from a save's acknowledgement to its announcement
reaching the listener (the desktop then waits its 300 ms of gathering and recomputes one child).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text

from models.domain.records import EventRecord
from models.storage import server, store
from models.storage.db import open_database
from models.storage.store import CHILD_T, ConflictError

#: Children whose events everyone edits: the collisions.
HOT = 10


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def person(n: int, url: str, ids: list[str], hot: list[str], seconds: float, out: Any) -> None:
    """One simulated person: a process with its own connection, for `seconds`."""
    rng = random.Random(n)
    db = open_database(url)
    log: list[dict[str, Any]] = []
    stop_at = time.monotonic() + seconds
    try:
        while time.monotonic() < stop_at:
            roll = rng.random()
            if roll < 0.45:
                store.get_child(db, rng.choice(ids))
            elif roll < 0.60:
                with db.engine.connect() as conn:
                    prefix = chr(ord("A") + rng.randrange(26))
                    list(
                        conn.execute(
                            select(CHILD_T.c.id).where(CHILD_T.c.family_name.like(prefix + "%")).limit(50)
                        )
                    )
            elif roll < 0.75:
                child = rng.choice(ids)
                note = f"p{n}-{uuid.uuid4().hex[:10]}"
                began = time.time()
                try:
                    saved = store.add_event(
                        db,
                        child,
                        EventRecord("e1", "cla_visit", date(2026, 11, 1 + rng.randrange(18)), note=note),
                    )
                except store.ValidationError:
                    continue
                log.append(
                    {
                        "kind": "add",
                        "child": child,
                        "id": saved.id,
                        "note": note,
                        "began": began,
                        "ack": time.time(),
                    }
                )
            elif roll < 0.90:
                child = rng.choice(hot)
                record = store.get_child(db, child)
                if record is None or not record.events:
                    continue
                target = record.events[0]
                note = f"p{n}-{uuid.uuid4().hex[:10]}"
                began = time.time()
                try:
                    store.save_event(
                        db,
                        child,
                        EventRecord(
                            target.id,
                            target.type,
                            target.date,
                            dict(target.fields),
                            note,
                            target.recorded_by,
                            dict(target.extra),
                        ),
                        expected=target,
                    )
                except ConflictError:
                    log.append({"kind": "conflict", "child": child, "id": target.id})
                    continue
                except store.ValidationError:
                    continue
                log.append(
                    {
                        "kind": "edit",
                        "child": child,
                        "id": target.id,
                        "from": target.note,
                        "note": note,
                        "began": began,
                        "ack": time.time(),
                    }
                )
            else:
                child = rng.choice(ids)
                store.compute_deadlines(db, date(2026, 11, 20), child)
                with db.engine.connect() as conn:
                    conn.execute(text("SELECT count(*), count(DISTINCT team) FROM child")).one()
    finally:
        db.dispose()
        out.put((n, log))


def listen(url: str, heard: list[tuple[float, str]], stop: threading.Event) -> None:
    import psycopg

    with psycopg.connect(server.libpq_url(server.engine_url(url)), autocommit=True) as conn:
        conn.execute(f"LISTEN {server.CHANNEL}")
        while not stop.is_set():
            for note in conn.notifies(timeout=0.5, stop_after=1000):
                heard.append((time.time(), json.loads(note.payload)["c"]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=os.environ.get("PERMANENCE_TEST_POSTGRES_URL"))
    ap.add_argument("--children", type=int, default=50_000)
    ap.add_argument("--people", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=300)
    args = ap.parse_args()
    if not args.url:
        sys.exit("bench_team: give --url (an admin URL of a PostgreSQL server on this machine)")
    admin = server.engine_url(args.url)
    if not server.is_local_host(admin.host):
        sys.exit("bench_team: the load run is for a server on this machine (127.0.0.1 or a socket) only")
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    libpq = server.libpq_url(admin)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = server.libpq_url(admin.set(database=name))
    result: dict[str, Any] = {"children": args.children, "people": args.people, "seconds": args.seconds}
    try:
        db = open_database(url)
        from models.io.demo import generate
        from models.io.journey_io import import_journey

        began = time.perf_counter()
        import_journey(db, generate(args.children, seed=1, today=date(2026, 11, 20)), source="bench")
        result["seed_s"] = round(time.perf_counter() - began, 1)
        ids = store.child_ids(db)
        hot = ids[:HOT]

        heard: list[tuple[float, str]] = []
        stop = threading.Event()
        listener = threading.Thread(target=listen, args=(url, heard, stop), daemon=True)
        listener.start()
        time.sleep(1)
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        workers = [
            context.Process(target=person, args=(n, url, ids, hot, args.seconds, queue))
            for n in range(args.people)
        ]
        for w in workers:
            w.start()
        logs = dict(queue.get(timeout=args.seconds + 600) for _ in workers)
        for w in workers:
            w.join()
        time.sleep(1.5)
        stop.set()
        listener.join(timeout=5)

        entries = [e for log in logs.values() for e in log]
        adds = [e for e in entries if e["kind"] == "add"]
        edits = [e for e in entries if e["kind"] == "edit"]
        result.update(saves_acknowledged=len(adds) + len(edits), adds=len(adds), edits=len(edits))
        result["conflicts_refused"] = sum(1 for e in entries if e["kind"] == "conflict")

        # Every acknowledged add is there, with its note.
        missing = 0
        with db.engine.connect() as conn:
            stored = {
                (r[0], r[1]): r[2]
                for r in conn.exec_driver_sql(
                    "SELECT child_id, event_id, note FROM event WHERE note IS NOT NULL"
                )
            }
        for e in adds:
            if stored.get((e["child"], e["id"])) != e["note"] and not any(
                x["kind"] == "edit" and x["child"] == e["child"] and x["id"] == e["id"] for x in edits
            ):
                missing += 1
        # Each row's acknowledged edits form one chain, ending in what is stored.
        broken = 0
        by_row: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for e in edits:
            by_row.setdefault((e["child"], e["id"]), []).append(e)
        for row, chain in by_row.items():
            froms = [e["from"] for e in chain]
            if len(froms) != len(set(froms)):
                broken += 1  # two edits made against the same version both succeeded
                continue
            last = max(chain, key=lambda e: e["ack"])
            if stored.get(row) != last["note"]:
                missing += 1
        result["acknowledged_missing"] = missing
        result["lost_updates"] = broken
        result["save_p50_ms"] = _percentile([e["ack"] - e["began"] for e in adds + edits], 0.5)
        result["save_p95_ms"] = _percentile([e["ack"] - e["began"] for e in adds + edits], 0.95)
        # Announcement latency: the first notice of the child heard after the save began.
        notices: dict[str, list[float]] = {}
        for at, child in heard:
            notices.setdefault(child, []).append(at)
        lags = []
        for e in adds + edits:
            after = [t for t in notices.get(e["child"], []) if t >= e["began"]]
            if after:
                lags.append(max(0.0, min(after) - e["ack"]))
        result["announced"] = len(lags)
        result["seen_p50_ms"] = _percentile(lags, 0.5)
        result["seen_p95_ms"] = _percentile(lags, 0.95)
        result["check_audit_breaks"] = len(
            __import__("models.storage.audit", fromlist=["verify_chain"]).verify_chain(db)
        )
        db.dispose()
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(json.dumps(result))
    return 0 if not result.get("acknowledged_missing") and not result.get("lost_updates") else 1


if __name__ == "__main__":
    sys.exit(main())
