"""Own involvements and "who else is working with this child", told (issue 8 items 1, 2, 5), on both directory
implementations: the same requests, refusals and answers embedded and over HTTPS. Engine details (clock,
shields set later, archived contact details): tests/test_work_involvements.py."""
from __future__ import annotations

from datetime import timedelta

from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import AccessReason, ConsentBy, ConsentOverride, Reason, ServiceType, WithheldInvolvement
from tests.conftest import TODAY
from tests.contract.test_directory_contract import REASON, done, find, refused, viewer
from ui.refusals import words


def new(did, service=ServiceType.EDUCATION_WELFARE, organisation="Northbridge Education Welfare Service", **kw):
    """An organisation from the register and a role of its service type (R-REC-5)."""
    base = dict(directory_id=did, service=service, organisation=organisation, role=ROLE_TITLES[service][0],
                phone="0191 555 0101", email="ewo@northbridge.example", start=TODAY - timedelta(days=3),
                reason=REASON)
    base.update(kw)
    return t.NewInvolvement(**base)


def social_work(did):
    return new(did, service=ServiceType.SOCIAL_CARE, organisation="Northbridge Children's Social Care",
               role="Social worker", phone="0191 555 0202", email="sam.okoro@csc.example")


def signed_in_finding(client, username, did):
    who = viewer(client, username)
    find(client, who, did)
    return who


def test_a_practitioner_records_then_ends_their_own_involvement(client, facts):
    """R-ROLE-1, R-REC-4, R-RET-3: recorded under the signed-in name, ended at the version seen."""
    did = facts.plain["did"]
    alex = signed_in_finding(client, "alex.practitioner", did)
    got = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did)))
    inv = got.involvement
    assert (inv.practitioner, inv.organisation, inv.yours, inv.current) == (
        "Alex Morgan", "Northbridge Education Welfare Service", True, True)
    # R-SENS-3: pointed at the school nurse already working with the child, never at the sensitive service
    assert [o.organisation for o in got.others] == ["Northbridge School Nursing Service"]
    ended = done(client.perform(ops.END_INVOLVEMENT, alex, t.InvolvementEnd(
        did, inv.involvement_id, inv.version, TODAY, t.KeepContact.FIVE_YEARS, REASON)))
    assert ended.end == TODAY and not ended.current and ended.version == inv.version + 1
    view = done(client.view_record(alex, did, REASON))
    assert [i.involvement_id for i in view.ended_involvements if not isinstance(i, WithheldInvolvement)] == [
        inv.involvement_id]
    la = viewer(client, "jo.la")
    actions = [e.action for e in done(client.audit_entries(la)) if e.actor == "alex.practitioner"]
    assert "involvement_recorded" in actions and "involvement_ended" in actions  # R-AUDIT-1


def test_a_second_lead_professional_is_told_who_holds_it(client, facts):
    """R-REC-4: one current lead professional per child; the refusal names the holder, in words."""
    did = facts.plain["did"]
    sam = signed_in_finding(client, "sam.cp", did)
    mine = done(client.perform(ops.RECORD_INVOLVEMENT, sam, social_work(did))).involvement
    done(client.perform(ops.SET_INDICATORS, sam, t.Indicators(did, mine.involvement_id, mine.version, True, False,
                                                              REASON)))
    alex = signed_in_finding(client, "alex.practitioner", did)
    theirs = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did))).involvement
    exc = refused(client.perform(ops.SET_INDICATORS, alex, t.Indicators(
        did, theirs.involvement_id, theirs.version, True, True, REASON)), AccessRefused, "involvement.lead_taken")
    assert words(exc).startswith("Sam Okoro at Northbridge Children's Social Care is already the lead professional")


def test_a_sensitive_service_needs_consent_or_a_child_protection_override(client, facts):
    """R-SENS-2: neither is refused; an override is recorded, audited and alerts the LA team."""
    did = facts.plain["did"]
    sam = signed_in_finding(client, "sam.cp", did)
    sexual_health = dict(service=ServiceType.SEXUAL_HEALTH, organisation="Northbridge School Nursing Service",
                         role="Sexual health nurse")
    refused(client.perform(ops.RECORD_INVOLVEMENT, sam, new(did, **sexual_health)), AccessRefused,
            "involvement.consent_required")
    inv = done(client.perform(ops.RECORD_INVOLVEMENT, sam, new(
        did, override=ConsentOverride.CHILD_PROTECTION, **sexual_health))).involvement
    assert inv.consent_override is ConsentOverride.CHILD_PROTECTION
    la = viewer(client, "jo.la")
    (alert, *_) = done(client.perform(ops.ALERTS, la, t.Nothing()))
    assert (alert.kind, alert.actor, alert.directory_id) == (t.AlertKind.CONSENT_OVERRIDE, "sam.cp", did)
    # the LA team sees it in full, consent override included; another practitioner does not (R-SENS-3)
    monitoring = Reason(AccessReason.LA_MONITORING)
    find(client, la, did, monitoring)
    seen = {i.involvement_id: i for i in done(client.view_record(la, did, monitoring)).involvements}
    assert seen[inv.involvement_id].consent_override is ConsentOverride.CHILD_PROTECTION
    alex = signed_in_finding(client, "alex.practitioner", did)
    hidden = {i.involvement_id: i for i in done(client.view_record(alex, did, REASON)).involvements}
    assert isinstance(hidden[inv.involvement_id], WithheldInvolvement)
    with_consent = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(
        did, consent=t.Consent(ConsentBy.CHILD, TODAY), **sexual_health))).involvement
    assert (with_consent.consent_by, with_consent.consent_on) == (ConsentBy.CHILD, TODAY)


def test_the_other_practitioner_finds_the_newcomer_in_their_inbox(client, facts):
    """Issue 8 item 5: sam is working with the child; alex records an involvement; sam is told, alex pointed to sam."""
    did = facts.plain["did"]
    sam = signed_in_finding(client, "sam.cp", did)
    done(client.perform(ops.RECORD_INVOLVEMENT, sam, social_work(did)))
    alex = signed_in_finding(client, "alex.practitioner", did)
    got = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did)))
    assert t.OtherPractitioner("Sam Okoro", "Social worker", "Northbridge Children's Social Care", "0191 555 0202",
                               "sam.okoro@csc.example") in got.others
    (notice,) = done(client.perform(ops.INBOX, sam, t.Nothing()))
    assert (notice.kind, notice.directory_id, notice.practitioner, notice.organisation, notice.read) == (
        t.NoticeKind.ALSO_WORKING, did, "Alex Morgan", "Northbridge Education Welfare Service", False)
    assert notice.child_name == f"{facts.plain['given']} {facts.plain['family']}"
    refused(client.perform(ops.MARK_READ, alex, t.NoticeRef(notice.notice_id)), AccessRefused, "notice.not_yours")
    done(client.perform(ops.MARK_READ, sam, t.NoticeRef(notice.notice_id)))
    assert [n.read for n in done(client.perform(ops.INBOX, sam, t.Nothing()))] == [True]


def test_the_same_change_sent_twice_is_recorded_once(client, facts):
    """The offline outbox re-sends with its idempotency key: one involvement, the same answer."""
    did = facts.plain["did"]
    alex = signed_in_finding(client, "alex.practitioner", did)
    first = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did), key="outbox-record-1"))
    second = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did), key="outbox-record-1"))
    assert first == second
    mine = [i for i in done(client.view_record(alex, did, REASON)).involvements if getattr(i, "yours", False)]
    assert [i.involvement_id for i in mine] == [first.involvement.involvement_id]


def test_a_change_against_a_stale_version_is_a_conflict(client, facts):
    """Changed elsewhere since the client saw it: refused, never written over."""
    did = facts.plain["did"]
    alex = signed_in_finding(client, "alex.practitioner", did)
    inv = done(client.perform(ops.RECORD_INVOLVEMENT, alex, new(did))).involvement

    def change(phone):
        return t.InvolvementChange(did, inv.involvement_id, inv.version, inv.organisation, inv.role, phone,
                                   inv.email, REASON)

    assert done(client.perform(ops.UPDATE_INVOLVEMENT, alex, change("0191 555 0303"))).phone == "0191 555 0303"
    refused(client.perform(ops.UPDATE_INVOLVEMENT, alex, change("0191 555 0404")), AccessRefused,
            "involvement.conflict")
    (now,) = [i for i in done(client.view_record(alex, did, REASON)).involvements if getattr(i, "yours", False)]
    assert now.phone == "0191 555 0303" and now.version == inv.version + 1


def test_a_mediating_user_does_not_record_involvements(client, facts):
    """R-ROLE-1: refused (and audited) whatever the colleague."""
    from app.model import Colleague
    morgan = viewer(client, "morgan.mediator", Colleague("Pat Lowe", "Northbridge Family Hub"))
    refused(client.perform(ops.RECORD_INVOLVEMENT, morgan, new(facts.plain["did"])), AccessRefused,
            "involvement.practitioners_only")
