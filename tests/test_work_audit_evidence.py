"""The audit entries behind the usage report's patterns and the LA team's alerts (issue 14 §2.6, R-AUDIT-2,
R-ROLE-3): opened in the app, for the LA team only, never another LA's entries or users, and the reading audited."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app import audit as audit_module
from app.directory import AccessRefused, SignInRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.model import AccessReason, Reason
from tests.conftest import SoftToken, token_sign_in, viewer_for

REASON = Reason(AccessReason.PROVIDING_SERVICE)
MONDAY = date(2026, 11, 16)


class _Clock:
    at = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.at


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(audit_module, "datetime", _Clock)
    return _Clock


def _search(d, who, clock, when, family="Smith") -> int:
    clock.at = when
    d.audit.record(who.user.username, "search", viewer=who, reason=REASON.text(),
                   detail={"criteria": {"family_name": family, "dob": "2015-01-01"}, "returned": ["900 000 0017"]},
                   las=("NBR",))
    return d.audit.size


def test_a_burst_opens_every_search_in_it_and_nothing_else(directory, clock):
    """R-AUDIT-2: the pattern "burst of searches" opens the entries that make it, the report's "audit entry"
    among them; the user's other entries (a search an hour later) are not part of it."""
    la, alex = viewer_for(directory, "jo.la"), viewer_for(directory, "alex.practitioner")
    start = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    burst = [_search(directory, alex, clock, start + timedelta(seconds=20 * i)) for i in range(12)]
    later = _search(directory, alex, clock, start + timedelta(hours=1))
    clock.at = start + timedelta(hours=2)
    report = directory.perform(ops.USAGE_REPORT, la, t.UsageQuery(MONDAY, MONDAY, "alex.practitioner"))
    (seen,) = [p for p in report.patterns if p.pattern is t.Pattern.BURST]
    got = directory.perform(ops.PATTERN_EVIDENCE, la,
                            t.PatternEvidenceQuery(MONDAY, MONDAY, "alex.practitioner", t.Pattern.BURST))
    seqs = [e.seq for e in got.entries]
    assert seen.audit_seq in seqs and set(seqs) <= set(burst) and len(seqs) >= 10 and later not in seqs
    assert got.total == len(seqs) and all(e.actor == "alex.practitioner" and e.action == "search"
                                          for e in got.entries)
    searches = directory.perform(ops.PATTERN_EVIDENCE, la, t.PatternEvidenceQuery(
        MONDAY, MONDAY, "alex.practitioner", t.Pattern.SEARCH_WITHOUT_VIEW))
    assert [e.seq for e in searches.entries] == burst + [later]  # none of them opened the record it found
    read = [e for e in directory.audit_entries(la) if e.action == "audit_evidence_read"]
    assert read[-1].detail["pattern"] == "search_without_view" and read[-1].detail["entries"] == 13


def test_only_the_la_team_opens_them_and_only_for_its_own_users(directory):
    la, alex = viewer_for(directory, "jo.la"), viewer_for(directory, "alex.practitioner")
    for who, username, code in ((alex, "alex.practitioner", "access.la_team_only"),
                                (la, "lee.lapsed", "access.not_your_la"), (la, "ann.lee", "access.not_your_la"),
                                (viewer_for(directory, "pat.la"), "alex.practitioner", "access.not_your_la")):
        with pytest.raises(AccessRefused) as exc:
            directory.perform(ops.PATTERN_EVIDENCE, who, t.PatternEvidenceQuery(MONDAY, MONDAY, username,
                                                                                t.Pattern.REFUSED))
        assert exc.value.code == code
    with pytest.raises(AccessRefused) as exc:
        directory.perform(ops.PATTERN_EVIDENCE, la, t.PatternEvidenceQuery(MONDAY, MONDAY, "alex.practitioner",
                                                                           "refused"))
    assert exc.value.code == "input.required"


def test_a_lock_out_alert_opens_the_failed_sign_ins_before_it(directory):
    """R-AUDIT-2, R-ROLE-4: the alert points at the lock-out; opened, it shows the five failures that led to it.
    Another LA's team cannot open it (the same answer as an alert that does not exist)."""
    wrong = SoftToken("not-morgans")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            token_sign_in(directory, "morgan.mediator", wrong, password="not-the-password")
    la = viewer_for(directory, "jo.la")
    (alert,) = [a for a in directory.perform(ops.ALERTS, la, t.Nothing()) if a.kind is t.AlertKind.ACCOUNT_LOCKED
                and a.actor == "morgan.mediator"]
    got = directory.perform(ops.ALERT_EVIDENCE, la, t.AlertRef(alert.alert_id))
    actions = [e.action for e in got.entries]
    assert actions == ["sign_in_failed"] * 4 + ["account_locked_out", "sign_in_failed"]
    assert got.entries[4].seq == alert.audit_seq
    assert all("NBR" in e.las for e in got.entries)
    for who, alert_id in ((viewer_for(directory, "pat.la"), alert.alert_id), (la, 10**6)):
        with pytest.raises(AccessRefused) as exc:
            directory.perform(ops.ALERT_EVIDENCE, who, t.AlertRef(alert_id))
        assert exc.value.code == "access.not_your_la"
