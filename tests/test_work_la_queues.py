"""The LA team's queues read what they show in one query each, through an index (issue 14 §3.3)."""
from __future__ import annotations

from app.directory.store.sqlite import shields as shield_store
from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.conftest import viewer_for


def test_the_shield_queue_is_one_query_through_the_las_shielded_children(directory):
    """R-SHIELD-3: not a scan of every child, nor a query per shield: one query, on the partial index of the
    shielded children by LA (made by the schema migration ``la-admin-shield-queue``)."""
    plan = " ".join(r[-1] for r in directory.conn.execute("EXPLAIN QUERY PLAN " + shield_store._QUEUE + "c.la_code = ?",
                                                          ("NBR",)))
    assert "children_shielded_la" in plan and "SCAN c" not in plan, plan
    statements: list[str] = []
    directory.conn.set_trace_callback(statements.append)
    try:
        queue = directory.perform(ops.SHIELD_REVIEWS, viewer_for(directory, "jo.la"), t.Nothing())
    finally:
        directory.conn.set_trace_callback(None)
    assert len(queue) > 50
    assert sum(s.lstrip().upper().startswith("SELECT C.DIRECTORY_ID") for s in statements) == 1
