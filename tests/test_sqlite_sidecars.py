"""SQLite's sidecar names (-wal, -shm, -journal) and the audit witness's (.audit-head) each have one home,
app/db.py and app/audit.py (issue 14 §5): the copies disagreed, so a training build left a rollback journal of a
crashed earlier build beside the new directory, where SQLite would take it for the new file's hot journal."""
from __future__ import annotations

import re
from pathlib import Path

from app import audit, db, training
from app.directory import Directory, witness_path
from app.localcache import cache_files

APP = Path(__file__).resolve().parents[1] / "app"


def test_a_training_build_leaves_no_sidecar_or_witness_of_the_directory_it_replaces(tmp_path):
    path = tmp_path / "training.db"
    stale = [*db.sqlite_files(path), audit.witness_path(path)]
    for f in stale:
        f.write_bytes(b"left by a build that was killed")
    key = db.new_key()
    training.build(path, key, children=60)
    assert not [f.name for f in stale[1:] if f.exists() and f.read_bytes() == b"left by a build that was killed"]
    d = Directory.open(path, key)
    try:
        assert d.conn.execute("SELECT count(*) FROM children").fetchone()[0] >= 60
    finally:
        d.close()


def test_the_names_are_written_once():
    assert db.sqlite_files("x.db") == cache_files("x.db") == [Path(p) for p in ("x.db", "x.db-wal", "x.db-shm",
                                                                             "x.db-journal")]
    assert witness_path("x.db") == audit.witness_path("x.db") == Path("x.db.audit-head")
    found = [f"{p.relative_to(APP)}:{n}" for p in APP.rglob("*.py") if p.name not in ("db.py", "audit.py")
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"""(-wal|-shm|-journal|\.audit-head)["']""", line)]
    assert not found, found
