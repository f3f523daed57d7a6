"""Closure tests run against real SoftHSM tokens (tests/softhsm_fixtures.py).

``resetter`` gives a started ``TokenReset`` over its own ``TokenService`` (the one token thread),
shut down after the test.  ``pin_faults`` switches on PIN states SoftHSM never
reaches (blocked PINs, final try, a token refusing the PIN's characters)
through faultmod/closure_faults.c wrapped around SoftHSM.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.closure.reset import TokenReset
from tests.softhsm_fixtures import SOFTHSM_MODULE, SoftHSM


@pytest.fixture(scope="session", autouse=True)
def _softhsm_for_every_closure_test(softhsm: SoftHSM) -> SoftHSM:
    return softhsm


@pytest.fixture
def resetter():
    started: list[TokenReset] = []

    def make(progress=None, module: str = SOFTHSM_MODULE) -> TokenReset:
        tr = TokenReset(module, progress=progress)
        started.append(tr)
        tr.start().result(timeout=10)
        return tr

    yield make
    for tr in started:
        tr.shutdown()


class ScriptedPrompts:
    """Answers the flow from a script; fails the test on an unexpected question."""

    def __init__(self, pins: list[str | None], confirms: list[bool]) -> None:
        self.pins, self.confirms = list(pins), list(confirms)
        self.asked: list[str] = []
        self.told: list[str] = []

    def ask_pin(self, purpose: str) -> str | None:
        self.asked.append(f"pin: {purpose}")
        assert self.pins, f"unexpected PIN prompt: {purpose}"
        return self.pins.pop(0)

    def confirm(self, question: str) -> bool:
        self.asked.append(f"confirm: {question}")
        assert self.confirms, f"unexpected question: {question}"
        return self.confirms.pop(0)

    def tell(self, message: str) -> None:
        self.told.append(message)


HERE = Path(__file__).resolve().parent
BUILD = HERE.parent / "_build"  # git-ignored


@pytest.fixture(scope="session")
def closure_fault_module(softhsm: SoftHSM) -> str:
    """faultmod/closure_faults.c built with gcc: PIN states SoftHSM never reaches."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not found: cannot build the closure fault module")
    BUILD.mkdir(parents=True, exist_ok=True)
    out = BUILD / "closure_faults.so"
    subprocess.run([gcc, "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", str(out),
                    str(HERE / "faultmod" / "closure_faults.c"), "-ldl"], check=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIGNPOST_FAULT_REAL_MODULE", SOFTHSM_MODULE)
        yield str(out)


@pytest.fixture
def pin_faults(closure_fault_module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(module path, switch dir): touch a file in the dir to turn a fault on."""
    d = tmp_path / "closure-faults"
    d.mkdir()
    monkeypatch.setenv("SIGNPOST_CLOSURE_FAULT_DIR", str(d))
    return closure_fault_module, d


@pytest.fixture
def keystore():
    """A real (test) Secret Service key store with its own service name; its items are deleted after."""
    import uuid

    from app.closure import store as closure_store
    from app.keystore import SecureKeyStore
    ks = SecureKeyStore(service=f"signpost-closure-test-{uuid.uuid4().hex[:8]}")
    yield ks
    try:
        for item in (closure_store.KEY_ITEM, closure_store.SIGNING_ITEM):
            ks.delete_now(item)
    finally:
        ks.close()


@pytest.fixture
def home(tmp_path: Path):
    from app.paths import Paths
    return Paths(tmp_path / "home" / "data", tmp_path / "home" / "config")


@pytest.fixture
def store(home, keystore):
    """An open closure store set up for LA NBR with one national partner."""
    from datetime import date

    from app.closure.store import ClosureStore
    s = ClosureStore.open(home, keystore)
    s.setup("NBR", ["NSPCC"], date(2026, 8, 6), "jo.la")
    yield s
    s.close()
