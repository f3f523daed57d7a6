"""Reusable SoftHSM fixtures (a pytest plugin, registered in tests/conftest.py).

* ``softhsm`` (session): writes a SoftHSM config and token directory under
  pytest's tmp dir and points $SOFTHSM2_CONF at it before any test loads the
  library.  Not autouse: fixtures that touch SoftHSM depend on it (and
  tests/token/conftest.py turns it on for every token test).  python-pkcs11
  loads a module once per process, but SoftHSM re-reads its config and token
  directory at every C_Initialize, and every ``TokenService`` finalises the
  module on shutdown, so each test's service starts from a fresh view.
* ``alice``: one enrolled token for the whole run (RSA keygen costs time);
  tests that change, lock or pull a token make their own with ``new_token``.
* ``service``: factory for a started TokenService, shut down after the test
  (one TokenService per module per process at a time).
"""
from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.token.provision import ProvisionedToken, provision_softhsm_token
from app.token.service import TokenService

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SO_PIN = "so-pin-1234"
ALICE_PIN = "alice-pin"


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


@pytest.fixture(scope="session")
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
def softhsm_module() -> str:
    return SOFTHSM_MODULE


@pytest.fixture
def service(softhsm: SoftHSM):
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
