"""The documented training cast: at fixed ids in every directory, each showing
what its entry says, and found by the search its entry suggests."""
from __future__ import annotations

import re
from datetime import date, timedelta

from app import db, directory_id, generator, names, search_index, training_cast
from tests.conftest import TODAY

CAST = {c.key: c for c in training_cast.entries(TODAY)}


def _child(conn, entry) -> tuple:
    row = conn.execute("SELECT id, given_names, family_name, dob, gender, household_id, la_code, shielded_at "
                       "FROM children WHERE directory_id = ?", (directory_id.parse(entry.directory_id),)).fetchone()
    assert row is not None, entry.key
    return row


def _found_by(conn, try_search: str) -> set[int]:
    """The children whose index rows match what the entry tells a trainee to type."""
    m = re.fullmatch(r"Family name ([\w'-]+)(?:, given name (\w+))?, date of birth (\d\d)/(\d\d)/(\d{4})", try_search)
    assert m, try_search
    family, given, dd, mm, yyyy = m.groups()
    dob = date(int(yyyy), int(mm), int(dd)).toordinal()
    sql = "SELECT DISTINCT child_id FROM search_names WHERE family = ? AND dob = ?"
    args = [names.normalise(family), dob]
    if given:
        sql, args = sql + " AND given = ?", args + [names.normalise(given)]
    return {r[0] for r in conn.execute(sql, args)}


def test_the_cast_is_the_documented_one():
    assert set(CAST) == {"shielded", "shielded_sibling", "sensitive", "twin_1", "twin_2", "former_name",
                         "hyphenated", "turning_18", "two_las_nbr", "two_las_ash"}
    ids = [c.directory_id for c in CAST.values()]
    assert len(set(ids)) == len(ids)
    assert all(directory_id.parse(i) is not None and re.fullmatch(r"\d{3} \d{3} \d{4}", i) for i in ids)
    assert all(c.what and c.try_search and "\n" not in c.what + c.try_search for c in CAST.values())


def test_every_cast_child_is_in_the_directory_and_found_by_its_suggested_search(conn):
    for entry in CAST.values():
        cid, given, family, dob, _, _, la, _ = _child(conn, entry)
        assert (given, family, date.fromordinal(dob)) == (entry.given_names, entry.family_name, entry.dob)
        assert conn.execute("SELECT name FROM las WHERE code = ?", (la,)).fetchone()[0] == entry.la_name
        found = _found_by(conn, entry.try_search)
        assert cid in found, entry.key
        cast_ids = {_child(conn, c)[0] for c in CAST.values()}
        assert found <= cast_ids, f"{entry.key}: the suggested search also finds random children"
        assert conn.execute("SELECT count(*) FROM involvements WHERE child_id = ?", (cid,)).fetchone()[0] >= 1


def test_the_cast_is_in_a_directory_of_any_size_and_seed(tmp_path):
    key = db.new_key()
    generator.generate(tmp_path / "tiny.db", key, children=3, seed=99, today=date(2027, 2, 28))
    conn = db.open_encrypted(tmp_path / "tiny.db", key)
    try:
        ids = {r[0] for r in conn.execute("SELECT directory_id FROM children")}
    finally:
        conn.close()
    assert ids == {directory_id.parse(c.directory_id) for c in training_cast.entries(date(2027, 2, 28))}


def test_shielded_cast_child_is_withheld_from_postcode_and_former_name_searches(conn):
    """R-SHIELD-5: she keeps a former name and an address on record, but the index never leads to them."""
    cid, *_, shielded_at = _child(conn, CAST["shielded"])
    assert shielded_at is not None
    assert conn.execute("SELECT count(*) FROM other_names WHERE child_id = ?", (cid,)).fetchone()[0] == 2
    rows = conn.execute("SELECT family, postcode, kind FROM search_names WHERE child_id = ?", (cid,)).fetchall()
    assert rows and all(pc is None for _, pc, _ in rows)
    assert not {k for *_, k in rows} & search_index.HIDDEN_WHEN_SHIELDED
    assert {f for f, _, _ in rows} == {"TREVASKIS"}


def test_sensitive_cast_service_is_recorded_with_consent(conn):
    """R-SENS-2."""
    cid = _child(conn, CAST["sensitive"])[0]
    rows = conn.execute("SELECT consent_by, consent_on, ended FROM involvements WHERE child_id = ? "
                        "AND service = 'camhs'", (cid,)).fetchall()
    assert len(rows) == 1 and rows[0][0] == "child" and rows[0][1] is not None and rows[0][2] is None


def test_twins_share_a_date_of_birth_and_a_household(conn):
    a, b = _child(conn, CAST["twin_1"]), _child(conn, CAST["twin_2"])
    assert a[3] == b[3] and a[5] == b[5] and a[1] != b[1]
    assert _found_by(conn, CAST["twin_1"].try_search) == {a[0], b[0]}
    assert _found_by(conn, CAST["twin_2"].try_search) == {b[0]}


def test_former_and_hyphenated_names_are_indexed(conn):
    cid = _child(conn, CAST["former_name"])[0]
    assert (("HAVERSTOCK", search_index.FORMER) in
            conn.execute("SELECT family, kind FROM search_names WHERE child_id = ?", (cid,)).fetchall())
    cid = _child(conn, CAST["hyphenated"])[0]
    fams = {f for (f,) in conn.execute("SELECT family FROM search_names WHERE child_id = ?", (cid,))}
    assert fams == {"OKONKWOHART", "OKONKWO", "HART"}


def test_a_cast_child_turns_18_ten_days_after_the_reference_date(conn):
    entry = CAST["turning_18"]
    assert entry.dob == date(TODAY.year - 18, TODAY.month, TODAY.day) + timedelta(days=10)
    assert training_cast.turning_18_dob(date(2028, 2, 29), 10) == date(2010, 3, 10)
    assert _child(conn, entry)[3] == entry.dob.toordinal()


def test_a_family_across_two_las(conn):
    nbr, ash = _child(conn, CAST["two_las_nbr"]), _child(conn, CAST["two_las_ash"])
    assert (nbr[6], ash[6]) == ("NBR", "ASH") and nbr[5] != ash[5]
    homes = [conn.execute("SELECT line1, postcode FROM households WHERE id = ?", (c[5],)).fetchone()
             for c in (nbr, ash)]
    assert homes[0] != homes[1]

    def carers(hid):
        return conn.execute("SELECT given_names, family_name, line1, postcode FROM carers WHERE household_id = ?",
                            (hid,)).fetchall()
    assert {r[:2] for r in carers(nbr[5])} == {r[:2] for r in carers(ash[5])}
    # the parent who lives elsewhere is listed at the other household's address
    assert any(r[2:] == tuple(homes[1]) for r in carers(nbr[5]))
    assert any(r[2:] == tuple(homes[0]) for r in carers(ash[5]))


def _can_sign_in(conn, username: str) -> bool:
    """A training user who can sign in and so read their Signpost inbox (R-ROLE-4)."""
    row = conn.execute("SELECT role, enabled, nominated, trained, check_date FROM users WHERE username = ?",
                       (username,)).fetchone()
    return bool(row and row[0] != "colleague" and row[1] and row[2] and row[3] and row[4]
                and date.fromordinal(row[4]).replace(year=date.fromordinal(row[4]).year + 3) > TODAY)


def test_sensitive_services_in_northbridge_belong_to_practitioners_who_can_be_told(conn):
    """Issue 13 §3.3 (R-SENS-4): a contact request brokered by the Northbridge LA team reaches someone. Every
    sensitive involvement of a Northbridge child (the cast's CAMHS among them) is recorded by a training user who
    can sign in, under that user's own name, so a passed-on request lands in an inbox somebody reads."""
    rows = conn.execute(
        "SELECT i.recorded_by, i.practitioner, u.display_name, c.directory_id FROM involvements i "
        "JOIN children c ON c.id = i.child_id LEFT JOIN users u ON u.username = i.recorded_by "
        "WHERE c.la_code = 'NBR' AND i.service IN ('camhs', 'sexual_health', 'substance_misuse')").fetchall()
    assert len(rows) > 20
    owners = {by for by, *_ in rows}
    assert all(_can_sign_in(conn, by) for by in owners), owners
    assert all(who == name for by, who, name, _ in rows if by != "alex.practitioner")
    (jago,) = [by for by, _, _, did in rows if did == directory_id.parse(CAST["sensitive"].directory_id)]
    assert jago != "alex.practitioner" and conn.execute(
        "SELECT organisation FROM users WHERE username = ?", (jago,)).fetchone()[0] == "Northbridge CAMHS"


def test_the_shielded_childs_sister_is_held_until_the_la_team_decides(directory):
    """Issue 13 §3.1 (R-SHIELD-1/2/5): Kerensa shares Lowenna's household; at build her record already withholds
    the family's address and carers, and the index holds no postcode for her."""
    from app import records
    from tests.conftest import viewer_for
    cid = _child(directory.conn, CAST["shielded_sibling"])[0]
    assert _child(directory.conn, CAST["shielded_sibling"])[5] == _child(directory.conn, CAST["shielded"])[5]
    assert {pc for (pc,) in directory.conn.execute("SELECT postcode FROM search_names WHERE child_id = ?",
                                                   (cid,))} == {None}
    view = records.build(directory.store, viewer_for(directory, "alex.practitioner"), cid)
    assert view.household_withheld and view.address is None and view.carers == () and not view.shield_applied
