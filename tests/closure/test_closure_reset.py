"""Token reset to the transport PIN on real SoftHSM tokens (R-CLOSE-2)."""
from __future__ import annotations

import threading

from app.closure.reset import ResetOutcome
from tests.softhsm_fixtures import SO_PIN

T = 15


def test_holder_reset_is_verified_by_a_login_with_the_transport_pin(resetter, new_token):
    tok = new_token(pin="holder-pin-1")
    tr = resetter()
    assert tr.holder_reset(tok.serial, "holder-pin-1").result(T).outcome is ResetOutcome.RESET
    r = tr.verify(tok.serial).result(T)
    assert r.outcome is ResetOutcome.VERIFIED, r.message
    # the old PIN no longer opens it
    assert tr.holder_reset(tok.serial, "holder-pin-1").result(T).outcome is ResetOutcome.WRONG_OLD_PIN


def test_wrong_old_pin_changes_nothing(resetter, new_token):
    tok = new_token(pin="holder-pin-2")
    tr = resetter()
    r = tr.holder_reset(tok.serial, "not-the-pin").result(T)
    assert r.outcome is ResetOutcome.WRONG_OLD_PIN
    assert "nothing was changed" in r.message
    assert "Only a few tries are left" in r.message  # SoftHSM sets CKF_USER_PIN_COUNT_LOW
    assert tr.verify(tok.serial).result(T).outcome is ResetOutcome.NOT_VERIFIED  # 1234 does not open it
    assert tr.holder_reset(tok.serial, "holder-pin-2").result(T).outcome is ResetOutcome.RESET


def test_la_team_resets_with_the_so_pin_after_the_holder_used_up_tries(resetter, new_token):
    # SoftHSM never locks a user PIN, so "blocked" here is many wrong tries
    # (the LA path must not depend on the user PIN at all).
    tok = new_token(pin="forgotten-pin")
    tr = resetter()
    for _ in range(5):
        assert tr.holder_reset(tok.serial, "guess-pin").result(T).outcome is ResetOutcome.WRONG_OLD_PIN
    r = tr.la_reset(tok.serial, SO_PIN).result(T)
    assert r.outcome is ResetOutcome.RESET, r.message
    assert tr.verify(tok.serial).result(T).outcome is ResetOutcome.VERIFIED


def test_wrong_so_pin_warns_that_few_tries_are_left(resetter, new_token):
    tok = new_token(pin="holder-pin-3")
    tr = resetter()
    r = tr.la_reset(tok.serial, "wrong-so-pin").result(T)
    assert r.outcome is ResetOutcome.SO_PIN_WRONG
    assert "Only a few tries are left" in r.message  # SoftHSM sets CKF_SO_PIN_COUNT_LOW
    assert tr.state(tok.serial).result(T).so_pin_count_low
    assert tr.la_reset(tok.serial, SO_PIN).result(T).outcome is ResetOutcome.RESET


def test_transport_pin_the_token_rules_out_is_refused_before_anything_changes(resetter, new_token):
    tok = new_token(pin="holder-pin-4")
    tr = resetter()
    for r in (tr.holder_reset(tok.serial, "holder-pin-4", "123").result(T),
              tr.la_reset(tok.serial, SO_PIN, "123").result(T)):
        assert r.outcome is ResetOutcome.TRANSPORT_PIN_REJECTED
        assert "4 to 255 characters" in r.message
    assert tr.holder_reset(tok.serial, "holder-pin-4").result(T).outcome is ResetOutcome.RESET


def test_token_pulled_between_reset_and_verify_is_reported_as_pulled(resetter, new_token, softhsm):
    tok = new_token(pin="holder-pin-5")
    pulled = []

    def progress(serial: str, step: str) -> None:
        if step == "verifying" and not pulled:
            pulled.append(softhsm.pull(serial))

    tr = resetter(progress)
    assert tr.holder_reset(tok.serial, "holder-pin-5").result(T).outcome is ResetOutcome.RESET
    r = tr.verify(tok.serial).result(T)
    assert r.outcome is ResetOutcome.TOKEN_PULLED and "nothing was recorded" in r.message
    assert tr.state(tok.serial).result(T) is None
    softhsm.insert(pulled[0])
    assert tr.verify(tok.serial).result(T).outcome is ResetOutcome.VERIFIED


def test_every_pkcs11_call_runs_on_the_one_token_thread(resetter, new_token):
    tok = new_token(pin="holder-pin-6")
    threads = set()
    tr = resetter(lambda serial, step: threads.add(threading.current_thread().name))
    tr.holder_reset(tok.serial, "holder-pin-6").result(T)
    tr.verify(tok.serial).result(T)
    assert len(threads) == 1 and threads.pop().startswith("signpost-token_")  # TokenService's one thread
