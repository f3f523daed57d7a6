"""Malformed, oversized and hostile requests get a 4xx problem document, never a 5xx;
a shielded record's withheld fields never leave the service (R-SHIELD-4)."""
from __future__ import annotations

import json

import pytest

from app import records

from .conftest import SEARCH_KNOWN, problem_of

REASON = {"code": "providing_service"}


def post_raw(service, url: str, body, headers: dict):
    """POST ``body`` as JSON with every non-ASCII character escaped (so a lone surrogate can be sent)."""
    return service.client.post(url, content=json.dumps(body).encode("ascii"),
                               headers={**headers, "content-type": "application/json"})


@pytest.fixture
def signed(make_service, known_child):
    service = make_service(prepare=known_child)
    return service, service.sign_in("alex.practitioner")


def test_request_too_large_is_413_declared_or_streamed(signed):
    service, auth = signed
    big = {**SEARCH_KNOWN, "criteria": {"family_name": "x" * 70_000}}
    answer = service.client.post("/v1/search", json=big, headers=auth)
    assert answer.status_code == 413
    body = problem_of(answer)
    assert (body["kind"], body["code"], body["params"]) == ("request", "request.too_large", {"limit": 65536})

    def chunks():  # no Content-Length: the body is counted as it arrives
        for _ in range(100):
            yield b"x" * 1000
    streamed = service.client.post("/v1/sessions", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and problem_of(streamed)["code"] == "request.too_large"
    one_mb = service.client.post("/v1/sessions", json={"username": "a" * 1_000_000, "password": "p", "serial": "s",
                                                       "challenge": "", "signature": ""})
    assert one_mb.status_code == 413


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"criteria": }', b"\xff\xfe\x00", b"[" * 30_000 + b"]" * 30_000,
                                 b"null", b"[]", b'"text"', b"1e999999"])
def test_malformed_json_is_a_request_problem(signed, raw):
    service, auth = signed
    answer = service.client.post("/v1/search", content=raw, headers={**auth, "content-type": "application/json"})
    assert answer.status_code in (400, 422), answer.text
    body = problem_of(answer)
    assert (body["kind"], body["code"]) == ("request", "request.invalid")


@pytest.mark.parametrize("criteria, code, field", [
    ({"family_name": "Zorbrook" + "\ud800", "dob": "2015-06-08"}, "search.unusable_characters", "family_name"),
    ({"family_name": "Z" * 61, "dob": "2015-06-08"}, "search.too_long", "family_name"),
    ({"family_name": "Z" * 60_000}, "search.too_long", "family_name"),
    ({"family_name": 12345}, "search.not_text", "family_name"),
    ({"family_name": "Zorbrook", "postcode": "N" * 15}, "search.too_long", "postcode"),
    ({"directory_id": "1" * 17}, "search.too_long", "directory_id"),
    ({"family_name": "Zorbrook", "dob": "2015-13-45"}, "search.date_format", "dob"),
    ({"family_name": "Zorbrook", "dob": 20150608}, "search.date_format", "dob"),
    ({"family_name": "Zorbrook", "given_name": "Q", "age_from": 10**30, "age_to": 10**30},
     "search.ages_out_of_range", "ages"),
    ({"family_name": "Zorbrook", "given_name": "Q", "age_from": 2**62, "age_to": 3},
     "search.ages_out_of_range", "ages"),
    ({"family_name": "Zorbrook", "given_name": "Q", "age_from": 1.5, "age_to": 3}, "search.ages_out_of_range", "ages"),
])
def test_hostile_criteria_get_the_engines_own_refusal(signed, criteria, code, field):
    """The same code, field and parameters as the embedded engine gives, so the screens say the same."""
    service, auth = signed
    answer = post_raw(service, "/v1/search", {"criteria": criteria, "reason": REASON}, auth)
    assert answer.status_code == 422, answer.text
    body = problem_of(answer)
    assert (body["kind"], body["code"], body["field"]) == ("search", code, field)


def test_lone_surrogates_and_huge_numbers_elsewhere_are_4xx(signed):
    service, auth = signed
    raw = '{"username": "alex\\udc00", "password": "\\ud800", "serial": "s", "challenge": "", "signature": ""}'
    sign_in = service.client.post("/v1/sessions", content=raw.encode(), headers={"content-type": "application/json"})
    assert sign_in.status_code == 401 and problem_of(sign_in)["code"] == "sign_in.wrong_factor"
    detail = post_raw(service, "/v1/search", {**SEARCH_KNOWN, "reason": {"code": "other", "detail": "why \ud800 not"}},
                      auth)
    assert 400 <= detail.status_code < 500 and problem_of(detail)
    for url in ("/v1/audit/entries?since=" + "9" * 5000, "/v1/audit/entries?since=-1",
                "/v1/audit/consistency?old=-1&new=1", "/v1/audit/consistency?old=1e9&new=" + "9" * 400):
        answer = service.client.get(url, headers=auth)
        assert 400 <= answer.status_code < 500 and problem_of(answer), url
    for did in ("9" * 1000, "%00", "..%2F..", "%ED%A0%80", "%FF"):
        answer = service.client.post(f"/v1/records/{did}/view", json={"reason": REASON}, headers=auth)
        assert answer.status_code in (403, 404) and problem_of(answer), did
    colleague = service.client.post("/v1/search", headers=auth, json={
        **SEARCH_KNOWN, "on_behalf_of": {"name": "n" * 101, "organisation": "o"}})
    assert colleague.status_code == 403 and problem_of(colleague)["code"] == "access.colleague_too_long"
    reason = service.client.post("/v1/search", headers=auth, json={**SEARCH_KNOWN, "reason": {
        "code": "other", "detail": "d" * 201}})
    assert problem_of(reason)["code"] == "access.reason_detail_too_long"
    nonsense = service.client.post("/v1/search", headers=auth, json={**SEARCH_KNOWN, "reason": {"code": "because"}})
    assert problem_of(nonsense)["code"] == "access.reason_required"
    blob = service.client.post("/v1/sessions", json={"username": "alex.practitioner", "password": "p", "serial": "s",
                                                     "challenge": "!!not base64!!", "signature": "x" * 5000})
    assert blob.status_code == 401 and problem_of(blob)["code"] == "sign_in.wrong_factor"
    # still a working session after all that
    assert service.client.post("/v1/search", json=SEARCH_KNOWN, headers=auth).status_code == 200


def _shield_a_family_with_involvements(d) -> dict:
    """A child of the LA team's own LA with an address, carers and involvements, shielded now."""
    child_id, did = d.conn.execute(
        "SELECT c.id, c.directory_id FROM children c WHERE c.la_code = 'NBR' AND c.shielded_at IS NULL "
        "AND EXISTS (SELECT 1 FROM involvements i WHERE i.child_id = c.id) "
        "AND EXISTS (SELECT 1 FROM carers k WHERE k.household_id = c.household_id) ORDER BY c.id LIMIT 1").fetchone()
    assert records.shield(d.store, d.conn, child_id, "2026-11-20T10:00:00+00:00")
    return {"shielded": records.directory_id.fmt(did)}


def _withheld_texts(record: dict) -> set[str]:
    """Every address, contact and involvement text in a full view of the record."""
    out = set()
    for place in [record["address"], record["setting"], record["gp"]] + list(record["carers"]):
        if place:
            out |= {v for k, v in place.items() if k in ("line1", "postcode", "phone", "name") and isinstance(v, str)}
            if isinstance(place.get("address"), dict):
                out |= {place["address"]["line1"], place["address"]["postcode"]}
    for inv in record["involvements"]:
        out |= {inv.get(k) for k in ("organisation", "practitioner", "phone", "email") if inv.get(k)}
    return {t for t in out if t and len(t) >= 6}


def test_shielded_fields_never_appear_in_any_response(make_service):
    """R-SHIELD-4: withheld at the source. The LA team (own LA) sees them; a practitioner's
    search and view answers do not carry them anywhere in the body."""
    service = make_service(prepare=_shield_a_family_with_involvements)
    did = service.made["shielded"]
    search = {"criteria": {"directory_id": did}, "reason": REASON}

    la = service.sign_in("jo.la")
    la_reason = {"criteria": {"directory_id": did}, "reason": {"code": "la_monitoring"}}
    assert service.client.post("/v1/search", json=la_reason, headers=la).status_code == 200
    full = service.client.post(f"/v1/records/{did}/view", json={"reason": {"code": "la_monitoring"}}, headers=la)
    assert full.status_code == 200, full.text
    secrets = _withheld_texts(full.json())
    assert len(secrets) >= 4, secrets  # the record really has what must be withheld

    alex = service.sign_in("alex.practitioner")
    bodies = [service.client.post("/v1/search", json=search, headers=alex)]
    assert [h["directory_id"] for h in bodies[0].json()["hits"]] == [did]
    bodies.append(service.client.post(f"/v1/records/{did}/view", json={"reason": REASON}, headers=alex))
    assert bodies[1].status_code == 200 and bodies[1].json()["shield_applied"] is True
    for answer in bodies:
        text = answer.content.decode("ascii")
        leaked = {s for s in secrets if json.dumps(s)[1:-1] in text or s in text}
        assert not leaked, leaked


def test_a_request_refused_before_the_engine_is_audited_all_the_same(make_service):
    """R-AUDIT-1: the service's own bounds refuse a 1 MB family name; the refusal is still in the audit,
    with whose session sent it."""
    service = make_service()
    auth = service.sign_in("alex.practitioner")
    body = {**SEARCH_KNOWN, "criteria": {**SEARCH_KNOWN["criteria"], "family_name": "S" * 1_000_000}}
    answer = service.client.post("/v1/search", json=body, headers=auth)
    assert answer.status_code in (413, 422) and problem_of(answer)["code"] in ("search.too_long", "request.too_large")
    long_name = {**SEARCH_KNOWN, "criteria": {**SEARCH_KNOWN["criteria"], "family_name": "S" * 500}}
    answer = service.client.post("/v1/search", json=long_name, headers=auth)
    assert problem_of(answer)["code"] == "search.too_long"
    actor, action, detail = service.on_engine(lambda d: d.conn.execute(
        "SELECT actor, action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone())
    assert (actor, action) == ("alex.practitioner", "search_refused")
    assert json.loads(detail) == {"why": "search.too_long", "refused_by": "service", "from": "testclient"}
    answer = service.client.post("/v1/sessions", json={"username": "x" * 5000})  # no session at all
    assert 400 <= answer.status_code < 500
    actor, action = service.on_engine(lambda d: d.conn.execute(
        "SELECT actor, action FROM audit ORDER BY seq DESC LIMIT 1").fetchone())
    assert (actor, action) == ("(no session)", "sign_in_failed")
