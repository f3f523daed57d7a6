"""Property (issue 17 Tests): random labelled feeds over the test directory never link a row to a child the
oracle knows is another (precision before recall), whatever mix of errors, twins and siblings they carry."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.feeds import synthetic
from app.feeds.matching.matcher import Matcher, Outcome
from app.feeds.matching.sqlcipher_facts import SqlcipherFacts
from app.feeds.records import person_of
from tests.conftest import TODAY

MIXES = st.dictionaries(st.sampled_from(sorted(synthetic.ERRORS)), st.integers(1, 5), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), mix=MIXES)
def test_no_row_is_ever_linked_to_another_child(feed_conn, seed, mix):
    rows = synthetic.Drawer(feed_conn, seed, TODAY).draw(40, mix)
    matcher = Matcher(SqlcipherFacts(feed_conn))
    for n, row in enumerate(rows):
        person = person_of(row.record)
        assert person is not None
        decision = matcher.match(n, person)
        if decision.outcome is Outcome.LINK:
            assert decision.child_id == row.truth, (row.error, person, decision.reason)
