"""Searching the directory: specificity, tolerant matching and the cap.

The rules are enforced here, in the engine, whatever the client sends:
- R-SEARCH-2 a search must be specific; a broad one is refused with a message
  that says what to add. A directory id alone is enough.
- R-SEARCH-3 more matches than ``CAP`` answer "refine", never a cut list;
  but exact matches are never hidden behind looser ones: when the exact (and
  closest) matches fit under the cap they are shown, saying that looser
  matches were left out.
- R-SEARCH-4 tolerant matching, built the way record-linkage systems are:
  candidates come from several blocking keys (the exact name; the name's
  sound-alikes and one-letter misspellings from the name vocabulary; the date
  of birth; the postcode) and each candidate is then scored on every detail
  given. Each hit says how it differs (``model.Match``); fewer and lighter
  differences always rank first, so no looser match is ranked above a closer
  one.
- Tolerance never widens trawling: every candidate still satisfies each
  specific detail given (the name, closely; the date of birth, exactly or
  swapped or a day out; the range; the postcode), and the cap still applies.
- R-SEARCH-5 hits carry only name, date of birth, gender and locality.
- R-SEARCH-7 a postcode-only search is for the LA management team alone.
- R-SHIELD-5 a shielded record is found only by the names visible on it: the
  index holds neither its withheld names nor its postcode, and every
  candidate is checked again here against the record's current shield. A
  sibling held by a shield in its household (``app.siblings``) is never found
  by a postcode either, and its results show no town.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import directory_id, names, nicknames, search_index, siblings
from .dates import latest_reaching
from .model import Gender, Match, Name, Role, SearchHit
from .refusals import SearchRefused

CAP = 25
MAX_DOB_RANGE_DAYS = 2 * 366
MAX_AGE_SPAN_YEARS = 4
MAX_DIFFERENCES = 2  # a candidate differing in more ways than this is not a match
_BLOCK_ROWS = 4000  # rows one tolerant block reads before it stops (the cap is far below)
_MAX_EXPANSION = 80  # vocabulary names one typed name may stand for
_PAIRS_PER_STATEMENT = 400  # (family, given) pairs sought in one statement
MAX_NAME_CHARS = 60
MAX_POSTCODE_CHARS = 10
MAX_ID_CHARS = 16

_FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
_SECTOR = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s+(\d)$")
_OUTWARD = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)$")


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
    """A search's answer. ``notice`` says what to tell the user beside the hits, as a code
    ("no_match", "refine", "looser_left_out" or ""); ``params`` holds what the words need,
    including ``searched`` (the criteria, for "No child matches family name …")."""

    hits: tuple[SearchHit, ...] = ()
    refine: bool = False
    notice: str = ""
    params: dict = field(default_factory=dict, compare=False)
    looser_left_out: bool = False  # exact (closest) hits shown; looser matches were left out

    #: Set by the user interface to word a notice (transitional, like ``Refusal.render``).
    render = None

    @property
    def message(self) -> str:
        if not self.notice:
            return ""
        return Outcome.render(self) if Outcome.render else self.notice


@dataclass(frozen=True)
class Found:
    """What ``run`` gives the engine: the outcome, and the internal ids behind it
    (for audit and for the session's right to open them; they never leave the engine)."""

    outcome: Outcome
    child_ids: tuple[int, ...] = ()


# -- input bounds ---------------------------------------------------------------
def _text_ok(value: str, field: str, limit: int) -> None:
    if not isinstance(value, str):
        raise SearchRefused("search.not_text", field)
    if len(value) > limit:
        raise SearchRefused("search.too_long", field, limit=limit)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise SearchRefused("search.unusable_characters", field) from None


def check_bounds(c: Criteria) -> None:
    """Every field within bounds, with a message naming the field (never an exception trace)."""
    _text_ok(c.family_name, "family_name", MAX_NAME_CHARS)
    _text_ok(c.given_name, "given_name", MAX_NAME_CHARS)
    _text_ok(c.postcode, "postcode", MAX_POSTCODE_CHARS + 4)
    _text_ok(c.directory_id, "directory_id", MAX_ID_CHARS)
    for value, fld in ((c.dob, "dob"), (c.dob_to, "dob_to")):
        if value is not None and not isinstance(value, date):
            raise SearchRefused("search.date_format", fld)
    for age in (c.age_from, c.age_to):
        if age is not None and (not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 25):
            raise SearchRefused("search.ages_out_of_range", "ages")


def postcode_prefix(text: str) -> str:
    """A canonical postcode or postcode prefix ("NE1 4XY", "NE1 4", "NE1 ")."""
    t = re.sub(r"\s+", " ", (text or "").strip().upper())
    if m := _FULL_POSTCODE.match(t):
        return f"{m.group(1)} {m.group(2)}"
    if m := _SECTOR.match(t):
        return f"{m.group(1)} {m.group(2)}"
    if m := _OUTWARD.match(t):
        return f"{m.group(1)} "
    raise SearchRefused("search.postcode_format", "postcode")


def swap_day_month(d: date) -> date | None:
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
    dob: int | None = None  # an exact date of birth given
    swapped: int | None = None  # its day/month transposition, when a real date
    dob_range: tuple[int, int] | None = None
    postcode: str = ""

    def dob_window(self) -> tuple[int, ...]:
        """The dates a tolerant search may reach from an exact date: swapped, or a day out."""
        assert self.dob is not None, "only asked of a plan with an exact date"
        out = {self.dob, self.dob - 1, self.dob + 1}
        if self.swapped:
            out.add(self.swapped)
        return tuple(sorted(out))


def plan(c: Criteria, role: Role, today: date) -> _Plan:
    """Check R-SEARCH-2/7 and turn criteria into what the index can answer."""
    check_bounds(c)
    family = names.normalise(c.family_name)
    given = names.normalise(c.given_name.split(" ")[0]) if c.given_name.strip() else ""
    p = _Plan(family=family, given=given)
    if c.postcode.strip():
        p.postcode = postcode_prefix(c.postcode)
    if c.dob_to and not c.dob:
        raise SearchRefused("search.dob_range_needs_start", "dob")
    swapped = swap_day_month(c.dob) if c.dob else None
    if c.dob and c.dob > today and not (c.dob_to is None and swapped and swapped <= today):
        raise SearchRefused("search.dob_in_future", "dob")
    if c.dob and c.dob_to:
        lo, hi = sorted((c.dob, c.dob_to))
        if (hi - lo).days > MAX_DOB_RANGE_DAYS:
            raise SearchRefused("search.dob_range_too_wide", "dob_to", max_years=2)
        p.dob_range = (lo.toordinal(), hi.toordinal())
    elif c.dob:
        p.dob = c.dob.toordinal()
        p.swapped = swapped.toordinal() if swapped else None
    if (c.age_from is None) != (c.age_to is None):
        raise SearchRefused("search.ages_need_both_ends", "ages")
    if c.age_from is not None and c.age_to is not None:
        lo_age, hi_age = sorted((c.age_from, c.age_to))
        if hi_age - lo_age > MAX_AGE_SPAN_YEARS:
            raise SearchRefused("search.ages_too_wide", "ages", max_years=MAX_AGE_SPAN_YEARS)
        if p.dob_range is None and p.dob is None:
            oldest = latest_reaching(today, hi_age + 1) + timedelta(days=1)
            youngest = latest_reaching(today, lo_age)
            p.dob_range = (oldest.toordinal(), youngest.toordinal())
    if not family:
        if p.postcode and not (given or p.dob or p.dob_range):
            if role is not Role.LA_MANAGEMENT:  # R-SEARCH-7
                raise SearchRefused("search.postcode_only_for_la", "family_name")
            if p.postcode.endswith(" ") or len(p.postcode) < 6 or not _FULL_POSTCODE.match(p.postcode):
                raise SearchRefused("search.postcode_only_needs_full", "postcode")
            return p
        raise SearchRefused("search.family_name_required", "family_name")
    has_dob = p.dob is not None or (c.dob is not None and p.dob_range is not None)
    has_given_age = bool(given) and p.dob_range is not None
    if not (has_dob or p.postcode or has_given_age):
        if given:
            raise SearchRefused("search.add_detail", "dob", has_given=True)
        raise SearchRefused("search.add_detail", "dob", has_given=False)
    return p


# -- running a search -------------------------------------------------------------
def run(conn, c: Criteria, role: Role, today: date) -> Found:
    """Search the directory for ``c``. The caller audits (R-AUDIT-1)."""
    if c.directory_id.strip():
        check_bounds(c)
        value = directory_id.parse(c.directory_id)
        if value is None:
            raise SearchRefused("search.id_invalid", "directory_id")
        row = conn.execute("SELECT id FROM children WHERE directory_id = ? AND archived_on IS NULL",
                           (value,)).fetchone()  # R-RET-2 (retention): archived records are not found
        ranked: list[tuple[int, tuple[Match, ...]]] = [(row[0], ())] if row else []
        return _found(conn, ranked, c, False)
    p = plan(c, role, today)
    if not p.family:
        rows = conn.execute(
            "SELECT c.id FROM households h JOIN children c ON c.household_id = h.id "
            "WHERE h.postcode = ? AND c.shielded_at IS NULL AND c.archived_on IS NULL "  # R-RET-2
            f"AND NOT {siblings.held_sql('c', home=True)} LIMIT ?", (p.postcode, CAP + 1)).fetchall()
        if len(rows) > CAP:
            return Found(_refine(c))
        return _found(conn, [(r[0], ()) for r in rows], c, False)
    return _Search(conn, p, c).run()


_COLS = "family, given, dob, postcode, child_id, kind"


class _Search:
    """One tolerant search: blocks, scoring, the shield check and the cap."""

    def __init__(self, conn, p: _Plan, c: Criteria) -> None:
        self.conn, self.p, self.c = conn, p, c
        self.best: dict[int, tuple[tuple, tuple[Match, ...], int]] = {}  # child -> (rank key, matches, kind)
        self.complete = True  # False when a tolerant block stopped early: looser tiers may be incomplete

    def run(self) -> Found:
        p = self.p
        exact_rows = self._exact_rows()
        if exact_rows is None:
            return Found(_refine(self.c))
        self.fam_exp = _expand(self.conn, search_index.FAMILY, p.family)
        self.giv_exp = _expand(self.conn, search_index.GIVEN, p.given, nick=True) if p.given else {}
        self._score_all(exact_rows)
        self._score_all(self._name_block())
        if p.dob is not None:
            self._score_all(self._near(self._block(f"SELECT {_COLS} FROM search_names WHERE dob IN (?,?)",
                                                   (p.dob, p.swapped or p.dob))))
        if p.postcode and not p.postcode.endswith(" ") and p.dob is None and p.dob_range is None:
            self._score_all(self._postcode_block())
        return self._finish()

    # -- blocks ----------------------------------------------------------------
    def _where(self, exact: bool) -> tuple[str, list]:
        p = self.p
        sql: list[str] = []
        args: list[object] = []
        if p.dob is not None:
            dobs = (p.dob,) if exact else p.dob_window()
            sql.append(f"dob IN ({','.join('?' * len(dobs))})")
            args += dobs
        elif p.dob_range:
            sql.append("dob BETWEEN ? AND ?")
            args += p.dob_range
        if p.postcode:
            sql.append("postcode >= ? AND postcode < ?")
            args += [p.postcode, p.postcode + "\uffff"]
        return " AND ".join(sql), args

    def _exact_rows(self) -> list | None:
        """Rows naming the child exactly (current, former or part name); None when too many to show."""
        p = self.p
        where, args = self._where(exact=True)
        given = " AND given = ?" if p.given else ""
        rows = self.conn.execute(
            f"SELECT {_COLS} FROM search_names WHERE family = ?{given} AND {where} LIMIT ?",
            (p.family, *([p.given] if p.given else []), *args, 4 * CAP)).fetchall()
        if len({r[4] for r in rows if r[5] == search_index.CURRENT}) > CAP or len(rows) >= 4 * CAP:
            return None
        return rows

    def _name_block(self) -> list:
        """Candidates by the name's sound-alikes and misspellings, within the other criteria."""
        p = self.p
        fams = list(self.fam_exp)
        where, args = self._where(exact=False)
        if p.given and p.dob is None:
            # Each (family, given) pair is one seek in the name index, however common the family. Left to
            # itself the planner reads every child of each family in the age range (15-20 times the pages).
            # A statement holds at most _PAIRS_PER_STATEMENT pairs: preparing thousands at once costs more than
            # the seeks.
            pairs = [(f, g) for f in fams for g in self.giv_exp]
            rows: list = []
            for i in range(0, len(pairs), _PAIRS_PER_STATEMENT):
                chunk = pairs[i:i + _PAIRS_PER_STATEMENT]
                rows += self._block(
                    f"WITH pairs(f, g) AS (VALUES {','.join(['(?,?)'] * len(chunk))}) SELECT {_COLS} FROM pairs "
                    f"CROSS JOIN search_names INDEXED BY search_names_name ON family = f AND given = g WHERE {where}",
                    (*(name for pair in chunk for name in pair), *args))
                if len(rows) >= _BLOCK_ROWS:
                    self.complete = False
                    break
            return rows
        sql = f"SELECT {_COLS} FROM search_names WHERE family IN ({','.join('?' * len(fams))})"
        return self._block(f"{sql} AND {where}", (*fams, *args))

    def _postcode_block(self) -> list:
        """Everyone in the sector (or at the postcode) whose family name is within reach of the name typed
        (or, typed the other way round, of the given name typed). The sector's family names are read from the
        postcode index alone; only the rows of the names within reach are then fetched, never the whole
        sector's rows."""
        p = self.p
        span = (p.postcode, p.postcode + "\uffff")
        families = [f for (f,) in self.conn.execute(
            "SELECT DISTINCT family FROM search_names WHERE postcode >= ? AND postcode < ? LIMIT ?",
            (*span, _BLOCK_ROWS))]
        if len(families) >= _BLOCK_ROWS:
            self.complete = False
        near = {f for f in families if f in self.fam_exp} | _within_reach(p.family, families)
        if p.given:
            near |= _within_reach(p.given, families)
        if not near:
            return []
        return self._block(f"SELECT {_COLS} FROM search_names WHERE family IN ({','.join('?' * len(near))}) "
                           "AND postcode >= ? AND postcode < ?", (*sorted(near), *span))

    def _block(self, sql: str, args: tuple) -> list:
        rows = self.conn.execute(f"{sql} LIMIT ?", (*args, _BLOCK_ROWS)).fetchall()
        if len(rows) >= _BLOCK_ROWS:
            self.complete = False
        return rows

    def _near(self, rows: list) -> list:
        """Of a wide block (everyone born that day, everyone in that sector), the rows whose family
        name (or, typed the other way round, given name) is within reach: found in C, not row by row."""
        if not rows:
            return rows
        reach = _max_distance(self.p.family)
        keep = {i for _, _, i in process.extract(self.p.family, [r[0] for r in rows], scorer=OSA.distance,
                                                 score_cutoff=reach, limit=None)}
        keep.update(i for i, r in enumerate(rows) if r[0] in self.fam_exp)
        if self.p.given:
            keep.update(i for _, _, i in process.extract(self.p.family, [r[1] for r in rows], scorer=OSA.distance,
                                                         score_cutoff=reach, limit=None))
        return [rows[i] for i in sorted(keep)]

    # -- scoring -----------------------------------------------------------------
    def _score_all(self, rows) -> None:
        for row in rows:
            scored = self._score(row)
            if scored is None:
                continue
            cid = row[4]
            if cid not in self.best or scored[0] < self.best[cid][0]:
                self.best[cid] = (scored[0], scored[1], row[5])

    def _score(self, row) -> tuple[tuple, tuple[Match, ...]] | None:
        family, given, dob, postcode, _cid, kind = row
        p = self.p
        found: list[Match] = []
        distance = 0
        fam = _name_match(p.family, family, self.fam_exp)
        if fam is False:
            if not (p.given and _close(p.family, given) and _close(p.given, family)):
                return None
            found.append(Match.NAMES_SWAPPED)  # given and family typed the other way round
            distance += OSA.distance(p.family, given) + OSA.distance(p.given, family)
        else:
            if fam is not None:
                found.append(fam)
                distance += OSA.distance(p.family, family)
            if p.given:
                giv = _name_match(p.given, given, self.giv_exp)
                if giv is False:
                    return None
                if giv is not None:
                    found.append(giv)
                    distance += OSA.distance(p.given, given)
        if kind == search_index.PART:
            found.append(Match.NAME_PART)
        elif kind == search_index.FORMER:
            found.append(Match.FORMER_NAME)
        elif kind == search_index.ALTERNATIVE and p.given:
            found.append(Match.ALTERNATIVE_NAME)
        if p.dob is not None:
            if dob == p.swapped and dob != p.dob:
                found.append(Match.DOB_SWAPPED)
            elif abs(dob - p.dob) == 1:
                found.append(Match.DOB_OFF_BY_A_DAY)
            elif dob != p.dob:
                return None
        elif p.dob_range and not p.dob_range[0] <= dob <= p.dob_range[1]:
            return None
        if p.postcode and not (postcode and postcode.startswith(p.postcode)):
            return None  # R-SHIELD-5: a shielded record has no postcode in the index
        if len(found) > MAX_DIFFERENCES:
            return None
        return (len(found), sum(m.weight for m in found), distance), tuple(sorted(found, key=lambda m: m.weight))

    # -- shield check, tiers and the cap ---------------------------------------------
    def _finish(self) -> Found:
        if self.best:
            self._drop_withheld()
        ranked = sorted(self.best.items(), key=lambda kv: (kv[1][0], kv[0]))
        if len(ranked) <= CAP and self.complete:
            return _found(self.conn, [(cid, v[1]) for cid, v in ranked], self.c, False)
        shown: list = []
        # Tiers by (differences, their weight, letters out): an exact match, then a former name or a hyphen part,
        # then a swapped date or a nickname, then sound-alikes…, each nearest spelling first (so a date a day out
        # with the name as typed comes before a misspelt name on the date). Whole tiers are shown while they fit.
        for tier in sorted({v[0] for _, v in ranked}):
            group = [(cid, v[1]) for cid, v in ranked if v[0] == tier]
            if (tier[0] > 0 and not self.complete) or len(shown) + len(group) > CAP:
                break
            shown += group
        if not shown:
            return Found(_refine(self.c))
        return _found(self.conn, shown, self.c, True)

    def _drop_withheld(self) -> None:
        """R-SHIELD-5, checked against the record as it is now, whenever its shield was set; a held sibling is
        never found by a postcode (``app.siblings``)."""
        ids = list(self.best)
        shielded: set[int] = set()
        held: set[int] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            shielded.update(cid for (cid,) in self.conn.execute(
                f"SELECT id FROM children WHERE id IN ({marks}) AND shielded_at IS NOT NULL", chunk))
            if self.p.postcode:
                held.update(cid for (cid,) in self.conn.execute(
                    f"SELECT c.id FROM children c WHERE c.id IN ({marks}) AND {siblings.held_sql('c', home=True)}",
                    chunk))
        for cid in shielded | held:
            _, _, kind = self.best[cid]
            if self.p.postcode or kind in search_index.HIDDEN_WHEN_SHIELDED:
                del self.best[cid]


def _within_reach(query: str, candidates: list[str]) -> set[str]:
    """The candidates within spelling reach of ``query`` (found in C, not one by one)."""
    return {m for m, _, _ in process.extract(query, candidates, scorer=OSA.distance,
                                             score_cutoff=_max_distance(query), limit=None)}


def _max_distance(norm: str) -> int:
    return 1 if len(norm) <= 4 else 2


def _close(query: str, candidate: str) -> bool:
    return bool(candidate) and (candidate == query or OSA.distance(query, candidate) <= _max_distance(query))


def _name_match(query: str, candidate: str, expansions: dict[str, Match | None]) -> Match | None | Literal[False]:
    """None for the same name, the kind of difference for a close one, False for no match."""
    if candidate == query:
        return None
    if candidate in expansions:
        return expansions[candidate]
    if OSA.distance(query, candidate) <= _max_distance(query):
        return Match.SPELLING
    return False


def _expand(conn, kind: str, norm: str, nick: bool = False) -> dict[str, Match | None]:
    """The vocabulary names a typed name may stand for, with how each differs from it."""
    out: dict[str, Match | None] = {norm: None}
    if nick:
        for n in nicknames.variants(norm):
            out.setdefault(n, Match.NICKNAME)
    mp = search_index.metaphone(norm)
    if mp:  # Metaphone drops vowels: a sound-alike must also be spelt within a few letters
        for (name,) in conn.execute("SELECT name FROM name_vocab WHERE kind = ? AND metaphone = ?", (kind, mp)):
            if OSA.distance(norm, name) <= max(2, len(norm) // 3):
                out.setdefault(name, Match.SOUNDS_LIKE)
    keys = sorted(search_index.deletes(norm) | {norm})
    marks = ",".join("?" * len(keys))
    spelt = {n for (n,) in conn.execute(
        f"SELECT name FROM name_deletes WHERE kind = ? AND del IN ({marks}) "
        f"UNION SELECT name FROM name_vocab WHERE kind = ? AND name IN ({marks})", (kind, *keys, kind, *keys))}
    for name in sorted(spelt, key=lambda n: OSA.distance(norm, n)):
        if OSA.distance(norm, name) <= 1:
            out.setdefault(name, Match.SPELLING)
    if len(out) > _MAX_EXPANSION:  # keep the name, its nicknames (a few dozen at most), then the closest spellings
        def order(name: str) -> tuple:
            how = out[name]
            return how is not None, how is not Match.NICKNAME, OSA.distance(norm, name), how.weight if how else 0
        out = {n: out[n] for n in sorted(out, key=order)[:_MAX_EXPANSION]}
    return out


# -- answers ------------------------------------------------------------------------
def _found(conn, ranked: list[tuple[int, tuple[Match, ...]]], c: Criteria, looser_left_out: bool) -> Found:
    if len(ranked) > CAP:
        return Found(_refine(c))
    rows = {}
    ids = [cid for cid, _ in ranked]
    if ids:
        marks = ",".join("?" * len(ids))
        for row in conn.execute(
                "SELECT c.id, c.directory_id, c.given_names, c.family_name, c.dob, c.gender, "
                f"c.shielded_at IS NOT NULL OR {siblings.held_sql('c', home=True)}, h.town FROM children c "
                f"JOIN households h ON h.id = c.household_id WHERE c.id IN ({marks})", ids):
            rows[row[0]] = row
    hits = []
    for cid, matched in ranked:
        _, did, given, family, dob, gender, withheld, town = rows[cid]
        locality = "" if withheld else town  # R-SEARCH-5, R-SHIELD-1: no whereabouts for a shielded or held child
        hits.append(SearchHit(directory_id.fmt(did), Name(given, family), date.fromordinal(dob), Gender(gender),
                              locality, matched))
    if not hits:
        params: dict[str, object] = {"searched": c.for_audit(), "hint": _hint(c)}
        notice = "no_match"
    elif looser_left_out:
        notice, params = "looser_left_out", {"shown": len(hits)}
    else:
        notice, params = "", {}
    return Found(Outcome(hits=tuple(hits), notice=notice, params=params, looser_left_out=looser_left_out),
                 tuple(ids))


def _hint(c: Criteria) -> str:
    """Which advice fits a search that found no one."""
    if c.directory_id.strip():
        return "id"
    if not c.family_name.strip():
        return "postcode_only"
    if c.dob and not c.dob_to:
        return "exact_dob"
    if c.dob or c.age_from is not None:
        return "given_age" if c.given_name.strip() or c.dob else "range"
    return "postcode"


def _refine(c: Criteria) -> Outcome:
    return Outcome(refine=True, notice="refine", params={"searched": c.for_audit(), "cap": CAP})
