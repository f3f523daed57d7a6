"""Opening SQLCipher databases with a raw 256-bit key (R-LOCAL-1).

Every encrypted file Signpost writes is opened here, so that the checks are
made once and everywhere: the library must be SQLCipher (``cipher_version``
answers), the key must be exactly 32 bytes, and the key must open the file.
A plain SQLite can therefore never create a clear file in our name.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import sqlcipher3

KEY_BYTES = 32

DatabaseError = sqlcipher3.DatabaseError


class EncryptionUnavailable(RuntimeError):
    """The SQLite library in use cannot encrypt."""


class WrongKeyOrCorrupt(RuntimeError):
    """The key does not open the file, or the file is not a database."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def private_file(path: Path) -> None:
    """Make ``path``'s folder 0700 and the file 0600 before SQLite opens it.

    SQLite gives the ``-wal``, ``-shm`` and ``-journal`` files it makes later
    the main file's mode, so they are private too.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = path.parent.stat()
    if st.st_uid == os.geteuid() and not st.st_mode & stat.S_ISVTX:  # never a shared folder like /tmp
        os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.chmod(side, 0o600)


def open_encrypted(path: str | Path, key: bytes, *, check_same_thread: bool = True) -> sqlcipher3.Connection:
    """Open (or create) an encrypted database at ``path`` with a raw key."""
    if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
        raise ValueError("a SQLCipher raw key must be exactly 32 bytes")
    path = Path(path)
    made = False
    if str(path) != ":memory:":
        made = not path.exists()
        private_file(path)
    conn = sqlcipher3.connect(str(path), check_same_thread=check_same_thread, isolation_level=None)
    try:
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not version[0]:
            raise EncryptionUnavailable(
                "The database library cannot encrypt (no SQLCipher). "
                "Reinstall Signpost's dependencies: pip install sqlcipher3."
            )
        # A raw key is given as a blob literal; SQLCipher then skips its KDF.
        conn.execute(f"PRAGMA key = \"x'{bytes(key).hex()}'\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise WrongKeyOrCorrupt(str(exc)) from exc
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        return conn
    except BaseException:
        conn.close()
        if made and path.exists() and path.stat().st_size == 0:
            path.unlink()  # nothing is left behind by an open that failed
        raise
