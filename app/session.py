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
(R-LOCAL-2). The copies are checked against shields set since they were made
(``app.copy_check``, issue 13 §3.2): one the directory now restricts is
dropped, and one whose shield state is unknown since it was made is read only
as a shielded record would be shown (R-SHIELD-2/4).
"""
from __future__ import annotations

import json
import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from . import audit_memory, copy_check, wire
from .audit import Checkpoint, fingerprint
from .audit_memory import AuditAlarm, Memory
from .directory.engine import SignedIn
from .directory.interface import DirectoryClient, DirectoryUnavailable
from .directory.work.operations import AUDIT_ARCHIVE
from .executor import SerialExecutor
from .found import Found
from .keystore import SecureKeyStore
from .localcache import CacheTokenError, LocalCache, UnwrapRejected
from .model import Colleague, Reason, RecordView, User, Viewer
from .outbox import Outbox, OutboxItem
from .paths import Paths
from .refusals import Refusal
from .search import Criteria, Outcome
from .token.errors import TokenError, TokenErrorKind
from .token.service import TokenService
from .token.signin import signin_message, wrap_for_token

log = logging.getLogger(__name__)
REBASE_AFTER = frozenset({"audit.memory_altered", "audit.memory_missing", "audit.memory_unconfirmed"})
STEP_TIMEOUT_S = 30
DEFAULT_CACHE_HOURS = 24  # R-LOCAL-2: cached records expire
RECENT = 20  # records listed under "Recently opened"


@dataclass
class Session:
    user: User
    serial: str
    wrap_public_der: bytes
    directory_session: str = field(default="", repr=False)  # the directory's session id, for every request
    cache: LocalCache | None = field(default=None, repr=False)
    locked: bool = False
    security_alert: AuditAlarm | None = None  # when the directory's audit log failed this client's check (R-AUDIT-2)
    audit_key: bytes | None = field(default=None, repr=False)  # the directory's audit key as this client pinned it
    outbox: Outbox | None = field(default=None, repr=False)  # changes waiting for the directory (R-LOCAL-1)
    password_change_required: bool = False  # la-admin: signed in with a one-time password, to replace first
    found: Found = field(default_factory=Found, repr=False)  # the children this directory session was given
    # the directory's own limits on its session (None: none), and when it began (time.monotonic())
    idle_s: float | None = None
    max_s: float | None = None
    signed_at: float = field(default_factory=time.monotonic)
    copies: copy_check.CopyChecker | None = field(default=None, repr=False)  # offline copies vs shields (R-SHIELD-2)

    def viewer(self, on_behalf_of: Colleague | None = None) -> Viewer:
        return Viewer(self.user, on_behalf_of, self.directory_session)

    @property
    def signed(self) -> SignedIn:
        return SignedIn(self.user, self.serial, self.wrap_public_der, self.directory_session)


@dataclass(frozen=True)
class OutboxAccess:
    """One session's offline outbox as the screens use it: every call answers with a future (never waits)."""

    items: Callable[[], Future[list[OutboxItem]]]
    resend: Callable[[str], Future[str]]
    discard: Callable[[str], Future[bool]]
    kick: Callable[[], None]  # send what waits now (the directory answers again)


@dataclass(frozen=True)
class OfflineCopy:
    """A record from the encrypted cache, read while the directory cannot be reached. ``unconfirmed``: no check
    since the copy was made said it is still not shielded, so ``view`` is only what a shielded record shows
    (R-SHIELD-2/4, issue 13 §3.2)."""

    view: RecordView
    fetched_at: float
    unconfirmed: bool = False


def _offline_copy(view: RecordView, fetched_at: float, cache: LocalCache) -> OfflineCopy:
    """A cached record as it may be read offline: in full only if a check since it was made said no shield now
    restricts it, otherwise only what a shielded record shows (R-SHIELD-2/4, issue 13 §3.2). Every way of
    reading a copy (open by id, Recently opened) goes through here."""
    if view.shield_applied or copy_check.confirmed(fetched_at, copy_check.checked_at(cache)):
        return OfflineCopy(view, fetched_at)
    return OfflineCopy(copy_check.as_restricted(view), fetched_at, unconfirmed=True)


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
        # called on a worker when the outbox found the directory had ended the session: relay to the GUI
        self.on_session_ended: Callable[[], None] | None = None
        self.outbox_retry_s = 15.0
        self._outboxes: weakref.WeakSet[Outbox] = weakref.WeakSet()  # open ones, stopped at close
        self._checkers: weakref.WeakSet[copy_check.CopyChecker] = weakref.WeakSet()  # likewise
        self.copy_check_s = copy_check.EVERY_S  # how often offline copies are checked against shields while online

    # -- public, all return futures -------------------------------------------
    def sign_in(self, username: str, password: str, serial: str, pin: str) -> Future[Session]:
        return self._executor.submit(self._sign_in, username, password, serial, pin)

    def sign_in_again(self, session: Session, password: str, pin: str) -> Future[None]:
        """The directory ended ``session`` (a service restart, its own time limits): a new directory session for
        the same user and token, in place. The cache and the changes waiting in it stay; the new session has
        been given no results yet, so the outbox searches again before it sends (``app.found``)."""
        return self._executor.submit(self._sign_in_again, session, password, pin)

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
        """The cached copy of a record this user opened, if it has not expired. Asked for because the directory
        could not be reached: the copies' checker is told, so it checks again as soon as the directory answers."""
        cache = session.cache
        if session.copies is not None:
            session.copies.kick()

        def read() -> OfflineCopy | None:
            if cache is None or session.locked:
                return None
            entry = cache.get_record_entry(directory_id)
            if entry is None:
                return None
            payload, fetched_at = entry
            try:
                view = wire.decode(RecordView, json.loads(payload))
            except (ValueError, wire.WireError):
                return None
            return _offline_copy(view, fetched_at, cache)
        return self._cache_thread.submit(read)

    def search(self, session: Session, viewer: Viewer, criteria: Criteria, reason: Reason) -> Future[Outcome]:
        """A search as ``viewer``; the children it returns are ones this session may act on (``Session.found``)."""
        future = self.directory.search(viewer, criteria, reason)

        def found(f: Future[Outcome]) -> None:
            if not f.cancelled() and f.exception() is None:
                session.found.add(f.result())
        future.add_done_callback(found)
        return future

    def recent(self, session: Session, limit: int = RECENT) -> Future[list[OfflineCopy]]:
        """The records this user opened that are still in the encrypted cache, last opened first: "Recently
        opened", readable with no network (R-LOCAL-2)."""
        cache = session.cache

        def read() -> list[OfflineCopy]:
            if cache is None or session.locked:
                return []
            out = []
            for _key, payload, fetched_at in cache.recent_records(limit):
                try:
                    out.append(_offline_copy(wire.decode(RecordView, json.loads(payload)), fetched_at, cache))
                except (ValueError, wire.WireError):
                    continue
            return out
        return self._cache_thread.submit(read)

    def perform(self, session: Session, op, request, on_behalf_of: Colleague | None = None) -> Future:
        """A work operation as ``session``'s user. A change goes through the encrypted outbox (R-LOCAL-1):
        kept there before it is sent, named with the child as the person saw it (from the cached record),
        sent once, and kept (answering ``outbox.Queued``) while the directory cannot be reached; a read is
        asked directly. Nothing here waits: the outbox is written on the cache thread."""
        viewer = session.viewer(on_behalf_of)
        outbox = session.outbox
        if not (op.writes and outbox is not None and not session.locked):
            if op is AUDIT_ARCHIVE:
                return _vouched(self.directory.perform(op, viewer, request), session.audit_key)
            return self.directory.perform(op, viewer, request)

        def keep() -> Future:  # on the cache thread
            return outbox.submit(op, viewer, request, child=self._child_name(session, request))
        return _flatten(self._cache_thread.submit(keep))

    def outbox_access(self, session: Session) -> OutboxAccess:
        return OutboxAccess(lambda: self.outbox_items(session), lambda key: self.resend(session, key),
                            lambda key: self.discard(session, key),
                            lambda: session.outbox.kick() if session.outbox is not None else None)

    def outbox_items(self, session: Session) -> Future[list[OutboxItem]]:
        """The changes waiting in ``session``'s outbox, oldest first (none while locked)."""
        return self._cache_thread.submit(lambda: session.outbox.items() if session.outbox is not None else [])

    def resend(self, session: Session, key: str) -> Future[str]:
        """The person keeps a change that needs them: sent again (a conflict against the record's version now)."""
        def again() -> str:
            outbox = self._require_outbox(session)
            item = next((i for i in outbox.items() if i.key == key), None)
            if item is None:
                raise KeyError(key)
            version = item.refusal_params.get("version") if item.conflict else None
            return outbox.resend(key, version=version) if isinstance(version, int) else outbox.resend(key)
        return self._cache_thread.submit(again)

    def discard(self, session: Session, key: str) -> Future[bool]:
        """The person gives up a change that is waiting."""
        return self._cache_thread.submit(lambda: self._require_outbox(session).discard(key))

    @staticmethod
    def _require_outbox(session: Session) -> Outbox:
        if session.outbox is None:
            raise CacheTokenError("Your changes cannot be reached while Signpost is locked. Unlock, then try again.")
        return session.outbox

    def _child_name(self, session: Session, request) -> str:
        """The name of the child a change is about, from the record the person opened (on the cache thread)."""
        did = getattr(request, "directory_id", "")
        entry = session.cache.get_record_entry(did) if did and session.cache is not None else None
        if entry is None:
            return ""
        try:
            return wire.decode(RecordView, json.loads(entry[0])).name.full()
        except (ValueError, wire.WireError):
            return ""

    def close(self) -> None:
        """Stop, leaving nothing running: what was already asked of the session thread (a sign-out, which
        closes the outbox and the cache) is done first, then any outbox still open is stopped, then the
        threads end. Nothing kept in an outbox is lost: it stays in the cache file."""
        try:
            self._executor.submit(lambda: None).result(timeout=STEP_TIMEOUT_S)
        except Exception as exc:  # a step stuck on a token or the network: stop anyway
            log.warning("session work still running at close: %s", exc)
        for outbox in list(self._outboxes):
            outbox.close()
        for checker in list(self._checkers):
            checker.close()
        self._executor.shutdown(wait=True)
        self._cache_thread.shutdown(wait=True)

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
        session = Session(signed.user, serial, signed.wrap_public_der, signed.session,
                          password_change_required=signed.password_change_required, idle_s=signed.session_idle_s,
                          max_s=signed.session_max_s)
        try:
            session.cache = self._open_cache(session)
            self._open_outbox(session)
            self._open_copy_checker(session)
        except BaseException:
            self._quietly(self.tokens.logout(serial))
            self._quietly(self.directory.sign_out(signed))
            raise
        self._check_audit_log(session, signed.audit_seq)
        return session

    def _sign_in_again(self, session: Session, password: str, pin: str) -> None:
        serial, username = session.serial, session.user.username
        try:
            challenge, signature = self._prove(serial, pin, "sign-in")
        except TokenError as exc:
            self._report(username, serial, exc.kind.value, "sign_in")
            raise
        signed: SignedIn = self._wait(self.directory.sign_in(username, password, serial, challenge, signature))
        session.found.forget()
        session.directory_session = signed.session
        session.idle_s, session.max_s, session.signed_at = signed.session_idle_s, signed.session_max_s, time.monotonic()
        session.password_change_required = signed.password_change_required
        self._check_audit_log(session, signed.audit_seq)
        if session.outbox is not None:
            session.outbox.kick()

    def _check_audit_log(self, session: Session, signed_in_at: int) -> None:
        """R-AUDIT-2 (issue 13 §1.2, §1.3): the directory's log must extend the one this client saw last time,
        with this user's own remembered entries still in it as written (``app.audit_memory``), or the user
        and the LA team are told. The memory is kept in the encrypted cache and mirrored, MACed, beside the
        wrapped cache key in the keyring; a mirror altered, or missing after an earlier sign-in here, is an
        alarm too. Any refusal while the directory proves itself is an alarm, never a failed sign-in."""
        cache = session.cache
        assert cache is not None
        checkpoint: Checkpoint | None
        try:
            checkpoint = self._wait(self.directory.audit_checkpoint())
            public: bytes = self._wait(self.directory.audit_public_key())
        except Refusal:
            checkpoint, public = None, b""
        except DirectoryUnavailable as exc:  # not reached now: checked at the next sign-in
            log.warning("audit log not checked at sign-in: %s", exc)
            return
        mirrored, kept, state = self._on_cache(cache.audit_memory)
        memory = _memory(mirrored) or _memory(kept) or Memory.from_old_cache(
            self._on_cache(cache.get_value, "audit_checkpoint"), self._on_cache(cache.get_value, "audit_public_key"))
        viewer = session.viewer()
        asks = audit_memory.Directory(
            consistency=lambda old, new: self._wait(self.directory.audit_consistency(old, new)),
            own_entry=lambda seq, size: self._wait(self.directory.audit_own_entry(viewer, seq, size)))
        try:
            alarm = AuditAlarm("audit.unproven") if checkpoint is None else audit_memory.check(
                session.user.username, memory, state, checkpoint, public, asks)
        except DirectoryUnavailable as exc:
            log.warning("audit log check at sign-in did not finish: %s", exc)
            return
        session.audit_key = public if alarm is None or alarm.code in REBASE_AFTER else None
        if alarm is not None:
            session.security_alert = alarm
            self._quietly(self.directory.report_audit_alert(
                session.user.username, memory.checkpoint.to_json() if memory else {},
                checkpoint.to_json() if checkpoint else {}, alarm.code))
            log.warning("audit log check failed at sign-in: %s %s", alarm.code, alarm.params)
            if alarm.code not in REBASE_AFTER or checkpoint is None:
                return  # the log itself is in doubt: keep what was seen, so the next sign-in says so again
            memory = None  # the memory was: it is kept anew from what the directory shows now
        assert checkpoint is not None
        fresh = (memory or Memory(checkpoint, public)).after(checkpoint, public, signed_in_at)
        self._on_cache(cache.remember_audit, fresh.to_bytes())

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
            self._open_copy_checker(session)
        except BaseException:
            self._quietly(self.tokens.logout(serial))
            raise
        session.locked = False

    def _open_outbox(self, session: Session) -> None:
        """The outbox over the session's cache; what an earlier session left in it is sent now (R-LOCAL-1)."""
        assert session.cache is not None, "the cache is opened before the outbox"
        def on_change(pending: int, needs_you: int) -> None:
            if self.on_outbox_change is not None:
                self.on_outbox_change(pending, needs_you)
        def on_session_ended() -> None:
            if self.on_session_ended is not None:
                self.on_session_ended()
        session.outbox = Outbox(self.directory, session.cache, self._cache_thread,
                                lambda: None if session.locked or session.cache is None else session.viewer(),
                                retry_s=self.outbox_retry_s, on_change=on_change, found=session.found,
                                on_session_ended=on_session_ended)
        self._outboxes.add(session.outbox)
        session.outbox.kick()

    def _open_copy_checker(self, session: Session) -> None:
        """Issue 13 §3.2 (R-SHIELD-2): the offline copies are checked against shields now, every ``copy_check_s``
        while the directory answers, and as soon as it answers again after an outage."""
        cache = session.cache
        assert cache is not None  # opened just before
        session.copies = copy_check.CopyChecker(
            self.directory, cache, self._cache_thread,
            lambda: None if session.locked or session.cache is None else session.viewer(),
            every_s=self.copy_check_s, retry_s=self.outbox_retry_s)
        self._checkers.add(session.copies)

    def _close_cache(self, session: Session) -> None:
        copies, session.copies = session.copies, None
        if copies is not None:
            copies.close()
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


def _vouched(answer: Future, pinned: bytes | None) -> Future:
    """The audit archive the directory answered, once its key is the one this client pinned at sign-in
    (issue 13 §1.4): an archive signed by any other key, or asked for while the log is in doubt, is refused
    with a security alert rather than shown as verified."""
    out: Future = Future()

    def done(f: Future) -> None:
        if f.exception() is not None:
            out.set_exception(f.exception())
            return
        archive = f.result()
        try:
            key = bytes.fromhex(archive.public_key)
        except (ValueError, TypeError):
            key = b""
        if pinned is None or key != pinned:
            out.set_exception(AuditAlarm("audit.archive_unknown_key", fingerprint=fingerprint(key)))
        else:
            out.set_result(archive)
    answer.add_done_callback(done)
    return out


def _memory(data: bytes | None) -> Memory | None:
    if data is None:
        return None
    try:
        return Memory.from_bytes(data)
    except ValueError:
        return None


def _flatten(outer: Future[Future]) -> Future:
    """The answer of the future that ``outer`` gives, as one future."""
    result: Future = Future()

    def inner_done(inner: Future) -> None:
        exc = inner.exception()
        if exc is not None:
            result.set_exception(exc)
        else:
            result.set_result(inner.result())

    def outer_done(f: Future) -> None:
        exc = f.exception()
        if exc is not None:
            result.set_exception(exc)
        else:
            f.result().add_done_callback(inner_done)
    outer.add_done_callback(outer_done)
    return result


__all__ = ["Session", "SessionManager", "OfflineCopy", "OutboxAccess", "CacheTokenError"]
