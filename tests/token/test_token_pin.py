"""PIN entry and PIN change on real SoftHSM tokens (R-ROLE-4, R-CLOSE-2)."""
from __future__ import annotations

import pytest

from app.token.errors import TokenError, TokenErrorKind

T = 10


def _error(future) -> TokenError:
    with pytest.raises(TokenError) as err:
        future.result(T)
    return err.value


def test_wrong_pin_is_refused_and_does_not_poison_the_next_login(service, alice, alice_pin):
    svc = service()
    err = _error(svc.login(alice.serial, "not-the-pin"))
    assert err.kind is TokenErrorKind.WRONG_PIN
    assert err.message.startswith("The PIN is not correct.")
    # python-pkcs11 leaves the failed session open; the service must close it,
    # or this login would fail with "already logged in".
    svc.login(alice.serial, alice_pin).result(T)
    assert svc.sign(alice.serial, b"after a failed try").result(T)
    svc.logout(alice.serial).result(T)
    # ...and logout really logs out: a wrong PIN is refused again.
    assert _error(svc.login(alice.serial, "not-the-pin")).kind is TokenErrorKind.WRONG_PIN


def test_pin_of_impossible_length_names_the_tokens_limits(service, alice):
    svc = service()
    err = _error(svc.login(alice.serial, "12"))
    assert err.kind is TokenErrorKind.PIN_LENGTH
    assert err.message == "The PIN must be 4 to 255 characters long."
    assert _error(svc.login(alice.serial, "9" * 256)).kind is TokenErrorKind.PIN_LENGTH


def test_change_pin_then_old_pin_fails_and_new_pin_works(service, new_token):
    tok = new_token(pin="old-pin-1")
    svc = service()
    svc.change_pin(tok.serial, "old-pin-1", "new-pin-2").result(T)
    assert _error(svc.login(tok.serial, "old-pin-1")).kind is TokenErrorKind.WRONG_PIN
    svc.login(tok.serial, "new-pin-2").result(T)
    # R-CLOSE-2: reset to the transport PIN 1234 while signed in, then verify.
    svc.change_pin(tok.serial, "new-pin-2", "1234").result(T)
    svc.logout(tok.serial).result(T)
    svc.login(tok.serial, "1234").result(T)


def test_change_pin_refusals_say_what_to_fix(service, new_token):
    tok = new_token(pin="keep-pin-1")
    svc = service()
    err = _error(svc.change_pin(tok.serial, "keep-pin-1", "123"))
    assert (err.kind, err.message) == (
        TokenErrorKind.PIN_LENGTH, "The new PIN must be 4 to 255 characters long.")
    assert _error(svc.change_pin(tok.serial, "wrong-old", "fine-new-1")).kind is TokenErrorKind.WRONG_PIN
    svc.login(tok.serial, "keep-pin-1").result(T)  # nothing was changed
