"""Nicknames and short forms of given names (R-SEARCH-4).

A practitioner often knows a child by the name the family uses: Bill for
William, Peggy for Margaret, Alfie for Alfred. ``variants`` answers, for a
normalised given name, every name it may stand for or be shortened to: the
formal names a nickname belongs to, and the nicknames of a formal name (and
the other nicknames of the same formal name, so Billy finds Will).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import names

PATH = Path(__file__).resolve().parent.parent / "resources" / "nicknames.json"


@lru_cache(maxsize=1)
def _table() -> dict[str, frozenset[str]]:
    raw = json.loads(PATH.read_text(encoding="utf-8"))["formal"]
    links: dict[str, set[str]] = {}
    for formal, nicks in raw.items():
        group = {names.normalise(formal), *(names.normalise(n) for n in nicks)}
        for n in group:
            links.setdefault(n, set()).update(group)
    return {k: frozenset(v - {k}) for k, v in links.items()}


def variants(norm_given: str) -> frozenset[str]:
    """Names ``norm_given`` may be a nickname of, or have as a nickname (normalised)."""
    return _table().get(norm_given, frozenset())


def formal_names() -> dict[str, list[str]]:
    """Formal name -> nicknames, as written in the resource (for data and training tools)."""
    return json.loads(PATH.read_text(encoding="utf-8"))["formal"]
