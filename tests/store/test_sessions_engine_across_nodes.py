"""Stateless service nodes (issue 16 §3) through the engine itself: two ``Directory`` engines, each over its own
copy of the training directory, share one ``PostgresSessions`` database through connections of their own, as two
nodes would. The policy is the engine's, unchanged; only where a session lives has moved."""
from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

from app import directory_id
from app.directory import AccessRefused, Directory, RateLimited, SignInRefused
from app.directory.store.sqlite import SqliteStore
from app.limits import Limits
from app.search import Criteria
from app.token.signin import signin_message
from tests.conftest import PASSWORD, TODAY, SoftToken, copy_directory, viewer_for


class _Node(SqliteStore):
    """The directory's tables as today, its sessions on PostgreSQL."""

    def __init__(self, conn, sessions) -> None:
        super().__init__(conn)
        self._national_sessions = sessions

    @property
    def sessions(self):
        return self._national_sessions


@pytest.fixture
def engines(built_directory, tmp_path, postgres_database, postgres_nodes):
    src, key = built_directory
    cluster, name, _ = postgres_database
    opened = []
    for node in ("a", "b"):
        d = Directory.open(copy_directory(src, tmp_path / f"{node}.db"), key, clock=lambda: TODAY)
        d.store = _Node(d.conn, postgres_nodes())
        opened.append(d)
    ids = [i for (i,) in opened[0].conn.execute("SELECT id FROM children")]
    with psycopg.connect(cluster.dsn(name), autocommit=True) as su, su.transaction():  # a grant names a child
        home = su.execute("INSERT INTO households (line1, line2, town, postcode, la_code) "
                          "VALUES ('1 High Street', '', 'Northbridge', 'NB1 1AA', 'NBR') RETURNING id").fetchone()[0]
        su.execute("INSERT INTO children (id, directory_id, given_names, family_name, dob, gender, household_id, "
                   "la_code) SELECT i, 8000000000 + i, 'A', 'B', '2015-01-01', 'F', %s, 'NBR' "
                   "FROM unnest(%s::bigint[]) AS i ON CONFLICT (id) DO NOTHING", (home, ids))
    yield opened
    for d in opened:
        d.close()


def _did(d: Directory, row_id: int) -> str:
    return directory_id.fmt(d.conn.execute("SELECT directory_id FROM children WHERE id = ?",
                                           (row_id,)).fetchone()[0])


def test_signed_in_through_one_node_a_child_found_through_the_other_opens_through_the_first(engines, reason):
    a, b = engines  # R-SEARCH-2/3: the grant is the session's, wherever it was made
    viewer = viewer_for(a, "alex.practitioner")
    found = b.search(viewer, Criteria(directory_id=_did(a, 5)), reason)
    assert [h.directory_id for h in found.hits] == [_did(a, 5)]
    assert a.view_record(viewer, _did(a, 5), reason).directory_id == _did(a, 5)
    with pytest.raises(AccessRefused, match="search for the child first"):
        a.view_record(viewer, _did(a, 6), reason)
    today = datetime.fromtimestamp(a.now(), UTC).date()
    assert b.store.sessions.opens_on("alex.practitioner", today) == 1  # the daily budget, on every node


def test_sessions_ended_through_one_node_are_refused_through_the_other_and_told_apart(engines, reason):
    a, b = engines  # R-ROLE-4: disabled, locked out, given a new token: every node refuses at once
    viewer = viewer_for(a, "alex.practitioner")
    assert b.end_sessions("alex.practitioner") == 1
    with pytest.raises(AccessRefused) as refused:
        a.search(viewer, Criteria(directory_id=_did(a, 5)), reason)
    assert refused.value.code == "access.session_ended"
    assert a.was_stopped(viewer.session)


def test_a_lock_through_one_node_holds_through_the_other(engines, reason):  # R-LOCAL-2
    a, b = engines
    viewer = viewer_for(a, "alex.practitioner")
    b.lock(viewer.user, "idle", viewer.session)
    with pytest.raises(AccessRefused) as refused:
        a.search(viewer, Criteria(directory_id=_did(a, 5)), reason)
    assert refused.value.code == "access.session_locked"


def test_the_search_limit_counts_every_nodes_searches(engines, reason):  # R-SEARCH-6
    a, b = engines
    t = [1_790_000_000.0]
    for d in engines:
        d.now = lambda: t[0]
        d.limits = Limits(searches_per_minute=4, searches_per_hour=200)
    viewer = viewer_for(a, "alex.practitioner")
    for i in range(4):
        (a, b)[i % 2].search(viewer, Criteria(directory_id=_did(a, 5)), reason)
        t[0] += 1
    for d in engines:
        with pytest.raises(RateLimited) as limited:
            d.search(viewer, Criteria(directory_id=_did(a, 5)), reason)
        assert limited.value.params["count"] == 4 and limited.value.retry_after_s == 56


def test_a_challenge_used_through_one_node_cannot_sign_in_through_the_other(engines):  # R-ROLE-4
    a, b = engines
    token = SoftToken("soft-across-nodes")
    for d in engines:
        token.enrol(d, "alex.practitioner")
    challenge = a.challenge()
    signature = token.sign(signin_message("sign-in", token.serial, challenge))
    signed = b.sign_in("alex.practitioner", PASSWORD, token.serial, challenge, signature)
    with pytest.raises(SignInRefused) as refused:
        a.sign_in("alex.practitioner", PASSWORD, token.serial, challenge, signature)
    assert refused.value.code == "sign_in.expired"
    assert a.store.sessions.held(signed.session) is not None  # the one sign-in's session, on every node
