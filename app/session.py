"""A signed-in session: the steps that join the token, the directory and the
local cache, Qt-free and off the GUI thread.

Sign-in (R-ROLE-4): the directory issues a fresh challenge; the token, after
its PIN, signs a domain-separated message over it; the directory verifies the
signature against the enrolled key and checks the password and the account.
Then the user's local cache opens with a key only their token can unwrap
(R-LOCAL-1), and the directory's audit log is checked against the last
checkpoint this client saw (R-AUDIT-2). Locking closes the cache and the token
session (R-LOCAL-2); unlocking proves the same token again.

The directory is reached only through its interface (embedded or HTTPS); the
token works on its own thread, the cache on its own thread, and the chain
itself on a small "session" thread that only waits. Records the user opened
stay in the encrypted cache until they expire, so that when the directory
cannot be reached a recent one can still be read, marked as an offline copy
(R-LOCAL-2).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from . import wire
from .audit import Checkpoint
from .directory.engine import SignedIn
from .directory.interface import DirectoryClient
from .executor import SerialExecutor
from .keystore import SecureKeyStore
from .localcache import CacheTokenError, LocalCache, UnwrapRejected
from .merkle import verify_consistency
from .model import Colleague, RecordView, User, Viewer
from .outbox import Outbox
from .paths import Paths
from .token.errors import TokenError, TokenErrorKind
from .token.service import TokenService
from .token.signin import signin_message, wrap_for_token

log = logging.getLogger(__name__)
STEP_TIMEOUT_S = 30
DEFAULT_CACHE_HOURS = 24  # R-LOCAL-2: cached records expire


@dataclass
class Session:
    user: User
    serial: str
    wrap_public_der: bytes
    directory_session: str = field(default="", repr=False)  # the directory's session id, for every request
    cache: LocalCache | None = field(default=None, repr=False)
    locked: bool = False
    security_alert: str = ""  # set when the directory's audit log failed this client's check (R-AUDIT-2)
    outbox: Outbox | None = field(default=None, repr=False)  # changes waiting for the directory (R-LOCAL-1)

    def viewer(self, on_behalf_of: Colleague | None = None) -> Viewer:
        return Viewer(self.user, on_behalf_of, self.directory_session)

    @property
    def signed(self) -> SignedIn:
        return SignedIn(self.user, self.serial, self.wrap_public_der, self.directory_session)


@dataclass(frozen=True)
class OfflineCopy:
    """A record from the encrypted cache, read while the directory cannot be reached."""

    view: RecordView
    fetched_at: float


class SessionManager:
    def __init__(self, directory: DirectoryClient, tokens: TokenService, keystore: SecureKeyStore,
                 paths: Paths, cache_hours: float = DEFAULT_CACHE_HOURS) -> None:
        self.directory = directory
        self.tokens = tokens
        self.keystore = keystore
        self.paths = paths
        self.cache_ttl_s = cache_hours * 3600
        self._executor = SerialExecutor("session")
        self._cache_thread = SerialExecutor("cache")  # the cache never waits on the directory's thread
        # the offline outbox (issue 8 item 9): called (pending, needs_you) on a worker thread; relay to the GUI
        self.on_outbox_change: Callable[[int, int], None] | None = None
        self.outbox_retry_s = 15.0

    # -- public, all return futures -------------------------------------------
    def sign_in(self, username: str, password: str, serial: str, pin: str) -> Future[Session]:
        return self._executor.submit(self._sign_in, username, password, serial, pin)

    def unlock(self, session: Session, serial: str, pin: str) -> Future[None]:
        return self._executor.submit(self._unlock, session, serial, pin)

    def lock(self, session: Session, why: str) -> Future[None]:
        return self._executor.submit(self._lock, session, why)

    def sign_out(self, session: Session) -> Future[None]:
        return self._executor.submit(self._sign_out, session)

    def remember(self, session: Session, view: RecordView) -> Future[None]:
        """Keep a viewed record in the encrypted cache until it expires (R-LOCAL-2)."""
        cache = session.cache
        if cache is None or session.locked:
            done: Future[None] = Future()
            done.set_result(None)
            return done
        payload = json.dumps(wire.encode(view)).encode()
        return self._cache_thread.submit(cache.put_record, view.directory_id, payload, ttl=self.cache_ttl_s)

    def recall(self, session: Session, directory_id: str) -> Future[OfflineCopy | None]:
        """The cached copy of a record this user opened, if it has not expired."""
        cache = session.cache

        def read() -> OfflineCopy | None:
            if cache is None or session.locked:
                return None
            entry = cache.get_record_entry(directory_id)
            if entry is None:
                return None
            payload, fetched_at = entry
            try:
                return OfflineCopy(wire.decode(RecordView, json.loads(payload)), fetched_at)
            except (ValueError, wire.WireError):
                return None
        return self._cache_thread.submit(read)

    def perform(self, session: Session, op, request, on_behalf_of: Colleague | None = None) -> Future:
        """A work operation as ``session``'s user. A change goes through the encrypted outbox (R-LOCAL-1):
        kept there before it is sent, sent once, and kept (answering ``outbox.Queued``) while the directory
        cannot be reached; a read is asked directly."""
        viewer = session.viewer(on_behalf_of)
        if op.writes and session.outbox is not None and not session.locked:
            return session.outbox.submit(op, viewer, request)
        return self.directory.perform(op, viewer, request)

    def close(self) -> None:
        self._executor.shutdown(wait=False)
        self._cache_thread.shutdown(wait=False)

    # -- steps ---------------------------------------------------------------
    def _wait(self, future: Future):
        return future.result(timeout=STEP_TIMEOUT_S)

    def _on_cache(self, fn, *args):
        return self._wait(self._cache_thread.submit(fn, *args))

    def _prove(self, serial: str, pin: str, purpose: str) -> tuple[bytes, bytes]:
        challenge = self._wait(self.directory.challenge())
        self._wait(self.tokens.login(serial, pin))
        signature = self._wait(self.tokens.sign(serial, signin_message(purpose, serial, challenge)))
        return challenge, signature

    def _report(self, username: str, serial: str, kind: str, during: str) -> None:
        """Token-side refusals are audited by the directory too (R-AUDIT-1)."""
        self._quietly(self.directory.report_token_refusal(username, serial, kind, during))

    def _sign_in(self, username: str, password: str, serial: str, pin: str) -> Session:
        try:
            try:
                challenge, signature = self._prove(serial, pin, "sign-in")
            except TokenError as exc:
                self._report(username, serial, exc.kind.value, "sign_in")
                raise
            signed: SignedIn = self._wait(self.directory.sign_in(username, password, serial, challenge, signature))
        except BaseException:
            self._quietly(self.tokens.logout(serial))
            raise
        session = Session(signed.user, serial, signed.wrap_public_der, signed.session)
        try:
            session.cache = self._open_cache(session)
            self._open_outbox(session)
        except BaseException:
            self._quietly(self.tokens.logout(serial))
            self._quietly(self.directory.sign_out(signed))
            raise
        self._check_audit_log(session)
        return session

    def _check_audit_log(self, session: Session) -> None:
        """R-AUDIT-2: the log must extend the one this client saw last time, or the user and the LA
        team are told. The last checkpoint seen is kept in the user's encrypted cache."""
        cache = session.cache
        assert cache is not None
        checkpoint: Checkpoint = self._wait(self.directory.audit_checkpoint())
        public: bytes = self._wait(self.directory.audit_public_key())
        kept_raw = self._on_cache(cache.get_value, "audit_checkpoint")
        kept_key = self._on_cache(cache.get_value, "audit_public_key")
        problem = ""
        if not checkpoint.verify(public):
            problem = "the directory's audit checkpoint is not signed by its own key"
        elif kept_key is not None and kept_key != public:
            problem = "the directory's audit-signing key has changed since you last signed in"
        elif kept_raw is not None:
            kept = Checkpoint.from_json(json.loads(kept_raw))
            if checkpoint.size < kept.size:
                problem = f"the audit log has shrunk from {kept.size} to {checkpoint.size} entries"
            else:
                proof = self._wait(self.directory.audit_consistency(kept.size, checkpoint.size))
                if not verify_consistency(kept.size, checkpoint.size, kept.root, checkpoint.root, proof):
                    problem = "the audit log was rewritten since you last signed in"
        if problem:
            session.security_alert = (f"Security alert: {problem}. Your LA team has been told; tell them too, "
                                      "and carry on only if they say so.")
            self._quietly(self.directory.report_audit_alert(
                session.user.username, json.loads(kept_raw) if kept_raw else {}, checkpoint.to_json()))
            log.warning("audit log check failed at sign-in: %s", problem)
            return
        self._on_cache(cache.put_value, "audit_checkpoint", json.dumps(checkpoint.to_json()).encode())
        self._on_cache(cache.put_value, "audit_public_key", public)

    def _open_cache(self, session: Session) -> LocalCache:
        serial, wrap_der = session.serial, session.wrap_public_der

        def unwrap(ciphertext: bytes) -> bytes:
            try:
                return self._wait(self.tokens.decrypt(serial, ciphertext))
            except TokenError as exc:
                if exc.kind is TokenErrorKind.FAILED:  # the token cannot decrypt this: re-enrolled
                    raise UnwrapRejected(str(exc)) from exc
                raise

        path = self.paths.cache_file(session.user.username)
        return self._on_cache(lambda: LocalCache.open(
            path, session.user.username, self.keystore, wrap=lambda pt: wrap_for_token(wrap_der, pt),
            unwrap=unwrap, ttl=self.cache_ttl_s))

    def _unlock(self, session: Session, serial: str, pin: str) -> None:
        if serial != session.serial:
            self._report(session.user.username, serial, "wrong_token", "unlock")
            raise TokenError(TokenErrorKind.NOT_ENROLLED,
                             "This is not the token this session was signed in with. Sign out to use another.")
        try:
            challenge, signature = self._prove(serial, pin, "unlock")
        except TokenError as exc:
            self._report(session.user.username, serial, exc.kind.value, "unlock")
            raise
        try:
            signed = self._wait(self.directory.unlock(session.signed, serial, challenge, signature))
            session.directory_session = signed.session
            session.cache = self._open_cache(session)
            session.locked = False
            self._open_outbox(session)
        except BaseException:
            self._quietly(self.tokens.logout(serial))
            raise
        session.locked = False

    def _open_outbox(self, session: Session) -> None:
        """The outbox over the session's cache; what an earlier session left in it is sent now (R-LOCAL-1)."""
        def on_change(pending: int, needs_you: int) -> None:
            if self.on_outbox_change is not None:
                self.on_outbox_change(pending, needs_you)
        session.outbox = Outbox(self.directory, session.cache, self._cache_thread,
                                lambda: None if session.locked or session.cache is None else session.viewer(),
                                retry_s=self.outbox_retry_s, on_change=on_change)
        session.outbox.kick()

    def _close_cache(self, session: Session) -> None:
        outbox, session.outbox = session.outbox, None
        if outbox is not None:
            outbox.close()  # kept items stay in the cache file, sent at the next sign-in or unlock
        cache, session.cache = session.cache, None
        if cache is not None:
            self._quietly(self._cache_thread.submit(cache.close))

    def _lock(self, session: Session, why: str) -> None:
        session.locked = True
        self._close_cache(session)
        self._quietly(self.tokens.logout(session.serial))
        self._quietly(self.directory.lock(session.signed, why))

    def _sign_out(self, session: Session) -> None:
        session.locked = True
        self._close_cache(session)
        self._quietly(self.tokens.logout(session.serial))
        self._quietly(self.directory.sign_out(session.signed))

    @staticmethod
    def _quietly(future: Future) -> None:
        """Best-effort clean-up: a pulled token cannot log out, and that is fine."""
        try:
            future.result(timeout=STEP_TIMEOUT_S)
        except Exception as exc:
            log.info("clean-up step failed: %s", exc)


__all__ = ["Session", "SessionManager", "OfflineCopy", "CacheTokenError"]
