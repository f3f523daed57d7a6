"""Stored answers to idempotent changes, on the engine with the clock the tests set (issue 13 §2 item 3):
they expire after the directory's setting (hours), go with their child when it leaves the live directory and
is destroyed (R-RET-2), and an override's answer (a shielded record in full) is never stored at all."""
from __future__ import annotations

from datetime import date, timedelta

from app import directory_id as ids
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason, ServiceType
from app.search import Criteria
from tests.conftest import TODAY, add_child, viewer_for

REASON = Reason(AccessReason.PROVIDING_SERVICE)
SAFEGUARDING = Reason(AccessReason.SAFEGUARDING_ENQUIRY)
HOUR = 3600.0


def _clocked(directory) -> list[float]:
    clock = [directory.now()]
    directory.now = lambda: clock[0]
    return clock


def _found(directory, who, did, reason=REASON) -> None:
    assert [h.directory_id for h in directory.search(who, Criteria(directory_id=did), reason).hits] == [did]


def _stored(directory, key: str) -> int:
    return directory.conn.execute("SELECT count(*) FROM done_requests WHERE key = ?", (key,)).fetchone()[0]


def _shield_requests(directory, did: str) -> int:
    return sum(1 for (detail,) in directory.conn.execute(
        "SELECT detail FROM audit WHERE action = 'shield_requested'") if did in detail)


def test_a_stored_answer_expires_after_the_directorys_setting(directory):
    """Within the setting a repeat is answered from the store (done once); after it the stored answer is gone
    from the directory and the repeat is a new request, checked and audited as one."""
    clock = _clocked(directory)
    directory.set_limit("stored_answer_hours", 2, by="test")
    did = add_child(directory, "Perpetua", "Quillfeather", date(2016, 4, 4))
    alex = viewer_for(directory, "alex.practitioner")
    _found(directory, alex, did)
    asked = t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON)
    assert directory.perform(ops.REQUEST_SHIELD, alex, asked, "expiring-key-1") is True
    clock[0] += 2 * HOUR - 60
    assert directory.perform(ops.REQUEST_SHIELD, alex, asked, "expiring-key-1") is True  # the stored answer
    assert _shield_requests(directory, did) == 1
    clock[0] += 120
    assert directory.perform(ops.REQUEST_SHIELD, alex, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON),
                             "another-key-2") is False  # any later change purges what has expired
    assert _stored(directory, "expiring-key-1") == 0
    assert directory.perform(ops.REQUEST_SHIELD, alex, asked, "expiring-key-1") is False  # run again: shielded
    assert _shield_requests(directory, did) == 3


def test_stored_answers_about_a_child_go_when_it_leaves_the_live_directory_and_is_destroyed(directory):
    """R-RET-2: an answer kept for a repeat names the child (the involvement recorded on its record): when the
    record is archived its answers go with it, and when it is destroyed nothing kept for a repeat is left."""
    leaving = add_child(directory, "Wilhelmina", "Ashbourne-Trigg", date(2008, 12, 1))
    staying = add_child(directory, "Cosmo", "Ashbourne-Trigg", date(2015, 12, 1))
    alex = viewer_for(directory, "alex.practitioner")
    for did, key in ((leaving, "leaving-key-1"), (staying, "staying-key-2")):
        _found(directory, alex, did)
        directory.perform(ops.RECORD_INVOLVEMENT, alex, t.NewInvolvement(
            did, ServiceType.EDUCATION_WELFARE, "Northbridge Education Welfare Service", "Education welfare officer",
            "0191 555 0101", "",
            TODAY - timedelta(days=1), REASON), key)
    assert _stored(directory, "leaving-key-1") == 1
    directory.clock = lambda: date(2026, 12, 1)  # the 18th birthday: archived (R-RET-1)
    directory.apply_retention()
    assert _stored(directory, "leaving-key-1") == 0 and _stored(directory, "staying-key-2") == 1
    child_id = directory.conn.execute("SELECT id FROM children WHERE directory_id = ?",
                                      (ids.parse(leaving),)).fetchone()[0]
    directory.conn.execute(  # as a directory from before this version kept it past the archive
        "INSERT INTO done_requests (username, key, op, answer, at, fingerprint, child_id, expires_at) "
        "VALUES ('alex.practitioner', 'kept-key-3', 'record_involvement', '{}', '2026-12-01', '', ?, ?)",
        (child_id, 2**40))
    directory.clock = lambda: date(2032, 12, 1)  # six years in the archive: destroyed
    directory.apply_retention()
    assert directory.conn.execute("SELECT count(*) FROM children WHERE id = ?", (child_id,)).fetchone()[0] == 0
    assert _stored(directory, "kept-key-3") == 0


def test_an_overrides_answer_is_never_kept(directory):
    """R-SHIELD-6, R-SHIELD-4: the override's answer is the shielded record in full; only the request's
    fingerprint is kept for its key, so nothing of the record stays in the store."""
    did = add_child(directory, "Seraphina", "Blackthorne", date(2014, 7, 7), postcode="NE9 9ZZ", shielded=True)
    sam = viewer_for(directory, "sam.cp")
    _found(directory, sam, did, SAFEGUARDING)
    view = directory.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(did, SAFEGUARDING, True), "override-key-1")
    assert view.address.postcode == "NE9 9ZZ"
    (answer,) = directory.conn.execute("SELECT answer FROM done_requests WHERE key = 'override-key-1'").fetchone()
    assert "NE9 9ZZ" not in answer and "Blackthorne" not in answer
