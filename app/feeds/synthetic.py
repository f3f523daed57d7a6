"""Labelled synthetic feeds drawn from a directory, with the errors real feeds carry (issue 17 benchmark, item 9).

Each row is a record a source could send and the truth: which child it is (the internal id), or none for a
child the directory does not hold yet. The errors (``ERRORS``, drawn with the weights there):

- about a child the directory holds: ``exact``; ``typo`` (one letter substituted, left out or two swapped, in
  the family or first given name); ``nickname`` (Bill for William); ``moved`` (a new address, the old postcode
  as the previous one half the time); ``new_family_name`` (a new family name, the old one sent as former half
  the time, a move half the time); ``dob_swapped`` (day and month); ``dob_off_by_one``; ``missing_identifier``
  (no NHS number although the directory holds one, and a typo); ``twin`` / ``sibling`` (a child with a twin or
  a brother or sister at home, with a typo half the time); ``two_errors`` (a typo and a move); ``death`` (a
  registered death, a typo a quarter of the time);
- about a new child: ``new_child`` (someone the directory never held), ``birth`` (a newborn with parents),
  ``new_twin`` (a twin of a child the directory holds: same home and date of birth, another given name) and
  ``new_sibling`` (same home and family name, another date of birth and given name).

Rows carry the child's NHS number (``NHS_PRESENT`` of the time) when ``identifiers`` knows one. A directory
of any size works; the same seed gives the same feed.
"""
from __future__ import annotations

import random
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app import names, nicknames
from app.generator_pools import name_pool
from app.model import Gender

from .formats import FeedKind
from .records import NHS_NUMBER, Address, IncomingCarer, IncomingDeath, IncomingPerson

ERRORS: dict[str, float] = {
    "exact": 30, "typo": 12, "nickname": 5, "moved": 8, "new_family_name": 4, "dob_swapped": 3,
    "dob_off_by_one": 2, "missing_identifier": 5, "twin": 4, "sibling": 4, "two_errors": 6, "death": 2,
    "new_child": 8, "birth": 3, "new_twin": 2, "new_sibling": 2,
}
NEW = frozenset({"new_child", "birth", "new_twin", "new_sibling"})
NHS_PRESENT = 0.6
RELATIONSHIP_CODES = {"Mother": "mother", "Father": "father", "Step-parent": "step_parent",
                      "Grandparent": "grandparent", "Foster carer": "foster_carer", "Guardian": "guardian"}


@dataclass(frozen=True)
class Labelled:
    kind: FeedKind
    record: IncomingPerson | IncomingDeath
    truth: int | None  # the child it is (internal id), or None: a child the directory does not hold
    error: str


def nhs_number(rng: random.Random) -> str:
    """A random NHS number with a valid modulus 11 check digit."""
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = (11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def known_identifiers(conn, rng: random.Random, share: float) -> dict[int, str]:
    """NHS numbers for ``share`` of the directory's children, as earlier supply would have recorded them."""
    return {cid: nhs_number(rng) for (cid,) in conn.execute("SELECT id FROM children WHERE archived_on IS NULL")
            if rng.random() < share}


def typo(name: str, rng: random.Random) -> str:
    """One letter substituted, left out, or two adjacent letters swapped (the name always changes)."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    for _ in range(20):
        i = rng.choice(letters)
        kind = rng.choice(("sub", "omit", "swap"))
        if kind == "sub":
            new = rng.choice([c for c in string.ascii_lowercase if c != name[i].lower()])
            out = name[:i] + (new.upper() if name[i].isupper() else new) + name[i + 1:]
        elif kind == "omit" and len(letters) > 3:
            out = name[:i] + name[i + 1:]
        elif kind == "swap" and i + 1 < len(name) and name[i + 1].isalpha() and name[i] != name[i + 1]:
            out = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        else:
            continue
        out = out[:1].upper() + out[1:]
        if out[:1].isalpha() and names.normalise(out) != names.normalise(name):
            return out
    return name + "e"


class _Child:
    __slots__ = ("cid", "given", "family", "dob", "gender", "hid", "line1", "line2", "town", "postcode", "former")

    def __init__(self, row: tuple, former: tuple[str, ...]) -> None:
        (self.cid, self.given, self.family, self.dob, self.gender, self.hid, self.line1, self.line2, self.town,
         self.postcode) = row
        self.former = former


class Drawer:
    """Draws labelled rows from an open directory connection."""

    def __init__(self, conn, seed: int, today: date, identifiers: dict[int, str] | None = None) -> None:
        self.conn, self.rng, self.today = conn, random.Random(seed), today
        self.identifiers = identifiers or {}
        self.ids = [cid for (cid,) in conn.execute("SELECT id FROM children WHERE archived_on IS NULL")]
        groups: dict[int, list[tuple[int, int]]] = {}
        for cid, hid, dob in conn.execute("SELECT id, household_id, dob FROM children WHERE archived_on IS NULL"):
            groups.setdefault(hid, []).append((cid, dob))
        self.twins = [cid for members in groups.values() for cid, dob in members
                      if sum(d == dob for _, d in members) > 1]
        self.siblings = [cid for members in groups.values() if len(members) > 1 for cid, _ in members]
        self.family_pool = name_pool("family")
        self.given_pool = {"F": name_pool("given_F"), "M": name_pool("given_M")}
        self.adult_pool = {"F": name_pool("adult_F"), "M": name_pool("adult_M")}
        self.fresh_ids: set[str] = set(self.identifiers.values())

    # -- reading ------------------------------------------------------------------------------------
    def _children(self, ids: list[int]) -> dict[int, _Child]:
        out: dict[int, _Child] = {}
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            marks = ",".join("?" * len(chunk))
            former: dict[int, list[str]] = {}
            for cid, fam in self.conn.execute(
                    f"SELECT child_id, family_name FROM other_names WHERE child_id IN ({marks})", chunk):
                former.setdefault(cid, []).append(fam)
            for row in self.conn.execute(
                    "SELECT c.id, c.given_names, c.family_name, c.dob, c.gender, c.household_id, h.line1, h.line2, "
                    f"h.town, h.postcode FROM children c JOIN households h ON h.id = c.household_id "
                    f"WHERE c.id IN ({marks})", chunk):
                out[row[0]] = _Child(row, tuple(former.get(row[0], ())))
        return out

    def _carers(self, household_ids: list[int]) -> dict[int, tuple[IncomingCarer, ...]]:
        out: dict[int, list[IncomingCarer]] = {}
        for start in range(0, len(household_ids), 5000):
            chunk = household_ids[start:start + 5000]
            for hid, given, family, rel, phone in self.conn.execute(
                    f"SELECT household_id, given_names, family_name, relationship, phone FROM carers "
                    f"WHERE household_id IN ({','.join('?' * len(chunk))})", chunk):
                if rel in RELATIONSHIP_CODES and len(out.setdefault(hid, [])) < 2:
                    out[hid].append(IncomingCarer(given, family, RELATIONSHIP_CODES[rel], phone))
        return {k: tuple(v) for k, v in out.items()}

    def _addresses(self, n: int) -> list[Address]:
        picks = [self.rng.choice(self.ids) for _ in range(n)]
        rows = self._children(picks)
        return [Address(c.line1, c.line2, c.town, c.postcode) for c in (rows[cid] for cid in picks)]

    # -- drawing ------------------------------------------------------------------------------------
    def draw(self, rows: int, mix: Mapping[str, float] | None = None) -> list[Labelled]:
        """``rows`` labelled rows, their errors drawn with the weights of ``mix`` (default ``ERRORS``)."""
        rng, mix = self.rng, mix or ERRORS
        errors = rng.choices(list(mix), weights=list(mix.values()), k=rows)
        wanted = [self._pick(e) for e in errors]
        children = self._children([cid for cid in wanted if cid is not None])
        carers = self._carers(sorted({c.hid for c in children.values()}))
        moves = iter(self._addresses(sum(e in ("moved", "new_family_name", "two_errors", "new_child", "birth")
                                         for e in errors) + 10))
        out = []
        for n, (error, cid) in enumerate(zip(errors, wanted)):
            child = children.get(cid) if cid is not None else None
            if error not in NEW and child is None:  # (a directory smaller than the draw: take another)
                error, child = "new_child", None
            out.append(self._row(n, error, child, carers, moves))
        return out

    def _pick(self, error: str) -> int | None:
        if error == "twin" or error == "new_twin":
            return self.rng.choice(self.twins or self.ids)
        if error == "sibling" or error == "new_sibling":
            return self.rng.choice(self.siblings or self.ids)
        if error in ("new_child", "birth"):
            return None
        return self.rng.choice(self.ids)

    def _person(self, n: int, c: _Child, carers: dict) -> IncomingPerson:
        ids: tuple[tuple[str, str], ...] = ()
        if c.cid in self.identifiers and self.rng.random() < NHS_PRESENT:
            ids = ((NHS_NUMBER, self.identifiers[c.cid]),)
        return IncomingPerson(f"R{n:07d}", c.given, c.family, date.fromordinal(c.dob), Gender(c.gender),
                              Address(c.line1, c.line2, c.town, c.postcode), identifiers=ids,
                              carers=carers.get(c.hid, ()))

    def _fresh_id(self) -> tuple[tuple[str, str], ...]:
        while (value := nhs_number(self.rng)) in self.fresh_ids:
            pass
        self.fresh_ids.add(value)
        return ((NHS_NUMBER, value),)

    def _new_person(self, n: int, dob: date, address: Address, family: str | None = None,
                    carers: tuple[IncomingCarer, ...] = (), household: int | None = None) -> IncomingPerson:
        """Someone the directory does not hold; born into ``household``, never named as a brother or sister is."""
        gender = self.rng.choice("FM")
        given = self.given_pool[gender].draw(self.rng)
        taken: set[str] = set()
        if household is not None:
            for (names_held,) in self.conn.execute("SELECT given_names FROM children WHERE household_id = ?",
                                                   (household,)):
                for name in names_held.split():
                    taken |= {names.normalise(name), *nicknames.variants(names.normalise(name))}
        while names.normalise(given) in taken:
            given = self.given_pool[gender].draw(self.rng)
        family = family or self.family_pool.draw(self.rng)
        if not carers:
            carers = (IncomingCarer(self.adult_pool["F"].draw(self.rng), family, "mother",
                                    f"07700 900{self.rng.randrange(1000):03d}"),)
        ids = self._fresh_id() if self.rng.random() < NHS_PRESENT else ()
        return IncomingPerson(f"R{n:07d}", given, family, dob, Gender(gender), address, identifiers=ids,
                              carers=carers)

    def _row(self, n: int, error: str, c: _Child | None, carers: dict, moves: Iterator[Address]) -> Labelled:
        rng, today = self.rng, self.today
        if c is None:  # new_child, birth
            age = rng.randrange(1, 60) if error == "birth" else rng.randrange(1, 17 * 365)
            person = self._new_person(n, today - timedelta(days=age), next(moves))
            if error == "birth":
                person = replace(person, identifiers=person.identifiers or self._fresh_id())
            return Labelled(FeedKind.BIRTHS if error == "birth" else FeedKind.CHILDREN, person, None, error)
        p = self._person(n, c, carers)
        assert p.address is not None  # every household has one
        if error == "new_twin":
            twin = self._new_person(n, p.dob, p.address, c.family, p.carers, c.hid)
            return Labelled(FeedKind.CHILDREN, twin, None, error)
        if error == "new_sibling":
            shift = rng.choice((-1, 1)) * rng.randrange(400, 3000)
            dob = min(today - timedelta(days=30), p.dob + timedelta(days=shift))
            return Labelled(FeedKind.CHILDREN, self._new_person(n, dob, p.address, c.family, p.carers, c.hid), None,
                            error)
        p = self._erred(error, p, c, moves)
        if error == "death":
            died = min(today, p.dob + timedelta(days=rng.randrange(1, max(2, (today - p.dob).days))))
            return Labelled(FeedKind.DEATHS, IncomingDeath(replace(p, carers=()), died), c.cid, error)
        return Labelled(FeedKind.CHILDREN, p, c.cid, error)

    def _erred(self, error: str, p: IncomingPerson, c: _Child, moves: Iterator[Address]) -> IncomingPerson:
        rng = self.rng
        if error in ("typo", "missing_identifier", "two_errors") or (error in ("twin", "sibling") and
                                                                     rng.random() < 0.5) \
                or (error == "death" and rng.random() < 0.25):
            if rng.random() < 0.5:
                p = replace(p, family_name=typo(p.family_name, rng))
            else:
                first, *rest = p.given_names.split(" ")
                p = replace(p, given_names=" ".join([typo(first, rng), *rest]))
        if error == "missing_identifier":
            p = replace(p, identifiers=())
        if error == "nickname":
            first, *rest = p.given_names.split(" ")
            options = sorted(nicknames.variants(names.normalise(first)))
            p = replace(p, given_names=" ".join([rng.choice(options).title(), *rest]) if options
                        else typo(p.given_names, rng))
        if error in ("moved", "two_errors") or (error == "new_family_name" and rng.random() < 0.5):
            previous = (p.postcode,) if rng.random() < 0.5 else ()
            p = replace(p, address=next(moves), previous_postcodes=previous)
        if error == "new_family_name":
            former = (p.family_name,) if rng.random() < 0.5 else ()
            p = replace(p, family_name=self.family_pool.draw(rng), former_family_names=former)
        if error == "dob_swapped":
            d = p.dob
            swapped = date(d.year, d.day, d.month) if d.day <= 12 and d.day != d.month else None
            p = replace(p, dob=swapped if swapped and swapped <= self.today else d - timedelta(days=1))
        if error == "dob_off_by_one":
            p = replace(p, dob=min(self.today, p.dob + timedelta(days=rng.choice((-1, 1)))))
        return p
