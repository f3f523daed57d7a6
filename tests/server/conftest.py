"""The HTTPS service under test: a fresh copy of the test directory behind ``create_app``,
called in-process (FastAPI's TestClient) or over real TLS (``tls_server``)."""
from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from app.directory import Directory
from app.limits import Limits
from app.server import ServiceSettings, create_app
from app.token.signin import signin_message
from tests.conftest import PASSWORD, TODAY, SoftToken

USERS = ("alex.practitioner", "jo.la", "morgan.mediator", "sam.cp")


class Clock:
    """One clock for the service's sessions and the engine's rate limits; tests move it on."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(scope="session")
def soft_tokens() -> dict[str, SoftToken]:
    return {u: SoftToken(f"srv-{u}") for u in USERS}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def problem_of(response) -> dict:
    """The problem document of an error answer, checked for the shape the contract promises."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"] == f"https://signpost.invalid/problems/{body['code']}"
    assert body["title"] == body["code"]
    assert set(body) >= {"kind", "code", "field", "params"}
    return body


@dataclass
class Service:
    app: object
    client: TestClient
    clock: Clock
    tokens: dict[str, SoftToken]
    made: dict = field(default_factory=dict)  # what ``prepare`` returned

    def on_engine(self, fn: Callable[[Directory], object]):
        return self.app.state.directory.run_on_engine(fn).result(timeout=30)

    def sign_in_response(self, username: str, password: str = PASSWORD, token: SoftToken | None = None):
        token = token or self.tokens[username]
        answer = self.client.post("/v1/challenge")
        assert answer.status_code == 200, answer.text
        challenge = answer.json()["challenge"]
        signature = token.sign(signin_message("sign-in", token.serial, base64.b64decode(challenge)))
        return self.client.post("/v1/sessions", json={"username": username, "password": password,
                                                      "serial": token.serial, "challenge": challenge,
                                                      "signature": b64(signature)})

    def sign_in(self, username: str) -> dict:
        """Signed in over HTTP: the Authorization header for the new session."""
        answer = self.sign_in_response(username)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['session']}"}

    def unlock_body(self, username: str, token: SoftToken | None = None) -> dict:
        token = token or self.tokens[username]
        challenge = self.client.post("/v1/challenge").json()["challenge"]
        signature = token.sign(signin_message("unlock", token.serial, base64.b64decode(challenge)))
        return {"serial": token.serial, "challenge": challenge, "signature": b64(signature)}


@pytest.fixture
def make_service(directory_copy, soft_tokens):
    """``make_service(limits=…, settings=…, prepare=fn(directory) -> dict)``: a running service
    over a fresh copy of the test directory, every test user holding a software token."""
    path, key = directory_copy
    made: list = []

    def make(limits: Limits | None = None, settings: ServiceSettings | None = None,
             prepare: Callable[[Directory], dict] | None = None) -> Service:
        settings = settings or ServiceSettings()
        clock = Clock()
        extra: dict = {}

        def open_engine() -> Directory:
            d = Directory.open(path, key, clock=lambda: TODAY, limits=limits, now=clock)
            for username, token in soft_tokens.items():
                token.enrol(d, username)
            if prepare is not None:
                extra.update(prepare(d) or {})
            return d

        app = create_app(open_engine, settings, now=clock, wall=clock)
        app.state.directory.opened.result(timeout=60)
        service = Service(app, TestClient(app, raise_server_exceptions=False), clock, soft_tokens, extra)
        made.append(service)
        return service

    yield make
    for service in made:
        service.app.state.shutdown()


@pytest.fixture
def service(make_service) -> Service:
    return make_service()


@pytest.fixture
def known_child():
    """``prepare`` that adds one child nobody else shares a name with; gives its directory id."""
    from tests.conftest import add_child

    def prepare(d: Directory) -> dict:
        return {"child": add_child(d, "Quentavia", "Zorbrook", TODAY.replace(year=2015, month=6, day=8)),
                "other": add_child(d, "Ulrika", "Zorbrook", TODAY.replace(year=2014, month=3, day=2))}
    return prepare


SEARCH_KNOWN = {"criteria": {"family_name": "Zorbrook", "given_name": "Quentavia", "dob": "2015-06-08"},
                "reason": {"code": "providing_service"}}


def running_https(app, files):
    """Start uvicorn over TLS on 127.0.0.1 on a free port in a thread; returns (url, stop)."""
    from app.server.serve import listen, uvicorn_server
    sock = listen("127.0.0.1", 0)
    server = uvicorn_server(app, files, log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=0.5)
        server.force_exit = True  # a client that left its TLS connection half-closed is not waited for
        thread.join(timeout=10)
        sock.close()
    return f"https://127.0.0.1:{sock.getsockname()[1]}", stop
