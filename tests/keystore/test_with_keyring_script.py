"""packaging/with-keyring.sh: gives CMD a Secret Service, starting one if needed."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WITH_KEYRING = REPO / "packaging" / "with-keyring.sh"

PROBE = """
import os, sys
from app.keystore import SecureKeyStore
store = SecureKeyStore("signpost-script-test", timeout=5)
store.put_now("probe", b"value")
ok = store.get_now("probe") == b"value"
store.delete_now("probe")
print(os.environ["DBUS_SESSION_BUS_ADDRESS"])
print(os.environ.get("SIGNPOST_KEYRING_HOME", ""))
print("round-trip-ok" if ok else "round-trip-FAILED")
sys.exit(7)
"""

STARTED = "started a private gnome-keyring"


def run(env: dict) -> subprocess.CompletedProcess:
    for tool in ("dbus-run-session", "gnome-keyring-daemon", "dbus-send"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed")
    env = dict(env, PYTHONPATH=str(REPO))
    return subprocess.run([str(WITH_KEYRING), sys.executable, "-c", PROBE], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def without_bus() -> dict:
    drop = ("DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "SIGNPOST_KEYRING_HOME",
            "SIGNPOST_WITH_KEYRING_STAGE")
    return {k: v for k, v in os.environ.items() if k not in drop}


def test_starts_a_private_keyring_when_none_is_reachable(tmp_path):
    home = tmp_path / "kr"
    proc = run(dict(without_bus(), SIGNPOST_KEYRING_HOME=str(home)))
    assert proc.returncode == 7, proc.stderr  # CMD's exit status comes back
    bus, seen_home, verdict = proc.stdout.split()
    assert verdict == "round-trip-ok"
    assert bus != os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    assert seen_home == str(home)
    assert [line for line in proc.stderr.splitlines() if STARTED in line] == [
        f"with-keyring: {STARTED} (Secret Service) for this session, keyrings in {home}"
    ]
    assert (home / "keyrings" / "login.keyring").exists()


def test_default_home_is_a_fresh_temp_dir_removed_afterwards():
    proc = run(without_bus())
    assert proc.returncode == 7, proc.stderr
    _bus, seen_home, verdict = proc.stdout.split()
    assert verdict == "round-trip-ok"
    assert seen_home and not Path(seen_home).exists()


def test_uses_the_keyring_already_reachable(secret_service):
    proc = run(dict(os.environ))
    assert proc.returncode == 7, proc.stderr
    bus = proc.stdout.split()[0]
    assert bus == os.environ["DBUS_SESSION_BUS_ADDRESS"]
    assert STARTED not in proc.stderr
