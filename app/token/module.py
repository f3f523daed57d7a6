"""Where the PKCS#11 module is, and (for SoftHSM) where its tokens live.

Module search order: the explicit path (the Settings value, passed in by the
caller) -> env ``SIGNPOST_PKCS11_MODULE`` -> OpenSC (smartcards) -> SoftHSM
(training).
"""
from __future__ import annotations

import glob
import os
from pathlib import Path

from app.token.errors import no_module

ENV_MODULE = "SIGNPOST_PKCS11_MODULE"

KNOWN_MODULES = (
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/*-linux-gnu*/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/*-linux-gnu*/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


def find_module(configured: str | None = None) -> str:
    """The module to load, or TokenError(NO_MODULE) naming what was tried."""
    explicit = configured or os.environ.get(ENV_MODULE)
    if explicit:
        if os.path.isfile(explicit):
            return explicit
        raise no_module([explicit], "the configured file does not exist")
    for pattern in KNOWN_MODULES:
        for path in sorted(glob.glob(pattern)):
            if os.path.isfile(path):
                return path
    raise no_module(KNOWN_MODULES)


def softhsm_conf_path() -> Path:
    """The config file SoftHSM 2.6 reads: $SOFTHSM2_CONF, ~/.config, /etc."""
    env = os.environ.get("SOFTHSM2_CONF")
    if env:
        return Path(env)
    user = Path(os.path.expanduser("~/.config/softhsm2/softhsm2.conf"))
    return user if user.is_file() else Path("/etc/softhsm/softhsm2.conf")


def softhsm_tokendir(conf: Path | None = None) -> Path | None:
    """``directories.tokendir`` from the SoftHSM config, None if unreadable."""
    try:
        text = (conf or softhsm_conf_path()).read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "directories.tokendir":
            return Path(value.strip())
    return Path("/var/lib/softhsm/tokens")  # SoftHSM's built-in default


def token_dirs(tokendir: Path) -> frozenset[str]:
    """Names of the per-token directories under SoftHSM's tokendir."""
    try:
        return frozenset(e.name for e in os.scandir(tokendir) if e.is_dir())
    except OSError:
        return frozenset()
