"""The involvements store (issue 16 §1): what ``work.involvements`` relies on to keep one's own involvements
(R-ROLE-1), at the version the client saw, and at most one current lead professional per child (R-REC-4)."""
from __future__ import annotations

from .involved import PLAIN, SENSITIVE, bare_children, involve, users


def test_a_recorded_involvement_is_current_at_version_0_and_held_only_for_its_child(store):
    (child, _), (other, _) = bare_children(store, 2)
    me, _ = users(store)
    iid = involve(store, child, me, organisation="Northbridge Academy")
    held = store.involvements.held(iid, child)
    assert held is not None
    assert (held.started, held.ended, held.version, held.recorded_by, held.service, held.organisation) == (
        738000, None, 0, me, PLAIN, "Northbridge Academy")
    assert store.involvements.held(iid, other) is None  # another child's id is no involvement of this one
    assert store.involvements.held(iid + 1000, child) is None
    assert store.involvements.organisation_and_role(iid) == ("Northbridge Academy", "Teacher")


def test_consent_is_kept_as_given(store):
    (child, _), = bare_children(store)
    me, _ = users(store)
    iid = store.involvements.add(child, SENSITIVE, "Clinic", "Pat", "Nurse", "", "c@example.org", 738000, me,
                                 "child", 738001, None)
    row = store.conn.execute("SELECT consent_by, consent_on, consent_override, lead, caf FROM involvements "
                             "WHERE id = ?", (iid,)).fetchone()
    assert tuple(row) == ("child", 738001, None, 0, 0)  # R-SENS-2: who consented, when; no indicator set


def test_already_recorded_means_the_same_recorder_service_and_organisation_still_current(store):
    (child, _), = bare_children(store)
    me, someone = users(store)
    iid = involve(store, child, me, organisation="Northbridge Academy")
    assert store.involvements.current_by(child, me, PLAIN, "NORTHBRIDGE academy")  # organisation without case
    assert not store.involvements.current_by(child, me, SENSITIVE, "Northbridge Academy")
    assert not store.involvements.current_by(child, me, PLAIN, "Elsewhere")
    assert not store.involvements.current_by(child, someone, PLAIN, "Northbridge Academy")
    store.involvements.end(iid, 738100, 1, 738465)
    assert not store.involvements.current_by(child, me, PLAIN, "Northbridge Academy")  # ended: may record again


def test_a_change_bumps_the_version_of_that_involvement_only(store):
    (child, _), = bare_children(store)
    me, _ = users(store)
    iid, untouched = involve(store, child, me), involve(store, child, me, organisation="Other School")
    store.involvements.update_contact(iid, "New Org", "Head", "01632 960001", "new@example.org")
    assert store.involvements.organisation_and_role(iid) == ("New Org", "Head")
    assert store.involvements.held(iid, child).version == 1
    store.involvements.set_indicators(iid, lead=False, caf=True)
    assert store.involvements.held(iid, child).version == 2
    other = store.involvements.held(untouched, child)
    assert (other.version, other.organisation) == (0, "Other School")
    assert store.involvements.organisation_and_role(untouched) == ("Other School", "Teacher")


def test_ending_an_involvement_keeps_when_its_contact_details_go(store):
    """R-RET-3: the end day and the archive day are what the retention sweep reads."""
    (child, _), = bare_children(store)
    me, _ = users(store)
    iid, other = involve(store, child, me), involve(store, child, me, organisation="Other School")
    store.involvements.end(iid, 738100, 5, 739926)
    held = store.involvements.held(iid, child)
    assert (held.ended, held.version) == (738100, 1)
    assert tuple(store.conn.execute("SELECT keep_contact_years, contact_archive_on FROM involvements WHERE id = ?",
                                    (iid,)).fetchone()) == (5, 739926)
    assert store.involvements.held(other, child).ended is None


def test_the_current_lead_of_a_child_is_found_besides_the_claimant(store):
    """R-REC-4: at most one current lead per child; the claimant's own involvement is not a rival."""
    (child, _), (other_child, _) = bare_children(store, 2)
    me, someone = users(store)
    mine = involve(store, child, me)
    theirs = involve(store, child, someone, organisation="Northbridge Surgery", practitioner="Sam Other")
    elsewhere = involve(store, other_child, someone)
    assert store.involvements.lead_of(child, besides=mine) is None
    store.involvements.set_indicators(elsewhere, lead=True, caf=False)  # another child's lead is no rival
    assert store.involvements.lead_of(child, besides=mine) is None
    store.involvements.set_indicators(theirs, lead=True, caf=False)
    lead = store.involvements.lead_of(child, besides=mine)
    assert lead is not None
    assert (lead.involvement_id, lead.service, lead.practitioner, lead.organisation, lead.recorded_by) == (
        theirs, PLAIN, "Sam Other", "Northbridge Surgery", someone)
    assert store.involvements.lead_of(child, besides=theirs) is None  # one's own lead is not taken
    store.involvements.set_indicators(theirs, lead=False, caf=True)  # cleared
    assert store.involvements.lead_of(child, besides=mine) is None
    store.involvements.set_indicators(theirs, lead=True, caf=True)
    store.involvements.end(theirs, 738100, 1, 738465)  # an ended involvement holds no lead
    assert store.involvements.lead_of(child, besides=mine) is None
