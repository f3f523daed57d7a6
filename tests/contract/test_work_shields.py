"""Shields through the interface, on both implementations (R-SHIELD-1..6): a shield set at runtime is in force at
once for everyone else and in search, the LA team reviews and lifts it, child protection overrides it after the
warning. Clock-dependent review dates are tested on the engine (tests/test_work_shields.py)."""
from __future__ import annotations

from datetime import timedelta

from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason
from app.search import Criteria
from tests.conftest import TODAY
from tests.contract.test_directory_contract import MONITORING, REASON, done, find, ids, refused, viewer

SAFEGUARDING = Reason(AccessReason.SAFEGUARDING_ENQUIRY)


def _shield(client, username, did, ground=t.ShieldGround.RISK_OF_ABDUCTION):
    who = viewer(client, username)
    find(client, who, did, SAFEGUARDING)
    assert done(client.perform(ops.REQUEST_SHIELD, who, t.ShieldRequest(did, ground, SAFEGUARDING))) is True
    return who


def _view(client, username, did, reason=REASON):
    who = viewer(client, username)
    find(client, who, did, reason)
    return done(client.view_record(who, did, reason))


def test_a_shield_set_at_runtime_restricts_the_record_and_search_at_once(client, facts):
    """R-SHIELD-1/2/4/5 after creation: the requester's colleague sees names only, the postcode no longer finds
    the child, the LA team still sees it all, and the record says how to reach the LA team."""
    p = facts.plain
    before = _view(client, "alex.practitioner", p["did"])
    assert before.address is not None and before.la_team and before.la_team.phone
    postcode = before.address.postcode
    _shield(client, "sam.cp", p["did"])
    view = _view(client, "alex.practitioner", p["did"])
    assert view.shield_applied and view.address is None and view.carers == () and view.setting is None
    assert view.gp is None and view.involvements == () and view.other_names == ()
    assert view.la_team == before.la_team  # R-SENS-4: still says how to reach the LA team
    alex = viewer(client, "alex.practitioner")
    assert p["did"] not in ids(done(client.search(alex, Criteria(family_name=p["family"], postcode=postcode), REASON)))
    la = _view(client, "jo.la", p["did"], MONITORING)
    assert not la.shield_applied and la.address.postcode == postcode


def test_the_la_team_sees_the_new_shield_in_its_queue_and_lifts_it(client, facts):
    """R-SHIELD-3: due within 7 days, ground and requester shown; lifted, it is searchable by postcode again."""
    p = facts.plain
    postcode = _view(client, "alex.practitioner", p["did"]).address.postcode
    _shield(client, "sam.cp", p["did"], t.ShieldGround.ADOPTION_PLACEMENT)
    la = viewer(client, "jo.la")
    queue = {s.directory_id: s for s in done(client.perform(ops.SHIELD_REVIEWS, la, t.Nothing()))}
    line = queue[p["did"]]
    assert line.ground is t.ShieldGround.ADOPTION_PLACEMENT and line.first_review and not line.overdue
    assert line.due == TODAY + timedelta(days=7) and line.child_name == f"{p['given']} {p['family']}"
    alerts = done(client.perform(ops.ALERTS, la, t.Nothing()))
    assert any(a.kind is t.AlertKind.SHIELD_REQUESTED and a.actor == "sam.cp" and a.directory_id == p["did"]
               for a in alerts)
    assert done(client.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(p["did"], t.ReviewOutcome.LIFT))) is None
    alex = viewer(client, "alex.practitioner")
    found = done(client.search(alex, Criteria(family_name=p["family"], postcode=postcode), REASON))
    assert p["did"] in ids(found)
    sam = viewer(client, "sam.cp")
    assert any(n.kind is t.NoticeKind.SHIELD_LIFTED and n.directory_id == p["did"]
               for n in done(client.perform(ops.INBOX, sam, t.Nothing())))


def test_keeping_a_shield_returns_its_next_review_in_six_months(client, facts):
    _shield(client, "alex.practitioner", facts.plain["did"])
    la = viewer(client, "jo.la")
    kept = done(client.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(facts.plain["did"], t.ReviewOutcome.KEEP)))
    assert isinstance(kept, t.ShieldDue) and not kept.first_review and kept.due.month == (TODAY.month + 6 - 1) % 12 + 1


def test_only_the_la_team_reviews_and_only_its_own_las_shields(client, facts):
    """R-SHIELD-3, R-ROLE-3: a practitioner reviews nothing; another LA's team can neither keep nor lift this LA's
    shields, one set when the directory was built or one set at run time, nor has them in its queue; the child's
    own team can (issue 14 §4: red with the own-LA check deleted)."""
    sam = viewer(client, "sam.cp")
    refused(client.perform(ops.SHIELD_REVIEWS, sam, t.Nothing()), AccessRefused, "access.la_team_only")
    refused(client.perform(ops.REVIEW_SHIELD, sam, t.ShieldReview(facts.shielded["did"], t.ReviewOutcome.LIFT)),
            AccessRefused, "access.la_team_only")
    la = viewer(client, "jo.la")
    refused(client.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(facts.plain["did"], t.ReviewOutcome.LIFT)),
            AccessRefused, "shield.not_reviewable")  # not shielded
    other = viewer(client, "pat.la")
    assert other.user.la_code != la.user.la_code == facts.shielded["la"] == facts.plain["la"]
    _shield(client, "sam.cp", facts.plain["did"])  # set at run time, by a practitioner of the child's LA
    for did in (facts.shielded["did"], facts.plain["did"]):
        for outcome in t.ReviewOutcome:
            refused(client.perform(ops.REVIEW_SHIELD, other, t.ShieldReview(did, outcome)),
                    AccessRefused, "shield.not_reviewable")  # the same answer as for an unknown id
    assert not {facts.shielded["did"], facts.plain["did"]} & {
        s.directory_id for s in done(client.perform(ops.SHIELD_REVIEWS, other, t.Nothing()))}
    assert _view(client, "alex.practitioner", facts.plain["did"]).shield_applied  # the refusals changed nothing
    queue = {s.directory_id: s for s in done(client.perform(ops.SHIELD_REVIEWS, la, t.Nothing()))}
    assert queue[facts.shielded["did"]].first_review and queue[facts.plain["did"]].first_review
    assert done(client.perform(ops.REVIEW_SHIELD, la, t.ShieldReview(facts.plain["did"], t.ReviewOutcome.LIFT))) is None


def test_a_mediating_user_cannot_request_a_shield(client, facts):
    from tests.contract.test_work_contact import colleague_of
    la = viewer(client, "jo.la")
    morgan = viewer(client, "morgan.mediator", colleague_of(client, la))
    find(client, morgan, facts.plain["did"])
    refused(client.perform(ops.REQUEST_SHIELD, morgan, t.ShieldRequest(facts.plain["did"],
                                                                        t.ShieldGround.DOMESTIC_ABUSE, REASON)),
            AccessRefused, "access.shield_not_allowed")


def test_a_child_protection_override_after_the_warning_shows_the_record_once_and_alerts(client, facts):
    """R-SHIELD-6: without the warning, refused and nothing shown; with it, the address, marked override, the LA
    team alerted; the next ordinary view is restricted again."""
    s = facts.shielded
    sam = viewer(client, "sam.cp")
    find(client, sam, s["did"], SAFEGUARDING)
    refused(client.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(s["did"], SAFEGUARDING, False)),
            AccessRefused, "shield.warning_not_seen")
    view = done(client.perform(ops.OVERRIDE_SHIELD, sam, t.ShieldOverride(s["did"], SAFEGUARDING, True)))
    assert view.override and not view.shield_applied
    assert view.address.line1 == s["line1"] and view.address.postcode == s["postcode"]
    assert done(client.view_record(sam, s["did"], SAFEGUARDING)).shield_applied
    la = viewer(client, "jo.la")
    assert any(a.kind is t.AlertKind.SHIELD_OVERRIDE and a.actor == "sam.cp"
               for a in done(client.perform(ops.ALERTS, la, t.Nothing())))
    assert any(e.action == "shield_override" and e.actor == "sam.cp" for e in done(client.audit_entries(la)))
    alex = viewer(client, "alex.practitioner")
    find(client, alex, s["did"])
    refused(client.perform(ops.OVERRIDE_SHIELD, alex, t.ShieldOverride(s["did"], REASON, True)),
            AccessRefused, "shield.override_not_allowed")
