"""Registered sources, what each may supply, and the signed batch envelope (issue 17 item 1)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.feeds import envelope, intake
from app.feeds.formats import FeedKind
from app.feeds.refusals import FeedRefused
from app.feeds.sources import ALL_SERVICES, RegisteredSource, SourceKind, SourceRegistry, Supply
from app.model import ServiceType

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 21)
CSV = b"record_ref,given_names,family_name,date_of_birth,gender,address_line1,town,postcode\n" \
      b"S-1,Tom,Jones,2015-01-02,M,1 High Street,Leeds,LS1 4AB\n"


def public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture
def school_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def registry(school_key) -> SourceRegistry:
    school = RegisteredSource("school-100001", SourceKind.SCHOOL, "Moor Primary", "NBR",
                              Supply(frozenset({FeedKind.CHILDREN}), carers=True), (public(school_key),))
    return SourceRegistry([school])


def test_a_signed_batch_from_a_registered_source_verifies(registry, school_key):
    batch = envelope.sign(school_key, "school-100001", FeedKind.CHILDREN, "csv", CSV, sent_at=NOW)
    again = envelope.SignedBatch.from_envelope(batch.envelope(), CSV)  # as the route receives it
    assert envelope.verify(again, registry, NOW).source_id == "school-100001"


def test_an_altered_body_is_refused(registry, school_key):
    batch = envelope.sign(school_key, "school-100001", FeedKind.CHILDREN, "csv", CSV, sent_at=NOW)
    altered = envelope.SignedBatch(batch.header, batch.signature, CSV.replace(b"Tom", b"Tim"))
    with pytest.raises(FeedRefused) as refused:
        envelope.verify(altered, registry, NOW)
    assert refused.value.code == "feed.body_altered"


def test_a_header_changed_after_signing_is_refused(registry, school_key):
    batch = envelope.sign(school_key, "school-100001", FeedKind.CHILDREN, "csv", CSV, sent_at=NOW)
    header = envelope.BatchHeader(batch.header.source, batch.header.batch_id, FeedKind.DEATHS, "csv",
                                  batch.header.sent_at, batch.header.body_sha256)
    with pytest.raises(FeedRefused) as refused:
        envelope.verify(envelope.SignedBatch(header, batch.signature, CSV), registry, NOW)
    assert refused.value.code == "feed.signature_invalid"


def test_another_key_and_unknown_or_suspended_sources_are_refused(registry, school_key):
    other = Ed25519PrivateKey.generate()
    codes = []
    for key, source in ((other, "school-100001"), (school_key, "school-999999")):
        with pytest.raises(FeedRefused) as refused:
            envelope.verify(envelope.sign(key, source, FeedKind.CHILDREN, "csv", CSV, sent_at=NOW), registry, NOW)
        codes.append(refused.value.code)
    suspended = SourceRegistry([RegisteredSource("school-100001", SourceKind.SCHOOL, "Moor Primary", "NBR",
                                                 Supply(frozenset({FeedKind.CHILDREN})), (public(school_key),),
                                                 suspended=True)])
    with pytest.raises(FeedRefused) as refused:
        envelope.verify(envelope.sign(school_key, "school-100001", FeedKind.CHILDREN, "csv", CSV, sent_at=NOW),
                        suspended, NOW)
    assert codes + [refused.value.code] == ["feed.signature_invalid", "feed.source_unknown", "feed.source_suspended"]


def test_a_rotated_key_verifies_beside_the_old_one(school_key):
    new = Ed25519PrivateKey.generate()
    registry = SourceRegistry([RegisteredSource("school-100001", SourceKind.SCHOOL, "Moor Primary", "NBR",
                                                Supply(frozenset({FeedKind.CHILDREN})),
                                                (public(school_key), public(new)))])
    for key in (school_key, new):
        assert envelope.verify(envelope.sign(key, "school-100001", FeedKind.CHILDREN, "csv", CSV, sent_at=NOW),
                               registry, NOW)


@pytest.mark.parametrize("sent_at, code", [(NOW - timedelta(days=8), "feed.stale"),
                                           (NOW + timedelta(minutes=6), "feed.from_future")])
def test_an_old_or_future_dated_batch_is_refused(registry, school_key, sent_at, code):
    with pytest.raises(FeedRefused) as refused:
        envelope.verify(envelope.sign(school_key, "school-100001", FeedKind.CHILDREN, "csv", CSV, sent_at=sent_at),
                        registry, NOW)
    assert refused.value.code == code


def test_a_kind_the_source_may_not_send_is_refused(registry, school_key):
    with pytest.raises(FeedRefused) as refused:
        envelope.verify(envelope.sign(school_key, "school-100001", FeedKind.DEATHS, "csv", CSV, sent_at=NOW),
                        registry, NOW)
    assert refused.value.code == "feed.kind_not_allowed"


@pytest.mark.parametrize("envelope_text", ["{}", "not json", '{"header": [], "signature": "AA=="}',
                                           '{"header": {"source": "s", "batch_id": "not-a-uuid", "kind": "children",'
                                           ' "format": "csv", "sent_at": "2026-11-21T10:00:00+00:00",'
                                           ' "body_sha256": "00"}, "signature": "AA=="}'])
def test_a_malformed_envelope_is_refused(envelope_text):
    with pytest.raises(FeedRefused) as refused:
        envelope.SignedBatch.from_envelope(envelope_text, CSV)
    assert refused.value.code == "feed.envelope_invalid"


def test_a_source_cannot_be_registered_beyond_what_its_kind_supplies():
    with pytest.raises(ValueError):
        RegisteredSource("school-1", SourceKind.SCHOOL, "Moor Primary", "NBR", Supply(frozenset({FeedKind.DEATHS})))
    with pytest.raises(ValueError):
        RegisteredSource("ecaf", SourceKind.ECAF, "eCAF", "NBR",
                         Supply(frozenset({FeedKind.INVOLVEMENTS}), services=ALL_SERVICES, caf_only=True))
    registry = SourceRegistry([RegisteredSource("ics", SourceKind.CASE_MANAGEMENT, "Northbridge ICS", "NBR",
                                                Supply(frozenset({FeedKind.INVOLVEMENTS}),
                                                       services=frozenset({ServiceType.SOCIAL_CARE})))])
    assert SourceRegistry.loads(registry.dumps()).get("ics") == registry.get("ics")


INVOLVEMENTS = (b"record_ref,given_names,family_name,date_of_birth,gender,service,organisation,practitioner,role,"
                b"phone,email,started,caf_completed\n"
                b"I-1,Tom,Jones,2015-01-02,M,social_care,Northbridge CSC,Sam Hill,Social Worker,0191 498 0001,"
                b"sam.hill@csc.example,2026-03-01,Y\n"
                b"I-2,Ann,Jones,2016-01-02,F,youth_justice,Northbridge YOT,Sam Hill,Case Manager,0191 498 0001,"
                b"sam.hill@yot.example,2026-03-01,N\n")


def test_a_row_of_a_service_the_source_is_not_registered_for_is_rejected_and_the_rest_goes_on():
    ics = RegisteredSource("ics", SourceKind.CASE_MANAGEMENT, "Northbridge ICS", "NBR",
                           Supply(frozenset({FeedKind.INVOLVEMENTS}), services=frozenset({ServiceType.SOCIAL_CARE})))
    parsed = intake.read(ics, FeedKind.INVOLVEMENTS, "csv", INVOLVEMENTS, TODAY)
    assert [r.person.ref for _, r in parsed.records] == ["I-1"]
    assert [(r.ref, r.field, r.problem) for r in parsed.rejections] == [("I-2", "service", "not_allowed_for_source")]


def test_ecaf_sends_only_completed_cafs():
    ecaf = RegisteredSource("ecaf", SourceKind.ECAF, "eCAF", "NBR",
                            Supply(frozenset({FeedKind.INVOLVEMENTS}), caf_only=True,
                                   services=frozenset({ServiceType.SOCIAL_CARE, ServiceType.YOUTH_JUSTICE})))
    parsed = intake.read(ecaf, FeedKind.INVOLVEMENTS, "csv", INVOLVEMENTS, TODAY)
    assert [(r.ref, r.field) for r in parsed.rejections] == [("I-2", "caf_completed")]


def test_carers_from_a_source_registered_without_them_are_rejected():
    gp = RegisteredSource("gp-B82001", SourceKind.GP_PRACTICE, "Moor Surgery", "NBR",
                          Supply(frozenset({FeedKind.CHILDREN}), carers=False))
    body = CSV.replace(b"postcode\n", b"postcode,carer1_given_names,carer1_family_name,carer1_relationship\n") \
        .replace(b"LS1 4AB\n", b"LS1 4AB,Jane,Jones,mother\n")
    parsed = intake.read(gp, FeedKind.CHILDREN, "csv", body, TODAY)
    assert parsed.records == () and [r.problem for r in parsed.rejections] == ["not_allowed_for_source"]
