"""SecureKeyStore against a real Secret Service (R-LOCAL-1)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import Future
from pathlib import Path

import pytest
import secretstorage.exceptions as ss_errors
from keyring.backend import KeyringBackend
from keyring.backends import fail, macOS, null
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties

from app.keystore import (
    MSG_LOCKED,
    MSG_NO_COLLECTION,
    MSG_UNAVAILABLE,
    BoundedSecretService,
    KeystoreError,
    KeystoreInsecure,
    KeystoreItemCorrupt,
    KeystoreLocked,
    KeystoreUnavailable,
    SecureKeyStore,
    select_secure_backend,
    translate_error,
)

REPO = Path(__file__).resolve().parents[2]
WITH_KEYRING = REPO / "packaging" / "with-keyring.sh"


def need_tool(name: str) -> None:
    if not shutil.which(name):
        pytest.skip(f"{name} not installed")


# --- backends that must be refused --------------------------------------------

class PlaintextDictKeyring(KeyringBackend):
    """An insecure backend: secrets in a plain dict (like keyrings.alt's files)."""

    @properties.classproperty
    def priority(cls) -> float:  # keep keyring's own detection away from it
        raise RuntimeError("test backend")

    def __init__(self) -> None:
        super().__init__()
        self.data: dict = {}

    def get_password(self, service, username):
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        self.data.pop((service, username), None)


def chainer_of(*members):
    cls = type("TestChainer", (ChainerBackend,), {"backends": list(members), "viable": False})
    return cls()


# --- round trips ----------------------------------------------------------------

def test_round_trip_in_the_default_keyring(secret_service):
    """The production path: keyring's own detection, default collection."""
    ks = SecureKeyStore(f"signpost-test-{uuid.uuid4().hex[:8]}", timeout=5.0)
    try:
        assert ks.check_now().endswith("BoundedSecretService")
        value = os.urandom(300)
        ks.put_now("item", value)
        assert ks.get_now("item") == value
        ks.delete_now("item")
        assert ks.get_now("item") is None
    finally:
        ks.delete_now("item")
        ks.close()


def test_round_trip_futures(store, collection, service_name):
    every_byte = bytes(range(256))
    put = store.put("k", every_byte)
    assert isinstance(put, Future)
    assert put.result(timeout=5) is None
    assert store.get("k").result(timeout=5) == every_byte
    # What the Secret Service holds is base64 of the value, under our service name.
    assert len(collection.secrets_for(service_name, "k")) == 1

    store.put_now("k", b"second")  # overwrite, no duplicate item
    assert store.get_now("k") == b"second"
    assert len(collection.secrets_for(service_name, "k")) == 1

    store.delete("k").result(timeout=5)
    assert store.get_now("k") is None
    assert collection.secrets_for(service_name, "k") == []
    store.delete_now("k")  # deleting a missing item is not an error


def test_get_missing_is_none(store):
    assert store.get_now("never-written") is None


def test_values_must_be_bytes(store):
    with pytest.raises(TypeError):
        store.put("k", "text")


def test_damaged_item_is_reported(store, collection, service_name):
    collection.backend().set_password(service_name, "k", "not base64 !!")
    with pytest.raises(KeystoreItemCorrupt):
        store.get_now("k")


# --- refusal of insecure backends (R-LOCAL-1) ----------------------------------

@pytest.mark.parametrize(
    "make_backend, why",
    [
        (fail.Keyring, "no secure system keyring was found"),
        (null.Keyring, "switched off"),
        (PlaintextDictKeyring, "not a keyring Signpost trusts"),
        (lambda: chainer_of(PlaintextDictKeyring(), null.Keyring()), "none of the available keyrings is secure"),
        (lambda: chainer_of(), "none of the available keyrings is secure"),
    ],
    ids=["fail", "null", "plaintext", "chainer-insecure", "chainer-empty"],
)
def test_insecure_backend_is_refused(make_backend, why):
    backend = make_backend()
    ks = SecureKeyStore("signpost-test", backend=backend, timeout=2.0)
    try:
        for future in (ks.put("k", b"secret"), ks.get("k"), ks.check()):
            with pytest.raises(KeystoreInsecure) as err:
                future.result(timeout=5)
            message = str(err.value)
            assert why in message
            assert "install gnome-keyring and sign in to a desktop session" in message
            assert "IT team" in message
    finally:
        ks.close()
    if isinstance(backend, PlaintextDictKeyring):
        assert backend.data == {}  # nothing was written anywhere


def test_chainer_uses_its_secure_member_only(collection, service_name):
    plain = PlaintextDictKeyring()
    ks = SecureKeyStore(service_name, backend=chainer_of(plain, collection.backend()), timeout=3.0)
    try:
        assert ks.check_now().endswith("BoundedSecretService")
        ks.put_now("k", b"v")
        assert ks.get_now("k") == b"v"
        assert plain.data == {}
        assert len(collection.secrets_for(service_name, "k")) == 1
    finally:
        ks.close()


def test_secure_backends_are_accepted_by_class():
    # Secret Service is swapped for its bounded, prompt-free equivalent.
    from keyring.backends import SecretService

    chosen = select_secure_backend(SecretService.Keyring(), timeout=1.5)
    assert isinstance(chosen, BoundedSecretService) and chosen.timeout == 1.5
    keychain = macOS.Keyring()
    assert select_secure_backend(keychain) is keychain


# --- locked keyring -------------------------------------------------------------

def test_locked_keyring_gives_the_locked_message_without_prompting(store, collection):
    store.put_now("k", b"v")
    collection.lock()
    for call in (lambda: store.get_now("k"), lambda: store.put_now("k", b"w"),
                 lambda: store.delete_now("k")):
        started = time.monotonic()
        with pytest.raises(KeystoreLocked) as err:
            call()
        assert str(err.value) == MSG_LOCKED
        assert "locked or not answering" in str(err.value)
        assert time.monotonic() - started < store.timeout  # no prompt, no wait
    assert collection.is_locked()  # we never unlocked it behind the user's back
    collection.unlock()
    assert store.get_now("k") == b"v"  # nothing was changed while locked


# --- keyring not answering: time limit and recovery -----------------------------

class SlowKeychain(macOS.Keyring):
    """A backend accepted as secure, whose calls block until released."""

    release = threading.Event()
    store: dict = {}

    def get_password(self, service, username):
        self.release.wait(30)
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password


def test_a_hung_call_times_out_and_later_calls_still_work():
    SlowKeychain.release.clear()
    ks = SecureKeyStore("signpost-test", backend=SlowKeychain(), timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(KeystoreLocked, match="locked or not answering"):
            ks.get("k").result(timeout=5)
        assert time.monotonic() - started < 2.0
        # The hung worker is abandoned; a new call is not queued behind it.
        ks.put_now("k", b"v")
        assert SlowKeychain.store[("signpost-test", "k")] == "dg=="  # base64 of b"v"
    finally:
        SlowKeychain.release.set()
        ks.close()


# --- daemon gone or hung: real gnome-keyring in a private D-Bus session ----------

NO_ACTIVATION_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def run_child(mode: str, tmp_path, *, activation: bool) -> dict:
    """Run keyring_child.py in its own D-Bus session with its own keyring."""
    need_tool("dbus-run-session")
    need_tool("gnome-keyring-daemon")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "SIGNPOST_WITH_KEYRING_STAGE")}
    env["SIGNPOST_KEYRING_HOME"] = str(tmp_path / "keyring")
    env["SIGNPOST_KEYRING_PASSWORD"] = "keystore-test-1"  # a kept keyring's password is never a default
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    child = [sys.executable, str(REPO / "tests" / "keystore" / "keyring_child.py"), mode]
    if activation:
        # The ordinary bus: org.freedesktop.secrets can be re-activated.
        cmd = [str(WITH_KEYRING), *child]
    else:
        # A bus with no service directories: once the daemon is gone, nothing answers.
        (tmp_path / "bus").mkdir()
        config = tmp_path / "bus.conf"
        config.write_text(NO_ACTIVATION_BUS.format(dir=tmp_path / "bus"))
        env["SIGNPOST_WITH_KEYRING_STAGE"] = "inner"  # skip the script's own bus
        cmd = ["dbus-run-session", f"--config-file={config}", "--", str(WITH_KEYRING), *child]
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_daemon_stopped_gives_a_clear_error_and_no_hang(tmp_path):
    result = run_child("kill", tmp_path, activation=False)["first"]
    assert result["error"] == "KeystoreUnavailable"
    assert result["message"] == MSG_UNAVAILABLE
    assert result["elapsed"] < 3.0


def test_daemon_stopped_then_reactivated_locked_gives_a_clear_error(tmp_path):
    # On a desktop, D-Bus restarts the daemon, but with the keyring locked.
    result = run_child("kill", tmp_path, activation=True)["first"]
    assert result["error"] in ("KeystoreLocked", "KeystoreUnavailable")
    assert result["message"] in (MSG_LOCKED, MSG_UNAVAILABLE, MSG_NO_COLLECTION)
    assert result["elapsed"] < 3.0


def test_daemon_hung_times_out_then_recovers(tmp_path):
    result = run_child("stop", tmp_path, activation=False)
    first = result["first"]
    assert first["error"] == "KeystoreLocked" and first["message"] == MSG_LOCKED
    assert 1.5 < first["elapsed"] < 4.0  # the child's timeout is 2 s
    assert result["after_resume"] == {"ok": True, "elapsed": result["after_resume"]["elapsed"]}


# --- error mapping ---------------------------------------------------------------

@pytest.mark.parametrize(
    "exc, kind, message",
    [
        (ss_errors.LockedException("x"), KeystoreLocked, MSG_LOCKED),
        (ss_errors.PromptDismissedException("x"), KeystoreLocked, MSG_LOCKED),
        (TimeoutError("x"), KeystoreLocked, MSG_LOCKED),
        (ss_errors.SecretServiceNotAvailableException("x"), KeystoreUnavailable, MSG_UNAVAILABLE),
        (ConnectionResetError("x"), KeystoreUnavailable, MSG_UNAVAILABLE),
        (ss_errors.ItemNotFoundException("x"), KeystoreUnavailable, MSG_NO_COLLECTION),
        (RuntimeError("x"), KeystoreError, None),
    ],
)
def test_error_mapping(exc, kind, message):
    error = translate_error(exc)
    assert type(error) is kind
    if message:
        assert str(error) == message
