"""The remote directory: the HTTPS service behind the directory interface.

Every method sends one request to the service's API (version 1, see
README "The directory over HTTPS") from a small thread pool and returns a
future, so the GUI thread never waits. The rules:

- TLS is always verified against the configured CA bundle; plain ``http://``
  is refused unless the host is loopback *and* ``allow_plain_loopback=True``
  (tests only).
- Connect and read timeouts on every request (3 s and 10 s by default).
- One service may have several nodes (``directory_url`` names them, separated by spaces; issue 16 §3).
  Every request goes first to the node that answered last; when it does not answer, a request that may be
  repeated (below) is asked of the next node at once, and any request whose connection was refused, so that
  no node saw it, is sent to the next. A write without its idempotency key that may have reached a node is
  never sent to another.
- Only idempotent requests (GET, work reads, and work writes carrying an
  idempotency key) are retried, with exponential backoff, when
  the connection failed or a gateway answered 502/504 (not after a read
  timeout, so the wait stays bounded); a POST or DELETE is sent once, so
  nothing is ever done twice.
- Each failure raises exactly one exception:
  ``Unreachable`` (refused, reset, timed out, stopped mid-reply, closed
  or reset during the TLS handshake), ``CertificateProblem`` (the
  service's certificate did not verify against the CA bundle, or no TLS
  could be agreed at all), ``ServiceError`` (5xx, or a
  reply that does not fit the interface: code ``"malformed"``),
  ``ServiceClosed`` (503 ``service.closed``, R-CLOSE-1), or the refusal the
  service sent as an RFC 9457 problem document, rebuilt with
  ``app.refusals.from_problem`` (an expired session is
  ``AccessRefused("access.session_ended")``, a locked one
  ``"access.session_locked"``; 429 is ``RateLimited`` with
  ``wait_s`` from the body or the ``Retry-After`` header, R-SEARCH-6).

Each worker thread has its own ``requests.Session`` (a session is never
shared between threads), so connections are kept alive between requests.
"""
from __future__ import annotations

import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

from .. import audit, wire
from ..audit import Checkpoint, Entry, OwnEntry
from ..model import Colleague, Reason, RecordView, Viewer
from ..refusals import AccessRefused, RateLimited, from_problem
from ..search import Criteria, Outcome
from ..settings import directory_nodes
from .engine import SignedIn
from .interface import CertificateProblem, DirectoryStatus, ServiceClosed, ServiceError, Unreachable
from .work.operations import Operation

T = TypeVar("T")

API = "/v1"
WORKERS = 4
GET_ATTEMPTS = 3  # a GET is tried at most this often
BACKOFF_S = 0.2  # first pause between GET attempts; doubles each time
RETRY_STATUSES = frozenset({502, 504})  # a gateway that lost the service for a moment
DEFAULT_WAIT_S = 60  # a 429 that says nothing about when to come back
MAX_REPLY_BYTES = 16 * 1024 * 1024  # no directory answer is anywhere near this
# The service's session problems, as the engine's own refusals (what the embedded directory says).
SESSION_CODES = {"session.expired": "access.session_ended", "session.locked": "access.session_locked"}


@dataclass(frozen=True)
class _Reply:
    status: int
    retry_after: str | None
    content: bytes
    what: str  # "POST /search", for the detail of a failure


class RemoteDirectory:
    kind = "service"

    def __init__(self, url: str, ca_bundle: str, *, timeouts: tuple[float, float] = (3, 10),
                 allow_plain_loopback: bool = False) -> None:
        nodes = directory_nodes(url)  # one service, answered by any of its nodes (issue 16 §3)
        if not nodes:
            raise ValueError(f"The directory address {url!r} is not a web address: it should start with https://")
        self.urls = tuple(n.rstrip("/") for n in nodes)
        self._node = 0  # the node that answered last: every request is sent there first
        verify = {self._checked(node, ca_bundle, allow_plain_loopback) for node in self.urls}
        if len(verify) > 1:
            raise ValueError(f"The directory addresses {url!r} mix https:// and http://: every node is https://.")
        self._verify: str | bool = verify.pop()
        self.timeouts = timeouts
        self._executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="remote-directory")
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._online = False
        self._last_contact: float | None = None
        self._closes_at: float | None = None  # from the last probe (R-CLOSE-1)
        self._used: dict[str, float] = {}  # session -> when a request of it last had an answer (monotonic)
        self._problem = ""  # why the service is not online: the last failure's code ("offline", "certificate"...)
        self._since: float | None = None  # when it stopped answering
        self._closed = False

    @staticmethod
    def _checked(url: str, ca_bundle: str, allow_plain_loopback: bool) -> str | bool:
        """How ``url``'s certificate is checked (the CA bundle's path), or why it cannot be used."""
        parts = urlsplit(url)
        if parts.scheme == "https":
            if not ca_bundle:
                raise ValueError("A CA bundle is needed to check the directory service's certificate: set "
                                 "ca_bundle (or SIGNPOST_CA_BUNDLE) to the CA file your LA gave you.")
            verify: str | bool = str(ca_bundle)
        elif parts.scheme == "http":
            if not (allow_plain_loopback and _loopback(parts.hostname)):
                raise ValueError(f"The directory address {url} is not encrypted: use an https:// address.")
            verify = True  # unused over plain HTTP, and never False
        else:
            raise ValueError(f"The directory address {url!r} is not a web address: it should start with https://")
        if not parts.hostname:
            raise ValueError(f"The directory address {url!r} has no host name.")
        return verify

    @property
    def url(self) -> str:
        """The node the client talks to now: the one that answered last."""
        with self._lock:
            return self.urls[self._node]

    # -- the interface --------------------------------------------------------
    def status(self) -> DirectoryStatus:
        """What the client last saw: no network call."""
        with self._lock:
            return DirectoryStatus(self.kind, self.urls[self._node], self._online, self._last_contact, self._closes_at,
                                   self._problem, self._since)

    def probe(self) -> Future[dict]:
        """Ask the service how it is (``GET /v1/status``): for the status bar at start-up."""
        def read(data: Any) -> dict:
            if not isinstance(data, dict) or data.get("kind") != "service" or data.get("version") != "1":
                raise wire.WireError("not a version 1 directory service")
            closes = data.get("closes_at")
            try:
                when = datetime.fromisoformat(closes).timestamp() if isinstance(closes, str) else None
            except ValueError:
                raise wire.WireError("closes_at is not a time") from None
            with self._lock:
                self._closes_at = when
            return data
        return self._submit("GET", "/status", answer=read)

    def health(self) -> Future[None]:
        """Does the service answer (``GET /v1/health``)? For a client that lost touch with it; the status
        follows what it finds."""
        def read(data: Any) -> None:
            if not isinstance(data, dict) or data.get("status") != "ok":
                raise wire.WireError("not a health answer")
        return self._submit("GET", "/health", answer=read)

    def last_used(self, session: str) -> float | None:
        """When (``time.monotonic()``) a request of ``session`` last had an answer from the service; the
        service ends a session unused for ``SignedIn.session_idle_s``."""
        with self._lock:
            return self._used.get(session)

    def challenge(self) -> Future[bytes]:
        return self._submit("POST", "/challenge", answer=lambda d: _field(d, "challenge", bytes))

    def sign_in(self, username: str, password: str, serial: str, challenge: bytes,
                signature: bytes) -> Future[SignedIn]:
        body = {"username": username, "password": password, "serial": serial,
                "challenge": wire.encode(challenge), "signature": wire.encode(signature)}
        return self._submit("POST", "/sessions", body=body, answer=_as(SignedIn))

    def unlock(self, signed: SignedIn, serial: str, challenge: bytes, signature: bytes) -> Future[SignedIn]:
        body = {"serial": serial, "challenge": wire.encode(challenge), "signature": wire.encode(signature)}
        return self._submit("POST", "/session/unlock", body=body, bearer=signed.session, answer=_as(SignedIn))

    def lock(self, signed: SignedIn, why: str) -> Future[None]:
        return self._submit("POST", "/session/lock", body={"why": why}, bearer=signed.session, answer=_nothing)

    def sign_out(self, signed: SignedIn) -> Future[None]:
        return self._submit("DELETE", "/session", bearer=signed.session, answer=_nothing)

    def report_token_refusal(self, username: str, serial: str, kind: str, during: str) -> Future[None]:
        body = {"username": username, "serial": serial, "kind": kind, "during": during}
        return self._submit("POST", "/token-refusals", body=body, answer=_nothing)

    def search(self, viewer: Viewer, criteria: Criteria, reason: Reason) -> Future[Outcome]:
        body = {"criteria": wire.encode(criteria), "reason": wire.encode(reason),
                "on_behalf_of": _colleague(viewer.on_behalf_of)}
        return self._submit("POST", "/search", body=body, bearer=viewer.session, answer=_as(Outcome))

    def view_record(self, viewer: Viewer, directory_id: str, reason: Reason) -> Future[RecordView]:
        body = {"reason": wire.encode(reason), "on_behalf_of": _colleague(viewer.on_behalf_of)}
        return self._submit("POST", f"/records/{_segment(directory_id)}/view", body=body, bearer=viewer.session,
                            answer=_as(RecordView))

    def unlock_account(self, viewer: Viewer, username: str) -> Future[None]:
        return self._submit("POST", f"/accounts/{_segment(username)}/unlock", bearer=viewer.session,
                            answer=_nothing)

    def perform(self, op: Operation, viewer: Viewer, request, key: str | None = None) -> Future:
        """One work operation: ``POST /v1/work/<name>``. A read, or a write with an idempotency key (sent as
        ``Idempotency-Key``, so the service does it once however often it arrives), is retried like a GET."""
        body = {"request": wire.encode(request), "on_behalf_of": _colleague(viewer.on_behalf_of)}
        return self._submit("POST", op.path, body=body, bearer=viewer.session, answer=_as(op.answer),
                            retry=not op.writes or key is not None,
                            headers={"Idempotency-Key": key} if key is not None else None)

    def audit_entries(self, viewer: Viewer, since_seq: int = 0) -> Future[list[Entry]]:
        return self._submit("GET", "/audit/entries", params={"since": since_seq}, bearer=viewer.session,
                            answer=_as(list[Entry]))

    def audit_checkpoint(self) -> Future[Checkpoint]:
        return self._submit("GET", "/audit/checkpoint", answer=_checkpoint)

    def audit_consistency(self, old_size: int, new_size: int) -> Future[list[bytes]]:
        def proof(data: Any) -> list[bytes]:
            hashes = data.get("proof") if isinstance(data, dict) else None
            if not isinstance(hashes, list):
                raise wire.WireError("expected a proof")
            return [_hex(h) for h in hashes]
        return self._submit("GET", "/audit/consistency", params={"old": old_size, "new": new_size}, answer=proof)

    def audit_public_key(self) -> Future[bytes]:
        return self._submit("GET", "/audit/public-key", answer=lambda d: _hex(_field(d, "public_key", str)))

    def audit_own_entry(self, viewer: Viewer, seq: int, size: int) -> Future[OwnEntry]:
        return self._submit("GET", f"/audit/own/{int(seq)}", params={"size": size}, bearer=viewer.session,
                            answer=_as(OwnEntry))

    def report_audit_alert(self, username: str, kept: dict, now_seen: dict, what: str = "") -> Future[None]:
        body = {"username": username, "kept": kept, "now": now_seen, "what": what or None}
        return self._submit("POST", "/audit/alerts", body=body, answer=_nothing)

    def close(self) -> None:
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()

    # -- one request ------------------------------------------------------------
    def _submit(self, method: str, path: str, *, answer: Callable[[Any], T], body: dict | None = None,
                params: dict | None = None, bearer: str | None = None, retry: bool | None = None,
                headers: dict | None = None) -> Future[T]:
        if self._closed:
            done: Future[T] = Future()
            done.set_exception(Unreachable(detail="the connection to the directory service is closed"))
            return done
        return self._executor.submit(self._request, method, path, answer, body, params, bearer,
                                     method == "GET" if retry is None else retry, headers or {})

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.trust_env = False  # no proxy or CA bundle from the environment: only what was configured
            s.verify = self._verify
            s.headers.update({"Accept": "application/json, application/problem+json",
                              "User-Agent": "Signpost"})
            self._local.session = s
            with self._lock:
                self._sessions.append(s)
        return s

    def _request(self, method: str, path: str, answer: Callable[[Any], T], body: dict | None,
                 params: dict | None, bearer: str | None, retry: bool, extra_headers: dict) -> T:
        if bearer is not None and not _token_text(bearer):
            raise AccessRefused("access.session_ended")  # nothing the service issued: never sent
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        headers.update(extra_headers)
        rounds = GET_ATTEMPTS if retry else 1  # each round asks every node once, the last to answer first
        with self._lock:
            first = self._node
        order = [(first + i) % len(self.urls) for i in range(len(self.urls))]
        tries = [(round_, node) for round_ in range(rounds) for node in order]
        for i, (round_, node) in enumerate(tries):
            final = i + 1 == len(tries)
            if i and round_ != tries[i - 1][0]:
                time.sleep(BACKOFF_S * 2 ** (round_ - 1))
            try:
                reply = self._send(node, method, path, body, params, headers)
            except Unreachable as exc:
                # the next node, for a request that may be repeated or one that never left (issue 16 §3): a
                # write without its idempotency key that may have reached a node is never sent to another
                if not final and ((retry and exc.worth_retrying) or exc.never_sent):
                    continue
                raise
            if retry and reply.status in RETRY_STATUSES and not final:
                continue
            with self._lock:
                self._node = node
                if bearer and reply.status != 401:
                    self._used[bearer] = time.monotonic()
            return self._read(reply, answer)
        raise AssertionError("unreachable: the last try always returns or raises")

    def _send(self, node: int, method: str, path: str, body: dict | None, params: dict | None,
              headers: dict) -> _Reply:
        try:
            response = self._session().request(method, self.urls[node] + API + path, json=body, params=params,
                                               headers=headers, timeout=self.timeouts, allow_redirects=False,
                                               stream=True)
            try:
                content = self._read_body(response)
            finally:
                response.close()
        except requests.exceptions.SSLError as exc:
            failure = _tls_failure(exc)
            self._saw(online=False, problem=failure.code)
            failure.worth_retrying = isinstance(failure, Unreachable)
            raise failure from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            self._saw(online=False, problem=Unreachable.code)
            failure = Unreachable(detail=_why(exc))
            failure.never_sent = _never_sent(exc)
            # a service that answers too slowly is not asked again: that only adds to its load and to the wait
            failure.worth_retrying = not isinstance(exc, requests.exceptions.ReadTimeout)
            raise failure from None
        except requests.exceptions.ContentDecodingError as exc:
            self._saw(online=True)
            raise ServiceError("malformed", detail=_why(exc)) from None
        except OSError as exc:  # the CA bundle file is missing or unreadable
            self._saw(online=False, problem=CertificateProblem.code)
            raise CertificateProblem(detail=f"the CA bundle {self._verify} cannot be read: {exc}") from None
        # only plain values go on: a failure kept by the caller must not keep the connection open
        return _Reply(response.status_code, response.headers.get("Retry-After"), content, f"{method} {path}")

    def _read_body(self, reply: requests.Response) -> bytes:
        """The whole reply, bounded in size and in time (a reply that trickles in is a timeout)."""
        deadline = time.monotonic() + 2 * self.timeouts[1]
        chunks, size = [], 0
        for chunk in reply.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_REPLY_BYTES:
                raise requests.exceptions.ContentDecodingError(f"reply larger than {MAX_REPLY_BYTES} bytes")
            if time.monotonic() > deadline:
                raise requests.exceptions.ReadTimeout("the reply took too long to arrive")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read(self, reply: _Reply, answer: Callable[[Any], T]) -> T:
        status = reply.status
        if 200 <= status < 300:
            self._saw(online=True)
            try:
                return answer(json.loads(reply.content))
            except (ValueError, wire.WireError) as exc:
                raise ServiceError("malformed", detail=f"{reply.what}: {exc}") from None
        problem = _problem(reply.content)
        code = str(problem.get("code", "")) if problem else ""
        if status == 503 and code == "service.closed":  # R-CLOSE-1: the status says so from now on
            self._saw(online=False, problem=ServiceClosed.code)
            closed_at = str((problem or {}).get("params", {}).get("closed_at", ""))
            self._closed_since(closed_at)
            raise ServiceClosed(detail=closed_at)
        self._saw(online=True)
        if status >= 500:
            raise ServiceError(detail=f"{reply.what} answered {status}")
        if status == 429:
            raise _rate_limited(problem, reply.retry_after)
        if problem is None:
            raise ServiceError("malformed", detail=f"{reply.what} answered {status} without a problem document")
        if status == 401 and (problem.get("kind") == "session" or code.startswith("session.")):
            raise AccessRefused(SESSION_CODES.get(code, "access.session_ended"))
        raise from_problem(problem)

    def _closed_since(self, closed_at: str) -> None:
        """The switch-off the service reported (or now, if it did not say), unless an earlier one is known."""
        try:
            when = datetime.fromisoformat(closed_at).timestamp()
        except ValueError:
            when = time.time()
        with self._lock:
            if self._closes_at is None or self._closes_at > when:
                self._closes_at = when

    def _saw(self, online: bool, problem: str = "") -> None:
        """What the last request found: the service answered (``online``), or ``problem`` (the failure's code)."""
        with self._lock:
            if online:
                self._last_contact = time.time()
                self._since = None
            elif self._online or self._since is None:
                self._since = time.time()
            self._online = online
            self._problem = "" if online else problem


# -- helpers -------------------------------------------------------------------
DROPPED = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
           TimeoutError)  # the connection went away during the handshake: nothing was verified, or refused


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (requests -> urllib3 -> ssl), nearest first."""
    out: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(out) < 16:
        e = todo.pop(0)
        if any(e is seen for seen in out):
            continue
        out.append(e)
        reason = getattr(e, "reason", None)
        todo += [a for a in e.args if isinstance(a, BaseException)]
        todo += [x for x in (reason, e.__cause__, e.__context__) if isinstance(x, BaseException)]
    return out


def _tls_failure(exc: requests.exceptions.SSLError) -> Unreachable | CertificateProblem:
    """A certificate that did not verify is a certificate problem; a connection closed or reset during the
    handshake (a relay cut, a network dropped) is the directory not being reached. Anything else that kept
    TLS from being agreed (e.g. a plain-HTTP answer) is a certificate problem too: Signpost did not connect."""
    causes = _causes(exc)
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return CertificateProblem(detail=_why(exc))
    if any(isinstance(c, DROPPED) for c in causes):
        return Unreachable(detail=_why(exc))
    return CertificateProblem(detail=_why(exc))


def _never_sent(exc: BaseException) -> bool:
    """The connection was never made (refused, no route, timed out connecting): no node saw the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    from urllib3.exceptions import NewConnectionError
    return any(isinstance(c, (NewConnectionError, ConnectionRefusedError)) for c in _causes(exc))


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _token_text(token: str) -> bool:
    """A bearer token as RFC 6750 allows it (the service issues URL-safe base64), or empty."""
    return isinstance(token, str) and len(token) <= 512 and all(
        c.isascii() and (c.isalnum() or c in "-._~+/=") for c in token)


def _segment(text: str) -> str:
    """One path segment, whatever the text holds."""
    return quote(str(text), safe="")


def _colleague(c: Colleague | None) -> dict | None:
    return None if c is None else wire.encode(c)


def _why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _problem(content: bytes) -> dict | None:
    """The body of an RFC 9457 problem document carrying a code, or None."""
    try:
        data = json.loads(content)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str) or not data["code"]:
        return None
    if "params" in data and not isinstance(data["params"], dict):
        return None
    return data


def _retry_after(header: str | None) -> int | None:
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return int(header)
    try:
        return max(0, int(parsedate_to_datetime(header).timestamp() - time.time() + 0.999))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _rate_limited(problem: dict | None, retry_after: str | None) -> RateLimited:
    """R-SEARCH-6: the refusal, with when the user can go on (the body's ``wait_s``, else Retry-After)."""
    params = dict(problem.get("params", {})) if problem else {}
    wait = params.get("wait_s")
    if not isinstance(wait, int) or isinstance(wait, bool) or wait < 0:
        wait = _retry_after(retry_after)
        params["wait_s"] = DEFAULT_WAIT_S if wait is None else wait
    code = problem["code"] if problem else "rate.limited"
    return RateLimited(code, str(problem.get("field", "") or "") if problem else "", **params)


def _as(tp) -> Callable[[Any], Any]:
    return lambda data: wire.decode(tp, data)


def _nothing(data: Any) -> None:
    if not isinstance(data, dict):
        raise wire.WireError("expected an object")
    return None


def _field(data: Any, name: str, tp) -> Any:
    if not isinstance(data, dict) or name not in data:
        raise wire.WireError(f"expected an object with {name}")
    return wire.decode(tp, data[name])


def _hex(value: Any) -> bytes:
    if not isinstance(value, str):
        raise wire.WireError("expected hex text")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise wire.WireError("not hex") from None


def _checkpoint(data: Any) -> Checkpoint:
    """``Checkpoint.to_json()`` as the service sends it (hex fields), strictly."""
    if not isinstance(data, dict):
        raise wire.WireError("expected a checkpoint")
    size, at = data.get("size"), data.get("at")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0 or not isinstance(at, str):
        raise wire.WireError("bad checkpoint size or time")
    origin = data.get("origin", "")
    if not audit.origin_ok(origin):
        raise wire.WireError("bad checkpoint origin")
    return Checkpoint(size, _hex(data.get("root")), at, _hex(data.get("signature")), origin)


__all__ = ["RemoteDirectory"]
