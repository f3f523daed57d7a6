"""Issue 18 item 1: the wheel carries resources/, and installed into a fresh virtualenv outside the source
tree it starts the app (offscreen, to a sign-in window that signs a training user in) and the service.

The fresh venv gets the wheel alone (``--no-deps``); its third-party libraries come from the project's venv
through a path file, so nothing is downloaded and the source tree is never on its path (the test checks
where each module was imported from)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
import requests

from app import resources

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 240
SOURCE = ("app", "ui", "resources", "main.py", "pyproject.toml", "README.md")

# Run by the fresh venv's python, from outside the tree: the installed app, offscreen, to a signed-in window.
DRIVER = r'''
import json, sys
from PySide6.QtCore import QTimer
import ui.app, app.resources
from app import policy
from app.paths import Paths
from app.version import version

qt = ui.app.application(["signpost"])
paths = Paths.default()
app_ = ui.app.SignpostApp(paths, policy.load_settings(paths), poll_interval=0.2)
app_.start()
s = app_.signin
state = {"step": "ready"}

def tick():
    if state["step"] == "ready" and s.button.isEnabled():
        s.username.setText("alex.practitioner")
        s.password.setText("training-only-2026")
        state["step"] = "token"
    elif state["step"] == "token" and s.tokens.current() is not None:
        s.pin.setText("246810")
        s.button.click()
        state["step"] = "signing-in"
    elif state["step"] == "signing-in" and app_.main is not None and app_.main.isVisible():
        print(json.dumps({"ui": ui.app.__file__, "resources": str(app.resources.path("style.qss")),
                          "version": version(), "title": app_.main.windowTitle()}), flush=True)
        app_.shutdown()
        qt.quit()
    elif "not right" in s.status.text() or s.status.property("kind") == "error" and state["step"] == "ready":
        print(json.dumps({"failed": s.status.text()}), flush=True)
        app_.shutdown()
        qt.exit(1)

timer = QTimer()
timer.timeout.connect(tick)
timer.start(100)
sys.exit(qt.exec())
'''


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv outside the tree with only the built wheel installed in it."""
    where = tmp_path_factory.mktemp("wheel")
    source = where / "source"  # a copy, so setuptools' build/ never carries stale files into the wheel
    source.mkdir()
    for name in SOURCE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(where / "dist"), str(source)], check=True, cwd=where, timeout=TIMEOUT_S,
                   stdout=subprocess.DEVNULL)
    (wheel,) = (where / "dist").glob("signpost-*.whl")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT_S)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", "--quiet", str(wheel)], check=True, timeout=TIMEOUT_S, cwd=where)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c", purelib], text=True).strip())
    (site / "project_libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # after the venv's own
    return where


def _env(where: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOFTHSM2_CONF", "SIGNPOST_PKCS11_MODULE", "PYTHONPATH",
                                                             "SIGNPOST_DIRECTORY_URL", "SIGNPOST_CA_BUNDLE")}
    home = where / "home"
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text(json.dumps({"training_children": 300}))
    return env | {"SIGNPOST_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
                  "SIGNPOST_POLICY_FILE": str(where / "no-policy.json")} | extra


def test_installed_outside_the_tree_the_app_starts_and_signs_in(installed):
    """Before: the wheel held app/, ui/ and main.py and none of resources/, so the installed app could not start."""
    (wheel,) = (installed / "dist").glob("signpost-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("style.qss", "icons/signpost.svg", "closure_plan.json", "nicknames.json", "openapi.yaml",
                 *resources.TRAINING):
        assert f"resources/{name}" in names, name
    assert not any("screenshots" in n or n.endswith("build_pools.py") for n in names)
    python = installed / "venv" / "bin" / "python"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    done = subprocess.run([str(installed / "venv" / "bin" / "signpost"), "--version"], cwd=installed,
                          env=_env(installed), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == f"Signpost {version}", done.stderr
    done = subprocess.run([str(python), "-c", DRIVER], cwd=installed, env=_env(installed), capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    venv = str(installed / "venv")
    assert got["ui"].startswith(venv) and got["resources"].startswith(venv), got  # not the source tree
    assert got["version"] == version and "Alex" in got["title"]


def test_installed_outside_the_tree_the_service_starts_and_answers(installed):
    port = _free_port()
    proc = subprocess.Popen([str(installed / "venv" / "bin" / "python"), "-m", "app.server", "--port", str(port)],
                            cwd=installed, env=_env(installed), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        ca = None
        deadline = time.monotonic() + TIMEOUT_S
        for line in proc.stdout:  # the service prints its URL and CA bundle once it serves
            found = re.match(r"CA bundle .*: (.+)$", line.strip())
            if found:
                ca = found.group(1)
            if "signpost" in line and "SIGNPOST_DIRECTORY_URL" in line:
                assert line.strip().endswith(" signpost")  # outside a checkout it names the installed command
                break
            assert time.monotonic() < deadline
        assert ca, proc.stderr.read()
        with requests.Session() as http:
            http.trust_env = False
            for _ in range(50):
                try:
                    reply = http.get(f"https://127.0.0.1:{port}/v1/status", verify=ca, timeout=5)
                    break
                except requests.exceptions.ConnectionError:
                    time.sleep(0.1)
        assert reply.status_code == 200 and reply.json()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
