"""Fixtures for the token tests: real SoftHSM tokens in a per-run token dir.

``softhsm``, ``new_token``, ``alice``, ``alice_pin``, ``softhsm_module`` and
``service`` live in tests/softhsm_fixtures.py (shared with tests/ui); here
``softhsm`` is switched on for every token test.

* ``fault_module`` (session): gcc-builds ``faultmod/fault_pkcs11.c`` into
  tests/_build/; ``faults`` gives each test its own switch directory.
"""
from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.token.info import TokenEvent
from tests.softhsm_fixtures import SO_PIN, SOFTHSM_MODULE, SoftHSM

HERE = Path(__file__).resolve().parent
BUILD = HERE.parent / "_build"  # git-ignored


@pytest.fixture(scope="session", autouse=True)
def _softhsm_for_every_token_test(softhsm: SoftHSM) -> SoftHSM:
    """$SOFTHSM2_CONF set before any token test loads the library."""
    return softhsm


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
