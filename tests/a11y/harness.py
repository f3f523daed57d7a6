"""The pytest side of the accessibility harness (issue 18 item 5).

``Desktop`` is one app process on its own Xvfb display and its own private D-Bus session (with a Secret
Service, from packaging/with-keyring.sh), driven by ``atspi_driver.py`` in the system python3 over the
real AT-SPI bus, as Orca would see it (``QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1``). The same harness drives
the source checkout (``make test``) and the installed package (``make package-test``): only the command
differs.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parent / "atspi_driver.py"
SYSTEM_PYTHON = "/usr/bin/python3"
SIGN_IN = "Signpost — sign in"
LOCKED = "Signpost — locked"
PASSWORD, PIN = "training-only-2026", "246810"


def available() -> str:
    """Why this machine cannot run the harness ("" when it can)."""
    for tool, package in (("Xvfb", "xvfb"), ("dbus-run-session", "dbus-daemon"),
                          ("/usr/libexec/at-spi-bus-launcher", "at-spi2-core"), ("openbox", "openbox")):
        if not shutil.which(tool) and not os.path.exists(tool):
            return f"{tool} is missing (Debian package {package})"
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True)
    return "" if done.returncode == 0 else "python3-pyatspi is missing from the system python3"


class DriverError(AssertionError):
    pass


class Xvfb:
    """A virtual screen with a window manager (openbox) on it, which focuses each window as it appears, as
    a desktop does: without one, X gives a new window no keyboard focus and keys go nowhere."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten",
                                      "tcp", "-noreset"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as fh:
            number = fh.readline().strip()
        if not number:
            self.proc.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"
        self.wm = subprocess.Popen(["openbox", "--sm-disable"], env=dict(os.environ, DISPLAY=self.display),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        for proc in (self.wm, self.proc):
            proc.terminate()
            proc.wait(10)


def keyring_password(home: Path) -> str:
    """The test keyring's password, the same for every start that shares ``home`` (kept beside it, 0600: a test
    keyring holds only throwaway training keys)."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    kept = home.parent / f".{home.name}.password"
    if not kept.exists():
        fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(16))
    return kept.read_text().strip()


@dataclass
class Desktop:
    """One running app, and the driver that reads and works its accessibility tree."""

    command: list[str]
    home: Path  # SIGNPOST_HOME: data and settings
    keyring_home: Path  # the private keyring's folder, kept between runs so the training key survives
    env: dict[str, str] = field(default_factory=dict)
    app_name: str = "Signpost"

    def start(self) -> Desktop:
        self.xvfb = Xvfb()
        env = {k: v for k, v in os.environ.items()
               if k not in ("DBUS_SESSION_BUS_ADDRESS", "SOFTHSM2_CONF", "SIGNPOST_PKCS11_MODULE", "QT_QPA_PLATFORM",
                            "SIGNPOST_DIRECTORY_URL", "SIGNPOST_CA_BUNDLE", "XDG_RUNTIME_DIR")}
        env |= {"DISPLAY": self.xvfb.display, "QT_QPA_PLATFORM": "xcb", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
                "SIGNPOST_HOME": str(self.home), "SIGNPOST_KEYRING_HOME": str(self.keyring_home),
                "SIGNPOST_KEYRING_PASSWORD": keyring_password(self.keyring_home),
                "SIGNPOST_POLICY_FILE": str(self.home / "policy.json"), "NO_AT_BRIDGE": "0"} | self.env
        self.socket_dir = Path(tempfile.mkdtemp(prefix="a11y-"))
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket_dir / "driver"))
        listener.listen(1)
        listener.settimeout(60)
        self.proc = subprocess.Popen(
            [str(ROOT / "packaging" / "with-keyring.sh"), SYSTEM_PYTHON, str(DRIVER), str(self.socket_dir / "driver"),
             self.app_name, "--", *self.command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=env, cwd=self.home)
        try:
            self.channel, _ = listener.accept()
        except TimeoutError:
            raise DriverError(f"the driver never connected: {self.stop()}") from None
        finally:
            listener.close()
        self.channel.settimeout(None)
        self.reader = self.channel.makefile("r", encoding="utf-8")
        self.writer = self.channel.makefile("w", encoding="utf-8")
        return self

    def call(self, op: str, **args):
        self.writer.write(json.dumps({"op": op, "args": args}) + "\n")
        self.writer.flush()
        line = self.reader.readline()
        if not line:
            raise DriverError(f"the driver ended: {self.stop()}")
        reply = json.loads(line)
        if "error" in reply:
            raise DriverError(f"{op} {args}: {reply['error']}")
        return reply["ok"]

    def stop(self) -> str:
        """Quit the app and the driver, stop the display; returns what they wrote on stderr."""
        err = ""
        if self.proc.poll() is None and getattr(self, "writer", None) is not None:
            try:
                self.writer.write(json.dumps({"op": "quit"}) + "\n")
                self.writer.flush()
            except OSError:
                pass
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        shutil.rmtree(self.socket_dir, ignore_errors=True)
        self.xvfb.stop()
        return err

    # -- what a user does, through the tree ---------------------------------------------------------------
    def ready(self, timeout: float = 240) -> float:
        """The sign-in window, its directory ready (the first run builds the training directory) and a token
        listed; returns the ms from the app's start."""
        self.call("window", title=SIGN_IN, timeout=60)
        enabled = self.call("wait_enabled", window=SIGN_IN, name="Sign in", timeout=timeout)
        self.call("wait_text", window=SIGN_IN, contains="(training)", timeout=timeout)  # a token is listed
        return enabled["since_start_ms"]

    def sign_in(self, username: str, password: str = PASSWORD, pin: str = PIN) -> None:
        self.call("set_text", window=SIGN_IN, name="Username", text=username)
        self.call("set_text", window=SIGN_IN, name="Password", text=password)
        self.call("wait_text", window=SIGN_IN, contains=f"{username} (training)")  # its token, selected
        self.call("set_text", window=SIGN_IN, name="Token PIN", text=pin)
        self.call("press", window=SIGN_IN, name="Sign in")


def source_command() -> list[str]:
    return [sys.executable, str(ROOT / "main.py")]
