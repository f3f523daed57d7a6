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
