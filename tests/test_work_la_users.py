"""The LA team gives access (issue 14 §2.1, R-ROLE-3, R-ROLE-4): a nominated, trained, checked person gets an
account with a one-time password the directory never keeps in clear, must replace it before any other work, and
gets their token from the same team; an LA-team member never changes their own account."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason, Role
from app.refusals import AccessRefused, SignInRefused
from app.search import Criteria
from tests.conftest import PASSWORD, TODAY, SoftToken, token_sign_in, viewer_for

REASON = Reason(AccessReason.PROVIDING_SERVICE)
SMITH = Criteria(family_name="Smith", dob=date(2015, 1, 1))


def newcomer(**kw) -> t.NewUser:
    base = dict(display_name="Priya Nair", role=Role.PRACTITIONER, organisation="Northbridge Family Hub",
                nominated_by="Ruth Ellis, Head of Early Help", nominated_on=TODAY - timedelta(days=7),
                check_date=TODAY - timedelta(days=30), trained_on=TODAY - timedelta(days=2))
    base.update(kw)
    return t.NewUser(**base)


def refused(directory, op, who, request) -> AccessRefused:
    with pytest.raises(AccessRefused) as caught:
        directory.perform(op, who, request)
    return caught.value


def with_token(directory, la, username: str) -> SoftToken:
    token = SoftToken(f"soft-{username}")
    directory.perform(ops.ENROL_TOKEN, la, t.TokenEnrolment(username, token.serial, token.public("sign"),
                                                            token.public("wrap")))
    return token


def everything_stored(directory) -> str:
    """Every text the directory file holds, in every table: to look for a secret in it."""
    out = []
    for (table,) in directory.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in directory.conn.execute(f"SELECT * FROM {table}"):
            out += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(out)


def test_the_la_team_creates_a_user_whose_one_time_password_is_shown_once_and_never_kept(directory):
    la = viewer_for(directory, "jo.la")
    made = directory.perform(ops.CREATE_USER, la, newcomer(), key="create-priya-1")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}", made.password)
    user = made.user
    assert (user.username, user.display_name, user.role, user.organisation) == (
        "priya.nair", "Priya Nair", "practitioner", "Northbridge Family Hub")
    assert user.must_change_password and user.enabled and not user.token_serial
    assert user.check_expires == (TODAY - timedelta(days=30)).replace(year=TODAY.year + 3)
    row = directory.conn.execute("SELECT la_code, nominated, nominated_by, nominated_on, created_by, password_hash "
                                 "FROM users WHERE username = 'priya.nair'").fetchone()
    assert row[:5] == ("NBR", 1, "Ruth Ellis, Head of Early Help", (TODAY - timedelta(days=7)).toordinal(), "jo.la")
    assert row[5].startswith("$argon2id$")
    assert made.password not in everything_stored(directory)  # neither the audit nor the record of answers has it
    again = directory.perform(ops.CREATE_USER, la, newcomer(), key="create-priya-1")
    assert again.password == "" and again.user == user  # the same request answered again, without the secret
    assert directory.conn.execute("SELECT count(*) FROM users WHERE display_name = 'Priya Nair'").fetchone()[0] == 1
    assert refused(directory, ops.CREATE_USER, la, newcomer()).code == "la_users.user_exists"
    entry = [json.loads(d) for (d,) in directory.conn.execute("SELECT detail FROM audit WHERE action = 'user_created'")]
    assert entry == [{"user": "priya.nair", "role": "practitioner", "nominated_on": (TODAY - timedelta(days=7))
                      .isoformat(), "check_date": (TODAY - timedelta(days=30)).isoformat(), "trained": True}]


def test_the_one_time_password_must_be_replaced_before_any_other_work(directory):
    """R-ROLE-4: signed in with it, only the password change is done; the old one then no longer works."""
    la = viewer_for(directory, "jo.la")
    made = directory.perform(ops.CREATE_USER, la, newcomer())
    token = with_token(directory, la, "priya.nair")
    signed = token_sign_in(directory, "priya.nair", token, password=made.password)
    assert signed.password_change_required
    from app.model import Viewer
    priya = Viewer(signed.user, None, signed.session)
    for attempt in (lambda: directory.search(priya, SMITH, REASON),
                    lambda: directory.perform(ops.INBOX, priya, t.Nothing()),
                    lambda: directory.perform(ops.VOCABULARY, priya, t.Nothing())):
        with pytest.raises(AccessRefused) as exc:
            attempt()
        assert exc.value.code == "account.password_change_required"
    for change, code in ((t.PasswordChange("not-it", "a good long password"), "password.wrong_current"),
                         (t.PasswordChange(made.password, "too short"), "password.too_short"),
                         (t.PasswordChange(made.password, made.password), "password.same_as_current"),
                         (t.PasswordChange(made.password, "PRIYA.NAIR is my password"), "password.contains_username")):
        got = refused(directory, ops.CHANGE_PASSWORD, priya, change)
        assert (got.code, got.field) == (code, "current" if code == "password.wrong_current" else "new")
    directory.perform(ops.CHANGE_PASSWORD, priya, t.PasswordChange(made.password, "ochre kettle by the harbour"))
    assert directory.search(priya, SMITH, REASON) is not None  # the same session works now
    assert "ochre kettle" not in everything_stored(directory)
    with pytest.raises(SignInRefused):
        token_sign_in(directory, "priya.nair", token, password=made.password)
    again = token_sign_in(directory, "priya.nair", token, password="ochre kettle by the harbour")
    assert not again.password_change_required
    changed = [json.loads(d) for (d,) in directory.conn.execute(
        "SELECT detail FROM audit WHERE action = 'password_changed'")]
    assert changed == [{"one_time": True}]


def test_wrong_current_passwords_at_a_change_lock_the_account_as_at_sign_in(directory):
    alex = viewer_for(directory, "alex.practitioner")
    for _ in range(5):
        refused(directory, ops.CHANGE_PASSWORD, alex, t.PasswordChange("guess", "a good long password"))
    assert directory._locked_out("alex.practitioner")
    with pytest.raises(AccessRefused) as exc:  # the session ended with the lock-out
        directory.search(alex, SMITH, REASON)
    assert exc.value.code == "access.session_ended"
    alerts = directory.perform(ops.ALERTS, viewer_for(directory, "jo.la"), t.Nothing())
    assert any(a.kind is t.AlertKind.ACCOUNT_LOCKED and a.actor == "alex.practitioner" for a in alerts)


def test_a_reset_password_ends_the_users_sessions_lifts_a_lock_out_and_works_once(directory):
    la = viewer_for(directory, "jo.la")
    alex = viewer_for(directory, "alex.practitioner")
    got = directory.perform(ops.RESET_PASSWORD, la, t.UserRef("alex.practitioner"))
    assert got.user.must_change_password and got.password
    with pytest.raises(AccessRefused) as exc:
        directory.search(alex, SMITH, REASON)
    assert exc.value.code == "access.session_ended"
    token = with_token(directory, la, "alex.practitioner")
    with pytest.raises(SignInRefused):
        token_sign_in(directory, "alex.practitioner", token, password=PASSWORD)
    assert token_sign_in(directory, "alex.practitioner", token, password=got.password).password_change_required
    unlocked = directory.perform(ops.RESET_PASSWORD, la, t.UserRef("chris.locked"))
    assert not unlocked.user.locked_out
    assert got.password not in everything_stored(directory) and unlocked.password not in everything_stored(directory)


def test_an_la_team_member_cannot_change_their_own_account(directory):
    """R-ROLE-3/4: not their own check, training, token, password, nor disable, enable or unlock themselves."""
    la = viewer_for(directory, "jo.la")
    me = SoftToken("soft-jo.la")
    for op, request in [(ops.CHANGE_USER, t.UserChange("jo.la", action, TODAY)) for action in t.UserAction] + [
            (ops.RESET_PASSWORD, t.UserRef("jo.la")),
            (ops.ENROL_TOKEN, t.TokenEnrolment("jo.la", "JO-NEW", me.public("sign"), me.public("wrap")))]:
        assert refused(directory, op, la, request).code == "la_users.not_yourself", request
    assert directory.conn.execute("SELECT token_serial FROM users WHERE username = 'jo.la'").fetchone()[0] == me.serial


@pytest.mark.parametrize("change, code, field", [
    (dict(role=Role.COLLEAGUE), "la_users.role_not_given", "role"),
    (dict(role="la_management"), "la_users.role_not_given", "role"),
    (dict(organisation="Hub - mum drinks, dad violent"), "register.unknown_organisation", "organisation"),
    (dict(check_date=TODAY - timedelta(days=3 * 366)), "la_users.check_too_old", "check_date"),
    (dict(check_date=TODAY + timedelta(days=1)), "input.date_in_future", "check_date"),
    (dict(nominated_by=""), "input.required", "nominated_by"),
    (dict(nominated_on=TODAY + timedelta(days=1)), "input.date_in_future", "nominated_on"),
    (dict(display_name="Al\nNotes: concerns"), "input.one_line", "display_name"),
])
def test_a_new_user_is_refused_what_would_not_give_lawful_access(directory, change, code, field):
    la = viewer_for(directory, "jo.la")
    got = refused(directory, ops.CREATE_USER, la, replace(newcomer(), **change))
    assert (got.code, got.field) == (code, field)


def test_only_the_la_team_gives_access_and_the_untrained_cannot_sign_in_yet(directory):
    alex = viewer_for(directory, "alex.practitioner")
    assert refused(directory, ops.CREATE_USER, alex, newcomer()).code == "access.la_team_only"
    assert refused(directory, ops.RESET_PASSWORD, alex, t.UserRef("sam.cp")).code == "access.la_team_only"
    la = viewer_for(directory, "jo.la")
    assert refused(directory, ops.RESET_PASSWORD, la, t.UserRef("lee.lapsed")).code == "access.not_your_la"
    made = directory.perform(ops.CREATE_USER, la, newcomer(display_name="Tom Untrained", trained_on=None))
    token = with_token(directory, la, made.user.username)
    with pytest.raises(SignInRefused) as exc:
        token_sign_in(directory, made.user.username, token, password=made.password)
    assert exc.value.code == "account.not_trained"
