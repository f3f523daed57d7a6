"""Shields on the engine, with the clock under control (R-SHIELD-2, R-SHIELD-3, R-SHIELD-6): review dates,
overdue first, keep and lift, the requester told, the LA team alerted, a lifted shield searchable again."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from app import directory_id
from app.directory import Directory
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work.shields import add_months
from app.model import AccessReason, Colleague, LaTeamContact, Reason, Role
from app.refusals import AccessRefused
from app.search import Criteria
from tests.conftest import TODAY, add_child, viewer_for

DOB = date(2015, 6, 2)
SAFEGUARDING = Reason(AccessReason.SAFEGUARDING_ENQUIRY)
NOTHING = t.Nothing()


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock(TODAY)


@pytest.fixture
def d(directory_copy, clock):
    path, key = directory_copy
    engine = Directory.open(path, key, clock=clock)
    yield engine
    engine.close()


def _found(d, who, did, reason=SAFEGUARDING):
    assert [h.directory_id for h in d.search(who, Criteria(directory_id=did), reason).hits] == [did]


def _shield(d, username, did, ground=t.ShieldGround.DOMESTIC_ABUSE):
    who = viewer_for(d, username)
    _found(d, who, did)
    return who, d.perform(ops.REQUEST_SHIELD, who, t.ShieldRequest(did, ground, SAFEGUARDING))


def _queue(d) -> dict[str, t.ShieldDue]:
    return {s.directory_id: s for s in d.perform(ops.SHIELD_REVIEWS, viewer_for(d, "jo.la"), NOTHING)}


def registered_colleague(d) -> Colleague:
    """One of the LA's registered colleagues (R-ROLE-2), as a mediating user picks them from the list."""
    row = d.conn.execute("SELECT username, display_name, organisation FROM users WHERE role = 'colleague' "
                         "AND la_code = 'NBR' AND enabled = 1 ORDER BY username LIMIT 1").fetchone()
    assert row, "the training directory should register colleagues for mediating users"
    return Colleague(row[1], row[2], row[0])


def _alerts(d, kind: t.AlertKind) -> list:
    return d.conn.execute("SELECT la_code, actor, child_id FROM alerts WHERE kind = ?", (kind.value,)).fetchall()


def test_six_months_later_is_clamped_to_the_end_of_a_short_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 21), 6) == date(2027, 5, 21)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_a_practitioners_shield_is_in_force_at_once_and_queued_for_review_within_seven_days(d):
    """R-SHIELD-2/3: the practitioner sees nothing of the address the moment they ask; the LA team's queue shows
    the ground, who asked, and the first review due a week later; the team is alerted."""
    did = add_child(d, "Imogen", "Ashworthy", DOB, postcode="NE3 5PL", other_names=[("Imogen", "Dunstable")])
    alex, changed = _shield(d, "alex.practitioner", did)
    assert changed is True
    view = d.view_record(alex, did, SAFEGUARDING)
    assert view.shield_applied and view.address is None and view.other_names == ()
    line = _queue(d)[did]
    assert line.ground is t.ShieldGround.DOMESTIC_ABUSE and line.first_review and not line.overdue
    assert line.due == TODAY + timedelta(days=7) and "Alex" in line.requested_by
    cid = directory_id.parse(did)
    assert [(la, actor) for la, actor, _ in _alerts(d, t.AlertKind.SHIELD_REQUESTED)] == [("NBR", "alex.practitioner")]
    assert d.conn.execute("SELECT c.directory_id FROM alerts a JOIN children c ON c.id = a.child_id").fetchone()[0] \
        == cid


def test_asking_again_changes_nothing_and_raises_no_second_alert(d):
    did = add_child(d, "Imogen", "Ashworthy", DOB)
    _shield(d, "alex.practitioner", did)
    _, again = _shield(d, "sam.cp", did, t.ShieldGround.RISK_OF_ABDUCTION)
    assert again is False
    assert _queue(d)[did].ground is t.ShieldGround.DOMESTIC_ABUSE  # the first ground stands
    assert len(_alerts(d, t.AlertKind.SHIELD_REQUESTED)) == 1


def test_a_mediating_user_cannot_shield_and_neither_can_anyone_on_a_child_they_did_not_find(d):
    did = add_child(d, "Imogen", "Ashworthy", DOB)
    morgan = viewer_for(d, "morgan.mediator", registered_colleague(d))
    _found(d, morgan, did, Reason(AccessReason.PROVIDING_SERVICE))
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.REQUEST_SHIELD, morgan, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE,
                                                              Reason(AccessReason.PROVIDING_SERVICE)))
    assert exc.value.code == "access.shield_not_allowed"
    alex = viewer_for(d, "alex.practitioner")  # has not searched for the child
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.REQUEST_SHIELD, alex, t.ShieldRequest(did, t.ShieldGround.DOMESTIC_ABUSE, SAFEGUARDING))
    assert exc.value.code == "access.shield_not_allowed"
    child = directory_id.parse(did)
    assert d.conn.execute("SELECT shielded_at FROM children WHERE directory_id = ?", (child,)).fetchone()[0] is None
    refusals = d.conn.execute("SELECT actor FROM audit WHERE action = 'shield_request_refused' ORDER BY seq").fetchall()
    assert refusals == [("morgan.mediator",), ("alex.practitioner",)]


def test_overdue_shields_come_first_then_by_due_date(d, clock):
    """R-SHIELD-3: three shields set on different days; ten days on, the two older are overdue and lead."""
    older = add_child(d, "Aurelia", "Penhallow", DOB)
    old = add_child(d, "Bryony", "Penhallow", DOB)
    new = add_child(d, "Celandine", "Penhallow", DOB)
    for did, day in ((old, TODAY - timedelta(days=2)), (older, TODAY - timedelta(days=5)),
                     (new, TODAY + timedelta(days=6))):
        clock.day = day
        _shield(d, "alex.practitioner", did)
    clock.day = TODAY + timedelta(days=10)
    queue = list(d.perform(ops.SHIELD_REVIEWS, viewer_for(d, "jo.la"), NOTHING))
    mine = [s for s in queue if s.directory_id in (older, old, new)]
    assert [s.directory_id for s in mine] == [older, old, new]
    assert [s.overdue for s in mine] == [True, True, False]
    overdue = [s.overdue for s in queue]
    assert overdue == sorted(overdue, reverse=True)  # no overdue line after one that is not
    dues = [s.due for s in queue if s.overdue]
    assert dues == sorted(dues)


def test_a_shield_set_when_the_directory_was_built_needs_its_first_review(d):
    """Build-time shields have no request row: shown with the documented ground, due a week after the build."""
    cid, did, at = d.conn.execute("SELECT id, directory_id, shielded_at FROM children WHERE shielded_at IS NOT NULL "
                                  "AND la_code = 'NBR' ORDER BY id LIMIT 1").fetchone()
    line = _queue(d)[directory_id.fmt(did)]
    assert line.first_review and line.ground is t.ShieldGround.OTHER_RISK_OF_HARM
    assert line.due == date.fromisoformat(at[:10]) + timedelta(days=7)


def test_the_queue_is_the_la_teams_own_la_only_and_the_la_teams_alone(d):
    queue = _queue(d)
    las = {la for (la,) in d.conn.execute(
        f"SELECT la_code FROM children WHERE directory_id IN ({','.join('?' * len(queue))})",
        [directory_id.parse(x) for x in queue])}
    assert las == {"NBR"}
    total = d.conn.execute("SELECT count(*) FROM children WHERE la_code = 'NBR' AND shielded_at IS NOT NULL").fetchone()
    assert len(queue) == total[0]
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.SHIELD_REVIEWS, viewer_for(d, "sam.cp"), NOTHING)
    assert exc.value.code == "access.la_team_only"


def test_keeping_a_shield_sets_the_next_review_six_months_on(d, clock):
    did = add_child(d, "Imogen", "Ashworthy", DOB)
    _shield(d, "alex.practitioner", did)
    clock.day = TODAY + timedelta(days=9)  # reviewed late
    la = viewer_for(d, "jo.la")
    assert _queue(d)[did].overdue
    kept = d.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(did, t.ReviewOutcome.KEEP))
    assert kept.due == add_months(clock.day, 6) and not kept.first_review and not kept.overdue
    assert kept.ground is t.ShieldGround.DOMESTIC_ABUSE
    assert _queue(d)[did] == kept
    clock.day = add_months(clock.day, 6) + timedelta(days=1)
    assert _queue(d)[did].overdue  # the six-monthly review is late too
    outcome, nxt = d.conn.execute("SELECT decision, next_due FROM shield_reviews").fetchone()
    assert outcome == "keep" and date.fromordinal(nxt) == kept.due
    entry = d.conn.execute("SELECT actor, detail FROM audit WHERE action = 'shield_reviewed'").fetchone()
    assert entry[0] == "jo.la" and json.loads(entry[1])["was_overdue"] is True


def test_lifting_a_shield_makes_the_record_whole_and_searchable_again_and_tells_the_requester(d):
    """R-SHIELD-3, R-SHIELD-5: after the lift the postcode and former name find the child again."""
    did = add_child(d, "Imogen", "Ashworthy", DOB, postcode="NE3 5PL", other_names=[("Imogen", "Dunstable")])
    _shield(d, "alex.practitioner", did)
    fresh = viewer_for(d, "alex.practitioner")
    assert d.search(fresh, Criteria(family_name="Ashworthy", postcode="NE3 5PL"), SAFEGUARDING).hits == ()
    la = viewer_for(d, "jo.la")
    assert d.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(did, t.ReviewOutcome.LIFT)) is None
    assert did not in _queue(d)
    again = viewer_for(d, "alex.practitioner")
    assert [h.directory_id for h in d.search(again, Criteria(family_name="Ashworthy", postcode="NE3 5PL"),
                                             SAFEGUARDING).hits] == [did]
    assert [h.directory_id for h in d.search(again, Criteria(family_name="Dunstable", dob=DOB),
                                             SAFEGUARDING).hits] == [did]
    view = d.view_record(again, did, SAFEGUARDING)
    assert not view.shielded and view.address is not None and view.address.postcode == "NE3 5PL"
    kinds = d.conn.execute("SELECT username, kind FROM notices").fetchall()
    assert ("alex.practitioner", "shield_lifted") in kinds
    # reviewing granted the team the child: it opens without a search (R-SHIELD-3, the review's own record)
    assert d.view_record(la, did, Reason(AccessReason.LA_MONITORING)).directory_id == did
    with pytest.raises(AccessRefused) as exc:  # and it cannot be lifted twice
        d.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(did, t.ReviewOutcome.LIFT))
    assert exc.value.code == "shield.not_reviewable"


def test_another_las_shield_cannot_be_reviewed(d):
    did = add_child(d, "Imogen", "Ashworthy", DOB, la_code="XYZ", shielded=True)
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.REVIEW_SHIELD, viewer_for(d, "jo.la"), t.ShieldReview(did, t.ReviewOutcome.LIFT))
    assert exc.value.code == "shield.not_reviewable"
    assert d.conn.execute("SELECT shielded_at FROM children WHERE directory_id = ?",
                          (directory_id.parse(did),)).fetchone()[0] is not None


def test_a_child_protection_override_needs_the_warning_and_alerts_the_la_team(d):
    """R-SHIELD-6: refused without the warning (nothing shown, refusal audited); with it, the full record once,
    marked override, audited as shield_override, and the child's LA team alerted at once."""
    did = add_child(d, "Imogen", "Ashworthy", DOB, postcode="NE3 5PL", other_names=[("Imogen", "Dunstable")])
    _shield(d, "alex.practitioner", did)
    sam = viewer_for(d, "sam.cp")
    _found(d, sam, did)
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(did, SAFEGUARDING, warning_seen=False))
    assert exc.value.code == "shield.warning_not_seen"
    assert _alerts(d, t.AlertKind.SHIELD_OVERRIDE) == []
    view = d.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(did, SAFEGUARDING, warning_seen=True))
    assert view.override and not view.shield_applied and view.address.postcode == "NE3 5PL"
    assert [n.family_name for n in view.other_names] == ["Dunstable"]
    assert view.la_team is not None and view.la_team.la_code == "NBR" and view.la_team.phone
    assert [(la, actor) for la, actor, _ in _alerts(d, t.AlertKind.SHIELD_OVERRIDE)] == [("NBR", "sam.cp")]
    assert d.conn.execute("SELECT count(*) FROM audit WHERE action = 'shield_override' AND actor = 'sam.cp'"
                          ).fetchone()[0] == 1
    # an ordinary view afterwards is restricted again: the override was for that one answer
    assert d.view_record(sam, did, SAFEGUARDING).shield_applied


def test_only_child_protection_may_override(d):
    did = add_child(d, "Imogen", "Ashworthy", DOB, shielded=True)
    for name in ("alex.practitioner", "jo.la"):
        who = viewer_for(d, name)
        reason = Reason(AccessReason.LA_MONITORING) if who.role is Role.LA_MANAGEMENT else SAFEGUARDING
        _found(d, who, did, reason)
        with pytest.raises(AccessRefused) as exc:
            d.perform(ops.OVERRIDE_SHIELD, who, t.ShieldOverride(did, reason, warning_seen=True))
        assert exc.value.code == "shield.override_not_allowed"
    sam = viewer_for(d, "sam.cp")
    with pytest.raises(AccessRefused) as exc:  # not found in this session
        d.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(did, SAFEGUARDING, warning_seen=True))
    assert exc.value.code == "access.not_from_results"
    plain = add_child(d, "Imogen", "Ashworthy", date(2015, 6, 3))
    _found(d, sam, plain)
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(plain, SAFEGUARDING, warning_seen=True))
    assert exc.value.code == "shield.not_shielded"
    assert _alerts(d, t.AlertKind.SHIELD_OVERRIDE) == []


def test_every_record_view_says_how_to_reach_the_childs_la_team_even_restricted(d):
    """R-SENS-4: the record shows the LA team's name, phone and e-mail, shielded or not."""
    did = add_child(d, "Imogen", "Ashworthy", DOB, shielded=True)
    alex = viewer_for(d, "alex.practitioner")
    _found(d, alex, did)
    view = d.view_record(alex, did, SAFEGUARDING)
    name, phone, email = d.conn.execute("SELECT name, phone, email FROM las WHERE code = 'NBR'").fetchone()
    assert view.shield_applied and view.la_team == LaTeamContact("NBR", name, phone, email)
    assert phone and "@" in email


# -- a shield reaches the household (R-SHIELD-1/2/5, issue 13 §3.1; seed 003 5.2 names siblings) ----------------
SIS_DOB, BRO_DOB = date(2013, 3, 9), date(2018, 10, 30)


@pytest.fixture
def family(d):
    """Imogen, her sister Tamsin and her brother Kit: one household (address, a carer), Imogen and Tamsin at the
    same school, Imogen and Kit with the same GP, Tamsin with her own GP."""
    from tests.conftest import add_sibling
    imogen = add_child(d, "Imogen", "Ashworthy", DOB, postcode="NE3 5PL")
    tamsin = add_sibling(d, imogen, "Tamsin", SIS_DOB)
    kit = add_sibling(d, imogen, "Kit", BRO_DOB)
    conn = d.conn
    hid = conn.execute("SELECT household_id FROM children WHERE directory_id = ?",
                       (directory_id.parse(imogen),)).fetchone()[0]
    conn.execute("INSERT INTO carers VALUES ((SELECT max(id) + 1 FROM carers),?,?,?,?,?,?,?,?,?)",
                 (hid, "Demelza", "Ashworthy", "Mother", "07700 900555", None, None, None, None))
    school = conn.execute("SELECT id FROM settings WHERE la_code = 'NBR' ORDER BY id LIMIT 1").fetchone()[0]
    gp, other_gp = (g for (g,) in conn.execute("SELECT id FROM gp_practices ORDER BY id LIMIT 2"))
    for did, setting, practice in ((imogen, school, gp), (tamsin, school, other_gp), (kit, None, gp)):
        conn.execute("UPDATE children SET setting_id = ?, gp_id = ? WHERE directory_id = ?",
                     (setting, practice, directory_id.parse(did)))
    return imogen, tamsin, kit


def _view(d, username, did, reason=SAFEGUARDING):
    who = viewer_for(d, username)
    _found(d, who, did, reason)
    return d.view_record(who, did, reason)


def _postcode_hits(d, family="Ashworthy", postcode="NE3 5PL") -> set[str]:
    who = viewer_for(d, "alex.practitioner")
    return {h.directory_id for h in d.search(who, Criteria(family_name=family, postcode=postcode), SAFEGUARDING).hits}


def test_shielding_a_child_withholds_the_familys_whereabouts_on_her_siblings_at_once(d, family):
    """R-SHIELD-1/2 (issue 13 §3.1): a shield set at run time; from that moment her sister's and brother's records
    show no address and no carers, and neither the school nor the GP they share with her; what is their own
    stays (Tamsin's own GP, their names and services)."""
    imogen, tamsin, kit = family
    before = _view(d, "sam.cp", tamsin)
    assert before.address is not None and before.carers and before.setting is not None
    _shield(d, "alex.practitioner", imogen)
    sister, brother = _view(d, "sam.cp", tamsin), _view(d, "sam.cp", kit)
    for view in (sister, brother):
        assert view.household_withheld and not view.shield_applied and not view.shielded
        assert view.address is None and view.carers == ()
    assert sister.setting is None and sister.gp is not None and sister.gp == before.gp  # own GP: not shared
    assert brother.gp is None  # the same practice as Imogen's
    assert _view(d, "jo.la", tamsin, Reason(AccessReason.LA_MONITORING)).address is not None  # R-ROLE-3


def test_a_held_sibling_is_never_found_by_the_familys_postcode(d, family):
    """R-SHIELD-5: with Imogen shielded, a search by the family's postcode finds none of the three; a search on
    what stays visible (name and date of birth) finds Tamsin, with no town shown (R-SEARCH-5)."""
    imogen, tamsin, kit = family
    assert _postcode_hits(d) == {imogen, tamsin, kit}
    _shield(d, "alex.practitioner", imogen)
    assert _postcode_hits(d) == set()
    who = viewer_for(d, "alex.practitioner")
    (hit,) = d.search(who, Criteria(family_name="Ashworthy", dob=SIS_DOB), SAFEGUARDING).hits
    assert hit.directory_id == tamsin and hit.locality == ""
    la = viewer_for(d, "jo.la")  # R-SEARCH-7: the LA team's postcode-only search does not list them either
    assert d.search(la, Criteria(postcode="NE3 5PL"), Reason(AccessReason.LA_MONITORING)).hits == ()


def test_a_shield_set_when_the_directory_was_built_holds_its_siblings_too(d):
    from tests.conftest import add_sibling
    shielded = add_child(d, "Imogen", "Ashworthy", DOB, postcode="NE3 5PL", shielded=True)
    sister = add_sibling(d, shielded, "Tamsin", SIS_DOB)
    assert _view(d, "alex.practitioner", sister).address is None
    assert _postcode_hits(d) == set()


def test_the_review_shows_the_household_and_decides_about_each_sibling(d, family):
    """Issue 13 §3.1: the LA team's review line lists the other children, each held until it decides; keeping the
    shield, it shields Kit too and decides Tamsin needs none: her address and postcode search are back, Kit's
    record is shielded in its own right and kept as reviewed."""
    imogen, tamsin, kit = family
    _shield(d, "alex.practitioner", imogen)
    line = _queue(d)[imogen]
    assert [(s.directory_id, s.name, s.dob, s.shielded, s.withheld) for s in line.siblings] == [
        (tamsin, "Tamsin Ashworthy", SIS_DOB, False, True), (kit, "Kit Ashworthy", BRO_DOB, False, True)]
    la = viewer_for(d, "jo.la")
    kept = d.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(imogen, t.ReviewOutcome.KEEP, (
        t.SiblingDecision(tamsin, shield=False), t.SiblingDecision(kit, shield=True))))
    assert [(s.directory_id, s.shielded, s.withheld) for s in kept.siblings] == [(tamsin, False, False),
                                                                                  (kit, True, False)]
    sister = _view(d, "alex.practitioner", tamsin)
    assert sister.address is not None and sister.address.postcode == "NE3 5PL" and not sister.household_withheld
    assert _postcode_hits(d) == {tamsin}
    assert _view(d, "alex.practitioner", kit).shield_applied
    kit_line = _queue(d)[kit]
    assert not kit_line.first_review and kit_line.due == kept.due and kit_line.ground is kept.ground
    detail = json.loads(d.conn.execute("SELECT detail FROM audit WHERE action = 'shield_reviewed' ORDER BY seq DESC "
                                       "LIMIT 1").fetchone()[0])
    assert detail["siblings"] == [{"directory_id": tamsin, "shield": False}, {"directory_id": kit, "shield": True}]


def test_a_decision_holds_for_that_shield_only(d, family):
    """A shield lifted releases its siblings; set again, it is a new shield and holds them again."""
    imogen, tamsin, _ = family
    _shield(d, "alex.practitioner", imogen)
    la = viewer_for(d, "jo.la")
    d.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(imogen, t.ReviewOutcome.KEEP, (t.SiblingDecision(tamsin, False),)))
    assert _view(d, "alex.practitioner", tamsin).address is not None
    d.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(imogen, t.ReviewOutcome.LIFT))
    assert _view(d, "alex.practitioner", tamsin).address is not None
    _shield(d, "sam.cp", imogen)
    assert _view(d, "alex.practitioner", tamsin).address is None


def test_lifting_the_shield_releases_the_siblings_it_held(d, family):
    imogen, tamsin, kit = family
    _shield(d, "alex.practitioner", imogen)
    d.perform(ops.REVIEW_SHIELD, viewer_for(d, "jo.la"), t.ShieldReview(imogen, t.ReviewOutcome.LIFT))
    assert _view(d, "alex.practitioner", tamsin).address is not None
    assert _postcode_hits(d) == {imogen, tamsin, kit}


def test_the_la_team_shields_siblings_in_the_same_step(d, family):
    """Issue 13 §3.1: before shielding a child itself the team sees the household (``household``) and can shield
    the others at once; only the child's own LA team may, and only real siblings."""
    imogen, tamsin, kit = family
    la = viewer_for(d, "jo.la")
    monitoring = Reason(AccessReason.LA_MONITORING)
    _found(d, la, imogen, monitoring)
    assert [(s.directory_id, s.withheld) for s in d.perform(ops.HOUSEHOLD, la, t.ChildRef(imogen))] == [
        (tamsin, False), (kit, False)]
    alex = viewer_for(d, "alex.practitioner")
    _found(d, alex, imogen)
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.REQUEST_SHIELD, alex, t.ShieldRequest(imogen, t.ShieldGround.DOMESTIC_ABUSE, SAFEGUARDING,
                                                            (tamsin,)))
    assert exc.value.code == "shield.siblings_la_team_only"
    stranger = add_child(d, "Imogen", "Ashworthy", date(2016, 1, 1))
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.REQUEST_SHIELD, la, t.ShieldRequest(imogen, t.ShieldGround.DOMESTIC_ABUSE, monitoring,
                                                          (stranger,)))
    assert exc.value.code == "shield.not_a_sibling"
    assert not d.conn.execute("SELECT count(*) FROM children WHERE shielded_at IS NOT NULL AND directory_id IN "
                              "(?,?)", (directory_id.parse(imogen), directory_id.parse(stranger))).fetchone()[0]
    assert d.perform(ops.REQUEST_SHIELD, la, t.ShieldRequest(imogen, t.ShieldGround.DOMESTIC_ABUSE, monitoring,
                                                             (kit,)))
    queue = _queue(d)
    assert kit in queue and queue[kit].first_review and queue[kit].ground is t.ShieldGround.DOMESTIC_ABUSE
    assert [(s.directory_id, s.withheld) for s in queue[imogen].siblings if not s.shielded] == [(tamsin, True)]
    with pytest.raises(AccessRefused) as exc:
        d.perform(ops.HOUSEHOLD, alex, t.ChildRef(imogen))
    assert exc.value.code == "access.la_team_only"


def test_sibling_decisions_only_with_keep_and_only_about_unshielded_siblings(d, family):
    imogen, tamsin, kit = family
    _shield(d, "alex.practitioner", imogen)
    _shield(d, "alex.practitioner", kit)
    la = viewer_for(d, "jo.la")
    for review, code in ((t.ShieldReview(imogen, t.ReviewOutcome.LIFT, (t.SiblingDecision(tamsin, False),)),
                          "shield.siblings_need_keep"),
                         (t.ShieldReview(imogen, t.ReviewOutcome.KEEP, (t.SiblingDecision(kit, False),)),
                          "shield.sibling_shielded")):
        with pytest.raises(AccessRefused) as exc:
            d.perform(ops.REVIEW_SHIELD, la, review)
        assert exc.value.code == code
    assert _queue(d)[imogen].first_review  # nothing was reviewed


def test_a_held_siblings_index_rows_carry_no_postcode(d, family):
    """R-SHIELD-5 at the index (``search_index``): from the moment of the shield, none of the household's rows has
    the postcode; a sibling decided as needing no shield gets it back."""
    imogen, tamsin, kit = family

    def postcodes(did):
        return {pc for (pc,) in d.conn.execute("SELECT s.postcode FROM search_names s JOIN children c ON "
                                               "c.id = s.child_id WHERE c.directory_id = ?",
                                               (directory_id.parse(did),))}
    assert postcodes(tamsin) == {"NE3 5PL"}
    _shield(d, "alex.practitioner", imogen)
    assert postcodes(imogen) == postcodes(tamsin) == postcodes(kit) == {None}
    d.perform(ops.REVIEW_SHIELD, viewer_for(d, "jo.la"), t.ShieldReview(imogen, t.ReviewOutcome.KEEP, (
        t.SiblingDecision(tamsin, False),)))
    assert postcodes(tamsin) == {"NE3 5PL"} and postcodes(kit) == {None}


def test_every_candidate_is_checked_against_the_household_as_it_is_now(d, family):
    """R-SHIELD-5, whatever the index says: a shield written without re-indexing (as a feed or a restore might)
    still keeps the siblings from a search by the family's postcode, and their town from the results."""
    imogen, tamsin, kit = family
    d.conn.execute("UPDATE children SET shielded_at = '2026-11-21T09:00:00+00:00' WHERE directory_id = ?",
                   (directory_id.parse(imogen),))
    assert _postcode_hits(d) == set()
    who = viewer_for(d, "alex.practitioner")
    (hit,) = d.search(who, Criteria(family_name="Ashworthy", dob=BRO_DOB), SAFEGUARDING).hits
    assert hit.directory_id == kit and hit.locality == ""


def test_a_brother_living_with_the_other_parent_does_not_give_the_shielded_home_away(d):
    """Issue 13 §3.1 ("same carers"): the cast's Penhallows live apart, Tegan with their mother in Northbridge,
    Rhys with their father in Ashcombe, and each record lists the other parent at the other address. Shield Tegan:
    Rhys's record no longer shows their mother (at Tegan's address, with her phone), while his own home stays; the
    LA team sees him among Tegan's brothers and sisters."""
    tegan, rhys = "900 000 0092", "900 000 0106"
    home = d.conn.execute("SELECT h.line1, h.postcode FROM children c JOIN households h ON h.id = c.household_id "
                          "WHERE c.directory_id = ?", (directory_id.parse(tegan),)).fetchone()
    before = _view(d, "sam.cp", rhys)
    assert any(c.address and (c.address.line1, c.address.postcode) == home for c in before.carers)
    _shield(d, "alex.practitioner", tegan)
    after = _view(d, "sam.cp", rhys)
    assert after.household_withheld and after.address == before.address
    assert not any(c.address and (c.address.line1, c.address.postcode) == home for c in after.carers)
    assert [c.name for c in after.carers] == [c.name for c in before.carers if c.address is None]
    assert rhys in [s.directory_id for s in _queue(d)[tegan].siblings]
