"""Nicknames and short forms of given names (R-SEARCH-4).

A practitioner often knows a child by the name the family uses: Bill for
William, Peggy for Margaret, Alfie for Alfred. The pairs come from a
maintained data set, the ``nicknames`` package (Carlton Northern and Nick
Crews, Apache-2.0: about 2,700 hand-curated English name and nickname pairs),
and from ``resources/nicknames.json``, which adds the en-GB pairs that data
set lacks (Alfie, Liam, Evie, Izzy…) and names the formal names the training
name pools make common.

``variants`` answers, for a normalised given name, every name it may stand for
or be shortened to: the formal names a nickname belongs to, and the nicknames
of a formal name, and the other nicknames of the same formal name (so Billy
finds Will), unless either nickname belongs to many formal names (Lena, of
Helena, Magdalena, Arlene…: it does not find Kate or Maggie). Every link goes
both ways.
"""
from __future__ import annotations

from functools import lru_cache

from nicknames import name_triplets

from . import names, resources

RESOURCE = "nicknames.json"


def _groups() -> dict[str, set[str]]:
    """Formal name -> its nicknames (normalised), from the data set and the en-GB additions."""
    out: dict[str, set[str]] = {}
    for formal, relationship, nickname in name_triplets():
        if relationship == "has_nickname":
            out.setdefault(names.normalise(formal), set()).add(names.normalise(nickname))
    for formal, nicks in formal_names().items():
        out.setdefault(names.normalise(formal), set()).update(names.normalise(n) for n in nicks)
    return out


SIBLINGS_UP_TO = 7  # a nickname of more formal names than this (Lena, Al, Bert, Fred) links to them only


@lru_cache(maxsize=1)
def _table() -> dict[str, frozenset[str]]:
    nicks_of = {f: {n for n in nicks if n and n != f} for f, nicks in _groups().items() if f}
    formals_of: dict[str, set[str]] = {}
    for formal, nicks in nicks_of.items():
        for n in nicks:
            formals_of.setdefault(n, set()).add(formal)
    def few_formals(name: str) -> bool:
        return len(formals_of.get(name, ())) <= SIBLINGS_UP_TO

    links: dict[str, set[str]] = {}
    for name in nicks_of.keys() | formals_of.keys():
        formals = formals_of.get(name, set())
        out = links.setdefault(name, set())
        out.update(nicks_of.get(name, ()), formals)
        if few_formals(name):  # Billy finds Will (both William's), but Lena does not find Kate
            out.update(n for formal in formals for n in nicks_of[formal] if few_formals(n))
    return {k: frozenset(v - {k}) for k, v in links.items()}


def variants(norm_given: str) -> frozenset[str]:
    """Names ``norm_given`` may be a nickname of, or have as a nickname (normalised)."""
    return _table().get(norm_given, frozenset())


def formal_names() -> dict[str, list[str]]:
    """The formal names the training pools make common -> the en-GB nicknames the data set lacks for them."""
    return resources.load_json(RESOURCE)["formal"]
