"""The per-user encrypted cache, with a real Secret Service (R-LOCAL-1/2, R-CLOSE-6)."""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading

import pytest

from app.keystore import KeystoreLocked, SecureKeyStore
from app.localcache import (
    CacheTokenError,
    LocalCache,
    cache_files,
    destroy_cache,
    key_item_name,
    read_item,
)

USER = "practitioner-0042"
MARKER = b"ZEBEDEE-QUUX-7741-CHILDNAME"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cache_path(tmp_path):
    return tmp_path / "user" / "cache.db"


@pytest.fixture
def open_cache(cache_path, store, token):
    opened: list[LocalCache] = []

    def _open(*, unwrap=None, clock=None, path=None) -> LocalCache:
        options = {"clock": clock} if clock else {}
        cache = LocalCache.open(path or cache_path, USER, store, token.wrap,
                                unwrap or token.unwrap, **options)
        opened.append(cache)
        return cache

    yield _open
    for cache in opened:
        cache.close()


def stored_key(store: SecureKeyStore, token) -> bytes:
    """The clear cache key, recovered the way only the token holder can."""
    return token.unwrap(read_item(store.get_now(key_item_name(USER)))[0])  # beside it: the audit memory


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- first use and reopen ---------------------------------------------------------

def test_first_use_then_reopen_round_trip(open_cache, cache_path, store, token):
    cache = open_cache()
    assert cache.open_outcome == "created"
    assert cache_path.exists()
    assert store.get_now(key_item_name(USER)) is not None  # the WRAPPED key
    cache.put_record("child-1", b'{"name": "A"}')
    key = stored_key(store, token)
    cache.close()

    again = open_cache()
    assert again.open_outcome == "opened"
    assert again.get_record("child-1") == b'{"name": "A"}'
    assert again.get_record("child-2") is None
    assert stored_key(store, token) == key  # same key, not rebuilt


def test_the_file_is_encrypted_sqlcipher(open_cache, cache_path):
    cache = open_cache()
    cache.put_record("child-1", b"x")
    cache.close()
    assert not cache_path.read_bytes().startswith(b"SQLite format 3")


def test_put_replaces_and_clear_empties(open_cache):
    cache = open_cache()
    cache.put_record("c", b"one")
    cache.put_record("c", b"two")
    assert cache.get_record("c") == b"two"
    cache.clear()
    assert cache.get_record("c") is None


# --- expiry (R-LOCAL-2) -----------------------------------------------------------

def test_expired_records_are_not_returned_and_are_purged(open_cache):
    clock = Clock()
    cache = open_cache(clock=clock)
    cache.put_record("short", b"s", ttl=10)
    cache.put_record("long", b"l", ttl=1000)
    clock.now += 10  # expiry is exclusive: at expires_at the row is gone
    assert cache.get_record("short") is None
    assert cache.get_record("long") == b"l"
    assert cache.purge_expired() == 0  # "short" was already purged by the read
    count = cache._db().execute("SELECT count(*) FROM cached_records").fetchone()[0]
    assert count == 1


def test_expired_records_are_purged_on_open(open_cache):
    clock = Clock()
    cache = open_cache(clock=clock)
    cache.put_record("c", b"v", ttl=60)
    cache.close()
    clock.now += 61
    again = open_cache(clock=clock)
    count = again._db().execute("SELECT count(*) FROM cached_records").fetchone()[0]
    assert count == 0


# --- rebuilt when missing or unreadable -------------------------------------------

def test_deleted_file_is_rebuilt_with_a_new_key_and_logged(open_cache, cache_path, store, token, caplog):
    cache = open_cache()
    cache.put_record("c", b"v")
    old_key = stored_key(store, token)
    cache.close()
    for f in cache_files(cache_path):
        f.unlink(missing_ok=True)

    with caplog.at_level(logging.INFO, logger="app.localcache"):
        again = open_cache()
    assert again.open_outcome == "rebuilt"
    assert again.get_record("c") is None
    new_key = stored_key(store, token)
    assert new_key != old_key
    assert "rebuilt with a new key: the cache file is missing" in caplog.text
    assert_no_key_material(caplog.text, old_key, new_key)


def test_wrapped_key_missing_from_keyring_is_rebuilt(open_cache, cache_path, store, token, caplog):
    cache = open_cache()
    cache.put_record("c", b"v")
    old_key = stored_key(store, token)
    cache.close()
    store.delete_now(key_item_name(USER))

    with caplog.at_level(logging.WARNING, logger="app.localcache"):
        again = open_cache()
    assert again.open_outcome == "rebuilt"
    assert again.get_record("c") is None
    assert stored_key(store, token) != old_key
    assert "wrapped key is missing from the keyring" in caplog.text


def test_corrupt_file_is_rebuilt(open_cache, cache_path):
    cache = open_cache()
    cache.put_record("c", b"v")
    cache.close()
    cache_path.write_bytes(os.urandom(8192))
    again = open_cache()
    assert again.open_outcome == "rebuilt"
    assert again.get_record("c") is None


def test_token_re_enrolled_is_rebuilt(open_cache, store, token, other_token):
    cache = open_cache()
    cache.put_record("c", b"v")
    cache.close()
    # The new token cannot unwrap the old key; the cache starts again for it.
    again = LocalCache.open(cache.path, USER, store, other_token.wrap, other_token.unwrap)
    try:
        assert again.open_outcome == "rebuilt"
        assert again.get_record("c") is None
        assert len(other_token.unwrap(read_item(store.get_now(key_item_name(USER)))[0])) == 32
    finally:
        again.close()


# --- transient faults never destroy data -------------------------------------------

def test_locked_keyring_is_an_error_and_the_cache_is_not_rebuilt(open_cache, cache_path, collection, store, token):
    cache = open_cache()
    cache.put_record("c", b"v")
    cache.close()
    before = digest(cache_path)
    wrapped_before = store.get_now(key_item_name(USER))

    collection.lock()
    with pytest.raises(KeystoreLocked, match="locked or not answering"):
        open_cache()
    assert digest(cache_path) == before  # untouched
    collection.unlock()
    assert store.get_now(key_item_name(USER)) == wrapped_before

    again = open_cache()
    assert again.open_outcome == "opened"
    assert again.get_record("c") == b"v"


def test_token_fault_is_an_error_and_the_cache_is_not_rebuilt(open_cache, cache_path, store):
    cache = open_cache()
    cache.put_record("c", b"v")
    cache.close()
    before = digest(cache_path)
    wrapped_before = store.get_now(key_item_name(USER))

    def token_removed(_wrapped: bytes) -> bytes:
        raise RuntimeError("CKR_DEVICE_REMOVED")

    with pytest.raises(CacheTokenError, match="security token"):
        open_cache(unwrap=token_removed)
    assert digest(cache_path) == before
    assert store.get_now(key_item_name(USER)) == wrapped_before
    assert open_cache().get_record("c") == b"v"


# --- destroy (R-CLOSE-6) -----------------------------------------------------------

def test_destroy_removes_file_sidecars_and_keyring_item(open_cache, cache_path, store, collection, service_name):
    cache = open_cache()
    cache.put_record("c", b"v")
    assert cache_path.with_name(cache_path.name + "-wal").exists()  # WAL mode, open
    cache_path.with_name(cache_path.name + "-journal").write_bytes(b"stale")
    cache.destroy()
    assert [f for f in cache_files(cache_path) if f.exists()] == []
    assert store.get_now(key_item_name(USER)) is None
    assert collection.secrets_for(service_name, key_item_name(USER)) == []
    destroy_cache(cache_path, USER, store)  # idempotent, works without opening


# --- threading rule ----------------------------------------------------------------

def test_the_connection_stays_on_its_thread(open_cache):
    cache = open_cache()
    errors: list[BaseException] = []

    def elsewhere():
        try:
            cache.get_record("c")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert errors and "thread" in str(errors[0]).lower()


# --- leak test (R-LOCAL-1) ----------------------------------------------------------

def key_forms(key: bytes) -> list[bytes]:
    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key)]


def marker_forms() -> list[bytes]:
    return [MARKER, MARKER.decode().encode("utf-16-le"), MARKER.hex().encode()]


def assert_no_key_material(text: str, *keys: bytes) -> None:
    for key in keys:
        for form in key_forms(key):
            assert form.decode("latin-1") not in text


def test_no_marker_or_key_on_disk_or_in_the_keyring(open_cache, cache_path, store, token, collection,
                                                     service_name, keyring_home, caplog):
    caplog.set_level(logging.DEBUG)
    payload = b'{"given": "' + MARKER + b'", "note": "' + MARKER * 40 + b'"}'
    cache = open_cache()
    for i in range(50):
        cache.put_record(f"child-{i}", payload)
    key = stored_key(store, token)
    assert len(key) == 32

    def scan(where: str) -> None:
        files = [f for f in cache_files(cache_path) if f.exists()]
        assert cache_path in files
        for f in files:
            data = f.read_bytes()
            for needle in marker_forms() + key_forms(key):
                assert needle not in data, f"{needle!r} found in {f.name} ({where})"

    scan("open, WAL not checkpointed")
    assert cache_path.with_name(cache_path.name + "-wal").exists()
    assert cache.get_record("child-7") == payload
    cache.close()
    scan("closed")

    # The keyring item holds only the wrapped key (and the client's audit memory), base64-encoded.
    (item,) = collection.secrets_for(service_name, key_item_name(USER))
    for needle in marker_forms() + key_forms(key):
        assert needle not in item
    assert token.unwrap(read_item(base64.b64decode(item))[0]) == key

    # Nor does gnome-keyring's own file, when we know where it is.
    if keyring_home is not None:
        for f in (keyring_home / "keyrings").glob("*"):
            data = f.read_bytes()
            for needle in marker_forms() + key_forms(key):
                assert needle not in data, f"{needle!r} found in {f}"

    assert_no_key_material(caplog.text, key)
    assert MARKER.decode() not in caplog.text
