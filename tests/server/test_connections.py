"""The service as uvicorn runs it over real TLS on 127.0.0.1 (issue 13 §2 items 5-6): a forwarded address
is believed only from a configured proxy, so the per-address limit cannot be dodged with X-Forwarded-For,
and a connection that sends its request slowly, or not at all, is closed."""
from __future__ import annotations

import socket
import ssl
import time

import pytest
import requests

from app import audit
from app.server import ServiceSettings, tls

from .conftest import running_https


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return tls.ensure(tmp_path_factory.mktemp("service-tls"))


def _challenges(url: str, files, forwarded: list[str]) -> list[int]:
    with requests.Session() as http:
        http.trust_env = False
        http.verify = str(files.ca)
        return [http.post(f"{url}/v1/challenge", headers={"X-Forwarded-For": f}, timeout=5).status_code
                for f in forwarded]


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(make_service, files):
    """By default nobody's X-Forwarded-For is believed: a client varying it is still one address, limited and
    audited as itself. With the proxy in front configured (here loopback), each forwarded address is a client
    of its own, as the proxy says."""
    direct = make_service(settings=ServiceSettings(unauthenticated_per_minute=3))
    url, stop = running_https(direct.app, files)
    try:
        assert _challenges(url, files, [f"203.0.113.{i}" for i in range(5)]) == [200, 200, 200, 429, 429]
    finally:
        stop()
    limited = [e for e in direct.on_engine(lambda d: audit.entries(d.conn)) if e.action == "challenge_refused"]
    assert [e.detail["from"] for e in limited] == ["127.0.0.1"]

    proxied = make_service(settings=ServiceSettings(unauthenticated_per_minute=3, trusted_proxies=("127.0.0.1",)))
    seen = proxied.on_engine(lambda d: d.audit.size)  # the same directory file: what the first service wrote
    url, stop = running_https(proxied.app, files)
    try:
        assert _challenges(url, files, [f"203.0.113.{i}" for i in range(5)]) == [200] * 5
        assert _challenges(url, files, ["198.51.100.7"] * 4) == [200, 200, 200, 429]
    finally:
        stop()
    limited = [e for e in proxied.on_engine(lambda d: audit.entries(d.conn, seen)) if e.action == "challenge_refused"]
    assert [e.detail["from"] for e in limited] == ["198.51.100.7"]


def test_slow_sockets_are_closed_and_the_service_keeps_answering(make_service, files):
    """Twelve connections after the TLS handshake: four send nothing, four dribble their headers a byte at a
    time, four never finish their body. Each is closed within the read deadline; a client that sends its
    request is answered all along."""
    service = make_service(settings=ServiceSettings(request_read_timeout_s=1.0))
    url, stop = running_https(service.app, files)
    port = int(url.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=str(files.ca))
    sockets = []
    try:
        started = time.monotonic()
        for i in range(12):
            s = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                                    server_hostname="127.0.0.1")
            if i % 3 == 1:
                s.sendall(b"POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            elif i % 3 == 2:
                s.sendall(b"POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 100\r\n\r\n{")
            s.settimeout(0.05)
            sockets.append(s)
        still_open = set(range(12))
        deadline = started + 6
        while still_open and time.monotonic() < deadline:
            for i in sorted(still_open):
                try:
                    if i % 3 == 1:
                        sockets[i].sendall(b"X")  # one more byte of a header line that never ends
                    if sockets[i].recv(1024) == b"":
                        still_open.discard(i)
                except TimeoutError:
                    continue
                except OSError:  # reset, or the TLS session ended under us: closed by the service
                    still_open.discard(i)
            with requests.Session() as http:  # meanwhile, an ordinary client is answered
                http.trust_env = False
                assert http.get(f"{url}/v1/status", verify=str(files.ca), timeout=5).status_code == 200
        assert not still_open, f"connections {sorted(still_open)} were never closed"
        assert time.monotonic() - started < 5
    finally:
        for s in sockets:
            s.close()
        stop()
