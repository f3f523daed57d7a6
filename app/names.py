"""Name normalisation and phonetic keys for tolerant matching (R-SEARCH-4).

Keys come from ``jellyfish``: Metaphone (sound-alike spellings such as
Smith/Smyth, Thompson/Thomson) and Soundex (coarser; catches transposed or
dropped letters such as Jonhson). A name is indexed under both; a candidate
found by Soundex alone must also be close by Jaro-Winkler to count.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import JaroWinkler

_NON_LETTERS = re.compile(r"[^A-Z]")
SOUNDEX_ONLY_MIN_SIMILARITY = 0.84


def normalise(name: str) -> str:
    """Upper-case letters only: O'Brien -> OBRIEN, Smith-Jones -> SMITHJONES."""
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    return _NON_LETTERS.sub("", folded.upper())


def parts(name: str) -> list[str]:
    """A hyphenated or spaced family name is also findable by each part."""
    pieces = [normalise(p) for p in re.split(r"[\s-]+", name or "")]
    return [p for p in pieces if p]


@lru_cache(maxsize=65536)
def keys(norm: str) -> tuple[str, str]:
    """(metaphone key, soundex key) of a normalised name."""
    if not norm:
        return ("", "")
    return ("M" + jellyfish.metaphone(norm), "S" + jellyfish.soundex(norm))


@lru_cache(maxsize=65536)
def family_keys(family_name: str) -> frozenset[str]:
    """Every key a family name is indexed under: the whole name and its parts."""
    out: set[str] = set()
    whole = normalise(family_name)
    for n in {whole, *parts(family_name)}:
        if n:
            out.update(keys(n))
    return frozenset(out)


def similarity(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def matches(query_norm: str, candidate_norm: str) -> bool:
    """Does a candidate (already found by a shared key) count as a match?"""
    if query_norm == candidate_norm:
        return True
    qm, _ = keys(query_norm)
    cm, _ = keys(candidate_norm)
    if qm == cm:
        return True
    return similarity(query_norm, candidate_norm) >= SOUNDEX_ONLY_MIN_SIMILARITY
