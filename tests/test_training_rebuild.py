"""A rebuild of the training directory is a person's explicit choice, after its audit log is kept (issue 13 §4.2;
R-AUDIT-3): ``training rebuild`` refuses unless given the whole log exported and verified just before, or
``--discard-audit`` typed in full; a real directory file, keyring and SoftHSM tokens."""
from __future__ import annotations

import hashlib
import json

import pytest

from app import admin, audit_archive, db, training
from app.directory import witness_path
from app.settings import Settings
from tests import tampering
from tests.conftest import TODAY, SoftToken, token_sign_in


@pytest.fixture
def desk(training_home, tmp_path, monkeypatch):
    """The training home, used (real entries), with its own SoftHSM token folder and a small rebuild size."""
    paths, store, key = training_home
    conf = tmp_path / "softhsm2.conf"
    (tmp_path / "tokens").mkdir()
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(json.dumps({"training_children": 300}))
    assert Settings.load(paths.settings_file).training_children == 300
    d = training.open_existing(paths, store, clock=lambda: TODAY)
    try:
        token = SoftToken("REBUILD-1").enrol(d, "alex.practitioner")
        for _ in range(3):
            token_sign_in(d, "alex.practitioner", token)
    finally:
        d.close()
    yield paths, store, key
    for item in (training.KEY_ITEM, training.SIGNING_ITEM, training.VERIFIER_ITEM):
        store.delete_now(item)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rebuild(paths, store, *args) -> int:
    return admin.training_command(["rebuild", *args], store=store, paths=paths)


def test_a_rebuild_without_a_kept_audit_is_refused_and_nothing_is_deleted(desk, capsys):
    paths, store, _ = desk
    before = _digest(paths.training_directory)
    assert _rebuild(paths, store) == 1
    assert "Nothing was deleted" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --discard-audit must be typed in full: no abbreviation is taken
        _rebuild(paths, store, "--discard")
    assert _digest(paths.training_directory) == before and witness_path(paths.training_directory).exists()


def test_an_archive_that_is_stale_or_not_the_whole_log_is_refused(desk, capsys, tmp_path):
    paths, store, _ = desk
    kept = tmp_path / "kept" / "audit.json"
    assert admin.audit_command(["export", "--to", str(kept)], store=store, paths=paths) == 0
    d = training.open_existing(paths, store, clock=lambda: TODAY)
    try:
        d.report_token_refusal("alex.practitioner", "REBUILD-1", "wrong_pin")  # the log moves on
    finally:
        d.close()
    capsys.readouterr()
    before = _digest(paths.training_directory)
    assert _rebuild(paths, store, "--archive", str(kept)) == 1
    assert "export it again" in capsys.readouterr().err
    inside = paths.training_directory.parent / "audit.json"
    assert admin.audit_command(["export", "--to", str(inside)], store=store, paths=paths) == 2  # deleted by a rebuild
    assert "outside" in capsys.readouterr().err
    assert _digest(paths.training_directory) == before


def test_after_the_whole_log_is_exported_and_verified_the_rebuild_keeps_it_and_says_so(desk, capsys, tmp_path):
    paths, store, _ = desk
    old_salt = db.file_salt(paths.training_directory)
    kept = tmp_path / "kept" / "audit.json"
    assert admin.audit_command(["export", "--to", str(kept)], store=store, paths=paths) == 0
    assert "verified it from disk" in capsys.readouterr().out
    trusted = training.public_signing_key(training.signing_key(store))
    archive = audit_archive.read(kept)
    assert audit_archive.verify(archive, trusted).ok and archive.la_code == audit_archive.WHOLE_LOG
    assert _rebuild(paths, store, "--archive", str(kept)) == 0
    assert db.file_salt(paths.training_directory) != old_salt  # a new directory, with new keys
    assert audit_archive.verify(audit_archive.read(kept), trusted).ok  # the old log is kept where it was put
    d = training.open_existing(paths, store, clock=lambda: TODAY)
    try:
        (detail,) = [json.loads(r) for (r,) in d.conn.execute(
            "SELECT detail FROM audit WHERE action = 'training_directory_rebuilt'")]
    finally:
        d.close()
    assert detail["audit"] == "archived" and detail["previous_log"]["size"] == len(archive.entries)


def test_a_damaged_directory_still_gives_up_its_audit_and_one_whose_key_is_gone_needs_discard_audit(
        desk, capsys, tmp_path):
    """A damaged page elsewhere in the file does not stop the audit log being exported (its entries prove
    themselves); a directory whose key is gone cannot be exported, and only --discard-audit rebuilds it."""
    paths, store, _ = desk
    tampering.flip_a_page(paths.training_directory)
    assert admin.audit_command(["export", "--to", str(tmp_path / "a.json")], store=store, paths=paths) == 0
    store.delete_now(training.KEY_ITEM)
    assert admin.audit_command(["export", "--to", str(tmp_path / "b.json")], store=store, paths=paths) == 2
    capsys.readouterr()
    assert _rebuild(paths, store, "--discard-audit") == 0
    assert "Building a new training directory" in capsys.readouterr().out
    d = training.open_existing(paths, store, clock=lambda: TODAY)
    try:
        assert d.audit.broken is None
        assert d.conn.execute("SELECT detail FROM audit WHERE action = 'training_directory_rebuilt'").fetchone()
    finally:
        d.close()
