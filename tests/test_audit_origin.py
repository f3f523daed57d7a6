"""Each checkpoint names the log it is of (issue 16 §4; R-AUDIT-2): the name is signed with the rest, so a
checkpoint of one log -- a training directory's, a copy's -- can never pass for another's, not even when the same
key signed both and the two share their history. A log from before logs were named keeps its old checkpoints
and is named from then on."""
from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from app import audit, audit_memory, db, schema
from app.directory import Directory
from app.directory.remote import _checkpoint
from app.wire import WireError
from tests.conftest import TODAY

SIGNING = bytes(range(9, 41))


def _open(path, key) -> Directory:
    return Directory.open(path, key, clock=lambda: TODAY, signing_key=SIGNING)


def _entries(d: Directory, n: int) -> None:
    for i in range(n):
        d.audit.record("alex.practitioner", "lock", detail={"why": f"test {i}"})


def _proofs(d: Directory) -> audit_memory.Directory:
    return audit_memory.Directory(d.audit_consistency, lambda seq, size: d.audit.own_entry(seq, size))


def test_a_checkpoint_names_its_log_and_the_name_is_signed(directory):
    directory.audit.record("alex.practitioner", "lock", detail={"why": "test"})
    cp = directory.audit_checkpoint()
    assert cp.origin == directory.audit.origin and cp.origin.startswith("signpost/training/")
    assert cp.verify(directory.audit_public_key())
    assert not replace(cp, origin="signpost/directory/0123456789abcdef").verify(directory.audit_public_key())
    assert not replace(cp, origin="").verify(directory.audit_public_key())  # nor passed off as an unnamed one


def _log(conn, origin: str | None = None) -> audit.AuditLog:
    if origin is not None:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('audit_origin', ?)", (origin,))
    return audit.AuditLog(conn, SIGNING)


def test_another_log_with_the_same_history_and_the_same_key_is_another_log_to_a_client():
    first = sqlite3.connect(":memory:", isolation_level=None)
    schema.create_tables(first)
    seen = _log(first, "signpost/service/aaaaaaaaaaaaaaaa")
    for i in range(2):
        seen.record("alex.practitioner", "lock", detail={"why": f"test {i}"})
    kept = audit_memory.Memory(seen.checkpoint(), seen.public_key)
    second = sqlite3.connect(":memory:", isolation_level=None)
    first.backup(second)  # the same entries, signed by the same key: only the log's name differs
    other = _log(second, "signpost/training/bbbbbbbbbbbbbbbb")
    other.record("alex.practitioner", "lock", detail={"why": "test 2"})
    shown = other.checkpoint()
    assert shown.verify(kept.public_key) and shown.size > kept.checkpoint.size
    proofs = audit_memory.Directory(other.consistency, other.own_entry)
    alarm = audit_memory.check("alex.practitioner", kept, "ok", shown, other.public_key, proofs)
    assert alarm is not None and alarm.code == "audit.other_log"
    seen.record("alex.practitioner", "lock", detail={"why": "test 2"})  # the log the client saw passes the check
    assert audit_memory.check("alex.practitioner", kept, "ok", seen.checkpoint(), seen.public_key,
                              audit_memory.Directory(seen.consistency, seen.own_entry)) is None


def test_audit_verify_refuses_a_checkpoint_of_another_log_as_a_reference(directory):
    _entries(directory, 2)
    cp, name = directory.audit_checkpoint(), "signpost/directory/ffffffffffffffff"
    foreign = audit.Checkpoint(cp.size, cp.root, cp.at, directory.audit._key.sign(  # the same key, another log
        audit.checkpoint_message(cp.size, cp.root, cp.at, name)), name)
    verdict = audit.verify(directory.conn, directory.audit_public_key(), foreign)
    assert not verdict.ok and verdict.code == "other_log"
    assert audit.verify(directory.conn, directory.audit_public_key(), directory.audit_checkpoint()).ok


def test_a_log_from_before_logs_were_named_keeps_its_checkpoints_and_is_named_from_then_on(directory_copy):
    path, key = directory_copy
    old = _open(path, key)
    old.audit.origin = ""  # what an earlier version signed: no name in the checkpoint
    _entries(old, 3)
    unnamed = old.audit_checkpoint()
    old.close()
    assert unnamed.origin == ""
    conn = db.open_encrypted(path, key)
    conn.execute("DELETE FROM meta WHERE key = 'audit_origin'")
    conn.close()
    now = _open(path, key)  # its self-check at open passed: the unnamed checkpoints still verify
    assert now.audit.broken is None and now.audit.origin.startswith("signpost/training/")
    _entries(now, 1)
    named = now.audit_checkpoint()
    assert named.origin == now.audit.origin
    assert audit.verify(now.conn, now.audit_public_key(), named).ok
    kept = audit_memory.Memory(unnamed, now.audit_public_key())  # a client that kept the unnamed one learns the name
    assert audit_memory.check("alex.practitioner", kept, "ok", named, now.audit_public_key(), _proofs(now)) is None
    now.close()


@pytest.mark.parametrize("origin, ok", [("signpost/service/abc", True), ("", True), ("two\nlines", False),
                                        ("x" * 121, False)])
def test_the_client_reads_a_checkpoints_origin_strictly(directory, origin, ok):
    sent = {**directory.audit_checkpoint().to_json(), "origin": origin}
    if ok:
        assert _checkpoint(sent).origin == origin
    else:
        with pytest.raises(WireError):
            _checkpoint(sent)
