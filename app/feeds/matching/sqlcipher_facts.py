"""``DirectoryFacts`` over the SQLCipher directory's tables (read only).

Blocking (issue 17 item 3) uses the search index's own keys (``search_names``, built by
``app.search_index``): a candidate is any live child who shares with the incoming person

1. a family name key (the name, each part of a hyphenated name, a former name the source sent, and their
   sound-alikes and one-letter misspellings from the name vocabulary) and a date of birth (the date, day and
   month swapped, a day either side);
2. a first given name (or a nickname of it) and the date of birth or its swap — a child whose family name
   changed (not a day either side: at a million children that block would hold twice the strangers);
3. an exact family name key and the first given name, born within ``WRONG_YEAR_DAYS`` (a date of birth
   wrong by more than a swap or a day, such as the year);
4. a postcode (current or previous) and an exact family name key; for a shielded child, whose index rows
   carry no postcode (R-SHIELD-5), the postcode is read from its household instead;
5. a trusted identifier (``IdentifierIndex``).

Every candidate's facts are then read from the record tables (never the index), so a shielded child is
compared on its real address and former names; they stay inside the directory.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import OSA

from app import names, nicknames, search_index

from ..records import IncomingPerson
from .facts import NO_IDENTIFIERS, ChildFacts, IdentifierIndex, Population

MAX_EXPANSION = 40  # vocabulary names one family name may stand for in blocking
WRONG_YEAR_DAYS = 2 * 366


def dates_near(dob: date) -> list[int]:
    """The date, a day either side, and day and month swapped where that is another date."""
    out = [dob.toordinal() + d for d in (0, -1, 1)]
    if dob.day <= 12 and dob.day != dob.month:
        out.append(date(dob.year, dob.day, dob.month).toordinal())
    return out


def marks(values: list) -> str:
    return ",".join("?" * len(values))


def _padded(values: list, at_least: int = 1) -> list:
    """``values`` with its last repeated up to a power of two (or ``at_least``), so that a handful of statement
    shapes serve every row and stay prepared in the connection's statement cache."""
    if not values:
        return values
    size = max(at_least, 1 << (len(values) - 1).bit_length())
    return values + [values[-1]] * (size - len(values))


class SqlcipherFacts:
    """Reads one open directory connection; use it from the thread that owns that connection."""

    def __init__(self, conn, identifiers: IdentifierIndex = NO_IDENTIFIERS) -> None:
        self.conn = conn
        self.identifiers = identifiers
        self._population: Population | None = None
        self._shares: dict[str, Counter] = {}
        self._expand = lru_cache(maxsize=100_000)(self._expand_uncached)

    # -- population --------------------------------------------------------------------------------
    def population(self) -> Population:
        if self._population is None:
            children = self.conn.execute("SELECT count(*) FROM children WHERE archived_on IS NULL").fetchone()[0]
            postcodes, addresses = self.conn.execute(
                "SELECT count(DISTINCT postcode), count(DISTINCT postcode || '|' || line1) FROM households").fetchone()
            self._population = Population(max(1, children), max(1, postcodes), max(1, addresses))
        return self._population

    def name_share(self, kind: str, norm: str) -> float:
        if kind not in self._shares:
            column = "family" if kind == "F" else "given"
            self._shares[kind] = Counter(dict(self.conn.execute(
                f"SELECT {column}, count(*) FROM search_names WHERE kind = {search_index.CURRENT} GROUP BY {column}")))
        return self._shares[kind].get(norm, 0) / self.population().children

    # -- blocking ----------------------------------------------------------------------------------
    def _expand_uncached(self, norm: str) -> tuple[str, ...]:
        """Vocabulary family names that sound like ``norm`` or are one letter from it."""
        found: dict[str, int] = {norm: 0}
        if mp := search_index.metaphone(norm):
            for (name,) in self.conn.execute(
                    "SELECT name FROM name_vocab WHERE kind = 'F' AND metaphone = ?", (mp,)):
                d = OSA.distance(norm, name)
                if d <= max(2, len(norm) // 3):
                    found.setdefault(name, d)
        keys = sorted(search_index.deletes(norm) | {norm})
        marks = ",".join("?" * len(keys))
        for (name,) in self.conn.execute(
                f"SELECT name FROM name_deletes WHERE kind = 'F' AND del IN ({marks}) "
                f"UNION SELECT name FROM name_vocab WHERE kind = 'F' AND name IN ({marks})", (*keys, *keys)):
            d = OSA.distance(norm, name)
            if d <= 1:
                found.setdefault(name, d)
        return tuple(sorted(found, key=lambda n: (found[n], n))[:MAX_EXPANSION])

    def _keys(self, incoming: IncomingPerson) -> tuple[list[str], list[str], list[str]]:
        exact = list(dict.fromkeys(
            k for fam in (incoming.family_name, *incoming.former_family_names)
            for k in (names.normalise(fam), *names.parts(fam)) if k))
        family = list(dict.fromkeys(n for k in exact for n in self._expand(k)))
        given = search_index.first_given(incoming.given_names)
        return exact, family, [given, *sorted(nicknames.variants(given))]

    def _blocks(self, incoming: IncomingPerson) -> tuple[str, list]:
        """One SQL union of every block's child ids, and its arguments."""
        exact, family, given = (_padded(k) for k in self._keys(incoming))
        dobs = _padded(dates_near(incoming.dob), 4)
        exact_dobs = _padded([d for i, d in enumerate(dates_near(incoming.dob)) if i in (0, 3)], 2)
        postcodes = _padded([p for p in (incoming.postcode, *incoming.previous_postcodes) if p], 2)

        sql = [f"SELECT child_id FROM search_names WHERE dob IN ({marks(dobs)}) AND family IN ({marks(family)})",
               f"SELECT child_id FROM search_names WHERE dob IN ({marks(exact_dobs)}) AND given IN ({marks(given)})",
               f"SELECT child_id FROM search_names WHERE family IN ({marks(exact)}) AND given IN ({marks(given)}) "
               f"AND dob BETWEEN ? AND ?"]
        born = incoming.dob.toordinal()
        args: list = [*dobs, *family, *exact_dobs, *given, *exact, *given, born - WRONG_YEAR_DAYS,
                      born + WRONG_YEAR_DAYS]
        if postcodes:
            sql += [f"SELECT child_id FROM search_names WHERE postcode IN ({marks(postcodes)}) "
                    f"AND family IN ({marks(exact)})",
                    f"SELECT c.id FROM households h JOIN children c ON c.household_id = h.id "
                    f"WHERE h.postcode IN ({marks(postcodes)}) AND c.shielded_at IS NOT NULL"]
            args += [*postcodes, *exact, *postcodes]
        held = _padded(sorted({cid for scheme, value in incoming.identifiers
                               for cid in self.identifiers.children_holding(scheme, value)}))
        if held:
            sql.append(f"SELECT id FROM children WHERE id IN ({marks(held)})")
            args += held
        return " UNION ".join(sql), args

    def candidates(self, incoming: IncomingPerson) -> list[ChildFacts]:
        blocks, args = self._blocks(incoming)
        rows = self.conn.execute(
            f"WITH found(id) AS ({blocks}) "
            f"SELECT c.id, c.given_names, c.family_name, c.dob, c.gender, h.postcode, h.line1, c.household_id, "
            f"c.shielded_at IS NOT NULL, (SELECT json_group_array(json_array(o.given_names, o.family_name)) "
            f"FROM other_names o WHERE o.child_id = c.id) "
            f"FROM found JOIN children c ON c.id = found.id JOIN households h ON h.id = c.household_id "
            f"WHERE c.archived_on IS NULL", args).fetchall()
        held = self.identifiers.held_by([r[0] for r in rows])
        return [ChildFacts(cid, given, family, tuple(tuple(o) for o in json.loads(others)) if others != "[]" else (),
                           dob, gender, postcode, line1, hid, bool(shielded), held.get(cid, frozenset()))
                for cid, given, family, dob, gender, postcode, line1, hid, shielded, others in rows]
