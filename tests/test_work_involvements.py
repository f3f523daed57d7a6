"""Own involvements, sensitive services with consent, and "who else is working with this child", told
(issue 8 items 1, 2, 5), on the engine itself: the clock, shields and other users' rows under the test's control.
The same behaviours through both directory implementations: tests/contract/test_work_involvements.py."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import AccessReason, ConsentBy, ConsentOverride, Involvement, Reason, ServiceType, WithheldInvolvement
from app.refusals import AccessRefused
from app.search import Criteria
from tests.conftest import TODAY, add_child, viewer_for

# Organisations in every test directory's register (R-REC-5: an involvement's organisation comes from it)
WELFARE = "Northbridge Education Welfare Service"
CSC = "Northbridge Children's Social Care"
HUB = "Northbridge Family Hub"
REASON = Reason(AccessReason.PROVIDING_SERVICE)
DOB = date(2015, 6, 8)


def found(directory, who, did):
    assert [h.directory_id for h in directory.search(who, Criteria(directory_id=did), REASON).hits] == [did]


def new(did, service=ServiceType.EDUCATION_WELFARE, organisation=WELFARE, **kw):
    """A new involvement with an organisation from the register and a role of its service type (R-REC-5)."""
    base = dict(directory_id=did, service=service, organisation=organisation, role=ROLE_TITLES[service][0],
                phone="0191 555 0101", email="ewo@northbridge.example", start=TODAY - timedelta(days=3),
                reason=REASON)
    base.update(kw)
    return t.NewInvolvement(**base)


def refusal(directory, op, who, request, code):
    with pytest.raises(AccessRefused) as caught:
        directory.perform(op, who, request)
    assert caught.value.code == code, caught.value
    return caught.value


def actions(directory, actor=None):
    return [a for a, who in directory.conn.execute("SELECT action, actor FROM audit ORDER BY seq")
            if actor is None or who == actor]


@pytest.fixture
def child(directory):
    return add_child(directory, "Ottilie", "Brackenbury", DOB)


@pytest.fixture
def alex(directory, child):
    who = viewer_for(directory, "alex.practitioner")
    found(directory, who, child)
    return who


@pytest.fixture
def sam(directory, child):
    who = viewer_for(directory, "sam.cp")
    found(directory, who, child)
    return who


def record(directory, who, request, key=None) -> t.Recorded:
    return directory.perform(ops.RECORD_INVOLVEMENT, who, request, key)


# -- recording (R-ROLE-1, R-REC-4, R-REC-5) ------------------------------------------------------------
def test_a_practitioner_records_their_own_involvement_under_their_own_name(directory, child, alex):
    got = record(directory, alex, new(child, organisation="  Northbridge   Education Welfare   Service "))
    inv = got.involvement
    assert inv.practitioner == "Alex Morgan"  # R-ROLE-1: the signed-in user's name, nothing typed
    assert inv.organisation == WELFARE and inv.current and inv.yours and inv.version == 0
    assert "involvement_recorded" in actions(directory, "alex.practitioner")  # R-AUDIT-1
    again = viewer_for(directory, "alex.practitioner")
    found(directory, again, child)
    view = directory.view_record(again, child, REASON)
    assert [i.involvement_id for i in view.involvements] == [inv.involvement_id]
    assert view.involvements[0].yours


def test_only_a_child_found_in_this_session_can_be_recorded_against(directory, child):
    """R-SEARCH-3 anti-trawling: a directory id alone is not enough."""
    alex = viewer_for(directory, "alex.practitioner")
    refusal(directory, ops.RECORD_INVOLVEMENT, alex, new(child), "access.not_from_results")
    assert "record_involvement_refused" in actions(directory, "alex.practitioner")


@pytest.mark.parametrize("username", ["morgan.mediator", "jo.la"])
def test_mediating_users_and_the_la_team_do_not_record_involvements(directory, child, username):
    """R-ROLE-1: recording is the practitioner's own act; the refusal is audited."""
    who = viewer_for(directory, username)
    refusal(directory, ops.RECORD_INVOLVEMENT, who, new(child), "involvement.practitioners_only")
    assert "record_involvement_refused" in actions(directory, username)
    assert directory.conn.execute("SELECT count(*) FROM involvements WHERE recorded_by = ?",
                                  (username,)).fetchone()[0] == 0


@pytest.mark.parametrize("change, code, field", [
    (dict(start=TODAY + timedelta(days=1)), "input.date_in_future", "start"),
    (dict(start=DOB - timedelta(days=1)), "input.date_too_early", "start"),
    (dict(organisation=""), "input.required", "organisation"),
    (dict(role="Keyworker\nConcerns: ..."), "input.one_line", "role"),  # R-REC-5: no notes smuggled in
    (dict(role="x" * 61), "input.too_long", "role"),
    (dict(phone="call me", email=""), "input.phone", "phone"),
    (dict(phone="", email="not-an-address"), "input.email", "email"),
    (dict(phone="", email=""), "involvement.contact_required", "phone"),
])
def test_what_is_recorded_is_bounded_and_dated_sensibly(directory, child, alex, change, code, field):
    exc = refusal(directory, ops.RECORD_INVOLVEMENT, alex, new(child, **change), code)
    assert exc.field == field
    assert directory.conn.execute("SELECT count(*) FROM involvements WHERE recorded_by = 'alex.practitioner' "
                                  "AND organisation LIKE 'Northbridge Education%'").fetchone()[0] == 0


def test_the_same_key_twice_records_one_involvement(directory, child, alex):
    """The offline outbox re-sends with its key: done once, the same answer."""
    first = record(directory, alex, new(child), key="outbox-0001")
    second = record(directory, alex, new(child), key="outbox-0001")
    assert first == second
    assert directory.conn.execute("SELECT count(*) FROM involvements WHERE recorded_by = 'alex.practitioner' "
                                  "AND organisation = 'Northbridge Education Welfare Service'").fetchone()[0] == 1
    refusal(directory, ops.RECORD_INVOLVEMENT, alex, new(child), "involvement.already_recorded")


# -- sensitive services (R-SENS-2, R-SENS-3) ---------------------------------------------------------------
def sensitive(child, **kw):
    return new(child, service=ServiceType.SEXUAL_HEALTH, organisation="Northbridge School Nursing Service",
               role="Sexual health nurse", **kw)


@pytest.mark.parametrize("consent, override", [
    (None, None),
    (t.Consent(ConsentBy.CHILD, TODAY), ConsentOverride.CHILD_PROTECTION),
])
def test_a_sensitive_service_needs_consent_or_an_override_exactly_one(directory, child, alex, consent, override):
    refusal(directory, ops.RECORD_INVOLVEMENT, alex, sensitive(child, consent=consent, override=override),
            "involvement.consent_required")


def test_consent_cannot_be_dated_in_the_future(directory, child, alex):
    exc = refusal(directory, ops.RECORD_INVOLVEMENT, alex,
                  sensitive(child, consent=t.Consent(ConsentBy.CHILD, TODAY + timedelta(days=1))),
                  "input.date_in_future")
    assert exc.field == "consent"


def test_consent_is_shown_to_the_recorder_and_the_la_team_only(directory, child, alex, sam):
    """R-SENS-2, R-SENS-3: the LA team sees the sensitive involvement with its consent; others see nothing."""
    inv = record(directory, alex, sensitive(child, consent=t.Consent(ConsentBy.PARENT_CARER, TODAY))).involvement
    assert (inv.consent_by, inv.consent_on, inv.consent_override) == (ConsentBy.PARENT_CARER, TODAY, None)
    la = viewer_for(directory, "jo.la")
    monitoring = Reason(AccessReason.LA_MONITORING)
    assert directory.search(la, Criteria(directory_id=child), monitoring).hits
    (seen,) = directory.view_record(la, child, monitoring).involvements
    assert isinstance(seen, Involvement) and seen.consent_by is ConsentBy.PARENT_CARER and not seen.yours
    assert directory.view_record(sam, child, REASON).involvements == (WithheldInvolvement(inv.involvement_id),)


def test_recording_without_consent_is_audited_as_an_override_and_alerts_the_la_team(directory, child, sam):
    """R-SENS-2: an override of the child-protection kind, audited, and the LA team alerted at once."""
    inv = record(directory, sam, sensitive(child, override=ConsentOverride.RISK_OF_SIGNIFICANT_HARM)).involvement
    assert inv.consent_override is ConsentOverride.RISK_OF_SIGNIFICANT_HARM and inv.consent_by is None
    seq, detail = directory.conn.execute(
        "SELECT seq, detail FROM audit WHERE action = 'involvement_recorded' ORDER BY seq DESC").fetchone()
    assert '"consent":"override:risk_of_significant_harm"' in detail
    la_code, kind, actor, audit_seq = directory.conn.execute(
        "SELECT la_code, kind, actor, audit_seq FROM alerts ORDER BY id DESC").fetchone()
    assert (la_code, kind, actor, audit_seq) == ("NBR", "consent_override", "sam.cp", seq)


def test_recording_with_consent_raises_no_alert(directory, child, alex):
    before = directory.conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
    record(directory, alex, sensitive(child, consent=t.Consent(ConsentBy.CHILD, TODAY)))
    assert directory.conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == before


# -- changing and ending one's own (R-ROLE-1, R-RET-3) --------------------------------------------------
def change(did, inv, version=None, **kw):
    base = dict(directory_id=did, involvement_id=inv.involvement_id, version=inv.version if version is None else
                version, organisation=inv.organisation, role=inv.role, phone=inv.phone, email=inv.email,
                reason=REASON)
    base.update(kw)
    return t.InvolvementChange(**base)


def ending(did, inv, end=TODAY, keep=t.KeepContact.ONE_YEAR, version=None):
    return t.InvolvementEnd(did, inv.involvement_id, inv.version if version is None else version, end, keep, REASON)


def test_an_update_names_the_version_it_saw_and_a_stale_one_is_a_conflict(directory, child, alex):
    inv = record(directory, alex, new(child)).involvement
    moved = directory.perform(ops.UPDATE_INVOLVEMENT, alex, change(child, inv, phone="0191 555 0199"))
    assert moved.phone == "0191 555 0199" and moved.version == inv.version + 1
    # an outbox change made against the old version is not written over the newer one
    refusal(directory, ops.UPDATE_INVOLVEMENT, alex, change(child, inv, email="old@northbridge.example"),
            "involvement.conflict")
    assert directory.conn.execute("SELECT email FROM involvements WHERE id = ?",
                                  (inv.involvement_id,)).fetchone()[0] == "ewo@northbridge.example"
    assert "involvement_updated" in actions(directory, "alex.practitioner")


def test_no_one_changes_or_ends_someone_elses_involvement(directory, child, alex, sam):
    """R-ROLE-1: own involvements only, and another's is refused the same way as one that does not exist."""
    inv = record(directory, alex, new(child)).involvement
    refusal(directory, ops.UPDATE_INVOLVEMENT, sam, change(child, inv, phone="0191 555 0000"), "involvement.not_yours")
    refusal(directory, ops.END_INVOLVEMENT, sam, ending(child, inv), "involvement.not_yours")
    nowhere = t.InvolvementEnd(child, 10**9, 0, TODAY, t.KeepContact.ONE_YEAR, REASON)
    refusal(directory, ops.END_INVOLVEMENT, sam, nowhere, "involvement.not_yours")
    assert directory.conn.execute("SELECT ended FROM involvements WHERE id = ?",
                                  (inv.involvement_id,)).fetchone()[0] is None


def test_ending_keeps_contact_details_one_year_or_five(directory, child, alex):
    """R-RET-3: archived one year after the end, or five when the practitioner chooses."""
    one = record(directory, alex, new(child, start=date(2024, 1, 10))).involvement
    five = record(directory, alex, new(child, service=ServiceType.YOUTH_SERVICE, organisation=HUB,
                                       start=date(2024, 1, 10))).involvement
    ended = directory.perform(ops.END_INVOLVEMENT, alex, ending(child, one, end=date(2024, 2, 29)))
    assert ended.end == date(2024, 2, 29) and not ended.current and ended.version == one.version + 1
    directory.perform(ops.END_INVOLVEMENT, alex, ending(child, five, end=TODAY, keep=t.KeepContact.FIVE_YEARS))
    rows = {iid: (years, date.fromordinal(on)) for iid, years, on in directory.conn.execute(
        "SELECT id, keep_contact_years, contact_archive_on FROM involvements WHERE id IN (?,?)",
        (one.involvement_id, five.involvement_id))}
    assert rows[one.involvement_id] == (1, date(2025, 3, 1))  # a year after 29 February: 1 March (anniversary)
    assert rows[five.involvement_id] == (5, TODAY.replace(year=TODAY.year + 5))
    assert "involvement_ended" in actions(directory, "alex.practitioner")


@pytest.mark.parametrize("end, code", [(TODAY + timedelta(days=1), "input.date_in_future"),
                                       (TODAY - timedelta(days=4), "input.date_too_early")])
def test_an_end_date_is_not_in_the_future_nor_before_the_start(directory, child, alex, end, code):
    inv = record(directory, alex, new(child)).involvement
    refusal(directory, ops.END_INVOLVEMENT, alex, ending(child, inv, end=end), code)


def test_an_ended_involvement_cannot_be_changed(directory, child, alex):
    inv = record(directory, alex, new(child)).involvement
    ended = directory.perform(ops.END_INVOLVEMENT, alex, ending(child, inv))
    refusal(directory, ops.UPDATE_INVOLVEMENT, alex, change(child, ended, phone="0191 555 0000"), "involvement.ended")
    refusal(directory, ops.SET_INDICATORS, alex, t.Indicators(child, inv.involvement_id, ended.version, True, False,
                                                              REASON), "involvement.ended")
    refusal(directory, ops.END_INVOLVEMENT, alex, ending(child, ended), "involvement.ended")


def test_archived_contact_details_are_not_sent(directory, child, alex):
    """R-RET-3: once archived (by the retention job), phone and e-mail stay in the directory but are not sent."""
    inv = record(directory, alex, new(child)).involvement
    directory.perform(ops.END_INVOLVEMENT, alex, ending(child, inv))
    directory.conn.execute("UPDATE involvements SET contact_archived = 1 WHERE id = ?", (inv.involvement_id,))
    (seen,) = directory.view_record(alex, child, REASON).involvements
    assert seen.contact_archived and seen.phone == "" and seen.email == "" and seen.organisation


# -- lead professional and CAF (R-REC-4) -------------------------------------------------------------------
def indicators(did, inv, lead, caf=False):
    return t.Indicators(did, inv.involvement_id, inv.version, lead, caf, REASON)


def test_one_current_lead_professional_and_the_second_claimant_is_told_who(directory, child, alex, sam):
    mine = record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC,
                                      role="Social worker")).involvement
    lead = directory.perform(ops.SET_INDICATORS, sam, indicators(child, mine, True, True))
    assert lead.lead_professional and lead.caf_completed
    theirs = record(directory, alex, new(child)).involvement
    exc = refusal(directory, ops.SET_INDICATORS, alex, indicators(child, theirs, True), "involvement.lead_taken")
    assert exc.params == {"practitioner": "Sam Okoro", "organisation": CSC}
    cleared = directory.perform(ops.SET_INDICATORS, sam, indicators(child, lead, False, True))  # always allowed
    assert not cleared.lead_professional and cleared.caf_completed
    assert directory.perform(ops.SET_INDICATORS, alex, indicators(child, theirs, True)).lead_professional
    assert "involvement_indicators_set" in actions(directory, "sam.cp")


def test_an_ended_lead_no_longer_holds_it(directory, child, alex, sam):
    mine = record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE,
                                       organisation=CSC)).involvement
    lead = directory.perform(ops.SET_INDICATORS, sam, indicators(child, mine, True))
    directory.perform(ops.END_INVOLVEMENT, sam, ending(child, lead))
    theirs = record(directory, alex, new(child)).involvement
    assert directory.perform(ops.SET_INDICATORS, alex, indicators(child, theirs, True)).lead_professional


def test_a_sensitive_lead_is_not_named_to_another_practitioner(directory, child, alex, sam):
    """R-SENS-3: the claimant learns only that someone holds it."""
    mine = record(directory, alex, sensitive(child, consent=t.Consent(ConsentBy.CHILD, TODAY))).involvement
    directory.perform(ops.SET_INDICATORS, alex, indicators(child, mine, True))
    theirs = record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE,
                                       organisation=CSC)).involvement
    exc = refusal(directory, ops.SET_INDICATORS, sam, indicators(child, theirs, True),
                  "involvement.lead_taken_withheld")
    assert "Alex" not in repr(exc) and "Sexual" not in repr(exc) and exc.params == {}


def test_a_lead_on_a_shielded_child_is_not_named(directory, alex, sam):
    """R-SHIELD-1: involvements can reveal whereabouts; the shield is set after both were recorded."""
    did = add_child(directory, "Wilhelmina", "Farrowdale", DOB)
    for who in (alex, sam):
        found(directory, who, did)
    mine = record(directory, sam, new(did, service=ServiceType.SOCIAL_CARE, organisation=CSC)).involvement
    directory.perform(ops.SET_INDICATORS, sam, indicators(did, mine, True))
    theirs = record(directory, alex, new(did)).involvement
    assert directory.perform(ops.REQUEST_SHIELD, sam, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, REASON))
    refusal(directory, ops.SET_INDICATORS, alex, indicators(did, theirs, True), "involvement.lead_taken_withheld")


# -- "who else is working with this child", told (issue 8 item 5) -----------------------------------------
def inbox(directory, who):
    return directory.perform(ops.INBOX, who, t.Nothing())


def test_the_others_working_with_the_child_are_told_and_listed(directory, child, alex, sam):
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC,
                               role="Social worker", phone="0191 555 0202", email="sam@csc.example"))
    got = record(directory, alex, new(child))
    assert got.others == (t.OtherPractitioner("Sam Okoro", "Social worker", CSC, "0191 555 0202",
                                              "sam@csc.example"),)
    (notice,) = inbox(directory, sam)
    assert notice.kind is t.NoticeKind.ALSO_WORKING and notice.directory_id == child and not notice.read
    assert (notice.child_name, notice.practitioner, notice.role, notice.organisation) == (
        "Ottilie Brackenbury", "Alex Morgan", "Education welfare officer", WELFARE)
    assert notice.phone == "0191 555 0101"
    assert inbox(directory, alex) == ()  # the newcomer is not told about themselves
    detail = directory.conn.execute("SELECT detail FROM audit WHERE action = 'also_working_notices'").fetchone()[0]
    assert '"told":["sam.cp"]' in detail  # R-AUDIT-1: the batch is audited


def test_colleagues_from_the_same_organisation_are_not_told(directory, child, alex, sam):
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=WELFARE))
    assert record(directory, alex, new(child, organisation="NORTHBRIDGE education welfare service")).others == ()
    assert inbox(directory, sam) == ()


def test_ended_involvements_are_not_told(directory, child, alex, sam):
    mine = record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE,
                                       organisation=CSC)).involvement
    directory.perform(ops.END_INVOLVEMENT, sam, ending(child, mine))
    assert record(directory, alex, new(child)).others == ()
    assert inbox(directory, sam) == ()


def test_a_sensitive_new_involvement_tells_no_one(directory, child, alex, sam):
    """R-SENS-3: a notice would name the service to someone who only sees "an unspecified service"."""
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    got = record(directory, alex, sensitive(child, consent=t.Consent(ConsentBy.CHILD, TODAY)))
    assert got.others == ()
    assert inbox(directory, sam) == ()
    assert "also_working_notices" not in actions(directory)


def test_a_sensitive_other_is_told_but_never_listed(directory, child, alex, sam):
    """R-SENS-3: the newcomer is not pointed at a sensitive involvement; its recorder still hears of the newcomer."""
    record(directory, alex, sensitive(child, consent=t.Consent(ConsentBy.CHILD, TODAY)))
    got = record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    assert got.others == ()
    (notice,) = inbox(directory, alex)
    assert notice.practitioner == "Sam Okoro"


def test_about_a_shielded_child_nothing_that_could_reveal_whereabouts_is_told(directory, alex, sam):
    """R-SHIELD-1: no organisation or contact in the notice, nobody listed to the newcomer."""
    did = add_child(directory, "Perpetua", "Ashgrove", DOB, shielded=True)
    for who in (alex, sam):
        found(directory, who, did)
    record(directory, sam, new(did, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    got = record(directory, alex, new(did))
    assert got.others == ()
    (notice,) = inbox(directory, sam)
    assert notice.directory_id == did and notice.child_name == "Perpetua Ashgrove"
    assert (notice.practitioner, notice.role, notice.organisation, notice.phone, notice.email) == ("",) * 5


def test_a_shield_set_after_the_notice_hides_its_detail_at_once(directory, child, alex, sam):
    """R-SHIELD-2: the shield takes effect the moment it is requested, in the inbox too."""
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    record(directory, alex, new(child))
    assert inbox(directory, sam)[0].organisation == WELFARE
    assert directory.perform(ops.REQUEST_SHIELD, alex, t.ShieldRequest(child, t.ShieldGround.DOMESTIC_ABUSE, REASON))
    assert inbox(directory, sam)[0].organisation == ""


def test_notices_come_newest_first_and_only_ones_own_can_be_marked_read(directory, child, alex, sam):
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    record(directory, alex, new(child))
    record(directory, alex, new(child, service=ServiceType.YOUTH_SERVICE, organisation=HUB))
    notices = inbox(directory, sam)
    assert [n.organisation for n in notices] == [HUB, WELFARE]
    refusal(directory, ops.MARK_READ, alex, t.NoticeRef(notices[0].notice_id), "notice.not_yours")
    directory.perform(ops.MARK_READ, sam, t.NoticeRef(notices[0].notice_id))
    assert [n.read for n in inbox(directory, sam)] == [True, False]
    assert "notice_read" in actions(directory, "sam.cp")
    assert "mark_read_refused" in actions(directory, "alex.practitioner")


def test_notices_about_a_child_who_left_the_live_directory_are_not_shown(directory, child, alex, sam):
    """R-RET-2: an archived record is open only to serious case reviews, not to an inbox."""
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    record(directory, alex, new(child))
    directory.conn.execute("UPDATE children SET archived_on = ? WHERE directory_id = ?",
                           (TODAY.toordinal(), int(child.replace(" ", ""))))
    assert inbox(directory, sam) == ()


def test_a_passed_on_contact_request_reaches_the_sensitive_practitioners_inbox(directory, child, alex, sam):
    """R-SENS-4: the withheld practitioner is told who asks and how to reach them; the requester that it was
    answered; nothing of the sensitive service reaches the requester's inbox."""
    inv = record(directory, alex, sensitive(child, consent=t.Consent(ConsentBy.CHILD, TODAY))).involvement
    directory.perform(ops.REQUEST_CONTACT, sam, t.ContactRequest(child, inv.involvement_id, "0191 555 0202",
                                                                 "sam@csc.example", REASON))
    la = viewer_for(directory, "jo.la")
    (waiting,) = directory.perform(ops.CONTACT_QUEUE, la, t.Nothing())
    directory.perform(ops.DECIDE_CONTACT, la, t.ContactDecision(waiting.request_id, t.ContactStatus.PASSED_ON))
    (asked,) = inbox(directory, alex)
    assert (asked.kind, asked.practitioner, asked.organisation, asked.phone, asked.email) == (
        t.NoticeKind.CONTACT_REQUEST, "Sam Okoro", CSC, "0191 555 0202",
        "sam@csc.example")
    (answered,) = inbox(directory, sam)
    assert answered.kind is t.NoticeKind.CONTACT_ANSWERED and answered.directory_id == child
    assert (answered.practitioner, answered.organisation, answered.phone) == ("", "", "")


# -- who was told, said exactly (issue 14 §1.5) --------------------------------------------------------
def _other_user_involvement(directory, did, username, service, organisation):
    """A current involvement recorded by another directory user, written as the data set would hold it."""
    cid = directory.conn.execute("SELECT id FROM children WHERE directory_id = ?",
                                 (int(did.replace(" ", "")),)).fetchone()[0]
    directory.conn.execute(
        "INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, started, "
        "recorded_by, consent_by, consent_on) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (cid, service.value, organisation, "Lee Carter", "Worker", "0191 555 0303", "lee@elsewhere.example",
         TODAY.toordinal() - 20, username, "child" if service.sensitive else None,
         TODAY.toordinal() - 20 if service.sensitive else None))


def test_the_answer_names_exactly_who_the_directory_told(directory, child, alex, sam):
    """Issue 14 §1.5: ``Recorded.told`` is the practitioners the directory notified, named as the record shows them;
    one told whose only involvement is sensitive is counted, never named (R-SENS-3); a practitioner who is not a
    directory user is listed to contact but was not told."""
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC,
                               role="Social worker", phone="0191 555 0202", email="sam@csc.example"))
    _other_user_involvement(directory, child, "lee.lapsed", ServiceType.CAMHS, "Ashcombe CAMHS")
    _other_user_involvement(directory, child, "not-a-user", ServiceType.YOUTH_SERVICE, "Northbridge Youth")
    got = record(directory, alex, new(child))
    sam_line = t.OtherPractitioner("Sam Okoro", "Social worker", CSC, "0191 555 0202", "sam@csc.example")
    assert got.told == (sam_line,) and got.told_unnamed == 1
    assert sam_line in got.others and "Ashcombe CAMHS" not in repr(got)  # R-SENS-3
    assert {n.kind for n in inbox(directory, sam)} == {t.NoticeKind.ALSO_WORKING}
    told = directory.conn.execute("SELECT username FROM notices WHERE kind = 'also_working' ORDER BY username")
    assert [u for (u,) in told] == ["lee.lapsed", "sam.cp"]  # exactly those counted: one named, one not


def test_nobody_told_is_said_as_nobody(directory, child, alex):
    got = record(directory, alex, new(child))
    assert got.told == () and got.told_unnamed == 0


def test_a_sensitive_involvement_tells_and_names_no_one(directory, child, alex, sam):
    record(directory, sam, new(child, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    got = record(directory, alex, sensitive(child, consent=t.Consent(ConsentBy.CHILD, TODAY)))
    assert got.told == () and got.told_unnamed == 0 and inbox(directory, sam) == ()


def test_on_a_shielded_child_those_told_are_counted_not_named(directory, alex, sam):
    """R-SHIELD-1: the newcomer gets the restricted view, so who works with the child is not named to them."""
    did = add_child(directory, "Perpetua", "Ashgrove", DOB, shielded=True)
    for who in (alex, sam):
        found(directory, who, did)
    record(directory, sam, new(did, service=ServiceType.SOCIAL_CARE, organisation=CSC))
    got = record(directory, alex, new(did))
    assert got.told == () and got.told_unnamed == 1 and got.others == ()
