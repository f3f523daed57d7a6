"""Sign-in with password, token and PIN (R-ROLE-4), unlock, lock, sign-out, and the refusals a client or
the service reports.

Functions of the engine's ``Directory``, bound to it by name in ``app.directory.engine``; each takes
the directory as ``self``."""
from __future__ import annotations

import os
import secrets
import time
from typing import TYPE_CHECKING

from ...model import Role, User
from ...passwords import verify_password
from ...refusals import (
    SignInRefused,
    SwitchedOff,
)
from ...token.signin import signin_message, verify_signin
from .common import (
    CHALLENGE_TTL_S,
    MAX_PASSWORD_CHARS,
    MAX_USERNAME_CHARS,
    TOKEN_REFUSALS,
    WRONG_FACTOR,
    SignedIn,
    _dummy_hash,
    _plain_text,
)

if TYPE_CHECKING:
    from . import Directory


def challenge(self: Directory) -> bytes:
    """A fresh single-use challenge for a token to sign."""
    value = os.urandom(32)
    now = time.time()  # the wall clock, not self.now: every node must agree when a challenge expires
    self.store.sessions.add_challenge(value, now + CHALLENGE_TTL_S, now)
    return value


def _take_challenge(self: Directory, challenge: bytes) -> bool:
    return isinstance(challenge, bytes) and self.store.sessions.take_challenge(challenge, time.time())


def _token_ok(self: Directory, username: str, serial: str, purpose: str, challenge: bytes,
              signature: bytes) -> str | None:
    """None when the token proves the holder, else why not (for the audit, never the screen)."""
    row = self.store.accounts.token_of(username)
    if not row or not row[0] or not row[1]:
        return "no token enrolled"
    if row[0] != serial:
        return f"token {serial} is not this user's"
    try:
        ok = verify_signin(row[1], signin_message(purpose, serial, challenge), signature)
    except (ValueError, TypeError):
        ok = False
    return None if ok else "token signature did not verify"


def _locked_out(self: Directory, username: str) -> bool:
    return bool(self.store.accounts.locked_at(username))


def _count_failure(self: Directory, username: str) -> bool:
    """One more consecutive failure; True when it locks the account now."""
    failures = self.store.accounts.count_failure(username)
    if failures >= self.limits.failed_signins_before_lock:
        self.store.accounts.lock_out(username, self._stamp())
        return True
    return False


def _locked_out_refusal(self: Directory) -> SignInRefused:
    return SignInRefused("sign_in.locked_out", after=self.limits.failed_signins_before_lock)


def sign_in(self: Directory, username: str, password: str, serial: str, challenge: bytes, signature: bytes) -> SignedIn:
    """Username, password and the token's signature over a fresh challenge; audited either way.

    Any wrong factor gets the same message; consecutive failures lock the
    username typed (known or not, so lock-out reveals no account) until
    the LA team unlocks it (R-ROLE-4).
    """
    self._refuse_if_log_broken()  # before anything is counted: nothing can be audited on a broken log
    name = _plain_text(username, MAX_USERNAME_CHARS)
    secret = _plain_text(password, MAX_PASSWORD_CHARS)
    serial_ok = _plain_text(serial, 64)
    if name is None or secret is None or serial_ok is None:
        shown = name.strip().lower()[:MAX_USERNAME_CHARS] if name else "(unusable username)"
        self._refuse(shown, "sign_in_failed", "input out of bounds", SignInRefused(WRONG_FACTOR))
    username = name.strip().lower()
    if not self._take_challenge(challenge):
        self._refuse(username, "sign_in_failed", "challenge unknown or expired",
                     SignInRefused("sign_in.expired"))
    if self._locked_out(username):
        self._refuse(username, "sign_in_failed", "account locked out", self._locked_out_refusal())
    row = self.store.accounts.credentials(username)
    password_ok = verify_password(row[0] if row else _dummy_hash(), secret)
    token_problem = self._token_ok(username, serial, "sign-in", challenge, signature) if row else "unknown user"
    if not (row and password_ok) or token_problem:
        why = "unknown user" if not row else "wrong password" if not password_ok else str(token_problem)
        locked = self._count_failure(username)
        if locked:  # the account's open sessions end with it, as when the LA team disables it (R-ROLE-4)
            self.audit.record(username, "account_locked_out", las=self._la_of_user(username),
                              detail={"after": self.limits.failed_signins_before_lock,
                                      "sessions_ended": self.end_sessions(username)})
            for la in self._la_of_user(username):  # issue 8, LA management: the LA team's alerts inbox
                from ..work.alerts import raise_alert
                from ..work.types import AlertKind
                raise_alert(self, AlertKind.ACCOUNT_LOCKED, username, la)
        self._refuse(username, "sign_in_failed", why,
                     self._locked_out_refusal() if locked else SignInRefused(WRONG_FACTOR))
    self.store.accounts.clear_failures(username)
    if not row[1]:
        self._refuse(username, "sign_in_failed", "account disabled", SignInRefused("sign_in.disabled"))
    user = self.user(username)
    assert user is not None
    if self.switched_off() and user.role is not Role.LA_MANAGEMENT:
        # R-CLOSE-1: after switch-off only the LA team signs in, and only to reach the closure tasks
        # (every other request is refused below, in _session_of)
        self._refuse(username, "sign_in_failed", "switched off", SwitchedOff("service.closed"))
    problem = self.account_problem(user)
    if problem:
        self._refuse(username, "sign_in_failed", problem[0], SignInRefused(problem[1], **problem[2]))
    session = secrets.token_urlsafe(24)
    one_time = bool(row[2])  # la-admin: only the password change is done until it is replaced (R-ROLE-4)
    self.store.sessions.start(session, user, serial, one_time, self.now())
    self.audit.record(username, "sign_in", detail={"role": user.role.value, "token": serial,
                                                   **({"one_time_password": True} if one_time else {})},
                 las=(user.la_code,))
    wrap = self.store.accounts.wrap_key_of(username)
    assert wrap is not None  # the token that just signed is enrolled with its wrapping key
    return SignedIn(user, serial, bytes(wrap), session, self.audit.size, password_change_required=one_time)


def end_sessions(self: Directory, username: str) -> int:
    """End every open session of ``username`` at once (disabled, locked out, given a new token): its next
    request is refused, not answered at its next sign-in. Returns how many ended."""
    return self.store.sessions.end_all_of(username, self.now())


def was_stopped(self: Directory, session: str) -> bool:
    """Whether ``session`` was ended by ``end_sessions`` (not by its user, idleness or a restart)."""
    return isinstance(session, str) and self.store.sessions.was_stopped(session)


def unlock(self: Directory, user: User, serial: str, challenge: bytes, signature: bytes, session: str = "") -> None:
    """Back into a locked session: the same token, proven afresh (R-LOCAL-2)."""
    self._refuse_if_log_broken()
    if not self._take_challenge(challenge):
        self._refuse(user.username, "unlock_failed", "challenge unknown or expired",
                     SignInRefused("unlock.expired"))
    problem = self._token_ok(user.username, serial, "unlock", challenge, signature)
    if problem:
        self._refuse(user.username, "unlock_failed", problem, SignInRefused("unlock.wrong_token"))
    problem2 = self.account_problem(user)
    if problem2:
        self._refuse(user.username, "unlock_failed", problem2[0], SignInRefused(problem2[1], **problem2[2]))
    if session and not self.store.sessions.set_locked(session, user.username, False):
        self._refuse(user.username, "unlock_failed", "session ended", SignInRefused("access.session_ended"))
    self.audit.record(user.username, "unlock", detail={"token": serial}, las=(user.la_code,))


def lock(self: Directory, user: User, why: str, session: str = "") -> None:
    if session:
        self.store.sessions.set_locked(session, user.username, True)
    self.audit.record(user.username, "lock", detail={"why": why}, las=(user.la_code,))


def sign_out(self: Directory, user: User, session: str = "", why: str = "") -> None:
    """End a session; ``why`` says when it was not the user's own doing (idle, too old, service stopped)."""
    why = why if why in ("", "idle", "too_old", "replaced", "service_stopped") else "other"
    if session:
        self.store.sessions.end(session, user.username, why or "signed_out", self.now())
    self.audit.record(user.username, "sign_out", las=(user.la_code,), detail={"why": why} if why else None)


def report_token_refusal(self: Directory, username: str, serial: str, kind: str, during: str = "sign_in") -> None:
    """The client reports what the token refused (wrong or blocked PIN, token pulled, wrong
    token at unlock), so every refusal is audited (R-AUDIT-1), not only the directory's own."""
    name = (_plain_text(username, MAX_USERNAME_CHARS) or "(unusable username)").strip().lower() or "(blank)"
    kind = kind if kind in TOKEN_REFUSALS else "failed"
    during = during if during in ("sign_in", "unlock", "pin_change") else "sign_in"
    self.audit.record(name, "token_refused", las=self._la_of_user(name),
                 detail={"kind": kind, "during": during, "token": (_plain_text(serial, 64) or "?")})


def audit_refused_request(self: Directory, username: str, action: str, code: str, address: str = "",
                          count: int = 1) -> None:
    """A request the service refused (or failed) before it reached the engine: a session ended, unknown
    or locked, a per-address limit, a field out of bounds, a body that is not JSON, a 500. Audited all
    the same (R-AUDIT-1). ``username`` is the session's holder, or "" when no session was given;
    ``address`` the client's; ``count`` how many alike the service coalesced into this entry."""
    name = (_plain_text(username, MAX_USERNAME_CHARS) or "").strip().lower() or "(no session)"
    from ..work.operations import OPERATIONS
    action = action if action in ("search", "view_record", "audit_read", "account_unlock", "sign_in", "unlock",
                                  "token_refusal", "lock", "sign_out", "challenge", "audit_alert") \
        or action in OPERATIONS else "request"
    code = code if isinstance(code, str) and len(code) <= 60 else "request.invalid"
    detail: dict = {"why": code, "refused_by": "service"}
    if _plain_text(address, 64):
        detail["from"] = address
    if isinstance(count, int) and count > 1:
        detail["count"] = count
    self.audit.record(name, "sign_in_failed" if action == "sign_in" else f"{action}_refused",
                      las=self._la_of_user(name), detail=detail)


def enrol_token(self: Directory, username: str, serial: str, sign_public_der: bytes, wrap_public_der: bytes,
                by: str) -> None:
    """Register a token's public keys for a user (admin command, training set-up)."""
    done = self.store.accounts.enrol_token(username, serial, sign_public_der, wrap_public_der)
    if not done:
        raise LookupError(f"no user {username!r} in the directory")
    self.audit.record(by, "token_enrolled", detail={"user": username, "token": serial},
                 las=self._la_of_user(username))


def usernames(self: Directory) -> list[str]:
    """Every account's username, sorted (training set-up: one token per user)."""
    return self.store.accounts.usernames()  # registered colleagues never sign in (issue 8, LA management)


def enrolled_tokens(self: Directory) -> dict[str, str]:
    return self.store.accounts.enrolled_tokens()
