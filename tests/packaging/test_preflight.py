"""signpost --check (issue 18 item 4): each check passes or fails with what to do, the exit status is 1 on
a failure, and the report names nobody. Run as the real command in a child process, with the real
keyring, SoftHSM, OpenSC, Qt and the accessibility bus of the test session."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import preflight
from app.paths import Paths
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OPENSC = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"


def run_check(tmp_path, policy: dict | None = None, **env: str) -> tuple[int, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SOFTHSM2_CONF", "SIGNPOST_PKCS11_MODULE",
                                                             "SIGNPOST_DIRECTORY_URL", "SIGNPOST_CA_BUNDLE")}
    file = tmp_path / "policy.json"
    if policy is not None:
        file.write_text(json.dumps(policy))
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--check"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=base | {"SIGNPOST_HOME": str(tmp_path / "home"),
                                                               "QT_QPA_PLATFORM": "offscreen",
                                                               "SIGNPOST_POLICY_FILE": str(file)} | env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def lines(report: str) -> dict[str, str]:
    return {line[6:].split(":", 1)[0]: line for line in report.splitlines() if line[:4] in ("PASS", "FAIL")}


def test_a_training_workstation_passes_every_check(tmp_path):
    status, report = run_check(tmp_path)
    assert status == 0, report
    checks = lines(report)
    assert set(checks) == {"Organisation policy", "Smartcard service (pcscd)", "Security token module (PKCS#11)",
                           "Keyring (Secret Service)", "Directory", "Display (Qt platform plugin)",
                           "Disk space and folders", "Accessibility bus (AT-SPI)"}
    assert all(line.startswith("PASS") for line in checks.values()), report
    assert report.rstrip().endswith("Result: every check passed.")


def test_failures_exit_non_zero_and_each_says_what_to_do(tmp_path):
    """A smartcard workstation whose pcscd is not running, a directory that does not answer, a user's cache
    others can read, and no display."""
    cache = tmp_path / "home" / "data" / "cache"
    cache.mkdir(parents=True)
    (cache / "alex.practitioner.db").write_bytes(b"x")
    os.chmod(cache / "alex.practitioner.db", 0o644)
    ca = tmp_path / "ca.pem"
    ca.write_text("not a certificate")
    status, report = run_check(tmp_path, {"directory_urls": ["https://127.0.0.1:9"], "ca_bundle": str(ca),
                                          "pkcs11_module": OPENSC, "idle_lock_minutes": 5},
                               QT_QPA_PLATFORM="xcb", DISPLAY="")
    assert status == 1
    checks = lines(report)
    for name in ("Smartcard service (pcscd)", "Directory", "Disk space and folders", "Display (Qt platform plugin)"):
        assert checks[name].startswith("FAIL"), report
    failures = report.count("\nFAIL ")
    assert report.count("What to do: ") == failures and f"Result: {failures} check(s) failed." in report
    assert "pcscd" in report.split("Smartcard service (pcscd): ", 1)[1].split("\n", 2)[1]  # how to start it
    assert "alex.practitioner" not in report  # a cache file is named after its user: the report names no file
    assert "Idle lock (minutes): 5 (set by your organisation)" in report  # where settings are shown


def test_a_bad_policy_file_fails_the_check_naming_the_key(tmp_path):
    status, report = run_check(tmp_path, {"idle_lock": 5})
    assert status == 1 and "FAIL  Organisation policy" in report and "'idle_lock'" in report


def test_the_report_names_nobody(tmp_path, monkeypatch):
    home = str(Path.home())
    monkeypatch.setenv("HOME", home)
    settings = Settings(ca_bundle=os.path.join(home, "la", "ca.pem"))
    report = preflight.report([preflight.check_disk(Paths(Path(home) / ".no-signpost-here", tmp_path))], settings)
    assert home not in report and "~/la/ca.pem" in report
    for personal in (os.environ.get("USER", "root"), os.uname().nodename):
        assert f" {personal} " not in f" {report} "


def test_an_insecure_keyring_fails(tmp_path):
    import keyring.backends.null

    from app.keystore import SecureKeyStore
    check = preflight.check_keyring(lambda: SecureKeyStore(backend=keyring.backends.null.Keyring()))
    assert not check.ok and "null" in check.detail and "gnome-keyring" in check.todo


def test_no_session_bus_means_no_accessibility(tmp_path):
    check = preflight.check_accessibility({})
    assert not check.ok and check.todo


@pytest.mark.parametrize("mode", [0o755, 0o700])
def test_folder_modes_are_checked(tmp_path, mode):
    data = tmp_path / "data"
    data.mkdir()
    os.chmod(data, mode)
    check = preflight.check_disk(Paths(data, tmp_path / "config"))
    assert check.ok is (mode == 0o700)
