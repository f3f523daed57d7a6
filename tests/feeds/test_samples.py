"""The training room's sample feeds (issue 17 item 9): drawn from the directory they go into, signed, and
each showing what the intake does with realistic errors."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.feeds import envelope, intake
from app.feeds.matching.matcher import Matcher, Outcome
from app.feeds.matching.sqlcipher_facts import SqlcipherFacts
from app.feeds.samples import SAMPLES, write_samples
from app.feeds.sources import SourceRegistry
from tests.conftest import TODAY

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def samples(feed_conn, tmp_path):
    write_samples(feed_conn, tmp_path, TODAY, now=NOW)
    registry = SourceRegistry.loads((tmp_path / "sources.json").read_text())
    matcher = Matcher(SqlcipherFacts(feed_conn))
    out = {}
    for sample in SAMPLES:
        body = (tmp_path / sample.file).read_bytes()
        batch = envelope.SignedBatch.from_envelope((tmp_path / f"{sample.file}.envelope.json").read_text(), body)
        source = envelope.verify(batch, registry, NOW)
        parsed = intake.read(source, batch.header.kind, batch.header.format, body, TODAY)
        out[sample.file] = (parsed, {d.ref: d for d in matcher.match_all(parsed.records)})
    return out


def test_the_census_rejects_only_the_rows_it_gets_wrong_on_purpose(samples):
    parsed, decisions = samples["school-census.csv"]
    assert {(r.ref, r.field, r.problem) for r in parsed.rejections} == {
        ("S-NOTE", "given_names", "invalid_given_names"), ("S-POSTCODE", "postcode", "invalid_postcode"),
        ("S-FUTURE", "date_of_birth", "invalid_date_of_birth")}
    outcomes = {d.outcome for d in decisions.values()}
    assert Outcome.LINK in outcomes and Outcome.NEW in outcomes


def test_the_gp_registrations_hold_the_shielded_child_and_reject_the_extension(samples):
    parsed, decisions = samples["gp-registrations.json"]
    assert [(r.ref, r.problem) for r in parsed.rejections] == [("GP-EXTENSION", "fhir_element_not_accepted")]
    assert decisions["GP-SHIELDED"].outcome is Outcome.QUARANTINE


def test_births_are_new_children_and_deaths_are_found(samples):
    births, born = samples["births.csv"]
    deaths, died = samples["deaths.csv"]
    assert births.rejections == () and deaths.rejections == ()
    assert {d.outcome for d in born.values()} == {Outcome.NEW}
    assert sum(d.outcome is Outcome.LINK for d in died.values()) >= len(died) - 1


def test_an_involvement_the_source_may_not_supply_is_rejected(samples):
    parsed, decisions = samples["social-care-involvements.csv"]
    assert [(r.field, r.problem) for r in parsed.rejections] == [("service", "not_allowed_for_source")]
    assert len(decisions) == len(parsed.records) > 0
