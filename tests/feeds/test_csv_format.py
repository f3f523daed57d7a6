"""The CSV feed formats (issue 17 item 2): typed records out, bad rows rejected with reasons, nothing beyond
the record's fields accepted (R-REC-5)."""
from __future__ import annotations

import random
from datetime import date

import pytest

from app.feeds import fields
from app.feeds.csv_format import read_csv
from app.feeds.formats import COLUMNS, FeedKind, problems
from app.feeds.records import NHS_NUMBER, UPN, IncomingInvolvement
from app.feeds.refusals import FeedRefused
from app.model import ConsentBy, Gender, ServiceType

TODAY = date(2026, 11, 21)
CHILD_HEADER = ("record_ref,nhs_number,upn,given_names,family_name,date_of_birth,gender,address_line1,town,"
                "postcode,previous_postcode,carer1_given_names,carer1_family_name,carer1_relationship,carer1_phone")
INVOLVEMENT_HEADER = ("record_ref,given_names,family_name,date_of_birth,gender,postcode,service,organisation,"
                      "practitioner,role,phone,email,started,ended,lead_professional,caf_completed,consent_by,"
                      "consent_on")


def csv(header: str, *rows: str) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


def upn_with_check(body12: str) -> str:
    """An independent reading of the DfE algorithm: weights 2..13 on characters 2..13, modulo 23."""
    values = [int(c) if c.isdigit() else fields.UPN_LETTERS.index(c) for c in body12]
    total = sum(v * w for v, w in zip(values, range(2, 14)))
    return fields.UPN_LETTERS[total % 23] + body12


def test_valid_rows_become_typed_records():
    parsed = read_csv(csv(CHILD_HEADER,
                          "S-1,943 476 5919,,Amelia Rose,Smith,2015-03-02,F,1 High Street,Leeds,ls14ab,LS2 9ZZ,"
                          "Jane,Smith,mother,07700 900123"), FeedKind.CHILDREN, TODAY)
    assert parsed.rejections == () and parsed.received == 1
    [(row, child)] = parsed.records
    assert row == 1
    assert (child.ref, child.given_names, child.family_name, child.dob, child.gender) == \
        ("S-1", "Amelia Rose", "Smith", date(2015, 3, 2), Gender.FEMALE)
    assert child.identifiers == ((NHS_NUMBER, "9434765919"),)
    assert child.address.postcode == "LS1 4AB" and child.previous_postcodes == ("LS2 9ZZ",)
    assert child.carers[0].relationship == "mother" and child.carers[0].phone == "07700 900123"


def test_a_bad_row_is_rejected_with_each_reason_and_the_rest_goes_on():
    parsed = read_csv(csv(CHILD_HEADER,
                          "S-1,,,Tom,Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB,,,,,",
                          "S-2,9434765918,,Ann,,2015-13-02,F,1 High Street,Leeds,XX1,,,,,",
                          "S-3,,,Ben,Jones,2016-05-05,M,1 High Street,Leeds,LS1 4AB,,,,,"), FeedKind.CHILDREN, TODAY)
    assert [r.ref for _, r in parsed.records] == ["S-1", "S-3"]
    assert {(r.row, r.ref, r.field, r.problem) for r in parsed.rejections} == {
        (2, "S-2", "nhs_number", "invalid_nhs_number"), (2, "S-2", "family_name", "missing"),
        (2, "S-2", "date_of_birth", "invalid_date_of_birth"), (2, "S-2", "postcode", "invalid_postcode")}
    assert all(r.expected for r in parsed.rejections)  # each says what to send


@pytest.mark.parametrize("given", ["Concerns: father drinks", "Tom (on CP plan)", "Tom 2nd referral", "T" * 101])
def test_free_text_in_a_name_field_is_rejected(given):
    """rule R-REC-5: a field holds a name, never a note."""
    parsed = read_csv(csv(CHILD_HEADER, f"S-1,,,{given},Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB,,,,,"),
                      FeedKind.CHILDREN, TODAY)
    assert parsed.records == ()
    assert [(r.field, r.problem) for r in parsed.rejections] == [("given_names", "invalid_given_names")]


def test_a_column_outside_the_format_refuses_the_batch():
    """rule R-REC-5: an extra column (notes, concerns) is never read, let alone stored."""
    with pytest.raises(FeedRefused) as refused:
        read_csv(csv(CHILD_HEADER + ",notes", "S-1,,,Tom,Jones,2015-01-02,M,1 High St,Leeds,LS1 4AB,,,,,,worried"),
                 FeedKind.CHILDREN, TODAY)
    assert refused.value.code == "feed.unknown_columns" and refused.value.params["columns"] == ["notes"]


def test_a_missing_required_column_refuses_the_batch():
    with pytest.raises(FeedRefused) as refused:
        read_csv(csv("record_ref,given_names,family_name,gender", "S-1,Tom,Jones,M"), FeedKind.CHILDREN, TODAY)
    assert refused.value.code == "feed.missing_columns"
    assert set(refused.value.params["columns"]) == {"date_of_birth", "address_line1", "town", "postcode"}


@pytest.mark.parametrize("data, code", [(b"\xff\xfe\x00bad", "feed.not_utf8"), (b"  \n", "feed.empty"),
                                        (b"record_ref,record_ref\nA,B\n", "feed.duplicate_columns")])
def test_an_unreadable_batch_is_refused(data, code):
    with pytest.raises(FeedRefused) as refused:
        read_csv(data, FeedKind.CHILDREN, TODAY)
    assert refused.value.code == code


def test_nhs_numbers_are_checked_with_modulus_11():
    rows = [f"S-{i},{nhs},,Tom,Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB,,,,,"
            for i, nhs in enumerate(["9434765919", "943 476 5919", "9434765918", "1234567890", "94347659",
                                     "A434765919"])]
    parsed = read_csv(csv(CHILD_HEADER, *rows), FeedKind.CHILDREN, TODAY)
    assert [r.ref for _, r in parsed.records] == ["S-0", "S-1"]  # 1234567890's check digit would be 10: invalid
    assert {r.ref for r in parsed.rejections} == {"S-2", "S-3", "S-4", "S-5"}


def test_upns_are_checked_against_the_dfe_check_letter():
    rng = random.Random(3)
    good = [upn_with_check("".join(rng.choice("0123456789") for _ in range(11)) + rng.choice("0123456789AZ"))
            for _ in range(40)]
    bad = [fields.UPN_LETTERS[(fields.UPN_LETTERS.index(u[0]) + 1) % 23] + u[1:] for u in good]
    rows = [f"S-{i},,{u},Tom,Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB,,,,," for i, u in enumerate(good + bad)]
    parsed = read_csv(csv(CHILD_HEADER, *rows), FeedKind.CHILDREN, TODAY)
    assert [r.identifier(UPN) for _, r in parsed.records] == good
    assert {r.ref for r in parsed.rejections} == {f"S-{i}" for i in range(40, 80)}


def test_a_carer_needs_a_name_and_relationship():
    parsed = read_csv(csv(CHILD_HEADER, "S-1,,,Tom,Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB,,,,,07700 900123"),
                      FeedKind.CHILDREN, TODAY)
    assert [(r.field, r.problem) for r in parsed.rejections] == [("carer1_given_names", "carer_incomplete")]


def test_a_sensitive_involvement_without_consent_is_rejected():
    """rule R-SENS-2: a sensitive service only with who consented and when; a feed cannot claim an override."""
    base = "Jago,Quartermaine,2012-06-21,M,,{service},North CAMHS,Dr Ann Lee,Clinical Psychologist,0191 498 0001," \
           "ann.lee@camhs.example,2026-01-05,,N,N,{by},{on}"
    parsed = read_csv(csv(INVOLVEMENT_HEADER, "I-1," + base.format(service="camhs", by="", on=""),
                          "I-2," + base.format(service="camhs", by="child", on="2026-01-05"),
                          "I-3," + base.format(service="social_care", by="", on=""),
                          "I-4," + base.format(service="camhs", by="parent_carer", on="")),
                      FeedKind.INVOLVEMENTS, TODAY)
    assert {(r.ref, r.problem) for r in parsed.rejections} == {
        ("I-1", "consent_missing"), ("I-4", "consent_missing"), ("I-4", "consent_incomplete")}
    kept = {r.person.ref: r for _, r in parsed.records}
    assert set(kept) == {"I-2", "I-3"}
    assert isinstance(kept["I-2"], IncomingInvolvement)
    assert kept["I-2"].service is ServiceType.CAMHS and kept["I-2"].consent_by is ConsentBy.CHILD


def test_an_involvement_ending_before_it_began_is_rejected():
    row = "I-1,Tom,Jones,2015-01-02,M,,social_care,Northbridge CSC,Sam Hill,Social Worker,0191 498 0001," \
          "sam.hill@csc.example,2026-03-01,2026-02-01,N,N,,"
    parsed = read_csv(csv(INVOLVEMENT_HEADER, row), FeedKind.INVOLVEMENTS, TODAY)
    assert [(r.field, r.problem) for r in parsed.rejections] == [("ended", "ended_before_started")]


def test_a_death_before_birth_is_rejected():
    header = "record_ref,nhs_number,given_names,family_name,date_of_birth,gender,postcode,date_of_death"
    parsed = read_csv(csv(header, "D-1,9434765919,Tom,Jones,2015-01-02,M,LS1 4AB,2014-01-01",
                          "D-2,,Ann,Jones,2015-01-02,F,,2026-01-01"), FeedKind.DEATHS, TODAY)
    assert [(r.ref, r.problem) for r in parsed.rejections] == [("D-1", "death_before_birth")]
    assert [r.person.ref for _, r in parsed.records] == ["D-2"]


def test_a_reference_twice_in_one_batch_is_rejected_the_second_time():
    row = "S-1,,,Tom,Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB,,,,,"
    parsed = read_csv(csv(CHILD_HEADER, row, row), FeedKind.CHILDREN, TODAY)
    assert [r.ref for _, r in parsed.records] == ["S-1"]
    assert [(r.row, r.problem) for r in parsed.rejections] == [(2, "duplicate_reference")]


def test_a_future_date_of_birth_is_rejected():
    parsed = read_csv(csv(CHILD_HEADER, "S-1,,,Tom,Jones,2026-11-22,M,1 High Street,Leeds,LS1 4AB,,,,,"),
                      FeedKind.CHILDREN, TODAY)
    assert [r.problem for r in parsed.rejections] == ["invalid_date_of_birth"]


def test_every_column_and_problem_is_documented():
    """docs/feeds.md stays true: it names every column of every kind and every problem a rejection can give."""
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[2] / "docs" / "feeds.md").read_text()
    for kind, columns in COLUMNS.items():
        assert f"`{kind.value}`" in doc
        for c in columns:
            assert f"`{c.name}`" in doc, c.name
    for problem in problems():
        assert f"`{problem}`" in doc, problem
