"""The synthetic training directory.

Reproducible: the same seed, size and reference date give the same directory
(whether it is built in one process or two). Names and places come from
``app.generator_pools`` (tens of thousands of names with real frequencies;
more LAs, postcode districts and towns as the directory grows); services,
organisations and proportions from ``resources/training_recipe.json``; the
documented sample children from ``app.training_cast``, at fixed ids.

Speed: every person is drawn with one ``random.Random`` from pre-built pools,
with no per-person date objects or string parsing. From ``PARALLEL_FROM``
children a second process draws the people while this one writes them, so a
million children take well under a minute on two cores.

The directory is built into a temporary file and renamed into place only when
complete, so an interrupted build never leaves a half-made directory.
Progress is reported as ``(phase, done, total)`` for the phases "people",
"vocabulary" and "indexes", in that order, each starting at 0 and ending with
``done == total``.
"""
from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from . import child, db, directory_id, names, schema, search_index, training_cast
from .dates import anniversary, latest_reaching
from .directory.work.register import ROLE_TITLES
from .generator_pools import Weighted, load_recipe, local_authorities, name_pool
from .model import ServiceType
from .passwords import hash_password

__all__ = ["generate", "Cancelled", "Progress", "load_recipe"]

BATCH_HOUSEHOLDS = 10_000
PARALLEL_FROM = 150_000  # below this, a second process costs more than it saves
MAX_AGE_DAYS = 18 * 365 + 4

Progress = Callable[[str, int, int], None]  # (phase, done, total)

_INSERTS = {
    "households": "INSERT INTO households VALUES (?,?,?,?,?,?)",
    "carers": "INSERT INTO carers VALUES (?,?,?,?,?,?,?,?,?,?)",
    "children": "INSERT INTO children (id, directory_id, given_names, family_name, dob, gender, household_id, "
                "setting_id, gp_id, la_code, shielded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "other_names": "INSERT INTO other_names VALUES (?,?,?)",
    "involvements": "INSERT INTO involvements (id, child_id, service, organisation, practitioner, role, phone, "
                    "email, started, ended, lead, caf, recorded_by, consent_by, consent_on, consent_override, "
                    "keep_contact_years, contact_archive_on, contact_archived) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "search_names": "INSERT INTO search_names VALUES (?,?,?,?,?,?)",
}
_SETTING_KINDS = (("early_years", 900, "{town} Nursery"), ("primary", 350, "{street} Primary School"),
                  ("secondary", 1100, "{town} Academy"), ("college", 2500, "{town} College"))
_UNIVERSAL = ("health_visitor", "midwife", "school_nurse")


class Cancelled(Exception):
    pass


def total_children(children: int) -> int:
    """How many children a build of ``children`` holds: the sample cast is always there."""
    return max(children, len(training_cast.reserved_ids()))


class _Builder:
    """Draws the whole directory, batch by batch, from one seeded ``random.Random``."""

    def __init__(self, seed: int, recipe: dict, today: date, children: int) -> None:
        self.rng = rng = random.Random(seed)
        self.rnd = rng.random
        self.r = recipe
        self.p = recipe["proportions"]
        self.today = today.toordinal()
        self.today_iso = today.isoformat()  # when a shield was set
        self.cast = training_cast.entries(today)
        self.total = total_children(children)
        self.ids = _IdAllocator(rng, training_cast.reserved_ids())
        self.carer_id = self.child_id = self.involvement_id = self.household_id = 0
        # names: the cast's family names are never drawn at random, so a search finds exactly them
        cast_family = {c.family_name for c in self.cast} | {f for c in self.cast for _, f in c.other_names}
        cast_keys = {names.normalise(f) for f in cast_family}
        family = name_pool("family")
        self.family = family.without({n for n in family.items if names.normalise(n) in cast_keys})
        self.cast_family = cast_family
        self.given = {"F": name_pool("given_F"), "M": name_pool("given_M")}
        self.adult = {"F": name_pool("adult_F"), "M": name_pool("adult_M")}
        # places
        self.las = local_authorities(recipe, self.total, rng)
        self.la_index = {la.code: i for i, la in enumerate(self.las)}
        self.la_pool = Weighted(list(range(len(self.las))), [la.weight for la in self.las])
        n_streets = min(60_000, 4_000 + self.total // 100)
        suffixes = recipe["street_suffixes"]
        self.streets = [f"{self.family.draw(rng)} {rng.choice(suffixes)}" for _ in range(n_streets)]
        letters = recipe["postcode_unit_letters"]
        self.units = [f" {d}{a}{b}" for d in range(10) for a in letters for b in letters]
        self.mobiles = [p.replace("###", f"{i:03d}") for p in recipe["phone_ranges"]["mobile"] for i in range(1000)]
        self.landlines = [p.replace("###", f"{i:03d}") for p in recipe["phone_ranges"]["landline"] for i in range(1000)]
        sizes = self.p["household_sizes"]
        self.sizes = Weighted([s for s, _ in sizes], [w for _, w in sizes])
        rels = recipe["carer_relationships"]
        self.resident, self.non_resident = rels["resident"], rels["non_resident"]
        # services open to a child, by age in years (R-REC-4), the universal ones apart
        self.extra_by_age = [[s for s, spec in recipe["services"].items()
                              if not ServiceType(s).sensitive and s not in _UNIVERSAL and age >= spec.get("min_age", 0)]
                             for age in range(19)]
        self.setting_rows: list[tuple] = []
        self.gp_rows: list[tuple] = []
        self.settings: dict[tuple[str, str], list[int]] = {}
        self.gps: dict[str, list[int]] = {}
        self.practitioners: dict[tuple[str, str], list[tuple]] = {}
        # R-SENS-4 (issue 13 §3.3): a training LA's sensitive services are run by training users, so a contact
        # request the LA team passes on reaches an inbox somebody reads: (LA, service) -> (username, details)
        self.sensitive_owners = {(u["la_code"], u["sensitive_service"]): (u["username"], (
            u["organisation"], u["display_name"], u["job_title"], u["phone"], u["email"]))
            for u in recipe["users"] if u.get("sensitive_service")}
        self._prepare_services()

    # -- small draws ---------------------------------------------------------
    def pick(self, seq):
        return seq[int(self.rnd() * len(seq))]

    def family_name(self) -> str:
        return self.family.draw(self.rng)

    def address(self, la, town: str) -> tuple[str, str, str, str]:
        rnd = self.rnd
        line2 = "" if rnd() < 0.8 else f"Flat {int(rnd() * 39) + 1}"
        postcode = self.pick(la.districts) + self.pick(self.units)
        return f"{int(rnd() * 239) + 1} {self.pick(self.streets)}", line2, town, postcode

    def _prepare_services(self) -> None:
        """Settings, GP practices and practitioners, sized to the directory."""
        rng, pick = self.rng, self.pick
        weight = sum(la.weight for la in self.las)
        for la in self.las:
            per_la = max(1, int(self.total * la.weight / weight))
            code = la.code
            for kind, size, pattern in _SETTING_KINDS:
                ids = []
                for _ in range(max(2, per_la // size)):
                    town = pick(la.towns)
                    addr = self.address(la, town)
                    label = pattern.format(town=town, street=addr[0].split(" ", 1)[1].rsplit(" ", 1)[0])
                    sid = len(self.setting_rows) + 1
                    self.setting_rows.append((sid, kind, label, *addr, pick(self.landlines), code))
                    ids.append(sid)
                self.settings[(code, kind)] = ids
            gids = []
            for _ in range(max(2, per_la // 6000)):
                gid = len(self.gp_rows) + 1
                name = f"{self.family_name()} {pick(('Medical Centre', 'Surgery', 'Health Centre', 'Family Practice'))}"
                self.gp_rows.append((gid, name, *self.address(la, pick(la.towns)), pick(self.landlines)))
                gids.append(gid)
            self.gps[code] = gids
            for service, spec in self.r["services"].items():
                staff = []
                for _ in range(6):
                    town = pick(la.towns)
                    given = self.adult[pick("FM")].draw(rng)
                    family = self.family_name()
                    org = spec["org"].format(la=la.name, town=town)
                    email = (f"{names.normalise(given).lower()}.{names.normalise(family).lower()}"
                             f"@{names.normalise(org).lower()[:18]}.example")
                    staff.append((org, f"{given} {family}", pick(ROLE_TITLES[ServiceType(service)]),
                                  pick(self.landlines), email))
                self.practitioners[(code, service)] = staff

    def static_rows(self) -> dict[str, list]:
        # R-SENS-4: every record shows how to reach its LA team (training values: an Ofcom drama number)
        return {"las": [(la.code, la.name, f"01632 960{i % 1000:03d}",
                         f"directory.team@{names.normalise(la.name).lower()[:18]}.example")
                        for i, la in enumerate(self.las)], "settings": self.setting_rows,
                "gp_practices": self.gp_rows,
                # the register of organisations (R-REC-5): the services' own, besides settings and GP practices
                "organisations": sorted({(staff[0], code) for (code, _), pool in self.practitioners.items()
                                         for staff in pool})}

    # -- batches ---------------------------------------------------------------
    def batches(self) -> Iterator[dict[str, list]]:
        first = True
        while first or self.child_id < self.total:
            rows: dict[str, list] = {k: [] for k in _INSERTS}
            if first:
                self._cast(rows)
                first = False
            for _ in range(BATCH_HOUSEHOLDS):
                room = self.total - self.child_id
                if room <= 0:
                    break
                self.household(rows, room)
            yield rows

    # -- one household ------------------------------------------------------
    def household(self, rows: dict[str, list], room: int) -> None:
        rng, rnd, p, pick = self.rng, self.rnd, self.p, self.pick
        self.household_id += 1
        hid = self.household_id
        la = self.las[self.la_pool.draw(rng)]
        town = pick(la.towns)
        addr = self.address(la, town)
        rows["households"].append((hid, *addr, la.code))
        family = self.family_name()
        if rnd() < p["hyphenated_family_name"]:
            family = f"{family}-{self.family_name()}"
            if family in self.cast_family:
                family = family.split("-")[0]
        # Carers: name and contact details only (R-REC-2).
        carers = rows["carers"]
        n_carers = 2 if rnd() < p["second_carer"] else 1
        for i in range(n_carers):
            self.carer_id += 1
            own: tuple[str | None, ...] = (None, None, None, None)
            rel = self.resident[i] if rnd() < 0.85 else pick(self.resident)
            if i == 1 and rnd() < p["non_resident_parent"]:
                rel = pick(self.non_resident)
                own = self.address(la, pick(la.towns))
            sex = "F" if rel == "Mother" else "M" if rel == "Father" else pick("FM")
            carer_family = family if rnd() < 0.8 else self.family_name()
            carers.append((self.carer_id, hid, self.adult[sex].draw(rng), carer_family, rel, pick(self.mobiles),
                           *own))
        shielded = self.today_iso if rnd() < p["shielded_household"] else None
        n = min(self.sizes.draw(rng), room)
        gp = pick(self.gps[la.code])
        dob = 0
        for k in range(n):
            if not (k and rnd() < p["twins"]):
                dob = self.today - int(rnd() * MAX_AGE_DAYS)
            self.child(hid, la, family, dob, gp, shielded, addr[3], rows)

    def child(self, hid, la, family, dob, gp, shielded, postcode, rows) -> None:
        rng, rnd, p = self.rng, self.rnd, self.p
        self.child_id += 1
        cid = self.child_id
        if rnd() >= p["gender_other_or_unknown"]:
            gender = "F" if rnd() < 0.5 else "M"
            pool = self.given[gender]
        else:
            gender = "X" if rnd() < 0.5 else "U"
            pool = self.given["F" if rnd() < 0.5 else "M"]
        given = pool.draw(rng)
        if rnd() < 0.35:
            given = f"{given} {pool.draw(rng)}"
        age_days = self.today - dob
        rows["children"].append((cid, self.ids.next(), given, family, dob, gender, hid,
                                 self.setting_for(la.code, age_days), gp, la.code, shielded))
        others = []
        if rnd() < p["former_family_name"]:
            others.append((given, self.family_name()))
        if rnd() < p["alternative_given_name"]:
            others.append((pool.draw(rng), family))
        if others:
            rows["other_names"].extend((cid, g, f) for g, f in others)
        rows["search_names"].extend(search_index.child_rows(cid, given, family, dob, postcode, others,
                                                            shielded=shielded is not None))
        self.involvements(cid, la, age_days, rows)

    def setting_for(self, code: str, age_days: int) -> int | None:
        age = age_days // 365
        if age < 3 and self.rnd() < self.p["no_setting_under_3"]:
            return None
        kind = "early_years" if age < 4 else "primary" if age < 11 else "secondary" if age < 16 else "college"
        return self.pick(self.settings[(code, kind)])

    def involvements(self, cid: int, la, age_days: int, rows, cast: training_cast.CastEntry | None = None) -> None:
        """Random involvements (R-REC-4), or a cast child's own services, current and with consent."""
        rnd, p = self.rnd, self.p
        age = age_days // 365
        if cast is not None:
            wanted = list(cast.services)
        else:
            wanted = []
            if age < 5 and rnd() < p["health_visitor_under_5"]:
                wanted.append("health_visitor")
            if rnd() < p["additional_involvements"]:
                wanted += self.rng.sample(self.extra_by_age[min(age, 18)], self.pick((1, 1, 2, 3)))
            if age >= 11 and rnd() < p["sensitive_involvement"]:
                wanted.append(self.pick(("sexual_health", "camhs", "substance_misuse")))
            elif 5 <= age < 11 and rnd() < p["sensitive_involvement"] / 2:
                wanted.append("camhs")
            if not wanted:
                return
        lead_done = False
        for service in wanted:
            self.involvement_id += 1
            org, who, role, phone, email = self.pick(self.practitioners[(la.code, service)])
            start = self.today - 1 - int(rnd() * max(1, min(age_days, 3 * 365) - 1))
            ended = keep = archive_on = None
            archived = 0
            if cast is None and rnd() < p["ended_involvement"]:
                ended = start + 1 + int(rnd() * max(1, self.today - start - 1))
                # R-RET-3: an ended involvement's contact details are archived a year after the end, whoever
                # recorded it; those whose day has come are built archived (the sweep would do it at once)
                keep = 1
                archive_on = anniversary(date.fromordinal(ended), 1).toordinal()
                archived = int(archive_on <= self.today)
            lead = int(not lead_done and len(wanted) > 1 and ended is None and rnd() < 0.3)
            lead_done = lead_done or bool(lead)
            caf = int(len(wanted) > 1 and rnd() < 0.2)
            sensitive = ServiceType(service).sensitive
            # R-SENS-2: a sensitive involvement carries who consented, and when.
            consent = (cast.consent_by if cast else self.pick(("child", "parent_carer"))) if sensitive else None
            owner = self.sensitive_owners.get((la.code, service))
            recorded_by = "alex.practitioner" if sensitive and cast is None and rnd() < 0.05 \
                else owner[0] if owner else f"staff-{la.code.lower()}-{service}"
            if owner and recorded_by == owner[0]:  # under the practitioner's own name and contact details
                org, who, role, phone, email = owner[1]
            if archived:  # after the owner's details are chosen, so an owner's ended involvement is archived too
                phone, email = "", ""
            rows["involvements"].append((self.involvement_id, cid, service, org, who, role, phone, email,
                                         start, ended, lead, caf, recorded_by,
                                         consent, start if sensitive else None, None, keep, archive_on, archived))

    # -- the documented sample children (app.training_cast) -------------------
    def _cast(self, rows: dict[str, list]) -> None:
        homes = training_cast.households()
        made: dict[str, tuple] = {}  # household key -> (id, la, town, address)
        for key, home in homes.items():
            self.household_id += 1
            la = self.las[self.la_index[home["la"]]]
            town = self.pick(la.towns)
            addr = self.address(la, town)
            made[key] = (self.household_id, la, town, addr)
            rows["households"].append((self.household_id, *addr, la.code))
        for key, home in homes.items():
            hid = made[key][0]
            for c in home["carers"]:
                self.carer_id += 1
                own = made[c["lives_at"]][3] if "lives_at" in c else (None, None, None, None)
                rows["carers"].append((self.carer_id, hid, c["given"], c["family"], c["relationship"],
                                       self.pick(self.mobiles), *own))
        for c in self.cast:
            self.child_id += 1
            cid = self.child_id
            hid, la, town, addr = made[c.household]
            dob = c.dob.toordinal()
            age_days = self.today - dob
            shielded = self.today_iso if c.shielded else None
            rows["children"].append((cid, c.id_value, c.given_names, c.family_name, dob, c.gender, hid,
                                     self.setting_for(la.code, age_days), self.pick(self.gps[la.code]), la.code,
                                     shielded))
            rows["other_names"].extend((cid, g, f) for g, f in c.other_names)
            held = not c.shielded and any(o.shielded for o in self.cast if o.household == c.household)
            rows["search_names"].extend(search_index.child_rows(cid, c.given_names, c.family_name, dob, addr[3],
                                                                c.other_names, shielded=c.shielded, held=held))
            self.involvements(cid, la, age_days, rows, cast=c)


class _IdAllocator:
    """Unique random directory ids with a valid check digit (R-REC-1), never a reserved one."""

    def __init__(self, rng: random.Random, reserved: set[int]) -> None:
        self.rng = rng
        self.seen: set[int] = set(reserved)

    def next(self) -> int:
        while True:
            value = directory_id.from_stem(self.rng.randrange(100_000_000, 1_000_000_000))
            if value is not None and value not in self.seen:
                self.seen.add(value)
                return value


# -- drawing the people, here or in a second process --------------------------
def _produce(seed: int, children: int, today_ordinal: int) -> Iterator[tuple[str, dict]]:
    builder = _Builder(seed, load_recipe(), date.fromordinal(today_ordinal), children)
    yield "static", builder.static_rows()
    for rows in builder.batches():
        yield "rows", rows


def _worker_main(argv: list[str]) -> int:
    """``python -m app.generator FD SEED CHILDREN TODAY``: draw the people, pickled down pipe FD."""
    fd, seed, children, today_ordinal = (int(a) for a in argv)
    with os.fdopen(fd, "wb") as out:
        try:
            for item in _produce(seed, children, today_ordinal):
                pickle.dump(item, out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(("done", None), out)
        except BrokenPipeError:  # the parent stopped (cancelled)
            return 1
        except Exception as exc:  # reported to the parent, which raises it
            pickle.dump(("error", f"{type(exc).__name__}: {exc}"), out)
            return 1
    return 0


def _items(seed: int, children: int, today: date, parallel: bool) -> Iterator[tuple[str, dict]]:
    """The build's items, drawn here or, in parallel, by a second Python process.

    A plain subprocess rather than ``multiprocessing``: it neither forks a
    threaded (Qt) process nor re-imports the caller's main module.
    """
    if not parallel:
        yield from _produce(seed, children, today.toordinal())
        return
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(
            child.command("app.generator", str(write_fd), str(seed), str(children), str(today.toordinal())),
            pass_fds=(write_fd,), env=child.environment(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    finally:
        os.close(write_fd)
    with os.fdopen(read_fd, "rb") as channel:
        try:
            while True:
                try:
                    kind, payload = pickle.load(channel)
                except EOFError:
                    raise RuntimeError(f"The training directory builder stopped unexpectedly "
                                       f"(exit status {proc.wait()}).") from None
                if kind == "done":
                    return
                if kind == "error":
                    raise RuntimeError(f"Building the training directory failed: {payload}")
                yield kind, payload
        finally:
            if proc.poll() is None:
                proc.terminate()
            proc.wait()


def generate(path: str | Path, key: bytes, *, children: int, seed: int = 2010,
             today: date | None = None, progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None, password: str | None = None,
             parallel: bool | None = None) -> dict:
    """Build a training directory of ``children`` children (the sample cast included) at ``path``.

    ``parallel`` (default: from ``PARALLEL_FROM`` children) draws the people
    in a second process; the directory is the same either way. Returns a
    summary. Raises ``Cancelled`` if ``cancelled()`` turns true; the partial
    file is then removed.
    """
    path = Path(path)
    recipe = load_recipe()
    today = today or date.today()
    total = total_children(children)
    report = progress or (lambda phase, done, total: None)
    if parallel is None:
        parallel = total >= PARALLEL_FROM
    tmp = path.with_name(path.name + ".building")
    for leftover in db.sqlite_files(tmp):
        leftover.unlink(missing_ok=True)
    conn = db.open_encrypted(tmp, key)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA secure_delete = OFF")
        schema.create_tables(conn)
        report("people", 0, total)
        done = households = 0
        conn.execute("BEGIN")
        for kind, payload in _items(seed, children, today, parallel):
            if kind == "static":
                assert isinstance(payload, dict)
                conn.executemany("INSERT INTO las (code, name, phone, email) VALUES (?,?,?,?)", payload["las"])
                conn.executemany("INSERT INTO settings VALUES (?,?,?,?,?,?,?,?,?)", payload["settings"])
                conn.executemany("INSERT INTO gp_practices VALUES (?,?,?,?,?,?,?)", payload["gp_practices"])
                conn.executemany("INSERT OR IGNORE INTO organisations (name, la_code, status) VALUES (?, ?, 'listed')",
                                 payload["organisations"])
            else:
                for table, sql in _INSERTS.items():
                    conn.executemany(sql, payload[table])
                done += len(payload["children"])
                households += len(payload["households"])
                report("people", done, total)
            if cancelled and cancelled():
                raise Cancelled()
        _add_users(conn, recipe, today, password or recipe["training_password"])
        _add_user_contacts(conn, recipe)
        for statement in schema.REGISTER_SEED:  # settings, GP practices, users' organisations (R-REC-5)
            conn.execute(statement)
        meta = {"schema_version": schema.SCHEMA_VERSION, "seed": str(seed), "children": str(done),
                "reference_date": today.isoformat(), "kind": "training"}
        conn.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
        conn.execute("COMMIT")
        report("vocabulary", 0, 1)
        conn.execute("BEGIN")  # one transaction, not one per row (the connection autocommits)
        search_index.build_vocabulary(conn)
        conn.execute("COMMIT")
        report("vocabulary", 1, 1)
        if cancelled and cancelled():
            raise Cancelled()
        report("indexes", 0, len(schema.INDEXES))
        schema.create_indexes(conn, lambda d, t: report("indexes", d, t))
        conn.close()
        os.replace(tmp, path)
        return {"children": done, "households": households}
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise


def _add_users(conn, recipe: dict, today: date, password: str) -> None:
    """The training directory's users: one per role, an LA team for every training LA, and accounts for the LA
    team to practise on -- a check that has expired, training not recorded, a user locked out after failed
    sign-ins (R-ROLE-3, R-ROLE-4).

    They share the training password, so it is hashed once (Argon2 is slow by design).
    """
    from .limits import Limits
    hashed = hash_password(password)
    for u in recipe["users"]:
        checked = latest_reaching(today, u["check_years_ago"])
        colleague = u["role"] == "colleague"  # R-ROLE-2 (issue 8): registered colleagues have no password
        conn.execute(
            "INSERT INTO users (username, display_name, role, la_code, organisation, password_hash, "
            "nominated, trained, check_date, trained_on, job_title) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (u["username"], u["display_name"], u["role"], u["la_code"], u["organisation"],
             "!" if colleague else hashed,
             int(u.get("nominated", True)), int(u.get("trained", True)), None if colleague else checked.toordinal(),
             checked.toordinal() if u.get("trained", True) else None, u.get("job_title", "")),
        )
        if u.get("locked_out"):  # as five wrong sign-ins in a row leave it, until the LA team unlocks it
            conn.execute("INSERT INTO signin_failures VALUES (?,?,?)",
                         (u["username"], Limits().failed_signins_before_lock, f"{today.isoformat()}T08:30:00+00:00"))


def _add_user_contacts(conn, recipe: dict) -> None:
    """Each training user's work phone and e-mail (drama and .example values), for the LA team to reach them
    (closure's chase list, R-CLOSE-3)."""
    conn.executemany("UPDATE users SET phone = ?, email = ? WHERE username = ?",
                     [(u.get("phone", ""), u.get("email", ""), u["username"]) for u in recipe["users"]])


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
