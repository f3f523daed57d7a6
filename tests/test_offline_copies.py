"""Offline copies and shields set since they were made (issue 13 §3.2, R-SHIELD-2/4, R-LOCAL-2), with the real
parts: a real SoftHSM token and the real keyring (run inside packaging/with-keyring.sh), the user's real encrypted
cache file, the directory service over HTTPS on 127.0.0.1 stopped and started again (the offline path is the real
"cannot be reached"), and a shield set at run time by another user through the service.

- A copy made after the client last heard from the directory about its copies reads, offline, only as a shielded
  record would (names, date of birth, gender, id, the LA team), saying so.
- When the directory answers again after an outage, the client checks its copies at once; a confirmed copy then
  reads in full offline.
- A shield set by another user meanwhile: the client hears of it at the next unlock and drops that copy from its
  cache file; offline it is then not there to read at all.
"""
from __future__ import annotations

import time
import uuid

import pytest

from app import directory_id, localcache
from app.directory import Directory
from app.directory.remote import RemoteDirectory
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.keystore import SecureKeyStore
from app.model import AccessReason, Reason
from app.paths import Paths
from app.search import Criteria
from app.server import create_app
from app.server import tls as service_tls
from app.session import SessionManager
from tests.conftest import PASSWORD, TODAY
from tests.contract.conftest import token_for
from tests.contract.test_directory_contract import viewer as remote_viewer
from tests.ui.service import Listener, free_port

REASON = Reason(AccessReason.PROVIDING_SERVICE)


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def desk(softhsm, service, alice, directory_copy, tmp_path):
    """alex.practitioner on this workstation (alice's SoftHSM token, the keyring, a cache file) against the service,
    which a test may stop and start again on the same port; sam.cp signs in elsewhere with his own token."""
    path, key = directory_copy
    d = Directory.open(path, key, clock=lambda: TODAY)
    try:
        d.enrol_token("alex.practitioner", alice.serial, alice.keys.sign_public_der, alice.keys.wrap_public_der, "t")
        token_for("sam.cp").enrol(d, "sam.cp")
        plain = [directory_id.fmt(v) for (v,) in d.conn.execute(
            "SELECT c.directory_id FROM children c WHERE c.shielded_at IS NULL AND c.la_code = 'NBR' AND NOT EXISTS "
            "(SELECT 1 FROM children s WHERE s.household_id = c.household_id AND s.id != c.id) ORDER BY c.id LIMIT 2")]
    finally:
        d.close()
    material = service_tls.ensure(tmp_path / "tls")
    application = create_app(lambda: Directory.open(path, key, clock=lambda: TODAY))
    port = free_port()
    state = {"listener": Listener(application, port, material).start()}
    remote = RemoteDirectory(f"https://127.0.0.1:{port}", str(material.ca))
    store = SecureKeyStore(service=f"signpost-test-{uuid.uuid4().hex[:8]}")
    paths = Paths(tmp_path / "data", tmp_path / "config")
    sessions = SessionManager(remote, service(poll_interval=0.2), store, paths)
    sessions.outbox_retry_s = 0.3  # how soon an outage's end is noticed (the outbox's and the copies' retry)
    sessions.copy_check_s = 3600.0  # no periodic check in this test: only sign-in, unlock and "back online"

    def stop() -> None:
        state["listener"].stop()

    def start() -> None:
        state["listener"] = Listener(application, port, material).start()

    yield sessions, remote, plain, paths, stop, start
    sessions.close()
    remote.close()
    if state["listener"].thread.is_alive():
        stop()
    application.state.shutdown()
    store.close()


def _open(sessions, remote, session, did):
    v = session.viewer()
    assert [h.directory_id for h in remote.search(v, Criteria(directory_id=did), REASON).result(30).hits] == [did]
    view = remote.view_record(v, did, REASON).result(30)
    assert view.address is not None and not view.shield_applied
    sessions.remember(session, view).result(10)
    return view


def test_offline_copies_follow_the_shields_set_since_they_were_made(desk, alice, alice_pin):
    sessions, remote, (first, second), paths, stop, start = desk
    session = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    _wait(lambda: session.copies is not None and session.copies.checks >= 1)  # at sign-in (nothing held yet)
    full = {did: _open(sessions, remote, session, did) for did in (first, second)}

    stop()  # the directory cannot be reached: nothing has confirmed these copies since they were made
    copy = sessions.recall(session, first).result(10)
    assert copy.unconfirmed and copy.view.shield_applied
    assert (copy.view.address, copy.view.carers, copy.view.involvements, copy.view.other_names) == (None, (), (), ())
    assert copy.view.name == full[first].name and copy.view.la_team == full[first].la_team

    checks = session.copies.checks
    start()  # back online: the client checks its copies as soon as the directory answers again
    _wait(lambda: session.copies.checks > checks)
    stop()
    copy = sessions.recall(session, first).result(10)
    assert not copy.unconfirmed and copy.view == full[first]  # confirmed since it was made: in full

    start()
    sam = remote_viewer(remote, "sam.cp")  # another user, at another workstation, shields the first child
    assert [h.directory_id for h in remote.search(sam, Criteria(directory_id=first), REASON).result(30).hits]
    assert remote.perform(ops.REQUEST_SHIELD, sam, t.ShieldRequest(first, t.ShieldGround.DOMESTIC_ABUSE,
                                                                   REASON)).result(30)
    sessions.lock(session, "test").result(10)
    sessions.unlock(session, alice.serial, alice_pin).result(30)  # the client hears of the shield at unlock
    _wait(lambda: session.copies is not None and session.copies.checks >= 1)
    stop()
    assert sessions.recall(session, first).result(10) is None  # dropped from the cache file
    kept = sessions.recall(session, second).result(10)
    assert not kept.unconfirmed and kept.view == full[second]
    sessions.sign_out(session).result(10)
    assert paths.cache_file("alex.practitioner").exists()  # the real file, read back above, is still there
    assert localcache.cache_files(paths.cache_file("alex.practitioner"))
