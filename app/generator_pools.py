"""What the training directory draws from: names and places.

Names come from ``resources/names/*.tsv`` (built by
``resources/names/build_pools.py``): tens of thousands of family and given
names, each with its share of people, so common names are common (Smith about
1.2% of children) and the number of distinct names grows with the size of the
directory, as in real data.

Places grow with the directory too: the six named training local authorities
(NBR, ASH, ... whose users the training desk signs in as) always exist; a
larger directory adds invented LAs, about 150 for England's 11 million
children, each with about 20 postcode districts (about 3,000 in all) and more
towns. Every place is drawn with the build's ``random.Random``, so the same
seed and size give the same places.
"""
from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from . import resources

RECIPE = "training_recipe.json"  # a training resource: only a training install has it


def load_recipe() -> dict:
    """Places, services, proportions and users of the training directory."""
    return resources.load_json(RECIPE)


class Weighted:
    """Items drawn with given weights: ``draw(rng)`` is one bisect."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]

    def without(self, unwanted: set) -> Weighted:
        kept = [(i, w) for i, w in zip(self.items, self.weights()) if i not in unwanted]
        return Weighted([i for i, _ in kept], [w for _, w in kept])

    def weights(self) -> list[float]:
        return [b - a for a, b in zip([0.0, *self.cum[:-1]], self.cum)]

    def __len__(self) -> int:
        return len(self.items)


@cache
def name_pool(kind: str) -> Weighted:
    """``family``, ``given_F``, ``given_M``, ``adult_F`` or ``adult_M``."""
    items, weights = [], []
    for line in resources.text(f"names/{kind}.tsv").splitlines():
        name, share = line.split("\t")
        items.append(name)
        weights.append(float(share))
    return Weighted(items, weights)


@dataclass
class LocalAuthority:
    code: str
    name: str
    districts: list[str]
    towns: list[str] = field(default_factory=list)
    weight: float = 1.0  # relative number of households


def la_count(recipe: dict, children: int) -> int:
    """About 150 LAs for England's 11 million children; never fewer than the named ones."""
    p = recipe["places"]
    named = len(recipe["local_authorities"])
    wanted = round(p["england_las"] * children / p["england_children"])
    return max(named, min(wanted, named + len(_district_blocks(recipe))))


def _district_blocks(recipe: dict) -> list[tuple[str, int]]:
    """(postcode area, block) pairs free for invented LAs, in the order they are used.

    Block b of an area is districts 20b+1 .. 20b+20 (the last block stops at 99).
    Each area's first block comes before any area's second.
    """
    per = recipe["places"]["districts_per_la"]
    named = {la["postcode_area"] for la in recipe["local_authorities"]}
    areas = recipe["places"]["postcode_areas"]
    blocks = []
    for b in range((99 + per - 1) // per):
        blocks += [(a, b) for a in areas if not (b == 0 and a in named)]
    return blocks


def _districts(area: str, block: int, per: int) -> list[str]:
    return [f"{area}{d}" for d in range(block * per + 1, min(block * per + per, 99) + 1)]


def local_authorities(recipe: dict, children: int, rng: random.Random) -> list[LocalAuthority]:
    """The LAs of a directory of ``children``: the named ones, then invented ones."""
    p = recipe["places"]
    per = p["districts_per_la"]
    las = [LocalAuthority(la["code"], la["name"], _districts(la["postcode_area"], 0, per))
           for la in recipe["local_authorities"]]
    names = _PlaceNames(recipe, rng, taken={la.name for la in las})
    codes = {la.code for la in las}
    for area, block in _district_blocks(recipe)[:la_count(recipe, children) - len(las)]:
        name = names.la_name()
        code = _code_for(name, codes)
        codes.add(code)
        las.append(LocalAuthority(code, name, _districts(area, block, per), weight=rng.uniform(0.5, 1.5)))
    per_la = children / len(las)
    n_towns = p["towns_per_la"] + min(p["extra_towns_max"], int(per_la // p["children_per_extra_town"]))
    for la in las:
        la.towns = [names.town() for _ in range(n_towns)]
    return las


def _code_for(name: str, taken: set[str]) -> str:
    """A three-letter code from the LA's name (Kestrel Vale -> KVL style), unique."""
    letters = [c for c in name.upper() if c.isalpha()]
    first, rest = letters[0], letters[1:]
    consonants = [c for c in rest if c not in "AEIOU"]
    for pool in (consonants, rest):
        for i in range(len(pool)):
            for j in range(i + 1, len(pool)):
                code = first + pool[i] + pool[j]
                if code not in taken:
                    return code
    for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if first + a + b not in taken:
                return first + a + b
    raise ValueError("no free LA code")


class _PlaceNames:
    """Invented town and LA names, each used once."""

    def __init__(self, recipe: dict, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.prefixes = recipe["town_prefixes"]
        self.suffixes = recipe["town_suffixes"]
        self.la_patterns = recipe["places"]["la_name_patterns"]
        self.variants = recipe["places"]["town_variants"]
        self.used = set(taken)

    def _fresh(self, make) -> str:
        for attempt in range(10_000):
            name = make(attempt)
            if name not in self.used:
                self.used.add(name)
                return name
        raise ValueError("ran out of place names")

    def _stem(self, attempt: int) -> str:
        rng = self.rng
        stem = rng.choice(self.prefixes) + rng.choice(self.suffixes)
        if attempt > 200:  # the plain combinations are running out
            stem = rng.choice(self.variants).format(stem)
        return stem

    def town(self) -> str:
        return self._fresh(self._stem)

    def la_name(self) -> str:
        def make(attempt: int) -> str:
            pattern, stem = self.rng.choice(self.la_patterns), self._stem(attempt)
            words = pattern.replace("{}", " ").split()
            return "" if any(w.lower() in stem.lower() for w in words) else pattern.format(stem)  # not North Northley
        self.used.add("")
        return self._fresh(make)
