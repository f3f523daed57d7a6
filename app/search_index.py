"""What the search index holds for a child, and the name vocabulary around it.

One place decides which names a child can be found by, so the bulk build
(``app.generator``) and every later change (a shield set, a name added) index
a child the same way:

- R-SEARCH-4: the current name, each part of a hyphenated family name (each
  side of the hyphen and each word), former family names and alternative
  given names are each a row of ``search_names`` (normalised: upper-case
  letters only).
- R-SHIELD-5 / R-SHIELD-1: a shielded child is indexed only under the names
  that stay visible on its record (its current name and that name's parts),
  and never with a postcode. ``reindex_child`` applies that the moment a
  shield is set (R-SHIELD-2), not only at build time. A sibling held by a
  shield in its own household (``app.siblings``) keeps its names but has no
  postcode either: the family's postcode must not lead to the family.

The vocabulary (``name_vocab``, ``name_deletes``) lists every distinct indexed
family and given name with its Metaphone key and its one-letter deletions, so
a misspelt or sound-alike name turns into a few exact index look-ups
(symmetric-delete candidate generation, as in SymSpell).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import jellyfish

from . import names, siblings

CURRENT = 0  # the child's current name
PART = 1  # one part of a hyphenated or two-word family name
FORMER = 2  # a former or alternative family name (with the given name it went with)
ALTERNATIVE = 3  # an alternative given name with the current family name
HIDDEN_WHEN_SHIELDED = frozenset({FORMER, ALTERNATIVE})

FAMILY = "F"
GIVEN = "G"

Row = tuple  # (family, given, dob, postcode, child_id, kind)


def first_given(given_names: str) -> str:
    """The normalised first given name (the one the index is keyed on)."""
    return names.normalise((given_names or "").strip().split(" ")[0])


def child_rows(child_id: int, given_names: str, family_name: str, dob: int, postcode: str | None,
               other_names: Iterable[tuple[str, str]] = (), shielded: bool = False,
               held: bool = False) -> list[Row]:
    """Every ``search_names`` row for one child.

    ``other_names`` are (given names, family name) pairs from ``other_names``.
    A shielded child gets no postcode and no row for a withheld name; a held
    sibling (``app.siblings``) no postcode.
    """
    pc = None if shielded or held else (postcode or None)
    given = first_given(given_names)
    out: dict[tuple[str, str], int] = {}

    def add(family: str, giv: str, kind: int) -> None:
        if family and (family, giv) not in out:
            out[(family, giv)] = kind

    whole = names.normalise(family_name)
    add(whole, given, CURRENT)
    for part in names.parts(family_name):
        if part != whole:
            add(part, given, PART)
    if not shielded:
        for other_given, other_family in other_names:
            og = first_given(other_given) or given
            if names.normalise(other_family) != whole:
                add(names.normalise(other_family), og, FORMER)
                for part in names.parts(other_family):
                    add(part, og, FORMER)
            elif og != given:
                add(whole, og, ALTERNATIVE)
    return [(fam, giv, dob, pc, child_id, kind) for (fam, giv), kind in out.items()]


# English name respellings Metaphone misses, applied before it: a silent P
# (Thompson/Thomson, Simpson/Simson), an initial TH said as T (Thomas, Thompson/
# Tomson), CK/K, SCH/SH, final -EIGH, Mac/Mc.
_RESPELL = (("MPS", "MS"), ("MPT", "MT"), ("CK", "K"), ("SCH", "SH"))
_PREFIXES = (("MAC", "MC"), ("TH", "T"))


@lru_cache(maxsize=200_000)
def metaphone(norm: str) -> str:
    """The sound key a name is filed under: Metaphone after English name respellings."""
    if not norm:
        return ""
    for old, new in _PREFIXES:
        if norm.startswith(old) and len(norm) > len(old) + 1:
            norm = new + norm[len(old):]
            break
    for old, new in _RESPELL:
        norm = norm.replace(old, new)
    if norm.endswith("EIGH"):
        norm = norm[:-4] + "EY"
    return jellyfish.metaphone(norm)


def deletes(norm: str) -> set[str]:
    """The name with each one letter left out (names of two letters or more: Li and Lu share "L", so a
    two-letter name is found through one error like any other)."""
    if len(norm) < 2:
        return set()
    return {norm[:i] + norm[i + 1:] for i in range(len(norm))}


def vocab_rows(kind: str, name: str) -> tuple[tuple, list[tuple]]:
    """(``name_vocab`` row, ``name_deletes`` rows) for one distinct name."""
    return (kind, name, metaphone(name)), [(kind, d, name) for d in deletes(name)]


def add_vocabulary(conn, kind: str, new_names: Iterable[str]) -> int:
    """Add names to the vocabulary (those already there are left alone)."""
    vocab, dels = [], []
    for name in new_names:
        if not name:
            continue
        v, d = vocab_rows(kind, name)
        vocab.append(v)
        dels.extend(d)
    conn.executemany("INSERT OR IGNORE INTO name_vocab VALUES (?,?,?)", vocab)
    conn.executemany("INSERT OR IGNORE INTO name_deletes VALUES (?,?,?)", dels)
    return len(vocab)


def build_vocabulary(conn) -> None:
    """Fill the vocabulary from ``search_names`` (after a bulk load)."""
    for kind, column in ((FAMILY, "family"), (GIVEN, "given")):
        batch: list[str] = []
        for (name,) in conn.execute(f"SELECT DISTINCT {column} FROM search_names"):
            batch.append(name)
            if len(batch) >= 50_000:
                add_vocabulary(conn, kind, batch)
                batch = []
        add_vocabulary(conn, kind, batch)


def reindex_child(conn, child_id: int) -> None:
    """Rebuild one child's rows from the record tables (after a shield or a name change)."""
    row = conn.execute(
        "SELECT c.given_names, c.family_name, c.dob, h.postcode, c.shielded_at FROM children c "
        "JOIN households h ON h.id = c.household_id WHERE c.id = ? "
        "AND c.archived_on IS NULL", (child_id,)).fetchone()  # R-RET-2 (retention): an archived child is never indexed
    conn.execute("DELETE FROM search_names WHERE child_id = ?", (child_id,))
    if row is None:
        return
    given, family, dob, postcode, shielded_at = row
    other = conn.execute("SELECT given_names, family_name FROM other_names WHERE child_id = ?",
                         (child_id,)).fetchall()
    rows = child_rows(child_id, given, family, dob, postcode, other, shielded=shielded_at is not None,
                      held=siblings.shares_a_shielded_home(conn, child_id))
    conn.executemany("INSERT INTO search_names VALUES (?,?,?,?,?,?)", rows)
    add_vocabulary(conn, FAMILY, {r[0] for r in rows})
    add_vocabulary(conn, GIVEN, {r[1] for r in rows})


def index_name_forms(conn) -> None:
    """Migration ``search-name-forms``: a directory indexed before multi-word hyphen parts ("Van Hulle" of "Van
    Hulle-Van den Brande") and two-letter names' deletions gains them, each affected child re-indexed as
    ``child_rows`` now indexes it (shields applied as ever). Nothing to do on a fresh, empty directory."""
    two_letter = conn.execute("SELECT kind, name FROM name_vocab WHERE length(name) = 2").fetchall()
    conn.executemany("INSERT OR IGNORE INTO name_deletes VALUES (?,?,?)",
                     [(kind, d, name) for kind, name in two_letter for d in deletes(name)])
    multi_word = "family_name LIKE '%-%' AND family_name LIKE '% %'"
    ids = {cid for (cid,) in conn.execute(f"SELECT id FROM children WHERE {multi_word}")}
    ids |= {cid for (cid,) in conn.execute(f"SELECT child_id FROM other_names WHERE {multi_word}")}
    for cid in sorted(ids):
        reindex_child(conn, cid)
