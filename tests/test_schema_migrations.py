"""Schema migrations: a directory made by an earlier version gains each change once, and a migration that
fails leaves the directory as it was (nothing lost, R-AUDIT-2's log included)."""
from __future__ import annotations

import pytest

from app import db, schema


@pytest.fixture
def conn(tmp_path):
    c = db.open_encrypted(tmp_path / "d.db", db.new_key())
    c.executescript(schema.TABLES)  # a directory from before any migration
    yield c
    c.close()


def test_each_migration_is_applied_once(conn, monkeypatch):
    monkeypatch.setattr(schema, "MIGRATIONS", (("test-extra", ("CREATE TABLE extra (x INTEGER)",)),))
    assert schema.migrate(conn) == ["test-extra"]
    assert schema.migrate(conn) == []
    assert conn.execute("SELECT name FROM schema_migrations").fetchall() == [("test-extra",)]


def test_a_failing_migration_changes_nothing(conn, monkeypatch):
    monkeypatch.setattr(schema, "MIGRATIONS", (
        ("test-bad", ("CREATE TABLE half (x INTEGER)", "INSERT INTO no_such_table VALUES (1)")),))
    with pytest.raises(db.DatabaseError):
        schema.migrate(conn)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 0


def test_a_fresh_directory_has_every_migration(tmp_path):
    c = db.open_encrypted(tmp_path / "f.db", db.new_key())
    try:
        schema.create_tables(c)
        names = {n for (n,) in c.execute("SELECT name FROM schema_migrations")}
        assert names == {name for name, _ in schema.MIGRATIONS}
    finally:
        c.close()


def test_a_directory_from_before_every_migration_with_a_shielded_household_migrates(conn):
    """Each migration runs on a directory that has none of them, in order: the search re-index of
    ``search-name-forms`` reads the sibling decisions (issue 13 §3.1), so that table exists by then; and the
    re-indexed sister of a shielded child gets no postcode (R-SHIELD-5)."""
    conn.execute("INSERT INTO households VALUES (1, '1 Test Row', '', 'Testbury', 'NE1 4XY', 'NBR')")
    for cid, given, shielded in ((1, "Imogen", "2026-01-01"), (2, "Tamsin", None)):
        conn.execute("INSERT INTO children (id, directory_id, given_names, family_name, dob, gender, household_id, "
                     "la_code, shielded_at) VALUES (?,?,?,?,?,?,?,?,?)",
                     (cid, 1000000000 + cid, given, "Van Hulle-Van den Brande", 736000 + cid, "F", 1, "NBR", shielded))
    applied = schema.migrate(conn)
    assert applied == [name for name, _ in schema.MIGRATIONS]
    assert {pc for (pc,) in conn.execute("SELECT postcode FROM search_names WHERE child_id = 2")} == {None}
