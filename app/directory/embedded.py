"""The embedded directory: the engine on its own thread, behind the directory interface.

The SQLCipher connection is created, used and closed on one dedicated thread;
callers get futures, so the GUI never waits on the database. Nothing outside
this thread touches the engine's connection.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from .. import db
from ..executor import SerialExecutor
from ..model import Reason, Viewer
from ..refusals import SwitchedOff
from ..search import Criteria
from .engine import Directory, SignedIn
from .interface import DirectoryStatus, DirectoryUnavailable, ServiceClosed

T = TypeVar("T")


def _disk_full(exc: BaseException) -> bool:
    """SQLITE_FULL (13), or ENOSPC from the file system: the one place a full disk is recognised."""
    import errno
    return (getattr(exc, "sqlite_errorcode", None) == 13 or getattr(exc, "errno", None) == errno.ENOSPC
            or "disk is full" in str(exc).lower())


class EmbeddedDirectory:
    kind = "training"

    def __init__(self, open_directory: Callable[[], Directory]) -> None:
        self._executor = SerialExecutor("directory")
        self._engine: Directory | None = None
        self._last_contact: float | None = None
        self.opened: Future[None] = self._executor.submit(self._open, open_directory)

    def _open(self, open_directory: Callable[[], Directory]) -> None:
        try:
            self._engine = open_directory()
        except (db.DatabaseError, OSError) as exc:
            if _disk_full(exc):
                raise DirectoryUnavailable("disk_full", str(exc)) from exc
            raise

    def _call(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        def run() -> T:
            if self._engine is None:
                self.opened.result()  # re-raises why it did not open
                raise RuntimeError("the directory is closed")
            try:
                out = fn(self._engine, *args)
            except SwitchedOff as exc:  # R-CLOSE-1: what the remote client raises for the service's 503
                raise ServiceClosed(detail="switched off") from exc
            except (db.DatabaseError, OSError) as exc:
                if _disk_full(exc):
                    raise DirectoryUnavailable("disk_full", str(exc)) from exc
                if isinstance(db.fault(exc, ""), db.WrongKeyOrCorrupt):  # a page damaged since it was opened
                    raise DirectoryUnavailable("corrupt", str(exc)) from exc
                raise
            self._last_contact = time.time()
            return out
        return self._executor.submit(run)

    def run_on_engine(self, fn: Callable[[Directory], T]) -> Future[T]:
        """Run ``fn(engine)`` on the directory thread: for the training set-up, admin tools and tests,
        never for screens."""
        return self._call(fn)

    def status(self) -> DirectoryStatus:
        engine = self._engine
        return DirectoryStatus(self.kind, "Training directory", engine is not None, self._last_contact,
                               engine.closes_at if engine is not None else None)

    def health(self) -> Future[None]:
        return self._call(lambda _engine: None)

    def last_used(self, session: str) -> float | None:
        """The embedded directory sets no limit on a session's idle time (``SignedIn.session_idle_s``)."""
        return None

    def challenge(self):
        return self._call(Directory.challenge)

    def sign_in(self, username, password, serial, challenge, signature):
        return self._call(Directory.sign_in, username, password, serial, challenge, signature)

    def unlock(self, signed: SignedIn, serial, challenge, signature):
        def unlock(d: Directory) -> SignedIn:
            d.unlock(signed.user, serial, challenge, signature, signed.session)
            return signed
        return self._call(unlock)

    def lock(self, signed: SignedIn, why: str):
        return self._call(Directory.lock, signed.user, why, signed.session)

    def sign_out(self, signed: SignedIn):
        return self._call(Directory.sign_out, signed.user, signed.session)

    def report_token_refusal(self, username, serial, kind, during):
        return self._call(Directory.report_token_refusal, username, serial, kind, during)

    def search(self, viewer: Viewer, criteria: Criteria, reason: Reason):
        return self._call(Directory.search, viewer, criteria, reason)

    def view_record(self, viewer: Viewer, directory_id: str, reason: Reason):
        return self._call(Directory.view_record, viewer, directory_id, reason)

    def unlock_account(self, viewer: Viewer, username: str):
        return self._call(Directory.unlock_account, viewer, username)

    def perform(self, op, viewer: Viewer, request, key: str | None = None):
        """One work operation (``app.directory.work.operations``) on the engine's thread."""
        return self._call(Directory.perform, op, viewer, request, key)

    def audit_entries(self, viewer: Viewer, since_seq: int = 0):
        return self._call(Directory.audit_entries, viewer, since_seq)

    def training_facts(self):
        """The training guide's facts (embedded training directory only)."""
        return self._call(Directory.training_facts)

    def audit_checkpoint(self):
        return self._call(Directory.audit_checkpoint)

    def audit_consistency(self, old_size: int, new_size: int):
        return self._call(Directory.audit_consistency, old_size, new_size)

    def audit_public_key(self):
        return self._call(Directory.audit_public_key)

    def audit_own_entry(self, viewer: Viewer, seq: int, size: int):
        return self._call(Directory.audit_own_entry, viewer, seq, size)

    def report_audit_alert(self, username, kept, now_seen, what: str = ""):
        return self._call(Directory.report_audit_alert, username, kept, now_seen, what)

    def close(self) -> None:
        def close(_engine=None) -> None:
            if self._engine is not None:
                self._engine.close()
                self._engine = None
        try:
            self._executor.submit(close).result(timeout=10)
        finally:
            self._executor.shutdown(wait=False)
