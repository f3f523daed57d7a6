"""An LA team's audit is cut to what that team may see (R-SENS-3, R-ROLE-3; issue 13 §1.6): its own practitioner
recording a sensitive service for another LA's child used to tell the team, through ``/v1/audit/entries`` and
the archive, that the child has CAMHS, from whom, with whose consent. The archive stays verifiable."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from app import audit_archive
from app import directory_id as ids
from app.audit_redaction import WITHHELD
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import AccessReason, ConsentBy, Reason, ServiceType
from app.search import Criteria
from tests.conftest import TODAY, list_organisations, viewer_for

REASON = Reason(AccessReason.PROVIDING_SERVICE)
TODAY_REAL = date.today()  # the audit stamps entries with the real time


def _record(directory, viewer, did: str, service: ServiceType, organisation: str):
    directory.search(viewer, Criteria(directory_id=did), REASON)
    consent = t.Consent(ConsentBy.CHILD, TODAY) if service.sensitive else None
    return directory.perform(ops.RECORD_INVOLVEMENT, viewer, t.NewInvolvement(
        directory_id=did, service=service, organisation=organisation, role=ROLE_TITLES[service][0],
        phone="0191 555 0303", email="clinic@example.org", start=TODAY - timedelta(days=2), reason=REASON,
        consent=consent), "key-" + did)


@pytest.fixture
def recorded(directory):
    """Alex (Northbridge) records CAMHS for an Ashcombe child and a school nurse for another one; Ashcombe's
    LA team is lee.lapsed, made a current LA team member for the test."""
    conn = directory.conn
    ash = [ids.fmt(d) for (d,) in conn.execute(
        "SELECT directory_id FROM children WHERE la_code = 'ASH' AND shielded_at IS NULL ORDER BY id LIMIT 2")]
    conn.execute("UPDATE users SET role = 'la_management', check_date = ? WHERE username = 'lee.lapsed'",
                 (date(2026, 1, 1).toordinal(),))
    list_organisations(conn, "Ashcombe Young Minds Clinic", "Ashcombe School Nursing")  # R-REC-5: from the register
    alex = viewer_for(directory, "alex.practitioner")
    _record(directory, alex, ash[0], ServiceType.CAMHS, "Ashcombe Young Minds Clinic")
    _record(directory, alex, ash[1], ServiceType.SCHOOL_NURSE, "Ashcombe School Nursing")
    return ash


def _recorded_entry(entries, did: str):
    (entry,) = [e for e in entries if e.action == "involvement_recorded" and e.detail.get("directory_id") == did]
    return entry


def test_another_las_childs_sensitive_service_is_withheld_from_the_teams_audit(directory, recorded):
    """Rule R-SENS-3 / R-ROLE-3: Northbridge's team sees that its practitioner recorded an involvement, not
    that the Ashcombe child has CAMHS or with whose consent; an ordinary service is shown in full."""
    camhs, nurse = recorded
    northbridge = directory.audit_entries(viewer_for(directory, "jo.la"))
    cut = _recorded_entry(northbridge, camhs)
    assert "service" not in cut.detail and "consent" not in cut.detail
    assert cut.detail[WITHHELD] == ["consent", "service"] and cut.actor == "alex.practitioner"
    assert "camhs" not in json.dumps([e.detail for e in northbridge]).lower()
    assert _recorded_entry(northbridge, nurse).detail["service"] == "school_nurse"


def test_the_childs_own_la_team_sees_it_in_full(directory, recorded):
    camhs, _ = recorded
    ashcombe = directory.audit_entries(viewer_for(directory, "lee.lapsed"))
    full = _recorded_entry(ashcombe, camhs)
    assert full.detail["service"] == "camhs" and full.detail["consent"] == "child" and WITHHELD not in full.detail


def test_the_archive_is_cut_the_same_way_and_still_verifies_saying_how_many_were(directory, recorded, tmp_path):
    """The archive carries each cut entry's recorded leaf hash, so its inclusion proof still holds; the
    verifier counts the cut entries. An entry altered and marked cut is still caught by its proof."""
    import dataclasses
    camhs, _ = recorded
    jo = viewer_for(directory, "jo.la")
    made = directory.perform(ops.AUDIT_ARCHIVE, jo, t.ArchiveQuery(TODAY_REAL - timedelta(days=1), TODAY_REAL))
    assert "service" not in _recorded_entry(made.entries, camhs).detail
    assert "camhs" not in json.dumps(audit_archive.read(audit_archive.write(tmp_path / "a.json", made)).entries
                                     .__repr__()).lower()
    verdict = audit_archive.verify(made, directory.audit_public_key())
    assert verdict.ok and verdict.redacted == 1
    i = next(i for i, e in enumerate(made.entries) if not e.detail.get(WITHHELD))
    entries = list(made.entries)
    entries[i] = dataclasses.replace(entries[i], actor="someone.else", detail={**entries[i].detail, WITHHELD: []})
    leaves = list(made.leaves)
    leaves[i] = "00" * 32
    forged = dataclasses.replace(made, entries=tuple(entries), leaves=tuple(leaves))
    assert not audit_archive.verify(forged, directory.audit_public_key()).ok
