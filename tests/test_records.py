"""Record views are built per viewer; withheld fields never leave the engine."""
from __future__ import annotations

from app.model import AccessReason, Reason, WithheldInvolvement
from tests.conftest import open_child, viewer_for


def _shielded(directory, la=None):
    sql = "SELECT id, la_code FROM children WHERE shielded_at IS NOT NULL"
    if la:
        sql += f" AND la_code = '{la}'"
    return directory.conn.execute(sql + " LIMIT 1").fetchone()[0]


def test_shielded_record_shows_only_names_dob_gender_and_id(directory, practitioner, reason):
    """R-SHIELD-1 and R-SHIELD-4: the view itself holds nothing else."""
    cid = _shielded(directory)
    address = directory.conn.execute(
        "SELECT h.line1, h.postcode FROM children c JOIN households h ON h.id = c.household_id WHERE c.id = ?",
        (cid,)).fetchone()
    view = open_child(directory, practitioner, cid, reason)
    assert view.shield_applied and view.shielded
    assert view.address is None and view.carers == () and view.setting is None and view.gp is None
    assert view.involvements == () and view.other_names == ()
    assert address[0] not in repr(view) and address[1] not in repr(view)


def test_la_team_of_the_childs_la_sees_a_shielded_record_in_full(directory, reason):
    """R-ROLE-3: the LA management team sees shielded detail for its own LA."""
    la_user = viewer_for(directory, "jo.la")
    own = _shielded(directory, la_user.user.la_code)
    view = open_child(directory, la_user, own, Reason(AccessReason.LA_MONITORING))
    assert not view.shield_applied and view.address is not None
    other = directory.conn.execute("SELECT id FROM children WHERE shielded_at IS NOT NULL AND la_code != ? "
                                   "LIMIT 1", (la_user.user.la_code,)).fetchone()[0]
    assert open_child(directory, la_user, other, Reason(AccessReason.LA_MONITORING)).shield_applied


def _sensitive(directory, recorded_by=None):
    sql = ("SELECT i.child_id, i.organisation, i.practitioner, i.phone FROM involvements i "
           "JOIN children c ON c.id = i.child_id WHERE i.service IN ('sexual_health','camhs','substance_misuse') "
           "AND c.shielded_at IS NULL")
    if recorded_by:
        sql += f" AND i.recorded_by = '{recorded_by}'"
    return directory.conn.execute(sql + " LIMIT 1").fetchone()


def test_sensitive_involvement_is_an_unspecified_service_to_a_practitioner(directory, reason):
    """R-SENS-3: no organisation, practitioner, type or contact."""
    viewer = viewer_for(directory, "sam.cp")
    cid, org, who, phone = _sensitive(directory)
    view = open_child(directory, viewer, cid, reason)
    withheld = [i for i in view.involvements if isinstance(i, WithheldInvolvement)]
    assert withheld
    text = repr(view)
    assert org not in text and who not in text
    assert "sexual_health" not in text and "camhs" not in text and "substance_misuse" not in text


def test_recording_practitioner_and_la_team_see_a_sensitive_involvement_in_full(directory, reason):
    """R-SENS-3: the recorder and the LA management team see it."""
    cid, org, who, _ = _sensitive(directory, recorded_by="alex.practitioner")
    view = open_child(directory, viewer_for(directory, "alex.practitioner"), cid, reason)
    assert org in repr(view)
    la_team = viewer_for(directory, "jo.la")  # Northbridge's LA management team
    for la_code, sees in (("NBR", True), ("ASH", False)):  # its own LA's records only (R-ROLE-3)
        child, org2 = directory.conn.execute(
            "SELECT i.child_id, i.organisation FROM involvements i JOIN children c ON c.id = i.child_id "
            "WHERE i.service = 'camhs' AND c.la_code = ? AND c.shielded_at IS NULL LIMIT 1", (la_code,)).fetchone()
        assert (org2 in repr(open_child(directory, la_team, child, reason))) is sees


def test_ended_involvements_are_listed_apart_from_current_ones(directory, practitioner, reason):
    cid = directory.conn.execute(
        "SELECT i.child_id FROM involvements i JOIN children c ON c.id = i.child_id WHERE c.shielded_at IS NULL "
        "GROUP BY i.child_id HAVING sum(i.ended IS NULL) > 0 AND sum(i.ended IS NOT NULL) > 0 LIMIT 1").fetchone()[0]
    view = open_child(directory, practitioner, cid, reason)
    assert view.current_involvements and view.ended_involvements


def test_record_view_is_audited_with_reason(directory, practitioner, reason):
    """R-AUDIT-1."""
    cid = directory.conn.execute("SELECT id FROM children LIMIT 1").fetchone()[0]
    view = open_child(directory, practitioner, cid, reason)
    row = directory.conn.execute(
        "SELECT actor, action, reason, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert row[:3] == ("alex.practitioner", "view_record", reason.text()) and view.directory_id in row[3]
