"""The clusters the national directory runs on: real PostgreSQL, never as root, and a synchronous standby
that has every acknowledged commit when the primary is killed (issue 16: failover loses nothing)."""
from __future__ import annotations

import os
import threading
import time

import psycopg
import pytest

from app.national import pgcluster


def test_postgres_runs_as_the_unprivileged_account_when_we_are_root(primary):
    with psycopg.connect(primary.dsn()) as conn:
        owner = conn.execute("SELECT current_setting('data_directory')").fetchone()[0]
    uid = os.stat(owner).st_uid
    if os.geteuid() == 0:
        assert uid == pgcluster.account().pw_uid != 0
    else:
        assert uid == os.geteuid()
    assert oct(os.stat(primary.socket_dir).st_mode & 0o777) == "0o700"


def test_the_standby_applies_a_commit_before_it_is_acknowledged(pair):
    primary, standby = pair
    with psycopg.connect(primary.dsn(), autocommit=True) as p:
        p.execute("CREATE TABLE t (n integer PRIMARY KEY)")
        assert p.execute("SHOW synchronous_commit").fetchone()[0] == "remote_apply"
        for n in range(20):
            p.execute("INSERT INTO t VALUES (%s)", (n,))
            with psycopg.connect(standby.dsn(), autocommit=True) as s:  # read-your-write on the standby
                assert s.execute("SELECT count(*) FROM t").fetchone()[0] == n + 1


def test_kill_9_the_primary_then_promote_loses_no_acknowledged_write(pair):
    primary, standby = pair
    with psycopg.connect(primary.dsn(), autocommit=True) as p:
        p.execute("CREATE TABLE t (n integer PRIMARY KEY)")
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        n = 0
        try:
            with psycopg.connect(primary.dsn(), autocommit=True) as conn:
                while not stop.is_set():
                    conn.execute("INSERT INTO t VALUES (%s)", (n,))
                    acknowledged.append(n)
                    n += 1
        except psycopg.Error:
            pass  # the primary died under us: what was acknowledged is what counts

    t = threading.Thread(target=writer)
    t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 200 and t.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    primary.kill()
    stop.set()
    t.join(timeout=30)
    standby.promote()
    with psycopg.connect(standby.dsn(), autocommit=True) as s:
        present = {n for (n,) in s.execute("SELECT n FROM t")}
        s.execute("INSERT INTO t VALUES (-1)")  # the promoted standby takes writes
    assert set(acknowledged) <= present
    assert len(acknowledged) >= 200


@pytest.mark.parametrize("program", ["initdb", "pg_ctl", "pg_basebackup"])
def test_the_programs_come_from_debians_package(program):
    assert (pgcluster.bindir() / program).exists()
