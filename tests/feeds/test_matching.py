"""Matching incoming people to the directory (issue 17 items 3-4): links, new children, review, quarantine,
and the rules that keep twins and siblings apart (each test fails without the rule it names)."""
from __future__ import annotations

from datetime import date

from app import records
from app.directory.store.sqlite import SqliteStore
from app.feeds.matching.matcher import Matcher, Outcome
from app.feeds.matching.sqlcipher_facts import SqlcipherFacts
from app.feeds.records import NHS_NUMBER, Address
from tests.feeds.conftest import person
from tests.feeds.identifiers import DictIdentifiers

ELSEWHERE = Address("12 Harbour Road", "", "Ashcombe", "AS3 1PQ")


def random_children(conn, n: int):
    return conn.execute(
        "SELECT c.id, c.given_names, c.family_name, c.dob, c.gender, h.line1, h.town, h.postcode "
        "FROM children c JOIN households h ON h.id = c.household_id WHERE c.shielded_at IS NULL "
        "ORDER BY c.directory_id LIMIT ?", (n,)).fetchall()


def as_person(row, **changes):
    cid, given, family, dob, gender, line1, town, postcode = row
    base = dict(given=given, family=family, dob=date.fromordinal(dob), gender=gender,
                address=Address(line1, "", town, postcode))
    base.update(changes)
    return person(base.pop("given"), base.pop("family"), base.pop("dob"), base.pop("gender"), **base)


def test_children_as_the_directory_holds_them_are_linked_to_themselves(feed_conn, matcher):
    rows = random_children(feed_conn, 200)
    decisions = [matcher.match(1, as_person(r)) for r in rows]
    assert [(d.outcome, d.child_id) for d in decisions] == [(Outcome.LINK, r[0]) for r in rows]


def test_twins_at_one_address_stay_apart(kids, matcher):
    """rule twin: the same date of birth at one address with given names that differ is another child."""
    home = kids.home()
    oliver = kids.child(home, "Oliver James", "Featherstonehaugh", date(2016, 4, 9))
    harry = person("Harry", "Featherstonehaugh", date(2016, 4, 9), address=home.address)  # his twin, not yet held
    decision = matcher.match(1, harry)
    assert decision.outcome is Outcome.NEW and all(s.child_id != oliver for s in decision.candidates)
    assert matcher.match(2, person("Oliver", "Featherstonehaugh", date(2016, 4, 9), address=home.address)
                         ).child_id == oliver


def test_a_twin_who_shares_one_of_her_given_names_is_still_another_child(kids, matcher):
    """rule twin (found by the property test): Charlie Benjamin is held; Benjamin Ezequiel, born the same day in
    the same home, shares a given name but each has one the other lacks: a twin (or triplet), not Charlie. Charlie
    known by his second name, or with his names the other way round, is still Charlie."""
    home = kids.home()
    charlie = kids.child(home, "Charlie Benjamin", "Quillfeather", date(2021, 6, 15))
    decision = matcher.match(1, person("Benjamin Ezequiel", "Quillfeather", date(2021, 6, 15), address=home.address))
    assert decision.outcome is Outcome.NEW and all(s.child_id != charlie for s in decision.candidates)
    for given in ("Benjamin", "Benjamin Charlie"):
        again = person(given, "Quillfeather", date(2021, 6, 15), address=home.address)
        assert matcher.match(2, again).child_id == charlie


def test_a_twin_named_one_letter_from_the_other_is_never_linked_to_her(kids, matcher):
    """rule twin_named_alike: Eva is held; her twin Ava arrives: a real name one letter away is not a typo."""
    home = kids.home()
    kids.child(home, "Eva", "Wetherspoon", date(2017, 8, 1), "F")
    decision = matcher.match(1, person("Ava", "Wetherspoon", date(2017, 8, 1), "F", home.address))
    assert (decision.outcome, decision.reason) == (Outcome.REVIEW, "twin_named_alike")
    typo = matcher.match(2, person("Evq", "Wetherspoon", date(2017, 8, 1), "F", home.address))
    assert typo.outcome is Outcome.LINK  # no child is named Evq: a misspelling of Eva


def test_of_two_twins_the_one_named_is_linked_not_sent_to_review(kids, matcher):
    """rule twin_named: twins Ava and Eva (one letter apart): "Ava" is Ava, not ambiguous between them."""
    home = kids.home()
    ava = kids.child(home, "Ava", "Wetherspoon", date(2017, 8, 1), "F")
    eva = kids.child(home, "Eva", "Wetherspoon", date(2017, 8, 1), "F")
    for given, expected in (("Ava", ava), ("Eva", eva)):
        decision = matcher.match(1, person(given, "Wetherspoon", date(2017, 8, 1), "F", home.address))
        assert (decision.outcome, decision.child_id) == (Outcome.LINK, expected)


def test_a_sibling_is_never_linked(kids, matcher):
    """rule sibling: same family name and address, another date of birth and given name: a brother."""
    home = kids.home()
    tom = kids.child(home, "Tom", "Ravenscroft", date(2014, 2, 3))
    decision = matcher.match(1, person("Tim", "Ravenscroft", date(2016, 6, 20), address=home.address))
    assert decision.outcome is Outcome.NEW and all(s.child_id != tom for s in decision.candidates)


def test_same_named_children_at_one_address_are_never_linked(kids, matcher):
    """rule same_name_at_address: the same names at one address with another date of birth: the LA decides."""
    home = kids.home()
    kids.child(home, "Jack", "Ollerenshaw", date(2013, 5, 5))
    decision = matcher.match(1, person("Jack", "Ollerenshaw", date(2018, 9, 30), address=home.address))
    assert (decision.outcome, decision.reason) == (Outcome.REVIEW, "same_name_at_address")


def test_a_record_twice_in_the_directory_goes_to_review_not_to_either(kids, matcher):
    """Two candidates above the link threshold, neither far ahead: the LA decides (and sees the duplicate)."""
    home = kids.home()
    kids.child(home, "Poppy", "Arkwright", date(2015, 1, 20), "F")
    kids.child(home, "Poppy May", "Arkwright", date(2015, 1, 20), "F")
    decision = matcher.match(1, person("Poppy", "Arkwright", date(2015, 1, 20), "F", home.address))
    assert (decision.outcome, decision.reason) == (Outcome.REVIEW, "ambiguous")


def test_a_known_gender_that_differs_is_never_linked(kids, matcher):
    """rule gender_differs."""
    home = kids.home()
    kids.child(home, "Sam", "Blenkinsop", date(2012, 3, 3), "M")
    decision = matcher.match(1, person("Sam", "Blenkinsop", date(2012, 3, 3), "F", home.address))
    assert (decision.outcome, decision.reason) == (Outcome.REVIEW, "gender_differs")


def test_a_child_who_moved_and_changed_family_name_is_linked(feed_conn, matcher):
    """A GP registration with a new family name and a new address, the old postcode as the previous one."""
    rows = random_children(feed_conn, 40)
    for row in rows:
        p = as_person(row, family="Quenby-Marchbanks", address=ELSEWHERE, previous_postcodes=(row[7],))
        decision = matcher.match(1, p)
        assert (decision.outcome, decision.child_id) == (Outcome.LINK, row[0]), decision


def test_common_errors_are_linked(feed_conn, matcher):
    """Day and month swapped, a nickname, one letter wrong in the family name, a move: each still the child."""
    from app import names, nicknames
    from app.feeds.synthetic import typo
    rng = __import__("random").Random(4)
    rows = random_children(feed_conn, 300)
    swaps = [r for r in rows if date.fromordinal(r[3]).day <= 12 and date.fromordinal(r[3]).day
             != date.fromordinal(r[3]).month][:20]
    nicks = [r for r in rows if nicknames.variants(names.normalise(r[1].split(" ")[0]))][:20]
    for r in swaps:
        d = date.fromordinal(r[3])
        assert matcher.match(1, as_person(r, dob=date(d.year, d.day, d.month))).child_id == r[0]
    for r in nicks:
        nick = sorted(nicknames.variants(names.normalise(r[1].split(" ")[0])))[0].title()
        assert matcher.match(1, as_person(r, given=nick)).child_id == r[0]
    for r in rows[:20]:
        assert matcher.match(1, as_person(r, family=typo(r[2], rng))).child_id == r[0]
        assert matcher.match(1, as_person(r, address=ELSEWHERE)).child_id == r[0]
    assert len(swaps) == len(nicks) == 20


def test_a_trusted_identifier_links_across_a_changed_name_and_address(feed_conn):
    row = random_children(feed_conn, 1)[0]
    matcher = Matcher(SqlcipherFacts(feed_conn, DictIdentifiers({row[0]: "9434765919"})))
    p = as_person(row, family="Zanetti", given="Mx", address=ELSEWHERE, identifiers=((NHS_NUMBER, "9434765919"),))
    decision = matcher.match(1, p)
    assert (decision.outcome, decision.child_id, decision.reason) == (Outcome.LINK, row[0], "identifier")
    other_dob = matcher.match(1, as_person(row, dob=date(2003, 1, 1), identifiers=((NHS_NUMBER, "9434765919"),)))
    assert other_dob.outcome is Outcome.REVIEW


def test_another_number_of_the_same_scheme_sets_a_child_apart(feed_conn):
    """rule identifier_differs: the directory holds another NHS number for this child."""
    row = random_children(feed_conn, 1)[0]
    matcher = Matcher(SqlcipherFacts(feed_conn, DictIdentifiers({row[0]: "9434765919"})))
    decision = matcher.match(1, as_person(row, identifiers=((NHS_NUMBER, "4010232137"),)))
    assert decision.outcome is Outcome.NEW and decision.child_id is None


def test_a_shielded_childs_duplicate_is_quarantined(feed_conn, matcher):
    """R-SHIELD-1/5: Lowenna's GP registration, under her current name and her withheld address, is held
    beside her, never linked or offered as a new child."""
    cid, given, family, dob, gender, postcode, line1, town = feed_conn.execute(
        "SELECT c.id, c.given_names, c.family_name, c.dob, c.gender, h.postcode, h.line1, h.town FROM children c "
        "JOIN households h ON h.id = c.household_id WHERE c.directory_id = 9000000017").fetchone()
    decision = matcher.match(1, person(given, family, date.fromordinal(dob), gender,
                                       Address(line1, "", town, postcode)))
    assert (decision.outcome, decision.child_id) == (Outcome.QUARANTINE, cid)


def test_a_shielded_child_is_found_under_her_withheld_former_name(feed_conn, matcher):
    """R-SHIELD-5 withholds her former name (Pendarves) from the search index; matching reads the record."""
    cid, dob = feed_conn.execute("SELECT id, dob FROM children WHERE directory_id = 9000000017").fetchone()
    decision = matcher.match(1, person("Lowenna", "Pendarves", date.fromordinal(dob), "F", ELSEWHERE))
    assert (decision.outcome, decision.child_id) == (Outcome.QUARANTINE, cid)
    family = next(level for level in decision.candidates[0].levels if level.comparison == "family")
    assert family.name == "former_name"


def test_a_shield_set_at_run_time_quarantines_the_next_match(feed_conn, matcher):
    """R-SHIELD-2: the shield takes effect at once, for matching too (no cached shield state)."""
    row = random_children(feed_conn, 1)[0]
    assert matcher.match(1, as_person(row)).outcome is Outcome.LINK
    assert records.shield(SqliteStore(feed_conn), feed_conn, row[0], "2026-11-21T10:00:00")
    decision = matcher.match(2, as_person(row))
    assert (decision.outcome, decision.child_id) == (Outcome.QUARANTINE, row[0])
