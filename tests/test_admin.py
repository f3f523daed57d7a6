"""The admin command that enrols a real token (here a bare SoftHSM token)."""
from __future__ import annotations

import subprocess
import uuid
from datetime import date

import pytest

from app import admin, training
from app.directory import Directory
from app.model import AccessReason, Reason, Viewer
from app.refusals import SignInRefused
from tests.conftest import TODAY


@pytest.fixture
def bare_token(softhsm):
    label = f"bare-{uuid.uuid4().hex[:6]}"
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "so-pin-1234",
                          "--pin", "4321-pin"], capture_output=True, text=True, check=True)
    slots = subprocess.run(["softhsm2-util", "--show-slots"], capture_output=True, text=True, check=True).stdout
    block = slots.split(f"Label:            {label}")[0].rsplit("Serial number:", 1)[1]
    return block.split()[0]


def test_enrol_token_puts_keys_on_the_token_and_its_public_keys_in_the_directory(
        bare_token, training_home, monkeypatch, capsys):
    paths, store, key = training_home
    monkeypatch.setattr(admin.getpass, "getpass", lambda prompt: "4321-pin")
    rc = admin.enrol(["--user", "jo.la", "--serial", bare_token, "--module", training.SOFTHSM_MODULE],
                     store=store, paths=paths)
    assert rc == 0, capsys.readouterr().err
    d = Directory.open(paths.training_directory, key, clock=lambda: TODAY, signing_key=training.signing_key(store))
    assert d.enrolled_tokens()["jo.la"] == bare_token
    assert d.conn.execute("SELECT actor FROM audit WHERE action = 'token_enrolled' ORDER BY seq DESC"
                          ).fetchone()[0].startswith("admin:")
    d.close()
    monkeypatch.setattr(admin.getpass, "getpass", lambda prompt: "wrong-pin")
    assert admin.enrol(["--user", "jo.la", "--serial", bare_token, "--module", training.SOFTHSM_MODULE,
                        "--replace"], store=store, paths=paths) == 1
    assert "PIN" in capsys.readouterr().err


def test_unlock_account_and_limits_commands(training_home, capsys):
    """R-ROLE-4 lock-out lifted by the directory's administrator; R-SEARCH-6 limits are the directory's."""
    from app.limits import Limits
    from tests.conftest import SoftToken, token_sign_in
    paths, store, key = training_home
    assert admin.limits(["failed_signins_before_lock", "2"], store=store, paths=paths) == 0
    assert "failed_signins_before_lock = 2" in capsys.readouterr().out
    d = Directory.open(paths.training_directory, key, clock=lambda: TODAY, signing_key=training.signing_key(store))
    assert d.limits.failed_signins_before_lock == 2 and d.limits.searches_per_minute == Limits().searches_per_minute
    token = SoftToken("ADM").enrol(d, "alex.practitioner")
    for _ in range(2):
        with pytest.raises(SignInRefused):
            token_sign_in(d, "alex.practitioner", token, "wrong")
    with pytest.raises(Exception, match="locked"):
        token_sign_in(d, "alex.practitioner", token)
    d.close()
    assert admin.unlock_account(["--user", "alex.practitioner"], store=store, paths=paths) == 0
    assert "can sign in again" in capsys.readouterr().out
    d = Directory.open(paths.training_directory, key, clock=lambda: TODAY, signing_key=training.signing_key(store))
    assert token_sign_in(d, "alex.practitioner", token).user.username == "alex.practitioner"
    actions = [a for (a,) in d.conn.execute("SELECT action FROM audit WHERE actor LIKE 'admin:%'")]
    assert actions == ["limit_changed", "account_unlocked"]
    d.close()


def test_a_search_limit_set_by_the_administrator_holds_for_the_user_across_sessions(training_home, capsys):
    """R-SEARCH-6 (issue 14 §4): the administrator's ``limits searches_per_minute`` is counted per user: two
    sessions of one user searching in turn share it, and signing in again does not start a fresh count."""
    from app.directory import RateLimited
    from app.search import Criteria
    from tests.conftest import SoftToken, token_sign_in, viewer_for
    paths, store, key = training_home
    assert admin.limits(["searches_per_minute", "2"], store=store, paths=paths) == 0
    assert "searches_per_minute = 2" in capsys.readouterr().out
    d = Directory.open(paths.training_directory, key, clock=lambda: TODAY, signing_key=training.signing_key(store))
    try:
        token = SoftToken("LIM").enrol(d, "alex.practitioner")
        first, second = (Viewer(s.user, None, s.session) for s in
                         (token_sign_in(d, "alex.practitioner", token) for _ in range(2)))
        criteria = Criteria(family_name="Smith", dob=date(2015, 1, 1))
        for who in (first, second):
            d.search(who, criteria, Reason(AccessReason.PROVIDING_SERVICE))
        third = token_sign_in(d, "alex.practitioner", token)
        for who in (first, second, Viewer(third.user, None, third.session)):
            with pytest.raises(RateLimited):
                d.search(who, criteria, Reason(AccessReason.PROVIDING_SERVICE))
        d.search(viewer_for(d, "sam.cp"), criteria, Reason(AccessReason.PROVIDING_SERVICE))
    finally:
        d.close()


def test_switch_off_command_stops_the_training_directory_and_can_be_cleared(training_home, capsys):
    """R-CLOSE-1: the administrator sets the switch-off; a bad time gets a message saying how to write it."""
    from app.refusals import SwitchedOff
    from tests.conftest import SoftToken, token_sign_in
    paths, store, key = training_home
    assert admin.switch_off(["--at", "tomorrow"], store=store, paths=paths) == 2
    assert "2026-12-01T12:00" in capsys.readouterr().err
    assert admin.switch_off(["--at", "2020-01-01"], store=store, paths=paths) == 0  # a date alone: noon (seed 000)
    assert "at 12:00 on 1 January 2020 (Europe/London)" in capsys.readouterr().out
    assert admin.switch_off(["--at", "2020-01-01T09:00"], store=store, paths=paths) == 0
    d = Directory.open(paths.training_directory, key, clock=lambda: TODAY, signing_key=training.signing_key(store))
    token = SoftToken("SWO").enrol(d, "alex.practitioner")
    with pytest.raises(SwitchedOff):
        token_sign_in(d, "alex.practitioner", token)  # R-CLOSE-1: only the LA team signs in, for closure
    d.close()
    assert admin.switch_off(["--clear"], store=store, paths=paths) == 0
    d = Directory.open(paths.training_directory, key, clock=lambda: TODAY, signing_key=training.signing_key(store))
    assert token_sign_in(d, "alex.practitioner", token).session
    d.close()
