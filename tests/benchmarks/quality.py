"""The labelled quality set (issue 6, R-SEARCH-4): searches with one known
error each, drawn from the generated directory with a fixed seed, each
knowing the child it is meant to find.

For every type, ``per_type`` random non-shielded children (without
repetition) that the type applies to; every query is otherwise valid
(R-SEARCH-2). Types, with the criteria sent:

- ``exact``: family name + date of birth.
- ``typo_sub`` / ``typo_omit`` / ``transpose``: the family name with one
  letter substituted / one letter left out / two adjacent letters swapped
  (any position, the first included, chosen uniformly) + date of birth.
- ``soundalike``: the family name respelt as it sounds (ph/f, th/t, ck/k,
  y/i/ie, ou/ow, double/single letters, -son/-sen, Mc/Mac, c/k, z/s, …; one
  rewrite at a random place) + date of birth. Names with no rewrite are skipped.
- ``former_name``: a former family name + date of birth.
- ``hyphen_part``: one part of a hyphenated or two-word family name (a word, or
  a side of the hyphen that has several words: "Van Hulle") + date of birth.
- ``dob_swap``: family name + the date with day and month transposed (only
  dates where that is another real date).
- ``dob_off1``: family name + the date one day out (either way, never in the future).
- ``nickname_age``: family name + a nickname of the first given name
  (``app.nicknames``) + an age range.
- ``given_typo_age``: family name + the first given name with one typo + an age range.
- ``family_typo_given_age``: the family name with one typo + the first given
  name + an age range.
- ``given_age``: family name + the first given name, both exact, + an age range.
- ``names_swapped``: given and family name typed the other way round + date of birth.
- ``postcode_full``: family name + the full postcode ("NE11 2TR").
- ``postcode_sector``: family name + postcode sector ("NE11 2").
- ``postcode_outward``: family name + the outward code, the postcode's first part ("NE11").
- ``id``: the directory id alone.

An age range is ``age_from``..``age_to`` with ``age_to - age_from`` between 2
and 4, placed at random around the child's age at the directory's reference
date. A typo is a substitution, an omission or a transposition (one of the
three at random), on letters only; the result always differs from the name
and keeps at least two letters.
"""
from __future__ import annotations

import random
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app import directory_id
from app.search import Criteria

TYPES = ("exact", "typo_sub", "typo_omit", "transpose", "soundalike", "former_name", "hyphen_part", "dob_swap",
         "dob_off1", "nickname_age", "given_typo_age", "family_typo_given_age", "given_age", "names_swapped",
         "postcode_full", "postcode_sector", "postcode_outward", "id")
SEED = 6
TRIES_PER_QUERY = 400  # random children looked at per query wanted, before a rare type gives up


def norm(name: str) -> str:
    """Upper-case letters only (how both engines compare names)."""
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z]", "", folded.upper())


# -- one-letter errors -------------------------------------------------------------
def _letters(name: str) -> list[int]:
    return [i for i, ch in enumerate(name) if ch.isalpha()]


def _same_case(letter: str, like: str) -> str:
    return letter.upper() if like.isupper() else letter.lower()


def typo_sub(name: str, rng: random.Random) -> str | None:
    """One letter (any position) replaced by another letter."""
    pos = _letters(name)
    if len(pos) < 2:
        return None
    i = rng.choice(pos)
    new = rng.choice([c for c in string.ascii_lowercase if c != name[i].lower()])
    return name[:i] + _same_case(new, name[i]) + name[i + 1:]


def typo_omit(name: str, rng: random.Random) -> str | None:
    """One letter (any position) left out; at least two letters remain."""
    pos = _letters(name)
    if len(pos) < 3:
        return None
    i = rng.choice(pos)
    out = name[:i] + name[i + 1:]
    if i == 0 and out[:1].isalpha():
        out = out[0].upper() + out[1:]
    return out


def transpose(name: str, rng: random.Random) -> str | None:
    """Two adjacent, different letters swapped (each position keeps its case)."""
    pairs = [i for i in range(len(name) - 1)
             if name[i].isalpha() and name[i + 1].isalpha() and name[i].lower() != name[i + 1].lower()]
    if not pairs:
        return None
    i = rng.choice(pairs)
    a, b = name[i], name[i + 1]
    return name[:i] + _same_case(b, a) + _same_case(a, b) + name[i + 2:]


TYPOS: dict[str, Callable[[str, random.Random], str | None]] = {
    "sub": typo_sub, "omit": typo_omit, "transpose": transpose}


def one_typo(name: str, rng: random.Random) -> str | None:
    """A substitution, omission or transposition, chosen at random among those that apply."""
    kinds = list(TYPOS)
    rng.shuffle(kinds)
    for kind in kinds:
        out = TYPOS[kind](name, rng)
        if out is not None and norm(out) != norm(name) and len(norm(out)) >= 2:
            return out
    return None


# -- sound-alike respellings ---------------------------------------------------------
_V = "aeiouy"
# (pattern on the lower-case name, replacement): each is a spelling that sounds the same.
SOUND_ALIKE: tuple[tuple[str, str], ...] = (
    (r"ph", "f"), (r"(?<!f)f(?!f)", "ph"),
    (r"^th", "t"), (r"^t(?=[aeiou])", "th"),
    (r"ck", "k"), (r"(?<=[aeiou])k(?![aeiou])", "ck"),
    (r"(?<=[^aeiouy])y(?=[^aeiouy])", "i"), (r"(?<=[^aeiouy])i(?=[^aeiouy])", "y"),
    (r"(?<=[^aeiou])y$", "ie"), (r"(?<=[^aeiou])ie$", "y"), (r"ey$", "y"), (r"ey$", "ie"),
    (r"ou(?!ng|gh|g|r)", "ow"), (r"ow", "ou"),
    (r"(bb|dd|ff|gg|ll|mm|nn|pp|rr|ss|tt|zz)", "\\1"),  # double -> single, see _apply
    (r"(?<=[aeiou])([lnrt])(?=[aeiou])", "\\1\\1"),  # single -> double
    (r"mps", "ms"), (r"ms(?=on)", "mps"),
    (r"son$", "sen"), (r"sen$", "son"),
    (r"^mc", "mac"), (r"^mac", "mc"),
    (r"c(?=[aoulr])", "k"), (r"k(?=[aoulr])", "c"), (r"c$", "k"),
    (r"z", "s"), (r"(?<=[aeiou])s(?=[aeiou])", "z"),
    (r"ai(?=[nl])", "ay"), (r"ay(?=[nl])", "ai"), (r"ea(?=[^r])", "ee"),
    (r"x$", "cks"), (r"^wr", "r"), (r"^wh", "w"), (r"^kn", "n"),
)


def _recase(lower: str, like: str) -> str:
    """Capital letters where a name has them: the start and after - ' or space."""
    out = []
    for i, ch in enumerate(lower):
        out.append(ch.upper() if i == 0 or lower[i - 1] in "-' " else ch)
    return "".join(out) if like[:1].isupper() else lower


def soundalike_options(name: str) -> list[str]:
    """Every single sound-alike respelling of ``name`` (one rewrite at one place)."""
    lower, out = name.lower(), []
    for pattern, repl in SOUND_ALIKE:
        for m in re.finditer(pattern, lower):
            if repl == "\\1":
                new = m.group(1)[0]
            elif repl == "\\1\\1":
                new = m.group(1) * 2
            else:
                new = repl
            candidate = _recase(lower[:m.start()] + new + lower[m.end():], name)
            if norm(candidate) != norm(name) and len(norm(candidate)) >= 2 and candidate not in out:
                out.append(candidate)
    return out


def soundalike(name: str, rng: random.Random) -> str | None:
    options = soundalike_options(name)
    return rng.choice(options) if options else None


# -- dates and ages -----------------------------------------------------------------
def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def age_range(dob: date, today: date, rng: random.Random) -> tuple[int, int]:
    """A range 2 to 4 years wide holding the child's age."""
    age = age_on(dob, today)
    span = rng.randint(2, 4)
    lo = max(0, age - rng.randint(0, span))
    return lo, lo + span


def swapped(dob: date) -> date | None:
    """Day and month transposed, where that is another real date."""
    if dob.day > 12 or dob.day == dob.month:
        return None
    return date(dob.year, dob.day, dob.month)


def sector(postcode: str) -> str:
    outward, inward = postcode.split(" ")
    return f"{outward} {inward[0]}"


# -- the set ------------------------------------------------------------------------
@dataclass(frozen=True)
class Child:
    child_id: int
    directory_id: int
    given_names: str
    family_name: str
    dob: date
    postcode: str
    former: tuple[str, ...]  # former family names (other than the current one)

    @property
    def given(self) -> str:
        return self.given_names.split(" ")[0]


@dataclass(frozen=True)
class Query:
    kind: str
    criteria: Criteria
    expected: str  # the intended child's directory id, as hits show it ("123 456 7890")
    # What a practitioner asked to add a detail searches next: one more true detail, the error kept (see ``refined``)
    refined: Criteria | None = None


def refined(c: Criteria, ch: Child) -> Criteria | None:
    """The search after "add a detail" (R-SEARCH-3): the criteria as typed, error and all (the practitioner does
    not know which detail is wrong), plus the child's first given name when none was given, else its date of
    birth in place of an age range, else its full postcode. None for a directory id."""
    if c.directory_id:
        return None
    if not c.given_name:
        return replace(c, given_name=ch.given)
    if c.dob is None:
        return replace(c, dob=ch.dob, age_from=None, age_to=None)
    if c.postcode != ch.postcode:
        return replace(c, postcode=ch.postcode)
    return None


def _make(kind: str, ch: Child, today: date, rng: random.Random) -> Criteria | None:
    fam, dob = ch.family_name, ch.dob
    if kind == "exact":
        return Criteria(family_name=fam, dob=dob)
    if kind in ("typo_sub", "typo_omit", "transpose"):
        out = TYPOS[{"typo_sub": "sub", "typo_omit": "omit", "transpose": "transpose"}[kind]](fam, rng)
        ok = out is not None and norm(out) != norm(fam) and len(norm(out)) >= 2
        return Criteria(family_name=out, dob=dob) if ok else None
    if kind == "soundalike":
        out = soundalike(fam, rng)
        return Criteria(family_name=out, dob=dob) if out else None
    if kind == "former_name":
        return Criteria(family_name=rng.choice(ch.former), dob=dob) if ch.former else None
    if kind == "hyphen_part":
        words = [p for p in re.split(r"[\s-]+", fam) if len(norm(p)) >= 2]
        sides = [s for s in re.split(r"\s*-\s*", fam) if " " in s.strip()]  # "Van Hulle" of "Van Hulle-Van den Brande"
        parts = list(dict.fromkeys(words + sides))
        return Criteria(family_name=rng.choice(parts), dob=dob) if len(words) >= 2 else None
    if kind == "dob_swap":
        other = swapped(dob)
        return Criteria(family_name=fam, dob=other) if other else None
    if kind == "dob_off1":
        step = rng.choice((-1, 1))
        if dob + timedelta(days=step) > today:
            step = -1
        return Criteria(family_name=fam, dob=dob + timedelta(days=step))
    if kind in ("nickname_age", "given_typo_age", "family_typo_given_age", "given_age"):
        given, family = ch.given, fam
        if kind == "nickname_age":
            from app import nicknames
            options = sorted(n for n in nicknames.variants(norm(given)) if n != norm(given))
            if not options:
                return None
            given = rng.choice(options).title()
        elif kind == "given_typo_age":
            given = one_typo(given, rng)
        elif kind == "family_typo_given_age":
            family = one_typo(fam, rng)
        if not given or not family:
            return None
        lo, hi = age_range(dob, today, rng)
        return Criteria(family_name=family, given_name=given, age_from=lo, age_to=hi)
    if kind == "names_swapped":
        if norm(ch.given) == norm(fam):
            return None
        return Criteria(family_name=ch.given, given_name=fam, dob=dob)
    if kind == "postcode_full":
        return Criteria(family_name=fam, postcode=ch.postcode)
    if kind == "postcode_sector":
        return Criteria(family_name=fam, postcode=sector(ch.postcode))
    if kind == "postcode_outward":
        return Criteria(family_name=fam, postcode=ch.postcode.split(" ")[0])
    if kind == "id":
        return Criteria(directory_id=directory_id.fmt(ch.directory_id))
    raise ValueError(kind)


def reference_date(conn) -> date:
    return date.fromisoformat(conn.execute("SELECT value FROM meta WHERE key = 'reference_date'").fetchone()[0])


def load_child(conn, child_id: int) -> tuple[Child, bool] | None:
    """(child, shielded) for one internal id of the generated directory."""
    row = conn.execute(
        "SELECT c.directory_id, c.given_names, c.family_name, c.dob, h.postcode, c.shielded_at "
        "FROM children c JOIN households h ON h.id = c.household_id WHERE c.id = ?", (child_id,)).fetchone()
    if row is None:
        return None
    did, given, family, dob, postcode, shielded_at = row
    former = tuple(dict.fromkeys(
        f for (f,) in conn.execute("SELECT family_name FROM other_names WHERE child_id = ?", (child_id,))
        if norm(f) != norm(family)))
    return Child(child_id, did, given, family, date.fromordinal(dob), postcode, former), shielded_at is not None


def build(conn, per_type: int = 1000, seed: int = SEED, types=TYPES,
          progress: Callable[[str], None] | None = None) -> list[Query]:
    """The labelled set: ``per_type`` queries for each type (fewer only for a
    type too rare in a small directory), from a fixed seed."""
    today = reference_date(conn)
    max_id = conn.execute("SELECT max(id) FROM children").fetchone()[0]
    cache: dict[int, tuple[Child, bool] | None] = {}
    out: list[Query] = []
    for kind in types:
        rng = random.Random(f"{seed}:{kind}")
        used: set[int] = set()
        made = 0
        for _ in range(TRIES_PER_QUERY * per_type):
            if made >= per_type:
                break
            cid = rng.randrange(1, max_id + 1)
            if cid in used:
                continue
            if cid not in cache:
                cache[cid] = load_child(conn, cid)
            loaded = cache[cid]
            if loaded is None or loaded[1]:
                continue  # no such row, or shielded
            criteria = _make(kind, loaded[0], today, rng)
            if criteria is None:
                continue
            used.add(cid)
            out.append(Query(kind, criteria, directory_id.fmt(loaded[0].directory_id), refined(criteria, loaded[0])))
            made += 1
        if progress:
            progress(f"  quality set: {kind} {made:,}")
    return out
