"""The roles and the append-only audit on PostgreSQL (issue 16 §2, §4; R-AUDIT-2): the service nodes' role may add
to the audit and read it, never change or remove it; the owner's triggers refuse that even to the owner; and
the audit's sequence has no gap, whatever runs at once or rolls back."""
from __future__ import annotations

import random
import threading

import psycopg
import pytest
from psycopg import sql

from app.national import roles

from .rows import a_child, append_audit

AUDIT_TABLES = ("audit", "audit_tree", "audit_checkpoints")
CHANGES = {
    "audit": ("UPDATE audit SET actor = 'someone else'", "DELETE FROM audit", "TRUNCATE audit"),
    "audit_tree": ("UPDATE audit_tree SET hash = '\\x00'", "DELETE FROM audit_tree", "TRUNCATE audit_tree"),
    "audit_checkpoints": ("UPDATE audit_checkpoints SET signature = '\\x00'", "DELETE FROM audit_checkpoints",
                          "TRUNCATE audit_checkpoints"),
}


@pytest.fixture
def logged(database):
    """A database with three audit entries, a tree node and a checkpoint, written as the service."""
    cluster, name = database
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE)) as conn:
        for _ in range(3):
            append_audit(conn, "alex.practitioner", "search")
        conn.execute("INSERT INTO audit_tree VALUES (0, 0, %s)", (b"\x01" * 32,))
        conn.execute("INSERT INTO audit_checkpoints VALUES (3, %s, 'now', %s)", (b"\x02" * 32, b"\x03" * 64))
    return cluster, name


def _refused(cluster, name: str, user: str, statement: str) -> psycopg.Error:
    with psycopg.connect(cluster.dsn(name, user=user)) as conn:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(statement)
        return refused.value


def _rows(cluster, name: str) -> list:
    with psycopg.connect(cluster.dsn(name)) as conn:
        return [conn.execute(f"SELECT t::text FROM {t} t ORDER BY 1").fetchall() for t in AUDIT_TABLES]


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_service_role_may_add_to_and_read_the_audit_but_never_change_or_remove_it(logged, table):
    cluster, name = logged
    before = _rows(cluster, name)
    for statement in CHANGES[table]:
        refused = _refused(cluster, name, roles.SERVICE, statement)
        assert isinstance(refused, psycopg.errors.InsufficientPrivilege)
        assert "permission denied" in str(refused)  # the grant stops it before the trigger is reached
    assert _rows(cluster, name) == before
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE)) as conn:
        assert conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0] > 0


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_not_even_the_owner_can_change_or_remove_the_audit(logged, table):
    """The owner may do anything the grants allow on its own tables: the triggers refuse it all the same."""
    cluster, name = logged
    before = _rows(cluster, name)
    for statement in CHANGES[table]:
        refused = _refused(cluster, name, roles.OWNER, statement)
        assert "the audit is append-only" in str(refused)
    assert _rows(cluster, name) == before


def test_the_grants_give_the_service_every_directory_table_and_only_append_and_read_on_the_audit(database):
    """Policy over every table, so a later migration's table is covered as soon as it is made: a table with an
    append-only trigger is add-and-read for the service; every other directory table is its to read and write."""
    cluster, name = database
    with psycopg.connect(cluster.dsn(name)) as conn:
        append_only = {t for (t,) in conn.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                                                   "WHERE tgfoid = 'audit_refuse_change'::regproc")}
        assert append_only >= set(AUDIT_TABLES)
        tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            rights = {p for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
                      if conn.execute("SELECT has_table_privilege(%s, %s, %s)",
                                      (roles.SERVICE, table, p)).fetchone()[0]}
            if table in ("audit_head", "schema_migrations"):  # moved on only by audit_sequence_next(); the owner's
                assert rights == {"SELECT"}, table
            elif table in append_only:
                assert rights == {"SELECT", "INSERT"}, table
            else:
                assert rights == {"SELECT", "INSERT", "UPDATE", "DELETE"}, table


@pytest.mark.parametrize("statement", [
    "CREATE TABLE mine (n integer)",
    "CREATE TEMPORARY TABLE audit_head (one boolean, size bigint)",
    "DROP TRIGGER audit_append_only ON audit",
    "ALTER TABLE audit DISABLE TRIGGER audit_append_only",
    "UPDATE audit_head SET size = size + 1",
    "DROP TABLE audit",
])
def test_the_service_role_cannot_change_the_schema_or_the_audit_head(database, statement):
    cluster, name = database
    refused = _refused(cluster, name, roles.SERVICE, statement)
    assert isinstance(refused, psycopg.errors.InsufficientPrivilege)


def test_an_entry_is_written_only_at_the_number_just_taken_and_every_number_taken_is_written(database):
    cluster, name = database
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE)) as conn:
        append_audit(conn, "alex.practitioner", "search")
        conn.commit()
        with pytest.raises(psycopg.errors.CheckViolation, match="out of sequence"):  # a number not taken
            conn.execute("INSERT INTO audit (seq, at, actor, action, detail, leaf) VALUES (5, 'now', 'x', 'y', '{}', "
                         "'\\x00')")
        conn.rollback()
        conn.execute("SELECT audit_sequence_next()")
        with pytest.raises(psycopg.errors.CheckViolation, match="was taken but no entry was written"):
            conn.commit()  # a number taken and not used would be a gap: the commit is refused
        assert conn.execute("SELECT size FROM audit_head").fetchone()[0] == 1
    with psycopg.connect(cluster.dsn(name, user=roles.OWNER)) as owner:  # the head moves on by one, even for him
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="by one entry"):
            owner.execute("UPDATE audit_head SET size = size + 2")
        owner.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="by one entry"):
            owner.execute("DELETE FROM audit_head")


def test_a_temporary_table_cannot_stand_in_for_the_audit_head(database):
    """The owner may make temporary tables; one named audit_head still does not let an entry jump the sequence."""
    cluster, name = database
    with psycopg.connect(cluster.dsn(name, user=roles.OWNER)) as owner:
        owner.execute("CREATE TEMPORARY TABLE audit_head (one boolean, size bigint)")
        owner.execute("INSERT INTO audit_head VALUES (true, 100)")
        with pytest.raises(psycopg.errors.CheckViolation, match="out of sequence"):
            owner.execute("INSERT INTO audit (seq, at, actor, action, detail, leaf) "
                          "VALUES (100, 'now', 'x', 'y', '{}', '\\x00')")


def test_concurrent_changes_with_rollbacks_leave_one_gap_free_sequence_in_commit_order(database):
    """Eight writers, each change with its audit entry in one transaction, one in four rolled back after its
    number was taken: the numbers given back are reused, and the log is 1..n with no gap."""
    cluster, name = database
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE)) as conn:
        child = a_child(conn)
    committed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        rng = random.Random(w)
        try:
            with psycopg.connect(cluster.dsn(name, user=roles.SERVICE)) as conn:
                for i in range(25):
                    conn.execute("INSERT INTO record_opens VALUES (%s, '2026-05-01', %s)", (f"w{w}.{i}", child))
                    seq, _ = append_audit(conn, f"w{w}", "view_record")
                    if rng.random() < 0.25:
                        conn.rollback()
                        continue
                    conn.commit()
                    with lock:
                        committed.append(seq)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with psycopg.connect(cluster.dsn(name)) as conn:
        seqs = [s for (s,) in conn.execute("SELECT seq FROM audit ORDER BY seq")]
        opens = conn.execute("SELECT count(*) FROM record_opens").fetchone()[0]
        head = conn.execute("SELECT size FROM audit_head").fetchone()[0]
    assert seqs == list(range(1, len(committed) + 1)) == sorted(committed)
    assert opens == len(committed) == head
    assert 0 < len(committed) < 200
