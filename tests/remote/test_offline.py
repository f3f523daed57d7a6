"""Offline reading (R-LOCAL-2, issue 7): signed in over HTTPS with a real SoftHSM token, a record the
user opened stays readable from the encrypted cache when the service stops. Run inside
packaging/with-keyring.sh (``make test``)."""
from __future__ import annotations

import shutil
import time
import uuid

import pytest

from app.directory import Directory, Unreachable
from app.directory.remote import RemoteDirectory
from app.keystore import SecureKeyStore
from app.model import AccessReason, Reason, Viewer
from app.paths import Paths
from app.search import Criteria
from app.session import OfflineCopy, SessionManager
from tests.conftest import PASSWORD, TODAY
from tests.contract.service import RunningService

REASON = Reason(AccessReason.PROVIDING_SERVICE)
WAIT_S = 30


@pytest.fixture
def online(softhsm, service, alice, built_directory, tmp_path):
    """The service on a copy of the test directory (alice's token enrolled for Alex), the remote client and
    a session manager with the real token service and key store."""
    from app.server import tls
    src, key = built_directory
    path = tmp_path / "directory.db"
    shutil.copy(src, path)
    d = Directory.open(path, key, clock=lambda: TODAY)
    try:
        d.enrol_token("alex.practitioner", alice.serial, alice.keys.sign_public_der, alice.keys.wrap_public_der,
                      "test")
        did = d.conn.execute("SELECT directory_id FROM children WHERE shielded_at IS NULL ORDER BY id "
                             "LIMIT 1 OFFSET 3").fetchone()[0]
    finally:
        d.close()
    files = tls.ensure(tmp_path / "tls")
    running = RunningService(lambda: Directory.open(path, key, clock=lambda: TODAY), files).start()
    remote = RemoteDirectory(running.url, str(files.ca), timeouts=(1, 5))
    store = SecureKeyStore(service=f"signpost-test-{uuid.uuid4().hex[:8]}")
    sessions = SessionManager(remote, service(poll_interval=0.2), store, Paths(tmp_path / "data", tmp_path / "cfg"))
    from app import directory_id
    yield sessions, remote, running, directory_id.fmt(did)
    sessions.close()
    remote.close()
    running.stop()
    store.close()


def confirmed_by_a_check(sessions, session, did: str) -> None:
    """Wait, while the service answers, until a shield check sent after the copy was made has confirmed it
    (R-SHIELD-2): only then is the copy read in full offline. Asking for it kicks the checker."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        copy = sessions.recall(session, did).result(WAIT_S)
        if copy is not None and not copy.unconfirmed:
            return
        time.sleep(0.05)
    raise AssertionError(f"no shield check confirmed the copy of {did} within {WAIT_S} s")


def test_a_record_opened_online_is_read_from_the_offline_copy_when_the_service_stops(online, alice, alice_pin):
    sessions, remote, running, did = online
    session = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(WAIT_S)
    assert session.cache is not None and session.security_alert is None
    alex = Viewer(session.user, None, session.directory_session)
    assert [h.directory_id for h in remote.search(alex, Criteria(directory_id=did), REASON).result(WAIT_S).hits] \
        == [did]
    view = remote.view_record(alex, did, REASON).result(WAIT_S)
    opened_at = time.time()
    sessions.remember(session, view).result(WAIT_S)
    assert sessions.recall(session, "123 456 7890").result(WAIT_S) is None  # never opened: nothing kept
    confirmed_by_a_check(sessions, session, did)  # an unconfirmed copy shows as shielded (tested apart)

    running.stop()
    with pytest.raises(Unreachable):
        remote.view_record(alex, did, REASON).result(WAIT_S)
    with pytest.raises(Unreachable):
        remote.search(alex, Criteria(directory_id=did), REASON).result(WAIT_S)
    assert remote.status().online is False and remote.status().last_contact is not None

    copy = sessions.recall(session, did).result(WAIT_S)
    assert isinstance(copy, OfflineCopy)
    assert copy.view == view  # the whole record, as it was opened
    assert opened_at - 60 <= copy.fetched_at <= time.time()  # "offline copy from <time>"

    sessions.lock(session, "idle").result(WAIT_S)  # locked: the cache is closed, no offline copy
    assert sessions.recall(session, did).result(WAIT_S) is None
