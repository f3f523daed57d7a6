"""The embedded training directory: where it lives and how it is keyed.

The training directory stands in for the national directory on a training
desk. It is a SQLCipher file under the user's data folder; its raw key is
kept in the secure key store (never on disk, R-LOCAL-1). A directory whose
key is gone (a new keyring, say) cannot be read, so it is rebuilt: it holds
only synthetic data.
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Callable

from . import db, generator
from .directory import Directory
from .keystore import SecureKeyStore
from .paths import Paths

log = logging.getLogger(__name__)
KEY_ITEM = "training-directory-key"


def directory_key(store: SecureKeyStore) -> bytes:
    """The training directory's key, made on first use (blocking: call off the GUI thread)."""
    key = store.get_now(KEY_ITEM)
    if key is None or len(key) != db.KEY_BYTES:
        key = db.new_key()
        store.put_now(KEY_ITEM, key)
    return key


def needs_build(path: Path, key: bytes) -> bool:
    """True when there is no usable training directory at ``path``."""
    if not path.exists():
        return True
    try:
        conn = db.open_encrypted(path, key)
    except db.WrongKeyOrCorrupt:
        log.warning("training directory at %s cannot be opened with the stored key; it will be rebuilt", path)
        return True
    try:
        return conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone() is None
    except db.DatabaseError:
        return True
    finally:
        conn.close()


def build(path: Path, key: bytes, children: int, progress: generator.Progress | None = None,
          cancelled: Callable[[], bool] | None = None) -> dict:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    return generator.generate(path, key, children=children, progress=progress, cancelled=cancelled)


def open_directory(paths: Paths, key: bytes, clock: Callable[[], date] = date.today) -> Directory:
    return Directory.open(paths.training_directory, key, clock)
