"""Schema-driven fuzzing from the service's own OpenAPI document (schemathesis, in-process ASGI).

Valid and invalid requests for every operation, as the LA team (the widest
rights) with a live session: no answer is a 5xx, every error is a problem
document carrying a code, every success fits the documented schema, and no
answer ever carries a shielded record's withheld fields (R-SHIELD-4).
Examples are few and derandomised, so the run is short and repeatable.
"""
from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from app import resources
from app.directory import Directory
from app.limits import Limits
from app.server import ServiceSettings, create_app
from tests.conftest import PASSWORD, TODAY

from .conftest import Clock, Service

# the checked-in contract (kept in sync by test_https)
schema = schemathesis.openapi.from_path(resources.path("openapi.yaml"))
EXAMPLES = 25


def _served(built_directory, tmp_path_factory, soft_tokens, name: str) -> tuple[Service, Clock]:
    """The service over its own copy of the built directory, every soft token enrolled, limits off."""
    src, key = built_directory
    path = tmp_path_factory.mktemp(name) / "directory.db"
    shutil.copy(src, path)
    clock = Clock()

    def open_engine() -> Directory:
        d = Directory.open(path, key, clock=lambda: TODAY, limits=Limits.off(), now=clock)
        for username, token in soft_tokens.items():
            token.enrol(d, username)
        return d

    from fastapi.testclient import TestClient
    app = create_app(open_engine, ServiceSettings(unauthenticated_per_minute=10**6), now=clock, wall=clock)
    app.state.directory.opened.result(timeout=60)
    service = Service(app, TestClient(app, raise_server_exceptions=False), clock, soft_tokens)
    return service, clock


@pytest.fixture(scope="module")
def fuzz_service(built_directory, tmp_path_factory, soft_tokens):
    service, _ = _served(built_directory, tmp_path_factory, soft_tokens, "fuzz")
    app = service.app
    yield service
    app.state.shutdown()
    _end_the_asgi_thread()


def _end_the_asgi_thread() -> None:
    """schemathesis keeps one event-loop thread for every ASGI call until the process exits; it goes with each
    of this module's services, so the run ends with no thread left (tests/leaks.py)."""
    from schemathesis.python import asgi
    asgi._shutdown()


_bearer: dict[str, str] = {}


def _as_set_up(d: Directory) -> None:
    """A fuzzed change-password may lock the LA team's account (wrong current passwords count as failed sign-ins)
    or change its password (a valid request): both are put back before it signs in again."""
    from app.passwords import hash_password, verify_password
    d.conn.execute("DELETE FROM signin_failures WHERE username = 'jo.la'")
    stored = d.conn.execute("SELECT password_hash FROM users WHERE username = 'jo.la'").fetchone()[0]
    if not verify_password(stored, PASSWORD):
        d.conn.execute("UPDATE users SET password_hash = ?, password_change_required = 0 WHERE username = 'jo.la'",
                       (hash_password(PASSWORD),))


def live_bearer(service: Service) -> str:
    """The LA team's session, signed in again whenever a fuzzed call locked or ended it."""
    token = _bearer.get("jo.la")
    held = service.app.state.sessions.get(token, locked_ok=True) if token else None
    if held is None or held.locked:
        service.on_engine(_as_set_up)
        token = service.sign_in("jo.la")["Authorization"].split()[1]
        _bearer["jo.la"] = token
    return token


@schema.parametrize()
@pytest.mark.allows(threads=("asyncio-portal",))  # the ASGI client's event-loop thread, kept for the module
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_5xx_or_anything_but_a_problem(case, fuzz_service):
    response = case.call(app=fuzz_service.app, headers={"Authorization": f"Bearer {live_bearer(fuzz_service)}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), response.text[:200]
        body = response.json()
        assert body["status"] == response.status_code and body["code"] and body["kind"], body
    case.validate_response(response, checks=[not_a_server_error, content_type_conformance,
                                             response_schema_conformance])


# -- after the switch-off (issue 14 §4, R-CLOSE-1) -----------------------------------------------------------
@pytest.fixture(scope="module")
def closed_service(built_directory, tmp_path_factory, soft_tokens):
    """The same service on its own copy, switched off in the directory itself (as ``signpost switch-off`` does),
    the LA team's bearer token, signed in before it (the one role that keeps its closure tasks), and when it closed."""
    service, clock = _served(built_directory, tmp_path_factory, soft_tokens, "fuzz-closed")
    app = service.app
    # the LA team's session is signed in before the switch-off: the service signs nobody in after it
    bearer = service.sign_in("jo.la")["Authorization"].split()[1]
    switched_off = clock() - 5
    service.on_engine(lambda d: d.set_switch_off(switched_off, by="admin"))
    yield service, bearer, datetime.fromtimestamp(switched_off, UTC).isoformat()
    app.state.shutdown()
    _end_the_asgi_thread()


# what says which directory this is and when it closed: the only answers after the switch-off (R-CLOSE-1)
ANSWERED_AFTER_CLOSING = frozenset({"/v1/status", "/v1/"})


@schema.parametrize()
@pytest.mark.allows(threads=("asyncio-portal",))  # the ASGI client's event-loop thread, kept for the module
@settings(max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_after_the_switch_off_no_request_gets_a_500_and_the_closed_service_says_so(case, closed_service):
    """R-CLOSE-1 (issue 14 §1.7 and §4): from the switch-off, fuzzed requests of every operation get the coded 503
    ``service.closed`` with when it closed, even on a session signed in before it; only the status and the front
    door still answer, and a request that is not one is told so. Never a 500, never a bare error page."""
    service, bearer, closed_at = closed_service
    response = case.call(app=service.app, headers={"Authorization": f"Bearer {bearer}"})
    assert response.status_code < 500 or response.status_code == 503, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), response.text[:200]
        body = response.json()
        assert body["status"] == response.status_code and body["code"] and body["kind"], body
        if response.status_code == 503:
            assert (body["kind"], body["code"], body["params"]["closed_at"]) == ("service", "service.closed", closed_at)
        elif case.path not in ANSWERED_AFTER_CLOSING:
            # only a request that is no request at all (a method it lacks, a body that is not JSON) is told so
            assert response.status_code == 405 or body["kind"] == "request", (case.method, case.path, body)
    else:
        assert case.path in ANSWERED_AFTER_CLOSING, (case.method, case.path, response.text[:500])
    case.validate_response(response, checks=[content_type_conformance, response_schema_conformance])
