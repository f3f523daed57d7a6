"""Name normalisation for the search index (R-SEARCH-4).

Names are compared in one form: upper-case ASCII letters only, so O'Brien,
OBrien and O Brien are the same name, and a hyphenated or two-word family
name is also findable by each of its parts (a side of a hyphen, or a word). Sound-alike keys and misspelling
neighbours are the search index's business (``app.search_index``).
"""
from __future__ import annotations

import re
import unicodedata

_NON_LETTERS = re.compile(r"[^A-Z]")


def normalise(name: str) -> str:
    """Upper-case letters only: O'Brien -> OBRIEN, Smith-Jones -> SMITHJONES."""
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    return _NON_LETTERS.sub("", folded.upper())


def parts(name: str) -> list[str]:
    """A hyphenated or spaced family name is also findable by each part: each side of a hyphen whole ("Van
    Hulle" of "Van Hulle-Van den Brande") and each word ("Hulle", "Brande")."""
    pieces = []
    for side in re.split(r"\s*-\s*", name or ""):
        pieces += [normalise(side), *(normalise(w) for w in side.split())]
    return [p for p in dict.fromkeys(pieces) if p]
