"""The records store (issue 16 §1): what ``app.records`` builds a viewer's view from (R-REC-1..4, R-SHIELD-1/4,
R-SENS-3) and what ``app.siblings`` decides a household by (issue 13 §3.1), on the training cast of the session's
directory (``app.training_cast``): Lowenna is shielded at build, Kerensa is her sister, the Greatorex twins live
elsewhere, Mabel has a former name, Jago has a sensitive involvement."""
from __future__ import annotations

from app import directory_id
from app.model import ServiceType

LOWENNA, KERENSA, TWIN_1, TWIN_2, MABEL, JAGO = ("900 000 0017", "900 000 0114", "900 000 0033", "900 000 0041",
                                                 "900 000 0068", "900 000 0025")
UNKNOWN = 999_999_999  # a row id no child has


def _id(store, did: str) -> int:
    got = store.records.child_id_for(directory_id.parse(did))
    assert got is not None, did
    return got


def test_a_directory_id_finds_its_child_and_an_unknown_one_gives_none(store):
    """R-REC-1: the directory id is the child's, both ways; policy refuses on None, never on a guess."""
    cid = _id(store, LOWENNA)
    assert store.records.directory_id_of(cid) == directory_id.parse(LOWENNA)
    assert _id(store, KERENSA) != cid
    assert store.records.child_id_for(directory_id.parse("900 000 9999") or 1) is None
    assert store.records.directory_id_of(UNKNOWN) is None


def test_a_childs_la_and_name_and_none_for_no_such_child(store):
    """What a refusal compares (R-ROLE-3: own LA) and what a contact request names."""
    cid = _id(store, LOWENNA)
    assert store.records.la_of(cid) == "NBR"
    assert store.records.la_of(_id(store, TWIN_1)) == "KVL"
    assert store.records.name_of(cid) == ("Lowenna Grace", "Trevaskis")
    assert store.records.la_of(UNKNOWN) is None
    assert store.records.name_of(UNKNOWN) is None


def test_the_childs_own_row_tells_a_shielded_record_apart(store):
    """R-SHIELD-1: ``build`` restricts by ``shielded_at``; the row carries what the restricted view shows."""
    shielded, sister = store.records.child(_id(store, LOWENNA)), store.records.child(_id(store, KERENSA))
    assert shielded is not None and sister is not None
    assert shielded.shielded_at is not None and sister.shielded_at is None
    assert (shielded.directory_id, shielded.given_names, shielded.family_name, shielded.la_code) == (
        directory_id.parse(LOWENNA), "Lowenna Grace", "Trevaskis", "NBR")
    assert shielded.household_id == sister.household_id
    assert store.records.child(UNKNOWN) is None


def test_an_archived_child_is_told_apart(store):
    """R-RET-2: a child archived by the sweep is gone from the live directory (``build`` refuses it)."""
    cid, other = _id(store, TWIN_1), _id(store, TWIN_2)
    assert not store.records.is_archived(cid)
    # arranged on the SQLite connection: archiving is the retention store's (another kind's) statement
    store.conn.execute("UPDATE children SET archived_on = ? WHERE id = ?", (740_000, cid))
    assert store.records.is_archived(cid)
    assert not store.records.is_archived(other)
    assert not store.records.is_archived(UNKNOWN)


def test_the_la_team_to_contact_and_none_for_no_such_la(store):
    """R-SENS-4: every record shows how to reach its LA's management team."""
    team = store.records.la_team("NBR")
    assert team is not None and team[0]
    assert store.records.la_team("ZZZ") is None


def test_the_household_around_a_child(store):
    """Issue 13 §3.1: the sister shares the household, both ways; the child is not its own sibling; twins of
    another family are not hers."""
    lowenna, kerensa, twin_1, twin_2 = (_id(store, x) for x in (LOWENNA, KERENSA, TWIN_1, TWIN_2))
    assert kerensa in store.records.household(lowenna)
    assert lowenna in store.records.household(kerensa)
    assert lowenna not in store.records.household(lowenna)
    assert twin_2 in store.records.household(twin_1) and lowenna not in store.records.household(twin_1)
    got = store.records.household(lowenna)
    assert got == sorted(set(got))
    assert store.records.household(UNKNOWN) == []
    assert store.records.household_of(lowenna) == store.records.household_of(kerensa) is not None
    assert store.records.household_of(lowenna) != store.records.household_of(twin_1)
    assert store.records.household_of(UNKNOWN) is None


def test_what_a_sister_shares_with_the_shielded_child(store):
    """Issue 13 §3.1: what ``siblings.withheld_carers`` and ``shared_places`` withhold is read from these."""
    lowenna, kerensa, twin_1 = (_id(store, x) for x in (LOWENNA, KERENSA, TWIN_1))
    assert store.records.shares_household(kerensa, [lowenna])
    assert not store.records.shares_household(twin_1, [lowenna])
    row = store.records.child(lowenna)
    assert row is not None
    home = store.records.household_address(row.household_id)
    assert home is not None
    assert store.records.homes_of([lowenna]) == {(home[0], home[3])}
    assert store.records.places_of([lowenna]) == [(row.setting_id, row.gp_id)]


def test_the_whereabouts_a_full_view_shows(store):
    """R-REC-2/3: the household's address, its carers, the setting and the GP; none for rows that do not exist."""
    row = store.records.child(_id(store, LOWENNA))
    assert row is not None
    home = store.records.household_address(row.household_id)
    assert home is not None and home[3]  # a postcode
    carers = store.records.carers(row.household_id)
    assert carers and all(c.family_name and c.relationship for c in carers)
    assert store.records.carers(UNKNOWN) == []
    assert store.records.household_address(UNKNOWN) is None
    if row.setting_id is not None:
        setting = store.records.setting(row.setting_id)
        assert setting is not None and setting[1]
    if row.gp_id is not None:
        gp = store.records.gp(row.gp_id)
        assert gp is not None and gp[0]
    assert store.records.setting(UNKNOWN) is None
    assert store.records.gp(UNKNOWN) is None


def test_former_names_and_the_leaving_facts(store):
    """R-REC-1 former names (withheld on a shielded record, R-SHIELD-1); R-RET-1 the facts the leaving date uses."""
    mabel = _id(store, MABEL)
    assert store.records.other_names(mabel)
    assert all(given and family for given, family in store.records.other_names(mabel))
    assert store.records.other_names(UNKNOWN) == []
    row = store.records.child(mabel)
    facts = store.records.leaving_facts(mabel)
    assert row is not None and facts is not None and facts[0] == row.dob
    assert store.records.leaving_facts(UNKNOWN) is None


def test_involvements_newest_first_and_one_by_id(store):
    """R-REC-4: the view lists them newest start first (then newest row); one is read by its id for an update;
    R-SENS-3: ``build`` withholds by the service, so the service comes back as stored."""
    jago = _id(store, JAGO)
    assert any(ServiceType(x.service).sensitive for x in store.records.involvements_of(jago))
    cid = next(c for c in range(1, 2000) if len(store.records.involvements_of(c)) >= 3)
    found = store.records.involvements_of(cid)
    assert [(x.started, x.id) for x in found] == sorted(((x.started, x.id) for x in found), reverse=True)
    assert len({x.started for x in found}) > 1  # the order is by start, not only by row
    assert all(x.recorded_by and x.service for x in found)
    one = found[-1]
    assert store.records.involvements_of(cid, one.id) == [one]
    assert store.records.involvements_of(jago if jago != cid else _id(store, KERENSA), one.id) == []
    assert store.records.involvements_of(UNKNOWN) == []


def test_the_las_of_several_children_are_each_named_once(store):
    """R-ROLE-3: a search's audit entry names every LA its results concern, so each LA team reads it."""
    rows = store.conn.execute("SELECT id, la_code FROM children ORDER BY id").fetchall()
    by_la: dict[str, int] = {}
    for cid, la in rows:
        by_la.setdefault(la, cid)
    assert len(by_la) >= 2
    ids = list(by_la.values()) + [rows[0][0]]
    assert store.records.las_of(ids) == set(by_la)
    assert store.records.las_of([ids[0]]) == {rows[0][1]}
    assert store.records.las_of([]) == set()
