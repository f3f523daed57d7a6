"""The per-user encrypted local cache (R-LOCAL-1, R-LOCAL-2, R-CLOSE-6).

One SQLCipher file per user, opened with a random raw 256-bit key. The key is
wrapped by the user's token (RSA-OAEP with the token's public key, done by the
caller's ``wrap``) and only the wrapped form is kept, in the key store, under
:func:`key_item_name`. Opening needs ``unwrap`` (decryption on the token), so
the file is useless without the token and its PIN (R-LOCAL-1). The clear key
exists only in memory, is never written to disk or logs, and is not kept on
the object once the database is open (best effort: Python cannot wipe every
copy).

Opening (``LocalCache.open``):
  * first use: new key -> wrap -> store -> create the file;
  * later: fetch the wrapped key -> unwrap -> open;
  * the cache is rebuilt with a new key, and the event logged (with no key
    material), when it is missing or unreadable: file deleted, corrupt or
    not opened by the key; wrapped key missing from or damaged in the key
    store; ``unwrap`` raising :class:`UnwrapRejected` (token re-enrolled);
  * it is NOT rebuilt on transient faults, which propagate: a locked or
    unavailable keyring (:class:`~app.keystore.KeystoreError`), or a token
    fault (:class:`CacheTokenError`). Data is never destroyed for those.

Contract for the callables: ``wrap(key32) -> bytes`` and
``unwrap(wrapped) -> key32``. ``unwrap`` raises :class:`UnwrapRejected` when the
token works but cannot decrypt this blob (a different key pair); any other
exception is taken as a token fault (absent, PIN, session) and propagates.

Records: opaque payload bytes per child, each with an expiry (R-LOCAL-2);
expired rows are purged on open and on every read.

THREADING: a ``LocalCache`` belongs to the thread that opened it -- the
caller's database thread. The SQLCipher connection is created with
``check_same_thread`` on, so use from another thread raises
``ProgrammingError``. Opening, rebuilding and ``destroy`` wait (at most the key
store's timeout) on the key store, whose calls run on its own thread; never
open a cache on the GUI thread.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.db import KEY_BYTES, DatabaseError, WrongKeyOrCorrupt, new_key, open_encrypted, sqlite_files
from app.keystore import KeystoreItemCorrupt, SecureKeyStore

log = logging.getLogger(__name__)

# 2: the offline outbox (app/outbox.py); 3: each change names its child and keeps its refusal's params.
# An older cache gains what it lacks in place, nothing lost.
SCHEMA_VERSION = 3
DEFAULT_TTL_SECONDS = 60 * 60  # one hour; callers pass their own policy

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cached_records (
    child_key  TEXT PRIMARY KEY,
    payload    BLOB NOT NULL,
    fetched_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS cached_records_expires ON cached_records (expires_at);
CREATE TABLE IF NOT EXISTS kept (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
-- version 2: changes waiting for the directory (app.outbox, R-LOCAL-1), sent in seq order, each with the
-- idempotency key chosen before its first attempt.
CREATE TABLE IF NOT EXISTS outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL UNIQUE,
    op         TEXT NOT NULL,
    request    TEXT NOT NULL,
    colleague  TEXT,
    state      TEXT NOT NULL,
    refusal    TEXT,
    created_at REAL NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    child      TEXT,
    refusal_params TEXT
);
"""
# version 3: the outbox's columns added to a version-2 table (a version-1 cache gets the whole table above)
_TO_3 = ("ALTER TABLE outbox ADD COLUMN child TEXT", "ALTER TABLE outbox ADD COLUMN refusal_params TEXT")
OUTBOX_COLUMNS = ("seq", "key", "op", "request", "colleague", "state", "refusal", "created_at", "attempts",
                  "child", "refusal_params")
MIGRATABLE_VERSIONS = (1, 2)  # older caches that are brought up to SCHEMA_VERSION in place


class CacheError(RuntimeError):
    """The local cache cannot be used; ``str()`` is for the user."""


class UnwrapRejected(CacheError):
    """Raised by ``unwrap``: the token cannot decrypt this wrapped key.

    Means the key was wrapped for another key pair (token re-enrolled or
    replaced); the cache is then rebuilt.
    """


class CacheTokenError(CacheError):
    """``wrap``/``unwrap`` failed for another reason (token absent, PIN...)."""


AUDIT_MEMORY = "audit_memory"  # the name the cache keeps the client's audit memory under
ITEM_FORMAT = b"signpost-cache-key-v2\n"  # a keyring item: this line, then JSON (wrapped key, memory, MAC)
# How the audit memory mirrored in the keyring item read at the last open (R-AUDIT-2, issue 13 §1.3):
MEMORY_STATES = {
    "ok": "present, and its MAC checks with this cache's key",
    "none": "no item and no cache file: a first sign-in on this workstation",
    "legacy": "an item written without a memory (an earlier version, or a first sign-in)",
    "unverified": "kept, but the token can no longer unwrap the key its MAC needs (token re-enrolled)",
    "altered": "its MAC does not check, or the item is not one Signpost wrote",
    "missing": "the item is gone though the cache file is here: this workstation signed the user in before",
}


def _memory_key(cache_key: bytes, user_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"signpost-audit-memory-v1:" + user_id.encode()).derive(cache_key)


def _mac(memory_key: bytes, memory: bytes) -> bytes:
    return hmac.new(memory_key, memory, hashlib.sha256).digest()


def _pack(wrapped: bytes, memory: bytes | None, memory_key: bytes) -> bytes:
    body = {"wrapped": base64.b64encode(wrapped).decode("ascii"),
            "memory": None if memory is None else base64.b64encode(memory).decode("ascii"),
            "mac": None if memory is None else _mac(memory_key, memory).hex()}
    return ITEM_FORMAT + json.dumps(body, separators=(",", ":")).encode()


def read_item(item: bytes) -> tuple[bytes, bytes | None, bytes | None]:
    """(wrapped key, memory, its MAC) from a keyring item; a bare wrapped key from before the memory."""
    if not item.startswith(ITEM_FORMAT):
        return item, None, None
    try:
        body = json.loads(item[len(ITEM_FORMAT):])
        wrapped = base64.b64decode(body["wrapped"], validate=True)
        memory = None if body.get("memory") is None else base64.b64decode(body["memory"], validate=True)
        mac = None if body.get("mac") is None else bytes.fromhex(body["mac"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValueError(f"not a cache key item: {exc}") from None
    return wrapped, memory, mac


def key_item_name(user_id: str) -> str:
    """The key store item holding ``user_id``'s wrapped cache key."""
    if not isinstance(user_id, str) or not user_id:
        raise ValueError("user_id is a non-empty string")
    return f"localcache-key:{user_id}"


def cache_files(path: str | Path) -> list[Path]:
    """The cache's database file and every sidecar SQLite may create next to it."""
    return sqlite_files(path)


def destroy_cache(path: str | Path, user_id: str, keystore: SecureKeyStore) -> None:
    """Delete a user's cache files and wrapped key, without opening it.

    For sign-out and closure (R-CLOSE-6), including when the token is gone.
    Files go first; a keyring fault is raised afterwards so it can be retried.
    """
    # rule R-CLOSE-6: the client's local data (cache and stored key) is destroyed.
    for file in cache_files(path):
        file.unlink(missing_ok=True)
    keystore.delete_now(key_item_name(user_id))
    log.info("local cache destroyed for %s", key_item_name(user_id))


class LocalCache:
    """One user's encrypted cache of record views. See the module docstring."""

    def __init__(
        self,
        path: str | Path,
        user_id: str,
        keystore: SecureKeyStore,
        wrap: Callable[[bytes], bytes],
        unwrap: Callable[[bytes], bytes],
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.path = Path(path)
        self.user_id = user_id
        self.item_name = key_item_name(user_id)
        self.ttl = ttl
        self._keystore = keystore
        self._wrap = wrap
        self._unwrap = unwrap
        self._clock = clock
        self._conn = None
        #: How the last open went: "opened", "created" or "rebuilt".
        self.open_outcome: str | None = None
        #: The audit memory in the keyring item, and how it read (MEMORY_STATES); set by every open.
        self.mirrored_memory: bytes | None = None
        self.memory_state = "none"
        self._memory_key: bytes | None = None
        self._wrapped: bytes | None = None

    @classmethod
    def open(cls, path: str | Path, user_id: str, keystore: SecureKeyStore,
             wrap: Callable[[bytes], bytes], unwrap: Callable[[bytes], bytes],
             **options) -> LocalCache:
        cache = cls(path, user_id, keystore, wrap, unwrap, **options)
        cache.reopen()
        return cache

    # -- opening

    def reopen(self) -> None:
        """(Re)open the cache, rebuilding it if it is missing or unreadable; the audit memory mirrored in
        the keyring item is checked against its MAC and carried over a rebuild (``memory_state``)."""
        self.close()
        self._memory_key = None
        try:
            item = self._keystore.get_now(self.item_name)  # KeystoreError propagates
        except KeystoreItemCorrupt:
            self.memory_state = "altered"
            return self._rebuild("its wrapped key in the keyring is damaged")
        files = any(f.exists() for f in cache_files(self.path))
        if item is None:
            self.memory_state = "missing" if files else "none"  # rule R-AUDIT-2: known history, nothing kept
            if files:
                return self._rebuild("its wrapped key is missing from the keyring")
            return self._rebuild(None)
        try:
            wrapped, memory, mac = read_item(item)
        except ValueError:
            self.memory_state = "altered"
            return self._rebuild("its keyring item is not one Signpost wrote")
        try:
            key = bytearray(self._unwrap(wrapped))
        except UnwrapRejected:  # the token was re-enrolled: the memory cannot be checked, but is kept
            self.memory_state = "unverified" if memory is not None else "legacy"
            return self._rebuild("the token cannot unwrap its key (token re-enrolled or replaced)", memory)
        except Exception as exc:
            raise CacheTokenError(
                "Your security token could not unlock the local cache — check that it "
                "is inserted and signed in, then try again."
            ) from exc
        try:
            if len(key) != KEY_BYTES:
                self.memory_state = "altered"
                return self._rebuild("its unwrapped key has the wrong length")
            memory_key = _memory_key(bytes(key), self.user_id)
            if memory is None:
                self.memory_state = "legacy"  # written before the memory was mirrored, or by a first sign-in
            elif hmac.compare_digest(mac or b"", _mac(memory_key, memory)):
                self.memory_state = "ok"
            else:
                self.memory_state, memory = "altered", None
            self.mirrored_memory = memory
            lost = "the cache file is missing"
            if self.path.exists():
                try:
                    self._conn = open_encrypted(self.path, key)
                    self._prepare(existing=True)
                    lost = ""
                except (WrongKeyOrCorrupt, DatabaseError, _SchemaMismatch):
                    self.close()
                    lost = "the cache file is unreadable with its key (corrupt or replaced)"
            if lost:
                if self.memory_state == "legacy":  # the cache's own copy goes with it: nothing is left
                    self.memory_state = "missing"
                return self._rebuild(lost, memory)
        finally:
            _wipe(key)
        self._memory_key = memory_key
        self._wrapped = wrapped
        self.open_outcome = "opened"
        self.purge_expired()

    def _rebuild(self, reason: str | None, memory: bytes | None = None) -> None:
        """Start afresh with a new key, keeping ``memory`` (the audit memory) in the new keyring item.
        ``reason`` None means first use."""
        self.close()
        for file in cache_files(self.path):
            file.unlink(missing_ok=True)
        key = bytearray(new_key())
        try:
            try:
                wrapped = self._wrap(bytes(key))
            except Exception as exc:
                raise CacheTokenError(
                    "Your security token could not protect a new local cache key — "
                    "check that it is inserted, then try again."
                ) from exc
            memory_key = _memory_key(bytes(key), self.user_id)
            # rule R-LOCAL-1: only the token-wrapped key leaves memory.
            self._keystore.put_now(self.item_name, _pack(wrapped, memory, memory_key))  # KeystoreError propagates
            self._conn = open_encrypted(self.path, key)
            self._prepare(existing=False)
        finally:
            _wipe(key)
        self._memory_key, self._wrapped, self.mirrored_memory = memory_key, wrapped, memory
        if reason is None:
            self.open_outcome = "created"
            log.info("local cache created at %s", self.path)
        else:
            self.open_outcome = "rebuilt"
            log.warning("local cache at %s rebuilt with a new key: %s", self.path, reason)

    def remember_audit(self, memory: bytes) -> None:
        """Keep the client's audit memory (``app.audit_memory``) in the cache and, MACed with a key only this
        cache's key gives, in the keyring item beside the wrapped key (R-AUDIT-2; issue 13 §1.3)."""
        if self._memory_key is None or self._wrapped is None:
            raise CacheError("The local cache is closed.")
        self.put_value(AUDIT_MEMORY, memory)
        self._keystore.put_now(self.item_name, _pack(self._wrapped, memory, self._memory_key))
        self.mirrored_memory, self.memory_state = memory, "ok"

    def audit_memory(self) -> tuple[bytes | None, bytes | None, str]:
        """(the memory mirrored in the keyring, the one kept in the cache, how the mirror read)."""
        return self.mirrored_memory, self.get_value(AUDIT_MEMORY), self.memory_state

    def _prepare(self, *, existing: bool) -> None:
        conn = self._conn
        assert conn is not None, "opened just before"
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if existing and version != SCHEMA_VERSION and version not in MIGRATABLE_VERSIONS:
            raise _SchemaMismatch(version)
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if existing and version == 2:  # one transaction: a kill mid-way leaves a version-2 cache, as it was
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _TO_3:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        conn.executescript(_SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- records

    def put_record(self, child_key: str, payload: bytes, *, ttl: float | None = None) -> None:
        """Cache ``payload`` (opaque bytes) for ``child_key`` for ``ttl`` seconds."""
        if not isinstance(child_key, str) or not child_key:
            raise ValueError("child_key is a non-empty string")
        if not isinstance(payload, (bytes, bytearray, memoryview)):
            raise TypeError("payload is bytes (encode JSON before caching it)")
        ttl = self.ttl if ttl is None else ttl
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        now = self._clock()
        self._db().execute(
            "INSERT INTO cached_records (child_key, payload, fetched_at, expires_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (child_key) DO UPDATE SET payload = excluded.payload,"
            " fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
            (child_key, bytes(payload), now, now + ttl),
        )

    def get_record(self, child_key: str) -> bytes | None:
        """The cached payload, or None if absent or expired (R-LOCAL-2)."""
        self.purge_expired()
        row = self._db().execute(
            "SELECT payload FROM cached_records WHERE child_key = ? AND expires_at > ?",
            (child_key, self._clock()),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def get_record_entry(self, child_key: str) -> tuple[bytes, float] | None:
        """(payload, when it was fetched), or None if absent or expired: for an offline copy (R-LOCAL-2)."""
        self.purge_expired()
        row = self._db().execute(
            "SELECT payload, fetched_at FROM cached_records WHERE child_key = ? AND expires_at > ?",
            (child_key, self._clock()),
        ).fetchone()
        return None if row is None else (bytes(row[0]), float(row[1]))

    def recent_records(self, limit: int = 20) -> list[tuple[str, bytes, float]]:
        """The unexpired cached records, last fetched first: (child_key, payload, fetched_at) (R-LOCAL-2)."""
        self.purge_expired()
        return [(str(k), bytes(p), float(f)) for k, p, f in self._db().execute(
            "SELECT child_key, payload, fetched_at FROM cached_records WHERE expires_at > ? "
            "ORDER BY fetched_at DESC LIMIT ?", (self._clock(), int(limit)))]
    def record_keys(self) -> list[str]:
        """The keys of every unexpired cached record (the offline copies held, app.copy_check)."""
        self.purge_expired()
        return [k for (k,) in self._db().execute("SELECT child_key FROM cached_records ORDER BY child_key")]

    def drop_records(self, child_keys) -> int:
        """Delete these cached records (a shield was set since they were made: R-SHIELD-2); returns how many."""
        return sum(self._db().execute("DELETE FROM cached_records WHERE child_key = ?", (k,)).rowcount
                   for k in child_keys)

    def purge_expired(self) -> int:
        """Delete expired rows; returns how many went."""
        # rule R-LOCAL-2: cached records expire; run on open and on every read.
        cur = self._db().execute(
            "DELETE FROM cached_records WHERE expires_at <= ?", (self._clock(),)
        )
        return cur.rowcount

    def put_value(self, name: str, value: bytes) -> None:
        """Keep a small value that does not expire (e.g. the last audit checkpoint seen, R-AUDIT-2)."""
        self._db().execute("INSERT OR REPLACE INTO kept (name, value) VALUES (?, ?)", (name, bytes(value)))

    def get_value(self, name: str) -> bytes | None:
        row = self._db().execute("SELECT value FROM kept WHERE name = ?", (name,)).fetchone()
        return None if row is None else bytes(row[0])

    # -- the offline outbox (app.outbox): each change is one committed row before it is ever sent

    def outbox_add(self, key: str, op: str, request: str, colleague: str | None, *, child: str = "",
                   _before_commit=None) -> int:
        """Append a change (``child``: the name of the child it is about); committed (durable) when this
        returns. Returns its seq."""
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            seq = conn.execute(
                "INSERT INTO outbox (key, op, request, colleague, state, created_at, child) "
                "VALUES (?,?,?,?,'pending',?,?)", (key, op, request, colleague, self._clock(), child)).lastrowid
            if _before_commit is not None:
                _before_commit()  # tests: a kill here must leave no trace
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return seq

    def outbox_items(self) -> list[dict]:
        return [dict(zip(OUTBOX_COLUMNS, row)) for row in self._db().execute(
            f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM outbox ORDER BY seq")]

    def outbox_item(self, key: str) -> dict | None:
        row = self._db().execute(f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM outbox WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(zip(OUTBOX_COLUMNS, row))

    def outbox_update(self, key: str, **values) -> bool:
        """Change an item's state, refusal, attempts, request or key (``new_key``) in one statement."""
        if "new_key" in values:
            values["key"] = values.pop("new_key")
        names = [n for n in values if n in OUTBOX_COLUMNS and n != "seq"]
        if len(names) != len(values):
            raise ValueError("unknown outbox column")
        return bool(self._db().execute(f"UPDATE outbox SET {', '.join(n + ' = ?' for n in names)} WHERE key = ?",
                                       (*[values[n] for n in names], key)).rowcount)

    def outbox_delete(self, key: str) -> bool:
        return bool(self._db().execute("DELETE FROM outbox WHERE key = ?", (key,)).rowcount)

    def clear(self) -> None:
        """Drop every cached record (the key and file stay)."""
        self._db().execute("DELETE FROM cached_records")

    # -- lifetime

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def destroy(self) -> None:
        """Close, then delete the file, its sidecars and the wrapped key (R-CLOSE-6)."""
        self.close()
        destroy_cache(self.path, self.user_id, self._keystore)

    def _db(self):
        if self._conn is None:
            raise CacheError("The local cache is closed.")
        return self._conn

    def __enter__(self) -> LocalCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _SchemaMismatch(Exception):
    pass


def _wipe(buffer: bytearray) -> None:
    for i in range(len(buffer)):
        buffer[i] = 0
