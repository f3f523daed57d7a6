"""The LA team's new work on both implementations (issue 14 §2): the audit entries behind a pattern or an alert
(R-AUDIT-2), and what the LA team may and may not do to accounts (R-ROLE-3, R-ROLE-4)."""
from __future__ import annotations

from datetime import date

from app.directory import AccessRefused, SearchRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.search import Criteria
from tests.contract.test_directory_contract import REASON, done, refused, viewer

TODAY_REAL = date.today()  # audit entries carry the real time


def test_a_refused_search_is_behind_the_refused_pattern_and_opens_in_words(client):
    alex, la = viewer(client, "alex.practitioner"), viewer(client, "jo.la")
    refused(client.search(alex, Criteria(family_name="Smith"), REASON), SearchRefused, "search.add_detail")
    report = done(client.perform(ops.USAGE_REPORT, la, t.UsageQuery(TODAY_REAL, TODAY_REAL, "alex.practitioner")))
    (seen,) = [p for p in report.patterns if p.pattern is t.Pattern.REFUSED]
    got = done(client.perform(ops.PATTERN_EVIDENCE, la, t.PatternEvidenceQuery(
        TODAY_REAL, TODAY_REAL, "alex.practitioner", t.Pattern.REFUSED)))
    (entry,) = [e for e in got.entries if e.seq == seen.audit_seq]
    assert entry.action == "search_refused" and entry.detail["criteria"]["family_name"] == "Smith"
    assert got.total == len(got.entries) >= 1
    refused(client.perform(ops.PATTERN_EVIDENCE, alex, t.PatternEvidenceQuery(
        TODAY_REAL, TODAY_REAL, "alex.practitioner", t.Pattern.REFUSED)), AccessRefused, "access.la_team_only")
