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


def test_the_la_team_gives_access_and_the_one_time_password_is_replaced_first(client):
    """R-ROLE-3, R-ROLE-4, on both implementations: created with a one-time password, a token from the same
    team, signed in with it (the flag crosses the wire), refused any work until it is replaced, then working."""
    from datetime import timedelta

    from app.model import Role, Viewer
    from tests.conftest import TODAY, SoftToken
    from tests.contract.test_directory_contract import sign_in
    la = viewer(client, "jo.la")
    made = done(client.perform(ops.CREATE_USER, la, t.NewUser(
        "Priya Nair", Role.PRACTITIONER, "Northbridge Family Hub", "Ruth Ellis", TODAY - timedelta(days=3),
        TODAY - timedelta(days=20), TODAY - timedelta(days=1))))
    assert made.password and made.user.must_change_password
    token = SoftToken("contract-priya")
    done(client.perform(ops.ENROL_TOKEN, la, t.TokenEnrolment(made.user.username, token.serial, token.public("sign"),
                                                              token.public("wrap"))))
    signed = done(sign_in(client, made.user.username, token=token, password=made.password))
    assert signed.password_change_required
    priya = Viewer(signed.user, None, signed.session)
    refused(client.search(priya, Criteria(family_name="Smith", dob=date(2015, 1, 1)), REASON), AccessRefused,
            "account.password_change_required")
    refused(client.perform(ops.CHANGE_PASSWORD, priya, t.PasswordChange(made.password, "short")), AccessRefused,
            "password.too_short")
    assert done(client.perform(ops.CHANGE_PASSWORD, priya, t.PasswordChange(made.password,
                                                                             "ochre kettle by the harbour"))) is None
    done(client.search(priya, Criteria(family_name="Smith", dob=date(2015, 1, 1)), REASON))
    refused(client.perform(ops.RESET_PASSWORD, la, t.UserRef("jo.la")), AccessRefused, "la_users.not_yourself")
