"""Failures SoftHSM cannot produce, through tests/token/faultmod/fault_pkcs11.c."""
from __future__ import annotations

import os
import time

import pytest

from app.token.errors import TokenError, TokenErrorKind
from app.token.signin import signin_message

T = 10


def _error(future) -> TokenError:
    with pytest.raises(TokenError) as err:
        future.result(T)
    return err.value


@pytest.mark.parametrize(
    "flag, words",
    [("pin_count_low", "Only a few tries left"), ("pin_final_try", "This is your last try before")],
)
def test_wrong_pin_warns_how_many_tries_are_left(service, fault_module, faults, alice, flag, words):
    svc = service(fault_module)
    faults.set(flag)
    err = _error(svc.login(alice.serial, "not-the-pin"))
    assert err.kind is TokenErrorKind.WRONG_PIN
    assert words in err.message and "locks" in err.message


def test_locked_pin_says_to_contact_the_la_team(service, fault_module, faults, alice, alice_pin):
    svc = service(fault_module)
    faults.set("pin_locked")
    err = _error(svc.login(alice.serial, alice_pin))  # even the right PIN
    assert err.kind is TokenErrorKind.PIN_LOCKED
    assert "contact your LA team to have it reset" in err.message
    assert _error(svc.change_pin(alice.serial, alice_pin, "whatever-1")).kind is TokenErrorKind.PIN_LOCKED
    faults.clear("pin_locked")
    svc.login(alice.serial, alice_pin).result(T)


def test_token_pulled_during_signature(service, fault_module, faults, alice, alice_pin, recorder):
    svc = service(fault_module)
    svc.subscribe(recorder)
    svc.login(alice.serial, alice_pin).result(T)
    faults.set("remove_during_sign")
    start = time.monotonic()
    err = _error(svc.sign(alice.serial, signin_message("signin", alice.serial, os.urandom(16))))
    assert err.kind is TokenErrorKind.REMOVED
    assert "Signpost training – alice" in err.message
    recorder.wait_for("removed", alice.serial, timeout=0.5, after=start)  # no need to wait a poll
    assert faults.is_set("removed")
    faults.clear("remove_during_sign")
    faults.clear("removed")
    recorder.wait_for("arrived", alice.serial, timeout=2.5, after=start)
    assert _error(svc.sign(alice.serial, b"m")).kind is TokenErrorKind.NOT_SIGNED_IN


def test_removal_of_signed_in_token_reported_within_1_5_s(service, fault_module, faults, alice,
                                                          alice_pin, recorder):
    # R-LOCAL-2: token removal must lock the session at once.
    svc = service(fault_module, poll_interval=1.0)
    svc.subscribe(recorder)
    svc.login(alice.serial, alice_pin).result(T)
    pulled = time.monotonic()
    faults.set("removed")
    recorder.wait_for("removed", alice.serial, timeout=1.5, after=pulled)
    assert _error(svc.decrypt(alice.serial, b"\0" * 256)).kind is TokenErrorKind.REMOVED


def test_failed_login_leaves_no_session_behind(service, fault_module, faults, alice, alice_pin):
    # Many cards allow one session: a session leaked by the failed login
    # (python-pkcs11 does not close it) would make the right PIN fail next.
    svc = service(fault_module)
    faults.set("one_session")
    for _ in range(2):
        assert _error(svc.login(alice.serial, "not-the-pin")).kind is TokenErrorKind.WRONG_PIN
    svc.login(alice.serial, alice_pin).result(T)
    assert svc.sign(alice.serial, b"signed in after two wrong tries").result(T)
