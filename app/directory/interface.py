"""The directory interface: every operation the screens use, returning futures.

Two implementations: ``EmbeddedDirectory`` (the engine on its own thread, the
training default) and ``RemoteDirectory`` (the HTTPS service). The screens and
the session manager cannot tell which they talk to, except through
``status()``. What crosses the interface is plain data (``app.model``,
``app.search``, ``app.audit``); refusals are coded errors (``app.refusals``);
a directory that cannot be reached raises ``Unreachable`` and its kin.
"""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ..audit import Checkpoint, Entry, OwnEntry
from ..model import Reason, RecordView, Viewer
from ..search import Criteria, Outcome
from .engine import SignedIn
from .work.operations import Operation

Req = TypeVar("Req")
Ans = TypeVar("Ans")


@dataclass(frozen=True)
class DirectoryStatus:
    """What the status bar shows: which directory, and whether it answers."""

    kind: str  # "training" (embedded) or "service" (HTTPS)
    where: str  # "Training directory" or the service's URL
    online: bool
    last_contact: float | None = None  # time.time() of the last answer
    closes_at: float | None = None  # time.time() of the switch-off, where the directory has one (R-CLOSE-1)
    problem: str = ""  # when not online, why: the code of the last failure ("offline", "certificate", ...)
    since: float | None = None  # when not online, since when (time.time())


class DirectoryUnavailable(Exception):
    """The directory could not be asked (as opposed to a refusal, which it answered)."""

    code = "unavailable"
    worth_retrying = False  # a read may be asked again at once (the remote client: a dropped connection)

    def __init__(self, code: str = "", detail: str = "", retry_after_s: int | None = None) -> None:
        super().__init__(code or self.code)
        self.code = code or self.code
        self.detail = detail
        self.retry_after_s = retry_after_s


class Unreachable(DirectoryUnavailable):
    code = "offline"  # no connection, timed out, refused
    worth_retrying = False  # set where it is raised: whether asking again may help
    never_sent = False  # set where it is raised: no connection was made, so no node saw the request


class CertificateProblem(DirectoryUnavailable):
    code = "certificate"  # TLS did not verify against the configured CA bundle


class ServiceError(DirectoryUnavailable):
    code = "server_error"  # 5xx, or a reply that is not what the interface promises ("malformed")


class ServiceClosed(DirectoryUnavailable):
    code = "service_closed"  # the service has been switched off (R-CLOSE-1)


class DirectoryClient(Protocol):
    def status(self) -> DirectoryStatus: ...
    def health(self) -> Future[None]: ...  # answers when the directory does (a client that lost touch asks)
    def last_used(self, session: str) -> float | None: ...  # monotonic time a request of ``session`` last answered

    # sign-in, lock, unlock, sign-out (R-ROLE-4, R-LOCAL-2)
    def challenge(self) -> Future[bytes]: ...
    def sign_in(self, username: str, password: str, serial: str, challenge: bytes,
                signature: bytes) -> Future[SignedIn]: ...
    def unlock(self, signed: SignedIn, serial: str, challenge: bytes, signature: bytes) -> Future[SignedIn]: ...
    def lock(self, signed: SignedIn, why: str) -> Future[None]: ...
    def sign_out(self, signed: SignedIn) -> Future[None]: ...
    def report_token_refusal(self, username: str, serial: str, kind: str, during: str) -> Future[None]: ...

    # the directory at work
    def search(self, viewer: Viewer, criteria: Criteria, reason: Reason) -> Future[Outcome]: ...
    def view_record(self, viewer: Viewer, directory_id: str, reason: Reason) -> Future[RecordView]: ...
    def unlock_account(self, viewer: Viewer, username: str) -> Future[None]: ...

    # the work operations (issue 8): involvements, shields, contact, inbox, LA management, retention,
    # the closure register. ``key`` is an idempotency key: a write sent twice with it is done once.
    def perform(self, op: Operation[Req, Ans], viewer: Viewer, request: Req,
                key: str | None = None) -> Future[Ans]: ...

    # audit (R-AUDIT-1, R-AUDIT-2)
    def audit_entries(self, viewer: Viewer, since_seq: int = 0) -> Future[list[Entry]]: ...
    def audit_checkpoint(self) -> Future[Checkpoint]: ...
    def audit_consistency(self, old_size: int, new_size: int) -> Future[list[bytes]]: ...
    def audit_public_key(self) -> Future[bytes]: ...
    def audit_own_entry(self, viewer: Viewer, seq: int, size: int) -> Future[OwnEntry]: ...
    def report_audit_alert(self, username: str, kept: dict, now_seen: dict, what: str = "") -> Future[None]: ...

    def close(self) -> None: ...
