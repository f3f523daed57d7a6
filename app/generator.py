"""The synthetic training directory.

Reproducible: the same seed, size and reference date give the same directory.
Names come from Faker's en_GB surname list (with its frequencies, so common
surnames are common) plus the recipe's children's names; addresses,
organisations and proportions come from ``resources/training_recipe.json``.
Everything is drawn with one ``random.Random`` from pre-built pools, which is
what makes a million children take seconds rather than hours.

The directory is built into a temporary file and renamed into place only when
complete, so an interrupted build never leaves a half-made directory.
"""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Callable, Iterator

from faker.providers.person.en_GB import Provider as _FakerPeople

from . import db, directory_id, names, schema
from .model import ServiceType
from .passwords import hash_password

RECIPE_PATH = Path(__file__).resolve().parent.parent / "resources" / "training_recipe.json"
BATCH_HOUSEHOLDS = 20_000

Progress = Callable[[str, int, int], None]  # (phase, done, total)


class Cancelled(Exception):
    pass


def load_recipe(path: Path = RECIPE_PATH) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@dataclass
class _Pools:
    """Everything drawn from, prepared once."""

    las: list[dict]
    towns: dict[str, list[str]]
    districts: dict[str, list[str]]
    family: list[str]
    family_cum: list[float]
    given: dict[str, list[str]]
    adult_given: dict[str, list[str]]
    streets: list[str]
    settings: dict[tuple[str, str], list[int]]
    gps: dict[str, list[int]]
    practitioners: dict[tuple[str, str], list[tuple]]


class _Builder:
    def __init__(self, rng: random.Random, recipe: dict, today: date) -> None:
        self.rng = rng
        self.r = recipe
        self.today = today
        self.p = recipe["proportions"]
        self.ids = _IdAllocator(rng)
        self.setting_rows: list[tuple] = []
        self.gp_rows: list[tuple] = []
        self.carer_id = 0
        self.child_id = 0
        self.involvement_id = 0
        self.pools = self._pools()

    # -- pools ---------------------------------------------------------------
    def _pools(self) -> _Pools:
        rng, r = self.rng, self.r
        surnames = list(_FakerPeople.last_names.items())
        family = [n for n, _ in surnames] + r["extra_family_names"]
        weights = [w for _, w in surnames] + [0.05] * len(r["extra_family_names"])
        towns: dict[str, list[str]] = {}
        districts: dict[str, list[str]] = {}
        used_towns: set[str] = set()
        for la in r["local_authorities"]:
            t: list[str] = []
            while len(t) < 4:
                name = rng.choice(r["town_prefixes"]) + rng.choice(r["town_suffixes"])
                if name not in used_towns:
                    used_towns.add(name)
                    t.append(name)
            towns[la["code"]] = t
            districts[la["code"]] = [
                f"{area}{d}" for area in la["postcode_areas"] for d in range(1, 21)
            ]
        streets = [f"{rng.choice(family)} {rng.choice(r['street_suffixes'])}" for _ in range(4000)]
        pools = _Pools(
            las=r["local_authorities"], towns=towns, districts=districts,
            family=family, family_cum=list(accumulate(weights)),
            given=r["child_given_names"],
            adult_given={"F": list(_FakerPeople.first_names_female), "M": list(_FakerPeople.first_names_male)},
            streets=streets, settings={}, gps={}, practitioners={},
        )
        self.pools = pools
        return pools

    def prepare_services(self, n_children: int) -> None:
        """Settings, GP practices and practitioner pools, sized to the directory."""
        rng, pools = self.rng, self.pools
        per_la = max(1, n_children // len(pools.las))
        kinds = (("early_years", 900, "{town} Nursery"), ("primary", 350, "{street} Primary School"),
                 ("secondary", 1100, "{town} Academy"), ("college", 2500, "{town} College"))
        for la in pools.las:
            code = la["code"]
            for kind, size, pattern in kinds:
                ids = []
                for _ in range(max(2, per_la // size)):
                    town = rng.choice(pools.towns[code])
                    addr = self.address(code, town)
                    label = pattern.format(town=town, street=addr[0].split(" ", 1)[1].rsplit(" ", 1)[0])
                    sid = len(self.setting_rows) + 1
                    self.setting_rows.append((sid, kind, label, *addr, self.phone("landline"), code))
                    ids.append(sid)
                pools.settings[(code, kind)] = ids
            gids = []
            for _ in range(max(2, per_la // 6000)):
                town = rng.choice(pools.towns[code])
                gid = len(self.gp_rows) + 1
                name = f"{rng.choice(pools.family)} {rng.choice(('Medical Centre', 'Surgery', 'Health Centre', 'Family Practice'))}"
                self.gp_rows.append((gid, name, *self.address(code, town), self.phone("landline")))
                gids.append(gid)
            pools.gps[code] = gids
            for service, spec in self.r["services"].items():
                staff = []
                for i in range(6):
                    town = rng.choice(pools.towns[code])
                    sex = rng.choice("FM")
                    given = rng.choice(pools.adult_given[sex])
                    family = self.family_name()
                    org = spec["org"].format(la=la["name"], town=town)
                    email = f"{names.normalise(given).lower()}.{names.normalise(family).lower()}@{names.normalise(org).lower()[:18]}.example"
                    staff.append((org, f"{given} {family}", rng.choice(spec["roles"]), self.phone("landline"), email))
                pools.practitioners[(code, service)] = staff

    # -- small draws ---------------------------------------------------------
    def family_name(self) -> str:
        rng, p = self.rng, self.p
        x = rng.random()
        if x < p["apostrophe_family_name"]:
            return rng.choice(self.r["apostrophe_family_names"])
        return rng.choices(self.pools.family, cum_weights=self.pools.family_cum)[0]

    def phone(self, kind: str) -> str:
        pattern = self.rng.choice(self.r["phone_ranges"][kind])
        return pattern.replace("###", f"{self.rng.randrange(1000):03d}")

    def postcode(self, la_code: str) -> str:
        rng = self.rng
        letters = self.r["postcode_unit_letters"]
        district = rng.choice(self.pools.districts[la_code])
        return f"{district} {rng.randrange(10)}{rng.choice(letters)}{rng.choice(letters)}"

    def address(self, la_code: str, town: str) -> tuple[str, str, str, str]:
        rng = self.rng
        line2 = "" if rng.random() < 0.8 else f"Flat {rng.randrange(1, 40)}"
        return (f"{rng.randrange(1, 240)} {rng.choice(self.pools.streets)}", line2, town, self.postcode(la_code))

    # -- one household ------------------------------------------------------
    def household(self, hid: int, rows: dict[str, list]) -> None:
        rng, p, pools, today = self.rng, self.p, self.pools, self.today
        la = rng.choice(pools.las)
        code = la["code"]
        town = rng.choice(pools.towns[code])
        addr = self.address(code, town)
        rows["households"].append((hid, *addr, code))
        family = self.family_name()
        if rng.random() < p["hyphenated_family_name"]:
            family = f"{family}-{self.family_name()}"
        # Carers: name and contact details only (R-REC-2).
        n_carers = 2 if rng.random() < p["second_carer"] else 1
        rels = self.r["carer_relationships"]
        for i in range(n_carers):
            self.carer_id += 1
            own = None
            rel = rels["resident"][i] if rng.random() < 0.85 else rng.choice(rels["resident"])
            if i == 1 and rng.random() < p["non_resident_parent"]:
                rel = rng.choice(rels["non_resident"])
                own = self.address(code, rng.choice(pools.towns[code]))
            sex = {"Mother": "F", "Father": "M"}.get(rel) or rng.choice("FM")
            carer_family = family if rng.random() < 0.8 else self.family_name()
            rows["carers"].append((self.carer_id, hid, rng.choice(pools.adult_given[sex]), carer_family,
                                   rel, self.phone("mobile"), *(own or (None, None, None, None))))
        shielded = today.isoformat() if rng.random() < p["shielded_household"] else None
        sizes = self.r["proportions"]["household_sizes"]
        n = rng.choices([s for s, _ in sizes], weights=[w for _, w in sizes])[0]
        dobs = []
        for k in range(n):
            if k and rng.random() < p["twins"]:
                dobs.append(dobs[-1])
            else:
                dobs.append(today - timedelta(days=rng.randrange(0, 18 * 365 + 4)))
        gp = rng.choice(pools.gps[code])
        postcode = None if shielded else addr[3]
        for dob in dobs:
            self.child(hid, code, town, family, dob, gp, shielded, postcode, rows)

    def child(self, hid, code, town, family, dob, gp, shielded, postcode, rows) -> None:
        rng, p, pools, today = self.rng, self.p, self.pools, self.today
        self.child_id += 1
        cid = self.child_id
        x = rng.random()
        gender = rng.choice("FM") if x >= p["gender_other_or_unknown"] else rng.choice("XU")
        pool = pools.given[gender] if gender in "FM" else pools.given[rng.choice("FM")]
        given = rng.choice(pool)
        if rng.random() < 0.35:
            given = f"{given} {rng.choice(pool)}"
        age_days = (today - dob).days
        setting = self.setting_for(code, age_days)
        rows["children"].append((cid, self.ids.next(), given, family, dob.toordinal(), gender, hid,
                                 setting, gp, code, shielded))
        given_sx = _given_sx(given.split(" ")[0])
        all_family = [family]
        if rng.random() < p["former_family_name"]:
            former = self.family_name()
            rows["other_names"].append((cid, given, former))
            all_family.append(former)
        if rng.random() < p["alternative_given_name"]:
            rows["other_names"].append((cid, rng.choice(pool), family))
        keyset: set[str] = set()
        for fam in all_family:
            keyset |= names.family_keys(fam)
        for key in keyset:
            rows["name_keys"].append((key, dob.toordinal(), given_sx, postcode, cid))
        self.involvements(cid, code, town, age_days, rows)

    def setting_for(self, code: str, age_days: int) -> int | None:
        age = age_days // 365
        if age < 3 and self.rng.random() < self.p["no_setting_under_3"]:
            return None
        kind = "early_years" if age < 4 else "primary" if age < 11 else "secondary" if age < 16 else "college"
        return self.rng.choice(self.pools.settings[(code, kind)])

    def involvements(self, cid: int, code: str, town: str, age_days: int, rows) -> None:
        rng, p = self.rng, self.p
        wanted: list[str] = []
        age = age_days // 365
        if age < 5 and rng.random() < p["health_visitor_under_5"]:
            wanted.append("health_visitor")
        if rng.random() < p["additional_involvements"]:
            extra = [s for s, spec in self.r["services"].items() if not ServiceType(s).sensitive
                     and s not in ("health_visitor", "midwife", "school_nurse") and age >= spec.get("min_age", 0)]
            wanted += rng.sample(extra, rng.choice((1, 1, 2, 3)))
        if age >= 11 and rng.random() < p["sensitive_involvement"]:
            wanted.append(rng.choice(("sexual_health", "camhs", "substance_misuse")))
        elif 5 <= age < 11 and rng.random() < p["sensitive_involvement"] / 2:
            wanted.append("camhs")
        lead_done = False
        for service in wanted:
            self.involvement_id += 1
            org, who, role, phone, email = rng.choice(self.pools.practitioners[(code, service)])
            start = self.today - timedelta(days=rng.randrange(1, max(2, min(age_days, 3 * 365))))
            ended = None
            if rng.random() < p["ended_involvement"]:
                ended = (start + timedelta(days=rng.randrange(1, max(2, (self.today - start).days)))).toordinal()
            lead = int(not lead_done and len(wanted) > 1 and ended is None and rng.random() < 0.3)
            lead_done = lead_done or bool(lead)
            caf = int(len(wanted) > 1 and rng.random() < 0.2)
            sensitive = ServiceType(service).sensitive
            # R-SENS-2: a sensitive involvement carries who consented, and when.
            consent_by = rng.choice(("child", "parent_carer")) if sensitive else None
            consent_on = start.toordinal() if sensitive else None
            recorded_by = "alex.practitioner" if sensitive and rng.random() < 0.05 else f"staff-{code.lower()}-{service}"
            rows["involvements"].append((self.involvement_id, cid, service, org, who, role, phone, email,
                                         start.toordinal(), ended, lead, caf, recorded_by,
                                         consent_by, consent_on, None))


@lru_cache(maxsize=4096)
def _given_sx(first_given: str) -> str:
    return names.keys(names.normalise(first_given))[1]


class _IdAllocator:
    """Unique random directory ids with a valid check digit (R-REC-1)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[int] = set()

    def next(self) -> int:
        while True:
            value = directory_id.from_stem(self.rng.randrange(100_000_000, 1_000_000_000))
            if value is not None and value not in self.seen:
                self.seen.add(value)
                return value


_INSERTS = {
    "households": "INSERT INTO households VALUES (?,?,?,?,?,?)",
    "carers": "INSERT INTO carers VALUES (?,?,?,?,?,?,?,?,?,?)",
    "children": "INSERT INTO children VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "other_names": "INSERT INTO other_names VALUES (?,?,?)",
    "involvements": "INSERT INTO involvements VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "name_keys": "INSERT INTO name_keys VALUES (?,?,?,?,?)",
}


def _batches(builder: _Builder, n_children: int) -> Iterator[dict[str, list]]:
    hid = 0
    while builder.child_id < n_children:
        rows: dict[str, list] = {k: [] for k in _INSERTS}
        for _ in range(BATCH_HOUSEHOLDS):
            if builder.child_id >= n_children:
                break
            hid += 1
            builder.household(hid, rows)
        yield rows


def generate(path: str | Path, key: bytes, *, children: int, seed: int = 2010,
             today: date | None = None, progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None, password: str | None = None) -> dict:
    """Build a training directory of about ``children`` children at ``path``.

    Returns a summary. Raises ``Cancelled`` if ``cancelled()`` turns true; the
    partial file is then removed.
    """
    path = Path(path)
    recipe = load_recipe()
    today = today or date.today()
    builder = _Builder(random.Random(seed), recipe, today)
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    conn = db.open_encrypted(tmp, key)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA secure_delete = OFF")
        schema.create_tables(conn)
        builder.prepare_services(children)
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO settings VALUES (?,?,?,?,?,?,?,?,?)", builder.setting_rows)
        conn.executemany("INSERT INTO gp_practices VALUES (?,?,?,?,?,?,?)", builder.gp_rows)
        conn.executemany("INSERT INTO las VALUES (?,?)", [(la["code"], la["name"]) for la in recipe["local_authorities"]])
        for rows in _batches(builder, children):
            for table, sql in _INSERTS.items():
                conn.executemany(sql, rows[table])
            if progress:
                progress("people", builder.child_id, children)
            if cancelled and cancelled():
                raise Cancelled()
        _add_users(conn, recipe, today, password or recipe["training_password"])
        meta = {"schema_version": schema.SCHEMA_VERSION, "seed": str(seed), "children": str(builder.child_id),
                "reference_date": today.isoformat(), "kind": "training"}
        conn.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
        conn.execute("COMMIT")
        schema.create_indexes(conn, (lambda d, t: progress("indexes", d, t)) if progress else None)
        conn.close()
        os.replace(tmp, path)
        return {"children": builder.child_id, "households": _count(path, key, "households")}
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise


def _count(path: Path, key: bytes, table: str) -> int:
    conn = db.open_encrypted(path, key)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _add_users(conn, recipe: dict, today: date, password: str) -> None:
    """The training directory's users, one per role (R-ROLE, R-ROLE-4)."""
    for u in recipe["users"]:
        checked = today.replace(year=today.year - u["check_years_ago"]) if today.month != 2 or today.day != 29 \
            else (today - timedelta(days=1)).replace(year=today.year - u["check_years_ago"])
        conn.execute(
            "INSERT INTO users (username, display_name, role, la_code, organisation, password_hash, "
            "nominated, trained, check_date) VALUES (?,?,?,?,?,?,?,?,?)",
            (u["username"], u["display_name"], u["role"], u["la_code"], u["organisation"], hash_password(password),
             int(u.get("nominated", True)), int(u.get("trained", True)), checked.toordinal()),
        )
