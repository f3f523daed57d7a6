"""The verifiable audit archive (R-AUDIT-2, R-AUDIT-3, R-LOCAL-3): one LA's entries with RFC 6962 inclusion
proofs against the signed checkpoint; verify needs nothing but the archive and names what was altered."""
from __future__ import annotations

import dataclasses
import os
from datetime import date, timedelta

import pytest

from app import audit, audit_archive, merkle
from app.audit import Checkpoint
from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason
from tests.conftest import viewer_for

TODAY_REAL = date.today()  # the audit stamps entries with the real time


@pytest.fixture
def archive(directory):
    """An archive of Northbridge's entries today, after some activity in two LAs."""
    from app.search import Criteria
    la = viewer_for(directory, "jo.la")
    alex = viewer_for(directory, "alex.practitioner")
    for name in ("Smith", "Jones", "Brown"):
        directory.search(alex, Criteria(family_name=name, dob=date(2015, 1, 1)), Reason(AccessReason.PROVIDING_SERVICE))
    directory.conn.execute("UPDATE users SET check_date = ? WHERE username = 'lee.lapsed'",
                           (date(2026, 1, 1).toordinal(),))
    viewer_for(directory, "lee.lapsed")  # an Ashcombe sign-in: not Northbridge's to archive
    return directory.perform(ops.AUDIT_ARCHIVE, la, t.ArchiveQuery(TODAY_REAL - timedelta(days=1), TODAY_REAL))


@pytest.fixture
def key(directory) -> bytes:
    """The directory's key as a verifier already trusts it (a client pinned it at sign-in): never the
    archive's own (issue 13 §1.4)."""
    return directory.audit_public_key()


def test_an_untouched_archive_verifies_and_holds_only_the_las_entries(directory, archive, key):
    verdict = audit_archive.verify(archive, key)
    assert verdict.ok and verdict.entries == len(archive.entries) >= 5
    assert all("NBR" in e.las for e in archive.entries)
    assert not any(e.actor == "lee.lapsed" for e in archive.entries)
    assert {"sign_in", "search"} <= {e.action for e in archive.entries}
    assert archive.checkpoint["size"] >= archive.entries[-1].seq
    last = directory.conn.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert last == "audit_archive_exported"  # R-AUDIT-1: the export itself is audited


def _edit_entry(archive, i, **change):
    entries = list(archive.entries)
    entries[i] = dataclasses.replace(entries[i], **change)
    return dataclasses.replace(archive, entries=tuple(entries))


def test_an_altered_entry_is_named(archive, key):
    seq = archive.entries[2].seq
    bad = _edit_entry(archive, 2, actor="someone.else")
    verdict = audit_archive.verify(bad, key)
    assert not verdict.ok and verdict.first_bad == seq and "altered after it was written" in verdict.problem
    detail = dict(archive.entries[3].detail, criteria={"family_name": "Other"})
    assert audit_archive.verify(_edit_entry(archive, 3, detail=detail), key).first_bad == archive.entries[3].seq


def test_an_altered_entry_with_its_recorded_hash_recomputed_fails_its_proof(archive, key):
    """Recomputing the hash kept beside the entry does not help: the proof leads to the signed root."""
    bad = _edit_entry(archive, 1, action="sign_out")
    leaves = list(bad.leaves)
    leaves[1] = audit_archive.leaf_of(bad.entries[1]).hex()
    verdict = audit_archive.verify(dataclasses.replace(bad, leaves=tuple(leaves)), key)
    assert not verdict.ok and verdict.first_bad == archive.entries[1].seq and "inclusion proof" in verdict.problem


def test_an_altered_proof_is_named(archive, key):
    i = next(i for i, p in enumerate(archive.proofs) if p)
    proofs = list(archive.proofs)
    proofs[i] = (("00" * 32),) + tuple(proofs[i][1:])
    verdict = audit_archive.verify(dataclasses.replace(archive, proofs=tuple(proofs)), key)
    assert not verdict.ok and verdict.first_bad == archive.entries[i].seq
    assert f"inclusion proof of entry {archive.entries[i].seq}" in verdict.problem
    proofs[i] = ("not hex",)
    assert "cannot be read" in audit_archive.verify(dataclasses.replace(archive, proofs=tuple(proofs)), key).problem


def test_an_altered_checkpoint_is_named(archive, key):
    for change in ({"size": archive.checkpoint["size"] + 1}, {"root": "11" * 32}, {"at": "2020-01-01T00:00:00"}):
        verdict = audit_archive.verify(dataclasses.replace(archive, checkpoint={**archive.checkpoint, **change}), key)
        assert not verdict.ok and "checkpoint" in verdict.problem and "signature" in verdict.problem


def test_a_checkpoint_re_signed_with_another_key_is_refused(archive, key):
    """Whoever edits the archive cannot sign its checkpoint with the directory's key; swapping the key in the
    archive is "signed by an unknown key" against the key the verifier trusts."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    other = Ed25519PrivateKey.generate()
    cp = Checkpoint.from_json(archive.checkpoint)
    forged_root = merkle.leaf_hash(b"forged")
    forged = Checkpoint(cp.size, forged_root, cp.at, other.sign(Checkpoint(cp.size, forged_root, cp.at, b"").message()))
    forger = other.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    verdict = audit_archive.verify(dataclasses.replace(archive, checkpoint=forged.to_json(), public_key=forger), key)
    assert not verdict.ok and verdict.code == "unknown_key" and "signed by an unknown key" in verdict.problem


def test_an_entry_of_another_la_slipped_in_is_named(archive, key):
    verdict = audit_archive.verify(_edit_entry(archive, 0, las=("ASH",)), key)
    assert not verdict.ok and "not about NBR" in verdict.problem


def test_entries_out_of_order_are_named(archive, key):
    def swapped(items):
        items = list(items)
        items[0], items[1] = items[1], items[0]
        return tuple(items)
    moved = dataclasses.replace(archive, entries=swapped(archive.entries), proofs=swapped(archive.proofs),
                                leaves=swapped(archive.leaves))
    verdict = audit_archive.verify(moved, key)
    assert not verdict.ok and "out of order" in verdict.problem


def test_written_for_the_owner_only_and_read_back_verifies(archive, tmp_path, key):
    path = audit_archive.write(tmp_path / "kept" / "audit.json", archive)
    assert os.stat(path).st_mode & 0o777 == 0o600 and os.stat(path.parent).st_mode & 0o777 == 0o700
    again = audit_archive.read(path)
    assert again == archive and audit_archive.verify(again, key).ok


def test_the_archive_is_the_la_teams_alone(directory):
    """R-LOCAL-3: audit export is for the LA management team only; the refusal is audited."""
    alex = viewer_for(directory, "alex.practitioner")
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.AUDIT_ARCHIVE, alex, t.ArchiveQuery(TODAY_REAL, TODAY_REAL))
    assert exc.value.code == "access.la_team_only"
    assert directory.conn.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0] == \
        "audit_archive_refused"


def test_an_archive_of_a_busy_log_proves_every_entry(directory, key):
    """Many entries, so proofs are many levels deep and the checkpoint's tree is not a power of two."""
    la = viewer_for(directory, "jo.la")
    for i in range(300):
        directory.audit.record("jo.la", "colleagues_read", detail={"colleagues": i}, las=("NBR",))
    made = directory.perform(ops.AUDIT_ARCHIVE, la, t.ArchiveQuery(TODAY_REAL, TODAY_REAL))
    assert len(made.entries) >= 300 and max(len(p) for p in made.proofs) >= 8
    assert audit_archive.verify(made, key).ok


def _re_signed_by_a_forger(archive):
    """What issue 13 §1.4 found: an archive edited and then made wholly consistent again under the forger's own
    key -- every leaf recomputed, a tree of the same size built around them, every proof and the checkpoint
    made anew and signed, and the archive's public key swapped for the forger's."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    forger = Ed25519PrivateKey.generate()
    edited = _edit_entry(archive, 1, actor="someone.else")
    size = archive.checkpoint["size"]
    at = {e.seq - 1: audit_archive.leaf_of(e) for e in edited.entries}
    store, n = merkle.MemoryStore(), 0
    for i in range(size):
        n = merkle.append(store, n, at.get(i, merkle.leaf_hash(b"filler %d" % i)))
    root = merkle.root(store, size)
    cp = Checkpoint.from_json(archive.checkpoint)
    signed = Checkpoint(size, root, cp.at, forger.sign(Checkpoint(size, root, cp.at, b"").message()))
    return dataclasses.replace(
        edited, checkpoint=signed.to_json(),
        public_key=forger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex(),
        leaves=tuple(at[e.seq - 1].hex() for e in edited.entries),
        proofs=tuple(tuple(p.hex() for p in merkle.inclusion_proof(store, e.seq - 1, size)) for e in edited.entries))


def test_an_archive_re_signed_with_a_forgers_own_key_is_signed_by_an_unknown_key(archive, key):
    """Rule R-AUDIT-2 / issue 13 §1.4: the archive used to certify itself with the key it carries, so a forger's
    re-signed archive passed. Against the key the verifier trusts, it is "signed by an unknown key"."""
    forged = _re_signed_by_a_forger(archive)
    assert audit_archive.verify(forged, bytes.fromhex(forged.public_key)).ok  # it is self-consistent ...
    verdict = audit_archive.verify(forged, key)  # ... but not the directory's
    assert not verdict.ok and verdict.code == "unknown_key"
    assert "signed by an unknown key" in verdict.problem and audit.fingerprint(key) in verdict.problem


def test_the_admin_command_verifies_an_archive_against_a_key_it_trusts_and_prints_its_fingerprint(
        training_home, tmp_path, capsys):
    """``audit verify-archive FILE``: the training directory's own key from the keyring, or one given with
    --key; a forger's archive, or the right archive against another key, is refused as signed by an unknown key."""
    from app import admin, training
    paths, store, _ = training_home
    d = training.open_existing(paths, store)
    try:
        la = viewer_for(d, "jo.la")
        made = d.perform(ops.AUDIT_ARCHIVE, la, t.ArchiveQuery(TODAY_REAL - timedelta(days=1), TODAY_REAL))
    finally:
        d.close()
    good = audit_archive.write(tmp_path / "good.json", made)
    forged = audit_archive.write(tmp_path / "forged.json", _re_signed_by_a_forger(made))
    ours = training.public_signing_key(training.signing_key(store))
    assert admin.audit_command(["verify-archive", str(good)], store=store, paths=paths) == 0
    out = capsys.readouterr().out
    assert f"fingerprint {audit.fingerprint(ours)}" in out and "VERIFIED" in out
    assert admin.audit_command(["verify-archive", str(forged)], store=store, paths=paths) == 1
    assert "signed by an unknown key" in capsys.readouterr().err
    other = bytes(range(32)).hex()
    assert admin.audit_command(["verify-archive", str(good), "--key", other], store=store, paths=paths) == 1
    captured = capsys.readouterr()
    assert "the key given with --key" in captured.out and "signed by an unknown key" in captured.err
