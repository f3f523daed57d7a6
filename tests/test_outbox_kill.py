"""A kill -9 at any point of writing or sending a change loses nothing and sends nothing twice (R-LOCAL-1).

Real client processes (``python -m tests.test_outbox_kill <config>``) sign in to the real HTTPS service
(``tests.contract.service.RunningService``), keep a change in their encrypted outbox and send it; the test
SIGKILLs them at a chosen point, starts a new process on the same cache (a restart), lets it send what it
kept, and then checks the directory has exactly one involvement and the outbox is empty. A change kept
while the service was down is sent by a new process after the service restarted (every session gone),
without the person searching again: the outbox searches by the child's directory id first.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

USER = "alex.practitioner"
WAIT_S = 60


# -- the client process --------------------------------------------------------------------------------
class FileKeystore:
    """The key store's three calls over one 0600 file (the token wrapping is not what these tests kill)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def get_now(self, name):
        return bytes.fromhex(self.path.read_text()) if self.path.exists() else None

    def put_now(self, name, value):
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(bytes(value).hex())

    def delete_now(self, name):
        self.path.unlink(missing_ok=True)


def _client(cfg: dict) -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from app.directory.remote import RemoteDirectory
    from app.directory.work import operations as ops
    from app.directory.work import types as t
    from app.executor import SerialExecutor
    from app.found import Found
    from app.localcache import LocalCache
    from app.model import AccessReason, Reason, ServiceType, Viewer
    from app.outbox import Outbox
    from app.search import Criteria
    from app.token.signin import signin_message

    reason = Reason(AccessReason.PROVIDING_SERVICE)
    remote = RemoteDirectory(cfg["url"], cfg["ca"])
    signer = serialization.load_pem_private_key(Path(cfg["pem"]).read_bytes(), None)
    challenge = remote.challenge().result(WAIT_S)
    signature = signer.sign(signin_message("sign-in", cfg["serial"], challenge), ec.ECDSA(hashes.SHA256()))
    signed = remote.sign_in(USER, cfg["password"], cfg["serial"], challenge, signature).result(WAIT_S)
    alex = Viewer(signed.user, None, signed.session)
    found = Found()
    if cfg.get("search", True):  # found in this session, as the person did before making the change
        found.add(remote.search(alex, Criteria(directory_id=cfg["did"]), reason).result(WAIT_S))
    thread = SerialExecutor("cache")
    cache = thread.call(lambda: LocalCache.open(cfg["cache"], USER, FileKeystore(cfg["keystore"]),
                                                wrap=lambda k: k, unwrap=lambda w: w))
    box = Outbox(remote, cache, thread, lambda: alex, retry_s=3600, start=False, found=found)
    change = t.NewInvolvement(cfg["did"], ServiceType.GP, cfg["org"], "GP", "0191 496 0000", "gp@example.nhs.uk",
                              date.fromisoformat(cfg["start"]), reason)

    def pause() -> None:  # tell the test where we are, then wait for its SIGKILL
        Path(cfg["marker"]).write_text("here")
        time.sleep(600)

    mode = cfg["mode"]
    before = len(box.items())
    if mode == "offline":  # signed in and searched; the service goes away; the change is kept, then the kill
        Path(cfg["marker"]).write_text("signed in")
        while not Path(cfg["go"]).exists():
            time.sleep(0.01)
        box.submit(ops.RECORD_INVOLVEMENT, alex, change)
        box.drain()  # the service does not answer: kept
        pause()
    elif mode == "in_write":  # killed inside the outbox's transaction, before its COMMIT
        box.submit(ops.RECORD_INVOLVEMENT, alex, change, _before_commit=pause)
    elif mode == "after_write":  # committed, not yet sent
        box.submit(ops.RECORD_INVOLVEMENT, alex, change)
        pause()
    elif mode == "after_send":  # the directory did it; killed before the outbox forgot it
        box._sent = lambda key: pause()
        box.submit(ops.RECORD_INVOLVEMENT, alex, change)
        box.drain()
    elif mode == "in_send":  # killed at a random moment while the request is on its way
        box.submit(ops.RECORD_INVOLVEMENT, alex, change)
        Path(cfg["marker"]).write_text("here")
        box.drain()
        time.sleep(600)
    elif mode in ("resume", "redo"):  # the restart: send what was kept (or, "redo", make the change again)
        sent = box.drain()
        if mode == "redo" and before == 0:
            box.submit(ops.RECORD_INVOLVEMENT, alex, change)
            sent += box.drain()
        print(json.dumps({"before": before, "sent": sent, "after": [i.state for i in box.items()]}))
    box.close()
    thread.call(cache.close)
    remote.close()


# -- the test -------------------------------------------------------------------------------------------
class Services:
    """The real service over one directory file; ``restart`` stops it (every session ends) and starts a new
    one on the same port, as an operator restarting the service would."""

    def __init__(self, path, key, cert) -> None:
        self.path, self.key, self.cert = path, key, cert
        self.running = self._start(0)

    def _start(self, port: int):
        from app.directory import Directory
        from tests.conftest import TODAY
        from tests.contract.service import RunningService
        return RunningService(lambda: Directory.open(self.path, self.key, clock=lambda: TODAY), self.cert,
                              port).start()

    def restart(self) -> None:
        self.stop()
        self.running = self._start(self.running.port)

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()


@pytest.fixture
def services(built_directory, tmp_path):
    from app.server import tls
    from tests.contract.conftest import prepare
    cert = tls.ensure(tmp_path / "tls")
    path, key, facts = prepare(built_directory, tmp_path / "service", None)
    from app import db
    from tests.conftest import list_organisations
    conn = db.open_encrypted(path, key)
    try:  # each test's own organisation, in the register (R-REC-5)
        list_organisations(conn, "Restart Surgery",
                           *(f"Kill Surgery {m}" for m in ("after_write", "after_send", "in_send", "in_write")))
    finally:
        conn.close()
    served = Services(path, key, cert)
    try:
        yield served, facts
    finally:
        served.stop()


@pytest.fixture
def service(services):
    served, facts = services
    return served.running, served.cert, served.path, served.key, facts


def _config(service, tmp_path, org: str) -> dict:
    from cryptography.hazmat.primitives import serialization

    from tests.conftest import PASSWORD, TODAY
    from tests.contract.conftest import token_for
    running, cert, _, _, facts = service
    token = token_for(USER)
    pem = tmp_path / "signer.pem"
    fd = os.open(pem, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(token._sign.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return {"url": running.url, "ca": str(cert.ca), "pem": str(pem), "serial": token.serial, "password": PASSWORD,
            "did": facts.plain["did"], "org": org, "start": TODAY.isoformat(), "cache": str(tmp_path / "cache.db"),
            "keystore": str(tmp_path / "wrapped.key"), "marker": str(tmp_path / "marker"), "go": str(tmp_path / "go")}


def _spawn(cfg: dict, mode: str) -> subprocess.Popen:
    Path(cfg["marker"]).unlink(missing_ok=True)
    return subprocess.Popen([sys.executable, "-m", "tests.test_outbox_kill", json.dumps({**cfg, "mode": mode})],
                            cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, cfg: dict, text: str = "here") -> None:
    deadline = time.monotonic() + WAIT_S
    marker = Path(cfg["marker"])
    while not (marker.exists() and marker.read_text() == text):
        if proc.poll() is not None:
            raise AssertionError(f"the client ended before it said {text!r}: {proc.stderr.read()}")
        assert time.monotonic() < deadline, f"the client never said {text!r}"
        time.sleep(0.01)


def _kill_when_there(proc: subprocess.Popen, cfg: dict, delay_s: float = 0.0) -> None:
    _wait_for(proc, cfg)
    time.sleep(delay_s)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=WAIT_S) == -signal.SIGKILL


def _restart(cfg: dict, mode: str = "resume", **changes) -> dict:
    proc = _spawn({**cfg, **changes}, mode)
    out, err = proc.communicate(timeout=WAIT_S * 2)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _involvements(service, org: str) -> int:
    from app import db
    from app import directory_id as ids
    _, _, path, key, facts = service
    conn = db.open_encrypted(path, key)
    try:
        return conn.execute(
            "SELECT count(*) FROM involvements i JOIN children c ON c.id = i.child_id WHERE c.directory_id = ? "
            "AND i.organisation = ? AND i.recorded_by = ?", (ids.parse(facts.plain["did"]), org, USER)).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("mode", ["after_write", "after_send", "in_send", "in_send", "in_send"])
def test_a_kill_after_the_change_is_kept_loses_nothing_and_sends_nothing_twice(service, tmp_path, mode):
    org = f"Kill Surgery {mode}"
    cfg = _config(service, tmp_path, org)
    _kill_when_there(_spawn(cfg, mode), cfg, delay_s=random.uniform(0, 0.05) if mode == "in_send" else 0)
    got = _restart(cfg)
    # the kept change survived the kill (a random kill in_send may come after it was sent and forgotten)
    assert got["before"] == 1 or (mode == "in_send" and got["before"] == 0)
    assert got["after"] == []  # sent (or found already done) and forgotten: nothing "needs you"
    assert _involvements(service, org) == 1
    again = _restart(cfg)  # a second restart has nothing left to send
    assert again == {"before": 0, "sent": 0, "after": []}
    assert _involvements(service, org) == 1


def test_a_kill_while_the_change_is_being_written_leaves_no_trace_and_nothing_sent(service, tmp_path):
    """Killed inside the outbox's transaction: the person was never told it was kept; nothing half-written
    is ever sent. Made again after the restart, it exists exactly once."""
    org = "Kill Surgery in_write"
    cfg = _config(service, tmp_path, org)
    _kill_when_there(_spawn(cfg, "in_write"), cfg)
    assert _involvements(service, org) == 0
    got = _restart(cfg, "redo")
    assert got["before"] == 0 and got["sent"] == 1 and got["after"] == []
    assert _involvements(service, org) == 1


def test_a_change_kept_while_the_service_was_down_is_sent_after_it_restarts_by_a_new_process(services, tmp_path):
    """R-LOCAL-1: the service stops while a practitioner works; their change is kept; the client is SIGKILLed;
    the service restarts (the session that found the child is gone); a new client process signs in and,
    without the person searching again, sends it: once, after a search by the child's id that the directory
    audits (before, it came back "not from this session's results" and waited unseen)."""
    from app import db
    served, facts = services
    org = "Restart Surgery"
    cfg = _config(service=(served.running, served.cert, served.path, served.key, facts), tmp_path=tmp_path, org=org)
    proc = _spawn(cfg, "offline")
    _wait_for(proc, cfg, "signed in")
    served.stop()  # every session, and the results it was given, end with it
    Path(cfg["go"]).write_text("go")
    _kill_when_there(proc, cfg)
    served.restart()
    conn = db.open_encrypted(served.path, served.key)
    try:
        (searches_before,) = conn.execute("SELECT count(*) FROM audit WHERE action = 'search'").fetchone()
    finally:
        conn.close()
    got = _restart(cfg, search=False)
    assert got == {"before": 1, "sent": 1, "after": []}
    assert _involvements((None, None, served.path, served.key, facts), org) == 1
    conn = db.open_encrypted(served.path, served.key)
    try:
        searches = [json.loads(d) for (d,) in conn.execute(
            "SELECT detail FROM audit WHERE action = 'search' AND actor = ? ORDER BY seq", (USER,))]
        (total,) = conn.execute("SELECT count(*) FROM audit WHERE action = 'search'").fetchone()
    finally:
        conn.close()
    assert total == searches_before + 1
    assert searches[-1]["criteria"] == {"directory_id": facts.plain["did"]}
    assert searches[-1]["returned"] == [facts.plain["did"]]
    assert _restart(cfg, search=False) == {"before": 0, "sent": 0, "after": []}


if __name__ == "__main__":
    _client(json.loads(sys.argv[1]))
