"""The one way Signpost reads its own files (style, icons, name pools, plans, the OpenAPI document).

Everything under the top-level ``resources`` package is read through
``importlib.resources``, so the same code works from a source checkout, an
installed wheel and the frozen bundle of the Debian package (PyInstaller
one-folder keeps the files on disk). Nothing here works a path out from
``__file__``.

The training resources (what builds the synthetic training directory) ship
only in the ``signpost-training`` package; a production install lacks them,
so it can never build or open training data (``training_available``).
"""
from __future__ import annotations

import json
from importlib import resources as _resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

PACKAGE = "resources"
# What builds the training directory: absent from a production install (issue 18 item 2).
TRAINING = ("training_recipe.json", "training_cast.json", "names/family.tsv", "names/given_F.tsv",
            "names/given_M.tsv", "names/adult_F.tsv", "names/adult_M.tsv")


class MissingResource(FileNotFoundError):
    """A file Signpost ships is not where the install put it: the install is incomplete."""


def _entry(name: str) -> Traversable:
    entry = _resources.files(PACKAGE)
    for part in name.split("/"):
        entry = entry / part
    if not entry.is_file():
        raise MissingResource(f"Signpost's file {name!r} is missing from this installation. Reinstall Signpost"
                              + (" with its training package (signpost-training)." if name in TRAINING else "."))
    return entry


def text(name: str) -> str:
    """The UTF-8 text of the resource ``name`` ("style.qss", "names/family.tsv")."""
    return _entry(name).read_text(encoding="utf-8")


def load_json(name: str) -> Any:
    return json.loads(text(name))


def path(name: str) -> Path:
    """A real file path for a resource, for what must be given a path (Qt's icon loader, a spec loader).
    Every way Signpost is installed keeps its resources as files, never zipped."""
    entry = _entry(name)
    if not isinstance(entry, Path):
        raise MissingResource(f"Signpost's file {name!r} is not on disk in this installation ({type(entry).__name__}).")
    return entry


def exists(name: str) -> bool:
    try:
        _entry(name)
    except MissingResource:
        return False
    return True


def training_available() -> bool:
    """True when this installation carries what builds the training directory (a training install)."""
    return all(exists(name) for name in TRAINING)
