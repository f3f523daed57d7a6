"""The offline outbox: changes made while the directory cannot be reached are kept, then sent once (R-LOCAL-1).

Every change (a write operation) is first committed to the ``outbox`` table of the user's encrypted local
cache (SQLCipher, key wrapped by their token), with an idempotency key chosen *before* the first attempt,
and only then sent. So:

- a kill -9 while the row is being written leaves no row and nothing sent (the person was never told it
  was saved); once the row is committed it is sent until the directory answers;
- a kill -9 during or after a send re-sends with the same key on restart, and the directory's
  ``done_requests`` answers what it answered the first time: nothing is done twice;
- items are sent in the order they were made, on this module's own worker thread (never the GUI thread),
  whenever the directory answers again (retried every ``retry_s`` and at once on ``kick()``);
- a change about a child this directory session was not given in its results (made in an earlier
  session: before a sign-in again, a service restart, an app restart or a kill) is preceded by a search
  by that child's directory id alone, with the reason the person gave (``app.found``): the directory
  checks and audits it as any search, then takes the change as it would in the session that found the
  child. A child the directory no longer finds that way leaves the change "needs you"
  (``outbox.not_found_again``);
- a change the directory refuses after it was queued (``involvement.conflict``, ``involvement.ended``, a
  shield set meanwhile...) is never dropped: it waits as "needs you", naming the child and the change,
  until the person re-sends it (against the record's new version: ``resend(key, version=...)``) or
  discards it. A change refused on its first attempt, while the person is still looking at it, is
  removed and the refusal goes to them as usual.

A change sent while offline answers ``Queued`` (a ``DirectoryUnavailable``: screens that already show
"the directory cannot be reached" keep working; those that know it show "saved, will be sent").

API: ``submit``, ``items``, ``counts``, ``resend``, ``discard``, ``kick``, ``on_change(callback)``
(called on the outbox worker with ``(pending, needs_you)``; relay it to the GUI thread with
``ui.bridge``). Each call waits for the cache thread: call them there, or from a worker
(``app.session.SessionManager`` does), never from the GUI thread.
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

from . import wire
from .directory.interface import DirectoryClient, DirectoryUnavailable
from .directory.work.operations import OPERATIONS, Operation
from .executor import SerialExecutor
from .found import Found, find_again
from .localcache import LocalCache
from .model import Colleague, Reason, Viewer
from .refusals import AccessRefused, RateLimited, Refusal

log = logging.getLogger(__name__)

PENDING = "pending"
NEEDS_YOU = "needs_you"
CONFLICTS = frozenset({"involvement.conflict", "involvement.ended"})
# refusals about the session, not the change: wait for the person to sign in or unlock again, then send
WAIT_FOR_SESSION = frozenset({"access.session_ended", "access.session_locked",
                              "account.password_change_required"})  # la-admin: sent once the password is changed
NOT_FOUND_AGAIN = "outbox.not_found_again"  # the search by the child's directory id did not return the child
RETRY_S = 15.0
STEP_TIMEOUT_S = 60


class Queued(DirectoryUnavailable):
    """The directory could not be reached: the change is kept in the outbox and will be sent."""

    code = "queued"

    def __init__(self, key: str) -> None:
        super().__init__("queued", "kept in the outbox until the directory answers")
        self.key = key


@dataclass(frozen=True)
class OutboxItem:
    """One change waiting, as the UI lists it."""

    key: str
    op: str  # the operation's name (``operations.OPERATIONS``)
    summary: str  # what the operation does, in words
    directory_id: str  # the child it is about ("" if none)
    child: str  # the child's name as the person saw it when they made the change ("" if none)
    state: str  # PENDING or NEEDS_YOU
    refusal: str  # the refusal code when NEEDS_YOU (words: ui.refusals.WORDS)
    refusal_params: dict  # what the refusal's words need (e.g. the record's new ``version``)
    conflict: bool  # NEEDS_YOU because the record changed meanwhile: re-send against the new version
    created_at: float
    attempts: int
    request: Any  # the typed request as it will be sent


def new_key() -> str:
    return uuid.uuid4().hex  # 32 ASCII characters: within the engine's 8..64


class Outbox:
    """One user's outbox over their open local cache. ``viewer()`` gives the viewer to send as now (None while
    signed out or locked: nothing is sent then). Cache calls run on ``cache_thread`` (the thread that owns
    the cache); sending runs on the outbox's own worker."""

    def __init__(self, directory: DirectoryClient, cache: LocalCache, cache_thread: SerialExecutor,
                 viewer: Callable[[], Viewer | None], *, retry_s: float = RETRY_S,
                 on_change: Callable[[int, int], None] | None = None, start: bool = True,
                 found: Found | None = None, on_session_ended: Callable[[], None] | None = None) -> None:
        """``found``: the children the directory session ``viewer()`` signs with was given in its results
        (the session's own, shared with its searches); without it the outbox knows only its own searches.
        ``on_session_ended()``: the directory ended the session, so nothing can be sent until the person
        signs in again (called on the outbox worker, once per ending)."""
        self.directory = directory
        self.found = found if found is not None else Found()
        self._on_session_ended = on_session_ended
        self._ended_told: str | None = None  # the session whose ending was told
        self.cache = cache
        self._cache_thread = cache_thread
        self._viewer = viewer
        self.retry_s = retry_s
        self._callbacks: list[Callable[[int, int], None]] = [on_change] if on_change else []
        self._waiting: dict[str, Future] = {}  # key -> the caller's future, for changes made in this process
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._last_counts: tuple[int, int] | None = None
        self._worker = threading.Thread(target=self._run, name="outbox", daemon=True)
        if start:
            self._worker.start()

    # -- the UI's API -------------------------------------------------------------------------------
    def submit(self, op: Operation, viewer: Viewer, request, *, child: str = "", _before_commit=None) -> Future:
        """Make a change: kept in the outbox (committed when this returns), then sent in order. ``child``: the
        child's name as the person sees it, so a change waiting is always named. The future gives the answer;
        raises the directory's refusal if it refused at once, or ``Queued`` if the directory cannot be reached."""
        if not op.writes:
            raise ValueError("only changes go through the outbox; a read is asked directly")
        key = new_key()
        future: Future = Future()
        body = json.dumps(wire.encode(request))
        colleague = json.dumps(wire.encode(viewer.on_behalf_of)) if viewer.on_behalf_of is not None else None
        with self._lock:
            self._waiting[key] = future  # before the commit: the worker may send it at once
        try:
            self._on_cache(lambda: self.cache.outbox_add(key, op.name, body, colleague, child=child,
                                                         _before_commit=_before_commit))
        except BaseException as exc:  # not saved: the caller is told, nothing will be sent
            with self._lock:
                self._waiting.pop(key, None)
            future.set_exception(exc)
            return future
        self._changed()
        self.kick()
        return future

    def items(self) -> list[OutboxItem]:
        return [self._item(row) for row in self._on_cache(self.cache.outbox_items)]

    def counts(self) -> tuple[int, int]:
        """(pending, needs you)."""
        rows = self._on_cache(self.cache.outbox_items)
        return (sum(r["state"] == PENDING for r in rows), sum(r["state"] == NEEDS_YOU for r in rows))

    def pending_count(self) -> int:
        return self.counts()[0]

    def needs_you_count(self) -> int:
        return self.counts()[1]

    def on_change(self, callback: Callable[[int, int], None]) -> None:
        """``callback(pending, needs_you)`` whenever either count changes (on the outbox worker or the caller's
        thread: relay it to the GUI thread)."""
        self._callbacks.append(callback)

    def resend(self, key: str, **changes) -> str:
        """Keep the person's change: send it again, with ``changes`` applied to its request (e.g. ``version=``
        the record's new version after a conflict). A new idempotency key is chosen and saved before it is
        sent. Returns the new key."""
        row = self._on_cache(lambda: self.cache.outbox_item(key))
        if row is None or row["state"] != NEEDS_YOU:
            raise KeyError(key)
        op = OPERATIONS[row["op"]]
        request = wire.decode(op.request, json.loads(row["request"]))
        if changes:
            request = replace(request, **changes)
        fresh = new_key()
        self._on_cache(lambda: self.cache.outbox_update(key, new_key=fresh, state=PENDING, refusal=None,
                                                        refusal_params=None, request=json.dumps(wire.encode(request))))
        self._changed()
        self.kick()
        return fresh

    def discard(self, key: str) -> bool:
        """Give up a change (only one that needs the person, or one still waiting to be sent)."""
        gone = self._on_cache(lambda: self.cache.outbox_delete(key))
        with self._lock:
            waiting = self._waiting.pop(key, None)
        if waiting is not None and not waiting.done():
            waiting.set_exception(Queued(key))
        self._changed()
        return gone

    def kick(self) -> None:
        """Try to send now (e.g. the status bar saw the directory answer again)."""
        self._wake.set()

    def drain(self) -> int:
        """Send what is pending, in order, on the calling thread (the worker calls this; tests may). Stops at
        the first item the directory cannot take now. Returns how many were sent."""
        sent = 0
        while not self._stop.is_set():
            viewer = self._viewer()
            if viewer is None or viewer.session == self._ended_told:  # signed out, locked, or ended: wait
                return sent
            rows = [r for r in self._on_cache(self.cache.outbox_items) if r["state"] == PENDING]
            if not rows:
                return sent
            outcome = self._send(rows[0], viewer)
            if outcome is None:
                return sent
            sent += outcome
        return sent

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._worker.is_alive() and threading.current_thread() is not self._worker:
            self._worker.join(timeout=STEP_TIMEOUT_S)
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for key, future in waiting.items():
            if not future.done():
                future.set_exception(Queued(key))

    # -- sending --------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.retry_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.drain()
            except Exception:
                if self._stop.is_set():  # closing: what was in flight stays kept, sent next time
                    return
                log.exception("outbox: sending failed; will try again")

    def _send(self, row: dict, viewer: Viewer) -> int | None:
        """Send one item. 1 if it was done (and removed), 0 if it was refused and set aside, None to stop."""
        key = row["key"]
        op = OPERATIONS.get(row["op"])
        with self._lock:
            waiting = self._waiting.get(key)
        first = waiting is not None and row["attempts"] == 0
        if op is None:  # from a newer client: never dropped
            self._on_cache(lambda: self.cache.outbox_update(key, state=NEEDS_YOU, refusal="request.invalid"))
            self._changed()
            return 0
        request = wire.decode(op.request, json.loads(row["request"]))
        if row["colleague"]:
            viewer = Viewer(viewer.user, wire.decode(Colleague, json.loads(row["colleague"])), viewer.session)
        self._on_cache(lambda: self.cache.outbox_update(key, attempts=row["attempts"] + 1))
        try:
            if not self._found(viewer, request):
                return self._set_aside(key, first, AccessRefused(NOT_FOUND_AGAIN))
            answer = self.directory.perform(op, viewer, request, key=key).result(timeout=STEP_TIMEOUT_S)
        except (DirectoryUnavailable, RateLimited, TimeoutError):
            self._all_queued()
            return None
        except Refusal as exc:
            if exc.code in WAIT_FOR_SESSION:
                self._all_queued()
                if exc.code == "access.session_ended":
                    self._session_ended(viewer.session)
                return None
            return self._set_aside(key, first, exc)
        self._sent(key)
        self._on_cache(lambda: self.cache.outbox_delete(key))
        self._settle(key, answer=answer)
        self._changed()
        return 1

    def _session_ended(self, session: str) -> None:
        """Tell the person once per session, and send nothing more with it: a session the directory ended only
        gets the same answer. A new session (signed in again) sends what waits."""
        if self._ended_told == session:
            return
        self._ended_told = session
        if self._on_session_ended is not None:
            try:
                self._on_session_ended()
            except Exception:
                log.exception("outbox: the session-ended callback failed")

    def _found(self, viewer: Viewer, request) -> bool:
        """May this session act on the request's child? If its results never held the child (the change was
        made in an earlier session), search again by the directory id with the person's reason first."""
        did, reason = getattr(request, "directory_id", ""), getattr(request, "reason", None)
        if not did or not isinstance(reason, Reason) or did in self.found:
            return True
        return find_again(self.directory, viewer, did, reason, self.found)

    def _set_aside(self, key: str, first: bool, exc: Refusal) -> int:
        """The directory refused the change: the person waiting gets the refusal (as for any change); one made
        earlier waits as "needs you", with the refusal's code and what its words need."""
        if first:
            self._on_cache(lambda: self.cache.outbox_delete(key))
        else:
            code, params = exc.code, json.dumps(exc.params, default=str)  # bound now: run on the cache thread
            self._on_cache(lambda: self.cache.outbox_update(key, state=NEEDS_YOU, refusal=code, refusal_params=params))
        self._settle(key, exc=exc)
        self._changed()
        return 0

    def _sent(self, key: str) -> None:
        """Hook between the directory's answer and the item's removal (tests kill the process here)."""

    def _all_queued(self) -> None:
        """The directory cannot take changes now: everyone waiting is told theirs is kept (``Queued``)."""
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for key, future in waiting.items():
            if not future.done():
                future.set_exception(Queued(key))

    def _settle(self, key: str, *, answer=None, exc: BaseException | None = None) -> None:
        with self._lock:
            future = self._waiting.pop(key, None)
        if future is None or future.done():
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(answer)

    # -- helpers -------------------------------------------------------------------------------------------
    def _on_cache(self, fn):
        return self._cache_thread.call(fn, timeout=STEP_TIMEOUT_S)

    def _changed(self) -> None:
        try:
            counts = self.counts()
        except Exception:
            return
        with self._lock:
            if counts == self._last_counts:
                return
            self._last_counts = counts
            callbacks = list(self._callbacks)
        for cb in callbacks:
            try:
                cb(*counts)
            except Exception:
                log.exception("outbox: a change callback failed")

    def _item(self, row: dict) -> OutboxItem:
        op = OPERATIONS.get(row["op"])
        try:
            request = wire.decode(op.request, json.loads(row["request"])) if op else None
        except (ValueError, wire.WireError):
            request = None
        did = getattr(request, "directory_id", "") or ""
        try:
            params = json.loads(row["refusal_params"]) if row["refusal_params"] else {}
        except ValueError:
            params = {}
        return OutboxItem(row["key"], row["op"], op.summary if op else row["op"], did, row["child"] or "",
                          row["state"], row["refusal"] or "", params if isinstance(params, dict) else {},
                          (row["refusal"] or "") in CONFLICTS, row["created_at"], row["attempts"], request)


__all__ = ["Outbox", "OutboxItem", "Queued", "PENDING", "NEEDS_YOU", "CONFLICTS", "NOT_FOUND_AGAIN"]
