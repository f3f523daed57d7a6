"""Search rules, enforced by the engine (R-SEARCH-*, R-SHIELD-5, R-ROLE-2)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import directory_id, siblings
from app.directory import AccessRefused, SearchRefused
from app.model import AccessReason, Colleague, Match, Reason, SearchHit
from app.search import CAP, Criteria
from tests.conftest import viewer_for


def child(directory, where: str, args=()):
    row = directory.conn.execute(
        "SELECT c.id, c.directory_id, c.given_names, c.family_name, c.dob, h.postcode FROM children c "
        f"JOIN households h ON h.id = c.household_id WHERE {where} ORDER BY c.id LIMIT 1", args).fetchone()
    assert row, f"the training data has no child where {where}"
    cid, did, given, family, dob, postcode = row
    return dict(id=directory_id.fmt(did), row=cid, did=directory_id.fmt(did), given=given, family=family,
                dob=date.fromordinal(dob), postcode=postcode)


def ref(directory, child_row_id: int) -> str:
    """The directory id shown for an internal row id (the engine only ever hands out directory ids)."""
    return directory_id.fmt(directory.conn.execute("SELECT directory_id FROM children WHERE id = ?",
                                                   (child_row_id,)).fetchone()[0])


def ids(outcome):
    return [h.directory_id for h in outcome.hits]


def test_exact_name_and_date_of_birth_finds_the_child_first(directory, practitioner, reason):
    c = child(directory, "c.shielded_at IS NULL")
    out = directory.search(practitioner, Criteria(family_name=c["family"], dob=c["dob"]), reason)
    assert out.hits[0].directory_id == c["id"] and out.hits[0].exact and out.hits[0].match == ()


def test_directory_id_alone_is_enough(directory, practitioner, reason):
    """R-SEARCH-2: a directory id alone finds its record."""
    c = child(directory, "1=1")
    out = directory.search(practitioner, Criteria(directory_id=c["did"]), reason)
    assert ids(out) == [c["id"]]


def test_mistyped_directory_id_is_caught_by_its_check_digit(directory, practitioner, reason):
    c = child(directory, "1=1")
    digits = c["did"].replace(" ", "")
    wrong = digits[:3] + str((int(digits[3]) + 1) % 10) + digits[4:]
    with pytest.raises(SearchRefused, match="not valid"):
        directory.search(practitioner, Criteria(directory_id=wrong), reason)


@pytest.mark.parametrize("criteria, says", [
    (Criteria(family_name="Smith"), "Add a date of birth, a postcode, or a given name with an age range"),
    (Criteria(family_name="Smith", given_name="Poppy"), "Add a date of birth, a postcode, or an age range"),
    (Criteria(given_name="Poppy", dob=date(2015, 1, 1)), "Enter the child's family name"),
    (Criteria(family_name="Smith", dob=date(2010, 1, 1), dob_to=date(2014, 1, 1)), "2 years or less"),
    (Criteria(family_name="Smith", given_name="Poppy", age_from=2, age_to=12), "4 years or less"),
    (Criteria(family_name="Smith", postcode="not a postcode"), "postcode like"),
])
def test_broad_search_is_refused_with_what_to_add(directory, practitioner, reason, criteria, says):
    """R-SEARCH-2: broad queries are refused with a message saying what to add."""
    with pytest.raises(SearchRefused, match=says):
        directory.search(practitioner, criteria, reason)


def test_refused_search_is_audited(directory, practitioner, reason):
    with pytest.raises(SearchRefused):
        directory.search(practitioner, Criteria(family_name="Smith"), reason)
    last = directory.conn.execute("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert last[0] == "search_refused" and "Smith" in last[1]


def test_more_matches_than_the_cap_answer_refine_not_a_cut_list(directory, practitioner, reason):
    """R-SEARCH-3."""
    family = directory.conn.execute(
        "SELECT family_name FROM children GROUP BY family_name ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    out = directory.search(practitioner, Criteria(family_name=family, dob=date(2012, 1, 1),
                                                  dob_to=date(2013, 12, 31)), reason)
    n = directory.conn.execute("SELECT count(*) FROM children WHERE family_name = ? AND dob BETWEEN ? AND ?",
                               (family, date(2012, 1, 1).toordinal(), date(2013, 12, 31).toordinal())).fetchone()[0]
    assert n > CAP, "the fixture should have more than CAP such children"
    assert out.refine and out.hits == ()
    assert "Add or narrow" in out.message


def test_sound_alike_family_name_matches_but_ranks_after_exact(directory, practitioner, reason):
    """R-SEARCH-4: phonetic matching; exact matches rank first."""
    c = child(directory, "c.family_name = 'Smith' AND c.shielded_at IS NULL")
    out = directory.search(practitioner, Criteria(family_name="Smyth", dob=c["dob"]), reason)
    hit = next(h for h in out.hits if h.directory_id == c["id"])
    assert not hit.exact and hit.match == (Match.SOUNDS_LIKE,)
    exact = directory.search(practitioner, Criteria(family_name="Smith", dob=c["dob"]), reason)
    assert exact.hits[0].exact and exact.hits[0].name.family_name == "Smith"


def test_transposed_letters_still_match(directory, practitioner, reason):
    c = child(directory, "c.family_name = 'Johnson'")
    out = directory.search(practitioner, Criteria(family_name="Jonhson", dob=c["dob"]), reason)
    assert c["id"] in ids(out)


def test_swapped_day_and_month_still_matches(directory, practitioner, reason):
    """R-SEARCH-4: a date of birth with day and month transposed."""
    # a child whose day is 12 or less and differs from the month
    for row in directory.conn.execute("SELECT id, family_name, dob FROM children WHERE shielded_at IS NULL"):
        dob = date.fromordinal(row[2])
        if dob.day <= 12 and dob.day != dob.month:
            break
    swapped = date(dob.year, dob.day, dob.month)
    out = directory.search(practitioner, Criteria(family_name=row[1], dob=swapped), reason)
    assert ref(directory, row[0]) in ids(out)
    assert next(h for h in out.hits if h.directory_id == ref(directory, row[0])).match == (Match.DOB_SWAPPED,)


def test_former_family_name_finds_the_child(directory, practitioner, reason):
    """R-SEARCH-4: former names."""
    cid, former, dob = directory.conn.execute(
        "SELECT o.child_id, o.family_name, c.dob FROM other_names o JOIN children c ON c.id = o.child_id "
        "WHERE o.family_name != c.family_name AND c.shielded_at IS NULL LIMIT 1").fetchone()
    out = directory.search(practitioner, Criteria(family_name=former, dob=date.fromordinal(dob)), reason)
    hit = next(h for h in out.hits if h.directory_id == ref(directory, cid))
    assert Match.FORMER_NAME in hit.match and not hit.exact  # a former-name hit is not labelled Exact


def test_short_date_of_birth_range(directory, practitioner, reason):
    c = child(directory, "c.family_name = 'Johnson'")
    out = directory.search(practitioner, Criteria(family_name="Johnson", dob=c["dob"] - timedelta(days=40),
                                                  dob_to=c["dob"] + timedelta(days=40)), reason)
    assert c["id"] in ids(out)


def test_given_name_with_age_range(directory, practitioner, reason):
    c = child(directory, "c.family_name = 'Johnson'")
    from tests.conftest import TODAY
    age = (TODAY - c["dob"]).days // 365
    given = c["given"].split(" ")[0]
    out = directory.search(practitioner, Criteria(family_name="Johnson", given_name=given,
                                                  age_from=max(0, age - 1), age_to=age + 1), reason)
    assert c["id"] in ids(out)


def test_partial_postcode_finds_a_child(directory, practitioner, reason):
    c = child(directory, "c.shielded_at IS NULL AND c.family_name = 'Johnson'")
    outward = c["postcode"].split(" ")[0]
    out = directory.search(practitioner, Criteria(family_name="Johnson", dob=c["dob"], postcode=outward.lower()),
                           reason)
    assert c["id"] in ids(out)
    elsewhere = "ZZ9" if not outward.startswith("ZZ") else "YY9"
    out = directory.search(practitioner, Criteria(family_name="Johnson", dob=c["dob"], postcode=elsewhere), reason)
    assert c["id"] not in ids(out)
    sector = c["postcode"][:-2]
    out = directory.search(practitioner, Criteria(family_name="Johnson", postcode=sector), reason)
    assert c["id"] in ids(out)


def test_shielded_child_is_never_found_by_postcode(directory, practitioner, la_team, reason):
    """R-SHIELD-5: a postcode in the criteria never leads to a shielded record."""
    c = child(directory, "c.shielded_at IS NOT NULL")
    for who in (practitioner, la_team):
        out = directory.search(who, Criteria(family_name=c["family"], postcode=c["postcode"]), reason)
        assert c["id"] not in ids(out)
        out = directory.search(who, Criteria(family_name=c["family"], dob=c["dob"], postcode=c["postcode"]), reason)
        assert c["id"] not in ids(out)
    # ...but the fields that stay visible do find it.
    out = directory.search(practitioner, Criteria(family_name=c["family"], dob=c["dob"]), reason)
    assert c["id"] in ids(out)


def test_results_carry_only_what_is_needed_to_pick_the_child(directory, practitioner, reason):
    """R-SEARCH-5: name, date of birth, gender, town; no address, carers or services."""
    assert set(SearchHit.__dataclass_fields__) == {"directory_id", "name", "dob", "gender", "locality", "match"}
    c = child(directory, "c.shielded_at IS NOT NULL")
    out = directory.search(practitioner, Criteria(family_name=c["family"], dob=c["dob"]), reason)
    hit = next(h for h in out.hits if h.directory_id == c["id"])
    assert hit.locality == ""  # R-SHIELD-1: no whereabouts for a shielded child


def test_postcode_only_search_is_for_the_la_team(directory, practitioner, la_team, reason):
    """R-SEARCH-7 (a child no shield in its household holds: app.siblings)."""
    c = child(directory, f"c.shielded_at IS NULL AND NOT {siblings.held_sql('c')}")
    with pytest.raises(SearchRefused, match="LA management team"):
        directory.search(practitioner, Criteria(postcode=c["postcode"]), reason)
    out = directory.search(la_team, Criteria(postcode=c["postcode"]), Reason(AccessReason.LA_MONITORING))
    assert c["id"] in ids(out)


def test_every_search_needs_a_reason_with_detail_for_other(directory, practitioner):
    """R-SEARCH-1."""
    with pytest.raises(AccessRefused, match="detail"):
        directory.search(practitioner, Criteria(family_name="Smith", dob=date(2015, 1, 1)),
                         Reason(AccessReason.OTHER, ""))


def test_mediating_user_must_name_the_colleague_and_both_are_audited(directory, reason):
    """R-ROLE-2."""
    bare = viewer_for(directory, "morgan.mediator")
    with pytest.raises(AccessRefused, match="colleague"):
        directory.search(bare, Criteria(family_name="Smith", dob=date(2015, 1, 1)), reason)
    acting = viewer_for(directory, "morgan.mediator", Colleague("Dr Priya Shah", "Elmby Surgery", "priya.shah"))
    directory.search(acting, Criteria(family_name="Smith", dob=date(2015, 1, 1)), reason)
    actor, obo, why = directory.conn.execute(
        "SELECT actor, on_behalf_of, reason FROM audit WHERE action = 'search' ORDER BY seq DESC").fetchone()
    assert actor == "morgan.mediator" and obo == "Dr Priya Shah (Elmby Surgery)" and why == reason.text()


def test_a_search_is_audited_with_its_criteria_and_the_ids_returned(directory, practitioner, reason):
    """R-AUDIT-1."""
    c = child(directory, "c.shielded_at IS NULL")
    directory.search(practitioner, Criteria(family_name=c["family"], dob=c["dob"]), reason)
    import json
    detail = json.loads(directory.conn.execute(
        "SELECT detail FROM audit WHERE action = 'search' ORDER BY seq DESC").fetchone()[0])
    assert detail["criteria"]["family_name"] == c["family"]
    assert c["did"] in detail["returned"]
    assert all(" " in r and len(r) == 12 for r in detail["returned"])  # directory ids, never row ids


def test_a_swapped_date_that_would_be_in_the_future_is_still_tried(directory, practitioner, reason):
    """R-SEARCH-4: 03/12 typed for 12/03 of this year, when 3 December has not come yet."""
    from tests.conftest import TODAY
    dob = date(TODAY.year, 3, 12)
    directory.conn.execute("UPDATE children SET dob = ? WHERE id = 1", (dob.toordinal(),))
    directory.conn.execute("UPDATE search_names SET dob = ? WHERE child_id = 1", (dob.toordinal(),))
    family = directory.conn.execute("SELECT family_name FROM children WHERE id = 1").fetchone()[0]
    typed = date(TODAY.year, 12, 3)
    assert typed > TODAY
    out = directory.search(practitioner, Criteria(family_name=family, dob=typed), reason)
    assert ref(directory, 1) in ids(out)
    with pytest.raises(SearchRefused, match="in the future"):
        directory.search(practitioner, Criteria(family_name=family, dob=date(TODAY.year, 12, 25)), reason)
