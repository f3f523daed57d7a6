"""The notices store (issue 16 §1): what ``work.notices`` relies on to tell others working with a child (issue 8
item 5), each user's inbox read and unread, and what ``work.alerts`` and the engine rely on for an LA team's
alert raised once while unacknowledged (R-AUDIT-2)."""
from __future__ import annotations

from app.directory.work.types import AlertKind, ContactStatus, NoticeKind

from .involved import PLAIN, bare_children, involve, users

AT = "2026-12-07T10:00:00Z"


def test_others_working_are_the_current_involvements_of_other_organisations_earliest_first(store):
    (child, _), (other_child, _) = bare_children(store, 2)
    me, someone = users(store)
    late = involve(store, child, someone, organisation="Northbridge Surgery", started=738010, practitioner="Sam")
    involve(store, child, "not.a.user", organisation="Early Help Team", started=738005)
    involve(store, child, someone, organisation="NEWCOMER ORG", started=738001)  # the newcomer's organisation
    gone = involve(store, child, someone, organisation="Gone", started=738000)
    store.involvements.end(gone, 738100, 1, 738465)
    involve(store, other_child, someone, organisation="Elsewhere")
    new = involve(store, child, me, organisation="Newcomer Org", started=738020)
    assert store.notices.newcomer(new) == ("Newcomer Org", me)
    rows = store.notices.others_working(child, besides=new, organisation="Newcomer Org")
    assert [(r.organisation, r.recorded_by, r.is_user) for r in rows] == [
        ("Early Help Team", "not.a.user", False), ("Northbridge Surgery", someone, True)]
    sam = rows[1]
    assert (sam.service, sam.practitioner, sam.role, sam.phone, sam.email, sam.contact_archived) == (
        PLAIN, "Sam", "Teacher", "01632 960000", "pat@example.org", False)
    store.conn.execute("UPDATE involvements SET contact_archived = 1 WHERE id = ?", (late,))  # R-RET-3
    assert store.notices.others_working(child, new, "Newcomer Org")[1].contact_archived is True


def test_an_inbox_is_the_users_own_notices_newest_first_with_what_they_are_about(store):
    (child, la), = bare_children(store)
    me, someone = users(store)
    iid = involve(store, child, someone, organisation="Northbridge Surgery", practitioner="Sam")
    rid = store.contact.add(child, iid, someone, "01632 960002", "asker@example.org", AT,
                            ContactStatus.WAITING.value, la)
    store.notices.add_about_involvement(me, AT, NoticeKind.ALSO_WORKING.value, child, iid)
    store.notices.add_about_request(me, AT, NoticeKind.CONTACT_REQUEST.value, child, rid, involvement_id=iid)
    store.notices.add_about_request(me, AT, NoticeKind.CONTACT_ANSWERED.value, child, rid)
    store.notices.add_about_involvement(someone, AT, NoticeKind.ALSO_WORKING.value, child, iid)
    inbox = store.notices.inbox_of(me)
    assert [n.kind for n in inbox] == ["contact_answered", "contact_request", "also_working"]
    assert [n.read for n in inbox] == [False, False, False]
    answered, passed, also = inbox
    assert (answered.involvement_id, answered.request_id, answered.requested_by) == (None, rid, someone)
    assert (passed.involvement_id, passed.request_id, passed.request_phone, passed.request_email) == (
        iid, rid, "01632 960002", "asker@example.org")
    assert (also.involvement_id, also.service, also.practitioner, also.role, also.organisation, also.phone,
            also.email, also.contact_archived, also.request_id) == (
        iid, PLAIN, "Sam", "Teacher", "Northbridge Surgery", "01632 960000", "pat@example.org", False, None)
    given, family, did = store.conn.execute("SELECT given_names, family_name, directory_id FROM children "
                                            "WHERE id = ?", (child,)).fetchone()
    assert (also.given_names, also.family_name, also.directory_id, also.la_code, also.shielded, also.at) == (
        given, family, did, la, False, AT)
    assert len(store.notices.inbox_of(someone)) == 1


def test_an_inbox_shows_a_shield_at_once_and_no_child_who_left_the_live_directory(store):
    """R-SHIELD-2: the shield is read with the inbox, not when the notice was sent; R-RET-2: archived not shown."""
    (child, _), (leaving, _) = bare_children(store, 2)
    me, someone = users(store)
    store.notices.add_about_involvement(me, AT, NoticeKind.ALSO_WORKING.value, child, involve(store, child, someone))
    store.notices.add_about_involvement(me, AT, NoticeKind.ALSO_WORKING.value, leaving,
                                        involve(store, leaving, someone))
    assert len(store.notices.inbox_of(me)) == 2
    store.conn.execute("UPDATE children SET shielded_at = ? WHERE id = ?", (AT, child))
    store.conn.execute("UPDATE children SET archived_on = 738100 WHERE id = ?", (leaving,))
    (only,) = store.notices.inbox_of(me)
    assert only.shielded is True


def test_a_notice_is_marked_read_for_its_own_user_only(store):
    (child, la), = bare_children(store)
    me, someone = users(store)
    iid = involve(store, child, someone)
    store.notices.add_about_involvement(me, AT, NoticeKind.ALSO_WORKING.value, child, iid)
    store.notices.add_about_involvement(me, AT, NoticeKind.ALSO_WORKING.value, child, iid)
    first, second = sorted(n.notice_id for n in store.notices.inbox_of(me))
    assert store.notices.own_notice(first, me) == (False, la)
    assert store.notices.own_notice(first, someone) is None  # anyone else's is not theirs to mark
    assert store.notices.own_notice(second + 1000, me) is None
    store.notices.mark_read(first)
    assert store.notices.own_notice(first, me) == (True, la)
    assert {n.notice_id: n.read for n in store.notices.inbox_of(me)} == {first: True, second: False}


def test_an_alert_is_open_until_acknowledged_once(store):
    """The engine raises the broken-log alert only while no such alert is unacknowledged (R-AUDIT-2)."""
    (child, la), = bare_children(store)
    kind, other_kind = AlertKind.SECURITY_ALERT.value, AlertKind.CONSENT_OVERRIDE.value
    assert not store.notices.unacknowledged(la, kind, "self-check", 41)
    first = store.notices.add_alert(la, AT, kind, "self-check", None, 41)
    second = store.notices.add_alert(la, AT, other_kind, "sam", child, 42)
    assert second > first
    assert tuple(store.conn.execute("SELECT la_code, at, kind, actor, child_id, audit_seq, acknowledged_by "
                                    "FROM alerts WHERE id = ?", (second,)).fetchone()) == (
        la, AT, other_kind, "sam", child, 42, None)
    assert store.notices.unacknowledged(la, kind, "self-check", 41)
    assert not store.notices.unacknowledged(la, kind, "self-check", 42)  # another audit entry
    assert not store.notices.unacknowledged(la, kind, "self-check", 40)
    assert not store.notices.unacknowledged(la, kind, "someone", 41)
    assert not store.notices.unacknowledged(la, kind, "a.user", 41)
    assert not store.notices.unacknowledged(la, other_kind, "self-check", 41)
    assert not store.notices.unacknowledged("ZZZ", kind, "self-check", 41)
    # acknowledging is the usage store's: done here as the LA team's inbox does it
    store.conn.execute("UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?", ("jo.la", AT, first))
    assert not store.notices.unacknowledged(la, kind, "self-check", 41)  # so a new one is raised


def test_a_notice_about_the_child_itself_names_no_involvement_or_request(store):
    (child, la), = bare_children(store)
    me, someone = users(store)
    store.notices.add_about_child(me, AT, NoticeKind.SHIELD_LIFTED.value, child)  # R-SHIELD-3: a shield was lifted
    (lifted,) = store.notices.inbox_of(me)
    assert (lifted.kind, lifted.read, lifted.la_code, lifted.involvement_id, lifted.request_id) == (
        "shield_lifted", False, la, None, None)
    assert store.notices.inbox_of(someone) == []
