"""The one mapping from python-pkcs11 failures to messages a user can act on."""
from __future__ import annotations

import pkcs11.exceptions as px
import pytest

from app.token.errors import TokenError, to_token_error
from app.token.errors import TokenErrorKind as K
from app.token.info import TokenInfo

CARD = TokenInfo("0a1b", "Signpost – bob", "ACME", "Card", pin_min=6, pin_max=8)


@pytest.mark.parametrize("exc, kind, words", [
    (px.DeviceRemoved(), K.REMOVED, "“Signpost – bob” is not connected"),
    (px.TokenNotPresent(), K.REMOVED, "Insert it"),
    (px.SessionHandleInvalid(), K.REMOVED, "Insert it"),
    (px.PinLenRange(), K.PIN_LENGTH, "The PIN must be 6 to 8 characters long."),
    (px.PinLocked(), K.PIN_LOCKED, "contact your LA team to have it reset"),
    (px.UserNotLoggedIn(), K.NOT_SIGNED_IN, "Enter the PIN of “Signpost – bob”"),
    (px.NoSuchKey(), K.NOT_ENROLLED, "Ask your LA team to enrol it"),
    (px.DeviceError(), K.FAILED, "Remove and reinsert it"),
])
def test_pkcs11_errors_become_actionable_messages(exc, kind, words):
    err = to_token_error(exc, CARD)
    assert isinstance(err, TokenError) and err.kind is kind
    assert words in err.message


def test_wrong_pin_reads_the_flags_left_after_the_failure():
    plain = to_token_error(px.PinIncorrect(), CARD)
    assert plain.message == "The PIN is not correct."
    low = TokenInfo(**{**CARD.__dict__, "user_pin_count_low": True})
    assert "Only a few tries left" in to_token_error(px.PinIncorrect(), low).message
    final = TokenInfo(**{**CARD.__dict__, "user_pin_count_low": True, "user_pin_final_try": True})
    assert "last try before “Signpost – bob” locks" in to_token_error(px.PinIncorrect(), final).message
    locked = TokenInfo(**{**CARD.__dict__, "user_pin_locked": True})
    assert to_token_error(px.PinIncorrect(), locked).kind is K.PIN_LOCKED
