"""Fixtures for the token tests: real SoftHSM tokens in a per-run token dir.

* ``softhsm`` (session, autouse): writes a SoftHSM config and token directory
  under pytest's tmp dir and points $SOFTHSM2_CONF at it before any test loads
  the library.  python-pkcs11 loads a module once per process, but SoftHSM
  re-reads its config and token directory at every C_Initialize, and every
  ``TokenService`` finalises the module on shutdown, so each test's service
  starts from a fresh view and tests stay independent.
* ``alice``: one enrolled token for the whole run (RSA keygen costs time);
  tests that change, lock or pull a token make their own with ``new_token``.
* ``fault_module`` (session): gcc-builds ``faultmod/fault_pkcs11.c`` into
  tests/_build/; ``faults`` gives each test its own switch directory.
* ``service``: factory for a started TokenService, shut down after the test.
"""
from __future__ import annotations

import itertools
import os
import threading
import time
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from app.token.info import TokenEvent
from app.token.provision import ProvisionedToken, provision_softhsm_token
from app.token.service import TokenService

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SO_PIN = "so-pin-1234"
ALICE_PIN = "alice-pin"
HERE = Path(__file__).resolve().parent
BUILD = HERE.parent / "_build"  # git-ignored


@dataclass
class SoftHSM:
    conf: Path
    tokendir: Path
    aside: Path  # where pulled tokens wait to be re-inserted

    def token_dir(self, serial: str) -> Path:
        for d in self.tokendir.iterdir():
            obj = d / "token.object"
            if obj.is_file() and serial.encode() in obj.read_bytes():
                return d
        raise LookupError(f"no SoftHSM directory for token {serial}")

    def pull(self, serial: str) -> Path:
        """Pull the token out: move its directory out of the token dir."""
        src = self.token_dir(serial)
        dst = self.aside / src.name
        shutil.move(str(src), str(dst))
        return dst

    def insert(self, pulled: Path) -> None:
        shutil.move(str(pulled), str(self.tokendir / pulled.name))


@pytest.fixture(scope="session", autouse=True)
def softhsm(tmp_path_factory: pytest.TempPathFactory):
    if not os.path.isfile(SOFTHSM_MODULE) or not shutil.which("softhsm2-util"):
        pytest.fail("SoftHSM is missing: apt-get install softhsm2")
    root = tmp_path_factory.mktemp("softhsm")
    hsm = SoftHSM(root / "softhsm2.conf", root / "tokens", root / "aside")
    hsm.tokendir.mkdir()
    hsm.aside.mkdir()
    hsm.conf.write_text(
        f"directories.tokendir = {hsm.tokendir}\nobjectstore.backend = file\n"
        "log.level = ERROR\nslots.removable = true\n"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(hsm.conf))  # before any C_Initialize
        yield hsm


_names = itertools.count(1)


@pytest.fixture
def new_token(softhsm: SoftHSM) -> Callable[..., ProvisionedToken]:
    """Provision a fresh enrolled token: ``new_token(pin="...")``."""
    def make(pin: str = "1234-pin", label: str | None = None) -> ProvisionedToken:
        return provision_softhsm_token(label or f"test-{next(_names)}", SO_PIN, pin)
    return make


@pytest.fixture(scope="session")
def alice(softhsm: SoftHSM) -> ProvisionedToken:
    return provision_softhsm_token("Signpost training – alice", SO_PIN, ALICE_PIN)


@pytest.fixture(scope="session")
def alice_pin() -> str:
    return ALICE_PIN


@pytest.fixture(scope="session")
def fault_module(softhsm: SoftHSM) -> str:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not found: cannot build the fault-injecting PKCS#11 module")
    BUILD.mkdir(parents=True, exist_ok=True)
    out = BUILD / "fault_pkcs11.so"
    subprocess.run(
        [gcc, "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", str(out),
         str(HERE / "faultmod" / "fault_pkcs11.c"), "-ldl"],
        check=True,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIGNPOST_FAULT_REAL_MODULE", SOFTHSM_MODULE)
        yield str(out)


class Faults:
    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def set(self, name: str) -> None:
        (self.dir / name).touch()

    def clear(self, name: str) -> None:
        (self.dir / name).unlink(missing_ok=True)

    def is_set(self, name: str) -> bool:
        return (self.dir / name).exists()


@pytest.fixture
def faults(fault_module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Faults:
    d = tmp_path / "faults"
    d.mkdir()
    monkeypatch.setenv("SIGNPOST_FAULT_DIR", str(d))
    return Faults(d)


@pytest.fixture
def service():
    """``service(module=..., poll_interval=...)`` -> a started TokenService."""
    started: list[TokenService] = []

    def make(module: str = SOFTHSM_MODULE, poll_interval: float = 1.0) -> TokenService:
        svc = TokenService(module, poll_interval=poll_interval)
        started.append(svc)
        svc.start().result(timeout=10)
        return svc

    yield make
    for svc in started:
        svc.shutdown()


@pytest.fixture(scope="session")
def softhsm_module() -> str:
    return SOFTHSM_MODULE


@pytest.fixture
def bare_token(softhsm: SoftHSM) -> Callable[[str, str], str]:
    return init_bare_token


def init_bare_token(label: str, pin: str) -> str:
    """A SoftHSM token with a user PIN but no Signpost keys; returns its serial."""
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label,
                    "--so-pin", SO_PIN, "--pin", pin], check=True, capture_output=True)
    out = subprocess.run(["softhsm2-util", "--show-slots"], check=True, capture_output=True,
                         text=True).stdout
    block = out.split(f"Label:            {label}")[0]
    return block.rsplit("Serial number:", 1)[1].split()[0]


class Recorder:
    """Collects TokenEvents (delivered on the token thread) for assertions."""

    def __init__(self) -> None:
        self.events: list[tuple[float, TokenEvent, str]] = []
        self._cond = threading.Condition()

    def __call__(self, event: TokenEvent) -> None:
        with self._cond:
            self.events.append((time.monotonic(), event, threading.current_thread().name))
            self._cond.notify_all()

    def wait_for(self, kind: str, serial: str, timeout: float, after: float = 0.0) -> float:
        """Monotonic time of the first matching event after ``after``, or fail."""
        def match():
            return next((t for t, e, _ in self.events
                         if t >= after and e.kind == kind and e.token.serial == serial), None)
        with self._cond:
            if not self._cond.wait_for(lambda: match() is not None, timeout):
                pytest.fail(f"no '{kind}' event for {serial} within {timeout}s: {self.events}")
            return match()

    def kinds(self, serial: str) -> list[str]:
        with self._cond:
            return [e.kind for _, e, _ in self.events if e.token.serial == serial]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
