"""The service over real TLS on 127.0.0.1, its training certificates, and its OpenAPI document."""
from __future__ import annotations

import base64
import stat

import pytest
import requests
from cryptography import x509

from app.server import tls
from app.server.document import checked_in, openapi_yaml
from app.token.signin import signin_message

from .conftest import SEARCH_KNOWN, running_https


def test_training_certificates_are_private_and_reused(tmp_path):
    folder = tmp_path / "data" / "service"
    first = tls.ensure(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for f in (first.ca, first.cert, first.key, first.ca_key):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    cert = x509.load_pem_x509_certificate(first.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in {str(a) for a in names.get_values_for_type(x509.IPAddress)}
    ca_pem, cert_pem = first.ca.read_bytes(), first.cert.read_bytes()
    again = tls.ensure(folder)
    assert again.ca.read_bytes() == ca_pem and again.cert.read_bytes() == cert_pem  # reused, not remade
    first.cert.write_bytes(b"garbage")
    remade = tls.ensure(folder)
    assert remade.ca.read_bytes() == ca_pem and remade.cert.read_bytes() != b"garbage"


def test_sign_in_and_search_over_real_https(make_service, known_child, tmp_path):
    """uvicorn with the generated certificates; requests verifies the server against the training CA."""
    service = make_service(prepare=known_child)
    files = tls.ensure(tmp_path / "service")
    url, stop = running_https(service.app, files)
    try:
        with requests.Session() as http:
            http.trust_env = False  # else REQUESTS_CA_BUNDLE in the environment overrides ``verify``
            http.verify = str(files.ca)
            assert http.get(f"{url}/v1/status", timeout=5).json()["kind"] == "service"
            token = service.tokens["alex.practitioner"]
            challenge = http.post(f"{url}/v1/challenge", timeout=5).json()["challenge"]
            signature = token.sign(signin_message("sign-in", token.serial, base64.b64decode(challenge)))
            signed = http.post(f"{url}/v1/sessions", timeout=10, json={
                "username": "alex.practitioner", "password": "training-only-2026", "serial": token.serial,
                "challenge": challenge, "signature": base64.b64encode(signature).decode()})
            assert signed.status_code == 200, signed.text
            auth = {"Authorization": f"Bearer {signed.json()['session']}"}
            found = http.post(f"{url}/v1/search", json=SEARCH_KNOWN, headers=auth, timeout=5)
            assert [h["directory_id"] for h in found.json()["hits"]] == [service.made["child"]]
            refused = http.post(f"{url}/v1/search", json=SEARCH_KNOWN, timeout=5)
            assert refused.status_code == 401 and refused.json()["code"] == "session.expired"

        stranger = tls.ensure(tmp_path / "another")  # a different CA: the server must not verify
        with requests.Session() as other, pytest.raises(requests.exceptions.SSLError):
            other.trust_env = False
            other.get(f"{url}/v1/status", verify=str(stranger.ca), timeout=5)
    finally:
        stop()


def test_checked_in_openapi_document_is_what_the_code_generates():
    """resources/openapi.yaml is generated (python -m app.server --write-openapi); it must not drift."""
    assert checked_in() == openapi_yaml(), (
        "resources/openapi.yaml is out of date: run `.venv/bin/python -m app.server --write-openapi`")


def test_openapi_document_covers_the_contract():
    import yaml

    from app.directory.work.operations import OPERATIONS
    doc = yaml.safe_load(checked_in())
    routes = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert routes == {
        ("GET", "/v1/"), ("GET", "/v1/status"), ("GET", "/v1/health"), ("POST", "/v1/challenge"),
        ("POST", "/v1/sessions"), ("POST", "/v1/session/lock"),
        ("POST", "/v1/session/unlock"), ("DELETE", "/v1/session"), ("POST", "/v1/token-refusals"),
        ("POST", "/v1/search"), ("POST", "/v1/records/{directory_id}/view"),
        ("POST", "/v1/accounts/{username}/unlock"),
        ("GET", "/v1/audit/entries"), ("GET", "/v1/audit/checkpoint"), ("GET", "/v1/audit/consistency"),
        ("GET", "/v1/audit/public-key"), ("GET", "/v1/audit/own/{seq}"), ("POST", "/v1/audit/alerts")} | {
        ("POST", f"/v1{op.path}") for op in OPERATIONS.values()}
    for path, op in ((f"/v1{op.path}", op) for op in OPERATIONS.values()):  # each work request is documented
        body = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["properties"]["request"] and body["additionalProperties"] is False, op.name
    for ops in doc["paths"].values():
        for op in ops.values():
            assert "application/problem+json" in op["responses"]["default"]["content"]


def test_serve_says_the_command_that_runs_the_app_against_its_own_port(tmp_path):
    """Issue 15 2.6: `make serve SERVE_PORT=9443` said "(or: make run-remote)", which goes to port 8443."""
    from app.server.serve import client_commands
    other = client_commands("https://127.0.0.1:9443", 9443, tmp_path / "ca.pem")
    assert "  make run-remote SERVE_PORT=9443\n" in other
    assert "SIGNPOST_DIRECTORY_URL=https://127.0.0.1:9443 " in other and "packaging/with-keyring.sh " in other
    assert "  make run-remote\n" in client_commands("https://127.0.0.1:8443", 8443, tmp_path / "ca.pem")


def test_serve_writes_the_openapi_document_and_says_when_its_port_is_taken(tmp_path, capsys):
    from app.server.serve import listen, main
    assert main(["--write-openapi", str(tmp_path / "api.yaml")]) == 0
    assert (tmp_path / "api.yaml").read_text(encoding="utf-8") == openapi_yaml()
    taken = listen("127.0.0.1", 0)
    try:
        assert main(["--port", str(taken.getsockname()[1])]) == 2
    finally:
        taken.close()
    assert "already running" in capsys.readouterr().err
