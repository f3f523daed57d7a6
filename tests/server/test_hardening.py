"""What the service itself must get right around the engine (issue 13 §1 item 5, §2 items 5-6; issue 14 §1
item 7): the directory's own switch-off answered as 503 ``service.closed`` everywhere, a body nested too deep
refused before it is decoded, no answer cached, and every refusal the service gives on its own (a session
ended, unknown or locked, a per-address limit, a 500) in the audit, bounded however fast they come."""
from __future__ import annotations

import json
import logging

import pytest

from app import audit
from app.server import ServiceSettings

from .conftest import SEARCH_KNOWN, problem_of

VIEW = {"reason": {"code": "providing_service"}}


def _entries(service) -> list[audit.Entry]:
    return service.on_engine(lambda d: audit.entries(d.conn))


def _closing(seconds: float):
    def prepare(d) -> dict:
        d.set_switch_off(d.now() + seconds, by="admin")
        return {}
    return prepare


# -- the directory's own switch-off (R-CLOSE-1) ---------------------------------------------------------------
def test_the_directorys_own_switch_off_closes_every_route_with_503_and_the_status_says_when(make_service,
                                                                                               known_child):
    """Issue 14 §1 item 7: the switch-off set in the directory (``signpost switch-off``), not on the command
    line: before it the status says when; after it every request, signed in or not, is 503
    ``service.closed`` (never 500), and the status still answers with the time."""
    service = make_service(prepare=lambda d: {**known_child(d), **_closing(60)(d)})
    status = service.client.get("/v1/status").json()
    assert status["closes_at"] and abs(_epoch(status["closes_at"]) - (service.clock() + 60)) < 2
    alex, la = service.sign_in("alex.practitioner"), service.sign_in("jo.la")
    service.clock.advance(61)
    for method, url, body, headers in (
            ("POST", "/v1/challenge", None, {}), ("POST", "/v1/search", SEARCH_KNOWN, alex),
            ("POST", f"/v1/records/{service.made['child']}/view", VIEW, alex),
            ("POST", "/v1/work/inbox", {"request": {}}, alex), ("POST", "/v1/work/alerts", {"request": {}}, la),
            ("GET", "/v1/audit/entries", None, la), ("POST", "/v1/session/lock", {"why": "idle"}, alex),
            ("DELETE", "/v1/session", None, la)):
        answer = service.client.request(method, url, json=body, headers=headers)
        assert answer.status_code == 503, (url, answer.text)
        assert problem_of(answer)["code"] == "service.closed"
        assert problem_of(answer)["params"] == {"closed_at": status["closes_at"]}
    closed = service.client.post("/v1/sessions", json={  # the LA team too: closure runs offline (R-CLOSE-1)
        "username": "jo.la", "password": "training-only-2026", "serial": "s", "challenge": "", "signature": ""})
    assert closed.status_code == 503 and problem_of(closed)["code"] == "service.closed"
    assert service.client.get("/v1/status").status_code == 200
    assert service.client.get("/v1/status").json()["closes_at"] == status["closes_at"]


def _epoch(iso: str) -> float:
    from datetime import datetime
    return datetime.fromisoformat(iso).timestamp()


# -- nesting, caching (issue 13 §2 item 6) ------------------------------------------------------------------------
DEEP = b"[" * 3000 + b"]" * 3000


@pytest.mark.parametrize("url", ["/v1/work/inbox", "/v1/work/record-involvement", "/v1/search",
                                 "/v1/records/123/view", "/v1/sessions", "/v1/session/lock",
                                 "/v1/audit/alerts", "/v1/token-refusals"])
def test_a_body_nested_too_deep_is_refused_before_it_is_decoded(make_service, url, caplog):
    """A body 3,000 deep, and one hidden inside a valid request, are 400 ``request.invalid`` on every route:
    never a RecursionError, never a traceback in the log."""
    service = make_service()
    auth = service.sign_in("alex.practitioner")
    for body in (DEEP, b'{"request": {"nested": ' + DEEP + b"}}", b'{"reason": ' + b'{"a":' * 200 + b"1" +
                 b"}" * 201):
        with caplog.at_level(logging.ERROR):
            answer = service.client.post(url, content=body, headers={**auth, "content-type": "application/json"})
        assert answer.status_code == 400, answer.text
        assert (problem_of(answer)["kind"], problem_of(answer)["code"]) == ("request", "request.invalid")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    nested_text = json.dumps({"criteria": {"family_name": "[[[[{{{{" * 6}, "reason": {"code": "providing_service"}})
    fine = service.client.post("/v1/search", content=nested_text, headers={**auth, "content-type": "application/json"})
    assert fine.status_code != 400  # brackets inside a string are text, not nesting


def test_no_answer_may_be_cached(make_service, known_child):
    """Every answer carries personal data or says something about it: ``Cache-Control: no-store`` on each,
    successes and problems alike."""
    service = make_service(prepare=known_child)
    signed = service.sign_in_response("alex.practitioner")
    auth = {"Authorization": f"Bearer {signed.json()['session']}"}
    answers = [signed, service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth),
               service.client.post(f"/v1/records/{service.made['child']}/view", json=VIEW, headers=auth),
               service.client.post("/v1/work/inbox", json={"request": {}}, headers=auth),
               service.client.post(f"/v1/records/{service.made['other']}/view", json=VIEW, headers=auth),
               service.client.get("/v1/audit/entries", headers=auth), service.client.get("/v1/status"),
               service.client.post("/v1/search", content=DEEP, headers=auth)]
    for answer in answers:
        assert answer.headers.get("cache-control") == "no-store", (answer.request.url, answer.status_code)


# -- refusals the service gives on its own, audited and bounded (issue 13 §1 item 5, R-AUDIT-1) -------------------
def _refused(service, action: str) -> list[audit.Entry]:
    return [e for e in _entries(service) if e.action == action and e.detail.get("refused_by") == "service"]


def test_requests_on_an_ended_unknown_or_locked_session_are_audited_with_whose_it_was(make_service):
    service = make_service()
    alex = service.sign_in("alex.practitioner")
    assert service.client.delete("/v1/session", headers=alex).status_code == 200
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=alex).status_code == 401  # ended
    sam = service.sign_in("sam.cp")
    service.client.post("/v1/session/lock", json={"why": "idle"}, headers=sam)
    assert service.client.post("/v1/work/inbox", json={"request": {}}, headers=sam).status_code == 401  # locked
    stranger = {"Authorization": "Bearer never-issued"}
    assert service.client.get("/v1/audit/entries", headers=stranger).status_code == 401  # unknown
    by_actor = {(e.actor, e.action, e.detail["why"]) for e in _entries(service)
                if e.detail.get("refused_by") == "service"}
    assert by_actor >= {("alex.practitioner", "search_refused", "session.expired"),
                        ("sam.cp", "inbox_refused", "session.locked"),
                        ("(no session)", "audit_read_refused", "session.expired")}
    (ended,) = [e for e in _refused(service, "search_refused") if e.actor == "alex.practitioner"]
    assert ended.las == ("NBR",) and ended.detail["from"] == "testclient"  # the LA team sees it, and whence


def test_a_flood_of_refusals_costs_a_bounded_number_of_entries(make_service):
    """500 requests a minute on a session that never existed: one entry at once, then one with the count when
    the minute is over; and at most a bounded number of kinds a minute, whatever the client varies."""
    service = make_service()
    before = len(_entries(service))
    for _ in range(500):
        service.client.post("/v1/search", json=SEARCH_KNOWN, headers={"Authorization": "Bearer forged"})
    assert len(_entries(service)) - before == 1
    service.clock.advance(61)
    service.client.post("/v1/search", json=SEARCH_KNOWN, headers={"Authorization": "Bearer forged"})
    flood = [e for e in _refused(service, "search_refused") if e.actor == "(no session)"]
    assert [e.detail.get("count", 1) for e in flood] == [1, 499, 1]


def test_refusals_from_ever_more_addresses_are_counted_under_one_kind_past_the_bound():
    """The one thing a flood can vary without limit is its address: past ``max_kinds`` kinds a minute the
    rest are one ``request.flood`` kind, so a minute costs at most 2 * (max_kinds + 1) entries."""
    from app.server.refusal_log import FLOOD, RefusalLog
    recorded: list = []
    clock = [0.0]
    log = RefusalLog(lambda kind, count: recorded.append((kind, count)), lambda: clock[0], max_kinds=10)
    for i in range(5000):
        log.refused(f"10.0.{i // 250}.{i % 250}", "", "search", "session.expired")
    clock[0] += 60
    log.roll()
    assert len(recorded) == 10 + 1 + 1  # ten kinds at once, the flood's first, then the flood's count
    assert recorded[-1] == (FLOOD, 4989) and all(count == 1 for _, count in recorded[:-1])


@pytest.mark.allows(logged=("app.server.problems",))  # the provoked 500's traceback goes to the service's log
def test_a_per_address_limit_and_a_500_are_audited(make_service, known_child):
    service = make_service(prepare=known_child, settings=ServiceSettings(unauthenticated_per_minute=2))
    for _ in range(2):
        assert service.client.post("/v1/challenge").status_code == 200
    for _ in range(5):
        assert service.client.post("/v1/challenge").status_code == 429
    (limited,) = _refused(service, "challenge_refused")
    assert limited.detail["why"] == "rate.requests" and limited.detail["from"] == "testclient"
    service.clock.advance(61)
    auth = service.sign_in("alex.practitioner")

    def broken(*_):
        raise RuntimeError("on fire")
    service.on_engine(lambda d: setattr(d, "search", broken))
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth).status_code == 500
    failed = [e for e in _refused(service, "search_refused") if e.detail["why"] == "server.error"]
    assert [e.actor for e in failed] == ["alex.practitioner"]
    later = [e for e in _refused(service, "challenge_refused") if e.detail.get("count")]
    assert [e.detail["count"] for e in later] == [4]  # the rest of that minute's 429s, counted when it closed


def test_a_session_the_engine_ended_is_forgotten_by_the_service(make_service, known_child):
    """R-ROLE-4: the LA team disables alex; alex's bearer is refused by the engine once, then the service no
    longer holds it (so it is refused at the door, audited as alex's)."""
    service = make_service(prepare=known_child)
    alex, la = service.sign_in("alex.practitioner"), service.sign_in("jo.la")
    held = len(service.app.state.sessions)
    disable = {"request": {"username": "alex.practitioner", "action": "disable", "on": None}}
    assert service.client.post("/v1/work/change-user", json=disable, headers=la).status_code == 200
    first = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=alex)
    assert problem_of(first)["code"] == "access.session_ended"
    assert len(service.app.state.sessions) == held - 1
    again = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=alex)
    assert again.status_code == 401 and problem_of(again)["code"] == "session.expired"
    assert any(e.actor == "alex.practitioner" and e.detail["why"] == "session.expired"
               for e in _refused(service, "search_refused"))
