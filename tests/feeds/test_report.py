"""The answer to a source (issue 17 item 6): counts and rejected rows with reasons, nothing the directory
holds; never that a shielded child matched (R-SHIELD-1/4/5, issue 17 item 4)."""
from __future__ import annotations

import json
from datetime import date

from app import records
from app.directory.store.sqlite import SqliteStore
from app.feeds import formats, intake
from app.feeds.formats import FeedKind
from app.feeds.matching.matcher import Matcher, Outcome
from app.feeds.matching.sqlcipher_facts import SqlcipherFacts
from app.feeds.records import Address, IncomingPerson
from app.feeds.report import BatchReport, batch_report, la_summary
from app.feeds.sources import RegisteredSource, SourceKind, Supply
from app.model import Gender

TODAY = date(2026, 11, 21)
GP = RegisteredSource("gp-B82001", SourceKind.GP_PRACTICE, "Moor Surgery", "NBR",
                      Supply(frozenset({FeedKind.CHILDREN}), carers=True))


def lowenna_batch(conn) -> bytes:
    """Lowenna's GP registration (her withheld address), a child the directory holds, and a bad row."""
    rows = []
    for n, did in enumerate((9000000017, 9000000025)):
        given, family, dob, gender, line1, town, postcode = conn.execute(
            "SELECT c.given_names, c.family_name, c.dob, c.gender, h.line1, h.town, h.postcode FROM children c "
            "JOIN households h ON h.id = c.household_id WHERE c.directory_id = ?", (did,)).fetchone()
        rows.append(IncomingPerson(f"P-{n}", given, family, date.fromordinal(dob), Gender(gender),
                                   Address(line1, "", town, postcode)))
    bad = IncomingPerson("P-9", "Tom", "", date(2015, 1, 2), Gender.MALE,
                         Address("1 High Street", "", "Leeds", "LS1 4AB"))
    return formats.write_csv(FeedKind.CHILDREN, [*rows, bad])


def answer(conn, body: bytes) -> tuple[BatchReport, list]:
    parsed = intake.read(GP, FeedKind.CHILDREN, "csv", body, TODAY)
    decisions = Matcher(SqlcipherFacts(conn)).match_all(parsed.records)
    return batch_report(GP.source_id, "5a0c5a53-9d5e-4b9e-8d0e-0b6f6a8e2f10", FeedKind.CHILDREN, parsed), decisions


def test_the_report_counts_rows_and_gives_each_rejection():
    body = b"record_ref,given_names,family_name,date_of_birth,gender,address_line1,town,postcode\n" \
           b"S-1,Tom,Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB\nS-2,Ann,Jones,2015-13-01,F,1 High Street,Leeds,\n"
    report = batch_report("gp-B82001", "b1", FeedKind.CHILDREN, intake.read(GP, FeedKind.CHILDREN, "csv", body, TODAY))
    data = report.as_json()
    assert (data["received"], data["accepted"], data["rejected"]) == (2, 1, 1)
    assert {(r["row"], r["ref"], r["field"], r["problem"]) for r in data["rejections"]} == {
        (2, "S-2", "date_of_birth", "invalid_date_of_birth"), (2, "S-2", "postcode", "missing")}
    assert set(data) == {"source", "batch_id", "kind", "received", "accepted", "rejected", "rejections"}


def test_the_report_never_reveals_that_a_shielded_child_matched(feed_conn):
    """The same batch against Lowenna shielded and unshielded: matching differs, the source's answer not."""
    body = lowenna_batch(feed_conn)
    shielded_report, shielded = answer(feed_conn, body)
    cid = feed_conn.execute("SELECT id FROM children WHERE directory_id = 9000000017").fetchone()[0]
    assert records.unshield(SqliteStore(feed_conn), feed_conn, cid)
    plain_report, plain = answer(feed_conn, body)
    assert [d.outcome for d in shielded] == [Outcome.QUARANTINE, Outcome.LINK]
    assert [d.outcome for d in plain] == [Outcome.LINK, Outcome.LINK]
    assert json.dumps(shielded_report.as_json()) == json.dumps(plain_report.as_json())
    text = json.dumps(shielded_report.as_json()).lower()
    assert "quarantine" not in text and "shield" not in text
    assert "9000000017" not in text and "trevaskis" not in text


def test_the_la_summary_counts_a_quarantined_row_as_waiting_like_any_other(feed_conn):
    _, decisions = answer(feed_conn, lowenna_batch(feed_conn))
    assert la_summary(decisions) == {"linked": 1, "new": 0, "waiting_for_review": 1}
