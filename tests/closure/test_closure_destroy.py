"""The final step on a real temporary home and the real (test) Secret Service: local data
destroyed after confirmation, a receipt, a signed closure entry; the audit archive kept (R-CLOSE-6)."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from app import training
from app.closure import store as closure_store
from app.closure.destroy import DestroyError, archive_dir, destroy_local_data, plan_destruction, verify_archive
from app.localcache import key_item_name


@pytest.fixture
def lived_in(home, keystore, store):
    """A workstation after use: two users' caches with sidecars and wrapped keys, the training
    directory, its tokens' memory and keys, a directory audit archive, settings."""
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
    (archive_dir(home)).mkdir(parents=True)
    (archive_dir(home) / "directory-audit-2026.json").write_text("{}")
    home.config.mkdir(parents=True)
    home.settings_file.write_text("{}")
    yield home
    for item in (key_item_name("alex.practitioner"), key_item_name("jo.la"), training.KEY_ITEM,
                 training.SIGNING_ITEM):
        keystore.delete_now(item)


def test_nothing_is_destroyed_without_confirmation(lived_in, keystore, store):
    with pytest.raises(DestroyError):
        destroy_local_data(lived_in, keystore, store, "jo.la", confirmed=False)
    assert (lived_in.data / "cache" / "jo.la.db").exists()
    assert keystore.get_now(training.KEY_ITEM) is not None


def test_destroy_removes_caches_sidecars_keys_training_and_the_store_and_keeps_the_archive(
        lived_in, keystore, store):
    planned = plan_destruction(lived_in)
    assert "cache/jo.la.db-wal" in planned and f"keyring: {key_item_name('alex.practitioner')}" in planned
    receipt = destroy_local_data(lived_in, keystore, store, "jo.la", confirmed=True)
    assert receipt.failed == ()
    d = lived_in.data
    left = sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())
    assert all(p.startswith("closure-archive/") for p in left), left
    assert lived_in.settings_file.exists()
    for item in (key_item_name("alex.practitioner"), key_item_name("jo.la"), training.KEY_ITEM,
                 training.SIGNING_ITEM, closure_store.KEY_ITEM, closure_store.SIGNING_ITEM):
        assert keystore.get_now(item) is None, item
    for name in ("cache/alex.practitioner.db-shm", "training/tokens/5c2f-token/token.object",
                 "training/directory.db.audit-head", "closure/closure.db", f"keyring: {training.KEY_ITEM}"):
        assert name in receipt.destroyed
    # the receipt and the audit archive are kept, and the archive proves the signed closure entry
    saved = json.loads(Path(receipt.path).read_text())
    assert stat.S_IMODE(Path(receipt.path).stat().st_mode) == 0o600
    assert "cache/jo.la.db" in saved["destroyed"] and "Destroyed:" in saved["text"]
    assert (archive_dir(lived_in) / "directory-audit-2026.json").exists()
    archive = d / receipt.audit_archive
    body = json.loads(archive.read_text())
    last = body["entries"][-1]
    assert last["action"] == "local_data_destroyed" and "cache/jo.la.db-wal" in last["detail"]["destroyed"]
    assert verify_archive(archive).ok
    body["entries"][-1]["detail"]["destroyed"].remove("cache/jo.la.db-wal")  # tampered
    archive.write_text(json.dumps(body))
    assert not verify_archive(archive).ok
