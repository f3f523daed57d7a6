"""The final step on a real temporary home and the real (test) Secret Service: local data destroyed after
confirmation and a verified export of the LA's directory audit, in an order that makes the receipt true,
a signed closure entry, the audit archive kept, every file outside the data folder that names people
listed and removed or kept by the LA's choice, and a run again after a partial failure
(R-CLOSE-6, R-AUDIT-3, R-LOCAL-3; issue 13 §1.7, §4.3, §4.4; issue 15 §3.7)."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from app import training
from app.closure import exports
from app.closure import store as closure_store
from app.closure.destroy import (
    KEYRING_HOME,
    TOKEN_MEMORY,
    DestroyError,
    archive_dir,
    destroy_local_data,
    plan_destruction,
    verify_archive,
)
from app.keystore import KeystoreError
from app.localcache import key_item_name


@pytest.fixture
def lived_in(home, keystore, store, tmp_path, monkeypatch):
    """A workstation after use: two users' caches with sidecars and wrapped keys, the training
    directory, its tokens' memory and keys, a directory audit archive, settings, the token memory."""
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    monkeypatch.delenv(KEYRING_HOME, raising=False)
    d = home.data
    for user in ("alex.practitioner", "jo.la"):
        for suffix in ("", "-wal", "-shm"):
            p = d / "cache" / f"{user}.db{suffix}"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b"encrypted cache bytes")
        keystore.put_now(key_item_name(user), b"wrapped-key-" + user.encode())
    for name in ("directory.db", "directory.db-wal", "directory.db.audit-head", "softhsm2.conf",
                 "tokens/5c2f-token/token.object"):
        p = d / "training" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    keystore.put_now(training.KEY_ITEM, b"k" * 32)
    keystore.put_now(training.SIGNING_ITEM, b"s" * 32)
    keystore.put_now(training.VERIFIER_ITEM, b"{}")  # the audit verifier's last checkpoint (sec-audit)
    (archive_dir(home)).mkdir(parents=True)
    (archive_dir(home) / "closure-audit-earlier.json").write_text("{}")
    home.config.mkdir(parents=True)
    home.settings_file.write_text("{}")
    (home.config / TOKEN_MEMORY).write_text('{"jo.la": "5c2f"}')
    yield home
    for item in (key_item_name("alex.practitioner"), key_item_name("jo.la"), training.KEY_ITEM,
                 training.SIGNING_ITEM, training.VERIFIER_ITEM):
        keystore.delete_now(item)


def test_nothing_is_destroyed_without_confirmation_or_before_the_directory_audit_was_exported(
        lived_in, keystore, store):
    """R-AUDIT-3 (13 §1.7): the audit of the LA's use of the directory is exported and verified first."""
    with pytest.raises(DestroyError) as e:
        destroy_local_data(lived_in, keystore, store, "jo.la", confirmed=False, audit_exported=True)
    assert e.value.code == "not_confirmed"
    with pytest.raises(DestroyError) as e:
        destroy_local_data(lived_in, keystore, store, "jo.la", confirmed=True, audit_exported=False)
    assert e.value.code == "audit_not_exported" and "directory audit archive" in str(e.value)
    assert not plan_destruction(lived_in, audit_exported=False).allowed
    assert (lived_in.data / "cache" / "jo.la.db").exists()
    assert keystore.get_now(training.KEY_ITEM) is not None


def test_a_workstation_of_the_service_holds_no_directory_audit_so_destroy_does_not_wait_for_its_export(
        lived_in, keystore, store):
    """R-AUDIT-3, R-CLOSE-1: over HTTPS the directory's audit is the service's, kept by it; after the switch-off the
    service answers nobody, so an export it can no longer give must not block Destroy forever."""
    for name in ("directory.db", "directory.db-wal", "directory.db.audit-head"):
        (lived_in.data / "training" / name).unlink()
    assert plan_destruction(lived_in, audit_exported=False).allowed
    receipt = destroy_local_data(lived_in, keystore, store, "jo.la", confirmed=True, audit_exported=False)
    assert not (lived_in.data / "cache" / "jo.la.db").exists() and receipt is not None


def test_destroy_says_in_words_what_goes_and_removes_caches_keys_training_and_the_store_keeping_the_archive(
        lived_in, keystore, store):
    trusted = store.public_key  # the closure store's key, known before the archive was made (issue 13 §1.4)
    planned = plan_destruction(lived_in, audit_exported=True)
    words = [i.words for i in planned.goes]
    assert any(w.startswith("The encrypted record caches of 2 users (alex.practitioner, jo.la)") for w in words)
    assert "The training security tokens' memory: the training tokens stop working" in words
    assert all("/" not in w for w in words)  # words; the paths are in the details
    details = [d for i in planned.goes for d in i.details]
    assert "cache/jo.la.db-wal" in details and f"keyring: {key_item_name('alex.practitioner')}" in details
    assert any("pkcs11-tool" in f for f in planned.first)  # outside checks of the tokens come first (15 §3.7)
    receipt = destroy_local_data(lived_in, keystore, store, "jo.la", confirmed=True, audit_exported=True)
    assert receipt.failed == ()
    d = lived_in.data
    left = sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())
    assert all(p.startswith("closure-archive/") for p in left), left
    assert lived_in.settings_file.exists()
    for item in (key_item_name("alex.practitioner"), key_item_name("jo.la"), training.KEY_ITEM,
                 training.SIGNING_ITEM, training.VERIFIER_ITEM, closure_store.KEY_ITEM, closure_store.SIGNING_ITEM):
        assert keystore.get_now(item) is None, item
    for name in ("cache/alex.practitioner.db-shm", "training/tokens/5c2f-token/token.object",
                 "training/directory.db.audit-head", "closure/closure.db", f"keyring: {training.KEY_ITEM}"):
        assert name in receipt.destroyed
    saved = json.loads(Path(receipt.path).read_text())
    assert stat.S_IMODE(Path(receipt.path).stat().st_mode) == 0o600
    assert "cache/jo.la.db" in saved["destroyed"] and "Destroyed:" in saved["text"]
    assert (archive_dir(lived_in) / "closure-audit-earlier.json").exists()
    archive = d / receipt.audit_archive
    body = json.loads(archive.read_text())
    last = body["entries"][-1]
    assert last["action"] == "local_data_destroyed" and "cache/jo.la.db-wal" in last["detail"]["destroyed"]
    assert verify_archive(archive, trusted).ok
    unknown = verify_archive(archive, bytes(32))  # its own key is not enough: only one the verifier trusts
    assert not unknown.ok and "signed by an unknown key" in unknown.problem
    body["entries"][-1]["detail"]["destroyed"].remove("cache/jo.la.db-wal")  # tampered
    archive.write_text(json.dumps(body))
    assert not verify_archive(archive, trusted).ok


def test_every_file_outside_the_data_folder_that_names_people_is_listed_and_removed_or_kept_by_choice(
        lived_in, keystore, store, tmp_path):
    """13 §4.3, 15 §3.7: the LA's audit export, the closure documents (~/Signpost closure/) and
    tokens-last-used.json are listed, with what each holds; each is removed or kept as the LA chose, and the
    receipt names the ones kept."""
    documents = Path.home() / "Signpost closure"
    documents.mkdir(parents=True)
    manifest, old = documents / "token-manifest-2026-08-07.pdf", documents / "labels-from-an-earlier-version.pdf"
    for f in (manifest, old):
        f.write_bytes(b"%PDF")
    audit = tmp_path / "records" / "directory-audit-NBR.json"
    audit.parent.mkdir()
    audit.write_text("{}")
    exports.record(lived_in, audit, "directory_audit")
    exports.record(lived_in, manifest, "manifest")
    outside = {o.path: o for o in plan_destruction(lived_in, audit_exported=True).outside}
    memory = str(lived_in.config / TOKEN_MEMORY)
    assert set(outside) == {str(audit.resolve()), str(manifest.resolve()), str(old.resolve()), memory}
    assert outside[str(audit.resolve())].keep_by_default and "search criteria" in outside[str(audit.resolve())].words
    assert not outside[memory].keep_by_default and "usernames and serials" in outside[memory].words
    receipt = destroy_local_data(lived_in, keystore, store, "jo.la", confirmed=True, audit_exported=True,
                                 remove=[str(manifest.resolve()), str(old.resolve()), memory])
    assert not manifest.exists() and not old.exists() and not Path(memory).exists()
    assert audit.exists() and any(str(audit.resolve()) in k for k in receipt.kept)
    assert str(manifest.resolve()) in receipt.destroyed and memory in receipt.destroyed
    assert not exports.ledger_path(lived_in).exists()


class _KeyringInDataFolder:
    """The keystore of a ``make run`` desk, whose gnome-keyring keeps its files inside the data folder: once
    those files are gone, a deletion fails as the daemon's does."""

    def __init__(self, inner, keyring_file: Path, fail_once: str = "") -> None:
        self.inner, self.file, self.fail_once = inner, keyring_file, fail_once

    def delete_now(self, item: str) -> None:
        if not self.file.exists():
            raise KeystoreError("the keyring's file is gone")
        if item == self.fail_once:
            self.fail_once = ""
            raise KeystoreError("Your keyring is locked or not answering — unlock it and try again.")
        self.inner.delete_now(item)


def test_keyring_deletions_come_before_the_keyrings_own_files_so_the_receipt_is_true(
        lived_in, keystore, store, monkeypatch):
    """13 §4.4: on a training desk the keyring lives in the data folder; its files go last, after every
    Signpost key was deleted from it, so nothing "fails" that in fact could not have been done."""
    ring = lived_in.data / "training-keyring" / "keyrings" / "login.keyring"
    ring.parent.mkdir(parents=True)
    ring.write_bytes(b"gnome-keyring")
    monkeypatch.setenv(KEYRING_HOME, str(lived_in.data / "training-keyring"))
    receipt = destroy_local_data(lived_in, _KeyringInDataFolder(keystore, ring), store, "jo.la", confirmed=True,
                                 audit_exported=True)
    assert receipt.failed == (), receipt.failed
    assert keystore.get_now(training.KEY_ITEM) is None and keystore.get_now(closure_store.KEY_ITEM) is None
    assert not ring.exists() and "training-keyring/keyrings/login.keyring" in receipt.destroyed


def test_a_partial_failure_is_named_in_the_receipt_and_a_second_run_finishes_the_job(
        lived_in, keystore, store, monkeypatch, tmp_path):
    """13 §4.4: a keyring deletion refused and a file that cannot be removed are named, with why; the step
    runs again (with no closure store, which went the first time) and the second receipt is clean."""
    stuck = lived_in.data / "cache" / "jo.la.db-shm"
    real_unlink = Path.unlink

    def unlink(self, missing_ok=False):
        if self == stuck and getattr(unlink, "first", True):
            unlink.first = False
            raise PermissionError(1, "Operation not permitted")
        return real_unlink(self, missing_ok=missing_ok)
    monkeypatch.setattr(Path, "unlink", unlink)
    ring = tmp_path / "outside-ring"  # a keyring outside the data folder: it answers throughout
    ring.write_bytes(b"x")
    flaky = _KeyringInDataFolder(keystore, ring, fail_once=training.KEY_ITEM)
    first = destroy_local_data(lived_in, flaky, store, "jo.la", confirmed=True, audit_exported=True)
    assert f"keyring: {training.KEY_ITEM} (the keyring said: Your keyring is locked" in " ".join(first.failed)
    assert "cache/jo.la.db-shm (Operation not permitted)" in first.failed
    assert "NOT destroyed (fix what is said, then run the last step again)" in first.text()
    assert stuck.exists() and keystore.get_now(training.KEY_ITEM) is not None
    second = destroy_local_data(lived_in, keystore, None, "jo.la", confirmed=True, audit_exported=True)
    assert second.failed == () and not stuck.exists() and keystore.get_now(training.KEY_ITEM) is None
    assert "cache/jo.la.db-shm" in second.destroyed and "archived in closure-archive/" in second.text()
    assert Path(first.path).exists() and Path(second.path).exists() and first.path != second.path
