"""Sign-in gives nothing away and locks out (R-ROLE-4); every refusal is audited
(R-AUDIT-1); an LA team reads only its own LA's audit (R-ROLE-3)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from app.directory import AccessRefused, SignInRefused
from app.limits import Limits
from app.model import AccessReason, Colleague, Reason
from app.search import Criteria
from tests.conftest import PASSWORD, SoftToken, token_sign_in, viewer_for


def _message(directory, username, token, password=PASSWORD) -> str:
    with pytest.raises(SignInRefused) as exc:
        token_sign_in(directory, username, token, password)
    return str(exc.value)


def test_one_message_for_any_wrong_factor(directory):
    """Review hole 3: the right password with someone else's token used to get its own message."""
    SoftToken("MINE").enrol(directory, "alex.practitioner")
    theirs = SoftToken("THEIRS").enrol(directory, "sam.cp")
    loose = SoftToken("LOOSE")
    messages = {
        _message(directory, "alex.practitioner", theirs),  # right password, someone else's token
        _message(directory, "alex.practitioner", loose),  # right password, an unenrolled token
        _message(directory, "alex.practitioner", theirs, "wrong"),  # wrong password
        _message(directory, "no.such.user", loose),  # unknown user
    }
    assert len(messages) == 1 and "username, password or security token is not right" in messages.pop()


def test_consecutive_failures_lock_the_account_until_the_la_team_unlocks_it(directory):
    directory.limits = Limits(failed_signins_before_lock=5)
    mine = SoftToken("MINE2").enrol(directory, "alex.practitioner")
    for _ in range(4):
        _message(directory, "alex.practitioner", mine, "wrong")
    assert "locked after 5 failed sign-ins" in _message(directory, "alex.practitioner", mine, "wrong")
    # even every right factor is refused now (60 failures in a row used to still allow sign-in)
    assert "Ask your LA team to unlock it" in _message(directory, "alex.practitioner", mine)
    assert directory.conn.execute("SELECT count(*) FROM audit WHERE action = 'account_locked_out'").fetchone()[0] == 1
    # another LA's team cannot unlock a Northbridge user
    directory.conn.execute("UPDATE users SET la_code = 'ASH' WHERE username = 'lee.lapsed'")
    directory.conn.execute("UPDATE users SET role = 'la_management', check_date = ? WHERE username = 'lee.lapsed'",
                           (date(2026, 1, 1).toordinal(),))
    with pytest.raises(AccessRefused, match="its own LA"):
        directory.unlock_account(viewer_for(directory, "lee.lapsed"), "alex.practitioner")
    # a practitioner cannot unlock anyone
    with pytest.raises(AccessRefused):
        directory.unlock_account(viewer_for(directory, "sam.cp"), "alex.practitioner")
    directory.unlock_account(viewer_for(directory, "jo.la"), "alex.practitioner")
    assert token_sign_in(directory, "alex.practitioner", mine).user.username == "alex.practitioner"
    actions = [a for (a,) in directory.conn.execute("SELECT action FROM audit ORDER BY seq")]
    assert "account_unlocked" in actions and actions.count("account_unlock_refused") == 2


def test_an_unknown_username_locks_out_the_same_way(directory):
    """Lock-out must not reveal which usernames exist."""
    directory.limits = Limits(failed_signins_before_lock=3)
    loose = SoftToken("LOOSE2")
    for name in ("alex.practitioner", "no.such.person"):
        if name == "alex.practitioner":
            loose.enrol(directory, name)
        said = [_message(directory, name, loose, "wrong") for _ in range(4)]
        assert said[0] == said[1] and "locked after 3" in said[2] and said[2] == said[3]


def test_success_resets_the_count(directory):
    directory.limits = Limits(failed_signins_before_lock=3)
    mine = SoftToken("MINE3").enrol(directory, "alex.practitioner")
    _message(directory, "alex.practitioner", mine, "wrong")
    _message(directory, "alex.practitioner", mine, "wrong")
    token_sign_in(directory, "alex.practitioner", mine)
    _message(directory, "alex.practitioner", mine, "wrong")
    _message(directory, "alex.practitioner", mine, "wrong")
    assert token_sign_in(directory, "alex.practitioner", mine)


def _last(directory):
    action, reason, detail = directory.conn.execute(
        "SELECT action, reason, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return action, reason, json.loads(detail)


@pytest.mark.parametrize("kind, during", [("wrong_pin", "sign_in"), ("pin_locked", "sign_in"),
                                          ("wrong_token", "unlock"), ("removed", "sign_in")])
def test_token_side_refusals_are_audited(directory, kind, during):
    """Review hole 4: wrong PIN, blocked PIN, wrong token at unlock, pulled token left no entry."""
    directory.report_token_refusal("alex.practitioner", "SER-1", kind, during)
    assert _last(directory) == ("token_refused", None, {"kind": kind, "during": during, "token": "SER-1"})
    directory.report_token_refusal("alex.practitioner", "SER-1", "anything else\udc80", during)  # never trusted
    assert _last(directory)[2]["kind"] == "failed"


def test_requests_refused_for_reason_or_role_are_audited(directory):
    """Review hole 4: refusals for reason or role left no entry."""
    practitioner = viewer_for(directory, "alex.practitioner")
    c = Criteria(family_name="Smith", dob=date(2015, 1, 1))
    with pytest.raises(AccessRefused, match="detail"):
        directory.search(practitioner, c, Reason(AccessReason.OTHER, ""))
    assert _last(directory)[0] == "search_refused"
    with pytest.raises(AccessRefused, match="not a reason your role can give"):  # monitoring is the LA's reason
        directory.search(practitioner, c, Reason(AccessReason.LA_MONITORING))
    action, _, detail = _last(directory)
    assert action == "search_refused" and detail["why"] == "access.reason_not_for_role"
    mediator = viewer_for(directory, "morgan.mediator")
    with pytest.raises(AccessRefused, match="colleague"):
        directory.search(mediator, c, Reason(AccessReason.PROVIDING_SERVICE))
    assert _last(directory)[0] == "search_refused"
    with pytest.raises(AccessRefused, match="Only a mediating user"):
        directory.search(viewer_for(directory, "alex.practitioner", Colleague("Dr A Person", "Surgery")), c,
                         Reason(AccessReason.PROVIDING_SERVICE))
    assert _last(directory)[0] == "search_refused"
    with pytest.raises(AccessRefused):
        directory.audit_entries(practitioner)
    assert _last(directory)[0] == "audit_read_refused"


def test_an_la_team_reads_only_its_own_las_audit(directory, reason):
    """Review hole 5: an LA team read every LA's entries."""
    directory.conn.execute("UPDATE users SET check_date = ? WHERE username = 'lee.lapsed'",
                           (date(2026, 1, 1).toordinal(),))  # an Ashcombe practitioner, check renewed
    ashcombe = viewer_for(directory, "lee.lapsed")
    ash_child = directory.conn.execute(
        "SELECT directory_id FROM children WHERE la_code = 'ASH' LIMIT 1").fetchone()[0]
    from app import directory_id
    directory.search(ashcombe, Criteria(directory_id=directory_id.fmt(ash_child)), reason)
    nbr_child = directory.conn.execute(
        "SELECT directory_id FROM children WHERE la_code = 'NBR' LIMIT 1").fetchone()[0]
    directory.search(ashcombe, Criteria(directory_id=directory_id.fmt(nbr_child)), reason)
    seen = directory.audit_entries(viewer_for(directory, "jo.la"))
    assert all("NBR" in e.las for e in seen)
    lee = [e for e in seen if e.actor == "lee.lapsed"]
    # Northbridge sees the Ashcombe user's search that returned a Northbridge child, and nothing else of theirs
    assert [e.action for e in lee] == ["search"] and lee[0].detail["returned"] == [directory_id.fmt(nbr_child)]
    everything = directory.conn.execute("SELECT count(*) FROM audit WHERE actor = 'lee.lapsed'").fetchone()[0]
    assert everything >= 3  # sign-in and two searches exist; Northbridge was shown only one
