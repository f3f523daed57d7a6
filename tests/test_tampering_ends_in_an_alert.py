"""Issue 13, *Done when* (R-AUDIT-2, R-AUDIT-3, R-LOCAL-1): every kind of tampering with the training directory's
audit log ends in a non-zero ``audit verify`` AND, at the next real sign-in, in a named security alert to the
user and the LA team -- never a traceback, never a silent pass, never a silent rebuild.

One desk: a real training directory file with its witness, the real keyring (keys, the verifier's record, the
client's mirrored memory), a real SoftHSM token and the real session manager; the directory opened the way
the app opens it (``training.open_existing``: pages checked, the log checked). The user has signed in before
and the administrator has verified before, as on a desk in use; then the file is tampered with, and the
verifier and the client each look again."""
from __future__ import annotations

import hashlib

import pytest

from app import admin, audit_verify, db, training
from app.audit_memory import AuditAlarm
from app.directory import EmbeddedDirectory
from app.localcache import cache_files, key_item_name
from app.refusals import AuditBroken
from app.session import SessionManager
from tests import tampering
from tests.conftest import PASSWORD, TODAY

USER = "alex.practitioner"
# the kinds issue 13 lists: those done to the file alone (tests/tampering.py), and these three
KINDS = sorted(tampering.KINDS) + ["roll back the file with its witness", "roll back and delete the client's cache",
                                   "corrupt a page then restart"]


@pytest.fixture
def desk(training_home, softhsm, service, alice, tmp_path):
    paths, store, key = training_home
    tokens = service(poll_interval=0.2)
    opened: list = []

    def start() -> SessionManager:
        directory = EmbeddedDirectory(lambda: training.open_existing(paths, store, clock=lambda: TODAY))
        sessions = SessionManager(directory, tokens, store, paths)
        opened.append((sessions, directory))
        return sessions

    def stop() -> None:
        while opened:
            sessions, directory = opened.pop()
            sessions.close()
            directory.close()

    yield paths, store, key, start, stop
    stop()
    for item in (key_item_name(USER), audit_verify.VERIFIER_ITEM):
        store.delete_now(item)


def _signed_in_and_out(sessions, alice, alice_pin) -> None:
    session = sessions.sign_in(USER, PASSWORD, alice.serial, alice_pin).result(30)
    assert session.security_alert is None
    sessions.sign_out(session).result(10)


def _security_alerts(path, key) -> int:
    conn = db.open_encrypted(path, key)
    try:
        return conn.execute("SELECT count(*) FROM alerts WHERE kind = 'security_alert' AND la_code = 'NBR' "
                            "AND acknowledged_by IS NULL").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("kind", KINDS)
def test_every_tampering_ends_in_a_failed_verify_and_a_named_alert_at_sign_in(desk, alice, alice_pin, kind, capsys,
                                                                              tmp_path):
    paths, store, key, start, stop = desk
    file = paths.training_directory
    sessions = start()
    sessions.directory.run_on_engine(lambda d: d.enrol_token(USER, alice.serial, alice.keys.sign_public_der,
                                                             alice.keys.wrap_public_der, "test")).result(10)
    for _ in range(3):
        _signed_in_and_out(sessions, alice, alice_pin)
    stop()
    earlier = tampering.keep(file, tmp_path / "earlier")  # the file and its witness as they were then
    sessions = start()
    for _ in range(2):  # the log, the client's memory and (below) the verifier's record all move on
        _signed_in_and_out(sessions, alice, alice_pin)
    stop()
    assert admin.audit_command(["verify"], store=store, paths=paths) == 0  # the administrator checked it then
    capsys.readouterr()
    alerts_before = _security_alerts(file, key)

    if kind in tampering.KINDS:
        tampering.KINDS[kind](file, key, training.signing_key(store))
    elif kind.startswith("roll back"):
        tampering.roll_back(file, earlier)
        if "cache" in kind:
            for f in cache_files(paths.cache_file(USER)):
                f.unlink(missing_ok=True)
    else:
        tampering.flip_a_page(file)
    damaged = hashlib.sha256(file.read_bytes()).hexdigest()

    code = admin.audit_command(["verify"], store=store, paths=paths)
    said = capsys.readouterr()
    assert code != 0, f"audit verify passed after {kind}: {said.out}"
    assert "Traceback" not in said.err

    attempt = start().sign_in(USER, PASSWORD, alice.serial, alice_pin)
    failed = attempt.exception(timeout=60)
    if kind == "corrupt a page then restart":
        assert isinstance(failed, training.DirectoryProblem) and failed.code == "corrupt"
        assert "damaged" in str(failed) and "Nothing was deleted" in str(failed)
        assert hashlib.sha256(file.read_bytes()).hexdigest() == damaged  # not rebuilt
        return
    if failed is not None:  # the directory found it itself, at open: nobody signs in on top of it
        assert isinstance(failed, AuditBroken), f"{kind}: {failed!r}"
        assert str(failed).startswith("Security alert: the directory's audit log ")
    else:  # only a checkpoint held elsewhere shows it: the client's, at sign-in
        session = attempt.result()
        assert isinstance(session.security_alert, AuditAlarm), f"{kind}: signed in with no alert"
        assert str(session.security_alert).startswith("Security alert: ")
    stop()
    assert _security_alerts(file, key) > alerts_before  # the LA team is told too
    if kind in ("re-sign with the directory's own key", "roll back the file with its witness",
                "roll back and delete the client's cache"):
        assert failed is None  # these only a checkpoint held elsewhere can show: the client's showed them
