"""Whether another LA's team may shield a child of this LA (issue 14 §2.5; R-SHIELD-2, R-SHIELD-3, R-ROLE-3).

Decided: yes. A shield protects a child at once, whoever asks (R-SHIELD-2), and the first to know of a risk is
often another LA's team (a family moving in from elsewhere); refusing would leave the child unprotected until
someone in the right LA heard. But the shield is the child's own LA's to review and to see behind: it lands in
that team's queue and alerts it, and the team that asked sees the record restricted like anyone else and cannot
review, keep or lift it (R-SHIELD-3, R-ROLE-3: "for its own LA's records")."""
from __future__ import annotations

from app import directory_id
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason
from app.refusals import AccessRefused
from app.search import Criteria
from tests.conftest import viewer_for

SAFEGUARDING = Reason(AccessReason.SAFEGUARDING_ENQUIRY)


def _found(d, who, did) -> None:
    assert [h.directory_id for h in d.search(who, Criteria(directory_id=did), SAFEGUARDING).hits] == [did]


def test_another_las_team_may_shield_a_child_but_only_the_childs_own_team_reviews_and_sees_it(directory):
    d = directory
    did = directory_id.fmt(d.conn.execute("SELECT directory_id FROM children WHERE la_code = 'NBR' "
                                          "AND shielded_at IS NULL AND archived_on IS NULL LIMIT 1").fetchone()[0])
    ashcombe, northbridge = viewer_for(d, "pat.la"), viewer_for(d, "jo.la")
    assert ashcombe.user.la_code == "ASH"
    _found(d, ashcombe, did)
    assert d.perform(ops.REQUEST_SHIELD, ashcombe, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, SAFEGUARDING))
    # in force at once, for everyone (R-SHIELD-2) -- the team that asked included
    alex = viewer_for(d, "alex.practitioner")
    _found(d, alex, did)
    assert d.view_record(alex, did, SAFEGUARDING).shield_applied
    mine = d.view_record(ashcombe, did, SAFEGUARDING)
    assert mine.shield_applied and mine.address is None and mine.involvements == ()
    # the child's own LA team is alerted and reviews it (R-SHIELD-3, R-ROLE-3)
    queue = {s.directory_id: s for s in d.perform(ops.SHIELD_REVIEWS, northbridge, t.Nothing())}
    assert queue[did].first_review and queue[did].requested_by == "Pat Quinn, Ashcombe LA management team"
    alerts = d.perform(ops.ALERTS, northbridge, t.Nothing())
    assert any(a.kind is t.AlertKind.SHIELD_REQUESTED and a.actor == "pat.la" and a.directory_id == did
               for a in alerts)
    _found(d, northbridge, did)
    assert not d.view_record(northbridge, did, SAFEGUARDING).shield_applied
    # the team that asked neither reviews it nor has it in its own queue or alerts
    assert did not in {s.directory_id for s in d.perform(ops.SHIELD_REVIEWS, ashcombe, t.Nothing())}
    assert all(a.directory_id != did for a in d.perform(ops.ALERTS, ashcombe, t.Nothing()))
    for outcome in t.ReviewOutcome:
        try:
            d.perform(ops.REVIEW_SHIELD, ashcombe, t.ShieldReview(did, outcome))
        except AccessRefused as exc:
            assert exc.code == "shield.not_reviewable"
        else:
            raise AssertionError(f"another LA's team could {outcome.value} the shield")
    assert queue[did] == {s.directory_id: s for s in d.perform(ops.SHIELD_REVIEWS, northbridge, t.Nothing())}[did]
