"""Bulk load of a generated training directory into PostgreSQL with COPY, then its indexes (issue 16 §2)."""
from __future__ import annotations

import shutil
from datetime import date

import psycopg
import pytest

from app import db
from app.national import load, migrate, roles
from app.national.load import LoadRefused


def _derived(conn) -> set[str]:
    """The names of every secondary index and foreign key: what the load drops and must make again."""
    indexes = {n for (n,) in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    fks = {n for (n,) in conn.execute("SELECT conname FROM pg_constraint WHERE contype = 'f'")}
    return indexes | fks


def test_a_training_directory_loads_whole_with_its_indexes(database, small_directory):
    cluster, name = database
    path, key = small_directory
    with psycopg.connect(cluster.dsn(name)) as conn:
        made_by_migrations = _derived(conn)
    seen: list[tuple[str, int, int]] = []
    report = load.load(path, key, cluster.dsn(name), progress=lambda *p: seen.append(p))
    src = db.open_encrypted(path, key)
    try:
        counts = {t: src.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in report.rows}
        dob, shielded = src.execute("SELECT dob, shielded_at FROM children WHERE directory_id = 9000000017").fetchone()
        usernames = [u for (u,) in src.execute("SELECT username FROM users ORDER BY rowid")]
        leads = src.execute("SELECT count(*) FROM involvements WHERE lead = 1").fetchone()[0]
    finally:
        src.close()
    assert report.rows == counts and report.children == 2000
    assert report.database_bytes > 0
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE)) as conn:
        for table, n in counts.items():
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n, table
        # values in PostgreSQL's types: a day's ordinal is a date, a 0/1 flag a boolean, the users in order added
        row = conn.execute("SELECT dob, shielded_at IS NOT NULL FROM children WHERE directory_id = 9000000017"
                           ).fetchone()
        assert row == (date.fromordinal(dob), shielded is not None) == (date(2014, 9, 2), True)
        assert [u for (u,) in conn.execute("SELECT username FROM users ORDER BY added")] == usernames
        assert conn.execute("SELECT count(*) FROM involvements WHERE lead").fetchone()[0] == leads > 0
        # the search index came across: the shielded cast child is found by her name and date of birth only
        # (R-SHIELD-5: no postcode in her rows), through the index the migrations defined
        found = conn.execute("SELECT DISTINCT c.directory_id, s.postcode FROM search_names s "
                             "JOIN children c ON c.id = s.child_id WHERE s.family = 'TREVASKIS' "
                             "AND s.dob = '2014-09-02'").fetchall()
        assert found == [(9000000017, None)]
        # every identity moved past the ids loaded: a new row gets a fresh id
        biggest = conn.execute("SELECT max(id) FROM households").fetchone()[0]
        new = conn.execute("INSERT INTO households (line1, line2, town, postcode, la_code) "
                           "VALUES ('1 A Road', '', 'Town', 'NB1 1AA', 'NBR') RETURNING id").fetchone()[0]
        assert new == biggest + 1
        conn.rollback()
        assert _derived(conn) == made_by_migrations  # every index and foreign key made again, by the same name
    phases = [p for p, _, _ in seen]
    assert phases == sorted(phases, key=["rows", "indexes"].index)  # rows, then indexes
    for phase in ("rows", "indexes"):
        done = [(d, t) for p, d, t in seen if p == phase]
        assert done[0][0] == 0 and done[-1][0] == done[-1][1] > 0
        assert [d for d, _ in done] == sorted(d for d, _ in done)


def test_a_load_that_fails_half_way_leaves_the_database_as_empty_as_it_was(database, small_directory, monkeypatch):
    cluster, name = database
    path, key = small_directory
    with psycopg.connect(cluster.dsn(name)) as conn:
        made_by_migrations = _derived(conn)

    def interrupted(phase: str, done: int, total: int) -> None:
        if phase == "rows" and done >= 5000:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the copy

    monkeypatch.setattr(load, "PROGRESS_EVERY", 1000)
    with pytest.raises(KeyboardInterrupt):
        load.load(path, key, cluster.dsn(name), progress=interrupted)
    with psycopg.connect(cluster.dsn(name)) as conn:
        assert conn.execute("SELECT count(*) FROM children").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM households").fetchone()[0] == 0
        assert _derived(conn) == made_by_migrations
    load.load(path, key, cluster.dsn(name))  # and it can be loaded afresh


def test_a_second_load_is_refused_and_changes_nothing(database, small_directory):
    cluster, name = database
    path, key = small_directory
    load.load(path, key, cluster.dsn(name))
    with pytest.raises(LoadRefused, match="already holds a directory"):
        load.load(path, key, cluster.dsn(name))
    with psycopg.connect(cluster.dsn(name)) as conn:
        assert conn.execute("SELECT count(*) FROM children").fetchone()[0] == 2000


def test_a_database_short_of_the_newest_migration_is_refused(empty_database, small_directory):
    cluster, name = empty_database
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        migrate.migrate(conn, upto=2)
    with pytest.raises(LoadRefused, match="apply the migrations first"):
        load.load(*small_directory, cluster.dsn(name))


def test_a_directory_with_an_audit_log_is_refused(database, small_directory, tmp_path):
    """Its entries are numbered and signed by its own log: moving them is not built, and not done silently."""
    cluster, name = database
    path, key = small_directory
    copy = tmp_path / "with-audit.db"
    shutil.copy(path, copy)
    src = db.open_encrypted(copy, key)
    src.execute("INSERT INTO audit VALUES (1, '2026-05-01T10:00:00+00:00', 'alex.practitioner', NULL, 'sign_in', "
                "NULL, '{}', 'NBR', x'00')")
    src.close()
    with pytest.raises(LoadRefused, match="audit log"):
        load.load(copy, key, cluster.dsn(name))


def test_a_directory_from_an_older_version_is_refused(database, small_directory, tmp_path):
    cluster, name = database
    path, key = small_directory
    copy = tmp_path / "older.db"
    shutil.copy(path, copy)
    src = db.open_encrypted(copy, key)
    src.execute("DELETE FROM schema_migrations WHERE name = 'closure-register'")
    src.close()
    with pytest.raises(LoadRefused, match="predates this version"):
        load.load(copy, key, cluster.dsn(name))
