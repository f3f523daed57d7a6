"""The client's memory of the audit log and its check at sign-in (issue 13 §1.2, §1.3; R-AUDIT-2), with a real
SoftHSM token, the real keyring and a real directory file: the memory is mirrored, MACed, in the keyring item
beside the wrapped cache key, so deleting the cache forgets nothing; an altered or lost mirror is an alarm; and
the user's own entries are checked against the tree, so an edit the stored tree does not show is caught too."""
from __future__ import annotations

import json
import uuid

import pytest

from app.directory import Directory, EmbeddedDirectory
from app.keystore import SecureKeyStore
from app.localcache import ITEM_FORMAT, cache_files, key_item_name, read_item
from app.paths import Paths
from app.session import SessionManager
from tests import tampering
from tests.conftest import PASSWORD, TODAY

USER = "alex.practitioner"
SIGNING = bytes(range(7, 39))


@pytest.fixture
def desk(softhsm, service, alice, directory_copy, tmp_path):
    """The directory file, a token, a keyring and a data folder; ``open()`` starts the directory (again)."""
    path, key = directory_copy
    tokens = service(poll_interval=0.2)
    store = SecureKeyStore(service=f"signpost-test-{uuid.uuid4().hex[:8]}")
    paths = Paths(tmp_path / "data", tmp_path / "config")
    state: dict = {}

    def open_directory() -> SessionManager:
        close()
        directory = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY, signing_key=SIGNING))
        directory.opened.result(30)
        state["directory"], state["sessions"] = directory, SessionManager(directory, tokens, store, paths)
        return state["sessions"]

    def close() -> None:
        if "sessions" in state:
            state.pop("sessions").close()
            state.pop("directory").close()

    state["close"] = close
    first = open_directory()
    first.directory.run_on_engine(lambda d: d.enrol_token(USER, alice.serial, alice.keys.sign_public_der,
                                                          alice.keys.wrap_public_der, "test")).result(10)
    yield open_directory, path, key, store, paths, state
    close()
    store.delete_now(key_item_name(USER))
    store.close()


def _sign_in_and_out(sessions, alice, alice_pin):
    session = sessions.sign_in(USER, PASSWORD, alice.serial, alice_pin).result(30)
    alarm = session.security_alert
    sessions.sign_out(session).result(10)
    return alarm


def _findings(state) -> list[str]:
    """What the clients' alerts to the LA team said, oldest first (their audit entries)."""
    return [json.loads(detail)["finding"] for (detail,) in state["directory"].run_on_engine(lambda d: d.conn.execute(
        "SELECT detail FROM audit WHERE action = 'security_alert' ORDER BY seq").fetchall()).result(5)]


def test_the_memory_is_mirrored_and_maced_beside_the_wrapped_key(desk, alice, alice_pin):
    open_directory, path, key, store, paths, state = desk
    assert _sign_in_and_out(state["sessions"], alice, alice_pin) is None
    item = store.get_now(key_item_name(USER))
    assert item.startswith(ITEM_FORMAT)
    wrapped, memory, mac = read_item(item)
    kept = json.loads(memory)
    assert len(wrapped) == 256 and len(mac) == 32 and kept["checkpoint"]["size"] > 0 and kept["own"]


def test_a_rollback_with_the_cache_deleted_is_still_caught_from_the_keyring(desk, alice, alice_pin, tmp_path):
    """Issue 13 §1.3: the directory rolled back (file and witness) and the client's cache file deleted -- no key
    needed for either -- used to be accepted silently. The keyring's mirror still knows the later checkpoint."""
    open_directory, path, key, store, paths, state = desk
    state["close"]()  # the file as it was, to roll back to
    kept = tampering.keep(path, tmp_path / "then")
    sessions = open_directory()
    assert _sign_in_and_out(sessions, alice, alice_pin) is None
    assert _sign_in_and_out(sessions, alice, alice_pin) is None
    state["close"]()
    tampering.roll_back(path, kept)
    for f in cache_files(paths.cache_file(USER)):
        f.unlink(missing_ok=True)
    alarm = _sign_in_and_out(open_directory(), alice, alice_pin)
    assert alarm is not None and alarm.code == "audit.shrunk"
    assert str(alarm).startswith("Security alert: the directory's audit log has shrunk")
    assert _findings(state) == ["audit.shrunk"]  # the LA team is told


def test_an_altered_mirror_is_an_alarm(desk, alice, alice_pin):
    """A mirror changed without the token (its MAC no longer checks) is itself an alarm."""
    open_directory, path, key, store, paths, state = desk
    sessions = state["sessions"]
    assert _sign_in_and_out(sessions, alice, alice_pin) is None
    wrapped, memory, mac = read_item(store.get_now(key_item_name(USER)))
    older = json.loads(memory)
    older["checkpoint"]["size"] = 1  # what someone hiding a rollback would want the client to remember
    body = {"wrapped": __import__("base64").b64encode(wrapped).decode(), "mac": mac.hex(),
            "memory": __import__("base64").b64encode(json.dumps(older).encode()).decode()}
    store.put_now(key_item_name(USER), ITEM_FORMAT + json.dumps(body).encode())
    alarm = _sign_in_and_out(sessions, alice, alice_pin)
    assert alarm is not None and alarm.code == "audit.memory_altered"
    assert _sign_in_and_out(sessions, alice, alice_pin) is None  # told once; a new memory is kept from then on


def test_the_mirror_deleted_after_earlier_sign_ins_here_is_an_alarm(desk, alice, alice_pin):
    """Issue 13 §1.3: a missing memory after a known sign-in history (the cache file is still here) is an
    alarm, not a first sign-in."""
    open_directory, path, key, store, paths, state = desk
    sessions = state["sessions"]
    assert _sign_in_and_out(sessions, alice, alice_pin) is None
    store.delete_now(key_item_name(USER))
    alarm = _sign_in_and_out(sessions, alice, alice_pin)
    assert alarm is not None and alarm.code == "audit.memory_missing"
    assert _findings(state) == ["audit.memory_missing"]


def test_an_own_entry_edited_in_the_middle_is_caught_though_the_stored_tree_was_left_alone(desk, alice,
                                                                                          alice_pin):
    """Issue 13 §1.2: an edit that leaves the stored tree alone passed the consistency proof; the client now
    recomputes the leaf of its own last sign-in from the entry and checks it against the tree."""
    open_directory, path, key, store, paths, state = desk
    sessions = state["sessions"]
    assert _sign_in_and_out(sessions, alice, alice_pin) is None

    def edit(d):
        d.conn.execute("DROP TRIGGER audit_no_update")
        seq = d.conn.execute("SELECT max(seq) FROM audit WHERE action = 'sign_in' AND actor = ?", (USER,)).fetchone()
        d.conn.execute("UPDATE audit SET detail = '{\"role\":\"practitioner\",\"token\":\"another\"}' WHERE seq = ?",
                       seq)
    state["directory"].run_on_engine(edit).result(10)
    alarm = _sign_in_and_out(sessions, alice, alice_pin)
    assert alarm is not None and alarm.code == "audit.own_entry"


def test_a_tree_cut_behind_the_directory_is_a_named_alert_not_a_lookup_error(desk, alice, alice_pin):
    """Issue 13 §1.2: tree nodes deleted used to fail every later sign-in with a raw LookupError. Now the
    sign-in is refused with the directory's security alert (it cannot append to the tree), or goes ahead with
    the client's alarm (it cannot prove the log); never a traceback."""
    from app.refusals import AuditBroken
    open_directory, path, key, store, paths, state = desk
    sessions = state["sessions"]
    assert _sign_in_and_out(sessions, alice, alice_pin) is None

    def cut_the_tree(d):
        d.conn.execute("DROP TRIGGER audit_tree_no_delete")
        d.conn.execute("DELETE FROM audit_tree")
    state["directory"].run_on_engine(cut_the_tree).result(10)
    attempt = sessions.sign_in(USER, PASSWORD, alice.serial, alice_pin)
    exc = attempt.exception(timeout=30)
    if exc is not None:
        assert isinstance(exc, AuditBroken) and exc.params["finding"] == "tree_broken"
        assert str(exc).startswith("Security alert: the directory's audit log no longer fits its hash tree")
    else:
        assert attempt.result().security_alert is not None
        sessions.sign_out(attempt.result()).result(10)


def test_an_audit_archive_signed_by_another_key_than_the_one_pinned_is_refused(desk, alice, alice_pin):
    """Issue 13 §1.4: the LA team's export is vouched for by the session against the directory's key as this
    client pinned it at sign-in; an archive signed by any other key is a security alert, never "verified"."""
    from datetime import date, timedelta

    from app import audit
    from app.audit_memory import AuditAlarm
    from app.directory.work import operations as ops
    from app.directory.work import types as t
    open_directory, path, key, store, paths, state = desk
    sessions = state["sessions"]
    state["directory"].run_on_engine(lambda d: d.enrol_token("jo.la", alice.serial, alice.keys.sign_public_der,
                                                             alice.keys.wrap_public_der, "test")).result(10)
    session = sessions.sign_in("jo.la", PASSWORD, alice.serial, alice_pin).result(30)
    try:
        query = t.ArchiveQuery(date.today() - timedelta(days=1), date.today())
        assert sessions.perform(session, ops.AUDIT_ARCHIVE, query).result(30).entries

        def another_key(d):
            d.audit = audit.AuditLog(d.conn, bytes(range(100, 132)), d.audit.witness)
        state["directory"].run_on_engine(another_key).result(10)
        refused = sessions.perform(session, ops.AUDIT_ARCHIVE, query).exception(timeout=30)
        assert isinstance(refused, AuditAlarm) and refused.code == "audit.archive_unknown_key"
        assert "signed by an unknown key" in str(refused)
    finally:
        sessions.sign_out(session).result(10)
        store.delete_now(key_item_name("jo.la"))
