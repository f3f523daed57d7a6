"""Stateless service nodes (issue 16 §3), the sessions kind: two ``PostgresSessions`` over connections of their
own are two nodes. A session made through one works through the other, a challenge taken through one is gone
for the other (R-ROLE-4), a grant made through one opens the child through the other (R-SEARCH-2/3), and a
user's searches and children opened count across both (R-SEARCH-6, the daily budget)."""
from __future__ import annotations

import hashlib
from datetime import date

import psycopg
import pytest

from app.directory.store.sessions import Held
from tests.store.test_sessions import ADA, BEN, T0


@pytest.fixture
def nodes(postgres_nodes):
    return postgres_nodes(), postgres_nodes(), postgres_nodes.children


def test_a_session_made_through_one_node_is_held_by_the_other(nodes):
    a, b, _ = nodes
    a.start("bearer-a", ADA, "TOKEN-1", True, T0)
    assert b.held("bearer-a") == Held("ada.test", ADA, locked=False, must_change_password=True)
    b.password_changed("bearer-a")  # R-ROLE-4 (la-admin): replaced through B, done for A
    assert not a.held("bearer-a").must_change_password


def test_a_lock_through_one_node_holds_on_the_other_and_so_does_the_end(nodes):  # R-LOCAL-2
    a, b, _ = nodes
    a.start("bearer-a", ADA, "TOKEN-1", False, T0)
    assert a.set_locked("bearer-a", "ada.test", True)
    assert b.held("bearer-a").locked
    assert b.set_locked("bearer-a", "ada.test", False)
    assert not a.held("bearer-a").locked
    assert b.end("bearer-a", "ada.test", "", T0 + 1)
    assert a.held("bearer-a") is None


def test_sessions_ended_for_their_user_on_one_node_are_told_apart_on_the_other(nodes):  # R-ROLE-4
    a, b, _ = nodes
    a.start("bearer-a", ADA, "TOKEN-1", False, T0)
    b.start("bearer-b", ADA, "TOKEN-1", False, T0)
    b.start("bearer-c", BEN, "TOKEN-2", False, T0)
    assert a.end_all_of("ada.test", T0 + 1) == 2  # the one made through B too
    assert b.held("bearer-b") is None and b.was_stopped("bearer-a") and b.was_stopped("bearer-b")
    assert a.held("bearer-c") is not None and not a.was_stopped("bearer-c")


def test_a_child_given_through_one_node_opens_through_the_other_and_only_that_child(nodes):  # R-SEARCH-2/3
    a, b, (c1, c2, _) = nodes
    a.start("bearer-a", ADA, "TOKEN-1", False, T0)
    a.grant("bearer-a", [c1])
    assert b.granted("bearer-a", c1)
    assert not b.granted("bearer-a", c2)


def test_a_challenge_taken_through_one_node_is_gone_for_the_other(nodes):  # R-ROLE-4
    a, b, _ = nodes
    a.add_challenge(b"\x01" * 32, T0 + 60, T0)
    assert b.take_challenge(b"\x01" * 32, T0 + 1)
    assert not a.take_challenge(b"\x01" * 32, T0 + 1)
    assert not b.take_challenge(b"\x01" * 32, T0 + 1)


def test_a_users_searches_count_across_both_nodes(nodes):  # R-SEARCH-6
    a, b, _ = nodes
    with a.searches("ada.test") as through_a:
        through_a.record(T0, forget_up_to=T0 - 3600)
    with b.searches("ada.test") as through_b:
        through_b.record(T0 + 10, forget_up_to=T0 - 3590)
        assert through_b.since(T0 - 1, 2) == (2, T0)
    with a.searches("ada.test") as through_a:
        assert through_a.since(T0 + 20 - 60, 1) == (2, T0 + 10)


def test_while_one_node_counts_a_users_searches_the_other_waits(nodes, postgres_database):  # R-SEARCH-6
    """Counting and recording are one step per user (pg_advisory_xact_lock): two nodes cannot both see 19 of 20
    and both let a 20th and 21st search by."""
    a, _, _ = nodes
    cluster, name, _ = postgres_database
    from app.directory.store.postgres import PostgresSessions
    from app.national import roles
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE), autocommit=True) as conn:
        conn.execute("SET lock_timeout = '300ms'")
        b = PostgresSessions(conn)
        with a.searches("ada.test"):
            with pytest.raises(psycopg.errors.LockNotAvailable), b.searches("ada.test"):
                pass
            with b.searches("ben.test") as his:  # another user's searches are not held up
                his.record(T0, forget_up_to=T0 - 3600)
        with b.searches("ada.test") as mine:  # once A's step is done, B counts
            assert mine.since(T0 - 3600, 1) == (0, None)


def test_while_one_node_counts_a_users_children_opened_the_other_waits(nodes, postgres_database):
    """The budget's last child is let by once: counting and adding one are one step per user."""
    a, _, (c1, _, _) = nodes
    cluster, name, _ = postgres_database
    from app.directory.store.postgres import PostgresSessions
    from app.national import roles
    with psycopg.connect(cluster.dsn(name, user=roles.SERVICE), autocommit=True) as conn:
        conn.execute("SET lock_timeout = '300ms'")
        b = PostgresSessions(conn)
        with a.opening("ada.test"):
            a.record_open("ada.test", date(2026, 5, 28), c1)
            with pytest.raises(psycopg.errors.LockNotAvailable), b.opening("ada.test"):
                pass
            with b.opening("ben.test"):  # another user's budget is not held up
                assert b.opens_on("ben.test", date(2026, 5, 28)) == 0
        with b.opening("ada.test"):
            assert b.opens_on("ada.test", date(2026, 5, 28)) == 1


def test_the_daily_budget_counts_children_opened_through_either_node(nodes):
    a, b, (c1, c2, _) = nodes
    today = date(2026, 5, 28)
    a.record_open("ada.test", today, c1)
    b.record_open("ada.test", today, c2)
    b.record_open("ada.test", today, c1)
    assert a.opens_on("ada.test", today) == 2 and b.opens_on("ada.test", today) == 2
    assert b.opened_on("ada.test", today, c1)


def test_the_database_never_holds_a_bearer(nodes, postgres_database):
    """Whoever reads the database (a backup, a standby's disk) holds no session: the row is keyed by SHA-256."""
    a, _, _ = nodes
    a.start("bearer-that-must-not-be-stored", ADA, "TOKEN-1", False, T0)
    cluster, name, _ = postgres_database
    with psycopg.connect(cluster.dsn(name)) as su:
        rows = su.execute("SELECT token_hash, row_to_json(sessions)::text FROM sessions").fetchall()
    assert [bytes(k) for k, _ in rows] == [hashlib.sha256(b"bearer-that-must-not-be-stored").digest()]
    assert "bearer-that-must-not-be-stored" not in rows[0][1]
