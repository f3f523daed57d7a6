"""The usage report on the engine, with the audit's clock under control (R-AUDIT-2, R-ROLE-3): per-user counts
for a period in Europe/London days, the patterns worth a look each pointing at its first audit entry, only the
LA's own users, and fast on a busy LA."""
from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from app import audit as audit_module
from app import directory_id as ids
from app.directory import AccessRefused
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work import usage
from app.model import AccessReason, Reason
from tests.conftest import add_child, viewer_for

REASON = Reason(AccessReason.PROVIDING_SERVICE)
MONDAY = date(2026, 11, 16)  # a Monday in GMT (London = UTC in November)


START = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


class _Clock:
    """Stands in for ``datetime`` inside app.audit, so entries carry the time a test chooses."""

    at = START

    @classmethod
    def now(cls, tz=None):
        return cls.at


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(audit_module, "datetime", _Clock)
    _Clock.at = START  # each test from the same time, whatever the one before it left (the order is random)
    return _Clock


def _at(clock, when: datetime) -> None:
    clock.at = when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _search(d, who, clock, when, returned=(), family="Smith"):
    _at(clock, when)
    d.audit.record(who.user.username, "search", viewer=who, reason=REASON.text(),
                   detail={"criteria": {"family_name": family, "dob": "2015-01-01"}, "returned": list(returned)},
                   las=("NBR",))
    return d.audit.size


def _view(d, who, clock, when, did):
    _at(clock, when)
    d.audit.record(who.user.username, "view_record", viewer=who, reason=REASON.text(),
                   detail={"directory_id": did, "restricted": False}, las=("NBR",))
    return d.audit.size


def _report(d, la, start=MONDAY, end=MONDAY, username=""):
    return d.perform(ops.USAGE_REPORT, la, t.UsageQuery(start, end, username))


def _seen(report, username, pattern):
    got = [p for p in report.patterns if p.username == username and p.pattern is pattern]
    return got[0] if got else None


def _dids(d, n, where="1=1"):
    return [ids.fmt(v) for (v,) in d.conn.execute(
        f"SELECT directory_id FROM children WHERE {where} ORDER BY id LIMIT ?", (n,))]


def test_counts_per_user_within_the_period_only(directory, clock):
    la = viewer_for(directory, "jo.la")
    alex = viewer_for(directory, "alex.practitioner")
    did = _dids(directory, 1)[0]
    _search(directory, alex, clock, datetime(2026, 11, 15, 23, 59))  # Sunday: outside the period
    s = _search(directory, alex, clock, datetime(2026, 11, 16, 9, 0), [did])
    _view(directory, alex, clock, datetime(2026, 11, 16, 9, 1), did)
    _at(clock, datetime(2026, 11, 16, 9, 2))
    directory.audit_refusal(alex, REASON, "view_record", "not from this session's results")
    _search(directory, alex, clock, datetime(2026, 11, 17, 0, 0))  # Tuesday: outside
    report = _report(directory, la)
    row = {r.username: r for r in report.rows}["alex.practitioner"]
    assert (row.searches, row.views, row.refusals) == (1, 1, 1)
    assert row.display_name == "Alex Morgan" and row.role == "practitioner"
    refused = _seen(report, "alex.practitioner", t.Pattern.REFUSED)
    assert refused.count == 1 and refused.audit_seq == s + 2
    assert _seen(report, "alex.practitioner", t.Pattern.SEARCH_WITHOUT_VIEW) is None


def test_a_burst_of_searches_is_a_pattern_pointing_at_its_first_search(directory, clock):
    la = viewer_for(directory, "jo.la")
    alex = viewer_for(directory, "alex.practitioner")
    start = datetime(2026, 11, 16, 10, 0)
    seqs = [_search(directory, alex, clock, start + timedelta(seconds=25 * i)) for i in range(usage.BURST_SEARCHES)]
    sam = viewer_for(directory, "sam.cp")  # nine searches spread over an hour: no burst
    for i in range(usage.BURST_SEARCHES - 1):
        _search(directory, sam, clock, start + timedelta(minutes=6 * i))
    report = _report(directory, la)
    burst = _seen(report, "alex.practitioner", t.Pattern.BURST)
    assert burst and burst.count == 1 and burst.audit_seq == seqs[0]
    assert _seen(report, "sam.cp", t.Pattern.BURST) is None


def test_searches_with_no_view_and_views_with_no_search_that_day(directory, clock):
    la = viewer_for(directory, "jo.la")
    alex = viewer_for(directory, "alex.practitioner")
    a, b = _dids(directory, 2)
    looked = _search(directory, alex, clock, datetime(2026, 11, 16, 9, 0), [a])
    _view(directory, alex, clock, datetime(2026, 11, 16, 9, 1), a)
    idle = _search(directory, alex, clock, datetime(2026, 11, 16, 9, 5), [b])  # results, none opened
    _search(directory, alex, clock, datetime(2026, 11, 16, 9, 6), [])  # nothing found: nothing to open
    stray = _view(directory, alex, clock, datetime(2026, 11, 16, 9, 7), b)  # opened later after all
    report = _report(directory, la)
    assert _seen(report, "alex.practitioner", t.Pattern.SEARCH_WITHOUT_VIEW) is None and looked < idle < stray
    c = _dids(directory, 3)[2]
    unasked = _view(directory, alex, clock, datetime(2026, 11, 16, 9, 8), c)  # never in a result that day
    never = _search(directory, alex, clock, datetime(2026, 11, 16, 9, 9), [a, b])  # and never opened after
    report = _report(directory, la)
    assert _seen(report, "alex.practitioner", t.Pattern.VIEW_WITHOUT_SEARCH).audit_seq == unasked
    assert _seen(report, "alex.practitioner", t.Pattern.SEARCH_WITHOUT_VIEW).audit_seq == never


def test_out_of_hours_is_local_time_and_weekends(directory, clock):
    """Europe/London: 06:30 UTC in July is 07:30 BST (working hours); 19:30 UTC in July is 20:30 BST (not)."""
    _at(clock, datetime(2026, 7, 15, 6, 0))  # sign in at 07:00 BST: the audit's times only go forward
    la = viewer_for(directory, "jo.la")
    alex = viewer_for(directory, "alex.practitioner")
    summer = date(2026, 7, 15)  # a Wednesday
    _search(directory, alex, clock, datetime(2026, 7, 15, 6, 30))
    late = _search(directory, alex, clock, datetime(2026, 7, 15, 19, 30))
    report = _report(directory, la, summer, summer)
    seen = _seen(report, "alex.practitioner", t.Pattern.OUT_OF_HOURS)
    assert seen.count == 1 and seen.audit_seq == late
    saturday = _search(directory, alex, clock, datetime(2026, 11, 21, 12, 0))
    report = _report(directory, la, date(2026, 11, 21), date(2026, 11, 21))
    assert _seen(report, "alex.practitioner", t.Pattern.OUT_OF_HOURS).audit_seq == saturday


def test_a_record_sharing_the_users_family_name_is_a_pattern(directory, clock):
    """Alex Morgan opening a Morgan child, or searching for Morgans."""
    la = viewer_for(directory, "jo.la")
    alex = viewer_for(directory, "alex.practitioner")
    morgan = add_child(directory, "Poppy", "Morgan", date(2016, 5, 4))
    (other,) = _dids(directory, 1, "family_name != 'Morgan'")
    _search(directory, alex, clock, datetime(2026, 11, 16, 9, 0), [other], family="Jones")
    _view(directory, alex, clock, datetime(2026, 11, 16, 9, 1), other)
    assert _seen(_report(directory, la), "alex.practitioner", t.Pattern.SHARED_FAMILY_NAME) is None
    _search(directory, alex, clock, datetime(2026, 11, 16, 9, 2), [morgan], family="Other")
    opened = _view(directory, alex, clock, datetime(2026, 11, 16, 9, 3), morgan)
    assert _seen(_report(directory, la), "alex.practitioner", t.Pattern.SHARED_FAMILY_NAME).audit_seq == opened


def test_overrides_rate_limits_and_refusals_each_have_their_pattern(directory, clock):
    la = viewer_for(directory, "jo.la")
    sam = viewer_for(directory, "sam.cp")
    did = _dids(directory, 1)[0]
    _at(clock, datetime(2026, 11, 16, 11, 0))
    directory.audit.record("sam.cp", "shield_override", viewer=sam, reason=REASON.text(),
                           detail={"directory_id": did}, las=("NBR",))
    override = directory.audit.size
    directory.audit_refusal(sam, REASON, "search", "rate limited", limit=10, window_s=60)
    limited = directory.audit.size
    report = _report(directory, la)
    assert _seen(report, "sam.cp", t.Pattern.SHIELD_OVERRIDE).audit_seq == override
    assert _seen(report, "sam.cp", t.Pattern.RATE_LIMITED).audit_seq == limited
    assert _seen(report, "sam.cp", t.Pattern.REFUSED) is None  # a rate limit is its own pattern
    row = {r.username: r for r in report.rows}["sam.cp"]
    assert row.views == 1 and row.refusals == 1


def test_only_the_las_own_users_and_one_user_when_asked(directory, clock):
    """R-ROLE-3: lee.lapsed (ASH) searching a Northbridge child is Ashcombe's to monitor, not Northbridge's."""
    la = viewer_for(directory, "jo.la")
    directory.conn.execute("UPDATE users SET check_date = ? WHERE username = 'lee.lapsed'",
                           (date(2026, 1, 1).toordinal(),))
    lee = viewer_for(directory, "lee.lapsed")
    _search(directory, lee, clock, datetime(2026, 11, 16, 9, 0), _dids(directory, 1))
    report = _report(directory, la)
    assert "lee.lapsed" not in {r.username for r in report.rows} | {p.username for p in report.patterns}
    assert all(r.role != "colleague" for r in report.rows)
    with pytest.raises(AccessRefused) as exc:
        _report(directory, la, username="lee.lapsed")
    assert exc.value.code == "access.not_your_la"
    assert [r.username for r in _report(directory, la, username="sam.cp").rows] == ["sam.cp"]
    with pytest.raises(AccessRefused) as exc:
        _report(directory, la, MONDAY, MONDAY - timedelta(days=1))
    assert exc.value.code == "input.date_too_early" and exc.value.field == "end"


def test_reading_the_report_is_audited(directory, clock):
    la = viewer_for(directory, "jo.la")
    _report(directory, la)
    action, detail = directory.conn.execute("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert action == "usage_report_read" and json.loads(detail)["start"] == MONDAY.isoformat()


def test_thirty_busy_days_report_in_well_under_a_second(directory, clock):
    """Tens of thousands of entries in the period (and more before it): one indexed pass."""
    dids = _dids(directory, 200)
    users = ["alex.practitioner", "sam.cp", "morgan.mediator", "jo.la"]
    rows, seq = [], directory.audit.size
    start = datetime(2026, 10, 1, tzinfo=UTC)
    for i in range(60_000):  # 30 days before the period, 30 days in it: about 1,000 entries a day
        seq += 1
        at = (start + timedelta(seconds=86.4 * i)).isoformat(timespec="microseconds")
        who = users[i % 4]
        if i % 3 == 2:
            action, detail = "view_record", {"directory_id": dids[i % 200], "restricted": False}
        else:
            action, detail = "search", {"criteria": {"family_name": "Smith"}, "returned": dids[i % 200:i % 200 + 3]}
        rows.append((seq, at, who, None, action, REASON.text(), json.dumps(detail), "NBR", b"\0" * 32))
    directory.conn.executemany("INSERT INTO audit (seq, at, actor, on_behalf_of, action, reason, detail, las, leaf) "
                               "VALUES (?,?,?,?,?,?,?,?,?)", rows)
    people = {u: (n, r) for u, n, r in directory.conn.execute(
        "SELECT username, display_name, role FROM users WHERE la_code = 'NBR' AND role != 'colleague'")}
    began, wall = time.process_time(), time.perf_counter()  # CPU time: the test machine may be busy with others
    tallies = usage.build_tallies(directory, people, "NBR", date(2026, 10, 31), date(2026, 11, 29))
    took, wall = time.process_time() - began, time.perf_counter() - wall
    counted = sum(x.searches + x.views for x in tallies.values())
    assert counted >= 29_000
    print(f"usage report: {counted} entries in 30 days (of {len(rows)}), {took * 1000:.0f} ms CPU, "
          f"{wall * 1000:.0f} ms wall")
    assert took < 1.0


def test_a_registered_colleague_never_signs_in_even_with_a_password_and_token(directory):
    """R-ROLE-2: belt and braces: were a colleague given a password and a token, the account itself refuses."""
    from app.directory import SignInRefused
    from app.passwords import hash_password
    from tests.conftest import PASSWORD, SoftToken, token_sign_in
    directory.conn.execute("UPDATE users SET password_hash = ? WHERE username = 'ann.lee'", (hash_password(PASSWORD),))
    token = SoftToken("soft-ann.lee").enrol(directory, "ann.lee")
    with pytest.raises(SignInRefused) as exc:
        token_sign_in(directory, "ann.lee", token)
    assert exc.value.code == "account.colleague_no_access"
    assert "ann.lee" not in directory.usernames()  # no training token is made for a colleague


def _unknown_sign_in(d, clock, when: datetime, username: str) -> int:
    """A sign-in for a username nobody holds, refused and audited by the engine as it always is."""
    from app.refusals import SignInRefused
    _at(clock, when)
    with pytest.raises(SignInRefused):
        d.sign_in(username, "password1", "no-token", d.challenge(), b"not a signature")
    return d.audit.size


def _another_la_team(d) -> str:
    """An LA team user of another LA (Kestrel Vale), for the report seen from elsewhere."""
    from app.passwords import hash_password
    from tests.conftest import PASSWORD, TODAY
    d.conn.execute(
        "INSERT INTO users (username, display_name, role, la_code, organisation, password_hash, nominated, trained, "
        "check_date) VALUES ('kit.kestrel', 'Kit Kestrel', 'la_management', 'KVL', 'Kestrel Vale LA team', ?, 1, 1, "
        "?)", (hash_password(PASSWORD), TODAY.toordinal()))
    return "kit.kestrel"


def test_a_run_of_sign_ins_for_usernames_nobody_holds_is_in_every_la_teams_report(directory, clock):
    """Issue 13 §1 item 5, R-AUDIT-2: the refusals name no LA, so no team would see a username-guessing run;
    every LA team's report shows it, nobody's, with its count and first entry, never the usernames typed. A
    mistyped username or two is not a run; nor is a report asked about one user."""
    la = viewer_for(directory, "jo.la")
    elsewhere = viewer_for(directory, _another_la_team(directory))
    first = _unknown_sign_in(directory, clock, datetime(2026, 11, 16, 3, 0), "admin")
    for i, name in enumerate(("administrator", "root", "j.smith", "jsmith", "test", "guest")):
        _unknown_sign_in(directory, clock, datetime(2026, 11, 16, 3, 1 + i), name)
    _unknown_sign_in(directory, clock, datetime(2026, 11, 16, 11, 0), "alex.practitoner")  # a typo, alone
    for who in (la, elsewhere):
        report = _report(directory, who)
        guessing = [p for p in report.patterns if p.pattern is t.Pattern.USERNAME_GUESSING]
        assert [(p.username, p.count, p.audit_seq) for p in guessing] == [("", 7, first)]
        assert "root" not in str(report) and "alex.practitoner" not in {p.username for p in guessing}
    one_user = _report(directory, la, username="alex.practitioner")
    assert not [p for p in one_user.patterns if p.pattern is t.Pattern.USERNAME_GUESSING]


def test_sign_ins_the_service_refused_in_a_flood_count_towards_a_run(directory, clock):
    """Over HTTPS a per-address limit refuses sign-ins before any username is read; the service audits them
    coalesced (``count``), and they count towards the run."""
    la = viewer_for(directory, "jo.la")
    _at(clock, datetime(2026, 11, 16, 22, 0))
    directory.audit_refused_request("", "sign_in", "rate.requests", "192.0.2.44")
    _at(clock, datetime(2026, 11, 16, 22, 1))
    directory.audit_refused_request("", "sign_in", "rate.requests", "192.0.2.44", count=240)
    (run,) = [p for p in _report(directory, la).patterns if p.pattern is t.Pattern.USERNAME_GUESSING]
    assert run.count == 241
