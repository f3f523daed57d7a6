"""TokenService: the one thread that owns the PKCS#11 module (R-ROLE-4).

python-pkcs11 over SoftHSM is not thread-safe, so every PKCS#11 call runs on
one ``SerialExecutor`` thread ("signpost-token").  Public methods only submit
work and return ``concurrent.futures.Future``s; the GUI never waits on them.
Failures arrive as ``TokenError`` (see ``errors.py``) on the future.

Presence.  A ticker thread (which never touches PKCS#11) submits a poll every
``poll_interval`` seconds (default 1.0).  A poll lists slots with a token,
reads each token's info, keys tokens by serial, skips uninitialised ones, and
tells subscribers about arrivals and removals.  The first poll (at start)
reports every token already present as "arrived".  A token removed from under
a signed-in session is reported within one interval plus whatever call is
running on the token thread (~1.0-1.1 s here), and its session is dropped, so
the GUI can lock at once (R-LOCAL-2).  An operation that fails because the
token went away polls immediately, so the event comes at once too.

SoftHSM.  SoftHSM builds its slot list only in C_Initialize: a token created
(or a directory restored) after that is invisible until the library is
re-initialised, and C_Finalize ends every session, i.e. signs the user out.
A deleted token is seen without re-initialising: C_GetTokenInfo on its slot
fails (CKR_GENERAL_ERROR), which the poll treats as removal.  For arrivals the
poll watches SoftHSM's ``directories.tokendir`` (from $SOFTHSM2_CONF) and,
when the set of token directories changed, re-initialises the library -- but
only while nobody is signed in.  While a user is signed in the change is held
back (no session is lost) and the new token is reported as soon as that user
logs out or their token is removed.  Real tokens (OpenSC) need none of this:
C_GetSlotList sees cards come and go.

Login state is per process and per token: the service keeps at most one user
session per token, opens nothing else long-lived, and after a failed login
closes every session of that slot (python-pkcs11 leaves the failed one
open, and a card that allows one session would refuse the next login), so a
failed login never poisons the next one.  PINs are never kept.

Subscribers are called ON THE TOKEN THREAD, in order, with a ``TokenEvent``;
they must return quickly and must not wait on a future of this service (that
would deadlock).  The GUI re-posts them to the Qt thread.

Use one TokenService per module per process (python-pkcs11 loads a module
once per process); ``shutdown`` finalises the module so a later service starts
from a fresh view.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import pkcs11
from pkcs11.exceptions import PKCS11Error, UserAlreadyLoggedIn

from app.executor import SerialExecutor
from app.token import keys
from app.token.errors import (
    TokenError,
    TokenErrorKind,
    no_module,
    not_signed_in,
    pin_length,
    pin_locked,
    removed,
    to_token_error,
)
from app.token.info import PublicKeys, TokenEvent, TokenInfo, pin_fits
from app.token.module import find_module, softhsm_tokendir, token_dirs
from app.token.raw import RawModule

T = TypeVar("T")
log = logging.getLogger(__name__)
THREAD_NAME = "signpost-token"


class TokenService:
    def __init__(self, module_path: str | None = None, poll_interval: float = 1.0) -> None:
        """``module_path``: the Settings value; None -> env -> known paths."""
        self._configured = module_path
        self._interval = poll_interval
        self._executor = SerialExecutor(THREAD_NAME)
        self._subscribers: list[Callable[[TokenEvent], Any]] = []
        self._sub_lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        # token-thread state
        self._lib: Any = None
        self._raw: RawModule | None = None
        self._present: dict[str, tuple[Any, TokenInfo]] = {}  # serial -> (Slot, info)
        self._sessions: dict[str, Any] = {}  # serial -> logged-in user Session
        self._seen: dict[str, TokenInfo] = {}  # last info of every token seen (messages)
        self._tokendir: Path | None = None
        self._dirs: frozenset[str] = frozenset()
        self._stale = False

    # ------------------------------------------------------------ lifecycle
    def start(self) -> Future[None]:
        """Load the module and start polling.  NO_MODULE error on the future."""
        fut = self._executor.submit(self._start)
        fut.add_done_callback(self._start_ticker)
        return fut

    def shutdown(self) -> None:
        """Sign out everywhere, finalise the module, stop the thread (idempotent)."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        try:
            self._executor.submit(self._shutdown).result(timeout=30)
        finally:
            self._executor.shutdown(wait=True)

    def subscribe(self, callback: Callable[[TokenEvent], Any]) -> None:
        """Call ``callback(TokenEvent)`` on the token thread for each change.

        Subscribe before ``start()`` to hear the initial arrivals too.
        """
        with self._sub_lock:
            self._subscribers.append(callback)

    # ---------------------------------------------------------------- calls
    def tokens(self) -> Future[list[TokenInfo]]:
        """Poll now; the initialised tokens present, in slot order."""
        return self._call(None, self._tokens)

    def login(self, serial: str, pin: str) -> Future[None]:
        """Log in as user and keep the session until logout/removal."""
        return self._call(serial, self._login, serial, pin)

    def sign(self, serial: str, message: bytes) -> Future[bytes]:
        """ECDSA P-256 / SHA-256 over ``message`` (DER signature)."""
        return self._call(serial, lambda: keys.sign(self._session(serial), message))

    def decrypt(self, serial: str, ciphertext: bytes) -> Future[bytes]:
        """RSA-OAEP decrypt (unwrap) with the token's wrap key."""
        return self._call(serial, lambda: keys.decrypt(self._session(serial), ciphertext))

    def public_keys(self, serial: str) -> Future[PublicKeys]:
        """The signed-in token's public keys; NOT_ENROLLED if it has none."""
        return self._call(serial, lambda: keys.read_public_keys(self._session(serial)))

    def change_pin(self, serial: str, old_pin: str, new_pin: str) -> Future[None]:
        """C_SetPIN; lengths checked against the token's min/max first."""
        return self._call(serial, self._change_pin, serial, old_pin, new_pin)

    def logout(self, serial: str) -> Future[None]:
        """End the user session of ``serial`` (no-op if not signed in)."""
        return self._call(None, self._drop_session, serial)

    def close_all(self) -> Future[None]:
        """Log out of every token (e.g. idle timeout, R-LOCAL-2)."""
        return self._call(None, self._close_all)

    # ------------------------------------------- other code on the token thread
    def run(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(self, *args)`` on the token thread and give its result on the future.

        For PKCS#11 work that belongs elsewhere (the closure's token reset, R-CLOSE-2, in
        ``app/closure/reset.py``): ``fn`` may use ``raw``, ``slot_of`` and ``end_session``, which
        are valid on the token thread only, and must neither keep a PIN nor leave a session open."""
        def call() -> T:
            self._assert_thread()
            if self._lib is None:
                raise TokenError(TokenErrorKind.FAILED, "The token service has not started.")
            return fn(self, *args)
        return self._executor.submit(call)

    @property
    def raw(self) -> RawModule:
        """The module's raw C_* calls (token thread only)."""
        self._assert_thread()
        assert self._raw is not None
        return self._raw

    def slot_of(self, serial: str) -> tuple[Any, TokenInfo]:
        """The slot of ``serial`` and its info, checked with ONE C_GetTokenInfo on the slot it was last
        seen in (token thread only).

        Only when that slot no longer holds this token (pulled, moved to another reader, not yet
        seen: inserted a moment ago) is every slot polled -- so a reset step costs the same however
        many tokens are plugged in (a batch of 100 used to poll all 100 slots per step)."""
        self._assert_thread()
        known = self._present.get(serial)
        if known is not None:
            slot = known[0]
            try:
                info = self.raw.token_info(slot.slot_id)
            except PKCS11Error:  # gone (SoftHSM: directory deleted) or slot invalid: poll decides
                info = None
            if info is not None and info.serial == serial:
                return slot, info
        self._poll()  # reports the removal / arrival to subscribers, as before
        return self._require(serial)

    def end_session(self, serial: str) -> None:
        """Log out and close the user session of ``serial``, if any (token thread only)."""
        self._drop_session(serial)

    # ---------------------------------------------------------- token thread
    def _call(self, serial: str | None, fn: Callable[..., Any], *args: Any) -> Future:
        def run() -> Any:
            self._assert_thread()
            if self._lib is None:
                raise TokenError(TokenErrorKind.FAILED, "The token service has not started.")
            try:
                return fn(*args)
            except TokenError as e:
                if e.kind is TokenErrorKind.REMOVED:
                    self._poll_quietly()
                raise
            except PKCS11Error as e:
                raise self._failure(serial, e) from e
        return self._executor.submit(run)

    def _assert_thread(self) -> None:
        if not self._executor.on_thread():
            raise RuntimeError("PKCS#11 used off the token thread")

    def _tokens(self) -> list[TokenInfo]:
        self._poll()
        return [info for _, info in self._present.values()]

    def _close_all(self) -> None:
        for serial in list(self._sessions):
            self._drop_session(serial)

    def _start(self) -> None:
        self._assert_thread()
        path = find_module(self._configured)
        try:
            lib = pkcs11.lib(path)
            self._raw = RawModule(path)
        except (PKCS11Error, OSError) as e:
            raise no_module([path], str(e) or type(e).__name__) from e
        self._lib = lib
        if lib.manufacturer_id.startswith("SoftHSM"):
            self._tokendir = softhsm_tokendir()
            self._stale = True  # the module may have been initialised earlier
        self._poll()

    def _shutdown(self) -> None:
        if self._lib is None:
            return
        self._close_all()
        try:
            self._lib.finalize()
        except PKCS11Error:
            log.warning("C_Finalize failed", exc_info=True)
        self._lib = None

    def _start_ticker(self, started: Future[None]) -> None:
        if started.exception() is not None:
            return
        self._ticker = threading.Thread(target=self._tick, name="signpost-token-ticker", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        pending: Future | None = None
        while not self._stop.wait(self._interval):
            if pending is None or pending.done():
                try:
                    pending = self._executor.submit(self._poll_quietly)
                except RuntimeError:  # executor shut down
                    return

    def _poll_quietly(self) -> None:
        try:
            self._poll()
        except Exception:
            log.exception("token poll failed")

    def _poll(self) -> None:
        self._assert_thread()
        if self._lib is None:
            return
        if self._tokendir is not None:
            dirs = token_dirs(self._tokendir)
            self._stale = self._stale or dirs != self._dirs
            if self._stale and not self._sessions:
                self._lib.reinitialize()  # nobody signed in: nothing to lose
                self._dirs, self._stale = dirs, False
        now: dict[str, tuple[Any, TokenInfo]] = {}
        for slot in self._lib.get_slots(token_present=True):
            try:
                info = self.raw.token_info(slot.slot_id)
            except PKCS11Error:  # gone (SoftHSM: directory deleted) or broken
                continue
            if info is not None and info.serial not in now:
                now[info.serial] = (slot, info)
        events = [TokenEvent("removed", i) for s, (_, i) in self._present.items() if s not in now]
        events += [TokenEvent("arrived", i) for s, (_, i) in now.items() if s not in self._present]
        gone = {s: slot for s, (slot, _) in self._present.items() if s not in now}
        self._present = now
        self._seen.update({s: i for s, (_, i) in now.items()})
        for serial, slot in gone.items():
            self._drop_session(serial, slot)
        with self._sub_lock:
            subscribers = list(self._subscribers)
        for event in events:
            for callback in subscribers:
                try:
                    callback(event)
                except Exception:
                    log.exception("token event subscriber failed")

    def _require(self, serial: str) -> tuple[Any, TokenInfo]:
        if serial not in self._present:
            self._poll()
        if serial not in self._present:
            raise removed(self._seen.get(serial), serial)
        return self._present[serial]

    def _fresh_info(self, serial: str) -> TokenInfo | None:
        slot, info = self._require(serial)
        try:
            return self.raw.token_info(slot.slot_id) or info
        except PKCS11Error:
            return None

    def _failure(self, serial: str | None, exc: PKCS11Error) -> TokenError:
        """Map ``exc``, re-reading the token's flags; a vanished token -> REMOVED."""
        if serial is None:
            return to_token_error(exc)
        self._poll_quietly()
        if serial not in self._present:
            return removed(self._seen.get(serial), serial)
        return to_token_error(exc, self._fresh_info(serial))

    def _session(self, serial: str) -> Any:
        _, info = self._require(serial)
        if serial not in self._sessions:
            raise not_signed_in(info)
        return self._sessions[serial]

    def _check_pin(self, info: TokenInfo, pin: str, which: str = "PIN") -> None:
        if not pin_fits(pin, info.pin_min, info.pin_max):
            raise pin_length(info, which)

    def _login(self, serial: str, pin: str) -> None:
        slot, _ = self._require(serial)
        info = self._fresh_info(serial)
        if info is None:
            raise removed(self._seen.get(serial), serial)
        if info.user_pin_locked:
            raise pin_locked(info)
        self._check_pin(info, pin)  # do not spend a try on an impossible PIN
        self._drop_session(serial)
        for attempt in (1, 2):
            try:
                self._sessions[serial] = slot.get_token().open(rw=True, user_pin=pin)
                return
            except PKCS11Error as e:
                # python-pkcs11 left the failed session open: close it, or it
                # leaks (a card allowing one session then refuses the next
                # login).  UserAlreadyLoggedIn: a stale login of this process
                # (login state is per process and token) -- cleared, retry once.
                self.raw.close_all_sessions(slot.slot_id)
                if isinstance(e, UserAlreadyLoggedIn) and attempt == 1:
                    continue
                raise

    def _change_pin(self, serial: str, old_pin: str, new_pin: str) -> None:
        slot, info = self._require(serial)
        info = self._fresh_info(serial) or info
        if info.user_pin_locked:
            raise pin_locked(info)
        self._check_pin(info, old_pin, "current PIN")
        self._check_pin(info, new_pin, "new PIN")
        kept = self._sessions.get(serial)
        temporary = kept is None
        session = slot.get_token().open(rw=True) if kept is None else kept
        try:
            session.set_pin(old_pin, new_pin)
        finally:
            if temporary:
                try:
                    session.close()
                except PKCS11Error:
                    self.raw.close_all_sessions(slot.slot_id)

    def _drop_session(self, serial: str, slot: Any = None) -> None:
        """Log out and close the user session of ``serial`` (errors ignored)."""
        self._assert_thread()
        session = self._sessions.pop(serial, None)
        if slot is None and serial in self._present:
            slot = self._present[serial][0]
        if session is not None:
            try:
                session.close()
            except PKCS11Error:  # e.g. token gone: make sure nothing stays open
                if slot is not None:
                    self.raw.close_all_sessions(slot.slot_id)
