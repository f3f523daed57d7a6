"""The peer ``make bench`` compares with: what a competent engineer would
write in an afternoon with plain SQLite, over the same data, answering the
same queries in the same run (issue 6).

- One plain (unencrypted) stdlib ``sqlite3`` table of children copied from the
  generated directory, with B-tree indexes on date of birth, postcode and
  directory id, and an FTS5 ``trigram`` index over family names (current,
  hyphen parts and former names).
- Candidates: by date of birth and its day/month swap; else by postcode
  (prefix, never a shielded child: R-SHIELD-5); else, for a given name with an
  age range, by the trigrams of the family name in the FTS5 index, within
  the dates the ages allow.
- Scoring: Levenshtein distance ≤ 2 (rapidfuzz) on the family name against
  the current name, its parts and former names (a shielded child's former
  names are not indexed), and on the first given name when one is given.
  Exact matches first, then by total distance; more than 25 answers "refine".
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from app.search import Criteria
from tests.benchmarks.quality import norm

CAP = 25
MAX_DISTANCE = 2

_SCHEMA = """
CREATE TABLE child (
    id INTEGER PRIMARY KEY, directory_id INTEGER NOT NULL, given TEXT NOT NULL, family TEXT NOT NULL,
    other TEXT NOT NULL, dob INTEGER NOT NULL, postcode TEXT NOT NULL, shielded INTEGER NOT NULL);
CREATE VIRTUAL TABLE family_fts USING fts5(names, tokenize = 'trigram', content = '');
"""
_INDEXES = """
CREATE UNIQUE INDEX child_directory_id ON child(directory_id);
CREATE INDEX child_dob ON child(dob);
CREATE INDEX child_postcode ON child(postcode);
"""


@dataclass(frozen=True)
class PeerAnswer:
    directory_ids: tuple[int, ...] = ()
    refine: bool = False


def _parts(name: str) -> list[str]:
    return [norm(p) for p in re.split(r"[\s-]+", name) if norm(p)]


def build(source, path: Path, progress: Callable[[str], None] | None = None) -> Peer:
    """Copy children, households and other names from the directory ``source`` (an open connection)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA)
    former: dict[int, list[str]] = {}
    for cid, fam in source.execute("SELECT child_id, family_name FROM other_names"):
        former.setdefault(cid, []).append(fam)
    rows = source.execute(
        "SELECT c.id, c.directory_id, c.given_names, c.family_name, c.dob, h.postcode, c.shielded_at IS NOT NULL "
        "FROM children c JOIN households h ON h.id = c.household_id ORDER BY c.id")
    conn.execute("BEGIN")
    done = 0
    while batch := rows.fetchmany(50_000):
        children, fts = [], []
        for cid, did, given, family, dob, postcode, shielded in batch:
            whole = norm(family)
            other = [p for p in _parts(family) if p != whole]
            if not shielded:  # a shielded child's former names are withheld
                for f in former.get(cid, ()):
                    other += [n for n in dict.fromkeys([norm(f), *_parts(f)]) if n != whole]
            other = list(dict.fromkeys(other))
            children.append((cid, did, norm(given.split(" ")[0]), whole, " ".join(other), dob, postcode, shielded))
            fts.append((cid, " ".join([whole, *other])))
        conn.executemany("INSERT INTO child VALUES (?,?,?,?,?,?,?,?)", children)
        conn.executemany("INSERT INTO family_fts(rowid, names) VALUES (?,?)", fts)
        done += len(batch)
        if progress and (done % 250_000 < len(batch) or len(batch) < 50_000):
            progress(f"  peer: copied {done:,} children")
    conn.execute("COMMIT")
    conn.executescript(_INDEXES)
    conn.execute("ANALYZE")
    conn.commit()
    return Peer(conn)


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def _postcode_prefix(text: str) -> str:
    t = re.sub(r"\s+", " ", text.strip().upper())
    return t if " " in t else t + " "


def _family_distance(query: str, family: str, other: str) -> int | None:
    """Levenshtein distance to the current family name, or to a part or former
    name plus one (it is one more difference); None when nothing is within 2."""
    d = Levenshtein.distance(query, family, score_cutoff=MAX_DISTANCE + 1)
    best = d if d <= MAX_DISTANCE else None
    if d:
        for name in other.split():
            od = Levenshtein.distance(query, name, score_cutoff=MAX_DISTANCE + 1)
            if od <= MAX_DISTANCE and (best is None or od + 1 < best):
                best = od + 1
    return best


class Peer:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def search(self, c: Criteria, today: date) -> PeerAnswer:
        cols = "c.id, c.directory_id, c.given, c.family, c.other, c.dob, c.postcode"
        if c.directory_id.strip():
            digits = re.sub(r"\D", "", c.directory_id)
            rows = self.conn.execute(f"SELECT {cols} FROM child c WHERE directory_id = ?",
                                     (int(digits or 0),)).fetchall()
            return PeerAnswer(tuple(r[1] for r in rows))
        family, given = norm(c.family_name), norm(c.given_name.split(" ")[0]) if c.given_name else ""
        dobs: tuple[int, ...] = ()
        lo = hi = None
        if c.dob:
            dobs = (c.dob.toordinal(),)
            if c.dob.day <= 12 and c.dob.day != c.dob.month:
                dobs += (date(c.dob.year, c.dob.day, c.dob.month).toordinal(),)
        if c.age_from is not None and c.age_to is not None:
            a, b = sorted((c.age_from, c.age_to))
            lo = (_years_before(today, b + 1) + timedelta(days=1)).toordinal()
            hi = _years_before(today, a).toordinal()
        postcode = _postcode_prefix(c.postcode) if c.postcode.strip() else ""
        if dobs:
            rows = self.conn.execute(
                f"SELECT {cols} FROM child c WHERE dob IN ({','.join('?' * len(dobs))})", dobs).fetchall()
        elif postcode:
            rows = self.conn.execute(f"SELECT {cols} FROM child c WHERE postcode >= ? AND postcode < ? "
                                     "AND shielded = 0", (postcode, postcode + "\uffff")).fetchall()
        elif lo is not None and len(family) >= 3:
            grams = sorted({family[i:i + 3] for i in range(len(family) - 2)})
            rows = self.conn.execute(
                f"SELECT {cols} FROM family_fts f JOIN child c ON c.id = f.rowid "
                "WHERE family_fts MATCH ? AND c.dob BETWEEN ? AND ?",
                (" OR ".join(f'"{g}"' for g in grams), lo, hi)).fetchall()
        elif lo is not None:
            rows = self.conn.execute(f"SELECT {cols} FROM child c WHERE dob BETWEEN ? AND ?", (lo, hi)).fetchall()
        else:
            return PeerAnswer()
        scored = []
        for cid, did, cgiven, cfamily, other, dob, cpost in rows:
            if postcode and not cpost.startswith(postcode):
                continue
            if lo is not None and not lo <= dob <= hi:
                continue
            d = _family_distance(family, cfamily, other)
            if d is None:
                continue
            if given:
                g = Levenshtein.distance(given, cgiven, score_cutoff=MAX_DISTANCE)
                if g > MAX_DISTANCE:
                    continue
                d += g
            if dobs and dob != dobs[0]:
                d += 1
            scored.append((d, cid, did))
        if len(scored) > CAP:
            return PeerAnswer(refine=True)
        scored.sort()
        return PeerAnswer(tuple(did for _, _, did in scored))
