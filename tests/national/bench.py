"""National-side figures (issue 16 §2, §4, §5), not part of `make test`:

    python -m tests.national.bench [--children 1000000] [--writers 1,4,16] [--seconds 5]

- audit appends per second through a synchronous standby (``remote_apply``), each one a transaction that takes
  the next gap-free number (migration 0004) and writes its entry, for each number of concurrent writers; and the
  same with ``synchronous_commit = local`` on the same primary, so the cost of waiting for the standby shows;
- a training directory of ``--children`` generated and loaded with COPY: generation, copy and index times,
  database size;
- a failover drill (tests/national/drill.py) under a write load: time until writes succeed again, writes lost.

Prints one JSON object, with the machine's load average (``uptime``) before and after: on a shared machine the
figures mean little without it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import psycopg

from app import audit, db, generator
from app.national import database, load, pgcluster, roles

from .drill import drill


def _appends_per_second(cluster: pgcluster.Cluster, name: str, writers: int, seconds: float, commit: str) -> float:
    stop = threading.Event()
    counts = [0] * writers

    def writer(w: int) -> None:
        with psycopg.connect(cluster.dsn(name, user=roles.SERVICE)) as conn:
            conn.execute(f"SET synchronous_commit = {commit}")
            conn.commit()
            while not stop.is_set():
                seq = conn.execute("SELECT audit_sequence_next()").fetchone()[0]
                at = f"{time.time():.6f}"
                leaf = audit.entry_leaf(seq, at, f"bench{w}", None, "search", None, "{}", "NBR")
                conn.execute("INSERT INTO audit (seq, at, actor, action, detail, las, leaf) "
                             "VALUES (%s, %s, %s, 'search', '{}', 'NBR', %s)", (seq, at, f"bench{w}", leaf))
                conn.commit()
                counts[w] += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--writers", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    out: dict = {"uptime_before": os.getloadavg(), "cores": os.cpu_count()}
    root = pgcluster.make_root()
    primary = pgcluster.Cluster(root, "primary").init().start()
    standby = pgcluster.Cluster(root, "standby").standby_of(primary).start()
    work = Path(tempfile.mkdtemp(prefix="signpost-bench-"))
    try:
        database.prepare(primary, "appends")
        for writers in (int(w) for w in args.writers.split(",")):
            for commit in ("remote_apply", "local"):
                rate = _appends_per_second(primary, "appends", writers, args.seconds, commit)
                out[f"audit_appends_per_s_{commit}_{writers}_writers"] = round(rate, 1)

        database.prepare(primary, "loaded")
        key = db.new_key()
        t = time.monotonic()
        generator.generate(work / "directory.db", key, children=args.children, today=date(2026, 5, 1))
        out["generate_s"] = round(time.monotonic() - t, 1)
        report = load.load(work / "directory.db", key, primary.dsn("loaded"))
        out.update({"load_children": report.children, "load_rows": sum(report.rows.values()),
                    "load_copy_s": round(report.copy_s, 1), "load_index_s": round(report.index_s, 1),
                    "load_total_s": round(report.total_s, 1),
                    "load_database_mb": round(report.database_bytes / 2**20), "uptime_after_load": os.getloadavg()})
        (work / "directory.db").unlink()

        database.prepare(primary, "drill")
        out.update(drill(primary, standby, "drill", writers=8, load_s=5.0, after_s=2.0).to_json())
    finally:
        for c in (primary, standby):
            c.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    out["uptime_after"] = os.getloadavg()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
