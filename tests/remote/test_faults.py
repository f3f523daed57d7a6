"""The remote client against a service that fails: each failure is one clear exception, never data,
never a hang (issue 7: offline, certificate problem, server error, session expired, rate-limited, closed)."""
from __future__ import annotations

import json
import socket
import threading
import time
from datetime import date

import pytest

from app.directory import (
    AccessRefused,
    CertificateProblem,
    NoSuchRecord,
    RateLimited,
    SearchRefused,
    ServiceClosed,
    ServiceError,
    SignInRefused,
    Unreachable,
)
from app.directory.remote import GET_ATTEMPTS, RemoteDirectory
from app.model import AccessReason, Reason, Role, User, Viewer
from app.search import Criteria
from tests.remote.stubs import StubServer
from ui.refusals import WORDS

QUICK = (1.0, 0.5)  # connect, read timeouts for the stubs
USER = User("alex.practitioner", "Alex Morgan", Role.PRACTITIONER, "NBR", "Hub", True, True, date(2025, 1, 1))
VIEWER = Viewer(USER, None, "a-session")
REASON = Reason(AccessReason.PROVIDING_SERVICE)
CRITERIA = Criteria(family_name="Smith", dob=date(2015, 1, 1))


def client(stub: StubServer, tls, **kw) -> RemoteDirectory:
    return RemoteDirectory(stub.url, str(tls.ca_file) if tls else "", timeouts=QUICK, **kw)


def failure(future, timeout: float = 10):
    """The exception a future ends with (it must end with one, and in time)."""
    exc = future.exception(timeout=timeout)
    assert exc is not None, f"expected a failure, got {future.result()!r}"
    return exc


def test_a_service_that_stops_mid_reply_is_unreachable(tls):
    def cut_off(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "5000")
        h.end_headers()
        h.wfile.write(b'{"hits": [')
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    with StubServer(cut_off, tls) as stub:
        remote = client(stub, tls)
        exc = failure(remote.search(VIEWER, CRITERIA, REASON))
        assert type(exc) is Unreachable and exc.code == "offline"
        assert len(stub.seen) == 1  # a search is a POST: sent once, never repeated
        assert remote.status().online is False
        remote.close()


def test_a_service_that_hangs_up_is_unreachable_and_only_reads_are_retried(tls):
    def hang_up(h):
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    with StubServer(hang_up, tls) as stub:
        remote = client(stub, tls)
        assert type(failure(remote.audit_checkpoint())) is Unreachable
        assert [m for m, *_ in stub.seen] == ["GET"] * GET_ATTEMPTS  # an idempotent read is tried again
        assert type(failure(remote.challenge())) is Unreachable
        assert [m for m, *_ in stub.seen][GET_ATTEMPTS:] == ["POST"]  # a POST is sent once
        remote.close()


def test_a_stopped_service_is_unreachable_and_the_status_says_offline(tls):
    with StubServer(lambda h: h.reply(200, {"challenge": "AAAA"}), tls) as stub:
        remote = client(stub, tls)
        assert remote.challenge().result(5) == b"\0\0\0"
        seen = remote.status()
        assert seen.kind == "service" and seen.where == stub.url and seen.online and seen.last_contact
    exc = failure(remote.challenge())  # the stub is gone: nothing listens on that port
    assert type(exc) is Unreachable
    after = remote.status()
    assert after.online is False and after.last_contact == seen.last_contact  # last contact is kept
    remote.close()


def test_a_reply_slower_than_the_read_timeout_is_unreachable_in_bounded_time(tls):
    release = threading.Event()

    def slow(h):
        release.wait(3 * QUICK[1])
        h.reply(200, {})

    with StubServer(slow, tls) as stub:
        remote = client(stub, tls)
        started = time.monotonic()
        assert type(failure(remote.audit_checkpoint())) is Unreachable
        assert type(failure(remote.lock(_signed(), "idle"))) is Unreachable
        assert time.monotonic() - started < 2 * QUICK[1] + 1.5  # each gave up after one read timeout
        assert [m for m, *_ in stub.seen] == ["GET", "POST"]  # a slow service is not asked again
        release.set()
        remote.close()


def test_a_500_is_a_server_error_whatever_its_body_says(tls):
    def broken(h):
        h.problem(500, "access", "access.session_ended")  # even a refusal-shaped body is not a refusal

    with StubServer(broken, tls) as stub:
        remote = client(stub, tls)
        exc = failure(remote.search(VIEWER, CRITERIA, REASON))
        assert type(exc) is ServiceError and exc.code == "server_error"
        assert remote.status().online  # it answered
        remote.close()


def test_a_gateway_error_on_a_read_is_retried_and_can_recover(tls):
    answers = iter([502, 504])

    def flaky(h):
        status = next(answers, 200)
        if status == 200:
            h.reply(200, {"public_key": "ab" * 32})
        else:
            h.reply(status, b"<html>bad gateway</html>", "text/html")

    with StubServer(flaky, tls) as stub:
        remote = client(stub, tls)
        assert remote.audit_public_key().result(5) == bytes.fromhex("ab" * 32)
        assert len(stub.seen) == 3
        remote.close()


@pytest.mark.parametrize("call, body", [
    ("search", b'{"hits": [ this is not json'),
    ("search", b'{"hits": "not a list"}'),  # JSON of the wrong shape
    ("search", json.dumps({"hits": [{"directory_id": "123 456 7890"}]}).encode()),  # a hit missing its fields
    ("view", json.dumps({"directory_id": "123 456 7890", "name": {"given_names": "A", "family_name": "B"},
                         "other_names": [], "dob": "2015-01-01", "gender": "F", "shielded": False,
                         "shield_applied": False,
                         "involvements": [{"type": "Pwned", "involvement_id": 1}]}).encode()),
    ("checkpoint", b'{"size": "12", "root": "zz", "at": "now", "signature": ""}'),
    ("challenge", b'{"challenge": "not base64!"}'),
    ("challenge", b'[]'),
    ("lock", b'"ok"'),
])
def test_a_malformed_reply_is_a_service_error_never_data(tls, call, body):
    with StubServer(lambda h: h.reply(200, body), tls) as stub:
        remote = client(stub, tls)
        future = {"search": lambda: remote.search(VIEWER, CRITERIA, REASON),
                  "view": lambda: remote.view_record(VIEWER, "123 456 7890", REASON),
                  "checkpoint": remote.audit_checkpoint,
                  "challenge": remote.challenge,
                  "lock": lambda: remote.lock(_signed(), "idle")}[call]()
        exc = failure(future)
        assert type(exc) is ServiceError and exc.code == "malformed"
        remote.close()


def test_an_error_without_a_problem_document_is_malformed(tls):
    with StubServer(lambda h: h.reply(404, b"<html>not found</html>", "text/html"), tls) as stub:
        remote = client(stub, tls)
        exc = failure(remote.search(VIEWER, CRITERIA, REASON))
        assert type(exc) is ServiceError and exc.code == "malformed"
        remote.close()


def test_a_certificate_from_another_ca_is_a_certificate_problem(tls, other_tls):
    with StubServer(lambda h: h.reply(200, {"challenge": "AAAA"}), other_tls) as stub:
        remote = client(stub, tls)  # trusts only our CA
        exc = failure(remote.challenge())
        assert type(exc) is CertificateProblem and exc.code == "certificate"
        assert remote.status().online is False and remote.status().problem == "certificate"
        assert stub.seen == []  # nothing was sent to the impostor
        remote.close()


class HangsUpInHandshake:
    """A TCP listener that reads the client's TLS hello and closes the connection (a relay cut mid-handshake)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.accepted = 0
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(5)
                conn.recv(4096)

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


def test_a_connection_dropped_during_the_tls_handshake_is_unreachable_not_a_certificate_problem(tls):
    """Issue 15 2.2: a dropped connection is not reported as a certificate problem ("do not carry on"); the
    directory simply cannot be reached, a read is tried again, and the status says offline."""
    cut = HangsUpInHandshake()
    remote = RemoteDirectory(cut.url, str(tls.ca_file), timeouts=QUICK)
    try:
        exc = failure(remote.audit_checkpoint())
        assert type(exc) is Unreachable and exc.code == "offline"
        assert cut.accepted == GET_ATTEMPTS  # a read is tried again, as after any dropped connection
        status = remote.status()
        assert status.online is False and status.problem == "offline" and status.since is not None
    finally:
        remote.close()
        cut.close()


def test_a_missing_ca_bundle_is_a_certificate_problem(tls, tmp_path):
    with StubServer(lambda h: h.reply(200, {"challenge": "AAAA"}), tls) as stub:
        remote = RemoteDirectory(stub.url, str(tmp_path / "no-such-ca.pem"), timeouts=QUICK)
        assert type(failure(remote.challenge())) is CertificateProblem
        remote.close()


def test_a_certificate_for_another_host_is_a_certificate_problem(tls, tmp_path):
    from tests.remote.stubs import make_tls
    elsewhere = make_tls(tmp_path, "elsewhere", hosts=("directory.example.org",))
    with StubServer(lambda h: h.reply(200, {"challenge": "AAAA"}), elsewhere) as stub:
        remote = RemoteDirectory(stub.url, str(elsewhere.ca_file), timeouts=QUICK)  # right CA, wrong name
        assert type(failure(remote.challenge())) is CertificateProblem
        remote.close()


@pytest.mark.parametrize("code, means", [("session.expired", "access.session_ended"),
                                          ("session.locked", "access.session_locked")])
def test_an_expired_or_locked_session_is_the_engines_own_refusal(tls, code, means):
    with StubServer(lambda h: h.problem(401, "session", code), tls) as stub:
        remote = client(stub, tls)
        exc = failure(remote.view_record(VIEWER, "123 456 7890", REASON))
        assert type(exc) is AccessRefused and exc.code == means and exc.code in WORDS
        assert stub.seen[0][2] == "Bearer a-session"  # the session travels as a bearer token
        remote.close()


def test_429_is_rate_limited_with_the_wait_from_the_body_or_the_header(tls):
    answers = iter([
        lambda h: h.problem(429, "rate_limited", "rate.searches", headers={"Retry-After": "40"}, count=20,
                            window_s=60, wait_s=17),
        lambda h: h.problem(429, "rate_limited", "rate.searches", headers={"Retry-After": "40"}, count=20,
                            window_s=60),
        lambda h: h.reply(429, b"slow down", "text/plain", {"Retry-After": "9"}),
    ])
    with StubServer(lambda h: next(answers)(h), tls) as stub:
        remote = client(stub, tls)
        waits = []
        for _ in range(3):
            exc = failure(remote.search(VIEWER, CRITERIA, REASON))
            assert type(exc) is RateLimited
            waits.append(exc.retry_after_s)
        assert waits == [17, 40, 9]
        remote.close()


def test_service_closed_is_its_own_failure(tls):
    with StubServer(lambda h: h.problem(503, "service", "service.closed", closed_at="2026-12-01T00:00:00Z"),
                    tls) as stub:
        remote = client(stub, tls)
        exc = failure(remote.search(VIEWER, CRITERIA, REASON))
        assert type(exc) is ServiceClosed and exc.code == "service_closed"
        assert len(stub.seen) == 1
        remote.close()


@pytest.mark.parametrize("status, kind, code, cls", [
    (422, "search", "search.add_detail", SearchRefused),
    (403, "access", "access.not_from_results", AccessRefused),
    (401, "sign_in", "sign_in.wrong_factor", SignInRefused),
    (404, "no_such_record", "record.gone", NoSuchRecord),
])
def test_a_problem_document_becomes_the_same_refusal(tls, status, kind, code, cls):
    with StubServer(lambda h: h.problem(status, kind, code, "family_name", has_given=False), tls) as stub:
        remote = client(stub, tls)
        exc = failure(remote.search(VIEWER, CRITERIA, REASON))
        assert type(exc) is cls and exc.code == code and exc.field == "family_name"
        assert exc.params == {"has_given": False}
        remote.close()


def test_requests_carry_what_the_contract_says(tls):
    answers = {"/v1/challenge": {"challenge": "AAEC"}, "/v1/search": {"hits": []}}

    with StubServer(lambda h: h.reply(200, answers.get(h.path.split("?")[0], {})), tls) as stub:
        remote = client(stub, tls)
        remote.search(VIEWER, CRITERIA, REASON).result(5)
        remote.view_record(VIEWER, "123 456 7890", REASON).exception(5)
        remote.audit_entries(VIEWER, 7).exception(5)
        remote.sign_out(_signed()).result(5)
        method, path, auth, body = stub.seen[0]
        assert (method, path, auth) == ("POST", "/v1/search", "Bearer a-session")
        assert json.loads(body) == {"criteria": {"family_name": "Smith", "given_name": "", "dob": "2015-01-01",
                                                 "dob_to": None, "age_from": None, "age_to": None, "postcode": "",
                                                 "directory_id": ""},
                                    "reason": {"code": "providing_service", "detail": ""}, "on_behalf_of": None}
        assert stub.seen[1][:2] == ("POST", "/v1/records/123%20456%207890/view")
        assert stub.seen[2][:2] == ("GET", "/v1/audit/entries?since=7")
        assert stub.seen[3][:3] == ("DELETE", "/v1/session", "Bearer s-1")
        remote.close()


def test_requests_share_one_kept_alive_connection(tls):
    with StubServer(lambda h: h.reply(200, {"challenge": "AAAA"}), tls) as stub:
        remote = client(stub, tls)
        for _ in range(5):
            remote.challenge().result(5)
        assert len(stub.seen) == 5 and len(stub.connections) == 1  # one TLS handshake, not five
        remote.close()


def test_a_session_id_the_service_could_not_have_issued_is_never_sent(tls):
    with StubServer(lambda h: h.reply(200, {"hits": []}), tls) as stub:
        remote = client(stub, tls)
        for odd in ("tok\r\nX-Evil: 1", "jeton-\u00e9t\u00e9", "x" * 600):
            exc = failure(remote.search(Viewer(USER, None, odd), CRITERIA, REASON))
            assert type(exc) is AccessRefused and exc.code == "access.session_ended"
        assert stub.seen == []
        remote.close()


def _signed():
    from app.directory import SignedIn
    return SignedIn(USER, "serial", b"", "s-1")


@pytest.mark.parametrize("url, allow", [
    ("http://directory.example.org", True),  # plain HTTP off loopback: never
    ("http://127.0.0.1:8080", False),  # loopback, but not explicitly allowed
    ("ftp://127.0.0.1", True),
    ("directory.example.org", True),
])
def test_plain_http_is_refused(url, allow):
    with pytest.raises(ValueError, match="https://"):
        RemoteDirectory(url, "/some/ca.pem", allow_plain_loopback=allow)


def test_https_without_a_ca_bundle_is_refused():
    with pytest.raises(ValueError, match="CA bundle"):
        RemoteDirectory("https://directory.example.org", "")


def test_plain_http_to_loopback_only_when_explicitly_allowed():
    with StubServer(lambda h: h.reply(200, {"challenge": "AAAA"}), None) as stub:
        remote = RemoteDirectory(stub.url, "", timeouts=QUICK, allow_plain_loopback=True)
        assert remote.challenge().result(5) == b"\0\0\0"
        remote.close()


def test_a_closed_client_fails_at_once(tls):
    remote = RemoteDirectory("https://127.0.0.1:9", str(tls.ca_file), timeouts=QUICK)
    remote.close()
    assert type(failure(remote.challenge(), timeout=1)) is Unreachable
