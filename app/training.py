"""The embedded training directory: where it lives and how it is keyed.

The training directory stands in for the national directory on a training
desk. It is a SQLCipher file under the user's data folder; its raw key is
kept in the secure key store (never on disk, R-LOCAL-1). A directory whose
key is gone (a new keyring, say) cannot be read, so it is rebuilt: it holds
only synthetic data.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from . import db, generator
from .directory import Directory
from .keystore import SecureKeyStore
from .paths import Paths
from .schema import SCHEMA_VERSION

log = logging.getLogger(__name__)
KEY_ITEM = "training-directory-key"
SIGNING_ITEM = "training-directory-audit-signing-key"
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
# Training tokens only: every training user's SoftHSM token has these PINs.
TRAINING_PIN = "246810"
TRAINING_SO_PIN = "13579246"


def token_environment(paths: Paths) -> Path:
    """Point SoftHSM at the training tokens (unless the caller chose otherwise).

    Must run before the PKCS#11 module is loaded. Returns the config path.
    """
    root = paths.data / "training"
    tokens = root / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    conf = root / "softhsm2.conf"
    if not conf.exists():
        conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ.setdefault("SOFTHSM2_CONF", str(conf))
    os.environ.setdefault("SIGNPOST_PKCS11_MODULE", SOFTHSM_MODULE)
    return Path(os.environ["SOFTHSM2_CONF"])


def tokens_missing(directory: Directory, conf: Path) -> bool:
    """True when a training user has no token, or their token is gone."""
    from .token.module import softhsm_tokendir, token_dirs
    enrolled = directory.enrolled_tokens()
    users = directory.usernames()
    tokendir = softhsm_tokendir(conf)
    return len(enrolled) < len(users) or tokendir is None or len(token_dirs(tokendir)) < len(users)


def provision_tokens(directory: Directory, conf: Path,
                     progress: Callable[[str, int, int], None] | None = None) -> None:
    """A fresh SoftHSM token for each training user, enrolled in the directory."""
    import shutil

    from .token.module import softhsm_tokendir
    from .token.provision import provision_softhsm_token, training_label
    tokendir = softhsm_tokendir(conf)
    if tokendir is not None and tokendir.exists():
        shutil.rmtree(tokendir)
        tokendir.mkdir(mode=0o700)
    users = directory.usernames()
    for i, username in enumerate(users):
        if progress:
            progress("tokens", i, len(users))
        made = provision_softhsm_token(training_label(username), TRAINING_SO_PIN, TRAINING_PIN, conf=conf,
                                       module=SOFTHSM_MODULE)
        directory.enrol_token(username, made.serial, made.keys.sign_public_der, made.keys.wrap_public_der,
                              by="training-setup")
    if progress:
        progress("tokens", len(users), len(users))


def directory_key(store: SecureKeyStore) -> bytes:
    """The training directory's key, made on first use (blocking: call off the GUI thread)."""
    key = store.get_now(KEY_ITEM)
    if key is None or len(key) != db.KEY_BYTES:
        key = db.new_key()
        store.put_now(KEY_ITEM, key)
    return key


def signing_key(store: SecureKeyStore) -> bytes:
    """The directory's audit-signing key (R-AUDIT-2), kept in the key store apart from the directory,
    made on first use (blocking: call off the GUI thread)."""
    key = store.get_now(SIGNING_ITEM)
    if key is None or len(key) != 32:
        key = os.urandom(32)
        store.put_now(SIGNING_ITEM, key)
    return key


def public_signing_key(signing: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return Ed25519PrivateKey.from_private_bytes(signing).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


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
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return version is None or version[0] != SCHEMA_VERSION
    except db.DatabaseError:
        return True
    finally:
        conn.close()


def build(path: Path, key: bytes, children: int, progress: generator.Progress | None = None,
          cancelled: Callable[[], bool] | None = None) -> dict:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.audit-head")):
        stale.unlink(missing_ok=True)
    return generator.generate(path, key, children=children, progress=progress, cancelled=cancelled)


def open_directory(paths: Paths, key: bytes, clock: Callable[[], date] = date.today,
                   signing: bytes | None = None) -> Directory:
    return Directory.open(paths.training_directory, key, clock, signing_key=signing)
