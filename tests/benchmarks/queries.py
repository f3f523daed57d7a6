"""A fixed, realistic mix of searches drawn from a generated directory:
exact and misspelt names, swapped dates, date ranges, given name with ages,
partial postcodes and directory ids (R-SEARCH-4)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from app import directory_id
from app.search import Criteria

_SOUND_ALIKE = (("ph", "f"), ("th", "t"), ("ck", "k"), ("ie", "y"), ("ou", "ow"), ("ll", "l"), ("mm", "m"))


def misspell(name: str, rng: random.Random) -> str:
    lower = name.lower()
    for a, b in rng.sample(_SOUND_ALIKE, len(_SOUND_ALIKE)):
        if a in lower:
            i = lower.index(a)
            return name[:i] + b + name[i + len(a):]
    if len(name) > 4:
        i = rng.randrange(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]  # two letters swapped
    return name


def mix(conn, n: int, today: date, seed: int = 99) -> list[tuple[str, Criteria]]:
    rng = random.Random(seed)
    max_id = conn.execute("SELECT max(id) FROM children").fetchone()[0]
    kinds = ["exact"] * 25 + ["misspelt"] * 20 + ["swapped"] * 10 + ["given_age"] * 15 + \
            ["postcode"] * 15 + ["id"] * 15
    out: list[tuple[str, Criteria]] = []
    while len(out) < n:
        cid = rng.randrange(1, max_id + 1)
        row = conn.execute(
            "SELECT c.directory_id, c.given_names, c.family_name, c.dob, h.postcode, c.shielded_at "
            "FROM children c JOIN households h ON h.id = c.household_id WHERE c.id = ?", (cid,)).fetchone()
        did, given, family, dob_ord, postcode, shielded = row
        dob = date.fromordinal(dob_ord)
        kind = rng.choice(kinds)
        if kind == "exact":
            c = Criteria(family_name=family, dob=dob)
        elif kind == "misspelt":
            c = Criteria(family_name=misspell(family, rng), dob=dob)
        elif kind == "swapped":
            if dob.day > 12 or dob.day == dob.month:
                continue
            c = Criteria(family_name=family, dob=date(dob.year, dob.day, dob.month))
        elif kind == "given_age":
            age = (today - dob).days // 365
            c = Criteria(family_name=family, given_name=given.split(" ")[0], age_from=max(0, age - 1), age_to=age + 1)
        elif kind == "postcode":
            if shielded:
                continue
            part = postcode[:-2] if rng.random() < 0.6 else postcode.split(" ")[0]
            c = Criteria(family_name=family, postcode=part)
        else:
            c = Criteria(directory_id=directory_id.fmt(did))
        out.append((kind, c))
    return out


def scan(conn, c: Criteria, today: date) -> list[int]:
    """The same question answered by a plain scan: no index is used."""
    from app import names
    from app.search import plan
    from app.model import Role
    if c.directory_id:
        value = directory_id.parse(c.directory_id)
        return [r[0] for r in conn.execute("SELECT id FROM children NOT INDEXED WHERE directory_id = ?", (value,))]
    p = plan(c, Role.PRACTITIONER, today)
    if p.dobs:
        rows = conn.execute(f"SELECT id, given_names, family_name FROM children NOT INDEXED "
                            f"WHERE dob IN ({','.join('?' * len(p.dobs))})", p.dobs)
    elif p.dob_range:
        rows = conn.execute("SELECT id, given_names, family_name FROM children NOT INDEXED "
                            "WHERE dob BETWEEN ? AND ?", p.dob_range)
    else:
        rows = conn.execute("SELECT c.id, c.given_names, c.family_name FROM children c NOT INDEXED "
                            "JOIN households h ON h.id = c.household_id WHERE c.shielded_at IS NULL "
                            "AND h.postcode >= ? AND h.postcode < ?", (p.postcode, p.postcode + "\uffff"))
    found = []
    for cid, given, family in rows:
        if names.matches(p.family, names.normalise(family)) and (
                not p.given or names.matches(p.given, names.normalise(given.split(" ")[0]))):
            found.append(cid)
    return found
