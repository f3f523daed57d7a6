"""Sign-in, lock and unlock with a real SoftHSM token, the real keyring and the
directory (R-ROLE-4, R-LOCAL-1, R-LOCAL-2). Run inside packaging/with-keyring.sh."""
from __future__ import annotations

import json
import uuid

import pytest

from app.directory import Directory, EmbeddedDirectory, SignInRefused
from app.keystore import SecureKeyStore
from app.localcache import cache_files, key_item_name, read_item
from app.paths import Paths
from app.session import SessionManager
from app.token.errors import TokenError, TokenErrorKind
from tests.conftest import PASSWORD, TODAY, open_child


@pytest.fixture
def world(softhsm, service, alice, directory_copy, tmp_path):
    path, key = directory_copy
    directory = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY))
    directory.run_on_engine(lambda d: d.enrol_token("alex.practitioner", alice.serial, alice.keys.sign_public_der,
                  alice.keys.wrap_public_der, "test")).result(10)
    tokens = service(poll_interval=0.2)
    store = SecureKeyStore(service=f"signpost-test-{uuid.uuid4().hex[:8]}")
    paths = Paths(tmp_path / "data", tmp_path / "config")
    sessions = SessionManager(directory, tokens, store, paths)
    yield sessions, directory, paths, store
    sessions.close()
    directory.close()
    store.close()


def last_audit(directory):
    return directory.run_on_engine(lambda d: d.conn.execute(
        "SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()).result(5)


def test_sign_in_opens_a_cache_only_the_token_can_unlock(world, alice, alice_pin):
    sessions, directory, paths, store = world
    session = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    assert session.user.username == "alex.practitioner" and session.cache is not None
    assert last_audit(directory)[0] == "sign_in"
    wrapped, memory, mac = read_item(store.get_now(key_item_name("alex.practitioner")))
    assert len(wrapped) == 256  # RSA-2048 ciphertext, never the 32-byte key
    assert memory is not None and len(mac) == 32  # R-AUDIT-2: the audit memory, MACed, beside it


def test_cache_and_keyring_hold_no_child_name_or_clear_key(world, alice, alice_pin):
    """R-LOCAL-1: look for a long marker in the cache file, its -wal/-shm and the keyring item."""
    sessions, directory, paths, store = world
    session = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    marker = "ZEBEDEE-QUUXINGTON-7741"
    directory.run_on_engine(
        lambda d: d.conn.execute("UPDATE children SET family_name = ? WHERE id = 1", (marker,))).result(5)
    from app.model import AccessReason, Reason, Viewer
    viewer = Viewer(session.user, None, session.directory_session)
    view = directory.run_on_engine(lambda d: open_child(d, viewer, 1, Reason(AccessReason.PROVIDING_SERVICE))).result(5)
    sessions.remember(session, view).result(5)
    copy = sessions.recall(session, view.directory_id).result(5)  # the offline copy reads back whole
    assert copy.view == view and copy.view.name.family_name == marker
    files = [p for p in cache_files(paths.cache_file("alex.practitioner")) if p.exists()]
    assert files
    wrapped = store.get_now(key_item_name("alex.practitioner"))
    for f in files:
        data = f.read_bytes()
        assert marker.encode() not in data and marker.encode("utf-16-le") not in data
    assert marker.encode() not in wrapped
    sessions.sign_out(session).result(10)


def test_wrong_pin_is_refused_by_the_token_and_nothing_opens(world, alice):
    sessions, directory, paths, _ = world
    with pytest.raises(TokenError) as e:
        sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, "000000").result(30)
    assert e.value.kind is TokenErrorKind.WRONG_PIN and "PIN" in e.value.message
    assert not paths.cache_file("alex.practitioner").exists()
    # R-AUDIT-1: the token's refusal reaches the directory's audit too
    action, detail = last_audit(directory)
    assert action == "token_refused" and json.loads(detail)["kind"] == "wrong_pin"


def test_a_token_pulled_at_sign_in_is_audited(world, softhsm, alice, alice_pin):
    """R-AUDIT-1: a pulled token at sign-in leaves an audit entry."""
    sessions, directory, _, _ = world
    pulled = softhsm.pull(alice.serial)
    try:
        with pytest.raises(TokenError):
            sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    finally:
        softhsm.insert(pulled)
    action, detail = last_audit(directory)
    assert action == "token_refused" and json.loads(detail)["kind"] == "removed"


def test_wrong_password_with_the_right_token_is_refused(world, alice, alice_pin):
    sessions, directory, _, _ = world
    with pytest.raises(SignInRefused, match="username, password or security token is not right"):
        sessions.sign_in("alex.practitioner", "nope", alice.serial, alice_pin).result(30)
    assert last_audit(directory)[0] == "sign_in_failed"


def test_lock_closes_the_cache_and_the_same_token_unlocks(world, alice, alice_pin):
    """R-LOCAL-2."""
    sessions, directory, _, _ = world
    session = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    sessions.lock(session, "test").result(10)
    assert session.locked and session.cache is None
    assert last_audit(directory)[0] == "lock"
    with pytest.raises(TokenError, match="not the token"):
        sessions.unlock(session, "some-other-serial", alice_pin).result(30)
    action, detail = last_audit(directory)  # R-AUDIT-1: a wrong token at unlock is audited
    assert action == "token_refused" and json.loads(detail) == {"kind": "wrong_token", "during": "unlock",
                                                                "token": "some-other-serial"}
    sessions.unlock(session, alice.serial, alice_pin).result(30)
    assert not session.locked and session.cache is not None
    assert last_audit(directory)[0] == "unlock"


def test_sign_in_checks_the_audit_log_extends_what_this_client_saw(world, alice, alice_pin):
    """R-AUDIT-2: the client keeps the last checkpoint in its encrypted cache; a rewritten log raises an
    alert to the user and the LA team."""
    sessions, directory, _, _ = world
    first = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    assert first.security_alert is None
    sessions.sign_out(first).result(10)
    second = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    assert second.security_alert is None  # grew, and proved it extends what was seen
    sessions.sign_out(second).result(10)

    def rewrite(d):  # someone with the database rewrites an entry and every stored hash
        from app import audit, merkle
        conn = d.conn
        for t in ("audit", "audit_tree"):
            conn.execute(f"DROP TRIGGER {t}_no_update")
            conn.execute(f"DROP TRIGGER {t}_no_delete")
        rows = conn.execute("SELECT seq, at, actor, on_behalf_of, action, reason, detail, las FROM audit "
                            "ORDER BY seq").fetchall()
        conn.execute("DELETE FROM audit")
        conn.execute("DELETE FROM audit_tree")
        store, size = merkle.MemoryStore(), 0
        for seq, at, actor, *rest in rows:
            actor = "mallory" if seq == 2 else actor
            leaf = audit.entry_leaf(seq, at, actor, *rest)
            conn.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?)", (seq, at, actor, *rest, leaf))
            size = merkle.append(store, size, leaf)
        conn.executemany("INSERT INTO audit_tree VALUES (?,?,?)", [(lv, i, h) for (lv, i), h in store.nodes.items()])
    directory.run_on_engine(rewrite).result(10)
    third = sessions.sign_in("alex.practitioner", PASSWORD, alice.serial, alice_pin).result(30)
    assert third.security_alert.code == "audit.rewritten"
    assert str(third.security_alert).startswith("Security alert: the directory's audit log was rewritten")
    assert last_audit(directory)[0] == "security_alert"
    sessions.sign_out(third).result(10)
