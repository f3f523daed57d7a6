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


def run(env: dict, probe: str = PROBE) -> subprocess.CompletedProcess:
    """The script with CMD a Python probe, with no terminal (its own session: /dev/tty cannot be opened)."""
    for tool in ("dbus-run-session", "gnome-keyring-daemon", "dbus-send"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed")
    env = dict(env, PYTHONPATH=str(REPO), SIGNPOST_PYTHON=sys.executable)
    return subprocess.run([str(WITH_KEYRING), sys.executable, "-c", probe], env=env, start_new_session=True,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def without_bus(tmp_path: Path | None = None) -> dict:
    """The environment without a session bus; with ``tmp_path``, Signpost's data folder is under it."""
    drop = ("DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "SIGNPOST_KEYRING_HOME",
            "SIGNPOST_WITH_KEYRING_STAGE", "SIGNPOST_KEYRING_PASSWORD", "SIGNPOST_HOME")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if tmp_path is not None:
        env["SIGNPOST_HOME"] = str(tmp_path / "signpost")
    return env


def test_starts_a_private_keyring_when_none_is_reachable(tmp_path):
    home = tmp_path / "kr"
    proc = run(dict(without_bus(tmp_path), SIGNPOST_KEYRING_HOME=str(home), SIGNPOST_KEYRING_PASSWORD="pw-123456"))
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


# -- the keyring is kept away from the data folder, and its password nowhere (issue 13 §4.1, R-LOCAL-1) --------
STORE = """
from app.keystore import SecureKeyStore
store = SecureKeyStore("signpost")
store.put_now("training-directory-key", b"K" * 32)
print("stored")
"""
READ = """
from app.keystore import SecureKeyStore
print(SecureKeyStore("signpost").get_now("training-directory-key"))
"""


def test_a_keyring_inside_the_data_folder_is_refused(tmp_path):
    """A copy of the data folder must not carry the keys that open the training directory and sign its audit."""
    data = tmp_path / "signpost" / "data"
    proc = run(dict(without_bus(tmp_path), SIGNPOST_KEYRING_HOME=str(data / "training-keyring"),
                    SIGNPOST_KEYRING_PASSWORD="pw-123456"))
    assert proc.returncode == 2 and "must not live inside Signpost's data folder" in proc.stderr
    assert not (data / "training-keyring").exists()


def test_makes_default_keyring_lives_outside_the_data_folder(tmp_path):
    """`make run`'s keyring (SIGNPOST_KEYRING_HOME in the Makefile) is not under the data folder."""
    if not shutil.which("make"):
        pytest.skip("make not installed")
    env = {k: v for k, v in without_bus().items() if k != "XDG_DATA_HOME"}
    env["HOME"] = str(tmp_path)
    dump = subprocess.run(["make", "-np", "run"], cwd=REPO, env=env, capture_output=True, text=True).stdout
    (line,) = [ln for ln in dump.splitlines() if ln.startswith("SIGNPOST_KEYRING_HOME = ")]
    home = Path(line.split(" = ", 1)[1].replace("$(HOME)", str(tmp_path)))
    env["SIGNPOST_HOME"] = ""
    data = Path(subprocess.run([sys.executable, "-c", "from app.paths import Paths; print(Paths.default().data)"],
                               cwd=REPO, env=dict(env, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                               check=True).stdout.strip())
    assert data == tmp_path / ".local" / "share" / "signpost"
    assert not home.is_relative_to(data), f"{home} is inside {data}"


def test_a_kept_keyring_needs_its_password_which_is_kept_nowhere(tmp_path):
    """Without a terminal to ask on and without SIGNPOST_KEYRING_PASSWORD, nothing starts; a wrong password
    leaves the keyring locked and CMD unrun; the right one opens what was kept."""
    home = tmp_path / "kr"
    env = dict(without_bus(tmp_path), SIGNPOST_KEYRING_HOME=str(home))
    refused = run(env, STORE)
    assert refused.returncode == 2 and "needs its password" in refused.stderr and "stored" not in refused.stdout
    assert run(dict(env, SIGNPOST_KEYRING_PASSWORD="right-password"), STORE).stdout.strip() == "stored"
    wrong = run(dict(env, SIGNPOST_KEYRING_PASSWORD="wrong-password"), READ)
    assert wrong.returncode == 75 and "does not unlock" in wrong.stderr and wrong.stdout == ""
    right = run(dict(env, SIGNPOST_KEYRING_PASSWORD="right-password"), READ)
    assert right.returncode == 0 and right.stdout.strip() == repr(b"K" * 32)
    for f in home.rglob("*"):  # the password is in no file the keyring keeps
        assert not f.is_file() or b"right-password" not in f.read_bytes()


def test_a_keyring_an_earlier_version_kept_in_the_data_folder_is_moved_out_under_a_new_password(tmp_path):
    """A training desk set up before: its keyring (in <data>/training-keyring, fixed password) moves to the
    keyring home with the password chosen now; the data folder keeps no keyring; the fixed password no
    longer opens it."""
    legacy = tmp_path / "signpost" / "data" / "training-keyring"
    made = run(dict(without_bus(), SIGNPOST_KEYRING_HOME=str(tmp_path / "made"),
                    SIGNPOST_KEYRING_PASSWORD="signpost-test-keyring"), STORE)
    assert made.returncode == 0, made.stderr
    legacy.parent.mkdir(parents=True)
    shutil.move(str(tmp_path / "made"), str(legacy))
    home = tmp_path / "kr"
    env = dict(without_bus(tmp_path), SIGNPOST_KEYRING_HOME=str(home))
    moved = run(dict(env, SIGNPOST_KEYRING_PASSWORD="chosen-now-1"), READ)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.strip() == repr(b"K" * 32) and "moved Signpost's keyring out of the data folder" in moved.stderr
    assert not legacy.exists()
    assert run(dict(env, SIGNPOST_KEYRING_PASSWORD="signpost-test-keyring"), READ).returncode == 75
