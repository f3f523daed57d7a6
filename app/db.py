"""Opening SQLCipher databases with a raw 256-bit key (R-LOCAL-1).

Every encrypted file Signpost writes is opened here, so that the checks are
made once and everywhere: the library must be SQLCipher (``cipher_version``
answers), the key must be exactly 32 bytes, and the key must open the file.
A plain SQLite can therefore never create a clear file in our name.

A file that will not open is never taken for one that can be thrown away
(R-LOCAL-1, issue 13 §4.2): ``fault`` tells the cases apart --

- ``WrongKeyOrCorrupt``: its first page fails its check. That is a wrong key,
  a file replaced by another, or damage to that page; the caller that knows
  the file's salt (``file_salt``) can tell which;
- ``Corrupt``: the key opens the file but a page fails its check
  (``check_pages`` reads every page; SQLCipher's HMAC names the bad ones);
- ``DiskFull`` (an ``OSError`` with ``ENOSPC``): SQLite could not write, and
  the disk has (almost) no space left;
- any other I/O failure stays an ``OSError``.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import sqlcipher3

KEY_BYTES = 32

DatabaseError = sqlcipher3.DatabaseError


class EncryptionUnavailable(RuntimeError):
    """The SQLite library in use cannot encrypt."""


class WrongKeyOrCorrupt(RuntimeError):
    """The key does not open the file, or the file is not a database: its first page fails its check."""


class Corrupt(WrongKeyOrCorrupt):
    """The key opens the file, but a page of it fails its check (a flipped byte, a torn write)."""

    def __init__(self, message: str, pages: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.pages = pages


class DiskFull(OSError):
    """SQLite could not write: the disk is full."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(errno.ENOSPC, "the disk is full", str(path))


SALT_BYTES = 16  # SQLCipher keeps each file's random salt, in the clear, in its first 16 bytes
NEAR_FULL_BYTES = 1 << 20  # "disk I/O error" with less free space than this is a full disk


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


# The files SQLite may make beside a database file (its write-ahead log, shared memory and rollback journal).
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")


def sqlite_files(path: str | Path) -> list[Path]:
    """The database file and every sidecar SQLite may create next to it."""
    path = Path(path)
    return [path] + [path.with_name(path.name + s) for s in SIDECAR_SUFFIXES]


def private_file(path: Path) -> None:
    """Make ``path``'s folder 0700 and the file 0600 before SQLite opens it.

    SQLite gives the sidecar files it makes later (``SIDECAR_SUFFIXES``)
    the main file's mode, so they are private too.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = path.parent.stat()
    if st.st_uid == os.geteuid() and not st.st_mode & stat.S_ISVTX:  # never a shared folder like /tmp
        os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    for side in sqlite_files(path)[1:]:
        if side.exists():
            os.chmod(side, 0o600)


def open_encrypted(path: str | Path, key: bytes | bytearray, *, check_same_thread: bool = True,
                   ) -> sqlcipher3.Connection:
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
            raise fault(exc, path) from exc
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        return conn
    except BaseException:
        conn.close()
        if made and path.exists() and path.stat().st_size == 0:
            path.unlink()  # nothing is left behind by an open that failed
        raise


def fault(exc: BaseException, path: str | Path) -> BaseException:
    """What a ``DatabaseError`` from the file at ``path`` means (module docstring); others are returned as
    they are. Never a reason to delete the file."""
    if not isinstance(exc, sqlcipher3.DatabaseError):
        return exc
    text = str(exc).lower()
    if "disk is full" in text or ("disk i/o error" in text and _nearly_full(Path(path))):
        return DiskFull(path)
    if "not a database" in text:
        return WrongKeyOrCorrupt(str(exc))
    if "malformed" in text or "hmac" in text or "corrupt" in text:
        return Corrupt(str(exc))
    if "disk i/o error" in text:
        return OSError(errno.EIO, "the file could not be read or written", str(path))
    return exc


def _nearly_full(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < NEAR_FULL_BYTES


def check_pages(conn, path: str | Path = "") -> None:
    """Read every page and check its HMAC (``PRAGMA cipher_integrity_check``, about 3 ms a megabyte);
    ``Corrupt`` naming the bad pages if any fails."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    except sqlcipher3.DatabaseError as exc:
        raise fault(exc, path) from exc
    if problems:
        pages = tuple(int(w) for p in problems for w in p.split() if w.isdigit())
        raise Corrupt("; ".join(problems[:5]), pages)


def file_salt(path: str | Path) -> bytes | None:
    """The salt SQLCipher wrote at the start of the file (not secret), or None if there is no such file."""
    try:
        with open(path, "rb") as fh:
            salt = fh.read(SALT_BYTES)
    except FileNotFoundError:
        return None
    return salt if len(salt) == SALT_BYTES else None
