"""The training directory generator: reproducible, honest progress, and
diversity that grows with size as real data does."""
from __future__ import annotations

import hashlib
import os
import random
import re
from pathlib import Path

import pytest

from app import db, generator, generator_pools, search_index, siblings
from tests.conftest import TODAY

TABLES = ("children", "households", "carers", "other_names", "involvements", "search_names", "settings",
          "gp_practices", "las")


def _digest(path, key) -> dict[str, str]:
    conn = db.open_encrypted(path, key)
    try:
        return {t: hashlib.sha256(repr(conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()).encode())
                .hexdigest() for t in TABLES}
    finally:
        conn.close()


def test_same_seed_size_and_date_give_the_same_directory_in_one_process_or_two(tmp_path):
    key = db.new_key()
    generator.generate(tmp_path / "a.db", key, children=3000, seed=5, today=TODAY, parallel=False)
    generator.generate(tmp_path / "b.db", key, children=3000, seed=5, today=TODAY, parallel=True)
    generator.generate(tmp_path / "c.db", key, children=3000, seed=6, today=TODAY, parallel=False)
    a, b, c = (_digest(tmp_path / f"{x}.db", key) for x in "abc")
    assert a == b
    assert a["children"] != c["children"] and a["search_names"] != c["search_names"]


def test_progress_runs_phase_by_phase_never_past_its_total(tmp_path):
    seen = []
    made = generator.generate(tmp_path / "p.db", db.new_key(), children=20_000, today=TODAY,
                              progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert made["children"] == 20_000
    phases = [p for p, _, _ in seen]
    assert list(dict.fromkeys(phases)) == ["people", "vocabulary", "indexes"]
    assert phases == sorted(phases, key=["people", "vocabulary", "indexes"].index), "no phase restarts"
    for phase in ("people", "vocabulary", "indexes"):
        calls = [(d, t) for p, d, t in seen if p == phase]
        assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1], phase
        assert all(0 <= d <= t for d, t in calls), phase
        assert [d for d, _ in calls] == sorted(d for d, _ in calls), phase
    assert ("people", 20_000, 20_000) in seen


def _child_processes() -> set[str]:
    found = set()
    for tasks in Path(f"/proc/{os.getpid()}/task").iterdir():
        found |= set((tasks / "children").read_text().split())
    return found


def test_cancelled_parallel_build_leaves_no_file_and_no_builder(tmp_path):
    before = _child_processes()
    with pytest.raises(generator.Cancelled):
        generator.generate(tmp_path / "d.db", db.new_key(), children=200_000, today=TODAY, parallel=True,
                           cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []
    assert _child_processes() <= before


def _distinct(path, key) -> tuple[int, int]:
    conn = db.open_encrypted(path, key)
    try:
        return (conn.execute("SELECT count(DISTINCT family) FROM search_names WHERE kind = 0").fetchone()[0],
                conn.execute("SELECT count(DISTINCT given) FROM search_names WHERE kind = 0").fetchone()[0])
    finally:
        conn.close()


def test_name_diversity_grows_with_the_directory(tmp_path, built_directory):
    key = db.new_key()
    generator.generate(tmp_path / "small.db", key, children=2000, seed=7, today=TODAY)
    small_family, small_given = _distinct(tmp_path / "small.db", key)
    family, given = _distinct(*built_directory)  # 20,000 children
    assert family > 3 * small_family and given > 2 * small_given
    assert family > 4000, "a directory of 20,000 children has thousands of family names"


def test_smith_is_about_one_child_in_a_hundred(conn):
    n = conn.execute("SELECT count(*) FROM children").fetchone()[0]
    smiths = conn.execute("SELECT count(*) FROM children WHERE family_name = 'Smith'").fetchone()[0]
    assert 0.007 < smiths / n < 0.017


def test_formal_names_with_nicknames_are_common(conn):
    """Nickname searches (Bill for William, R-SEARCH-4) need real children with the formal names."""
    for formal in ("William", "Margaret", "Elizabeth", "James", "Alexander", "Theodore", "Archibald"):
        n = conn.execute("SELECT count(*) FROM children WHERE given_names = ? OR given_names LIKE ?",
                         (formal, f"{formal} %")).fetchone()[0]
        assert n >= 20, formal


def test_place_pools_grow_to_englands_size():
    """About 150 LAs and 3,000 postcode districts for 11 million children; the named LAs always."""
    recipe = generator_pools.load_recipe()
    named = [la["code"] for la in recipe["local_authorities"]]
    small = generator_pools.local_authorities(recipe, 20_000, random.Random(1))
    million = generator_pools.local_authorities(recipe, 1_000_000, random.Random(1))
    england = generator_pools.local_authorities(recipe, 11_000_000, random.Random(1))
    assert [la.code for la in small] == named
    assert len(million) == 14 and [la.code for la in million[:6]] == named
    assert len(england) == 150
    districts = [d for la in england for d in la.districts]
    assert 2700 <= len(districts) <= 3100 and len(set(districts)) == len(districts)
    assert all(re.fullmatch(r"[A-Z]{1,2}\d{1,2}", d) and 1 <= int(d.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) <= 99
               for d in districts)
    assert len({la.code for la in england}) == 150 and len({la.name for la in england}) == 150
    towns = [t for la in england for t in la.towns]
    assert len(set(towns)) == len(towns) and len(towns) > len(small) * len(small[0].towns) * 20
    assert len(million[0].towns) > len(small[0].towns)


def test_every_postcode_looks_real(conn):
    unit = r"[A-Z]{1,2}\d{1,2} \d[ABD-HJLNP-UW-Z]{2}"
    for table in ("households", "settings", "gp_practices"):
        bad = [p for (p,) in conn.execute(f"SELECT postcode FROM {table}") if not re.fullmatch(unit, p)]
        assert bad == [], table


def test_shielded_children_are_indexed_only_by_what_stays_visible(conn):
    """R-SHIELD-5 / R-SHIELD-1: no postcode, no former or alternative name in the index."""
    hidden = ",".join(str(k) for k in search_index.HIDDEN_WHEN_SHIELDED)
    shielded = conn.execute("SELECT count(*) FROM children WHERE shielded_at IS NOT NULL").fetchone()[0]
    assert shielded > 50
    leaks = conn.execute(
        "SELECT count(*) FROM search_names s JOIN children c ON c.id = s.child_id WHERE c.shielded_at IS NOT NULL "
        f"AND (s.postcode IS NOT NULL OR s.kind IN ({hidden}))").fetchone()[0]
    assert leaks == 0
    # ...while an unshielded child is found by its postcode and its former names
    assert conn.execute(
        "SELECT count(*) FROM search_names s JOIN children c ON c.id = s.child_id WHERE c.shielded_at IS NULL "
        f"AND s.kind IN ({hidden})").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM search_names s JOIN children c ON c.id = s.child_id "
                        f"WHERE c.shielded_at IS NULL AND NOT {siblings.held_sql('c', home=True)} "
                        "AND s.postcode IS NULL").fetchone()[0] == 0
    # R-SHIELD-5 (issue 13 §3.1): a sibling a shield holds has no postcode in the index either
    assert conn.execute("SELECT count(*) FROM search_names s JOIN children c ON c.id = s.child_id "
                        f"WHERE c.shielded_at IS NULL AND {siblings.held_sql('c', home=True)} "
                        "AND s.postcode IS NOT NULL").fetchone()[0] == 0


def test_every_child_is_in_the_search_index(conn):
    assert conn.execute("SELECT count(*) FROM children WHERE id NOT IN "
                        "(SELECT child_id FROM search_names WHERE kind = 0)").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM name_vocab").fetchone()[0] > 0


def test_every_formal_name_with_nicknames_is_common_in_the_name_pools():
    """If this fails after resources/nicknames.json changed, run resources/names/build_pools.py."""
    from app import nicknames
    share = {}
    for kind in ("given_F", "given_M"):
        pool = generator_pools.name_pool(kind)
        for name, w in zip(pool.items, pool.weights()):
            share[name] = max(share.get(name, 0.0), w / pool.total)
    rare = [n for n in nicknames.formal_names() if share.get(n, 0.0) < 0.001]
    assert rare == [], "formal names rarer than 1 child in 1,000"


# -- la-admin: the training set-up's users (issue 14 §2.1, R-ROLE-3, R-ROLE-4) ---------------------------------
def test_every_training_la_has_an_la_team_and_accounts_to_practise_on(directory):
    """R-ROLE-3: every named training LA has its own LA team (lee.lapsed and kim.untrained had nobody to help
    them); Northbridge's team has a user locked out and a check that has expired to practise on."""
    from app.model import Role
    named = {la["code"] for la in generator.load_recipe()["local_authorities"]}
    teams = {la for (la,) in directory.conn.execute("SELECT la_code FROM users WHERE role = 'la_management'")}
    assert named <= teams
    for username in ("lee.lapsed", "kim.untrained", "chris.locked", "dee.expired"):
        user = directory.user(username)
        assert user.role is Role.PRACTITIONER and user.la_code in teams
    assert directory.account_problem(directory.user("lee.lapsed"))[1] == "account.check_expired"
    assert directory.account_problem(directory.user("kim.untrained"))[1] == "account.not_trained"
    assert directory.account_problem(directory.user("dee.expired")) == ("criminal-records check expired",
                                                                        "account.check_expired",
                                                                        {"expired_on": TODAY.isoformat()})
    assert directory._locked_out("chris.locked") and directory.account_problem(directory.user("chris.locked")) is None
