"""Offline copies and shields (R-SHIELD-2/4, R-LOCAL-2, issue 13 §3.2), on the client. Qt-free.

A record the user opened is kept in their encrypted cache to read while the directory cannot be reached. A shield
set after the copy was made must not be undone by it:

- The client hears of shields by asking (``CopyChecker``): it sends the directory the ids of the copies it holds
  (``operations.CHECK_COPIES``) and drops those the directory says the user may no longer see in full. It asks
  when the session opens (sign-in, unlock), every ``every_s`` while the directory answers, and, after the
  directory could not be reached (its own check failed, or an offline copy was asked for: ``kick``), as soon as
  it answers again. The time each check was *sent* is kept in the cache (``CHECKED_AT``): every copy made before
  it was confirmed by it.
- An offline copy whose shield state is unknown since it was made (made after the last check, or never checked)
  is shown only as a shielded record would be (``as_restricted``: names, date of birth, gender, directory id,
  the LA team), and the screen says why.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .directory.interface import DirectoryClient, DirectoryUnavailable
from .directory.work import operations as ops
from .directory.work import types as t
from .executor import SerialExecutor
from .localcache import CacheError, LocalCache
from .model import RecordView, Viewer
from .refusals import Refusal

log = logging.getLogger(__name__)

CHECKED_AT = "copies_checked_at"  # kept value: time.time() when the last successful check was sent
EVERY_S = 300.0
RETRY_S = 15.0
STEP_TIMEOUT_S = 60


def as_restricted(view: RecordView) -> RecordView:
    """What a shielded record shows most users (R-SHIELD-1), from a copy whose shield state is not known."""
    return RecordView(view.directory_id, view.name, (), view.dob, view.gender, shielded=view.shielded,
                      shield_applied=True, la_team=view.la_team)


def confirmed(fetched_at: float, checked_at: float | None) -> bool:
    """Whether a copy made at ``fetched_at`` was confirmed by a check sent at ``checked_at`` (made before it)."""
    return checked_at is not None and fetched_at < checked_at


def checked_at(cache: LocalCache) -> float | None:
    raw = cache.get_value(CHECKED_AT)
    try:
        return float(raw.decode()) if raw else None
    except ValueError:
        return None


class CopyChecker:
    """Asks the directory about the copies in ``cache`` on its own thread (never the GUI thread); cache calls run
    on ``cache_thread``, the thread that owns the cache. ``viewer()`` is the session's viewer, None while it is
    locked or signed out (nothing is asked then)."""

    def __init__(self, directory: DirectoryClient, cache: LocalCache, cache_thread: SerialExecutor,
                 viewer: Callable[[], Viewer | None], *, every_s: float = EVERY_S, retry_s: float = RETRY_S,
                 clock: Callable[[], float] = time.time, start: bool = True) -> None:
        self.directory = directory
        self.cache = cache
        self._cache_thread = cache_thread
        self._viewer = viewer
        self.every_s, self.retry_s = every_s, retry_s
        self._clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.reachable = True
        self.checks = 0  # successful checks, for tests and the status
        self._worker = threading.Thread(target=self._run, name="copy-check", daemon=True)
        if start:
            self._worker.start()

    def kick(self) -> None:
        """Check now (the session opened, or the directory answered again)."""
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._worker.is_alive() and threading.current_thread() is not self._worker:
            self._worker.join(timeout=STEP_TIMEOUT_S)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.check_now()
            self._wake.wait(self.every_s if self.reachable else self.retry_s)
            self._wake.clear()

    def _on_cache(self, fn):
        try:
            future = self._cache_thread.submit(fn)
        except RuntimeError as exc:  # the session manager is closing: its cache thread takes no more work
            self._stop.set()
            raise CacheError("the cache thread has stopped") from exc
        return future.result(timeout=STEP_TIMEOUT_S)

    def check_now(self) -> bool:
        """One check; True when the directory answered (and what it said was applied)."""
        viewer = self._viewer()
        if viewer is None or self._stop.is_set():
            return False
        try:
            sent_at = self._clock()  # before the ids are read: a copy made after it is not confirmed by this check
            held = self._on_cache(self.cache.record_keys)
            answer = t.CopiesChecked()
            if held:
                answer = self.directory.perform(ops.CHECK_COPIES, viewer, t.HeldCopies(tuple(held))).result(
                    timeout=STEP_TIMEOUT_S)

            def apply() -> None:
                self.cache.drop_records(answer.drop)
                self.cache.put_value(CHECKED_AT, repr(sent_at).encode())
            self._on_cache(apply)
        except DirectoryUnavailable:
            self.reachable = False  # retried every retry_s: the first answer is "back online"
            return False
        except Refusal as exc:  # a session ended or locked meanwhile: the next sign-in or unlock checks again
            log.info("offline copies not checked: %s", exc.code)
            return False
        except (CacheError, TimeoutError) as exc:  # the cache closed under us (a lock), or it did not answer
            log.info("offline copies not checked: %s", exc)
            return False
        if answer.drop:
            log.info("dropped %d offline copies the directory now restricts", len(answer.drop))
        self.reachable = True
        self.checks += 1
        return True
