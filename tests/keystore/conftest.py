"""Fixtures for the key store and local cache tests.

These tests use a REAL Secret Service: run them inside the session that
``packaging/with-keyring.sh`` provides (``make test`` does). Each test gets a
throwaway collection created through gnome-keyring's internal
"with master password" interface, so tests can lock it without touching the
user's login keyring and without any prompt.
"""
from __future__ import annotations

import os
import secrets
import uuid
from contextlib import closing
from pathlib import Path

import pytest

secretstorage = pytest.importorskip("secretstorage")
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402
from keyring.backends import SecretService  # noqa: E402
from secretstorage.util import DBusAddressWrapper, format_secret, open_session  # noqa: E402

from app.keystore import SecureKeyStore  # noqa: E402
from app.localcache import UnwrapRejected  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
WITH_KEYRING = REPO / "packaging" / "with-keyring.sh"
GK_INTERNAL = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"
SS_PATH = "/org/freedesktop/secrets"


def _secret_service_running() -> bool:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        with closing(secretstorage.dbus_init()) as conn:
            from jeepney.bus_messages import message_bus
            from jeepney.io.blocking import Proxy

            owned = Proxy(message_bus, conn, timeout=3).NameHasOwner("org.freedesktop.secrets")[0]
            return bool(owned)
    except Exception:
        return False


@pytest.fixture(scope="session")
def secret_service() -> None:
    if not _secret_service_running():
        pytest.fail(
            "No Secret Service on the session bus: run these tests inside "
            f"{WITH_KEYRING.relative_to(REPO)} (make test does), e.g. "
            "packaging/with-keyring.sh python -m pytest tests/keystore",
            pytrace=False,
        )


class ThrowawayCollection:
    """A gnome-keyring collection made for one test, lockable without prompts."""

    def __init__(self) -> None:
        self.password = secrets.token_bytes(16)
        label = f"signpost-test-{uuid.uuid4().hex[:8]}"
        with closing(secretstorage.dbus_init()) as conn:
            try:
                (self.path,) = self._internal(conn).call(
                    "CreateWithMasterPassword", "a{sv}(oayays)",
                    {"org.freedesktop.Secret.Collection.Label": ("s", label)},
                    self._secret(conn),
                )
            except Exception as exc:  # not gnome-keyring
                pytest.skip(f"needs gnome-keyring's internal interface: {exc}")

    @staticmethod
    def _internal(conn) -> DBusAddressWrapper:
        return DBusAddressWrapper(SS_PATH, GK_INTERNAL, conn)

    def _secret(self, conn):
        return format_secret(open_session(conn), self.password, "text/plain")

    def backend(self) -> SecretService.Keyring:
        backend = SecretService.Keyring()
        backend.preferred_collection = self.path
        return backend

    def is_locked(self) -> bool:
        with closing(secretstorage.dbus_init()) as conn:
            return secretstorage.Collection(conn, self.path).is_locked()

    def lock(self) -> None:
        with closing(secretstorage.dbus_init()) as conn:
            secretstorage.Collection(conn, self.path).lock()
        assert self.is_locked()

    def unlock(self) -> None:
        with closing(secretstorage.dbus_init()) as conn:
            self._internal(conn).call(
                "UnlockWithMasterPassword", "o(oayays)", self.path, self._secret(conn)
            )
        assert not self.is_locked()

    def secrets_for(self, service: str, name: str) -> list[bytes]:
        """Raw stored secrets of an item, read straight from the Secret Service."""
        with closing(secretstorage.dbus_init()) as conn:
            collection = secretstorage.Collection(conn, self.path)
            items = collection.search_items({"service": service, "username": name})
            return [item.get_secret() for item in items]

    def delete(self) -> None:
        if self.is_locked():
            self.unlock()
        with closing(secretstorage.dbus_init()) as conn:
            secretstorage.Collection(conn, self.path).delete()


@pytest.fixture
def collection(secret_service):
    coll = ThrowawayCollection()
    yield coll
    coll.delete()


@pytest.fixture
def service_name() -> str:
    return f"signpost-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def store(collection, service_name):
    ks = SecureKeyStore(service_name, backend=collection.backend(), timeout=3.0)
    yield ks
    ks.close()


# --- a software stand-in for the user's token (RSA-2048, OAEP-SHA256) ---------

_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class SoftToken:
    def __init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def wrap(self, key: bytes) -> bytes:
        return self._private.public_key().encrypt(key, _OAEP)

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return self._private.decrypt(wrapped, _OAEP)
        except ValueError as exc:  # another key pair: the token was re-enrolled
            raise UnwrapRejected("not wrapped for this token") from exc


@pytest.fixture(scope="session")
def token() -> SoftToken:
    return SoftToken()


@pytest.fixture(scope="session")
def other_token() -> SoftToken:
    return SoftToken()


@pytest.fixture
def keyring_home() -> Path | None:
    home = os.environ.get("SIGNPOST_KEYRING_HOME")
    return Path(home) if home else None
