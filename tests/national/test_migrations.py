"""The national directory's schema: versioned migrations, applied in order, once, each whole or not at all, from
an empty database and from the version before (issue 16 §2)."""
from __future__ import annotations

import threading

import psycopg
import pytest
from psycopg import sql

from app import db, schema
from app.national import load, migrate, roles
from app.national.migrate import Migration, MigrationError

from .rows import a_child, a_user, an_involvement, one_of_each


def _tables_and_columns(conn) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for table, column in conn.execute("SELECT table_name, column_name FROM information_schema.columns "
                                      "WHERE table_schema = 'public'"):
        out.setdefault(table, set()).add(column)
    return out


def _fingerprint(conn, columns: dict[str, set[str]] | None = None) -> dict[str, tuple]:
    """Every table's rows (only ``columns``' tables and columns, if given), in a canonical order, as text: what a
    migration must keep."""
    out = {}
    for table, cols in _tables_and_columns(conn).items():
        if table == "schema_migrations" or (columns is not None and table not in columns):
            continue
        kept = sql.SQL(", ").join(map(sql.Identifier, sorted(columns[table] if columns is not None else cols)))
        rows = conn.execute(sql.SQL("SELECT ROW({})::text FROM {} ORDER BY 1").format(
            kept, sql.Identifier(table))).fetchall()
        out[table] = tuple(r[0] for r in rows)
    return out


def test_an_empty_database_gets_every_migration_in_order_each_recorded_once(empty_database):
    cluster, name = empty_database
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        assert migrate.version(conn) == 0
        done = migrate.migrate(conn)
        assert done == [m.label for m in migrate.migrations()]
        assert migrate.migrate(conn) == []  # nothing twice
        rows = conn.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version").fetchall()
        assert rows == [(m.version, m.name, m.checksum) for m in migrate.migrations()]
        owners = {o for (o,) in conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
        assert owners == {roles.OWNER}  # whoever connects, the owner role owns the schema


def test_every_table_and_column_of_the_embedded_directory_is_in_the_national_schema(database):
    """The embedded directory's schema (app/schema.py: base tables and every migration) has a home on PostgreSQL:
    a migration added there without one here fails this test, so the two never drift apart."""
    embedded = db.open_encrypted(":memory:", db.new_key())
    schema.create_tables(embedded)
    wanted = {t: {r[1] for r in embedded.execute(f"PRAGMA table_info({t})")}
              for (t,) in embedded.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    embedded.close()
    cluster, name = database
    with psycopg.connect(cluster.dsn(name)) as conn:
        have = _tables_and_columns(conn)
    missing = {t: sorted(cols - have.get(t, set())) for t, cols in wanted.items() if cols - have.get(t, set())}
    assert missing == {}
    # what lives in one process's memory today has its tables too (issue 16 §2)
    assert {"sessions", "session_grants", "challenges", "search_events", "address_calls", "audit_head"} <= set(have)


def test_the_last_migration_keeps_a_loaded_directory_as_it_was(empty_database, small_directory):
    """From the previous version: all but the last migration, a training directory loaded (what that version has
    of it) and a row in every table the directory has at that version, then the last migration: every row is
    still there, unchanged, in every column it had."""
    cluster, name = empty_database
    last = migrate.migrations()[-1]
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        migrate.migrate(conn, upto=last.version - 1)
        assert migrate.version(conn) == last.version - 1
        previous = _tables_and_columns(conn)
    path, key = small_directory
    shipped = migrate.migrations()
    source_tables = load._source_tables
    with pytest.MonkeyPatch.context() as mp:  # the loader wants the newest version; here it is one short
        mp.setattr(migrate, "migrations", lambda: shipped[:-1])
        mp.setattr(load, "_source_tables", lambda src: {  # the directory as the previous version held it
            t: [(c, d) for c, d in cols if c in previous[t]]
            for t, cols in source_tables(src).items() if t in previous})
        loaded = load.load(path, key, cluster.dsn(name))
    assert loaded.children > 0
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        with conn.transaction():
            one_of_each(conn)
        empty = [t for t, rows in _fingerprint(conn).items() if not rows]
        assert empty == [], "give these tables a row in one_of_each (tests/national/rows.py)"
        before = _fingerprint(conn)
        assert migrate.migrate(conn) == [last.label]
        after = _fingerprint(conn, previous)
    assert after == before
    assert sum(len(rows) for rows in before.values()) > 10_000


def test_a_failed_migration_changes_nothing_and_is_not_recorded(database, monkeypatch):
    cluster, name = database
    shipped = migrate.migrations()
    broken = Migration(len(shipped) + 1, "broken", "CREATE TABLE half_made (n integer);\nSELECT no_such_function();")
    monkeypatch.setattr(migrate, "migrations", lambda: (*shipped, broken))
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            migrate.migrate(conn)
        assert migrate.version(conn) == len(shipped)
        assert conn.execute("SELECT to_regclass('half_made')").fetchone()[0] is None


def test_a_migration_edited_after_it_was_applied_is_refused(database, monkeypatch):
    cluster, name = database
    shipped = list(migrate.migrations())
    edited = Migration(shipped[1].version, shipped[1].name, shipped[1].text + "\n-- edited\n")
    monkeypatch.setattr(migrate, "migrations", lambda: (shipped[0], edited, *shipped[2:]))
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn, pytest.raises(MigrationError) as refused:
        migrate.migrate(conn)
    assert f"{edited.label} was changed after it was applied" in str(refused.value)


def test_a_database_from_a_newer_version_is_refused(database, monkeypatch):
    cluster, name = database
    shipped = migrate.migrations()
    monkeypatch.setattr(migrate, "migrations", lambda: shipped[:-1])
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn, pytest.raises(MigrationError) as refused:
        migrate.migrate(conn)
    assert "set up by a newer version" in str(refused.value)


def test_two_nodes_migrating_at_once_apply_each_migration_once(empty_database):
    cluster, name = empty_database
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def node() -> None:
        try:
            with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
                results.append(migrate.migrate(conn))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=node) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(results[0] + results[1]) == sorted(m.label for m in migrate.migrations())
    with psycopg.connect(cluster.dsn(name)) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(migrate.migrations())


def test_a_directory_from_before_the_register_gets_it_seeded_from_what_it_holds(empty_database):
    """Migration 0006, as the embedded la-admin-register (R-REC-5): the settings, the GP practices of each LA's
    children and the users' organisations become the LA's listed organisations, each once whatever its case."""
    cluster, name = empty_database
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        migrate.migrate(conn, upto=5)
        with conn.transaction():
            child = a_child(conn)
            setting = conn.execute("INSERT INTO settings (kind, name, line1, line2, town, postcode, phone, la_code) "
                                   "VALUES ('school', 'Northbridge Primary', '1 Road', '', 'Northbridge', 'NB1 1AA', "
                                   "'0', 'NBR') RETURNING id").fetchone()[0]
            gp = conn.execute("INSERT INTO gp_practices (name, line1, line2, town, postcode, phone) VALUES "
                              "('Harbour Surgery', '2 Road', '', 'Northbridge', 'NB1 1AB', '0') RETURNING id"
                              ).fetchone()[0]
            conn.execute("UPDATE children SET setting_id = %s, gp_id = %s WHERE id = %s", (setting, gp, child))
            conn.execute("INSERT INTO gp_practices (name, line1, line2, town, postcode, phone) VALUES "
                         "('Nobody''s Surgery', '3 Road', '', 'Elsewhere', 'EL1 1AA', '0')")  # no child of the LA's
            for username, organisation in (("a.user", "Northbridge Family Hub"), ("b.user", "NORTHBRIDGE FAMILY HUB"),
                                           ("c.user", "")):
                a_user(conn, username)
                conn.execute("UPDATE users SET organisation = %s WHERE username = %s", (organisation, username))
        migrate.migrate(conn)
        register = conn.execute("SELECT name, la_code, status FROM organisations ORDER BY id").fetchall()
    assert register == [("Northbridge Primary", "NBR", "listed"), ("Harbour Surgery", "NBR", "listed"),
                        ("Northbridge Family Hub", "NBR", "listed")]


def test_a_contact_request_is_passed_on_only_by_one_of_the_fixed_choices(database):
    """Migration 0007, as the embedded shields-contact-passed-on-by (R-SENS-4): how the LA team passed a request on
    is a code (signpost, phone, e-mail), never free text, even written straight to the database by a node."""
    cluster, name = database
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE), autocommit=True) as conn:
        with conn.transaction():
            child = a_child(conn)
            request = conn.execute(
                "INSERT INTO contact_requests (child_id, involvement_id, requested_by, phone, email, requested_at, "
                "status, la_code) VALUES (%s, %s, 'sam.cp', '0', 'a@b.example', now(), 'waiting', 'NBR') "
                "RETURNING id", (child, an_involvement(conn, child))).fetchone()[0]
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE contact_requests SET passed_on_by = 'told her at the school gate' WHERE id = %s",
                         (request,))
        for how in ("signpost", "phone", "email"):
            conn.execute("UPDATE contact_requests SET status = 'passed_on', passed_on_by = %s WHERE id = %s",
                         (how, request))
        assert conn.execute("SELECT passed_on_by FROM contact_requests").fetchall() == [("email",)]


def test_a_sibling_decision_is_one_per_shield_and_goes_before_its_children(database):
    """Migration 0007, as the embedded shields-sibling-decisions (R-SHIELD-1/2, R-RET-2): one decision per sibling
    per shield, taken again for the shield as now set, a code, and never left behind by a destroyed child."""
    cluster, name = database
    decide = ("INSERT INTO sibling_decisions (sibling_id, shielded_id, shield_set_at, decision, decided_by, "
              "decided_at) SELECT %s, id, shielded_at, %s, 'la.officer', now() FROM children WHERE id = %s")
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE), autocommit=True) as conn:
        with conn.transaction():
            shielded, sibling = a_child(conn), a_child(conn, 9_000_000_025)
            conn.execute("UPDATE children SET shielded_at = '2026-05-01T10:00:00+00:00' WHERE id = %s", (shielded,))
        conn.execute(decide, (sibling, "not_needed", shielded))
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(decide, (sibling, "not_needed", shielded))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(decide, (sibling, "she seemed fine", shielded))
        for child in (shielded, sibling):
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                conn.execute("DELETE FROM children WHERE id = %s", (child,))
        held = conn.execute("SELECT count(*) FROM sibling_decisions d JOIN children s ON s.id = d.shielded_id "
                            "AND s.shielded_at = d.shield_set_at").fetchone()[0]
        assert held == 1  # the decision matches the shield as it was set: same type, same moment
