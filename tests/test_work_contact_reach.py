"""A contact request passed on about a shielded child, "whoever works with this child" (R-SENS-4, R-SHIELD-1), in
its hard cases (issue 14 §4): it reaches each practitioner with a current involvement who is a user, once however
many involvements they hold, a user who cannot sign in today too (the notice waits in their inbox); never the
requester, never one whose involvement has ended, never a data-set practitioner who is nobody's account."""
from __future__ import annotations

from datetime import date, timedelta

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason, ServiceType
from tests.conftest import TODAY, add_child, viewer_for
from tests.test_work_involvements import CSC, HUB, REASON, found, new

MONITORING = Reason(AccessReason.LA_MONITORING)


def _insert(conn, cid: int, by: str, ended: date | None = None) -> int:
    """An involvement as the data set or an earlier session left it."""
    return conn.execute(
        "INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, started, ended, "
        "recorded_by) VALUES (?, 'early_help', ?, 'Someone', 'Family support worker', '0191 555 0303', '', ?, ?, ?)",
        (cid, HUB, (TODAY - timedelta(days=90)).toordinal(), ended.toordinal() if ended else None, by)).lastrowid


def test_passed_on_for_a_shielded_child_reaches_each_current_practitioner_who_is_a_user_once(directory):
    d = directory
    did = add_child(d, "Wrenna", "Holloway", date(2016, 4, 4))
    cid = d.conn.execute("SELECT id FROM children WHERE directory_id = ?", (int(did.replace(" ", "")),)).fetchone()[0]
    alex, sam = viewer_for(d, "alex.practitioner"), viewer_for(d, "sam.cp")
    for who in (alex, sam):
        found(d, who, did)
    d.perform(ops.RECORD_INVOLVEMENT, alex, new(did))  # the requester works with the child too
    d.perform(ops.RECORD_INVOLVEMENT, sam, new(did, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    d.perform(ops.RECORD_INVOLVEMENT, sam, new(did, service=ServiceType.EARLY_HELP, organisation=HUB))
    _insert(d.conn, cid, "chris.locked")  # a user who cannot sign in today
    _insert(d.conn, cid, "dee.expired", ended=TODAY - timedelta(days=5))  # ended: no longer working with the child
    _insert(d.conn, cid, "staff-nbr-early_help")  # the data set's practitioner: no account
    assert d.perform(ops.REQUEST_SHIELD, sam, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON))
    view = d.view_record(alex, did, REASON)
    assert view.shield_applied and view.involvements == ()
    asked = d.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, 0, "0191 555 0199", "alex@hub.example",
                                                                 REASON))
    la = viewer_for(d, "jo.la")
    d.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(asked.request_id, t.ContactStatus.PASSED_ON))
    told = sorted(u for (u,) in d.conn.execute("SELECT username FROM notices WHERE kind = ? AND about_request = ?",
                                               (t.NoticeKind.CONTACT_REQUEST.value, asked.request_id)))
    assert told == ["chris.locked", "sam.cp"]
    (for_sam,) = [n for n in d.perform(ops.INBOX, sam, t.Nothing()) if n.kind is t.NoticeKind.CONTACT_REQUEST]
    assert (for_sam.practitioner, for_sam.phone, for_sam.email) == ("Alex Morgan", "0191 555 0199",
                                                                    "alex@hub.example")
    contact = (t.NoticeKind.CONTACT_REQUEST, t.NoticeKind.CONTACT_ANSWERED)
    (answered,) = [n for n in d.perform(ops.INBOX, alex, t.Nothing()) if n.kind in contact]
    assert answered.kind is t.NoticeKind.CONTACT_ANSWERED and answered.directory_id == did
    assert "Sam" not in repr(answered) and "chris" not in repr(answered)  # the requester learns nothing of who
    detail = d.conn.execute("SELECT detail FROM audit WHERE action = 'contact_decided' ORDER BY seq DESC").fetchone()
    assert '"practitioners_told":2' in detail[0]
