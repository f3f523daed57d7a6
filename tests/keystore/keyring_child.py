"""Run by test_keystore.py in its OWN D-Bus session: stop the keyring daemon.

    keyring_child.py kill   # terminate gnome-keyring-daemon, then call the store
    keyring_child.py stop   # SIGSTOP it (hung daemon), call, then SIGCONT and call

Prints one JSON object. The daemon is the one this session started; it is
signalled by the pid the bus reports for org.freedesktop.secrets.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time
from contextlib import closing

from jeepney import DBusErrorResponse
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

from app.keystore import KeystoreError, SecureKeyStore

TIMEOUT = 2.0


def daemon_pid() -> int | None:
    with closing(open_dbus_connection("SESSION")) as conn:
        bus = Proxy(message_bus, conn, timeout=3)
        try:
            return bus.GetConnectionUnixProcessID("org.freedesktop.secrets")[0]
        except DBusErrorResponse:  # NameHasNoOwner: the daemon is gone
            return None


def attempt(store: SecureKeyStore) -> dict:
    started = time.monotonic()
    try:
        value = store.get_now("probe")
        outcome = {"ok": value == b"probe-value"}
    except KeystoreError as exc:
        outcome = {"error": type(exc).__name__, "message": str(exc)}
    outcome["elapsed"] = time.monotonic() - started
    return outcome


def main(mode: str) -> None:
    store = SecureKeyStore("signpost-test-child", timeout=TIMEOUT)
    store.put_now("probe", b"probe-value")
    pid = daemon_pid()
    assert pid, "no daemon owns org.freedesktop.secrets"
    result: dict = {}
    if mode == "kill":
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if daemon_pid() != pid:
                break
            time.sleep(0.1)
        result["first"] = attempt(store)
    else:
        os.kill(pid, signal.SIGSTOP)
        try:
            result["first"] = attempt(store)
        finally:
            os.kill(pid, signal.SIGCONT)
        result["after_resume"] = attempt(store)
    store.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
