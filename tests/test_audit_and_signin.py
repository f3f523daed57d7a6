"""Sign-in checks (R-ROLE-4) and the audit trail (R-AUDIT-1, R-AUDIT-2)."""
from __future__ import annotations

import pytest

from app import audit, db
from app.directory import AccessRefused, SignInRefused
from tests.conftest import PASSWORD


def test_sign_in_with_the_right_password(directory):
    user = directory.sign_in("alex.practitioner", PASSWORD)
    assert user.display_name == "Alex Morgan"
    assert directory.conn.execute("SELECT action FROM audit ORDER BY seq DESC").fetchone()[0] == "sign_in"


@pytest.mark.parametrize("username, password, says", [
    ("alex.practitioner", "wrong", "username or password is not right"),
    ("nobody", PASSWORD, "username or password is not right"),
    ("lee.lapsed", PASSWORD, "criminal-records check expired on"),
    ("kim.untrained", PASSWORD, "training has not been recorded"),
])
def test_refused_sign_in_says_why_and_is_audited(directory, username, password, says):
    """R-ROLE-4: each refusal has its own clear message; R-AUDIT-1: failed logins are audited."""
    with pytest.raises(SignInRefused, match=says):
        directory.sign_in(username, password)
    action, detail = directory.conn.execute("SELECT action, detail FROM audit ORDER BY seq DESC").fetchone()
    assert action == "sign_in_failed"


def test_expired_check_blocks_an_already_signed_in_user(directory, reason):
    """R-ROLE-4: an expired check blocks access, not just sign-in."""
    from app.model import Viewer
    from app.search import Criteria
    lapsed = directory.user("lee.lapsed")
    with pytest.raises(AccessRefused, match="expired"):
        directory.search(Viewer(lapsed), Criteria(directory_id="000 000 0000"), reason)


def test_audit_is_append_only(directory):
    """R-AUDIT-2."""
    directory.sign_in("alex.practitioner", PASSWORD)
    with pytest.raises(db.DatabaseError, match="append-only"):
        directory.conn.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(db.DatabaseError, match="append-only"):
        directory.conn.execute("DELETE FROM audit")


def test_audit_chain_shows_where_it_was_tampered_with(directory):
    """R-AUDIT-2: tamper-evident even against someone who drops the triggers."""
    for _ in range(3):
        directory.sign_in("alex.practitioner", PASSWORD)
    assert audit.verify(directory.conn) is None
    directory.conn.execute("DROP TRIGGER audit_no_update")
    second = directory.conn.execute("SELECT seq FROM audit ORDER BY seq LIMIT 1 OFFSET 1").fetchone()[0]
    directory.conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", (second,))
    assert audit.verify(directory.conn) == second


def test_audit_trail_is_for_the_la_team_only(directory, practitioner, la_team):
    """R-LOCAL-3."""
    directory.sign_in("alex.practitioner", PASSWORD)
    with pytest.raises(AccessRefused):
        directory.audit_entries(practitioner)
    assert any(e.action == "sign_in" for e in directory.audit_entries(la_team))
