"""Closure with the network gone (R-CLOSE-1): in 2010 the switch-off was done by disconnecting the network.

The LA team user prepares closure on this workstation against the real HTTPS service; then the real app
runs in a process inside an empty network namespace (``ip netns add``: not even loopback answers), so the
directory cannot be reached at all. A practitioner is told the directory cannot be reached, and gets
nothing more; the LA team user who prepared closure here reaches the closure wizard after their token
checks their PIN, and the wizard says why only the closure tasks are open.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.training import TRAINING_PIN
from tests.conftest import PASSWORD, TODAY
from tests.ui.test_closure_wizard import open_closure

WAIT_S = 90
ROOT = Path(__file__).resolve().parents[2]


def _netns() -> str:
    """An empty network namespace, or a skip that says why there cannot be one."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("an empty network namespace needs root and iproute2's ip (ip netns add)")
    name = f"signpost-test-{uuid.uuid4().hex[:8]}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"ip netns add failed here: {made.stderr.strip()}")
    return name


@pytest.fixture
def empty_network():
    name = _netns()
    yield name
    subprocess.run(["ip", "netns", "delete", name], check=True)


def test_with_the_network_gone_the_la_user_who_prepared_closure_reaches_it_and_is_told_why(
        qtbot, make_app, served, key_store, empty_network, tmp_path):
    app = make_app(settings=served.settings())
    wizard = open_closure(qtbot, app)  # prepared on demand while the directory answers
    assert wizard.ctx.register.tokens
    wizard.close()
    app.sign_out()
    app.shutdown()  # the workstation is switched off; the next start has no network
    config = {"data": str(app.paths.data), "config": str(app.paths.config), "keystore": key_store.service,
              "url": served.url, "ca": str(served.tls.ca), "today": TODAY.isoformat(), "password": PASSWORD,
              "pin": TRAINING_PIN}
    ran = subprocess.run(["ip", "netns", "exec", empty_network, sys.executable, "-m", "tests.ui.test_closure_netns",
                          json.dumps(config)], cwd=ROOT, capture_output=True, text=True, timeout=WAIT_S * 2,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert ran.returncode == 0, ran.stderr
    got = json.loads(ran.stdout.strip().splitlines()[-1])
    assert "cannot be reached" in got["alex.practitioner"]["status"] and not got["alex.practitioner"]["wizard"]
    la = got["jo.la"]
    assert la["wizard"] and la["closed"] and la["tokens"] > 0
    assert la["mode"].startswith("The directory cannot be reached, so only the closure tasks you prepared")
    assert la["signin_hidden"]


# -- the app in the empty network namespace --------------------------------------------------------------
def _child(cfg: dict) -> None:
    from datetime import date

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.keystore import SecureKeyStore
    from app.paths import Paths
    from app.settings import Settings
    from ui.app import SignpostApp

    qt = QApplication([])
    today = date.fromisoformat(cfg["today"])
    app = SignpostApp(Paths(Path(cfg["data"]), Path(cfg["config"])),
                      Settings(directory_url=cfg["url"], ca_bundle=cfg["ca"]), SecureKeyStore(service=cfg["keystore"]),
                      clock=lambda: today)
    users = ["alex.practitioner", "jo.la"]
    seen: dict[str, dict] = {}
    state = {"user": "", "ticks": 0}

    def sign_in(username: str) -> None:
        state["user"] = username
        app.signin.status.clear()
        app.signin.username.setText(username)
        app.signin.password.setText(cfg["password"])
        app.signin.pin.setText(cfg["pin"])
        app.signin.button.click()

    def tick() -> None:
        state["ticks"] += 1
        if state["ticks"] > WAIT_S * 20:
            raise SystemExit("timed out")
        user = state["user"]
        if not user:
            if app.signin.button.isEnabled() and app.signin.tokens.tokens():
                sign_in(users[0])
            return
        wizard = app.closure
        if wizard is not None and wizard.isVisible():
            overview = wizard.page("overview")
            seen[user] = {"wizard": True, "closed": wizard.ctx.closed, "mode": overview.mode.text(),
                          "tokens": len(wizard.ctx.register.tokens), "signin_hidden": not app.signin.isVisible()}
            wizard.close()
        elif app.signin.button.isEnabled() and app.signin.status.text():
            seen[user] = {"wizard": False, "status": app.signin.status.text()}
        else:
            return
        later = [u for u in users if u not in seen]
        if later:
            sign_in(later[0])
        else:
            timer.stop()
            app.shutdown()
            print(json.dumps(seen))
            qt.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(50)
    app.start()
    qt.exec()


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]))
