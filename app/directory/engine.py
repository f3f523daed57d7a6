"""The embedded directory engine: the one place policy is enforced.

Every call names its viewer; the engine checks role, reason and account,
applies shielding and sensitivity while building what it returns, and audits
(R-AUDIT-1). The client only ever shows what it was given.

A ``Directory`` is single-threaded: it is created and used on one thread
(``app.directory.EmbeddedDirectory`` owns that thread).
"""
from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NoReturn

from .. import audit, db, records, schema, search
from ..dates import anniversary
from ..limits import Limits
from ..model import AccessReason, Colleague, Reason, RecordView, Role, User, Viewer
from ..passwords import hash_password, verify_password
from ..refusals import (
    AccessRefused,
    AuditBroken,
    NoSuchRecord,
    RateLimited,
    Refusal,
    SearchRefused,
    SignInRefused,
    SwitchedOff,
)
from ..token.signin import signin_message, verify_signin
from .store import Store
from .store.sessions import Held, Sessions
from .store.sqlite import SqliteStore

log = logging.getLogger(__name__)
CHECK_VALID_YEARS = 3
CHALLENGE_TTL_S = 60
MAX_USERNAME_CHARS = 64
MAX_PASSWORD_CHARS = 1024
MAX_COLLEAGUE_CHARS = 100
TOKEN_REFUSALS = frozenset({"wrong_pin", "pin_locked", "pin_length", "removed", "not_enrolled", "wrong_token",
                            "failed"})

SELF_CHECK = "directory (audit self-check)"  # who raises the alert when the log fails the engine's own check

# One answer for any wrong factor (R-ROLE-4): nothing tells which of username,
# password or token was wrong, so a password cannot be confirmed without the token.
WRONG_FACTOR = "sign_in.wrong_factor"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when a username is unknown, so both cases take as long."""
    return hash_password("not a real password")




def check_expiry(checked: date) -> date:
    return anniversary(checked, CHECK_VALID_YEARS)


@dataclass(frozen=True)
class SignedIn:
    user: User
    serial: str
    wrap_public_der: bytes  # to wrap the user's local cache key to their token
    session: str = ""  # the session id a Viewer carries on every request
    audit_seq: int = 0  # the audit entry of this sign-in: the client checks it is still there later (R-AUDIT-2)
    password_change_required: bool = False  # la-admin: a one-time password, to be replaced before any work
    # the directory's own limits on this session, where it has them (the HTTPS service): it ends after this
    # many seconds unused, and this many after sign-in; None: no such limit (issue 15 2.5)
    session_idle_s: float | None = None
    session_max_s: float | None = None


class _Granted:
    """The children a session was given in results (R-SEARCH-2/3), as the sessions store keeps them."""

    def __init__(self, sessions: Sessions, session: str) -> None:
        self._sessions = sessions
        self._session = session

    def __contains__(self, child_id: object) -> bool:
        return isinstance(child_id, int) and self._sessions.granted(self._session, child_id)

    def add(self, child_id: int) -> None:
        self._sessions.grant(self._session, (child_id,))

    def update(self, child_ids: Iterable[int]) -> None:
        self._sessions.grant(self._session, list(child_ids))


class _Session:
    """A live session as policy code sees it (``store.sessions.held``); its grants and its one-time password
    are read and written through the sessions store, so any node sees them."""

    def __init__(self, sessions: Sessions, session: str, held: Held) -> None:
        self._sessions = sessions
        self._session = session
        self.username = held.username
        self.user = held.user  # as signed in: a request naming another role or LA is refused
        self.locked = held.locked
        self._must_change_password = held.must_change_password  # la-admin: a one-time password (R-ROLE-4)
        self.granted = _Granted(sessions, session)  # children this session was given in results

    @property
    def must_change_password(self) -> bool:
        return self._must_change_password

    @must_change_password.setter
    def must_change_password(self, value: bool) -> None:
        if value:
            raise ValueError("a session is given a one-time password only at sign-in")
        self._sessions.password_changed(self._session)
        self._must_change_password = False


def _plain_text(value, limit: int) -> str | None:
    """The text if it is a string within ``limit`` that can be stored, else None."""
    if not isinstance(value, str) or len(value) > limit:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


class Directory:
    def __init__(self, conn, clock: Callable[[], date] = date.today, limits: Limits | None = None,
                 now: Callable[[], float] = time.time, signing_key: bytes | None = None,
                 witness: Path | None = None, closes_at: float | None = None) -> None:
        self.conn = conn
        self.store: Store = SqliteStore(conn)  # issue 16 §1: every statement of the work goes through it
        self.audit = audit.AuditLog(conn, signing_key or os.urandom(32), witness, kind=_log_kind(conn))
        self.clock = clock
        self.limits = limits or Limits()
        self.now = now
        self.closes_at = closes_at if closes_at is not None else _switch_off_of(conn)  # R-CLOSE-1
        self.answers_purged_at = 0.0  # when expired answers kept for repeats were last deleted (work.replays)

    @classmethod
    def open(cls, path: str | Path, key: bytes, clock: Callable[[], date] = date.today,
             limits: Limits | None = None, now: Callable[[], float] = time.time,
             signing_key: bytes | None = None) -> Directory:
        """Open the directory file. ``signing_key`` signs audit checkpoints (R-AUDIT-2): the app
        passes its own, kept in the key store; tests and benchmarks may leave it to be derived."""
        conn = db.open_encrypted(path, key)
        schema.migrate(conn)  # a directory made by an earlier version gains what this one needs, nothing lost
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")
        opened = cls(conn, clock, limits or Limits.from_directory(SqliteStore(conn).settings), now,
                     signing_key or audit.derived_signing_key(key), witness_path(path))
        verdict = opened.audit.self_check()  # R-AUDIT-2 (issue 13 §1.2): a broken log is never carried on silently
        if not verdict.ok:
            opened._alert_broken_log(verdict)
            return opened
        opened.retention_if_due()  # R-RET-1..3 (retention): at open, then on the first request of each day
        from .work import replays
        replays.purge(opened)  # answers kept for repeats that expired while the directory was closed (R-RET-2)
        return opened

    def _alert_broken_log(self, verdict: audit.Verdict) -> None:
        """The log failed the engine's own check at open: every LA team is alerted (once while unacknowledged);
        nothing can be audited on top of it, so every request is refused with a security alert."""
        from .work.alerts import raise_alert
        from .work.types import AlertKind
        log.error("audit log failed its check at open (%s, entry %s): %s", verdict.code, verdict.first_bad,
                  verdict.problem)
        for la in self.store.register.la_codes():
            if not self.store.notices.unacknowledged(la, AlertKind.SECURITY_ALERT.value, SELF_CHECK, self.audit.size):
                raise_alert(self, AlertKind.SECURITY_ALERT, SELF_CHECK, la)

    def _refuse_if_log_broken(self) -> None:
        if self.audit.broken is not None:
            self.audit._refuse_broken()

    def close(self) -> None:
        witness = self.audit.witness
        if witness is None or witness.parent.is_dir():  # R-CLOSE-6: closure may have destroyed the folder, the
            self.audit.flush()  # log and its witness with it: then there is nothing left to write the witness to
        self.conn.close()

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.now(), UTC).isoformat(timespec="seconds")

    # -- who -----------------------------------------------------------------
    def user(self, username: str) -> User | None:
        return self.store.accounts.user(username)

    def _la_of_user(self, username: str) -> tuple[str, ...]:
        la = self.store.accounts.la_of(username)
        return (la,) if la is not None else ()

    # -- sign-in: password + token + PIN (R-ROLE-4) ---------------------------
    def challenge(self) -> bytes:
        """A fresh single-use challenge for a token to sign."""
        value = os.urandom(32)
        now = time.time()  # the wall clock, not self.now: every node must agree when a challenge expires
        self.store.sessions.add_challenge(value, now + CHALLENGE_TTL_S, now)
        return value

    def _take_challenge(self, challenge: bytes) -> bool:
        return isinstance(challenge, bytes) and self.store.sessions.take_challenge(challenge, time.time())

    def _token_ok(self, username: str, serial: str, purpose: str, challenge: bytes, signature: bytes) -> str | None:
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

    def _locked_out(self, username: str) -> bool:
        return bool(self.store.accounts.locked_at(username))

    def _count_failure(self, username: str) -> bool:
        """One more consecutive failure; True when it locks the account now."""
        failures = self.store.accounts.count_failure(username)
        if failures >= self.limits.failed_signins_before_lock:
            self.store.accounts.lock_out(username, self._stamp())
            return True
        return False

    def _locked_out_refusal(self) -> SignInRefused:
        return SignInRefused("sign_in.locked_out", after=self.limits.failed_signins_before_lock)

    def sign_in(self, username: str, password: str, serial: str, challenge: bytes, signature: bytes) -> SignedIn:
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
                    from .work.alerts import raise_alert
                    from .work.types import AlertKind
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

    def end_sessions(self, username: str) -> int:
        """End every open session of ``username`` at once (disabled, locked out, given a new token): its next
        request is refused, not answered at its next sign-in. Returns how many ended."""
        return self.store.sessions.end_all_of(username, self.now())

    def was_stopped(self, session: str) -> bool:
        """Whether ``session`` was ended by ``end_sessions`` (not by its user, idleness or a restart)."""
        return isinstance(session, str) and self.store.sessions.was_stopped(session)

    def unlock(self, user: User, serial: str, challenge: bytes, signature: bytes, session: str = "") -> None:
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

    def lock(self, user: User, why: str, session: str = "") -> None:
        if session:
            self.store.sessions.set_locked(session, user.username, True)
        self.audit.record(user.username, "lock", detail={"why": why}, las=(user.la_code,))

    def sign_out(self, user: User, session: str = "", why: str = "") -> None:
        """End a session; ``why`` says when it was not the user's own doing (idle, too old, service stopped)."""
        why = why if why in ("", "idle", "too_old", "replaced", "service_stopped") else "other"
        if session:
            self.store.sessions.end(session, user.username, why or "signed_out", self.now())
        self.audit.record(user.username, "sign_out", las=(user.la_code,), detail={"why": why} if why else None)

    def report_token_refusal(self, username: str, serial: str, kind: str, during: str = "sign_in") -> None:
        """The client reports what the token refused (wrong or blocked PIN, token pulled, wrong
        token at unlock), so every refusal is audited (R-AUDIT-1), not only the directory's own."""
        name = (_plain_text(username, MAX_USERNAME_CHARS) or "(unusable username)").strip().lower() or "(blank)"
        kind = kind if kind in TOKEN_REFUSALS else "failed"
        during = during if during in ("sign_in", "unlock", "pin_change") else "sign_in"
        self.audit.record(name, "token_refused", las=self._la_of_user(name),
                     detail={"kind": kind, "during": during, "token": (_plain_text(serial, 64) or "?")})

    def audit_refused_request(self, username: str, action: str, code: str, address: str = "",
                              count: int = 1) -> None:
        """A request the service refused (or failed) before it reached the engine: a session ended, unknown
        or locked, a per-address limit, a field out of bounds, a body that is not JSON, a 500. Audited all
        the same (R-AUDIT-1). ``username`` is the session's holder, or "" when no session was given;
        ``address`` the client's; ``count`` how many alike the service coalesced into this entry."""
        name = (_plain_text(username, MAX_USERNAME_CHARS) or "").strip().lower() or "(no session)"
        from .work.operations import OPERATIONS
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

    def enrol_token(self, username: str, serial: str, sign_public_der: bytes, wrap_public_der: bytes,
                    by: str) -> None:
        """Register a token's public keys for a user (admin command, training set-up)."""
        done = self.store.accounts.enrol_token(username, serial, sign_public_der, wrap_public_der)
        if not done:
            raise LookupError(f"no user {username!r} in the directory")
        self.audit.record(by, "token_enrolled", detail={"user": username, "token": serial},
                     las=self._la_of_user(username))

    def usernames(self) -> list[str]:
        """Every account's username, sorted (training set-up: one token per user)."""
        return self.store.accounts.usernames()  # registered colleagues never sign in (issue 8, LA management)

    def enrolled_tokens(self) -> dict[str, str]:
        return self.store.accounts.enrolled_tokens()

    def account_problem(self, user: User) -> tuple[str, str, dict] | None:
        """(audit words, refusal code, params) when an account may not be used (R-ROLE-4)."""
        if user.role is Role.COLLEAGUE:  # R-ROLE-2 (issue 8, LA management): no access of their own
            return ("a registered colleague has no access of their own", "account.colleague_no_access", {})
        if not user.nominated:
            return ("not nominated", "account.not_nominated", {})
        if not user.trained:
            return ("training not recorded", "account.not_trained", {})
        if user.check_date is None:
            return ("no criminal-records check", "account.no_check", {})
        expiry = check_expiry(user.check_date)
        if expiry <= self.clock():
            return ("criminal-records check expired", "account.check_expired", {"expired_on": expiry.isoformat()})
        return None

    def _refuse(self, username: str, action: str, why: str, refusal: Refusal) -> NoReturn:
        self.audit.record(username or "(blank)", action, detail={"why": why}, las=self._la_of_user(username))
        raise refusal

    # -- requests: session, role, reason (R-SEARCH-1, R-ROLE-2) -----------------
    def switched_off(self) -> bool:
        """R-CLOSE-1: from the switch-off time the directory does no work for anyone."""
        return self.closes_at is not None and self.now() >= self.closes_at

    def set_switch_off(self, when: float | None, by: str) -> None:
        """Set (or clear, with None) the directory's switch-off time (admin command); audited."""
        self.store.settings.set_closes_at(
            None if when is None else datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds"))
        self.closes_at = when
        self.audit.record(by, "switch_off_set", detail={"closes_at": when and datetime.fromtimestamp(
            when, UTC).isoformat(timespec="seconds")})

    def _session_of(self, viewer: Viewer, closure: bool = False, password_change: bool = False) -> _Session:
        self._refuse_if_log_broken()
        if self.switched_off() and not (closure and viewer.role is Role.LA_MANAGEMENT):
            raise SwitchedOff("service.closed")  # R-CLOSE-1: the LA team keeps its closure tasks
        held = self.store.sessions.held(viewer.session) if isinstance(viewer.session, str) else None
        if held is None or held.username != viewer.user.username or (
                held.user is not None and held.user != viewer.user):
            raise AccessRefused("access.session_ended")
        if held.locked:
            raise AccessRefused("access.session_locked")
        if held.must_change_password and not password_change:  # la-admin: the one-time password first
            raise AccessRefused("account.password_change_required")
        return _Session(self.store.sessions, viewer.session, held)

    def check_request(self, viewer: Viewer, reason: Reason, action: str, closure: bool = False) -> _Session:
        if not self.store.in_write:  # R-RET-1..3 (retention): once a day, between requests
            self.retention_if_due()
        try:
            state = self.check_session(viewer, closure)
            if not isinstance(reason, Reason) or _plain_text(reason.detail, 1000) is None:
                raise AccessRefused("access.reason_required", "reason")
            if not reason.code.fits(viewer.role):
                raise AccessRefused("access.reason_not_for_role", "reason", reason=reason.code.value)
            problem = reason.problem()
            if problem:  # R-SEARCH-1
                raise AccessRefused(problem, "reason")
        except AccessRefused as exc:
            self.audit_refusal(viewer, reason, action, exc.code)
            exc.audited = True
            raise
        return state

    def check_session(self, viewer: Viewer, closure: bool = False) -> _Session:
        """The checks every request needs whatever it asks, refusing (not auditing) what fails: a live session
        of this user as signed in, an account that may be used, and for a mediating user a registered
        colleague (R-ROLE-2, R-ROLE-4). A repeated change is checked with these (``work.replays``).
        ``closure``: one of the closure tasks, which the LA team keeps after the switch-off (R-CLOSE-1)."""
        state = self._session_of(viewer, closure)
        problem = self.account_problem(viewer.user)
        if problem:
            raise AccessRefused(problem[1], **problem[2])
        if viewer.role.acts_for_colleague:  # R-ROLE-2
            # -- mediated colleagues (issue 8, LA management): chosen from the LA's register by username;
            # the audit records the register's name and organisation (app.audit), never the client's words.
            c = viewer.on_behalf_of
            if c is None:
                raise AccessRefused("access.colleague_required", "colleague")
            if not all(_plain_text(v, MAX_COLLEAGUE_CHARS) is not None for v in (c.name, c.organisation)):
                raise AccessRefused("access.colleague_too_long", "colleague", limit=MAX_COLLEAGUE_CHARS)
            chosen = c.username.strip().lower() if isinstance(c.username, str) else ""
            registered = chosen and len(chosen) <= MAX_USERNAME_CHARS and self.store.register.colleague_registered(
                chosen, viewer.user.la_code)
            if not registered:
                raise AccessRefused("access.colleague_not_registered", "colleague")
            # -- end mediated colleagues
        elif viewer.on_behalf_of is not None:
            raise AccessRefused("access.colleague_not_allowed", "colleague")
        return state

    def audit_refusal(self, viewer: Viewer, reason, action: str, why: str, **extra) -> None:
        text = reason.text() if isinstance(reason, Reason) and _plain_text(reason.detail, 1000) is not None else None
        safe = viewer
        if viewer.on_behalf_of is not None and not all(
                _plain_text(v, MAX_COLLEAGUE_CHARS) is not None for v in (viewer.on_behalf_of.name,
                                                                          viewer.on_behalf_of.organisation)):
            safe = Viewer(viewer.user, Colleague("(unusable name)", "(unusable organisation)"), viewer.session)
        self.audit.record(viewer.user.username, f"{action}_refused", viewer=safe, reason=text,
                     detail={"why": why, **extra})

    def la_team_request(self, viewer: Viewer, action: str, refusal: str, closure: bool = False) -> Reason:
        """An LA-team-only request (R-ROLE-3): the role is checked first, so a practitioner is told what is
        the LA team's alone rather than that the monitoring reason is not theirs. Returns the reason used.
        ``closure``: one of the closure tasks, which the LA team keeps after the switch-off (R-CLOSE-1)."""
        reason = Reason(AccessReason.LA_MONITORING)
        self._session_of(viewer, closure)
        if viewer.role is not Role.LA_MANAGEMENT:
            self.audit_refusal(viewer, reason, action, "not the LA team")
            exc = AccessRefused(refusal)
            exc.audited = True
            raise exc
        self.check_request(viewer, reason, action, closure)
        return reason

    # -- rate limits (R-SEARCH-6) ------------------------------------------------
    def _check_search_rate(self, viewer: Viewer, reason: Reason) -> None:
        now = self.now()
        with self.store.sessions.searches(viewer.user.username) as searches:  # counted and recorded as one
            for limit, span in ((self.limits.searches_per_minute, 60), (self.limits.searches_per_hour, 3600)):
                count, limit_th = searches.since(now - span, limit)
                if count >= limit and limit_th is not None:  # it may go on once the limit-th newest has aged out
                    wait = limit_th + span - now
                    self.audit_refusal(viewer, reason, "search", "rate limited", limit=limit, window_s=span)
                    raise RateLimited("rate.searches", count=count, window_s=span, wait_s=int(wait + 0.999))
            searches.record(now, forget_up_to=now - 3600)

    def _check_open_budget(self, viewer: Viewer, reason: Reason, child_id: int) -> date:
        day = datetime.fromtimestamp(self.now(), UTC).date()
        if self.store.sessions.opened_on(viewer.user.username, day, child_id):
            return day
        opened = self.store.sessions.opens_on(viewer.user.username, day)
        if opened >= self.limits.children_opened_per_day:
            midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC).timestamp()
            self.audit_refusal(viewer, reason, "view_record", "daily budget reached",
                                limit=self.limits.children_opened_per_day)
            raise RateLimited("rate.children_opened", count=opened, wait_s=int(midnight - self.now() + 0.999))
        return day

    # -- searching and viewing ----------------------------------------------
    def search(self, viewer: Viewer, criteria: search.Criteria, reason: Reason) -> search.Outcome:
        self.check_request(viewer, reason, "search")
        self._check_search_rate(viewer, reason)
        try:
            found = search.run(self.conn, criteria, viewer.role, self.clock())
        except search.SearchRefused as exc:
            self.audit.record(viewer.user.username, "search_refused", viewer=viewer, reason=reason.text(),
                         detail={"criteria": _safe_criteria(criteria), "why": exc.code})
            raise
        outcome = found.outcome
        detail: dict[str, object] = {"criteria": criteria.for_audit(),
                                     "returned": [h.directory_id for h in outcome.hits]}
        if outcome.refine:
            detail["refine"] = True
        las = {la for (la,) in self.conn.execute(
            f"SELECT DISTINCT la_code FROM children WHERE id IN ({','.join('?' * len(found.child_ids))})",
            found.child_ids)} if found.child_ids else set()
        self.audit.record(viewer.user.username, "search", viewer=viewer, reason=reason.text(), detail=detail,
                     las=las)
        self.store.sessions.grant(viewer.session, found.child_ids)
        return outcome

    def view_record(self, viewer: Viewer, directory_id: str, reason: Reason) -> RecordView:
        """One record, only from a result this session was given (R-SEARCH-2/3: no trawling by id)."""
        self.check_request(viewer, reason, "view_record")
        child_id = records.child_id_for(self.store, directory_id)
        if child_id is None or not self.store.sessions.granted(viewer.session, child_id):
            shown = directory_id if _plain_text(directory_id, 16) is not None else "(unusable id)"
            self.audit_refusal(viewer, reason, "view_record", "not from this session's results",
                                directory_id=shown)
            raise AccessRefused("access.not_from_results")
        with self.store.sessions.opening(viewer.user.username):  # counted and added to as one, on every node
            day = self._check_open_budget(viewer, reason, child_id)
            view = records.build(self.store, viewer, child_id)
            self.store.sessions.record_open(viewer.user.username, day, child_id)
        self.audit.record(viewer.user.username, "view_record", viewer=viewer, reason=reason.text(),
                     detail={"directory_id": view.directory_id, "restricted": view.shield_applied},
                     las=(records.la_of(self.store, child_id),))
        return view

    # -- accounts (shields are work operations: app.directory.work.shields) ------------------------
    def admin_unlock(self, username: str, by: str) -> bool:
        """The directory's administrator lifts a lock-out (the LA team's screen is later work)."""
        done = self.store.accounts.clear_failures(username)
        self.audit.record(by, "account_unlocked", detail={"user": username}, las=self._la_of_user(username))
        return bool(done)

    def set_limit(self, name: str, value: int, by: str) -> None:
        """Change one of the directory's limits (R-SEARCH-6, R-ROLE-4); audited."""
        if name not in Limits.names() or not 0 < value < 10**9:
            raise ValueError(f"unknown limit or bad value; limits are {', '.join(Limits.names())}")
        self.store.settings.set_limit(name, value)
        self.limits = Limits.from_directory(self.store.settings)
        self.audit.record(by, "limit_changed", detail={"limit": name, "value": value})

    def unlock_account(self, viewer: Viewer, username: str) -> None:
        """The LA team lifts a sign-in lock-out for one of its own LA's users (R-ROLE-3, R-ROLE-4)."""
        reason = self.la_team_request(viewer, "account_unlock", "access.unlock_not_allowed")
        target = self.user(username) if _plain_text(username, MAX_USERNAME_CHARS) else None
        if target is None or target.la_code != viewer.user.la_code:
            self.audit_refusal(viewer, reason, "account_unlock", "not this LA team's user")
            raise AccessRefused("access.unlock_not_allowed")
        self.store.accounts.clear_failures(target.username)
        self.audit.record(viewer.user.username, "account_unlocked", viewer=viewer,
                     detail={"user": target.username}, las=(target.la_code,))

    # -- retention (R-RET-1..3; app.directory.work.retention) ------------------------------------
    def apply_retention(self, today: date | None = None) -> dict:
        """Archive the records whose date has come, destroy those six years in the archive, archive ended
        involvements' contact details; one transaction, audited with counts. Returns the counts."""
        from .work import retention
        today = today or self.clock()
        self.store.retention.ensure_indexes()
        with self.store.write(on_rollback=self.audit.forget_uncommitted):
            counts = retention.sweep(self, today)
        self._retention_day = today
        return counts

    def retention_if_due(self) -> None:
        """The sweep, if none has run today (in this process or, per the directory's meta, any other)."""
        today = self.clock()
        if getattr(self, "_retention_day", None) == today:
            return
        last = self.store.retention.last_sweep()
        if last is not None and last >= today:
            self._retention_day = today
            return
        self.apply_retention(today)

    # -- the work operations (app.directory.work.operations) ----------------------------------
    def perform(self, op, viewer: Viewer, request, key: str | None = None):
        """Run one work operation for ``viewer``.

        A read runs as it is. A write runs in one transaction with its audit entries, and with
        ``key`` (an idempotency key the client chose, e.g. from its offline outbox) it is done at most
        once per user and key: a repeat with the same key and request changes nothing and, once the
        session and account are checked again, answers what the first answered (a read of a record is
        run again instead; the same key with another request is refused: ``work.replays``). Engine
        functions refuse before they change anything, so a refusal commits only its audit entry;
        anything else rolls the whole change back. Every refusal is audited (R-AUDIT-1), here if the
        function did not audit it itself.
        """
        try:
            if not isinstance(request, op.request):
                raise AccessRefused("request.invalid")
            if key is not None and not (isinstance(key, str) and 8 <= len(key) <= 64 and key.isascii()):
                raise AccessRefused("request.bad_key")
        except Refusal as exc:
            self._audit_work_refusal(viewer, op, request, exc)
            raise
        fn = op.function()
        if not op.writes:
            try:
                return fn(self, viewer, request)
            except Refusal as exc:
                self._audit_work_refusal(viewer, op, request, exc)
                raise
        from .work import replays
        with self.store.write(keep_on=(Refusal,), on_rollback=self.audit.forget_uncommitted):
            try:
                kept = asked = None
                if key is not None:
                    asked = replays.fingerprint(op, viewer, request)  # before anything changes: it may refuse
                    kept = replays.lookup(self, viewer.user.username, key)
                    if kept is not None:
                        answered, answer = replays.replay(self, viewer, op, request, key, kept, asked)
                        if answered:
                            return answer
                answer = fn(self, viewer, request)
                if key is not None and asked is not None and kept is None:
                    # la-admin: a secret in the answer (a one-time password) is never kept for a repeat
                    replays.keep(self, viewer, op, request, key,
                                 answer.without_secret() if hasattr(answer, "without_secret") else answer, asked)
                return answer
            except Refusal as exc:  # committed with the refusal's own audit entry; nothing else was changed
                self._audit_work_refusal(viewer, op, request, exc)
                raise

    def _audit_work_refusal(self, viewer: Viewer, op, request, exc: Refusal) -> None:
        if isinstance(exc, AuditBroken) or self.audit.broken is not None:
            return  # nothing is audited on top of a broken log; the refusal itself says why (issue 13 §1.2)
        if not getattr(exc, "audited", False):
            reason = getattr(request, "reason", None)
            self.audit_refusal(viewer, reason if isinstance(reason, Reason) else None, op.audit_action, exc.code,
                               **({"field": exc.field} if exc.field else {}))
            exc.audited = True

    # -- training -----------------------------------------------------------------
    def training_facts(self) -> tuple[date, tuple[User, ...]]:
        """The training directory's reference date and its users, for the training guide; refused on
        anything but a training directory (a real directory lists no users to a client)."""
        kind, reference_date = self.store.settings.kind_and_reference_date()
        if kind != "training":
            raise AccessRefused("access.not_training")
        reference = date.fromisoformat(reference_date) if reference_date else self.clock()
        users = [self.user(u) for u in self.store.accounts.usernames_in_order_made()]
        return reference, tuple(u for u in users if u is not None)

    # -- audit ----------------------------------------------------------------
    def audit_checkpoint(self) -> audit.Checkpoint:
        """The latest signed checkpoint, for a client to compare with the one it kept (R-AUDIT-2)."""
        return self.audit.checkpoint()

    def audit_consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """Proof that today's log extends the one a client saw at ``old_size`` entries."""
        if not isinstance(old_size, int) or not isinstance(new_size, int):
            raise AccessRefused("audit.bad_sizes")
        try:
            return self.audit.consistency(old_size, new_size)
        except ValueError:
            raise AccessRefused("audit.bad_sizes") from None
        except LookupError:  # a node the proof needs is gone: the log was changed behind the directory's back
            self.audit.broken = audit.Verdict(False, self.audit.size, None, "A node of the log's hash tree is "
                                              "missing.", "tree_broken")
            self.audit._refuse_broken()

    def audit_public_key(self) -> bytes:
        return self.audit.public_key

    def audit_own_entry(self, viewer: Viewer, seq: int, size: int) -> audit.OwnEntry:
        """One of the signed-in user's own audit entries with its inclusion proof in the tree of ``size``
        entries, so the client can check the entry it remembers is still there as written (R-AUDIT-2; issue 13
        §1.2). Anyone else's entry, or one that is not there, is refused alike."""
        self._session_of(viewer)
        if not isinstance(seq, int) or not isinstance(size, int):
            raise AccessRefused("audit.bad_sizes")
        try:
            got = self.audit.own_entry(seq, size)
        except ValueError:
            raise AccessRefused("audit.bad_sizes") from None
        except LookupError:
            self.audit.broken = audit.Verdict(False, self.audit.size, seq, "A node of the log's hash tree is "
                                              "missing.", "tree_broken")
            self.audit._refuse_broken()
        if got is None or got.entry.actor != viewer.user.username:
            raise AccessRefused("audit.not_yours")
        return got

    def report_audit_alert(self, username: str, kept: dict, now_seen: dict, what: str = "") -> None:
        """A client found the log shrank or forked since it last looked, or its own memory of the log was
        altered or lost (``what``, one of ``app.audit_memory.ALARMS``): alert the LA team (R-AUDIT-2)."""
        from ..audit_memory import ALARMS
        name = (_plain_text(username, MAX_USERNAME_CHARS) or "(unusable username)").strip().lower()
        try:
            self.audit.record(name, "security_alert", las=self._la_of_user(name),
                              detail={"what": "audit log inconsistent with the checkpoint this client kept",
                                      "finding": what if what in ALARMS else "audit.rewritten",
                                      "kept": {k: kept.get(k) for k in ("size", "root")},
                                      "now": {k: now_seen.get(k) for k in ("size", "root")}})
        except AuditBroken:  # the log is past recording it: the LA team's alert still goes (issue 13 §1.2)
            pass
        for la in self._la_of_user(name):  # issue 8, LA management: the LA team's alerts inbox
            from .work.alerts import raise_alert
            from .work.types import AlertKind
            raise_alert(self, AlertKind.SECURITY_ALERT, name, la)

    def audit_entries(self, viewer: Viewer, since_seq: int = 0) -> list[audit.Entry]:
        """The audit trail, for the LA management team only, and only entries about its own
        LA's users and records (R-LOCAL-3, R-ROLE-3), each cut to what the team may see: another LA's
        child's sensitive service is withheld (R-SENS-3; ``app.audit_redaction``)."""
        from ..audit_redaction import ForTeam
        self.la_team_request(viewer, "audit_read", "access.audit_la_only")
        cut = ForTeam(self.conn, viewer.user.la_code)
        return [cut(e) for e in audit.entries(self.conn, since_seq, la_code=viewer.user.la_code)]


def _switch_off_of(conn) -> float | None:
    stored = SqliteStore(conn).settings.closes_at()
    try:
        return datetime.fromisoformat(stored).timestamp() if stored is not None else None
    except ValueError:
        return None


def _log_kind(conn) -> str:
    """What the directory's audit log is called when it is first named (``audit.new_origin``): a training
    directory's, or a service's."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
    return "training" if row is not None and row[0] == "training" else "directory"


def witness_path(path: str | Path) -> Path | None:
    """Where the latest signed audit checkpoint is kept beside a directory file."""
    return None if str(path) == ":memory:" else audit.witness_path(path)


def _safe_criteria(c: search.Criteria) -> dict:
    """Criteria for the audit, each text cut to a bounded length (a 1 MB name is not stored verbatim)."""
    out = {}
    for k, v in c.for_audit().items():
        if isinstance(v, str):
            v = v.encode("utf-8", "replace").decode("utf-8")[:80]
        elif isinstance(v, int) and not -10**6 < v < 10**6:
            v = "(out of range)"
        out[k] = v
    return out


__all__ = ["Directory", "SignInRefused", "AccessRefused", "RateLimited", "SearchRefused", "NoSuchRecord",
           "Colleague", "SignedIn"]
