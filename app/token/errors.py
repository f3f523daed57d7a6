"""Token failures as messages a person can act on.

``to_token_error`` is the one place that turns python-pkcs11 exceptions into
``TokenError``.  PIN messages read the token's flags *after* the failure
(CKF_USER_PIN_COUNT_LOW / CKF_USER_PIN_FINAL_TRY / CKF_USER_PIN_LOCKED), so
the caller passes the ``TokenInfo`` it re-read once the call had failed.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable

import pkcs11.exceptions as px

from app.token.info import TokenInfo, pin_maximum

LA_TEAM = "contact your LA team to have it reset"


class TokenErrorKind(enum.Enum):
    WRONG_PIN = "wrong_pin"
    PIN_LOCKED = "pin_locked"
    PIN_LENGTH = "pin_length"
    PIN_REJECTED = "pin_rejected"  # new PIN refused (characters, too weak)
    REMOVED = "removed"  # removed, not present, or never seen
    NO_MODULE = "no_module"
    NOT_ENROLLED = "not_enrolled"
    NOT_SIGNED_IN = "not_signed_in"
    FAILED = "failed"


class TokenError(Exception):
    def __init__(self, kind: TokenErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __repr__(self) -> str:
        return f"TokenError({self.kind.name}, {self.message!r})"


def _name(token: TokenInfo | None) -> str:
    return f"“{token.label}”" if token and token.label else "your token"


def _start(token: TokenInfo | None) -> str:
    """The token's name at the start of a sentence."""
    return _name(token) if token and token.label else "Your token"


def wrong_pin(token: TokenInfo | None) -> TokenError:
    if token is not None and token.user_pin_locked:
        return pin_locked(token)
    msg = "The PIN is not correct."
    if token is not None and token.user_pin_final_try:
        msg += f" This is your last try before {_name(token)} locks."
    elif token is not None and token.user_pin_count_low:
        msg += f" Only a few tries left before {_name(token)} locks."
    return TokenError(TokenErrorKind.WRONG_PIN, msg)


def pin_locked(token: TokenInfo | None) -> TokenError:
    return TokenError(
        TokenErrorKind.PIN_LOCKED,
        f"The PIN of {_name(token)} is locked after too many wrong tries; {LA_TEAM}.",
    )


def pin_length(token: TokenInfo | None, which: str = "PIN") -> TokenError:
    if token is None:
        return TokenError(TokenErrorKind.PIN_LENGTH, f"The {which} has the wrong length for this token.")
    if pin_maximum(token.pin_max) is None:
        return TokenError(TokenErrorKind.PIN_LENGTH,
                          f"The {which} must be at least {token.pin_min} characters long.")
    return TokenError(
        TokenErrorKind.PIN_LENGTH,
        f"The {which} must be {token.pin_min} to {token.pin_max} characters long.",
    )


def removed(token: TokenInfo | None = None, serial: str | None = None) -> TokenError:
    what = _start(token) if token else (f"Token {serial}" if serial else "The token")
    return TokenError(
        TokenErrorKind.REMOVED,
        f"{what} is not connected (it was removed). Insert it and sign in again.",
    )


def not_enrolled(token: TokenInfo | None = None) -> TokenError:
    return TokenError(
        TokenErrorKind.NOT_ENROLLED,
        f"{_start(token)} has no Signpost keys: it has not "
        "been enrolled. Ask your LA team to enrol it.",
    )


def not_signed_in(token: TokenInfo | None = None) -> TokenError:
    return TokenError(
        TokenErrorKind.NOT_SIGNED_IN, f"Enter the PIN of {_name(token)} to sign in first."
    )


def no_module(tried: Iterable[str], detail: str = "") -> TokenError:
    where = ", ".join(tried) or "nowhere"
    extra = f" ({detail})" if detail else ""
    return TokenError(
        TokenErrorKind.NO_MODULE,
        f"No PKCS#11 module could be loaded{extra}; looked at: {where}. Install the Debian "
        "package 'opensc' for smartcards, or 'softhsm2' for training tokens, or set the "
        "PKCS#11 module path in Settings (or the SIGNPOST_PKCS11_MODULE environment variable).",
    )


TOKEN_GONE = (  # python-pkcs11 errors that mean the token is no longer there
    px.DeviceRemoved,
    px.TokenNotPresent,
    px.TokenNotRecognised,
    px.SessionHandleInvalid,
    px.SessionClosed,
    px.SlotIDInvalid,
    px.NoSuchToken,
)


def to_token_error(exc: BaseException, token: TokenInfo | None = None) -> TokenError:
    """Map a python-pkcs11 (or our own) exception to a ``TokenError``.

    ``token`` is the token's info re-read after the failure (None when it could
    not be read, e.g. because the token has gone).
    """
    if isinstance(exc, TokenError):
        return exc
    if isinstance(exc, px.PinIncorrect):
        return wrong_pin(token)
    if isinstance(exc, px.PinLocked):
        return pin_locked(token)
    if isinstance(exc, px.PinLenRange):
        return pin_length(token)
    if isinstance(exc, (px.PinInvalid, px.PinTooWeak)):
        return TokenError(
            TokenErrorKind.PIN_REJECTED,
            "The token does not accept that new PIN (characters or strength); choose another.",
        )
    if isinstance(exc, px.PinExpired):
        return TokenError(TokenErrorKind.PIN_LOCKED, f"The PIN of {_name(token)} has expired; {LA_TEAM}.")
    if isinstance(exc, TOKEN_GONE):
        return removed(token)
    if isinstance(exc, px.UserNotLoggedIn):
        return not_signed_in(token)
    if isinstance(exc, px.NoSuchKey):
        return not_enrolled(token)
    return TokenError(
        TokenErrorKind.FAILED,
        f"{_start(token)} reported an error "
        f"({type(exc).__name__}). Remove and reinsert it and try again; if it keeps "
        "happening contact your LA team.",
    )
