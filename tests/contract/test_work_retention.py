"""Retention through the directory interface, on both implementations (R-RET-1, R-RET-2)."""
from __future__ import annotations

from datetime import date

from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.search import Criteria
from tests.contract.test_directory_contract import MONITORING, REASON, done, find, refused, viewer


def test_a_death_recorded_long_ago_takes_the_record_out_and_only_the_archive_shows_it(client, facts):
    la = viewer(client, "jo.la")
    did = facts.plain["did"]
    find(client, la, did, MONITORING)
    done(client.perform(ops.RECORD_RETENTION_FACT, la, t.RetentionChange(did, t.RetentionFact.DIED,
                                                                         date(2025, 1, 2))))
    alex = viewer(client, "alex.practitioner")
    assert done(client.search(alex, Criteria(directory_id=did), REASON)).hits == ()
    assert done(client.search(alex, Criteria(family_name=facts.plain["family"], given_name=facts.plain["given"],
                                             dob=facts.plain["dob"]), REASON)).hits == ()
    got = done(client.perform(ops.OPEN_ARCHIVED, la, t.ArchivedRecordRequest(
        did, t.ArchiveGround.CHILD_DEATH_INVESTIGATION)))
    assert (got.record.directory_id, got.why, got.left_live_on, got.destroy_on) == (
        did, "died", date(2026, 1, 2), date(2032, 1, 2))
    refused(client.perform(ops.OPEN_ARCHIVED, alex, t.ArchivedRecordRequest(
        did, t.ArchiveGround.SERIOUS_CASE_REVIEW)), AccessRefused, "access.la_team_only")
    actions = [e.action for e in done(client.audit_entries(la))]
    assert "retention_fact_recorded" in actions and "open_archived" in actions and "open_archived_refused" in actions


def test_a_practitioner_cannot_record_retention_facts(client, facts):
    alex = viewer(client, "alex.practitioner")
    refused(client.perform(ops.RECORD_RETENTION_FACT, alex, t.RetentionChange(
        facts.plain["did"], t.RetentionFact.CONSENT_TO_19, date(2026, 1, 1))), AccessRefused, "access.la_team_only")
