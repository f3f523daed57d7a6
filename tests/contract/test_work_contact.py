"""Brokered contact through the interface, on both implementations (R-SENS-4): a practitioner asks the LA team to
reach whoever holds a withheld involvement; the team sees it in full and passes the request on or declines it;
the sensitive practitioner gets the requester's details and decides; the requester learns only the status."""
from __future__ import annotations

from datetime import timedelta

from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import Colleague, ConsentBy, ServiceType, WithheldInvolvement
from tests.conftest import TODAY
from tests.contract.test_directory_contract import REASON, done, find, refused, viewer

PHONE, EMAIL = "0191 555 0199", "alex.morgan@northbridge-ewo.example"
CAMHS_ORG, CAMHS_PHONE = "Northbridge CAMHS", "0191 555 0777"  # from the register (R-REC-5)


def colleague_of(client, la_viewer) -> Colleague:
    """One of the LA's registered colleagues, as a mediating user picks them from the list (R-ROLE-2)."""
    first = done(client.perform(ops.COLLEAGUES, la_viewer, t.Nothing()))[0]
    return Colleague(first.name, first.organisation, first.username)


def _sensitive_by_sam(client, did) -> int:
    """sam.cp records a CAMHS involvement with consent: sam is a user, so a passed-on request reaches them."""
    sam = viewer(client, "sam.cp")
    find(client, sam, did)
    got = done(client.perform(ops.RECORD_INVOLVEMENT, sam, t.NewInvolvement(
        did, ServiceType.CAMHS, CAMHS_ORG, "Clinical psychologist", CAMHS_PHONE, "camhs.t3@northbridge.example",
        TODAY - timedelta(days=10), REASON, consent=t.Consent(ConsentBy.CHILD, TODAY - timedelta(days=10)))))
    return got.involvement.involvement_id


def _withheld_ids(client, who, did) -> list[int]:
    find(client, who, did)
    view = done(client.view_record(who, did, REASON))
    return [i.involvement_id for i in view.involvements if isinstance(i, WithheldInvolvement)]


def test_a_request_is_brokered_passed_on_and_the_practitioner_told(client, facts):
    did = facts.plain["did"]
    iid = _sensitive_by_sam(client, did)
    alex = viewer(client, "alex.practitioner")
    assert iid in _withheld_ids(client, alex, did)
    asked = done(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, iid, PHONE, EMAIL, REASON)))
    assert asked.status is t.ContactStatus.WAITING and asked.la_detail is None
    assert CAMHS_ORG not in repr(asked) and CAMHS_PHONE not in repr(asked)
    la = viewer(client, "jo.la")
    queue = done(client.perform(ops.CONTACT_QUEUE, la, t.Nothing()))
    mine = [q for q in queue if q.request_id == asked.request_id]
    assert mine and mine[0].la_detail.organisation == CAMHS_ORG and mine[0].requester_phone == PHONE
    decided = done(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(asked.request_id,
                                                                            t.ContactStatus.PASSED_ON)))
    assert decided.status is t.ContactStatus.PASSED_ON and decided.decided_at
    assert asked.request_id not in [q.request_id for q in done(client.perform(ops.CONTACT_QUEUE, la, t.Nothing()))]
    sam = viewer(client, "sam.cp")
    told = [n for n in done(client.perform(ops.INBOX, sam, t.Nothing())) if n.kind is t.NoticeKind.CONTACT_REQUEST]
    assert told and told[0].phone == PHONE and told[0].email == EMAIL and told[0].practitioner.startswith("Alex")
    alex = viewer(client, "alex.practitioner")
    status = done(client.perform(ops.MY_CONTACT_REQUESTS, alex, t.Nothing()))
    assert [(s.request_id, s.status) for s in status] == [(asked.request_id, t.ContactStatus.PASSED_ON)]
    answered = [n for n in done(client.perform(ops.INBOX, alex, t.Nothing()))
                if n.kind is t.NoticeKind.CONTACT_ANSWERED]
    assert answered and answered[0].directory_id == did
    assert CAMHS_ORG not in repr(answered) + repr(status) and CAMHS_PHONE not in repr(answered) + repr(status)
    entries = done(client.audit_entries(la))
    assert any(e.action == "contact_requested" and e.actor == "alex.practitioner" for e in entries)  # R-AUDIT-1
    assert any(e.action == "contact_decided" and e.actor == "jo.la" for e in entries)


def test_a_declined_request_passes_nothing_on(client, facts):
    did = facts.plain["did"]
    iid = _sensitive_by_sam(client, did)
    alex = viewer(client, "alex.practitioner")
    find(client, alex, did)
    asked = done(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, iid, PHONE, EMAIL, REASON)))
    la = viewer(client, "jo.la")
    done(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(asked.request_id, t.ContactStatus.DECLINED)))
    sam = viewer(client, "sam.cp")
    assert not [n for n in done(client.perform(ops.INBOX, sam, t.Nothing())) if n.kind is t.NoticeKind.CONTACT_REQUEST]
    alex = viewer(client, "alex.practitioner")
    assert done(client.perform(ops.MY_CONTACT_REQUESTS, alex, t.Nothing()))[0].status is t.ContactStatus.DECLINED
    refused(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(asked.request_id, t.ContactStatus.PASSED_ON)),
            AccessRefused, "contact.already_decided")


def test_on_a_shielded_record_the_request_is_for_whoever_works_with_the_child(client, facts):
    did = facts.shielded["did"]
    alex = viewer(client, "alex.practitioner")
    find(client, alex, did)
    refused(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, 1, PHONE, EMAIL, REASON)),
            AccessRefused, "contact.not_withheld")  # a restricted view names no involvement
    asked = done(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, 0, PHONE, EMAIL, REASON)))
    assert asked.status is t.ContactStatus.WAITING
    queue = done(client.perform(ops.CONTACT_QUEUE, viewer(client, "jo.la"), t.Nothing()))
    assert [q.la_detail for q in queue if q.request_id == asked.request_id] == [None]


def test_what_cannot_be_asked(client, facts):
    did = facts.plain["did"]
    alex = viewer(client, "alex.practitioner")
    iid = _sensitive_by_sam(client, did)
    ask = t.ContactRequest(did, iid, PHONE, EMAIL, REASON)
    refused(client.perform(ops.REQUEST_CONTACT, alex, ask), AccessRefused, "access.not_from_results")
    find(client, alex, did)
    refused(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, iid, "call me", EMAIL, REASON)),
            AccessRefused, "input.phone")
    refused(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, iid, PHONE, "nope", REASON)),
            AccessRefused, "input.email")
    refused(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, 0, PHONE, EMAIL, REASON)),
            AccessRefused, "contact.not_withheld")  # not shielded: nothing hides "whoever works" here
    sam = viewer(client, "sam.cp")  # sam recorded it and sees it in full
    find(client, sam, did)
    refused(client.perform(ops.REQUEST_CONTACT, sam, ask), AccessRefused, "contact.not_withheld")
    la = viewer(client, "jo.la")
    morgan = viewer(client, "morgan.mediator", colleague_of(client, la))
    find(client, morgan, did)
    refused(client.perform(ops.REQUEST_CONTACT, morgan, ask), AccessRefused, "contact.mediated_not_allowed")
    refused(client.perform(ops.CONTACT_QUEUE, alex, t.Nothing()), AccessRefused, "access.la_team_only")
    refused(client.perform(ops.DECIDE_CONTACT, alex, t.ContactDecision(1, t.ContactStatus.DECLINED)),
            AccessRefused, "access.la_team_only")
    refused(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(10**6, t.ContactStatus.DECLINED)),
            AccessRefused, "contact.not_found")
    assert done(client.perform(ops.MY_CONTACT_REQUESTS, alex, t.Nothing())) == ()


def test_the_la_team_sees_the_cast_camhs_involvement_with_the_consent_it_was_recorded_with(client):
    """Issue 14 §1.3 (R-SENS-2, R-SENS-3): the training cast's Jago Quartermaine has CAMHS recorded with his own
    consent; the LA team passing on a request about it sees that consent, never "No consent recorded"."""
    from ui.screens.la.words import involvement_lines
    did = "900 000 0025"
    alex = viewer(client, "alex.practitioner")
    (iid,) = _withheld_ids(client, alex, did)
    asked = done(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, iid, PHONE, EMAIL, REASON)))
    queue = done(client.perform(ops.CONTACT_QUEUE, viewer(client, "jo.la"), t.Nothing()))
    (line,) = [q for q in queue if q.request_id == asked.request_id]
    inv = line.la_detail
    assert inv.service is ServiceType.CAMHS and inv.consent_by is ConsentBy.CHILD
    assert inv.consent_on is not None and inv.consent_on <= TODAY and inv.consent_override is None
    shown = involvement_lines(inv)
    assert f"Consent given by the child on {inv.consent_on:%d %b %Y}" in shown and "No consent recorded" not in shown


def test_passed_on_in_signpost_says_so_to_the_requester(client, facts):
    """Issue 13 §3.3 / 14 §1.6 (R-SENS-4): the practitioner is a Signpost user, so the request reaches their inbox;
    the LA team was shown that before deciding, and the requester is told it went to them in Signpost."""
    did = facts.plain["did"]
    iid = _sensitive_by_sam(client, did)
    alex = viewer(client, "alex.practitioner")
    find(client, alex, did)
    asked = done(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, iid, PHONE, EMAIL, REASON)))
    la = viewer(client, "jo.la")
    (line,) = [q for q in done(client.perform(ops.CONTACT_QUEUE, la, t.Nothing())) if q.request_id == asked.request_id]
    assert line.la_can_tell is True
    decided = done(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(asked.request_id,
                                                                            t.ContactStatus.PASSED_ON)))
    assert decided.passed_on_by is t.PassedOnBy.SIGNPOST
    alex = viewer(client, "alex.practitioner")
    (mine,) = done(client.perform(ops.MY_CONTACT_REQUESTS, alex, t.Nothing()))
    assert (mine.status, mine.passed_on_by, mine.la_can_tell) == (t.ContactStatus.PASSED_ON, t.PassedOnBy.SIGNPOST,
                                                                  False)


def test_when_nobody_can_be_told_in_signpost_the_la_team_passes_it_on_and_records_how(client):
    """Issue 13 §3.3 / 14 §1.6 (R-SENS-4): Jago's CAMHS practitioner can no longer sign in (disabled), so nobody
    can be told in the app. The LA team is shown that, with the practitioner's phone and e-mail; "passed on" is
    refused until it says how it passed it on (a fixed choice), and the requester is told exactly that."""
    did = "900 000 0025"
    la = viewer(client, "jo.la")
    done(client.perform(ops.CHANGE_USER, la, t.UserChange("cara.camhs", t.UserAction.DISABLE)))
    alex = viewer(client, "alex.practitioner")
    (iid,) = _withheld_ids(client, alex, did)
    asked = done(client.perform(ops.REQUEST_CONTACT, alex, t.ContactRequest(did, iid, PHONE, EMAIL, REASON)))
    (line,) = [q for q in done(client.perform(ops.CONTACT_QUEUE, la, t.Nothing())) if q.request_id == asked.request_id]
    assert line.la_can_tell is False
    assert (line.la_detail.phone, line.la_detail.email) == ("0191 498 0701", "cara.penrose@northbridge-camhs.example")
    refused(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(asked.request_id, t.ContactStatus.PASSED_ON)),
            AccessRefused, "contact.how_required")
    still = [q.request_id for q in done(client.perform(ops.CONTACT_QUEUE, la, t.Nothing()))]
    assert asked.request_id in still  # nothing was decided
    decided = done(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(
        asked.request_id, t.ContactStatus.PASSED_ON, t.PassedOnBy.PHONE)))
    assert decided.passed_on_by is t.PassedOnBy.PHONE
    alex = viewer(client, "alex.practitioner")
    (mine,) = done(client.perform(ops.MY_CONTACT_REQUESTS, alex, t.Nothing()))
    assert (mine.status, mine.passed_on_by) == (t.ContactStatus.PASSED_ON, t.PassedOnBy.PHONE)
    entries = [e for e in done(client.audit_entries(la)) if e.action == "contact_decided"]
    assert entries[-1].detail["passed_on_by"] == "phone" and entries[-1].detail["practitioners_told"] == 0
    refused(client.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(
        asked.request_id, t.ContactStatus.PASSED_ON, t.PassedOnBy.SIGNPOST)), AccessRefused, "contact.already_decided")
