"""One service, several nodes (issue 16 §3): ``directory_url`` may name them all, and the client moves to the
next when the one it uses does not answer. Reads and writes carrying their idempotency key are asked again of
the next node; a write without one is sent to another node only when it never left the client (the connection
was refused), so nothing is ever done twice."""
from __future__ import annotations

import socket
from datetime import date

import pytest

from app.directory import Unreachable
from app.directory.remote import RemoteDirectory
from app.directory.work.operations import OPERATIONS
from app.directory.work.types import InvolvementEnd, KeepContact
from app.settings import Settings
from tests.remote.stubs import StubServer
from tests.remote.test_faults import QUICK, REASON, VIEWER, failure


def _closed_port_url() -> str:
    """An address where nothing listens: a node that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"https://127.0.0.1:{port}"


def _hang_up(h):
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


END = InvolvementEnd("123 456 7890", 1, 1, date(2026, 12, 1), KeepContact.ONE_YEAR, REASON)


def _nodes(tls, *urls: str) -> RemoteDirectory:
    return RemoteDirectory(" ".join(urls), str(tls.ca_file), timeouts=QUICK)


def test_a_node_that_is_down_is_passed_over_for_the_next_and_the_client_stays_there(tls):
    with StubServer(lambda h: h.reply(200, {"public_key": "ab" * 32, "challenge": "AAAA"}), tls) as up:
        down = _closed_port_url()
        remote = _nodes(tls, down, up.url)
        # a POST without a key that never reached the node that is down is sent to the next
        assert remote.challenge().result(10) == b"\0\0\0"
        assert remote.status().where == up.url and remote.status().online
        assert remote.audit_public_key().result(10) == bytes.fromhex("ab" * 32)
        assert [m for m, *_ in up.seen] == ["POST", "GET"]
        remote.close()


def test_a_read_a_node_dropped_is_asked_of_the_next_and_the_next_request_goes_there_first(tls):
    with StubServer(_hang_up, tls) as dropping, \
            StubServer(lambda h: h.reply(200, {"public_key": "cd" * 32}), tls) as answering:
        remote = _nodes(tls, dropping.url, answering.url)
        assert remote.audit_public_key().result(10) == bytes.fromhex("cd" * 32)
        assert len(dropping.seen) == 1 and len(answering.seen) == 1
        remote.audit_public_key().result(10)
        assert len(dropping.seen) == 1 and len(answering.seen) == 2  # the node that answered is asked first
        remote.close()


def test_a_write_without_its_key_that_reached_a_node_is_never_sent_to_another(tls):
    with StubServer(_hang_up, tls) as dropping, StubServer(lambda h: h.reply(200, {}), tls) as answering:
        remote = _nodes(tls, dropping.url, answering.url)
        exc = failure(remote.perform(OPERATIONS["end_involvement"], VIEWER, END))
        assert type(exc) is Unreachable
        assert [m for m, *_ in dropping.seen] == ["POST"] and answering.seen == []  # it may have been done
        remote.close()


def test_a_write_with_its_key_is_asked_of_the_next_node_which_does_it_at_most_once(tls):
    with StubServer(_hang_up, tls) as dropping, StubServer(lambda h: h.reply(200, {}), tls) as answering:
        remote = _nodes(tls, dropping.url, answering.url)
        remote.perform(OPERATIONS["end_involvement"], VIEWER, END, key="outbox-0001").exception(10)
        assert [m for m, *_ in dropping.seen] == ["POST"]
        assert [m for m, *_ in answering.seen] == ["POST"]  # the key makes the repeat safe (work.replays)
        remote.close()


def test_when_no_node_answers_it_is_one_failure_after_each_was_asked(tls):
    remote = _nodes(tls, _closed_port_url(), _closed_port_url())
    assert type(failure(remote.audit_public_key())) is Unreachable
    assert remote.status().online is False
    remote.close()


@pytest.mark.parametrize("value, ok", [
    ("https://a.example:8443 https://b.example:8443", True),
    ("https://a.example:8443, https://b.example:8443", True),
    ("https://a.example:8443 http://b.example:8443", False),
])
def test_the_setting_names_every_node_and_each_is_checked(tmp_path, value, ok):
    (tmp_path / "ca.pem").write_text("-")
    path = tmp_path / "settings.json"
    path.write_text(f'{{"directory_url": "{value}", "ca_bundle": "{tmp_path / "ca.pem"}"}}')
    settings = Settings.load(path, environ={})
    if ok:
        assert settings.problems == ()
    else:
        (problem,) = settings.problems
        assert "http://b.example:8443" in problem.why and "not encrypted" in problem.why


def test_nodes_mixing_https_and_plain_http_are_refused():
    with pytest.raises(ValueError, match="https"):
        RemoteDirectory("https://127.0.0.1:1 http://127.0.0.1:2", "/some/ca.pem", allow_plain_loopback=True)
