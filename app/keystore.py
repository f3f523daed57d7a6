"""The key store: small secrets kept in the operating system's keyring.

Only a keyring that encrypts at rest and is tied to the user's login is
accepted: the Secret Service on Linux (gnome-keyring, KeePassXC, KDE's
ksecretd...), the macOS Keychain, and the Windows Credential Locker. Anything
else (``keyring``'s null and fail backends, ``keyrings.alt`` plaintext or
"encrypted" files, any third-party backend, a chainer with no secure member)
is refused with a :class:`KeystoreInsecure` that tells the user what to
install or unlock; there is no silent fallback (R-LOCAL-1).

Threading and time limits: every ``keyring`` call runs on the store's own
:class:`~app.executor.SerialExecutor`, and every future the store hands out
resolves within ``timeout`` seconds, with :class:`KeystoreLocked` ("locked or
not answering") if the keyring did not answer. On the Secret Service the D-Bus
calls themselves also carry that time limit and never open an unlock prompt,
so the worker thread comes back too. If a call does overrun, the store moves
on to a fresh worker thread so that later calls are not queued behind the hung
one (keyring calls share no state, so this is safe).

Values are bytes, kept base64-encoded under service ``signpost``.
"""
from __future__ import annotations

import base64
import binascii
import importlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any, TypeVar

import keyring
import keyring.errors
import secretstorage.exceptions as ss
from jeepney import DBusErrorResponse
from keyring.backend import KeyringBackend
from keyring.backends import SecretService as _ss_backend
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties

from app.executor import SerialExecutor

log = logging.getLogger(__name__)

T = TypeVar("T")

SERVICE = "signpost"
DEFAULT_TIMEOUT = 5.0

MSG_LOCKED = "Your keyring is locked or not answering — unlock it and try again."
MSG_UNAVAILABLE = (
    "The system keyring (Secret Service) is not running or has stopped — sign out "
    "and back in to your desktop session so that it starts again, or ask your IT team."
)
MSG_NO_COLLECTION = (
    "Your keyring has no default collection to keep Signpost's keys in — open "
    "\"Passwords and Keys\" (Seahorse), create a default keyring and unlock it, "
    "or ask your IT team."
)
MSG_INSTALL = (
    "On Linux install gnome-keyring and sign in to a desktop session (another "
    "Secret Service provider, such as KeePassXC, also works); Windows and macOS "
    "use their built-in keyring. Otherwise ask your IT team."
)

# Backends accepted as secure, by module and class name. Imported lazily:
# each module imports on every platform but only works on its own.
_SECURE_BACKENDS = (
    ("keyring.backends.SecretService", "Keyring", "Secret Service"),
    ("keyring.backends.macOS", "Keyring", "macOS Keychain"),
    ("keyring.backends.Windows", "WinVaultKeyring", "Windows Credential Locker"),
)


class KeystoreError(RuntimeError):
    """The key store cannot do what was asked; ``str()`` is for the user."""


class KeystoreInsecure(KeystoreError):
    """The keyring in use does not protect secrets; it is refused."""


class KeystoreLocked(KeystoreError):
    """The keyring is locked, or did not answer in time."""

    def __init__(self, message: str = MSG_LOCKED) -> None:
        super().__init__(message)


class KeystoreUnavailable(KeystoreError):
    """No keyring service answers (daemon not running or gone)."""

    def __init__(self, message: str = MSG_UNAVAILABLE) -> None:
        super().__init__(message)


class KeystoreItemCorrupt(KeystoreError):
    """A stored value is not what Signpost wrote (not base64)."""


# --- choosing a backend -------------------------------------------------------

def _secure_classes() -> list[tuple[type, str]]:
    found = []
    for module_name, class_name, label in _SECURE_BACKENDS:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except Exception:  # pragma: no cover - platform-specific import failure
            continue
        found.append((cls, label))
    return found


def describe_backend(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _secure_label(backend: KeyringBackend) -> str | None:
    for cls, label in _secure_classes():
        if isinstance(backend, cls):
            return label
    return None


def _why_insecure(backend: KeyringBackend) -> str:
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "no secure system keyring was found"
    if module == "keyring.backends.null":
        return "the keyring is switched off (null backend)"
    if module.startswith("keyrings.alt"):
        return f"{describe_backend(backend)} keeps secrets in a file, not in a secure keyring"
    if isinstance(backend, ChainerBackend):
        members = ", ".join(describe_backend(b) for b in backend.backends) or "none"
        return f"none of the available keyrings is secure ({members})"
    return f"{describe_backend(backend)} is not a keyring Signpost trusts"


def select_secure_backend(backend: KeyringBackend, timeout: float = DEFAULT_TIMEOUT) -> KeyringBackend:
    """Return the backend to use for ``backend``, or raise :class:`KeystoreInsecure`.

    A secure backend is used as is, except the Secret Service, which is
    replaced by an equivalent that never prompts and bounds its D-Bus calls.
    A chainer is never used itself (it would read from and write to its
    insecure members too): its highest-priority secure member is used.
    """
    if isinstance(backend, ChainerBackend):
        for member in backend.backends:  # sorted by priority, highest first
            if _secure_label(member):
                return select_secure_backend(member, timeout)
    elif _secure_label(backend):
        if isinstance(backend, _ss_backend.Keyring):
            return BoundedSecretService.like(backend, timeout)
        return backend
    # rule R-LOCAL-1: no silent fallback to a keyring that does not protect keys.
    raise KeystoreInsecure(
        f"Signpost cannot keep its keys safely: {_why_insecure(backend)}. {MSG_INSTALL}"
    )


# --- the Secret Service, without prompts or unbounded waits -------------------

def _open_bounded_connection(timeout: float):
    """A session-bus connection whose every wait ends by one deadline."""
    from jeepney.bus import get_bus
    from jeepney.io.blocking import DBusConnection, prep_socket
    from secretstorage.exceptions import SecretServiceNotAvailableException
    from secretstorage.util import add_match_rules

    deadline = time.monotonic() + timeout

    def remaining(asked: float | None) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the Secret Service did not answer in time")
        return left if asked is None else min(asked, left)

    class Connection(DBusConnection):
        def send_and_get_reply(self, message, *, timeout=None, **kw):
            return super().send_and_get_reply(message, timeout=remaining(timeout), **kw)

        def recv_until_filtered(self, queue, *, timeout=None):
            return super().recv_until_filtered(queue, timeout=remaining(timeout))

    try:
        sock = prep_socket(get_bus("SESSION"), timeout=min(1.0, remaining(None)))
        try:
            connection = Connection(sock)  # says Hello, within the deadline
        except BaseException:
            sock.close()
            raise
    except KeyError as exc:  # DBUS_SESSION_BUS_ADDRESS unset
        raise SecretServiceNotAvailableException(f"{exc.args[0]} is unset") from exc
    except (ConnectionError, ValueError, FileNotFoundError) as exc:
        raise SecretServiceNotAvailableException(str(exc)) from exc
    try:
        add_match_rules(connection)
    except BaseException:
        connection.close()
        raise
    return connection


class BoundedSecretService(_ss_backend.Keyring):
    """keyring's Secret Service backend, minus prompts and unbounded waits.

    A locked collection or item raises ``KeyringLocked`` instead of opening an
    unlock prompt (which, without a desktop, may never be answered), a missing
    default collection is an error instead of being created (another prompt),
    and each operation's D-Bus traffic must finish within ``timeout`` seconds.
    """

    timeout: float = DEFAULT_TIMEOUT
    collection_path: str = "/org/freedesktop/secrets/aliases/default"

    @properties.classproperty
    def priority(cls) -> float:
        # Never chosen by keyring's own detection: SecureKeyStore builds it.
        raise RuntimeError("BoundedSecretService is built by SecureKeyStore")

    @classmethod
    def like(cls, other: KeyringBackend, timeout: float) -> BoundedSecretService:
        new = cls()
        new.timeout = timeout
        new.scheme = getattr(other, "scheme", new.scheme)
        preferred = getattr(other, "preferred_collection", None)
        if preferred:
            new.collection_path = preferred
        return new

    def get_preferred_collection(self):
        import secretstorage

        connection = _open_bounded_connection(self.timeout)
        try:
            collection = secretstorage.Collection(connection, self.collection_path)
            if collection.is_locked():
                raise keyring.errors.KeyringLocked("the collection is locked")
            return collection
        except BaseException:
            connection.close()
            raise

    def unlock(self, item) -> None:
        if item.is_locked():
            raise keyring.errors.KeyringLocked("the item is locked")


# --- error mapping ------------------------------------------------------------

def translate_error(exc: BaseException) -> KeystoreError:
    """Map an error from keyring / SecretStorage / D-Bus to a KeystoreError."""
    if isinstance(exc, KeystoreError):
        return exc
    if isinstance(exc, (ss.LockedException, ss.PromptDismissedException)):
        return KeystoreLocked()
    if isinstance(exc, ss.SecretServiceNotAvailableException):
        return KeystoreUnavailable()
    if isinstance(exc, ss.ItemNotFoundException):
        return KeystoreUnavailable(MSG_NO_COLLECTION)
    if isinstance(exc, (keyring.errors.KeyringLocked, TimeoutError)):
        return KeystoreLocked()
    if isinstance(exc, (keyring.errors.InitError, keyring.errors.NoKeyringError, ConnectionError)):
        return KeystoreUnavailable()
    if isinstance(exc, (DBusErrorResponse, OSError, EOFError)):
        # The bus or the daemon went away mid-call, or refused it.
        return KeystoreUnavailable()
    if isinstance(exc, keyring.errors.PasswordSetError):
        return KeystoreError("Your keyring refused to save a Signpost key — unlock it and try again, "
                             "or ask your IT team.")
    return KeystoreError(
        f"Your keyring failed ({type(exc).__name__}) — try again, or ask your IT team."
    )


# --- the store ----------------------------------------------------------------

class SecureKeyStore:
    """Bytes values in a secure system keyring, off the caller's thread.

    ``get``/``put``/``delete``/``check`` return futures that always resolve
    within ``timeout`` seconds (GUI callers bridge them to signals);
    ``get_now``/``put_now``/``delete_now``/``check_now`` block for non-GUI
    callers. Failures are :class:`KeystoreError` subclasses whose message is
    fit to show the user.

    ``backend``: a ``keyring`` backend to use instead of ``keyring.get_keyring()``
    (tests; a Secret Service with ``preferred_collection`` set is honoured).
    """

    def __init__(
        self,
        service: str = SERVICE,
        *,
        backend: KeyringBackend | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.service = service
        self.timeout = timeout
        self._requested = backend
        self._backend: KeyringBackend | None = None  # touched on the worker only
        self._lock = threading.Lock()
        self._closed = False
        self._generation = 0
        self._executor = SerialExecutor("keystore")

    # -- public API, asynchronous

    def check(self) -> Future[str]:
        """Resolve the backend; the result names it (for diagnostics)."""
        return self._submit("check", lambda: describe_backend(self._resolve()))

    def get(self, name: str) -> Future[bytes | None]:
        return self._submit("get", self._get, _check_name(name))

    def put(self, name: str, value: bytes) -> Future[None]:
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError("key store values are bytes")
        text = base64.b64encode(bytes(value)).decode("ascii")
        return self._submit("put", self._put, _check_name(name), text)

    def delete(self, name: str) -> Future[None]:
        """Delete ``name``; deleting a missing item is not an error."""
        return self._submit("delete", self._delete, _check_name(name))

    # -- public API, blocking (never from the GUI thread)

    def check_now(self) -> str:
        return self._wait(self.check())

    def get_now(self, name: str) -> bytes | None:
        return self._wait(self.get(name))

    def put_now(self, name: str, value: bytes) -> None:
        self._wait(self.put(name, value))

    def delete_now(self, name: str) -> None:
        self._wait(self.delete(name))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            executor = self._executor
        executor.shutdown(wait=False)

    # -- worker-side operations

    def _resolve(self) -> KeyringBackend:
        if self._backend is None:
            requested = self._requested if self._requested is not None else keyring.get_keyring()
            self._backend = select_secure_backend(requested, self.timeout)
            log.info("key store uses %s", describe_backend(self._backend))
        return self._backend

    def _get(self, name: str) -> bytes | None:
        text = self._resolve().get_password(self.service, name)
        if text is None:
            return None
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise KeystoreItemCorrupt(
                f"The keyring item {name!r} is damaged; Signpost will replace it."
            ) from None

    def _put(self, name: str, text: str) -> None:
        self._resolve().set_password(self.service, name, text)

    def _delete(self, name: str) -> None:
        backend = self._resolve()
        for _ in range(8):  # delete duplicates too, if any crept in
            try:
                backend.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                return  # nothing (more) to delete
        return

    # -- plumbing

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except KeystoreError:
            raise
        except Exception as exc:
            error = translate_error(exc)
            log.warning("key store: %s (%s: %s)", error, type(exc).__name__, exc)
            raise error from exc

    def _submit(self, what: str, fn: Callable[..., T], *args: Any) -> Future[T]:
        outer: Future = Future()
        outer.set_running_or_notify_cancel()
        with self._lock:
            if self._closed:
                outer.set_exception(KeystoreError("The key store is closed."))
                return outer
            executor, generation = self._executor, self._generation
            inner = executor.submit(self._guarded, fn, *args)

        timer = threading.Timer(self.timeout, self._overrun, (outer, generation, what))
        timer.daemon = True

        def finished(done: Future) -> None:
            timer.cancel()
            try:
                if done.cancelled():
                    outer.set_exception(KeystoreLocked())
                elif done.exception() is not None:
                    outer.set_exception(done.exception())
                else:
                    outer.set_result(done.result())
            except InvalidStateError:
                pass  # the timer got there first

        timer.start()
        inner.add_done_callback(finished)
        return outer

    def _overrun(self, outer: Future, generation: int, what: str) -> None:
        if outer.done():
            return
        # Move to a fresh worker BEFORE telling the caller, so that a call made
        # in reaction to this error is not queued behind the hung one.
        stale = None
        with self._lock:
            if not self._closed and generation == self._generation:
                stale = self._executor
                self._executor = SerialExecutor("keystore")
                self._generation += 1
        try:
            outer.set_exception(KeystoreLocked())
            log.warning("key store: %s did not answer within %.1f s", what, self.timeout)
        except InvalidStateError:
            pass  # it answered just in time
        if stale is not None:
            stale.shutdown(wait=False)  # queued calls are cancelled -> "locked"

    def _wait(self, future: Future[T]) -> T:
        # The future always resolves within self.timeout; the margin is slack.
        return future.result(timeout=self.timeout + 5.0)


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > 200:
        raise ValueError("a key store item name is a non-empty string")
    return name
