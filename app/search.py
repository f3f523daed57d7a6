"""Searching the directory: specificity, tolerant matching and the cap.

The rules are enforced here, in the engine, whatever the client sends:
- R-SEARCH-2 a search must be specific; a broad one is refused with a message
  that says what to add. A directory id alone is enough.
- R-SEARCH-3 more matches than ``CAP`` answer "refine", never a cut list.
- R-SEARCH-4 phonetic family and given names, former names, day/month swapped
  dates of birth, a short date-of-birth range, partial postcodes; exact
  matches first.
- R-SEARCH-5 hits carry only name, date of birth, gender and locality.
- R-SEARCH-7 a postcode-only search is for the LA management team alone.
- R-SHIELD-5 a postcode in the criteria never reaches a shielded record (the
  index holds no postcode for one, and results are checked again here).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import directory_id, names
from .model import Gender, Name, Role, SearchHit

CAP = 25
MAX_DOB_RANGE_DAYS = 2 * 366
MAX_AGE_SPAN_YEARS = 4
_CANDIDATE_LIMIT = 2000  # candidates read before the engine gives up and asks to refine

_FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
_SECTOR = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s+(\d)$")
_OUTWARD = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)$")


class SearchRefused(Exception):
    """The search breaks a rule; ``str(exc)`` tells the user what to change."""


@dataclass(frozen=True)
class Criteria:
    family_name: str = ""
    given_name: str = ""
    dob: date | None = None
    dob_to: date | None = None  # with dob: a range
    age_from: int | None = None
    age_to: int | None = None
    postcode: str = ""
    directory_id: str = ""

    def for_audit(self) -> dict:
        out = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items()}
        return {k: v for k, v in out.items() if v not in ("", None)}


@dataclass(frozen=True)
class Outcome:
    hits: tuple[SearchHit, ...] = ()
    refine: bool = False
    message: str = ""
    matched_ids: tuple[int, ...] = field(default=(), repr=False)


def postcode_prefix(text: str) -> str:
    """A canonical postcode or postcode prefix ("NE1 4XY", "NE1 4", "NE1 ")."""
    t = re.sub(r"\s+", " ", (text or "").strip().upper())
    if m := _FULL_POSTCODE.match(t):
        return f"{m.group(1)} {m.group(2)}"
    if m := _SECTOR.match(t):
        return f"{m.group(1)} {m.group(2)}"
    if m := _OUTWARD.match(t):
        return f"{m.group(1)} "
    raise SearchRefused("Enter a postcode like NE1 4XY, or just its first part (NE1 or NE1 4).")


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _swap(d: date) -> date | None:
    """The date with day and month transposed, where that is another real date."""
    if d.day > 12 or d.day == d.month:
        return None
    try:
        return date(d.year, d.day, d.month)
    except ValueError:
        return None


@dataclass
class _Plan:
    family: str = ""
    given: str = ""
    dobs: tuple[int, ...] = ()  # exact dates (the date and its day/month swap)
    dob_range: tuple[int, int] | None = None
    exact_dob: int | None = None
    postcode: str = ""


def plan(c: Criteria, role: Role, today: date) -> _Plan:
    """Check R-SEARCH-2/7 and turn criteria into what the index can answer."""
    family = names.normalise(c.family_name)
    given = names.normalise(c.given_name.split(" ")[0]) if c.given_name.strip() else ""
    p = _Plan(family=family, given=given)
    if c.postcode.strip():
        p.postcode = postcode_prefix(c.postcode)
    if c.dob_to and not c.dob:
        raise SearchRefused("Give the start of the date of birth range as well as its end.")
    if c.dob and c.dob > today and not (c.dob_to is None and _swap(c.dob) and _swap(c.dob) <= today):
        raise SearchRefused("The date of birth is in the future: check it.")
    if c.dob and c.dob_to:
        lo, hi = sorted((c.dob, c.dob_to))
        if (hi - lo).days > MAX_DOB_RANGE_DAYS:
            raise SearchRefused("Narrow the date of birth range to two years or less.")
        p.dob_range = (lo.toordinal(), hi.toordinal())
    elif c.dob:
        p.exact_dob = c.dob.toordinal()
        dobs = {c.dob.toordinal()} if c.dob <= today else set()
        if (swapped := _swap(c.dob)) and swapped <= today:
            dobs.add(swapped.toordinal())
        p.dobs = tuple(sorted(dobs))
    if (c.age_from is None) != (c.age_to is None):
        raise SearchRefused("Give both ends of the age range (for example 5 to 7).")
    if c.age_from is not None:
        lo_age, hi_age = sorted((c.age_from, c.age_to))
        if lo_age < 0 or hi_age > 25:
            raise SearchRefused("Ages must be between 0 and 25.")
        if hi_age - lo_age > MAX_AGE_SPAN_YEARS:
            raise SearchRefused(f"Narrow the age range to {MAX_AGE_SPAN_YEARS} years or less.")
        if not p.dob_range and not p.dobs:
            oldest = _years_before(today, hi_age + 1) + timedelta(days=1)
            youngest = _years_before(today, lo_age)
            p.dob_range = (oldest.toordinal(), youngest.toordinal())
    if not family:
        if p.postcode and not (given or p.dobs or p.dob_range):
            if role is not Role.LA_MANAGEMENT:  # R-SEARCH-7
                raise SearchRefused("Searching by postcode alone is for the LA management team. "
                                    "Add the child's family name.")
            if p.postcode.endswith(" "):
                raise SearchRefused("For a postcode-only search give the full postcode (for example NE1 4XY).")
            return p
        raise SearchRefused("Enter the child's family name (or a directory id on its own).")
    has_dob = bool(p.dobs) or (c.dob is not None and p.dob_range is not None)
    has_given_age = bool(given) and p.dob_range is not None
    if not (has_dob or p.postcode or has_given_age):
        if given:
            raise SearchRefused("Add a date of birth, a postcode, or an age range with the given name.")
        raise SearchRefused("Add a date of birth, a postcode, or a given name with an age range.")
    return p


def run(conn, c: Criteria, role: Role, today: date) -> Outcome:
    """Search the directory for ``c``. The caller audits (R-AUDIT-1)."""
    if c.directory_id.strip():
        value = directory_id.parse(c.directory_id)
        if value is None:
            raise SearchRefused("That directory id is not valid: check its ten digits.")
        row = conn.execute("SELECT id FROM children WHERE directory_id = ?", (value,)).fetchone()
        ids = [(row[0], True)] if row else []
        return _outcome(conn, ids)
    p = plan(c, role, today)
    if not p.family:
        rows = conn.execute(
            "SELECT c.id FROM households h JOIN children c ON c.household_id = h.id "
            "WHERE h.postcode = ? AND c.shielded_at IS NULL LIMIT ?", (p.postcode, CAP + 1)).fetchall()
        return _outcome(conn, [(r[0], True) for r in rows])
    fam_keys = names.keys(p.family)
    given_keys = names.keys(p.given) if p.given else None
    if p.dobs:
        sql = (f"SELECT child_id, dob, postcode FROM name_keys WHERE key IN (?,?) "
               f"AND dob IN ({','.join('?' * len(p.dobs))})")
        args: tuple = (*fam_keys, *p.dobs)
    elif p.dob_range and p.given and c.dob is None:
        sql = ("SELECT child_id, dob, postcode FROM name_keys WHERE key IN (?,?) AND given_sx = ? "
               "AND dob BETWEEN ? AND ?")
        args = (*fam_keys, given_keys[1], *p.dob_range)
    elif p.dob_range:
        sql = "SELECT child_id, dob, postcode FROM name_keys WHERE key IN (?,?) AND dob BETWEEN ? AND ?"
        args = (*fam_keys, *p.dob_range)
    else:
        sql = ("SELECT child_id, dob, postcode FROM name_keys WHERE key IN (?,?) "
               "AND postcode >= ? AND postcode < ?")
        args = (*fam_keys, p.postcode, p.postcode + "\uffff")
    return _match(conn, p, _candidates(conn, p, sql, args))


_REFINE = (f"More than {CAP} children match. Add or narrow a detail: an exact date of birth, "
           "a fuller postcode, or a given name.")


def _candidates(conn, p: _Plan, sql: str, args: tuple):
    """Distinct (child id, dob) pairs from the index that pass the cheap filters."""
    seen: set[int] = set()
    for child_id, dob, postcode in conn.execute(sql, args):
        if child_id in seen:
            continue
        if p.postcode and (postcode is None or not postcode.startswith(p.postcode)):
            continue  # R-SHIELD-5: a shielded record has no postcode in the index
        if p.dob_range and not p.dob_range[0] <= dob <= p.dob_range[1]:
            continue
        seen.add(child_id)
        yield child_id, dob


def _match(conn, p: _Plan, candidates) -> Outcome:
    """Keep true matches (R-SEARCH-4), rank exact ones first, apply the cap.

    Candidates are matched a chunk at a time and the search stops as soon as
    more than ``CAP`` match: a broad search costs no more than a narrow one.
    """
    scored: list[tuple[int, float, int]] = []
    read = 0
    for chunk in _chunks_of(candidates, 64):
        read += len(chunk)
        dobs = dict(chunk)
        ids = list(dobs)
        names_by_child: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
        marks = ",".join("?" * len(ids))
        for cid, given, family in conn.execute(
                f"SELECT id, given_names, family_name FROM children WHERE id IN ({marks}) "
                f"UNION ALL SELECT child_id, given_names, family_name FROM other_names "
                f"WHERE child_id IN ({marks})", (*ids, *ids)):
            names_by_child[cid].append((given, family))
        for cid in ids:
            best = _score(p, names_by_child[cid], dobs[cid])
            if best is not None:
                scored.append((best[0], best[1], cid))
        if len(scored) > CAP or read > _CANDIDATE_LIMIT:
            return Outcome(refine=True, message=_REFINE)
    scored.sort()
    return _outcome(conn, [(cid, rank == 0) for rank, _, cid in scored])


def _score(p: _Plan, child_names: list[tuple[str, str]], dob: int) -> tuple[int, float] | None:
    """(0 for exact else 1, -similarity) of a child's best-matching name, or None."""
    best: tuple[int, float] | None = None
    for given, family in child_names:
        fam_norms = {names.normalise(family), *names.parts(family)}
        fam_ok = [f for f in fam_norms if names.matches(p.family, f)]
        if not fam_ok:
            continue
        given_norm = names.normalise(given.split(" ")[0])
        if p.given and not names.matches(p.given, given_norm):
            continue
        exact = p.family in fam_norms and (not p.given or p.given == given_norm) \
            and (p.exact_dob is None or dob == p.exact_dob)
        sim = max(names.similarity(p.family, f) for f in fam_ok)
        if p.given:
            sim += names.similarity(p.given, given_norm)
        score = (0 if exact else 1, -sim)
        if best is None or score < best:
            best = score
    return best


def _outcome(conn, ranked: list[tuple[int, bool]]) -> Outcome:
    if len(ranked) > CAP:
        return Outcome(refine=True, message=_REFINE)
    hits = []
    for cid, exact in ranked:
        row = conn.execute(
            "SELECT c.directory_id, c.given_names, c.family_name, c.dob, c.gender, c.shielded_at, "
            "h.town, h.postcode FROM children c JOIN households h ON h.id = c.household_id "
            "WHERE c.id = ?", (cid,)).fetchone()
        did, given, family, dob, gender, shielded, town, postcode = row
        locality = "" if shielded else town  # R-SEARCH-5, R-SHIELD-1: no whereabouts for a shielded child
        hits.append(SearchHit(cid, directory_id.fmt(did), Name(given, family), date.fromordinal(dob),
                              Gender(gender), locality, exact))
    return Outcome(hits=tuple(hits), matched_ids=tuple(h.child_id for h in hits),
                   message="" if hits else "No child matches. Check the spelling and the date of birth.")


def _chunks_of(iterable, size: int):
    chunk: list = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
