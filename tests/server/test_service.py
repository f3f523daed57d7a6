"""The directory over HTTP(S): sign-in, search, view, bearer sessions, limits and problem documents."""
from __future__ import annotations

import pytest

from app import audit, wire
from app.directory import SignedIn
from app.limits import Limits
from app.model import AccessReason, Reason, RecordView, Viewer
from app.refusals import AccessRefused
from app.search import Criteria, Outcome
from app.server import ServiceSettings

from .conftest import SEARCH_KNOWN, problem_of

VIEW = {"reason": {"code": "providing_service"}}


def entries(service) -> list[audit.Entry]:
    return service.on_engine(lambda d: audit.entries(d.conn))


def test_status_says_service_version_1(service):
    answer = service.client.get("/v1/status")
    assert answer.status_code == 200
    assert answer.json() == {"kind": "service", "version": "1", "closes_at": None}


def test_the_front_door_and_health_answer_and_health_says_closed_after_the_switch_off(make_service):
    """Issue 15 2.4: a client that lost touch asks GET /v1/health; GET /v1/ says where to start (not 404)."""
    import time
    service = make_service(settings=ServiceSettings(closes_at=time.time() + 60))
    front = service.client.get("/v1/")
    assert front.status_code == 200 and front.json()["version"] == "1"
    assert front.json()["links"]["health"] == "/v1/health"
    assert service.client.get("/v1/health").json() == {"status": "ok"}
    service.clock.advance(61)
    closed = service.client.get("/v1/health")
    assert closed.status_code == 503 and problem_of(closed)["code"] == "service.closed"
    assert service.client.get("/v1/").status_code == 200


def test_the_sign_in_answer_says_how_long_the_session_lasts(make_service):
    """Issue 15 2.5: the client learns the service's own limits at sign-in, to warn before them."""
    service = make_service(settings=ServiceSettings(idle_minutes=15, max_hours=8))
    signed = wire.decode(SignedIn, service.sign_in_response("alex.practitioner").json())
    assert (signed.session_idle_s, signed.session_max_s) == (15 * 60, 8 * 3600)


def test_sign_in_search_and_view_own_result(make_service, known_child):
    service = make_service(prepare=known_child)
    answer = service.sign_in_response("alex.practitioner")
    assert answer.status_code == 200
    signed = wire.decode(SignedIn, answer.json())
    assert signed.user.username == "alex.practitioner" and signed.session
    auth = {"Authorization": f"Bearer {signed.session}"}

    found = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth)
    assert found.status_code == 200, found.text
    outcome = wire.decode(Outcome, found.json())
    assert [h.directory_id for h in outcome.hits] == [service.made["child"]]

    view = service.client.post(f"/v1/records/{service.made['child']}/view", json=VIEW, headers=auth)
    assert view.status_code == 200, view.text
    record = wire.decode(RecordView, view.json())
    assert record.name.family_name == "Zorbrook" and record.directory_id == service.made["child"]

    # anti-trawling: a record this session was never given does not open, whoever asks for it
    other = service.client.post(f"/v1/records/{service.made['other']}/view", json=VIEW, headers=auth)
    assert other.status_code == 403
    assert problem_of(other)["code"] == "access.not_from_results"
    assert [e.action for e in entries(service)][-3:] == ["search", "view_record", "view_record_refused"]


def test_wrong_password_is_the_one_sign_in_answer(service):
    answer = service.sign_in_response("alex.practitioner", password="not-the-password")
    assert answer.status_code == 401
    body = problem_of(answer)
    assert (body["kind"], body["code"]) == ("sign_in", "sign_in.wrong_factor")
    assert entries(service)[-1].action == "sign_in_failed"


@pytest.mark.parametrize("header", [None, "Bearer not-a-session", "Basic YWxleDpwdw==", "Bearer "])
def test_every_directory_call_needs_a_live_bearer(service, header):
    headers = {"Authorization": header} if header else {}
    for method, url, body in (("POST", "/v1/search", SEARCH_KNOWN), ("POST", "/v1/records/123/view", VIEW),
                              ("GET", "/v1/audit/entries", None), ("POST", "/v1/session/lock", {"why": "x"}),
                              ("DELETE", "/v1/session", None)):
        answer = service.client.request(method, url, json=body, headers=headers)
        assert answer.status_code == 401, (method, url, answer.text)
        assert problem_of(answer)["code"] == "session.expired"
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_the_viewer_is_the_session_user_never_the_client(make_service, known_child):
    """The body cannot name a user; a practitioner may not claim to act for a colleague (R-ROLE-2)."""
    service = make_service(prepare=known_child)
    auth = service.sign_in("alex.practitioner")
    claimed = service.client.post("/v1/search", json={**SEARCH_KNOWN, "user": {"username": "jo.la"}}, headers=auth)
    assert claimed.status_code == 422 and problem_of(claimed)["code"] == "request.invalid"
    acting = service.client.post("/v1/search", headers=auth, json={
        **SEARCH_KNOWN, "on_behalf_of": {"name": "Pat Colleague", "organisation": "Somewhere"}})
    assert acting.status_code == 403 and problem_of(acting)["code"] == "access.colleague_not_allowed"

    mediator = service.sign_in("morgan.mediator")
    alone = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=mediator)
    assert alone.status_code == 403 and problem_of(alone)["field"] == "colleague"
    typed = service.client.post("/v1/search", headers=mediator, json={
        **SEARCH_KNOWN, "on_behalf_of": {"name": "Pat Colleague", "organisation": "Somewhere"}})
    assert typed.status_code == 403 and problem_of(typed)["code"] == "access.colleague_not_registered"
    mediated = service.client.post("/v1/search", headers=mediator, json={  # R-ROLE-2: chosen from the register
        **SEARCH_KNOWN, "on_behalf_of": {"name": "Pat Colleague", "organisation": "Somewhere",
                                         "username": "priya.shah"}})
    assert mediated.status_code == 200, mediated.text
    last = entries(service)[-1]  # the register's words, not the client's
    assert (last.actor, last.action, last.on_behalf_of) == ("morgan.mediator", "search",
                                                         "Dr Priya Shah (Elmby Surgery)")


def test_idle_session_expires_and_ends_in_the_engine(make_service, known_child):
    service = make_service(prepare=known_child, settings=ServiceSettings(idle_minutes=30))
    auth = service.sign_in("alex.practitioner")
    token = auth["Authorization"].split()[1]
    service.clock.advance(29 * 60)
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth).status_code == 200
    service.clock.advance(29 * 60)  # used 29 minutes ago: still alive
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth).status_code == 200
    service.clock.advance(31 * 60)
    gone = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth)
    assert gone.status_code == 401 and problem_of(gone)["code"] == "session.expired"
    ended, refused = entries(service)[-2:]  # the engine ended it too, and audited it; then the refusal (R-AUDIT-1)
    assert (ended.action, refused.action, refused.actor) == ("sign_out", "search_refused", "alex.practitioner")
    user = service.on_engine(lambda d: d.user("alex.practitioner"))
    with pytest.raises(AccessRefused) as refused:
        service.on_engine(lambda d: d.search(Viewer(user, None, token), Criteria(family_name="Zorbrook"),
                                             Reason(AccessReason.PROVIDING_SERVICE)))
    assert refused.value.code == "access.session_ended"


def test_session_ends_after_its_absolute_age_however_busy(make_service):
    service = make_service(limits=Limits.off(), settings=ServiceSettings(idle_minutes=30, max_hours=12))
    auth = service.sign_in("jo.la")
    for _ in range(12 * 3 - 1):  # used every 20 minutes
        service.clock.advance(20 * 60)
        assert service.client.get("/v1/audit/entries?since=999999", headers=auth).status_code == 200
    service.clock.advance(20 * 60)
    assert problem_of(service.client.get("/v1/audit/entries", headers=auth))["code"] == "session.expired"


def test_locked_session_only_unlocks(make_service, known_child):
    service = make_service(prepare=known_child)
    auth = service.sign_in("alex.practitioner")
    assert service.client.post("/v1/session/lock", json={"why": "idle"}, headers=auth).json() == {}
    for method, url, body in (("POST", "/v1/search", SEARCH_KNOWN), ("GET", "/v1/audit/entries", None),
                              ("POST", "/v1/session/lock", {"why": "again"})):
        answer = service.client.request(method, url, json=body, headers=auth)
        assert answer.status_code == 401 and problem_of(answer)["code"] == "session.locked", answer.text
    wrong = service.client.post("/v1/session/unlock", headers=auth,
                                json=service.unlock_body("alex.practitioner", service.tokens["jo.la"]))
    assert wrong.status_code == 401 and problem_of(wrong)["code"] == "unlock.wrong_token"
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth).status_code == 401
    unlocked = service.client.post("/v1/session/unlock", headers=auth, json=service.unlock_body("alex.practitioner"))
    assert unlocked.status_code == 200, unlocked.text
    assert unlocked.json()["session"] == auth["Authorization"].split()[1]
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth).status_code == 200


def test_sign_out_ends_the_session(make_service, known_child):
    service = make_service(prepare=known_child)
    auth = service.sign_in("alex.practitioner")
    assert service.client.delete("/v1/session", headers=auth).json() == {}
    assert entries(service)[-1].action == "sign_out"
    again = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth)
    assert again.status_code == 401 and problem_of(again)["code"] == "session.expired"
    assert service.client.delete("/v1/session", headers=auth).status_code == 401


def test_a_locked_session_can_still_sign_out(service):
    auth = service.sign_in("alex.practitioner")
    service.client.post("/v1/session/lock", json={"why": "token removed"}, headers=auth)
    assert service.client.delete("/v1/session", headers=auth).status_code == 200
    assert service.client.post("/v1/session/unlock", headers=auth,
                               json=service.unlock_body("alex.practitioner")).status_code == 401


def test_search_rate_limit_is_429_with_retry_after(make_service, known_child):
    """R-SEARCH-6: the engine's limit reaches the client as a coded 429 saying when to retry; it is the user's, so
    a second sign-in (a second bearer token) shares it (issue 14 §4)."""
    service = make_service(prepare=known_child, limits=Limits(searches_per_minute=2))
    auth, again = service.sign_in("alex.practitioner"), service.sign_in("alex.practitioner")
    assert auth != again
    for headers in (auth, again):
        assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=headers).status_code == 200
    service.clock.advance(10)
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=again).status_code == 429
    limited = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth)
    assert limited.status_code == 429
    body = problem_of(limited)
    assert (body["kind"], body["code"]) == ("rate_limited", "rate.searches")
    assert int(limited.headers["retry-after"]) == body["params"]["wait_s"] == 50
    service.clock.advance(51)
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth).status_code == 200


def test_calls_before_sign_in_are_limited_per_address(make_service):
    service = make_service(settings=ServiceSettings(unauthenticated_per_minute=3))
    for _ in range(3):
        assert service.client.post("/v1/challenge").status_code == 200
    limited = service.client.post("/v1/challenge")
    assert limited.status_code == 429 and problem_of(limited)["code"] == "rate.requests"
    assert int(limited.headers["retry-after"]) >= 1
    service.clock.advance(61)
    assert service.client.post("/v1/challenge").status_code == 200


def test_problem_documents_carry_the_engines_codes(make_service, known_child):
    service = make_service(prepare=known_child)
    auth = service.sign_in("alex.practitioner")
    broad = service.client.post("/v1/search", headers=auth, json={"criteria": {"family_name": "Smith"},
                                                                   "reason": {"code": "providing_service"}})
    assert broad.status_code == 422
    body = problem_of(broad)
    assert (body["kind"], body["code"]) == ("search", "search.add_detail")
    monitoring = service.client.post("/v1/search", headers=auth, json={**SEARCH_KNOWN,
                                                                        "reason": {"code": "la_monitoring"}})
    assert monitoring.status_code == 403
    assert problem_of(monitoring)["params"] == {"reason": "la_monitoring"}
    audit_read = service.client.get("/v1/audit/entries", headers=auth)
    assert audit_read.status_code == 403 and problem_of(audit_read)["code"] == "access.audit_la_only"
    unknown = service.client.get("/v1/nothing-here")
    assert unknown.status_code == 404 and problem_of(unknown)["kind"] == "request"


def test_service_closed_answers_503_but_says_when(make_service):
    import time
    closing = make_service(settings=ServiceSettings(closes_at=time.time() + 60))
    assert closing.client.post("/v1/challenge").status_code == 200
    assert closing.client.get("/v1/status").json()["closes_at"]
    closing.clock.advance(61)
    closed = closing.client.post("/v1/challenge")
    assert closed.status_code == 503 and problem_of(closed)["code"] == "service.closed"
    assert closing.client.get("/v1/status").status_code == 200


def test_token_refusals_and_audit_alerts_are_audited(service):
    assert service.client.post("/v1/token-refusals", json={"username": "alex.practitioner", "serial": "x",
                                                           "kind": "wrong_pin", "during": "sign_in"}).json() == {}
    assert entries(service)[-1].action == "token_refused"
    cp = service.client.get("/v1/audit/checkpoint").json()
    assert service.client.post("/v1/audit/alerts", json={"username": "alex.practitioner", "kept": {},
                                                         "now": cp}).json() == {}
    last = entries(service)[-1]
    assert last.action == "security_alert" and last.detail["now"]["size"] == cp["size"]


def test_audit_checkpoint_and_consistency_verify(service):
    from app.merkle import verify_consistency
    key = bytes.fromhex(service.client.get("/v1/audit/public-key").json()["public_key"])
    old = audit.Checkpoint.from_json(service.client.get("/v1/audit/checkpoint").json())
    assert old.verify(key)
    service.sign_in("jo.la")
    new = audit.Checkpoint.from_json(service.client.get("/v1/audit/checkpoint").json())
    proof = service.client.get(f"/v1/audit/consistency?old={old.size}&new={new.size}").json()["proof"]
    assert new.size > old.size
    assert verify_consistency(old.size, new.size, old.root, new.root, [bytes.fromhex(p) for p in proof])
    too_far = service.client.get(f"/v1/audit/consistency?old=0&new={new.size + 5}")
    assert too_far.status_code == 403 and problem_of(too_far)["code"] == "audit.bad_sizes"


def test_a_users_oldest_session_ends_when_they_hold_too_many(make_service):
    service = make_service(settings=ServiceSettings(sessions_per_user=2))
    first, second, third = (service.sign_in("jo.la") for _ in range(3))
    assert problem_of(service.client.get("/v1/audit/entries?since=999999", headers=first))["code"] == "session.expired"
    for auth in (second, third):
        assert service.client.get("/v1/audit/entries?since=999999", headers=auth).status_code == 200


@pytest.mark.allows(logged=("app.server.problems",))  # the traceback goes to the service's log, not the answer
def test_an_unexpected_failure_is_a_500_problem_without_internals(make_service, known_child):
    service = make_service(prepare=known_child)
    auth = service.sign_in("alex.practitioner")

    def broken(*_):
        raise RuntimeError("/srv/secret/directory.db is on fire")
    service.on_engine(lambda d: setattr(d, "search", broken))
    answer = service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth)
    assert answer.status_code == 500
    assert problem_of(answer)["code"] == "server.error"
    assert "secret" not in answer.text and "RuntimeError" not in answer.text and "Traceback" not in answer.text
