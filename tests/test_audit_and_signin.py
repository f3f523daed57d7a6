"""Sign-in checks (R-ROLE-4) and the audit trail (R-AUDIT-1, R-AUDIT-2)."""
from __future__ import annotations

import pytest

from app import audit, db
from app.directory import AccessRefused, SignInRefused
from app.token.signin import signin_message
from tests.conftest import PASSWORD, SoftToken, token_sign_in, viewer_for


def sign_in(directory, username="alex.practitioner"):
    return token_sign_in(directory, username, SoftToken(f"T-{username}").enrol(directory, username))


def test_sign_in_with_password_and_token(directory):
    """R-ROLE-4: username, password, and the enrolled token's signature."""
    token = SoftToken("SN-1").enrol(directory, "alex.practitioner")
    signed = token_sign_in(directory, "alex.practitioner", token)
    assert signed.user.display_name == "Alex Morgan" and signed.wrap_public_der == token.public("wrap")
    action, detail = directory.conn.execute("SELECT action, detail FROM audit ORDER BY seq DESC").fetchone()
    assert action == "sign_in" and "SN-1" in detail


@pytest.mark.parametrize("username, password, says", [
    ("alex.practitioner", "wrong", "username, password or security token is not right"),
    ("nobody", PASSWORD, "username, password or security token is not right"),
    ("lee.lapsed", PASSWORD, "criminal-records check expired on"),
    ("kim.untrained", PASSWORD, "training has not been recorded"),
])
def test_refused_sign_in_says_why_and_is_audited(directory, username, password, says):
    """R-ROLE-4: a wrong factor gets one message; an account problem, once every factor is proven,
    gets its own; R-AUDIT-1: failed logins are audited."""
    token = SoftToken("SN-2")
    if username != "nobody":
        token.enrol(directory, username)
    with pytest.raises(SignInRefused, match=says):
        token_sign_in(directory, username, token, password)
    action, detail = directory.conn.execute("SELECT action, detail FROM audit ORDER BY seq DESC").fetchone()
    assert action == "sign_in_failed"


def test_someone_elses_token_is_refused(directory):
    SoftToken("MINE").enrol(directory, "alex.practitioner")
    theirs = SoftToken("THEIRS").enrol(directory, "sam.cp")
    with pytest.raises(SignInRefused, match="username, password or security token is not right"):
        token_sign_in(directory, "alex.practitioner", theirs)


def test_a_signature_over_anything_but_this_challenge_is_refused(directory):
    """The token must sign this sign-in's challenge, for this purpose and serial."""
    token = SoftToken("SN-3").enrol(directory, "alex.practitioner")
    challenge = directory.challenge()
    other = directory.challenge()
    for message in (signin_message("sign-in", "SN-3", other), signin_message("unlock", "SN-3", challenge),
                    signin_message("sign-in", "SN-X", challenge)):
        c = directory.challenge()
        with pytest.raises(SignInRefused, match="security token is not right"):
            directory.sign_in("alex.practitioner", PASSWORD, "SN-3", c, token.sign(message))


def test_a_challenge_works_once(directory):
    token = SoftToken("SN-4").enrol(directory, "alex.practitioner")
    challenge = directory.challenge()
    sig = token.sign(signin_message("sign-in", "SN-4", challenge))
    directory.sign_in("alex.practitioner", PASSWORD, "SN-4", challenge, sig)
    with pytest.raises(SignInRefused, match="expired"):
        directory.sign_in("alex.practitioner", PASSWORD, "SN-4", challenge, sig)


def test_an_account_without_a_token_cannot_sign_in(directory):
    with pytest.raises(SignInRefused, match="security token is not right"):
        token_sign_in(directory, "alex.practitioner", SoftToken("LOOSE"))


def test_expired_check_blocks_an_already_signed_in_user(directory, reason):
    """R-ROLE-4: an expired check blocks access, not just sign-in."""
    from app.search import Criteria
    viewer = viewer_for(directory, "alex.practitioner")
    directory.clock = lambda: viewer.user.check_date.replace(year=viewer.user.check_date.year + 3)
    with pytest.raises(AccessRefused, match="expired"):
        directory.search(viewer, Criteria(directory_id="000 000 0000"), reason)


def test_audit_is_append_only(directory):
    """R-AUDIT-2."""
    sign_in(directory)
    with pytest.raises(db.DatabaseError, match="append-only"):
        directory.conn.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(db.DatabaseError, match="append-only"):
        directory.conn.execute("DELETE FROM audit")


def test_audit_chain_shows_where_it_was_tampered_with(directory):
    """R-AUDIT-2: tamper-evident even against someone who drops the triggers."""
    for _ in range(3):
        sign_in(directory)
    public = directory.audit_public_key()
    assert audit.verify(directory.conn, public).ok
    directory.conn.execute("DROP TRIGGER audit_no_update")
    second = directory.conn.execute("SELECT seq FROM audit ORDER BY seq LIMIT 1 OFFSET 1").fetchone()[0]
    directory.conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", (second,))
    assert audit.verify(directory.conn, public).first_bad == second


def test_audit_trail_is_for_the_la_team_only(directory, practitioner, la_team):
    """R-LOCAL-3."""
    sign_in(directory)
    with pytest.raises(AccessRefused):
        directory.audit_entries(practitioner)
    assert any(e.action == "sign_in" for e in directory.audit_entries(la_team))
