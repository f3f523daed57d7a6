"""A shielded child is matched only on the fields visible on it, whenever the
shield was set (R-SHIELD-5, R-SHIELD-1, R-SHIELD-2)."""
from __future__ import annotations

from datetime import date

from app.directory.work import operations as ops
from app.directory.work.types import ShieldGround, ShieldRequest
from app.model import AccessReason, Reason
from app.search import Criteria
from tests.conftest import add_child, viewer_for

DOB = date(2016, 3, 14)


def _shield_now(directory, did: str) -> None:
    """A practitioner finds the child and requests a shield, long after the directory was built."""
    requester = viewer_for(directory, "sam.cp")
    reason = Reason(AccessReason.SAFEGUARDING_ENQUIRY)
    assert directory.search(requester, Criteria(directory_id=did), reason).hits
    ask = ShieldRequest(did, ShieldGround.DOMESTIC_ABUSE, reason)
    assert directory.perform(ops.REQUEST_SHIELD, requester, ask) is True


def _ids(outcome):
    return [h.directory_id for h in outcome.hits]


def test_a_withheld_former_name_never_finds_a_shielded_child(directory, reason):
    """Review hole 1: the former family name + date of birth used to return the current name and id, marked Exact."""
    did = add_child(directory, "Tamsin", "Quarrington", DOB, other_names=[("Tamsin", "Vellacott")])
    practitioner = viewer_for(directory, "alex.practitioner")
    before = directory.search(practitioner, Criteria(family_name="Vellacott", dob=DOB), reason)
    assert _ids(before) == [did]  # unshielded: a former name finds the child
    _shield_now(directory, did)
    fresh = viewer_for(directory, "alex.practitioner")
    after = directory.search(fresh, Criteria(family_name="Vellacott", dob=DOB), reason)
    nobody = directory.search(fresh, Criteria(family_name="Vellacott", dob=date(2016, 3, 15)), reason)
    # the answer has the same shape as a search that never had a child to hit
    assert after.hits == () and not after.refine and not after.looser_left_out
    assert (after.hits, after.refine, after.looser_left_out) == (nobody.hits, nobody.refine, nobody.looser_left_out)
    # misspelling the withheld name does not reach it either
    assert did not in _ids(directory.search(fresh, Criteria(family_name="Velacott", dob=DOB), reason))
    # the visible name still finds the child, restricted
    visible = directory.search(fresh, Criteria(family_name="Quarrington", dob=DOB), reason)
    assert _ids(visible) == [did] and visible.hits[0].locality == ""


def test_a_withheld_alternative_given_name_never_finds_a_shielded_child(directory, reason):
    did = add_child(directory, "Rowena", "Blackthorne", DOB, other_names=[("Wren", "Blackthorne")])
    practitioner = viewer_for(directory, "alex.practitioner")
    ages = dict(age_from=9, age_to=11)
    assert _ids(directory.search(practitioner, Criteria(family_name="Blackthorne", given_name="Wren", **ages),
                                 reason)) == [did]
    _shield_now(directory, did)
    fresh = viewer_for(directory, "alex.practitioner")
    assert directory.search(fresh, Criteria(family_name="Blackthorne", given_name="Wren", **ages), reason).hits == ()
    assert _ids(directory.search(fresh, Criteria(family_name="Blackthorne", given_name="Rowena", **ages),
                                 reason)) == [did]


def test_a_child_shielded_after_build_is_not_found_by_postcode(directory, la_team, reason):
    """Review hole 1: shielded after the directory was built (the normal case), still found by family + postcode."""
    did = add_child(directory, "Ottilie", "Marchbanks", DOB, postcode="NE4 7QT")
    practitioner = viewer_for(directory, "alex.practitioner")
    assert _ids(directory.search(practitioner, Criteria(family_name="Marchbanks", postcode="NE4 7QT"), reason)) == [did]
    _shield_now(directory, did)
    fresh = viewer_for(directory, "alex.practitioner")
    for postcode in ("NE4 7QT", "NE4 7", "NE4"):
        assert directory.search(fresh, Criteria(family_name="Marchbanks", postcode=postcode), reason).hits == ()
        assert directory.search(fresh, Criteria(family_name="Marchbanks", dob=DOB, postcode=postcode),
                                reason).hits == ()
        assert directory.search(fresh, Criteria(family_name="Marchbank", postcode=postcode), reason).hits == ()
    # nor by the LA team's postcode-only search
    assert did not in _ids(directory.search(la_team, Criteria(postcode="NE4 7QT"), Reason(AccessReason.LA_MONITORING)))
    # and its record now withholds the address from a practitioner (R-SHIELD-1, R-SHIELD-4)
    assert directory.search(fresh, Criteria(directory_id=did), reason).hits
    view = directory.view_record(fresh, did, reason)
    assert view.shield_applied and view.address is None and view.carers == () and view.involvements == ()


def test_a_shield_set_outside_the_engine_is_still_honoured(directory, reason):
    """Defence in depth: even if the index were stale, the engine checks the record's shield as it is now."""
    did = add_child(directory, "Linnea", "Featherstonhaugh", DOB, postcode="NE9 2AB",
                    other_names=[("Linnea", "Pettifer")])
    directory.conn.execute("UPDATE children SET shielded_at = '2026-11-01' WHERE directory_id = ?",
                           (int(did.replace(" ", "")),))  # the index still has the postcode and former name
    practitioner = viewer_for(directory, "alex.practitioner")
    assert directory.search(practitioner, Criteria(family_name="Featherstonhaugh", postcode="NE9 2AB"),
                            reason).hits == ()
    assert directory.search(practitioner, Criteria(family_name="Pettifer", dob=DOB), reason).hits == ()
