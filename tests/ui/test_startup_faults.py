"""A training directory that will not open is said to be so at start-up and never rebuilt on its own
(issue 13 §4.2; R-AUDIT-2, R-AUDIT-3): a flipped byte in a page, a wrong key, a key gone, a full disk, the
file gone with its audit checkpoint left beside it. The real app on a real directory file and keyring."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from app import audit, db, training
from app.audit import derived_signing_key
from app.directory import witness_path
from app.keystore import SecureKeyStore
from app.paths import Paths
from app.settings import Settings
from tests.conftest import TODAY, copy_directory

PAGE = 4096  # SQLCipher's page size here


@pytest.fixture
def desk_files(tmp_path, training_tokens, desk):
    """A data folder holding the training directory (with its audit log and witness), and a key store with
    its keys: what `make run` finds on a desk that has been used. Yields (paths, service name, key)."""
    src, key, _, _ = training_tokens
    paths = Paths(tmp_path / "data", tmp_path / "config")
    paths.training_directory.parent.mkdir(parents=True)
    copy_directory(src, paths.training_directory)
    service = f"signpost-test-{uuid.uuid4().hex[:8]}"
    store = SecureKeyStore(service=service)
    store.put_now(training.KEY_ITEM, key)
    store.put_now(training.SIGNING_ITEM, derived_signing_key(key))
    store.close()
    yield paths, service, key
    cleaner = SecureKeyStore(service=service)
    try:
        for item in (training.KEY_ITEM, training.SIGNING_ITEM):
            cleaner.delete_now(item)
    finally:
        cleaner.close()


class Desk:
    """Starts the real app on a desk's files, as `make run` does, and stops it as quitting does; every app
    still running at the end of the test is stopped."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.running: list = []

    def start(self, paths: Paths, service: str):
        from ui.app import SignpostApp
        app = SignpostApp(paths, Settings(), SecureKeyStore(service=service), clock=lambda: TODAY)
        self.qtbot.addWidget(app.signin)
        app.start()
        self.running.append(app)
        return app

    def stop(self, app) -> None:
        self.running.remove(app)
        app.shutdown()


@pytest.fixture
def desk_app(qtbot):
    desk = Desk(qtbot)
    yield desk
    for app in list(desk.running):
        desk.stop(app)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _flip(path: Path, offset: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x01]))


def _says(qtbot, app, *words: str) -> str:
    qtbot.waitUntil(lambda: all(w in app.signin.status.text() for w in words), timeout=20000)
    assert not app.signin.button.isEnabled()  # nobody signs in to a directory that did not open
    return app.signin.status.text()


def _entries(path: Path, key: bytes) -> int:
    conn = db.open_encrypted(path, key)
    try:
        return conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        conn.close()


def test_a_flipped_byte_in_a_page_is_said_at_restart_and_the_directory_is_kept(qtbot, desk_app, desk_files):
    """Rule R-AUDIT-3 / issue 13 §4.2: one flipped byte deep in the file is "damaged", with what to do; the
    file is neither deleted nor rebuilt, and once the byte is put back its audit log verifies as before."""
    paths, service, key = desk_files
    first = desk_app.start(paths, service)
    qtbot.waitUntil(lambda: first.signin.button.isEnabled(), timeout=20000)  # a desk that opened fine
    desk_app.stop(first)
    file = paths.training_directory
    entries = _entries(file, key)
    assert entries > 0
    pages = file.stat().st_size // PAGE
    _flip(file, (pages // 2) * PAGE + 200)  # a page nothing reads at open but the page check
    damaged = _digest(file)
    app = desk_app.start(paths, service)
    text = _says(qtbot, app, "damaged", "Nothing was deleted", "training rebuild")
    assert "Something went wrong" not in text
    assert _digest(file) == damaged  # not rebuilt, not touched
    _flip(file, (pages // 2) * PAGE + 200)
    conn = db.open_encrypted(file, key)
    try:
        verdict = audit.verify(conn, training.public_signing_key(derived_signing_key(key)),
                               audit.read_witness(witness_path(file)))
    finally:
        conn.close()
    assert verdict.ok and verdict.entries == entries


def test_a_key_replaced_in_the_keyring_is_a_wrong_key_not_a_rebuild(qtbot, desk_app, desk_files):
    """Issue 13 §4.2: the keyring item replaced by another key is told apart from damage (the file's salt,
    kept with the key, no longer matches), and the directory stays."""
    paths, service, key = desk_files
    first = desk_app.start(paths, service)
    qtbot.waitUntil(lambda: first.signin.button.isEnabled(), timeout=20000)  # the salt is learnt here
    desk_app.stop(first)
    store = SecureKeyStore(service=service)
    stored = store.get_now(training.KEY_ITEM)
    assert stored is not None and stored[:32] == key and len(stored) == 48
    store.put_now(training.KEY_ITEM, db.new_key() + os.urandom(16))  # another directory's key and salt
    store.close()
    before = _digest(paths.training_directory)
    app = desk_app.start(paths, service)
    _says(qtbot, app, "not the training directory's", "Nothing was deleted")
    assert _digest(paths.training_directory) == before


def test_a_key_gone_from_the_keyring_is_said_and_no_new_directory_is_made(qtbot, desk_app, desk_files):
    """Issue 13 §4.2 and §4.1: a keyring without the directory's key (another keyring, or the item deleted)
    does not open a fresh directory over the old one."""
    paths, service, _ = desk_files
    store = SecureKeyStore(service=service)
    store.delete_now(training.KEY_ITEM)
    store.close()
    before = _digest(paths.training_directory)
    app = desk_app.start(paths, service)
    _says(qtbot, app, "key is not in this keyring", "Nothing was deleted")
    assert _digest(paths.training_directory) == before
    store = SecureKeyStore(service=service)
    assert store.get_now(training.KEY_ITEM) is None  # no new key was made in its place
    store.close()


def test_the_file_gone_with_its_audit_checkpoint_left_is_not_a_first_run(qtbot, desk_app, desk_files):
    """R-AUDIT-3: the directory file deleted while its witness is still beside it is said, not rebuilt."""
    paths, service, _ = desk_files
    paths.training_directory.unlink()
    app = desk_app.start(paths, service)
    _says(qtbot, app, "is gone", "training rebuild")
    assert not paths.training_directory.exists()


@pytest.fixture
def tiny_disk(tmp_path, desk_files):
    """A tmpfs just big enough for the desk's directory (root only: a real full disk, not a simulated one)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a real full disk needs root to mount a tmpfs")
    paths, _, _ = desk_files
    mount = tmp_path / "tiny"
    mount.mkdir()
    size = paths.training_directory.stat().st_size + (2 << 20)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_at_start_up_is_said_and_the_directory_is_kept(qtbot, desk_app, desk_files, tiny_disk):
    """Issue 13 §4.2: on a full disk SQLite says "disk I/O error" when it opens the file; that is a full disk
    (with what to do), not a wrong key, and nothing is deleted."""
    paths, service, _ = desk_files
    full = Paths(tiny_disk / "data", paths.config)
    full.training_directory.parent.mkdir(parents=True)
    copy_directory(paths.training_directory, full.training_directory)
    training.token_environment(full)  # what a desk's first run left there
    with open(tiny_disk / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass  # the disk is full
    before = _digest(full.training_directory)
    app = desk_app.start(full, service)
    _says(qtbot, app, "is full", "Free some disk space", "Nothing was deleted")
    assert _digest(full.training_directory) == before
