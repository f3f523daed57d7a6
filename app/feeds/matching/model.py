"""The Fellegi-Sunter model: how an incoming person and a candidate child compare, field by field.

Each comparison puts a pair in one level (the family names are the same; one letter apart; a former name;
…). A level has ``m``, the chance of it when the two are the same child (how often sources get the field
wrong that way), and ``u``, its chance when they are two different children. A pair's match weight is
``log2(m/u)`` summed over the comparisons, plus the prior ``log2(1/children)`` (one child in the directory
is the one); its probability is ``2^w / (1 + 2^w)``.

The ``u`` of an exact name is the share of children with that name (term frequency: two Smiths agreeing
say less than two Quartermaines), of a date of birth one day in eighteen years, of an address or a postcode
one in the directory's number of them (``facts.Population``). The ``m`` are the error rates of children's
data from schools and GP registrations (names misspelt or sound-alike ~4%, nicknames ~3%, a family name
changed ~4%, day and month swapped or a day out ~1.5% each, a move ~12%): written down here rather than
estimated by EM, so a feed's results never depend on the feed itself.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from app import names, nicknames, search_index

from ..records import IncomingPerson
from .facts import ChildFacts, Population

DAYS_OF_BIRTH = 18 * 365.25
MIN_SHARE = 1e-6
COMMON_NAME = 2e-5  # 20 children in a million (``Model.another_name``)


@dataclass(frozen=True)
class Level:
    comparison: str
    name: str
    weight: float


@dataclass(frozen=True)
class Thresholds:
    """Match weights (prior included): at or above ``link`` a link; from ``review`` the LA data team decides;
    below it a new child. ``margin``: a runner-up within this many bits of the best sends the row to review."""

    link: float = 5.0
    review: float = 0.0
    margin: float = 6.0


def probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    return 2 ** weight / (1 + 2 ** weight)


def _w(m: float, u: float) -> float:
    return math.log2(m / max(u, MIN_SHARE))


_sound = lru_cache(maxsize=200_000)(search_index.metaphone)
_norm = lru_cache(maxsize=400_000)(names.normalise)
_first = lru_cache(maxsize=400_000)(search_index.first_given)


@lru_cache(maxsize=400_000)
def _parts(name: str) -> frozenset[str]:
    return frozenset(names.parts(name))


@lru_cache(maxsize=400_000)
def _all_given(given_names: str) -> frozenset[str]:
    return frozenset(_norm(g) for g in given_names.split())


@dataclass(frozen=True)
class Prepared:
    """An incoming person normalised once for all its candidates."""

    family: str
    family_parts: frozenset[str]
    former: frozenset[str]
    given: str
    given_all: frozenset[str]
    dob: int
    dob_swapped: int | None
    gender: str
    postcode: str
    sector: str
    district: str
    previous: frozenset[str]
    line1: str


@lru_cache(maxsize=400_000)
def _line(text: str) -> str:
    return names.normalise(text) + "".join(ch for ch in (text or "") if ch.isdigit())


def _outward(postcode: str) -> str:
    return postcode.split(" ")[0] if postcode else ""


def prepare(p: IncomingPerson) -> Prepared:
    swapped = None
    if p.dob.day <= 12 and p.dob.day != p.dob.month:
        swapped = date(p.dob.year, p.dob.day, p.dob.month).toordinal()
    given_all = [names.normalise(g) for g in p.given_names.split()]
    former = {names.normalise(f) for f in p.former_family_names} | {k for f in p.former_family_names
                                                                     for k in names.parts(f)}
    return Prepared(names.normalise(p.family_name), frozenset(names.parts(p.family_name)), frozenset(former - {""}),
                    search_index.first_given(p.given_names), frozenset(g for g in given_all if g), p.dob.toordinal(),
                    swapped, p.gender.value, p.postcode, p.postcode[:-2] if p.postcode else "",
                    _outward(p.postcode), frozenset(p.previous_postcodes),
                    _line(p.address.line1) if p.address else "")


def _names_conflict(incoming: frozenset[str], child: frozenset[str]) -> bool:
    """Each side has a given name the other lacks, and none near another: two children who share one name
    (Charlie Benjamin and Benjamin Ezequiel, born the same day in one home), not one child whose other given
    name is used (Benjamin for Charlie Benjamin) or whose names are given in another order."""
    only_in, only_child = incoming - child, child - incoming
    return bool(only_in and only_child) and not any(_close(a, b) for a in only_in for b in only_child)


def _close(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if OSA.distance(a, b) <= (1 if min(len(a), len(b)) <= 5 else 2):
        return True
    return _sound(a) == _sound(b) and OSA.distance(a, b) <= max(2, len(a) // 3)


class Model:
    """The weights for one directory (its population and name frequencies)."""

    def __init__(self, population: Population, name_share, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self.prior = math.log2(1 / population.children)
        self.name_share = lru_cache(maxsize=200_000)(name_share)
        w_dob = 1 / DAYS_OF_BIRTH
        self.fixed = {
            ("family", "name_part"): _w(0.03, 0.002), ("family", "former_name"): _w(0.04, 0.001),
            ("family", "close"): _w(0.04, 0.003), ("family", "fuzzy"): _w(0.01, 0.02),
            ("family", "different"): _w(0.02, 0.975),
            ("given", "nickname"): _w(0.03, 0.003), ("given", "close"): _w(0.04, 0.004),
            ("given", "other_given"): _w(0.02, 0.003), ("given", "fuzzy"): _w(0.01, 0.02),
            ("given", "different"): _w(0.02, 0.97),
            ("dob", "exact"): _w(0.95, w_dob), ("dob", "swapped"): _w(0.015, w_dob),
            ("dob", "off_by_one"): _w(0.015, 2 * w_dob), ("dob", "different"): _w(0.02, 1.0),
            ("gender", "same"): _w(0.97, 0.5), ("gender", "unknown"): 0.0, ("gender", "different"): _w(0.01, 0.48),
            ("address", "same_address"): _w(0.70, 1 / population.addresses),
            ("address", "same_postcode"): _w(0.08, 1 / population.postcodes),
            ("address", "previous_postcode"): _w(0.08, 1 / population.postcodes),
            ("address", "same_sector"): _w(0.02, 0.001), ("address", "same_district"): _w(0.03, 0.01),
            ("address", "different"): _w(0.12, 0.99), ("address", "unknown"): 0.0,
        }

    def another_name(self, incoming_given: str, child: ChildFacts) -> bool:
        """Whether an incoming first given name near the child's is more likely another name than a misspelling
        of it: a name many children have (``COMMON_NAME``), and not far rarer than the child's own."""
        share = self.name_share("G", incoming_given)
        return share >= max(COMMON_NAME, self.name_share("G", _first(child.given_names)) / 10)

    def _level(self, comparison: str, name: str, exact_of: str = "") -> Level:
        if name == "exact" and comparison in ("family", "given"):
            return Level(comparison, name, _w(0.88, self.name_share("F" if comparison == "family" else "G",
                                                                    exact_of)))
        return Level(comparison, name, self.fixed[(comparison, name)])

    def compare(self, p: Prepared, c: ChildFacts) -> tuple[Level, ...]:
        return (self._family(p, c), self._given(p, c), self._dob(p, c), self._gender(p, c), self._address(p, c))

    def _family(self, p: Prepared, c: ChildFacts) -> Level:
        fam = _norm(c.family_name)
        if fam == p.family:
            return self._level("family", "exact", fam)
        if (_parts(c.family_name) | {fam}) & (p.family_parts | {p.family}):
            return self._level("family", "name_part")
        others = {_norm(f) for _, f in c.other_names}
        if p.family in others or fam in p.former or (p.family_parts & others):
            return self._level("family", "former_name")
        if _close(p.family, fam) or any(_close(p.family, o) for o in others):
            return self._level("family", "close")
        if JaroWinkler.similarity(p.family, fam) >= 0.88:
            return self._level("family", "fuzzy")
        return self._level("family", "different")

    def _given(self, p: Prepared, c: ChildFacts) -> Level:
        first = _first(c.given_names)
        if first == p.given:
            return self._level("given", "exact", first)
        if first in nicknames.variants(p.given):
            return self._level("given", "nickname")
        if _close(p.given, first):
            return self._level("given", "close")
        child_all = _all_given(c.given_names) | {_first(g) for g, _ in c.other_names}
        if (p.given in child_all or first in p.given_all) and not _names_conflict(p.given_all, child_all):
            return self._level("given", "other_given")
        if JaroWinkler.similarity(p.given, first) >= 0.88:
            return self._level("given", "fuzzy")
        return self._level("given", "different")

    def _dob(self, p: Prepared, c: ChildFacts) -> Level:
        if c.dob == p.dob:
            return self._level("dob", "exact")
        if c.dob == p.dob_swapped:
            return self._level("dob", "swapped")
        if abs(c.dob - p.dob) == 1:
            return self._level("dob", "off_by_one")
        return self._level("dob", "different")

    def _gender(self, p: Prepared, c: ChildFacts) -> Level:
        if "U" in (p.gender, c.gender) or "X" in (p.gender, c.gender):
            return self._level("gender", "same" if p.gender == c.gender else "unknown")
        return self._level("gender", "same" if p.gender == c.gender else "different")

    def _address(self, p: Prepared, c: ChildFacts) -> Level:
        if not p.postcode and not p.previous:
            return self._level("address", "unknown")
        if c.postcode == p.postcode:
            return self._level("address", "same_address" if _line(c.line1) == p.line1 else "same_postcode")
        if c.postcode in p.previous:
            return self._level("address", "previous_postcode")
        if p.sector and c.postcode[:-2] == p.sector:
            return self._level("address", "same_sector")
        if p.district and _outward(c.postcode) == p.district:
            return self._level("address", "same_district")
        return self._level("address", "different")

    def weight(self, levels: tuple[Level, ...]) -> float:
        return self.prior + sum(level.weight for level in levels)
