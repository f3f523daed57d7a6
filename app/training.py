"""The embedded training directory: where it lives and how it is keyed.

The training directory stands in for the national directory on a training
desk. It is a SQLCipher file under the user's data folder; its raw key is
kept in the secure key store (never on disk, R-LOCAL-1) with the salt of the
file it opens, and its audit-signing key is kept there too, never beside the
log it signs (issue 13 §4.1).

Its children are synthetic, but its audit log is real (R-AUDIT-3): a
directory that will not open -- its key gone, a wrong key, a damaged page, a
full disk -- is said to be so, and never deleted and rebuilt on its own
(``open_or_build``). Rebuilding is a person's choice (``app.admin``).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from . import audit, db, generator
from .directory import Directory
from .keystore import SecureKeyStore
from .paths import Paths
from .private_files import private_folder

log = logging.getLogger(__name__)
KEY_ITEM = "training-directory-key"
SIGNING_ITEM = "training-directory-audit-signing-key"
VERIFIER_ITEM = "training-directory-audit-verified"  # the last checkpoint a clean `audit verify` saw
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
    private_folder(root)
    tokens.mkdir(exist_ok=True)
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


class DirectoryProblem(RuntimeError):
    """The training directory cannot be opened, and why (``code``); ``str()`` says what happened and what to
    do, for the person at the desk and the admin commands alike. Nothing was deleted (issue 13 §4.2)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


REBUILD = 'make admin ARGS="training rebuild"'
KEPT = "Nothing was deleted: the directory and its audit log are as they were."


def stored_key(store: SecureKeyStore) -> tuple[bytes | None, bytes | None]:
    """(the directory key, the salt of the file it opens) from the key store; the salt is None for an item
    written before it was kept (a bare 32-byte key), the key None when there is no usable item."""
    value = store.get_now(KEY_ITEM)
    if value is None or len(value) not in (db.KEY_BYTES, db.KEY_BYTES + db.SALT_BYTES):
        return None, None
    return value[:db.KEY_BYTES], value[db.KEY_BYTES:] or None


def directory_key(store: SecureKeyStore, *, create: bool = False) -> bytes:
    """The training directory's key (blocking: call off the GUI thread). Made only when ``create`` (a first
    build): a key that is gone is never replaced in silence, since a new key cannot open the old file."""
    key, _ = stored_key(store)
    if key is None:
        if not create:
            raise DirectoryProblem("key_missing", "The training directory's key is not in this keyring, so the "
                                                  f"directory cannot be opened. {KEPT} Use the keyring it was made "
                                                  f"with (SIGNPOST_KEYRING_HOME), or rebuild it: {REBUILD}.")
        key = db.new_key()
        store.put_now(KEY_ITEM, key)
    return key


def remember_salt(store: SecureKeyStore, key: bytes, path: Path) -> None:
    """Keep the file's salt beside its key, so that a file the key no longer opens can be told apart: another
    file (or a wrong key) when the salts differ, a damaged first page when they match."""
    salt = db.file_salt(path)
    if salt is not None and stored_key(store) != (key, salt):
        store.put_now(KEY_ITEM, key + salt)


def signing_key(store: SecureKeyStore, *, create: bool = True) -> bytes:
    """The directory's audit-signing key (R-AUDIT-2), kept in the key store apart from the directory,
    made on first use (blocking: call off the GUI thread). With ``create`` off a missing key is a problem:
    a new one would sign an existing log's checkpoints with a key nobody pinned."""
    key = store.get_now(SIGNING_ITEM)
    if key is None or len(key) != 32:
        if not create:
            raise DirectoryProblem("key_missing", "The training directory's audit-signing key is not in this "
                                                  f"keyring, so its audit log cannot be extended. {KEPT} Use the "
                                                  "keyring it was made with (SIGNPOST_KEYRING_HOME), or rebuild "
                                                  f"it: {REBUILD}.")
        key = os.urandom(32)
        store.put_now(SIGNING_ITEM, key)
    return key


def public_signing_key(signing: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return Ed25519PrivateKey.from_private_bytes(signing).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def problem(exc: BaseException, path: Path, salt: bytes | None) -> BaseException:
    """The ``DirectoryProblem`` a failure to open the file at ``path`` is (``db.fault``), or ``exc`` itself."""
    exc = db.fault(exc, path)
    if isinstance(exc, db.DiskFull):
        return DirectoryProblem("disk_full", f"The disk holding the training directory ({path.parent}) is full, "
                                             f"so it cannot be opened. {KEPT} Free some disk space, then "
                                             "start Signpost again.")
    if isinstance(exc, db.Corrupt):
        pages = f" (page {', '.join(map(str, exc.pages[:5]))})" if exc.pages else ""
        return DirectoryProblem("corrupt", f"The training directory file is damaged{pages}: part of it no longer "
                                           f"matches what was written. {KEPT} Restore {path.name} from a backup, "
                                           f"or, once its audit log is exported, rebuild it: {REBUILD}.")
    if isinstance(exc, db.WrongKeyOrCorrupt):
        if salt is not None and db.file_salt(path) == salt:
            return DirectoryProblem("corrupt", "The first page of the training directory file is damaged. "
                                               f"{KEPT} Restore {path.name} from a backup, or rebuild it: "
                                               f"{REBUILD}.")
        if salt is not None:
            return DirectoryProblem("wrong_key", "The key in this keyring is not the training directory's: the "
                                                 "file was replaced, or the keyring's key was. "
                                                 f"{KEPT} Use the keyring and the file that belong together, or "
                                                 f"rebuild it: {REBUILD}.")
        return DirectoryProblem("wrong_key", "The key in this keyring does not open the training directory: it "
                                             "is another directory's key, or the file's first page is damaged. "
                                             f"{KEPT} Use the keyring and the file that belong together, or "
                                             f"rebuild it: {REBUILD}.")
    return exc


def open_or_build(paths: Paths, store: SecureKeyStore, *, children: int, clock: Callable[[], date] = date.today,
                  progress: Callable[[str, int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> Directory:
    """The training directory, built first on a first run only (blocking: call on the directory's thread).

    An existing directory is opened with every page checked, or why it cannot be is raised as a
    ``DirectoryProblem``: it is never deleted or rebuilt here (issue 13 §4.2). A rebuild is a person's
    choice, after the audit is exported (``app.admin`` ``training rebuild``). A directory file that is gone
    while its audit checkpoint is still beside it is not a first run either.
    """
    from .directory import witness_path
    path = paths.training_directory
    witness = witness_path(path)
    if not path.exists():
        if witness is not None and witness.exists():  # written after the first audit entry: a log was here
            raise DirectoryProblem("directory_missing", f"The training directory file ({path}) is gone, but the "
                                                        "audit checkpoint beside it shows it had an audit log. "
                                                        "Restore the file from a backup, or, to start afresh "
                                                        f"without that audit log, rebuild it: {REBUILD}.")
        key = directory_key(store, create=True)
        build(path, key, children, progress=progress, cancelled=cancelled)
        remember_salt(store, key, path)
    directory = open_existing(paths, store, clock)
    conf = token_environment(paths)
    if tokens_missing(directory, conf):
        provision_tokens(directory, conf, progress)
    return directory


def open_existing(paths: Paths, store: SecureKeyStore, clock: Callable[[], date] = date.today) -> Directory:
    """The training directory that is there (the app, the service, the admin commands): every page checked
    first, and any failure raised as the ``DirectoryProblem`` it is, with nothing deleted (issue 13 §4.2)."""
    path = paths.training_directory
    if not path.exists():
        raise DirectoryProblem("no_directory", f"There is no training directory at {path} yet: run `make run` "
                                               "(or `make serve`) once to build it.")
    key = directory_key(store)
    _, salt = stored_key(store)
    try:
        conn = db.open_encrypted(path, key)
        try:
            db.check_pages(conn, path)
            logged = conn.execute("SELECT EXISTS (SELECT 1 FROM audit)").fetchone()[0]
        finally:
            conn.close()
        signing = signing_key(store, create=not logged)  # an empty log may be given its first key
        directory = open_directory(paths, key, clock, signing)
    except (db.DatabaseError, db.WrongKeyOrCorrupt, OSError) as exc:
        raise problem(exc, path, salt) from exc
    remember_salt(store, key, path)
    return directory


def build(path: Path, key: bytes, children: int, progress: generator.Progress | None = None,
          cancelled: Callable[[], bool] | None = None) -> dict:
    for stale in (*db.sqlite_files(path), audit.witness_path(path)):
        stale.unlink(missing_ok=True)
    return generator.generate(path, key, children=children, progress=progress, cancelled=cancelled)


def open_directory(paths: Paths, key: bytes, clock: Callable[[], date] = date.today,
                   signing: bytes | None = None) -> Directory:
    return Directory.open(paths.training_directory, key, clock, signing_key=signing)
