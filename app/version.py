"""Signpost's version: the one in ``pyproject.toml``, read from the installed package's metadata (a
source checkout's editable install, a wheel, or the frozen bundle, which carries the metadata). The About
box, ``signpost --version`` and the AppStream metainfo all say this (issue 18 item 6)."""
from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "signpost"


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise RuntimeError("Signpost is not installed, so its version is unknown: run `make venv` in the source "
                           "checkout, or install the signpost package.") from None
