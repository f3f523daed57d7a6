"""Retention on the engine, with the clock the tests set (R-RET-1, R-RET-2, R-RET-3)."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from app import dates
from app import directory_id as ids
from app.directory.work import operations as ops
from app.directory.work import retention
from app.directory.work import types as t
from app.model import AccessReason, Reason, ServiceType
from app.refusals import AccessRefused, NoSuchRecord
from app.search import Criteria
from tests.conftest import TODAY, add_child, viewer_for

REASON = Reason(AccessReason.PROVIDING_SERVICE)


def _row(directory, did):
    return directory.conn.execute(
        "SELECT id, archived_on, archived_why, destroy_on FROM children WHERE directory_id = ?",
        (ids.parse(did),)).fetchone()


def _found(directory, did, **criteria) -> bool:
    who = viewer_for(directory, "alex.practitioner")
    hits = directory.search(who, Criteria(**(criteria or {"directory_id": did})), REASON).hits
    return did in [h.directory_id for h in hits]


def _at(directory, day: date) -> None:
    directory.clock = lambda: day


def test_a_record_leaves_on_the_18th_birthday_not_the_day_before(directory):
    """R-RET-1, R-RET-2: found the day before; on the birthday it is archived, not found, and gone when opened."""
    did = add_child(directory, "Odette", "Pellingham", date(2008, 12, 3))
    _at(directory, date(2026, 12, 2))
    directory.apply_retention()
    assert _row(directory, did)[1] is None
    alex = viewer_for(directory, "alex.practitioner")
    assert directory.search(alex, Criteria(directory_id=did), REASON).hits  # granted to this session
    _at(directory, date(2026, 12, 3))
    counts = directory.apply_retention()
    cid, archived_on, why, destroy_on = _row(directory, did)
    assert (date.fromordinal(archived_on), why, date.fromordinal(destroy_on)) == (
        date(2026, 12, 3), "age", date(2032, 12, 3))
    assert counts["archived"] >= 1 and counts["archived_why"]["age"] >= 1
    assert not _found(directory, did)
    assert not _found(directory, did, family_name="Pellingham", dob=date(2008, 12, 3))
    assert directory.conn.execute("SELECT count(*) FROM search_names WHERE child_id = ?", (cid,)).fetchone()[0] == 0
    with pytest.raises(NoSuchRecord) as exc:  # even from a result this session was given before
        directory.view_record(alex, did, REASON)
    assert exc.value.code == "record.gone"


def test_a_29_february_birthday_leaves_on_1_march(directory):
    did = add_child(directory, "Leapy", "Marchbank", date(2008, 2, 29))
    directory.apply_retention(date(2026, 2, 28))
    assert _row(directory, did)[1] is None
    directory.apply_retention(date(2026, 3, 1))
    assert _row(directory, did)[1] == date(2026, 3, 1).toordinal()


def test_consent_keeps_a_record_live_until_19_or_25(directory, la_team):
    """R-RET-1: with consent recorded by the LA team the record stays to 19 (or 25 for a care leaver)."""
    to19 = add_child(directory, "Nineteen", "Stayford", date(2008, 12, 25))
    to25 = add_child(directory, "Twentyfive", "Stayford", date(2008, 12, 25))
    directory.perform(ops.RECORD_RETENTION_FACT, la_team, t.RetentionChange(to19, t.RetentionFact.CONSENT_TO_19, TODAY))
    directory.perform(ops.RECORD_RETENTION_FACT, la_team, t.RetentionChange(to25, t.RetentionFact.CONSENT_TO_25, TODAY))
    directory.apply_retention(date(2026, 12, 25))
    assert _row(directory, to19)[1] is None and _row(directory, to25)[1] is None
    directory.apply_retention(date(2027, 12, 25))
    assert _row(directory, to19)[2] == "consent_age" and _row(directory, to25)[1] is None
    directory.apply_retention(date(2033, 12, 24))
    assert _row(directory, to25)[1] is None
    directory.apply_retention(date(2033, 12, 25))
    assert _row(directory, to25)[2] == "consent_age"


def test_a_death_takes_the_record_out_a_year_later(directory, la_team):
    did = add_child(directory, "Rowan", "Ashcombe", date(2015, 5, 5))
    directory.perform(ops.RECORD_RETENTION_FACT, la_team, t.RetentionChange(did, t.RetentionFact.DIED, TODAY))
    assert _found(directory, did)  # still live for the year
    directory.apply_retention(date(2027, 11, 20))
    assert _row(directory, did)[1] is None
    directory.apply_retention(date(2027, 11, 21))
    assert _row(directory, did)[2] == "died"
    assert not _found(directory, did)


def test_a_death_recorded_more_than_a_year_late_archives_at_once_with_the_rule_date(directory, la_team):
    did = add_child(directory, "Hazel", "Ashcombe", date(2012, 1, 9))
    died = date(2025, 6, 1)
    directory.perform(ops.RECORD_RETENTION_FACT, la_team, t.RetentionChange(did, t.RetentionFact.DIED, died))
    _, archived_on, why, destroy_on = _row(directory, did)
    assert (date.fromordinal(archived_on), why, date.fromordinal(destroy_on)) == (
        date(2026, 6, 1), "died", date(2032, 6, 1))
    assert not _found(directory, did)


def test_leaving_england_takes_the_record_out_after_more_than_three_years(directory, la_team):
    did = add_child(directory, "Kit", "Faraway", date(2016, 2, 2))
    directory.perform(ops.RECORD_RETENTION_FACT, la_team,
                      t.RetentionChange(did, t.RetentionFact.LEFT_ENGLAND, date(2026, 1, 10)))
    directory.apply_retention(date(2029, 1, 10))  # exactly three years: not more than three
    assert _row(directory, did)[1] is None
    directory.apply_retention(date(2029, 1, 11))
    assert _row(directory, did)[2] == "left_england"


def test_after_six_years_in_the_archive_every_row_about_the_child_is_destroyed(directory, la_team):
    """R-RET-2: children, names, involvements, household and carers, shields, requests, notices go; the audit
    keeps what it had (append-only) and gains a sweep entry with counts, never a name."""
    conn = directory.conn
    did = add_child(directory, "Perpetua", "Vanishing", date(2008, 12, 1), other_names=[("Perpetua", "Oldname")])
    cid = _row(directory, did)[0]
    hid = conn.execute("SELECT household_id FROM children WHERE id = ?", (cid,)).fetchone()[0]
    conn.execute("INSERT INTO carers (household_id, given_names, family_name, relationship, phone) "
                 "VALUES (?, 'Carer', 'Vanishing', 'mother', '0191 000 0000')", (hid,))
    conn.execute("INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, "
                 "started, recorded_by) VALUES (?, 'school_nurse', 'Org', 'P Person', 'Nurse', '1', 'a@b.cc', ?, "
                 "'alex.practitioner')", (cid, TODAY.toordinal()))
    conn.execute("INSERT INTO shields VALUES (?, 'risk', 'sam.cp', 'x', ?, 0)", (cid, TODAY.toordinal()))
    conn.execute("INSERT INTO notices (username, at, kind, child_id) "
                 "VALUES ('alex.practitioner', 'x', 'also_working', ?)", (cid,))
    conn.execute("INSERT INTO contact_requests (child_id, involvement_id, requested_by, phone, email, requested_at, "
                 "status, la_code) VALUES (?, 1, 'sam.cp', '1', 'a@b.cc', 'x', 'waiting', 'NBR')", (cid,))
    # a sibling keeps a shared household alive: only the destroyed child's own rows go
    sibling_household = conn.execute("SELECT household_id FROM children WHERE id != ? LIMIT 1", (cid,)).fetchone()[0]
    audit_before = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    directory.apply_retention(date(2026, 12, 1))
    assert _row(directory, did)[3] == date(2032, 12, 1).toordinal()
    directory.apply_retention(date(2032, 11, 30))
    assert _row(directory, did) is not None
    counts = directory.apply_retention(date(2032, 12, 1))
    assert counts["destroyed"] >= 1
    assert _row(directory, did) is None
    for table in ("other_names", "involvements", "search_names", "shields", "notices", "contact_requests"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE child_id = ?", (cid,)).fetchone()[0] == 0, table
    assert conn.execute("SELECT count(*) FROM households WHERE id = ?", (hid,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM carers WHERE household_id = ?", (hid,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM households WHERE id = ?", (sibling_household,)).fetchone()[0] == 1
    sweeps = [json.loads(d) for (d,) in conn.execute(
        "SELECT detail FROM audit WHERE action = 'retention_sweep' AND seq > ?", (audit_before,))]
    assert sweeps and all(set(s) == {"on", "archived", "archived_why", "destroyed", "contacts_archived"}
                          for s in sweeps)
    assert "Perpetua" not in json.dumps(sweeps) and "Vanishing" not in json.dumps(sweeps)


def test_a_shared_household_stays_while_another_child_lives_in_it(directory):
    conn = directory.conn
    did = add_child(directory, "Elder", "Sharedhome", date(2008, 1, 1))
    cid = _row(directory, did)[0]
    other = conn.execute("SELECT id, household_id FROM children WHERE id != ? AND archived_on IS NULL LIMIT 1",
                         (cid,)).fetchone()
    conn.execute("UPDATE children SET household_id = ? WHERE id = ?", (other[1], cid))
    directory.apply_retention(date(2026, 12, 1))
    directory.apply_retention(date(2032, 12, 1))
    assert _row(directory, did) is None
    assert conn.execute("SELECT count(*) FROM households WHERE id = ?", (other[1],)).fetchone()[0] == 1


def test_ended_contacts_are_blanked_on_their_archive_date(directory):
    """R-RET-3: phone and e-mail leave the live row on contact_archive_on; name and organisation stay."""
    conn = directory.conn
    did = add_child(directory, "Contacta", "Ended", date(2015, 1, 1))
    cid = _row(directory, did)[0]
    conn.execute("INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, "
                 "started, ended, recorded_by, contact_archive_on) VALUES (?, 'school_nurse', 'Org', 'P Person', "
                 "'Nurse', '0191 111 1111', 'p@org.uk', ?, ?, 'alex.practitioner', ?)",
                 (cid, TODAY.toordinal() - 400, TODAY.toordinal() - 10, date(2027, 11, 11).toordinal()))
    directory.apply_retention(date(2027, 11, 10))
    assert conn.execute("SELECT phone, email, contact_archived FROM involvements WHERE child_id = ?",
                        (cid,)).fetchone() == ("0191 111 1111", "p@org.uk", 0)
    due = conn.execute("SELECT count(*) FROM involvements WHERE contact_archived = 0 AND contact_archive_on = ?",
                       (date(2027, 11, 11).toordinal(),)).fetchone()[0]
    counts = directory.apply_retention(date(2027, 11, 11))
    assert counts["contacts_archived"] == due >= 1  # this one, and the data set's ended on 11 November 2026
    assert conn.execute("SELECT phone, email, contact_archived, practitioner, organisation FROM involvements "
                        "WHERE child_id = ?", (cid,)).fetchone() == ("", "", 1, "P Person", "Org")


def test_ended_contacts_are_blanked_in_the_hard_cases_too(directory):
    """R-RET-3, the hard cases (issue 14 §4): ended through the engine on 29 February (archived on 1 March, one
    home for the rule), kept five years by choice, ended in the data set with no archive date and by nobody who
    signs in (dated a year after its end and blanked in the same sweep), a sweep that did not run on the day (the
    next one catches up), and a current involvement never blanked. Every viewer's record then shows the name and
    organisation without the phone and e-mail; the five-year one keeps them until its own day."""
    from tests.test_work_involvements import CSC, HUB, WELFARE, new
    day0 = date(2028, 2, 29)
    _at(directory, day0)
    conn = directory.conn
    conn.execute("UPDATE users SET check_date = ? WHERE username IN ('alex.practitioner', 'sam.cp', 'jo.la')",
                 (date(2027, 12, 1).toordinal(),))  # checks renewed, so they may still sign in on the day
    did = add_child(directory, "Contacta", "Leapling", date(2020, 5, 5))
    cid = _row(directory, did)[0]
    alex, sam, la = (viewer_for(directory, u) for u in ("alex.practitioner", "sam.cp", "jo.la"))
    monitoring = Reason(AccessReason.LA_MONITORING)
    for who, why in ((alex, REASON), (sam, REASON), (la, monitoring)):
        assert directory.search(who, Criteria(directory_id=did), why).hits
    start = day0 - timedelta(days=30)
    one = directory.perform(ops.RECORD_INVOLVEMENT, alex, new(did, start=start)).involvement
    five = directory.perform(ops.RECORD_INVOLVEMENT, sam, new(did, service=ServiceType.SOCIAL_CARE, organisation=CSC,
                                                              phone="0191 555 0505", start=start)).involvement
    current = directory.perform(ops.RECORD_INVOLVEMENT, sam, new(did, service=ServiceType.EARLY_HELP,
                                                                 organisation=HUB, phone="0191 555 0606",
                                                                 start=start)).involvement
    for who, inv, keep in ((alex, one, t.KeepContact.ONE_YEAR), (sam, five, t.KeepContact.FIVE_YEARS)):
        directory.perform(ops.END_INVOLVEMENT, who, t.InvolvementEnd(did, inv.involvement_id, inv.version, day0,
                                                                    keep, REASON))
    undated = conn.execute(
        "INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, started, "
        "ended, recorded_by) VALUES (?, 'school_nurse', ?, 'P Person', 'School nurse', '0191 111 1111', "
        "'p@org.example', ?, ?, 'staff-nbr-school_nurse')",  # as the data set records it: not a user
        (cid, HUB, start.toordinal(), date(2028, 2, 19).toordinal())).lastrowid

    def contact(iid):
        return conn.execute("SELECT phone, email, contact_archived FROM involvements WHERE id = ?", (iid,)).fetchone()

    directory.apply_retention(date(2029, 2, 28))
    assert contact(one.involvement_id) == (one.phone, one.email, 0)  # 29 February + 1 year is 1 March
    assert contact(undated) == ("", "", 1)  # dated 19 February 2029 and blanked in the same sweep
    directory.apply_retention(date(2029, 3, 20))  # no sweep ran on 1 March: the next one catches up
    assert contact(one.involvement_id) == ("", "", 1)
    assert contact(five.involvement_id)[2] == 0 and contact(current.involvement_id)[2] == 0
    for who, why in ((alex, REASON), (sam, REASON), (la, monitoring)):
        seen = {i.involvement_id: i for i in directory.view_record(who, did, why).involvements}
        ended = seen[one.involvement_id]
        assert (ended.phone, ended.email, ended.contact_archived) == ("", "", True)
        assert (ended.practitioner, ended.organisation) == ("Alex Morgan", WELFARE)
        assert seen[five.involvement_id].phone == "0191 555 0505" and seen[current.involvement_id].phone
    directory.apply_retention(date(2033, 2, 28))
    assert contact(five.involvement_id)[2] == 0
    directory.apply_retention(date(2033, 3, 1))
    assert contact(five.involvement_id) == ("", "", 1)
    assert contact(current.involvement_id) == ("0191 555 0606", current.email, 0)  # current: never


def test_the_sweep_runs_once_a_day_between_requests(directory):
    """Run at open and on the first request of a new day, not on every request."""
    did = add_child(directory, "Dayone", "Sweeper", date(2008, 11, 22))
    alex = viewer_for(directory, "alex.practitioner")
    count = lambda: directory.conn.execute(  # noqa: E731
        "SELECT count(*) FROM audit WHERE action = 'retention_sweep'").fetchone()[0]
    before = count()
    directory.search(alex, Criteria(directory_id=did), REASON)
    assert count() == before  # already swept at open today
    _at(directory, TODAY + timedelta(days=1))
    assert directory.search(alex, Criteria(directory_id=did), REASON).hits == ()
    directory.search(alex, Criteria(family_name="Sweeper", dob=date(2008, 11, 22)), REASON)
    assert count() == before + 1


def test_only_the_childs_own_la_team_opens_an_archived_record_with_a_ground(directory, la_team):
    """R-RET-2: the archive is open only for serious case reviews and child-death investigations; audited."""
    did = add_child(directory, "Archie", "Vaulted", date(2008, 1, 1), other_names=[("Archie", "Formerly")])
    directory.apply_retention(date(2026, 12, 1))
    got = directory.perform(ops.OPEN_ARCHIVED, la_team,
                            t.ArchivedRecordRequest(did, t.ArchiveGround.SERIOUS_CASE_REVIEW))
    assert got.record.directory_id == did and got.why == "age"
    assert got.left_live_on == date(2026, 1, 1) and got.destroy_on == date(2032, 1, 1)
    assert [n.family_name for n in got.record.other_names] == ["Formerly"]
    entry = directory.conn.execute(
        "SELECT detail FROM audit WHERE action = 'open_archived' ORDER BY seq DESC").fetchone()
    assert json.loads(entry[0]) == {"directory_id": did, "ground": "serious_case_review"}
    alex = viewer_for(directory, "alex.practitioner")
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.OPEN_ARCHIVED, alex, t.ArchivedRecordRequest(did, t.ArchiveGround.SERIOUS_CASE_REVIEW))
    assert exc.value.code == "access.la_team_only"
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.OPEN_ARCHIVED, la_team, t.ArchivedRecordRequest(did, "curiosity"))
    assert exc.value.code == "retention.ground_required"
    other_la = add_child(directory, "Elsewhere", "Vaulted", date(2008, 1, 1), la_code=_other_la(directory))
    directory.apply_retention(date(2026, 12, 2))
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.OPEN_ARCHIVED, la_team,
                          t.ArchivedRecordRequest(other_la, t.ArchiveGround.CHILD_DEATH_INVESTIGATION))
    assert exc.value.code == "retention.not_found"
    refusals = [a for (a,) in directory.conn.execute("SELECT action FROM audit WHERE action = 'open_archived_refused'")]
    assert len(refusals) == 3


def test_a_live_record_is_not_opened_through_the_archive(directory, la_team):
    did = add_child(directory, "Livia", "Present", date(2015, 1, 1))
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.OPEN_ARCHIVED, la_team,
                          t.ArchivedRecordRequest(did, t.ArchiveGround.SERIOUS_CASE_REVIEW))
    assert exc.value.code == "retention.not_archived"


def test_retention_facts_are_the_la_teams_own_la_and_dated_sensibly(directory, la_team):
    did = add_child(directory, "Factual", "Dates", date(2015, 1, 1))
    alex = viewer_for(directory, "alex.practitioner")
    cases = [(alex, t.RetentionChange(did, t.RetentionFact.DIED, TODAY), "access.la_team_only"),
             (la_team, t.RetentionChange(did, t.RetentionFact.DIED, TODAY + timedelta(days=1)),
              "input.date_in_future"),
             (la_team, t.RetentionChange(did, t.RetentionFact.LEFT_ENGLAND, date(2014, 1, 1)), "input.date_too_early"),
             (la_team, t.RetentionChange(did, "bored", TODAY), "input.required"),
             (la_team, t.RetentionChange(add_child(directory, "Far", "Dates", date(2015, 1, 1),
                                                   la_code=_other_la(directory)), t.RetentionFact.DIED, TODAY),
              "retention.not_found")]
    for who, request, code in cases:
        with pytest.raises(AccessRefused) as exc:
            directory.perform(ops.RECORD_RETENTION_FACT, who, request)
        assert exc.value.code == code
    assert directory.conn.execute("SELECT died_on, left_england_on FROM children WHERE directory_id = ?",
                                  (ids.parse(did),)).fetchone() == (None, None)


def _other_la(directory) -> str:
    return directory.conn.execute("SELECT code FROM las WHERE code != 'NBR' LIMIT 1").fetchone()[0]


def test_the_sweep_reads_indexes_not_the_whole_children_table(directory):
    """1M children: each sweep query is an index range on a date, never a scan of children."""
    directory.store.retention.ensure_indexes()
    today = TODAY.toordinal()
    for sql, args in (("SELECT id FROM children WHERE archived_on IS NULL AND dob <= ?", (today,)),
                      ("SELECT id FROM children WHERE archived_on IS NULL AND died_on IS NOT NULL AND died_on <= ?",
                       (today,)),
                      ("SELECT id FROM children WHERE destroy_on IS NOT NULL AND destroy_on <= ?", (today,)),
                      ("SELECT id FROM involvements WHERE contact_archived = 0 AND contact_archive_on IS NOT NULL "
                       "AND contact_archive_on <= ?", (today,))):
        plan = " ".join(r[-1] for r in directory.conn.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (sql, plan)


# -- la-admin: every ended involvement has its archive date (issue 14 §2.4, R-RET-3) --------------------------
def test_every_ended_involvement_the_generator_makes_has_its_archive_date(conn):
    """R-RET-3: the data set's ended involvements get their date a year after the end, like those a practitioner
    ends; the ones whose date has already come are built with their phone and e-mail archived."""
    rows = conn.execute("SELECT ended, contact_archive_on, keep_contact_years, contact_archived, phone, email "
                        "FROM involvements WHERE ended IS NOT NULL").fetchall()
    assert len(rows) > 1000
    reference = date.fromisoformat(conn.execute("SELECT value FROM meta WHERE key = 'reference_date'").fetchone()[0])
    for ended, archive_on, years, archived, phone, email in rows:
        assert archive_on == dates.anniversary(date.fromordinal(ended), 1).toordinal() and years == 1
        past = archive_on <= reference.toordinal()
        assert bool(archived) == past and (phone == email == "") == past


def test_the_sweep_dates_an_ended_involvement_that_has_none_a_year_after_its_end(directory):
    """R-RET-3: an ended involvement with no archive date (an older directory, a data feed) is archived a year
    after it ended, and gains that date; one ended on 29 February is archived on 1 March."""
    conn = directory.conn
    cid = _row(directory, add_child(directory, "Undated", "Ending", date(2015, 1, 1)))[0]
    for ended in (date(2026, 3, 2), date(2024, 2, 29)):
        conn.execute("INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, "
                     "started, ended, recorded_by) VALUES (?, 'school_nurse', 'Org', 'P Person', 'Nurse', "
                     "'0191 111 1111', 'p@org.uk', ?, ?, 'staff-nbr-school_nurse')",
                     (cid, date(2023, 1, 1).toordinal(), ended.toordinal()))
    state = lambda: conn.execute(  # noqa: E731
        "SELECT ended, contact_archive_on, phone, contact_archived FROM involvements WHERE child_id = ? "
        "ORDER BY ended", (cid,)).fetchall()
    directory.apply_retention(date(2026, 3, 1))
    leap, later = state()
    assert leap[1:] == (date(2025, 3, 1).toordinal(), "", 1)  # more than a year ago: archived now, dated
    assert later[1:] == (date(2027, 3, 2).toordinal(), "0191 111 1111", 0)  # dated, not yet due
    directory.apply_retention(date(2027, 3, 1))
    assert state()[1][2:] == ("0191 111 1111", 0)
    directory.apply_retention(date(2027, 3, 2))
    assert state()[1][2:] == ("", 1)


def test_an_involvement_ended_on_29_february_is_archived_on_1_march(directory):
    """R-RET-3: one rule for a year after 29 February, whoever ended the involvement (``anniversary``)."""
    from app.directory.work import involvements
    assert involvements.archive_date(date(2028, 2, 29), t.KeepContact.ONE_YEAR) == date(2029, 3, 1)
    assert involvements.archive_date(date(2028, 2, 29), t.KeepContact.FIVE_YEARS) == date(2033, 3, 1)


# -- la-admin: consent to stay is the young person's own (issue 14 §2.5, R-RET-1) ----------------------------
@pytest.mark.parametrize("fact", [t.RetentionFact.CONSENT_TO_19, t.RetentionFact.CONSENT_TO_25])
def test_consent_to_stay_is_refused_for_a_child_too_young_to_give_it(directory, la_team, fact):
    """R-RET-1 (seed 003 §2.4): a record stays past 18 only "with their informed, explicit consent": the young
    person's own, for a care leaver or a young person with learning difficulties (to 25) or one in receipt of
    Connexions services (to 19). A child is taken to be able to give it from their 16th birthday, so it is
    refused for a child of 7, and for consent dated before the 16th birthday of a young person now 17."""
    seven = add_child(directory, "Seven", "Tooyoung", date(2019, 5, 1))
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.RECORD_RETENTION_FACT, la_team, t.RetentionChange(seven, fact, TODAY))
    assert (exc.value.code, exc.value.field, exc.value.params) == ("retention.consent_too_young", "on",
                                                                   {"from_day": "2035-05-01"})
    from ui.refusals import words
    assert "16th birthday (1 May 2035)" in words(exc.value)
    seventeen = add_child(directory, "Seventeen", "Nearlythere", date(2009, 6, 30))
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.RECORD_RETENTION_FACT, la_team, t.RetentionChange(seventeen, fact, date(2025, 6, 29)))
    assert exc.value.code == "retention.consent_too_young"
    assert directory.conn.execute("SELECT stay_to_age FROM children WHERE directory_id IN (?, ?)",
                                  (ids.parse(seven), ids.parse(seventeen))).fetchall() == [(None,), (None,)]
    directory.perform(ops.RECORD_RETENTION_FACT, la_team, t.RetentionChange(seventeen, fact, date(2025, 6, 30)))
    assert directory.conn.execute("SELECT stay_to_age FROM children WHERE directory_id = ?",
                                  (ids.parse(seventeen),)).fetchone()[0] == retention.CONSENT_AGES[fact]
    refused = [json.loads(d) for (d,) in directory.conn.execute(
        "SELECT detail FROM audit WHERE action = 'record_retention_fact_refused'")]
    assert [r["why"] for r in refused] == ["retention.consent_too_young"] * 2
