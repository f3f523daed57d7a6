"""The contact store (issue 16 §1): what brokered contact (R-SENS-4, ``work.contact``) relies on: a request waits
until the LA team decides it, once; a repeat while it waits is the same request; each list in its order."""
from __future__ import annotations

from app.directory.work.types import ContactStatus, PassedOnBy

from .involved import SENSITIVE, bare_children, involve, users

WAITING, PASSED_ON, DECLINED = ContactStatus.WAITING.value, ContactStatus.PASSED_ON.value, ContactStatus.DECLINED.value


def _ask(store, child: int, la: str, by: str, involvement_id: int = 0, at: str = "2026-12-07T10:00:00Z") -> int:
    return store.contact.add(child, involvement_id, by, "01632 960002", "me@example.org", at, WAITING, la)


def test_a_new_request_waits_undecided(store):
    (child, la), = bare_children(store)
    me, _ = users(store)
    rid = _ask(store, child, la, me, involvement_id=7)
    kept = store.contact.request(rid)
    assert kept is not None
    assert (kept.request_id, kept.child_id, kept.involvement_id, kept.requested_by, kept.phone, kept.email,
            kept.requested_at, kept.status, kept.decided_at, kept.passed_on_by) == (
        rid, child, 7, me, "01632 960002", "me@example.org", "2026-12-07T10:00:00Z", WAITING, None, None)
    decidable = store.contact.decidable(rid)
    assert (decidable.child_id, decidable.involvement_id, decidable.requested_by, decidable.status,
            decidable.la_code) == (child, 7, me, WAITING, la)
    assert store.contact.request(rid + 1000) is None
    assert store.contact.decidable(rid + 1000) is None


def test_asked_again_while_waiting_finds_the_same_request_and_renews_only_it(store):
    (child, la), = bare_children(store)
    me, someone = users(store)
    rid = _ask(store, child, la, me, involvement_id=3)
    theirs = _ask(store, child, la, someone, involvement_id=3)
    assert store.contact.find(child, 3, me, WAITING) == rid
    assert store.contact.find(child, 4, me, WAITING) is None  # another involvement
    assert store.contact.find(child, 3, me, DECLINED) is None
    store.contact.renew(rid, "01632 960009", "again@example.org")
    assert (store.contact.request(rid).phone, store.contact.request(rid).email) == (
        "01632 960009", "again@example.org")
    assert store.contact.request(theirs).phone == "01632 960002"


def test_a_decision_ends_the_wait_and_says_how_it_was_passed_on(store):
    (child, la), = bare_children(store)
    me, team = users(store)
    rid, other = _ask(store, child, la, me), _ask(store, child, la, me, involvement_id=5)
    store.contact.decide(rid, PASSED_ON, team, "2026-12-07T11:00:00Z", PassedOnBy.PHONE.value)
    kept = store.contact.request(rid)
    assert (kept.status, kept.decided_at, kept.passed_on_by) == (PASSED_ON, "2026-12-07T11:00:00Z", "phone")
    assert store.contact.decidable(rid).status == PASSED_ON  # decided once: a second decision is refused on this
    assert store.contact.find(child, 0, me, WAITING) is None  # a new request may now be made
    assert store.conn.execute("SELECT decided_by FROM contact_requests WHERE id = ?",
                                      (rid,)).fetchone()[0] == team
    assert store.contact.request(other).status == WAITING
    store.contact.decide(other, DECLINED, team, "2026-12-07T11:05:00Z", None)
    assert (store.contact.request(other).status, store.contact.request(other).passed_on_by) == (DECLINED, None)


def test_the_requesters_list_is_newest_first_and_the_la_queue_oldest_first_waiting_only(store):
    (child, la), = bare_children(store)
    me, someone = users(store)
    first, second, third = _ask(store, child, la, me), _ask(store, child, la, me, 1), _ask(store, child, la, me, 2)
    _ask(store, child, la, someone, 4)
    elsewhere = store.contact.add(child, 9, me, "", "me@example.org", "2026-12-07T10:00:00Z", WAITING, "ZZZ")
    assert store.contact.of_requester(me) == [elsewhere, third, second, first]
    store.contact.decide(second, DECLINED, someone, "2026-12-07T11:00:00Z", None)
    queue = store.contact.in_la(la, WAITING)
    assert [r for r in queue if r in (first, second, third, elsewhere)] == [first, third]
    assert queue == sorted(queue)


def test_whom_a_request_is_for(store):
    """R-SENS-4: a named involvement of the child, or on a shielded record every current one."""
    (child, _), (other_child, _) = bare_children(store, 2)
    me, someone = users(store)
    a = involve(store, child, me, service=SENSITIVE)
    b = involve(store, child, someone, organisation="Other")
    ended = involve(store, child, someone, organisation="Gone")
    store.involvements.end(ended, 738100, 1, 738465)
    assert store.contact.involvement_of(a, child) == (SENSITIVE, me)
    assert store.contact.involvement_of(a, other_child) is None
    assert store.contact.current_involvements(child) == [(a, me), (b, someone)]
    assert store.contact.current_involvements(other_child) == []
    assert store.contact.involvement(b) == [(b, someone)]
    assert store.contact.involvement(ended + 1000) == []
