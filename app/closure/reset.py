"""Resetting a token to the transport PIN for its return (R-CLOSE-2).

Two ways, each then VERIFIED by a user login with the transport PIN and by
reading the token's flags back (user PIN not locked, not on its final try):

* holder: the holder types the old PIN; C_SetPIN(old, transport).
* LA team: security-officer login; C_InitPIN(transport).

The logic is here; the PKCS#11 calls run on the ONE token thread of
``app.token.service.TokenService`` (``TokenService.run`` calls the
``on_thread_*`` functions below with the service), so closure can run beside a
signed-in session and python-pkcs11 is only ever used from one thread.  ``TokenReset`` is the small facade the
flow uses: over a given service, or over one of its own.  Nothing here keeps,
logs or returns a PIN, or leaves a session open.

Every failure comes back as a ``ResetResult`` with a coded ``ResetOutcome`` and
a message a person can act on; nothing here records anything -- the closure
flow records a token only once it is verified (a token pulled mid-reset leaves
nothing half-recorded).
"""
from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import pkcs11.exceptions as px
from pkcs11.constants import TokenFlag

from app.token.errors import TOKEN_GONE, TokenError, TokenErrorKind
from app.token.info import TokenInfo, pin_fits, pin_maximum
from app.token.service import TokenService

log = logging.getLogger(__name__)
TRANSPORT_PIN = "1234"  # seed 000 / R-CLOSE-2; the closure plan may give another


class ResetOutcome(enum.Enum):
    RESET = "reset"  # PIN set, not yet verified
    VERIFIED = "verified"
    WRONG_OLD_PIN = "wrong_old_pin"
    USER_PIN_BLOCKED = "user_pin_blocked"  # -> the LA team resets it with the SO PIN
    SO_PIN_WRONG = "so_pin_wrong"
    SO_PIN_BLOCKED = "so_pin_blocked"  # cannot reset: return as blocked
    TRANSPORT_PIN_REJECTED = "transport_pin_rejected"
    TOKEN_PULLED = "token_pulled"
    NOT_VERIFIED = "not_verified"  # reset seemed to work but the check failed
    FAILED = "failed"


@dataclass(frozen=True)
class ResetResult:
    outcome: ResetOutcome
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome in (ResetOutcome.RESET, ResetOutcome.VERIFIED)


@dataclass(frozen=True)
class TokenState:
    """The flags a closure step decides on (read from C_GetTokenInfo)."""

    serial: str
    label: str
    pin_min: int
    pin_max: int
    user_pin_locked: bool
    user_pin_final_try: bool
    so_pin_count_low: bool
    so_pin_final_try: bool
    so_pin_locked: bool

    def accepts(self, pin: str) -> bool:
        return pin_fits(pin, self.pin_min, self.pin_max)


class _Pulled(Exception):
    pass


class TokenReset:
    """The flow's view of the token thread: methods return Futures.

    ``TokenReset(service=svc)`` uses a running ``TokenService`` (the app's one);
    ``TokenReset(module_path)`` starts and owns one (tests, the benchmark)."""

    def __init__(self, module_path: str | None = None,
                 progress: Callable[[str, str], Any] | None = None, *, service: TokenService | None = None,
                 poll_interval: float = 1.0) -> None:
        """``progress(serial, step)`` is called on the token thread before each
        step ("resetting", "verifying") so a window can show what is happening."""
        self._own = service is None
        self.service = service if service is not None else TokenService(module_path, poll_interval)
        self._progress = progress

    def start(self) -> Future[None]:
        if self._own:
            return self.service.start()
        done: Future = Future()
        done.set_result(None)
        return done

    def shutdown(self) -> None:
        if self._own:
            self.service.shutdown()

    def state(self, serial: str) -> Future[TokenState | None]:
        """The token's flags, or None if it is not present."""
        return self.service.run(on_thread_state, serial)

    def holder_reset(self, serial: str, old_pin: str, transport_pin: str = TRANSPORT_PIN) -> Future[ResetResult]:
        return self.service.run(on_thread_holder_reset, serial, old_pin, transport_pin, self._progress)

    def la_reset(self, serial: str, so_pin: str, transport_pin: str = TRANSPORT_PIN) -> Future[ResetResult]:
        return self.service.run(on_thread_la_reset, serial, so_pin, transport_pin, self._progress)

    def verify(self, serial: str, transport_pin: str = TRANSPORT_PIN) -> Future[ResetResult]:
        return self.service.run(on_thread_verify, serial, transport_pin, self._progress)


# ------------------------------------------------------- on the token thread
# ``svc`` is the TokenService; these run on its thread only.
def _find(svc: TokenService, serial: str) -> tuple[Any, TokenInfo]:
    """(slot, fresh info) of ``serial``, polling first (sees tokens inserted since)."""
    try:
        slot, _ = svc.slot_of(serial)
        info = svc.raw.token_info(slot.slot_id)
    except TokenError as e:
        if e.kind is TokenErrorKind.REMOVED:
            raise _Pulled() from None
        raise
    except px.PKCS11Error:  # SoftHSM: its directory is gone
        raise _Pulled() from None
    if info is None or info.serial != serial:
        raise _Pulled()
    return slot, info


def _read_state(svc: TokenService, serial: str) -> TokenState:
    slot, info = _find(svc, serial)
    flags = slot.get_token().flags
    return TokenState(
        serial=serial, label=info.label, pin_min=info.pin_min, pin_max=info.pin_max,
        user_pin_locked=info.user_pin_locked, user_pin_final_try=info.user_pin_final_try,
        so_pin_count_low=bool(flags & TokenFlag.SO_PIN_COUNT_LOW),
        so_pin_final_try=bool(flags & TokenFlag.SO_PIN_FINAL_TRY),
        so_pin_locked=bool(flags & TokenFlag.SO_PIN_LOCKED),
    )


def on_thread_state(svc: TokenService, serial: str) -> TokenState | None:
    try:
        return _read_state(svc, serial)
    except (_Pulled, *TOKEN_GONE, px.GeneralError):
        return None


def _guard(svc: TokenService, serial: str, fn: Callable[..., ResetResult], *args: Any) -> ResetResult:
    """Run ``fn``; a vanished token -> TOKEN_PULLED, anything else -> FAILED."""
    try:
        svc.end_session(serial)  # a user session on this token would be ended by the reset anyway
        return fn(svc, *args)
    except _Pulled:
        return _pulled(serial)
    except (px.PKCS11Error, TokenError) as e:
        if on_thread_state(svc, serial) is None:
            return _pulled(serial)
        log.warning("token reset failed: %s", type(e).__name__)
        return ResetResult(ResetOutcome.FAILED, f"Token {serial} reported an error "
                           f"({type(e).__name__}). Remove and reinsert it and try again.")
    finally:
        _close_sessions(svc, serial)


def _close_sessions(svc: TokenService, serial: str) -> None:
    try:
        slot, _ = _find(svc, serial)
        svc.raw.close_all_sessions(slot.slot_id)
    except (_Pulled, TokenError, px.PKCS11Error):
        pass


def _step(progress: Callable[[str, str], Any] | None, serial: str, step: str) -> None:
    if progress is not None:
        progress(serial, step)


def on_thread_holder_reset(svc: TokenService, serial: str, old_pin: str, transport_pin: str,
                           progress: Callable[[str, str], Any] | None = None) -> ResetResult:
    return _guard(svc, serial, _holder_reset, serial, old_pin, transport_pin, progress)


def on_thread_la_reset(svc: TokenService, serial: str, so_pin: str, transport_pin: str,
                       progress: Callable[[str, str], Any] | None = None) -> ResetResult:
    return _guard(svc, serial, _la_reset, serial, so_pin, transport_pin, progress)


def on_thread_verify(svc: TokenService, serial: str, transport_pin: str,
                     progress: Callable[[str, str], Any] | None = None) -> ResetResult:
    return _guard(svc, serial, _verify, serial, transport_pin, progress)


def _holder_reset(svc: TokenService, serial: str, old_pin: str, transport_pin: str, progress) -> ResetResult:
    state = _read_state(svc, serial)
    if state.user_pin_locked:
        return _user_blocked(serial)
    if not state.accepts(transport_pin):
        return _transport_rejected(state)
    if not state.accepts(old_pin):
        return ResetResult(ResetOutcome.WRONG_OLD_PIN, "That is not the token's PIN (wrong length). "
                           "Nothing was changed.")
    _step(progress, serial, "resetting")
    slot, _ = _find(svc, serial)
    svc.raw.close_all_sessions(slot.slot_id)
    session = slot.get_token().open(rw=True)
    try:
        session.set_pin(old_pin, transport_pin)
    except (px.PinIncorrect, px.PinLocked):
        _, info = _find(svc, serial)  # the flags as they are after the failure
        if info.user_pin_locked:
            return _user_blocked(serial)
        warn = (" One more wrong try locks it." if info.user_pin_final_try else
                " Only a few tries are left before it locks." if info.user_pin_count_low else "")
        return ResetResult(ResetOutcome.WRONG_OLD_PIN,
                           f"The old PIN is not correct; nothing was changed.{warn}")
    except (px.PinInvalid, px.PinTooWeak, px.PinLenRange):
        return _transport_rejected(state, by_rules=True)
    return ResetResult(ResetOutcome.RESET, "The PIN was changed to the transport PIN.")


def _la_reset(svc: TokenService, serial: str, so_pin: str, transport_pin: str, progress) -> ResetResult:
    state = _read_state(svc, serial)
    if state.so_pin_locked:
        return _so_blocked(serial)
    if not state.accepts(transport_pin):
        return _transport_rejected(state)
    _step(progress, serial, "resetting")
    slot, _ = _find(svc, serial)
    svc.raw.close_all_sessions(slot.slot_id)  # an SO login needs no other session open
    try:
        session = slot.get_token().open(rw=True, so_pin=so_pin)
    except (px.PinIncorrect, px.PinLocked, px.PinLenRange):
        svc.raw.close_all_sessions(slot.slot_id)  # python-pkcs11 leaves it open
        after = _read_state(svc, serial)
        if after.so_pin_locked:
            return _so_blocked(serial)
        msg = "The security officer PIN is not correct; nothing was changed."
        if after.so_pin_final_try:
            msg += " One more wrong try blocks it for good."
        elif after.so_pin_count_low:
            msg += " Only a few tries are left before it is blocked."
        return ResetResult(ResetOutcome.SO_PIN_WRONG, msg)
    try:
        session.init_pin(transport_pin)
    except (px.PinInvalid, px.PinTooWeak, px.PinLenRange):
        return _transport_rejected(state, by_rules=True)
    finally:
        session.close()
    return ResetResult(ResetOutcome.RESET, "The user PIN was set to the transport PIN.")


def _verify(svc: TokenService, serial: str, transport_pin: str, progress) -> ResetResult:
    _step(progress, serial, "verifying")
    slot, _ = _find(svc, serial)
    svc.raw.close_all_sessions(slot.slot_id)
    try:
        session = slot.get_token().open(user_pin=transport_pin)
    except (px.PinIncorrect, px.PinLocked, px.PinLenRange):
        svc.raw.close_all_sessions(slot.slot_id)
        _find(svc, serial)  # pulled -> TOKEN_PULLED rather than NOT_VERIFIED
        return ResetResult(ResetOutcome.NOT_VERIFIED,
                           "The token does not accept the transport PIN: the reset did not take.")
    session.close()
    after = _read_state(svc, serial)
    if after.user_pin_locked or after.user_pin_final_try:
        return ResetResult(ResetOutcome.NOT_VERIFIED,
                           "The token still reports its PIN as locked or on its final try.")
    return ResetResult(ResetOutcome.VERIFIED, "Reset verified: the transport PIN opens the token.")


def _pulled(serial: str) -> ResetResult:
    return ResetResult(ResetOutcome.TOKEN_PULLED,
                       f"Token {serial} was removed before the reset was verified; nothing was "
                       "recorded. Insert it again and start its reset again.")


def _user_blocked(serial: str) -> ResetResult:
    return ResetResult(ResetOutcome.USER_PIN_BLOCKED,
                       f"The PIN of token {serial} is blocked; the LA team can reset it with the "
                       "security officer PIN.")


def _so_blocked(serial: str) -> ResetResult:
    return ResetResult(ResetOutcome.SO_PIN_BLOCKED,
                       f"The security officer PIN of token {serial} is blocked: it cannot be reset. "
                       "Return it as blocked.")


def _transport_rejected(state: TokenState, by_rules: bool = False) -> ResetResult:
    if by_rules:
        why = "its own PIN rules (characters or strength) refuse it"
    elif pin_maximum(state.pin_max) is None:
        why = f"its PINs must be at least {state.pin_min} characters"
    else:
        why = f"its PINs must be {state.pin_min} to {state.pin_max} characters"
    return ResetResult(ResetOutcome.TRANSPORT_PIN_REJECTED,
                       f"Token {state.serial} does not accept the transport PIN ({why}); nothing "
                       "was changed. Record it and ask the closure plan's owner which PIN to use.")
