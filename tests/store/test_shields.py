"""The shields store (issue 16 §1): what ``app.directory.work.shields``, ``app.records`` and ``app.siblings`` rely
on (R-SHIELD-2/3, issue 13 §3.1), on the training cast: Lowenna is shielded at build (no review row), Kerensa is
her sister, the Greatorex twins (KVL) are not shielded."""
from __future__ import annotations

from app import directory_id

LOWENNA, KERENSA, TWIN_1, TWIN_2 = "900 000 0017", "900 000 0114", "900 000 0033", "900 000 0041"
UNKNOWN = 999_999_999
AT, LATER = "2026-11-21T10:00:00+00:00", "2026-11-21T10:05:00+00:00"


def _id(store, did: str) -> int:
    got = store.records.child_id_for(directory_id.parse(did))
    assert got is not None, did
    return got


def test_shield_and_unshield_say_whether_they_changed_anything(store):
    """R-SHIELD-2: a shield is in force the moment it is set; a repeated request changes nothing (policy audits it
    as ``already_shielded`` and raises no second alert); a lift is a lift once."""
    cid = _id(store, TWIN_1)
    assert not store.shields.is_shielded(cid)
    assert store.shields.shield(cid, AT) is True
    assert store.shields.is_shielded(cid)
    assert store.shields.shield(cid, LATER) is False
    assert store.shields.is_shielded(cid)
    assert store.shields.unshield(cid) is True
    assert not store.shields.is_shielded(cid)
    assert store.shields.unshield(cid) is False
    assert not store.shields.is_shielded(cid)
    assert not store.shields.is_shielded(_id(store, TWIN_2))  # one row, not the household


def test_a_shield_keeps_the_time_it_was_first_set(store):
    """A repeat must not move ``shielded_at``: the sibling decisions are made against the shield as set."""
    cid = _id(store, TWIN_1)
    store.shields.shield(cid, AT)
    store.shields.shield(cid, LATER)
    row = store.records.child(cid)
    assert row is not None and row.shielded_at == AT


def test_no_such_child_is_neither_shielded_nor_changed(store):
    assert store.shields.shield(UNKNOWN, AT) is False
    assert store.shields.unshield(UNKNOWN) is False
    assert not store.shields.is_shielded(UNKNOWN)


def test_a_new_shield_is_queued_once_for_its_first_review(store):
    """R-SHIELD-3: the first request gives the review row (and the LA team's alert); a repeat keeps the first."""
    cid = _id(store, TWIN_1)
    store.shields.shield(cid, AT)
    assert store.shields.requested_by(cid) is None
    assert store.shields.queue(cid, "risk_of_harm", "alex.practitioner", AT, 740_007) is True
    assert store.shields.queue(cid, "other_risk_of_harm", "bo.other", LATER, 740_099) is False
    assert store.shields.requested_by(cid) == "alex.practitioner"
    line = store.shields.line(cid)
    assert line is not None and line.shield is not None
    assert (line.shield.ground, line.shield.requested_by, line.shield.requested_at, line.shield.review_due,
            line.shield.reviews) == ("risk_of_harm", "alex.practitioner", AT, 740_007, 0)
    assert (line.child_id, line.directory_id, line.shielded_at) == (cid, directory_id.parse(TWIN_1), AT)


def test_a_kept_shield_is_due_again_and_counts_its_reviews(store):
    """R-SHIELD-3: keep moves the next review and counts one more; a build-time shield gets its row at its first
    keep, with no requester."""
    cid = _id(store, TWIN_1)
    store.shields.shield(cid, AT)
    store.shields.queue(cid, "risk_of_harm", "alex.practitioner", AT, 740_007)
    store.shields.keep(cid, "risk_of_harm", AT, 740_190)
    store.shields.keep(cid, "risk_of_harm", AT, 740_370)
    line = store.shields.line(cid)
    assert line is not None and line.shield is not None
    assert (line.shield.review_due, line.shield.reviews, line.shield.requested_by) == (740_370, 2, "alex.practitioner")
    built = _id(store, LOWENNA)
    before = store.shields.line(built)
    assert before is not None and before.shield is None  # set when the directory was built: never reviewed
    store.shields.keep(built, "other_risk_of_harm", before.shielded_at, 740_190)
    after = store.shields.line(built)
    assert after is not None and after.shield is not None
    assert (after.shield.ground, after.shield.requested_by, after.shield.review_due, after.shield.reviews) == (
        "other_risk_of_harm", "", 740_190, 1)


def test_a_sibling_shielded_at_review_is_queued_as_reviewed(store):
    """Issue 13 §3.1: a sibling the LA team shields at a review has been decided: one review, not a first one."""
    cid = _id(store, TWIN_2)
    store.shields.shield(cid, AT)
    store.shields.queue_reviewed(cid, "risk_of_harm", "jo.lateam", AT, 740_190)
    store.shields.queue_reviewed(cid, "other_risk_of_harm", "bo.other", LATER, 740_999)
    line = store.shields.line(cid)
    assert line is not None and line.shield is not None
    assert (line.shield.ground, line.shield.requested_by, line.shield.review_due, line.shield.reviews) == (
        "risk_of_harm", "jo.lateam", 740_190, 1)


def test_a_lifted_shield_leaves_the_queue(store):
    """R-SHIELD-3: lift drops the review row; an unshielded child has no queue line."""
    cid = _id(store, TWIN_1)
    store.shields.shield(cid, AT)
    store.shields.queue(cid, "risk_of_harm", "alex.practitioner", AT, 740_007)
    store.shields.unshield(cid)
    store.shields.drop(cid)
    assert store.shields.requested_by(cid) is None
    assert store.shields.line(cid) is None
    assert store.shields.line(UNKNOWN) is None


def test_the_queue_of_an_la_is_its_shielded_children_only(store):
    """R-SHIELD-3, R-ROLE-3: the LA team's queue holds its own LA's shields and no one else's."""
    lowenna, twin = _id(store, LOWENNA), _id(store, TWIN_1)
    nbr = store.shields.lines_of("NBR")
    assert lowenna in {x.child_id for x in nbr}
    assert all(store.records.la_of(x.child_id) == "NBR" and store.shields.is_shielded(x.child_id) for x in nbr)
    assert twin not in {x.child_id for x in store.shields.lines_of("KVL")}
    store.shields.shield(twin, AT)
    assert twin in {x.child_id for x in store.shields.lines_of("KVL")}
    assert twin not in {x.child_id for x in store.shields.lines_of("NBR")}


def test_a_review_made_is_kept(store):
    """R-SHIELD-3: each review is recorded with its decision and next due (read back on the SQLite connection:
    no policy reads the reviews back yet)."""
    cid = _id(store, LOWENNA)
    store.shields.add_review(cid, "jo.lateam", AT, "keep", 740_190)
    store.shields.add_review(cid, "jo.lateam", LATER, "lift", None)
    got = store.conn.execute("SELECT reviewed_by, reviewed_at, decision, next_due FROM shield_reviews "
                             "WHERE child_id = ? ORDER BY id", (cid,)).fetchall()
    assert [tuple(x) for x in got] == [("jo.lateam", AT, "keep", 740_190), ("jo.lateam", LATER, "lift", None)]


def test_a_shield_holds_the_sister_until_the_la_team_decides(store):
    """R-SHIELD-1/2, issue 13 §3.1: a build-time shield holds the household's other children; the shielded child
    is held by no one; a child of another family is not held."""
    lowenna, kerensa = _id(store, LOWENNA), _id(store, KERENSA)
    assert store.shields.held_by(kerensa) == [lowenna]
    assert store.shields.held_by(lowenna) == []
    assert store.shields.held_by(_id(store, TWIN_1)) == []
    assert store.shields.held_by(UNKNOWN) == []


def test_a_sibling_decision_is_kept_for_the_shield_as_set_and_cleared(store):
    """Issue 13 §3.1: "no shield needed" releases the sister from that shield as set; a shield lifted and set
    again is a new shield and holds her again; forgetting the decisions holds her again too."""
    lowenna, kerensa = _id(store, LOWENNA), _id(store, KERENSA)
    store.shields.decide_not_needed(kerensa, lowenna, "jo.lateam", AT)
    assert store.shields.held_by(kerensa) == []
    store.shields.decide_not_needed(kerensa, lowenna, "jo.lateam", LATER)  # a second decision replaces the first
    assert store.shields.held_by(kerensa) == []
    store.shields.forget_decisions(lowenna)
    assert store.shields.held_by(kerensa) == [lowenna]
    store.shields.decide_not_needed(kerensa, lowenna, "jo.lateam", AT)
    store.shields.unshield(lowenna)
    assert store.shields.held_by(kerensa) == []  # a lifted shield holds no one
    store.shields.shield(lowenna, LATER)
    assert store.shields.held_by(kerensa) == [lowenna]  # set anew: the earlier decision was about the old one
    store.shields.decide_not_needed(kerensa, lowenna, "jo.lateam", LATER)  # decided again, for the shield as now set
    assert store.shields.held_by(kerensa) == []


def test_no_decision_is_recorded_about_a_shield_not_in_force(store):
    """A decision is made against a shield as set: with no shield there is nothing to decide about."""
    twin_1, twin_2 = _id(store, TWIN_1), _id(store, TWIN_2)
    store.shields.decide_not_needed(twin_2, twin_1, "jo.lateam", AT)
    store.shields.shield(twin_1, AT)
    assert store.shields.held_by(twin_2) == [twin_1]
