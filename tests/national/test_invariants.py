"""The invariants that must hold whatever runs at once on however many nodes are the database's (issue 16 §2):
two transactions that each check first ("nobody holds it") and then write cannot both commit. Each test runs
the second transaction on its own connection while the first is still open, as two nodes would."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest

from app.national import roles

from .rows import a_child, a_user, an_involvement


def _service(cluster, name: str) -> psycopg.Connection:
    return psycopg.connect(cluster.dsn(name, user=roles.SERVICE))


def _race(cluster, name: str, check: str, write: str, first: tuple, second: tuple) -> BaseException | None:
    """Both transactions run ``check`` (and see nothing in the way), then ``write``; the first commits while the
    second's write waits on it. Returns what the second got (None if it committed)."""
    a, b = _service(cluster, name), _service(cluster, name)
    outcome: list[BaseException | None] = []
    try:
        assert a.execute(check, first).fetchone()[0] == 0
        assert b.execute(check, second).fetchone()[0] == 0  # the check a node makes passes on both
        a.execute(write, first)
        b_pid = b.info.backend_pid

        def second_node() -> None:
            try:
                b.execute(write, second)
                b.commit()
                outcome.append(None)
            except psycopg.Error as exc:
                b.rollback()
                outcome.append(exc)

        t = threading.Thread(target=second_node)
        t.start()
        with psycopg.connect(cluster.dsn(name)) as watch:  # the second is waiting on the first, not yet refused
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not watch.execute(
                    "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", (b_pid,)).fetchone()[0]:
                time.sleep(0.01)
        a.commit()
        t.join(timeout=30)
        return outcome[0]
    finally:
        a.close()
        b.close()


@pytest.fixture
def child(database):
    cluster, name = database
    with _service(cluster, name) as conn:
        cid = a_child(conn)
        ids = (an_involvement(conn, cid, "First Nurse"), an_involvement(conn, cid, "Second Nurse"))
    return cluster, name, cid, ids


def test_two_practitioners_cannot_both_become_a_childs_current_lead_professional(child):
    """R-REC-4: at most one current lead professional per child, even when both claim it at once."""
    cluster, name, cid, (first, second) = child
    got = _race(cluster, name,
                "SELECT count(*) FROM involvements WHERE child_id = (SELECT child_id FROM involvements WHERE id = %s) "
                "AND lead AND ended IS NULL",
                "UPDATE involvements SET lead = true WHERE id = %s", (first,), (second,))
    assert isinstance(got, psycopg.errors.UniqueViolation)
    with _service(cluster, name) as conn:
        assert conn.execute("SELECT id FROM involvements WHERE child_id = %s AND lead", (cid,)).fetchall() == [(first,)]
        # an ended involvement is no longer the current lead: another may take it
        conn.execute("UPDATE involvements SET ended = '2026-04-01' WHERE id = %s", (first,))
        conn.execute("UPDATE involvements SET lead = true WHERE id = %s", (second,))


def test_one_token_cannot_be_enrolled_to_two_users_at_once(database):
    """R-ROLE-4, R-CLOSE-3: a user has one enrolled token and a token one holder, whichever LA officer enrols."""
    cluster, name = database
    with _service(cluster, name) as conn:
        a_user(conn, "first.user")
        a_user(conn, "second.user")
    got = _race(cluster, name, "SELECT count(*) FROM users WHERE token_serial = 'A1B2C3' AND username != %s",
                "UPDATE users SET token_serial = 'A1B2C3' WHERE username = %s", ("first.user",), ("second.user",))
    assert isinstance(got, psycopg.errors.UniqueViolation)
    with _service(cluster, name) as conn:
        assert conn.execute("SELECT username FROM users WHERE token_serial = 'A1B2C3'").fetchall() == [("first.user",)]


def test_an_idempotency_key_is_done_once_per_user_when_two_nodes_get_the_repeat_at_once(database):
    """Issue 13 §2: the outbox re-sends a change to another node while the first still works on it: one commits."""
    cluster, name = database
    write = ("INSERT INTO done_requests (username, key, op, answer, at) "
             "VALUES (%s, 'outbox-key-0001', 'end_involvement', '{}', now())")
    got = _race(cluster, name, "SELECT count(*) FROM done_requests WHERE username = %s AND key = 'outbox-key-0001'",
                write, ("alex.practitioner",), ("alex.practitioner",))
    assert isinstance(got, psycopg.errors.UniqueViolation)
    with _service(cluster, name) as conn:
        conn.execute(write, ("sam.cp",))  # the same key is another user's own
        assert conn.execute("SELECT count(*) FROM done_requests").fetchone()[0] == 2


def test_two_nodes_cannot_both_add_an_organisation_to_an_las_register_in_different_case(database):
    """R-REC-5, issue 14 §2.3: one entry per name per LA whatever its case (the embedded register's NOCASE), even
    when two LA officers add it through two nodes at once."""
    cluster, name = database
    check = "SELECT count(*) FROM organisations WHERE la_code = 'NBR' AND lower(name) = lower(%s)"
    write = "INSERT INTO organisations (name, la_code, status) VALUES (%s, 'NBR', 'listed')"
    got = _race(cluster, name, check, write, ("Northbridge Youth Hub",), ("NORTHBRIDGE youth hub",))
    assert isinstance(got, psycopg.errors.UniqueViolation)
    with _service(cluster, name) as conn:
        conn.execute("INSERT INTO organisations (name, la_code, status) VALUES ('Northbridge Youth Hub', 'STH', "
                     "'listed')")  # another LA's register is its own
        assert conn.execute("SELECT count(*) FROM organisations").fetchone()[0] == 2
